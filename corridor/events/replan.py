"""The event day: an organiser marks a participant absent (for the rest of the day) or
cancels a meeting, and the rest of the day is re-planned with as little change as possible
(the pure model is `scheduling/replan.py`).

What counts as the past: a slot that has started (`now`, injectable for tests). Its meetings
were held or are under way: they stay as they are, and nothing is moved into it. An absence
covers the remaining slots of the current (or next) event day.

The re-plan keeps the most placed weight first (a freed slot goes to the waiting request of
highest priority, as the scheduler's mode "max"), then moves the fewest meetings; a moved
meeting's calendar SEQUENCE grows, unmoved meetings keep their table. Everyone whose agenda
changed is told once (in-app, and by e-mail in their language once the write commits), and
the event's history gets one audit entry per re-plan. `preview` answers the same question
without writing, for the confirmation page ("who will be told").

The writes are services (permission, validation, one transaction, audit, notify); they live
here rather than in services.py because they own the re-plan they carry out.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from corridor.accounts.notifications import Message, notify
from corridor.core.actors import is_system
from corridor.core.audit import audit_record
from corridor.core.bilingual import bilingual
from corridor.core.unique import unique_or_raise
from corridor.events import clock, planning
from corridor.events.models import Absence, Booking, Event, MeetingRequest, Participant, Slot
from corridor.events.notifications import people_of
from corridor.events.permissions import require_organiser
from corridor.events.scheduling.replan import Replanned
from corridor.events.scheduling.replan import replan as solve_replan

TIME_LIMIT = 10.0  # seconds for the MIP; the demo event's re-plan takes well under one


@dataclass
class Change:
    """One meeting whose agenda entry changes: slot numbers before and after (None: none)."""

    meeting: MeetingRequest
    before: int | None
    after: int | None
    table: int | None = None
    cancelled: bool = False


@dataclass
class Plan:
    """What a re-plan does: the changed meetings and the participants who are told."""

    changes: list[Change] = field(default_factory=list)
    optimal: bool = False
    absence_from: int | None = None  # an absence: the first slot it covers
    result: Replanned | None = None

    @property
    def moved(self) -> list[Change]:
        """Meetings that had a slot and now have another or none (cancelled ones aside)."""
        return [c for c in self.changes if not c.cancelled and c.before is not None]

    @property
    def placed(self) -> list[Change]:
        """Waiting meetings that got a freed slot."""
        return [c for c in self.changes if c.before is None and c.after is not None]

    @property
    def told(self) -> list[Participant]:
        """Both sides of every changed meeting, once each, by name."""
        people: dict[int, Participant] = {}
        for change in self.changes:
            for side in (change.meeting.requester, change.meeting.requested):
                people[side.pk] = side
        return sorted(people.values(), key=lambda p: str(p.organisation))


def started_slots(slots: list[Slot], now: datetime) -> set[int]:
    return {slot.index for slot in slots if slot.starts_at <= now}


def absence_slots(slots: list[Slot], now: datetime) -> list[int]:
    """The slots an absence marked now covers: the rest of the current (or next) event day."""
    ahead = [slot for slot in slots if slot.starts_at > now]
    if not ahead:
        return []
    day = ahead[0].session.date
    return [slot.index for slot in ahead if slot.session.date == day]


def _now(now: datetime | None) -> datetime:
    return now or clock.now()


def _plan(
    event: Event,
    *,
    now: datetime,
    absent: Participant | None = None,
    cancel: MeetingRequest | None = None,
) -> tuple[Plan, dict[str, MeetingRequest]]:
    """Solve the re-plan of what has not started (nothing written)."""
    problem, meetings, participants, slots = planning.build_problem(
        event, mode="max", time_limit=TIME_LIMIT
    )
    past = started_slots(slots, now)
    forbidden = defaultdict(set)
    for key, slots_of in problem.forbidden.items():
        forbidden[key] |= slots_of
    plan = Plan()
    if absent is not None:
        covered = absence_slots(slots, now)
        plan.absence_from = covered[0] if covered else None
        forbidden[str(absent.pk)] |= set(covered)
    for key in participants:
        forbidden[key] |= past
    open_meetings = {
        key: m
        for key, m in meetings.items()
        if (cancel is None or m.pk != cancel.pk) and not (m.slot is not None and m.slot in past)
    }
    problem = replace(
        problem,
        meetings=tuple(m for m in problem.meetings if m.key in open_meetings),
        forbidden={key: frozenset(s) for key, s in forbidden.items() if s},
        previous={k: m.slot for k, m in open_meetings.items() if m.slot is not None} or None,
        fairness=None,
    )
    host_table = {
        key: p.fixed_table - 1 for key, p in participants.items() if p.fixed_table is not None
    }
    previous_table = {
        k: m.table - 1 for k, m in open_meetings.items() if m.slot is not None and m.table
    }
    result = solve_replan(problem, previous_table=previous_table, host_table=host_table)
    plan.optimal = result.optimal
    if cancel is not None:
        plan.changes.append(Change(cancel, cancel.slot, None, cancelled=True))
    for key, meeting in open_meetings.items():
        after = result.schedule.slot_of.get(key)
        if after != meeting.slot:
            table = result.table_of[key] + 1 if after is not None else None
            plan.changes.append(Change(meeting, meeting.slot, after, table))
    plan.result = result
    return plan, open_meetings


def preview(
    event: Event,
    *,
    actor,
    now: datetime | None = None,
    absent: Participant | None = None,
    cancel: MeetingRequest | None = None,
) -> Plan:
    """What marking `absent` or cancelling `cancel` would change (the confirmation page)."""
    require_organiser(actor, event)
    now = _now(now)
    _check(event, now, absent=absent, cancel=cancel)
    return _plan(event, now=now, absent=absent, cancel=cancel)[0]


def _check(event, now, *, absent=None, cancel=None) -> None:
    slots = event.slots()
    if absent is not None:
        if absent.event_id != event.pk or absent.status == Participant.Status.CANCELLED:
            raise ValidationError(
                {"participant": _("Participant: only a registered participant can be absent.")}
            )
        covered = absence_slots(slots, now)
        if not covered:
            raise ValidationError(
                {"participant": _("The event is over: there is nothing left to re-plan.")}
            )
        day = slots[covered[0]].session.date
        if Absence.objects.filter(participant=absent, date=day).exists():
            raise ValidationError(
                {"participant": _("This participant is already marked absent for the day.")}
            )
    if cancel is not None:
        if cancel.event_id != event.pk or cancel.status != MeetingRequest.Status.ACCEPTED:
            raise ValidationError(
                {"meeting": _("Meeting: only an accepted meeting can be cancelled here.")}
            )
        if cancel.slot is not None and cancel.slot in started_slots(slots, now):
            raise ValidationError(
                {"meeting": _("Meeting: it has already started, so it cannot be cancelled.")}
            )


def participant_mark_absent(
    *, actor, participant: Participant, now: datetime | None = None
) -> Plan:
    """The participant is absent for the rest of the day: their remaining meetings of the
    day are freed (moved to a later day when one fits) and the day re-planned."""
    event = participant.event
    require_organiser(actor, event)
    return _carry_out(event, actor=actor, now=_now(now), absent=participant)


def meeting_cancel(*, actor, meeting: MeetingRequest, now: datetime | None = None) -> Plan:
    """The organisers cancel a meeting that has not started; its slot may go to a waiting
    request."""
    event = meeting.event
    require_organiser(actor, event)
    return _carry_out(event, actor=actor, now=_now(now), cancel=meeting)


def _carry_out(event: Event, *, actor, now, absent=None, cancel=None) -> Plan:
    with transaction.atomic():
        # one re-plan at a time per event: the second waits, then plans on the first's result
        event = Event.objects.select_for_update().get(pk=event.pk)
        if cancel is not None:
            cancel = MeetingRequest.objects.select_related(
                "requester__organisation", "requested__organisation"
            ).get(pk=cancel.pk)
        if absent is not None:
            absent = Participant.objects.select_related("organisation").get(pk=absent.pk)
        _check(event, now, absent=absent, cancel=cancel)
        plan, open_meetings = _plan(event, now=now, absent=absent, cancel=cancel)
        if absent is not None:
            _record_absence(event, absent, actor, now, plan.absence_from)
        if cancel is not None:
            cancel.set_cancelled()
            cancel.save()
            Booking.objects.filter(meeting=cancel).delete()
        _write(event, plan, open_meetings)
        _audit(event, actor, plan, absent=absent, cancel=cancel)
        _tell(event, actor, plan)
    return plan


def _record_absence(event, participant, actor, now, from_slot) -> None:
    slots = event.slots()
    already = ValidationError(
        {"participant": _("This participant is already marked absent for the day.")}
    )
    with unique_or_raise(already):
        Absence.objects.create(
            event=event,
            participant=participant,
            date=slots[from_slot].session.date,
            from_slot=from_slot,
            marked_by=None if is_system(actor) else actor,
            marked_at=now,
        )


def _write(event: Event, plan: Plan, open_meetings: dict[str, MeetingRequest]) -> None:
    result = plan.result
    interpreters = {str(i.pk): i for i in event.interpreters.all()}
    changed = []
    for key, meeting in open_meetings.items():
        slot = result.schedule.slot_of.get(key)
        table = result.table_of[key] + 1 if slot is not None else None
        interpreter = interpreters.get(result.schedule.interpreter_of.get(key, ""))
        reason = result.schedule.unplaced.get(key, "") if slot is None else ""
        before = (meeting.slot, meeting.table, meeting.interpreter_id, meeting.unplaced_reason)
        after = (slot, table, interpreter.pk if interpreter else None, reason)
        if before == after:
            continue
        if meeting.slot is not None and meeting.slot != slot:
            meeting.sequence += 1
        meeting.slot, meeting.table, meeting.interpreter = slot, table, interpreter
        meeting.unplaced_reason = reason
        if slot is None:
            meeting.locked = False  # a booked or locked meeting of an absent participant
        meeting.version = F("version") + 1
        changed.append(meeting)
    MeetingRequest.objects.bulk_update(
        changed,
        ["slot", "table", "interpreter", "unplaced_reason", "sequence", "locked", "version"],
    )
    freed = [m.pk for m in changed if m.slot is None]
    Booking.objects.filter(meeting_id__in=freed).delete()


def _audit(event, actor, plan: Plan, *, absent, cancel) -> None:
    params = {
        "moved": len(plan.moved),
        "placed": len(plan.placed),
        "told": len(plan.told),
    }
    if absent is not None:
        summary = gettext_noop(
            "%(name)s marked absent for the rest of the day; re-planned: meetings moved or "
            "freed: %(moved)s; waiting meetings placed: %(placed)s; participants told: %(told)s."
        )
        params["name"] = str(absent.organisation)
    else:
        summary = gettext_noop(
            "Meeting of %(first)s and %(second)s cancelled; re-planned: meetings moved or "
            "freed: %(moved)s; waiting meetings placed: %(placed)s; participants told: %(told)s."
        )
        params["first"] = str(cancel.requester.organisation)
        params["second"] = str(cancel.requested.organisation)
    audit_record(actor=actor, action="update", target=event, summary=summary, summary_params=params)


def _line(event: Event, slots: list[Slot], change: Change, side: Participant) -> str:
    meeting = change.meeting
    other = meeting.requested if side.pk == meeting.requester_id else meeting.requester
    names = {"other": bilingual(other.organisation, "name")}
    if change.cancelled:
        return _("Your meeting with %(other)s is cancelled.") % names
    if change.after is None:
        return (
            _("Your meeting with %(other)s is no longer on the agenda; it waits for a free slot.")
            % names
        )
    return _("Your meeting with %(other)s: now %(when)s, table %(table)s.") % {
        **names,
        "when": slots[change.after].starts.strftime("%Y-%m-%d %H:%M"),
        "table": change.table,
    }


def _tell(event: Event, actor, plan: Plan) -> None:
    """One notification per participant whose agenda changed, listing their changes."""
    slots = event.slots()
    of_side: dict[int, list[Change]] = defaultdict(list)
    for change in plan.changes:
        for side in (change.meeting.requester, change.meeting.requested):
            of_side[side.pk].append(change)
    sides = {p.pk: p for p in plan.told}
    for pk, changes in of_side.items():
        side = sides[pk]

        def write(side=side, changes=changes) -> Message:
            subject = _("Your agenda at %(event)s changed") % {"event": bilingual(event, "title")}
            lines = [_line(event, slots, change, side) for change in changes]
            lines.append(_("Your calendar file updates these meetings in place."))
            return Message(subject, "\n".join(lines))

        notify(
            recipients=people_of(side),
            actor=actor,
            url=reverse("events:agenda", args=[event.pk, side.pk]),
            write=write,
        )
