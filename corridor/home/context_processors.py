from django.utils.functional import SimpleLazyObject

from corridor.home.actions import actions_of


def actions(request):
    """`may`: what the person may start (home.actions.Actions), worked out only when a
    template asks (the memberships it reads are cached on the user)."""
    return {"may": SimpleLazyObject(lambda: actions_of(getattr(request, "user", None)))}
