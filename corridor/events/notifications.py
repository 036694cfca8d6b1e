"""E-mails about events, each in its recipient's language: a meeting moved (or was cancelled)
after the agendas went out. Each participant's contact person (or, without one, its members)
is told, with a link to the agenda, whose calendar file updates the meeting in place (same
UID, higher SEQUENCE). Requests to meet and their answers are notifications (in-app and
e-mail, corridor.accounts.notifications), sent by the services."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from corridor.accounts.models import User
from corridor.accounts.notifications import people_of as accounts_people_of
from corridor.core.bilingual import bilingual
from corridor.events.models import MeetingRequest, Participant


def people_of(participant: Participant) -> list[User]:
    """The participant's contact person, else the members of its organisation."""
    return accounts_people_of(participant.organisation_id, contacts=[participant.contact])


def send_meetings_moved(request_ids: list[int]) -> int:
    """Tell both sides of each moved or cancelled meeting. Returns the e-mails sent."""
    sent = 0
    meetings = MeetingRequest.objects.filter(pk__in=request_ids).select_related(
        "event",
        "requester__organisation",
        "requested__organisation",
        "requester__contact",
        "requested__contact",
    )
    for meeting in meetings:
        event = meeting.event
        slots = event.slots()
        for side, other in (
            (meeting.requester, meeting.requested),
            (meeting.requested, meeting.requester),
        ):
            url = settings.SITE_URL.rstrip("/") + reverse("events:agenda", args=[event.pk, side.pk])
            for person in people_of(side):
                if not person.email:
                    continue
                with translation.override(person.preferred_language):
                    names = {
                        "event": bilingual(event, "title"),
                        "other": bilingual(other.organisation, "name"),
                    }
                    if meeting.status != MeetingRequest.Status.ACCEPTED or meeting.slot is None:
                        subject = _("Meeting cancelled: %(other)s at %(event)s") % names
                        body = _(
                            "Your meeting with %(other)s at %(event)s is no longer on the "
                            "agenda.\n\nYour agenda: %(url)s"
                        ) % {**names, "url": url}
                    else:
                        slot = slots[meeting.slot]
                        subject = _("Meeting moved: %(other)s at %(event)s") % names
                        body = _(
                            "Your meeting with %(other)s at %(event)s now takes place on "
                            "%(when)s at table %(table)s.\n\nYour agenda (and its calendar "
                            "file, which updates the meeting in your calendar): %(url)s"
                        ) % {
                            **names,
                            "when": slot.starts.strftime("%Y-%m-%d %H:%M"),
                            "table": meeting.table or "—",
                            "url": url,
                        }
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
                sent += 1
    return sent
