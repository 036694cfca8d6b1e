"""What every page's template may use: the number of the person's unread notifications."""

from corridor.accounts.models import Notification


def notifications(request) -> dict:
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}

    counted: list[int] = []

    def unread() -> int:  # counted once, and only when a template asks
        if not counted:
            counted.append(Notification.objects.visible_to(user).unread().count())
        return counted[0]

    return {"unread_notifications": unread}
