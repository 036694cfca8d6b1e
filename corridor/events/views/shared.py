"""What the event pages share: finding the event and its records for the person asking, and
slots as people read them."""

from django.http import Http404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from corridor.core.bilingual import bilingual
from corridor.events import queries
from corridor.events.models import Event, MeetingRequest, Participant, Slot


def visible_event(request, pk: int) -> Event:
    """The event, if the user may see it; 404 otherwise, never saying whether it exists."""
    event = queries.event_visible(request.user, pk)
    if event is None:
        raise Http404
    return event


def participant_of(event: Event, participant_pk: int) -> Participant:
    participant = queries.participant_at(event, participant_pk)
    if participant is None:
        raise Http404
    return participant


def request_of(event: Event, request_pk: int) -> MeetingRequest:
    meeting_request = queries.request_at(event, request_pk)
    if meeting_request is None:
        raise Http404
    return meeting_request


def event_url(event: Event) -> str:
    return reverse("events:event_detail", args=[event.pk])


def slot_text(slot: Slot) -> str:
    """A slot as people read it: its day and its time range, in the active language."""
    return _("%(weekday)s %(date)s, %(start)s–%(end)s") % {
        "weekday": date_format(slot.starts, "D"),
        "date": date_format(slot.starts, "MONTH_DAY_FORMAT"),
        "start": slot.starts.strftime("%H:%M"),
        "end": slot.ends.strftime("%H:%M"),
    }


def ranges_text(slots: list[Slot], indexes) -> list[str]:
    """Slots (by index) as people read them, back-to-back slots of one session joined
    into one range: "Tue March 18, 13:00–17:00" rather than twelve lines."""
    chosen = sorted(set(indexes or ()))
    by_index = {slot.index: slot for slot in slots}
    runs: list[list[Slot]] = []
    for index in chosen:
        slot = by_index.get(index)
        if slot is None:
            continue
        last = runs[-1][-1] if runs else None
        if last is not None and last.session == slot.session and last.ends == slot.starts:
            runs[-1].append(slot)
        else:
            runs.append([slot])
    return [
        slot_text(Slot(run[0].index, run[0].session, run[0].starts, run[-1].ends)) for run in runs
    ]


def day_text(slot: Slot) -> str:
    """A slot's day as people read it, in the active language: "Tuesday March 10"."""
    return _("%(weekday)s %(date)s") % {
        "weekday": date_format(slot.starts, "l"),
        "date": date_format(slot.starts, "MONTH_DAY_FORMAT"),
    }


def slots_of(event: Event) -> list[Slot]:
    """The event's slots, each with its `label` (day and time)."""
    slots = event.slots()
    for slot in slots:
        slot.label = slot_text(slot)
    return slots


def slot_choices(slots: list[Slot]) -> list[tuple[int, str]]:
    return [(slot.index, slot.label) for slot in slots]


def slot_labels(slots: list[Slot]) -> dict[int, str]:
    return {slot.index: slot.label for slot in slots}


def names(participant: Participant) -> str:
    return bilingual(participant.organisation, "name")
