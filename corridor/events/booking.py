"""Self-booking, for open networking events (`Event.booking` = "self"): a participant's
members book a free slot with another participant directly, and the meeting is on both
agendas at once, at a table.

Conflicts are made impossible by the database, not only checked: a booking holds a row per
side and slot (`BookedSlot`, unique per event, participant and slot) and one per slot and
table (`Booking`, unique per event, slot and table). Of two bookings of one person's slot
made at the same moment exactly one commits; the other is refused with a sentence saying
the slot was just taken. A booked meeting is locked, so a scheduling run keeps it. A pair that shares no
language gets an interpreter free in that slot (unique per event, slot and interpreter too),
or the slot is refused.

The reads (`slots_with`) tell the booking page which slots both sides have free.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from corridor.accounts.notifications import Message, notify
from corridor.core.actors import is_system
from corridor.core.audit import audit_record
from corridor.core.bilingual import bilingual
from corridor.core.unique import unique_or_raise
from corridor.events import clock, queries
from corridor.events.models import (
    Absence,
    BookedSlot,
    Booking,
    Event,
    Interpreter,
    MeetingRequest,
    Participant,
    Slot,
)
from corridor.events.notifications import people_of
from corridor.events.permissions import (
    NOT_YOURS,
    acts_for,
    require,
    require_books,
    require_organiser,
)


@dataclass
class FreeSlot:
    slot: Slot
    free: bool
    # why the slot is not free: "you", "them", "both", "past", "full", "interpreter"
    busy: str = ""


def _busy_slots(event: Event, participant: Participant, slots: list[Slot]) -> set[int]:
    """Slots the participant cannot meet in: unavailable, absent, or already meeting."""
    busy = set(participant.blocked_slots or [])
    busy |= set(
        MeetingRequest.objects.filter(
            Q(requester=participant) | Q(requested=participant),
            event=event,
            status=MeetingRequest.Status.ACCEPTED,
            slot__isnull=False,
        ).values_list("slot", flat=True)
    )
    busy |= set(BookedSlot.objects.filter(participant=participant).values_list("slot", flat=True))
    for absence in Absence.objects.filter(participant=participant):
        busy |= {
            s.index
            for s in slots
            if s.session.date == absence.date and s.index >= absence.from_slot
        }
    return busy


def _full_slots(event: Event) -> set[int]:
    counts: dict[int, int] = {}
    for slot in MeetingRequest.objects.filter(
        event=event, status=MeetingRequest.Status.ACCEPTED, slot__isnull=False
    ).values_list("slot", flat=True):
        counts[slot] = counts.get(slot, 0) + 1
    return {slot for slot, n in counts.items() if n >= event.tables}


def slots_with(
    event: Event, me: Participant, other: Participant | None, *, now: datetime | None = None
) -> list[FreeSlot]:
    """Every slot of the event, saying whether `me` and `other` are both free in it (or `me`
    alone, without `other`)."""
    now = now or clock.now()
    slots = event.slots()
    mine = _busy_slots(event, me, slots)
    theirs = _busy_slots(event, other, slots) if other is not None else set()
    full = _full_slots(event)
    result = []
    for slot in slots:
        if slot.starts_at <= now:
            busy = "past"
        elif slot.index in mine and slot.index in theirs:
            busy = "both"
        elif slot.index in mine:
            busy = "you"
        elif slot.index in theirs:
            busy = "them"
        elif slot.index in full:
            busy = "full"
        elif other is not None and _interpreters_for(event, me, other, slot.index) == []:
            busy = "interpreter"
        else:
            busy = ""
        result.append(FreeSlot(slot, not busy, busy))
    return result


def _tables_for(event: Event, slot: int, sides: tuple[Participant, Participant]) -> list[int]:
    """Tables to try, 1-based: a host's fixed table first, then the free ones in order."""
    taken = set(
        MeetingRequest.objects.filter(
            event=event, status=MeetingRequest.Status.ACCEPTED, slot=slot, table__isnull=False
        ).values_list("table", flat=True)
    )
    hosts = [p.fixed_table for p in sides if p.fixed_table]
    if hosts:
        return [t for t in hosts[:1] if t not in taken]
    owned = set(
        event.participants.filter(fixed_table__isnull=False).values_list("fixed_table", flat=True)
    )
    free = [t for t in range(1, event.tables + 1) if t not in taken]
    return [t for t in free if t not in owned] + [t for t in free if t in owned]


def _interpreters_for(
    event: Event, requester: Participant, requested: Participant, slot: int
) -> list[Interpreter] | None:
    """The interpreters free to serve the pair in the slot; None when the pair needs none
    (they share a language, or the event lists no interpreters, as for the scheduler)."""
    first, second = set(requester.languages or []), set(requested.languages or [])
    interpreters = list(event.interpreters.all())
    if not interpreters or not first or not second or first & second:
        return None
    busy = set(
        MeetingRequest.objects.filter(
            event=event, status=MeetingRequest.Status.ACCEPTED, slot=slot
        ).values_list("interpreter_id", flat=True)
    )
    return [
        person
        for person in interpreters
        if set(person.languages or []) & first
        and set(person.languages or []) & second
        and slot not in (person.blocked_slots or [])
        and person.pk not in busy
    ]


def meeting_book(
    *,
    actor,
    requester: Participant,
    requested: Participant,
    slot: int,
    now: datetime | None = None,
) -> MeetingRequest:
    """Book a meeting of `requester` (the actor's own organisation) with `requested` in a
    slot where both are free. Slots are 0-based."""
    require_books(actor, requester)
    event = requester.event
    now = now or clock.now()
    if (
        requested.event_id != event.pk
        or requested.pk == requester.pk
        or requested.status == Participant.Status.CANCELLED
        or requester.status == Participant.Status.CANCELLED
    ):
        raise ValidationError(
            {"requested": _("Meet whom: choose another registered participant of the event.")}
        )
    slots = event.slots()
    if not 0 <= slot < len(slots):
        raise ValidationError(
            {"slot": _("Slot: the event has slots 1 to %(count)d.") % {"count": len(slots)}}
        )
    when = slots[slot].starts.strftime("%Y-%m-%d %H:%M")
    if slots[slot].starts_at <= now:
        raise ValidationError({"slot": _("Slot: %(when)s has already begun.") % {"when": when}})
    for side in (requester, requested):
        if slot in _busy_slots(event, side, slots):
            raise ValidationError(
                {
                    "slot": _("Slot: %(name)s is not free at %(when)s; choose another slot.")
                    % {"name": bilingual(side.organisation, "name"), "when": when}
                }
            )
    interpreters = _interpreters_for(event, requester, requested, slot)
    if interpreters == []:
        raise ValidationError(
            {
                "slot": _(
                    "Slot: no interpreter for your two languages is free at %(when)s; choose "
                    "another slot."
                )
                % {"when": when}
            }
        )
    already = ValidationError(
        {
            "requested": _("You already have a meeting or a request with %(name)s at this event.")
            % {"name": bilingual(requested.organisation, "name")}
        }
    )
    if queries.open_between(event, requester, requested):
        raise already
    taken = ValidationError(
        {
            "slot": _(
                "Slot: %(when)s was booked by someone else a moment ago; choose another slot."
            )
            % {"when": when}
        }
    )
    with transaction.atomic():
        with unique_or_raise(already):  # the same pair, booked at the same moment
            meeting = MeetingRequest.objects.create(
                event=event,
                requester=requester,
                requested=requested,
                priority=MeetingRequest.Priority.WOULD_LIKE,
                status=MeetingRequest.Status.ACCEPTED,
                slot=slot,
                locked=True,
            )
        booking = None
        tables = _tables_for(event, slot, (requester, requested))
        choices = [(person, table) for person in interpreters or [None] for table in tables]
        for person, table in choices:
            try:
                with transaction.atomic():
                    booking = Booking.objects.create(
                        event=event,
                        meeting=meeting,
                        slot=slot,
                        table=table,
                        interpreter=person,
                        booked_by=None if is_system(actor) else actor,
                    )
                break
            except IntegrityError:  # another booking took this table (or interpreter)
                continue
        if booking is None:
            raise ValidationError(
                {
                    "slot": _("Slot: every table is taken at %(when)s; choose another slot.")
                    % {"when": when}
                }
            )
        with unique_or_raise(taken):
            BookedSlot.objects.bulk_create(
                [
                    BookedSlot(event=event, participant=side, slot=slot, booking=booking)
                    for side in (requester, requested)
                ]
            )
        meeting.table, meeting.interpreter = booking.table, booking.interpreter
        meeting.save(update_fields=["table", "interpreter"])
        audit_record(
            actor=actor,
            action="create",
            target=meeting,
            summary=f"{requester} – {requested}, {when}, {booking.table}",
        )
        _tell(actor, meeting, requested, slots, cancelled=False)
    return meeting


def booking_cancel(*, actor, meeting: MeetingRequest, now: datetime | None = None) -> None:
    """Either side (or an organiser) cancels a booked meeting that has not begun; both
    slots are free again."""
    require(acts_for(actor, meeting.requester) or acts_for(actor, meeting.requested), NOT_YOURS)
    now = now or clock.now()
    slots = meeting.event.slots()
    with transaction.atomic():
        saved = MeetingRequest.objects.select_for_update().get(pk=meeting.pk)
        booking = Booking.objects.filter(meeting=saved).first()
        if booking is None or saved.status != MeetingRequest.Status.ACCEPTED:
            raise ValidationError({"meeting": _("Meeting: it is not a booked meeting.")})
        if slots[booking.slot].starts_at <= now:
            raise ValidationError({"meeting": _("Meeting: it has already begun.")})
        booking.delete()
        saved.set_cancelled()
        saved.save()
        audit_record(
            actor=actor,
            action="transition",
            target=saved,
            changes={"status": [MeetingRequest.Status.ACCEPTED, saved.status]},
        )
        for side in (meeting.requester, meeting.requested):
            _tell(actor, meeting, side, slots, cancelled=True, slot=booking.slot)


def event_set_booking(*, actor, event: Event, booking: str) -> Event:
    """The organisers choose who sets the meetings: they (the scheduler) or the
    participants (self-booking).

    Back to the organisers, the booked meetings become theirs: they stay on the agendas,
    locked at their slot, and their bookings (which hold the tables) end, so the scheduler
    may seat them at other tables. The participants can no longer unbook them; the
    organisers cancel them on the event day. While the participants book, no scheduling run
    starts (`services.schedule_start`)."""
    require_organiser(actor, event)
    if booking not in Event.BookingMode.values:
        raise ValidationError({"booking": _("How meetings are set: choose one of the options.")})
    with transaction.atomic():
        before = event.booking
        event.booking = booking
        event.save(update_fields=["booking"])
        if booking == Event.BookingMode.ORGANISER:
            Booking.objects.filter(event=event).delete()  # their sides (BookedSlot) too
        audit_record(
            actor=actor, action="update", target=event, changes={"booking": [before, booking]}
        )
    return event


def _tell(actor, meeting, side, slots, *, cancelled: bool, slot: int | None = None) -> None:
    event = meeting.event
    other = meeting.requested if side.pk == meeting.requester_id else meeting.requester
    slot = meeting.slot if slot is None else slot

    def write() -> Message:
        names = {
            "other": bilingual(other.organisation, "name"),
            "event": bilingual(event, "title"),
            "when": slots[slot].starts.strftime("%Y-%m-%d %H:%M"),
            "table": meeting.table,
        }
        if cancelled:
            return Message(
                _("Meeting cancelled: %(other)s at %(event)s") % names,
                _("The meeting booked at %(when)s is cancelled; the slot is free again.") % names,
            )
        return Message(
            _("%(other)s booked a meeting with you at %(event)s") % names,
            _("%(when)s, table %(table)s. It is on your agenda.") % names,
        )

    notify(
        recipients=people_of(side),
        actor=actor,
        url=reverse("events:agenda", args=[event.pk, side.pk]),
        write=write,
    )
