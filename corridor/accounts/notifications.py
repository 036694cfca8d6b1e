"""Telling people: an in-app notification, written in both languages when it is created,
and an e-mail in the recipient's preferred language, sent by a background task once the
write that caused it has committed (`accounts.services.notification_emails_send`).

Apps call `notify` from their services, inside their write's transaction, with a function
that writes the subject and text in the active language (it is called once per language,
under `translation.override`), so names and statuses come out in each language:

    notify(
        recipients=people_of(organisation_id, contacts=profile.contacts.all()),
        actor=actor,
        url=reverse("directory:connection_detail", args=[connection.pk]),
        write=lambda: Message(_("%(name)s asks to connect") % {...}, body),
    )
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import translation

from corridor.accounts import tasks
from corridor.accounts.models import Notification, User

# The languages every notification is written in: (stored suffix, language code).
WRITTEN_IN = (("en", "en"), ("zh", "zh-hans"))
SUBJECT_LENGTH = Notification._meta.get_field("subject_en").max_length


@dataclass
class Message:
    subject: str
    body: str = ""


def people_of(organisation_id: int, contacts: Iterable[User] = ()) -> list[User]:
    """Whom to tell about something that concerns an organisation (a directory profile, an
    event participant): its contact persons if it named any who are active, else its active
    members."""
    named = [person for person in contacts if person is not None and person.is_active]
    if named:
        return named
    return list(
        User.objects.filter(memberships__organisation=organisation_id, is_active=True)
        .order_by("pk")
        .distinct()
    )


def _clip(text: str) -> str:
    return text if len(text) <= SUBJECT_LENGTH else text[: SUBJECT_LENGTH - 1] + "…"


def notify(
    *,
    recipients: Iterable[User],
    actor,
    url: str,
    write: Callable[[], Message],
) -> list[Notification]:
    """Tell each recipient (once, never the actor themselves, never an inactive account):
    an in-app notification now, an e-mail once the caller's transaction commits. `url` is
    a path on this site; the e-mail links to it through settings.SITE_URL."""
    actor_id = getattr(actor, "pk", None)
    people = {
        person.pk: person
        for person in recipients
        if person is not None and person.is_active and person.pk != actor_id
    }
    if not people:
        return []
    texts = {}
    for suffix, language in WRITTEN_IN:
        with translation.override(language):
            message = write()
        texts[f"subject_{suffix}"] = _clip(str(message.subject))
        texts[f"body_{suffix}"] = str(message.body)
    created = Notification.objects.bulk_create(
        [Notification(recipient=person, url=url, **texts) for person in people.values()]
    )
    ids = [notification.pk for notification in created]

    transaction.on_commit(lambda: tasks.notification_emails_send.enqueue(ids))
    return created
