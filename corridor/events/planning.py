"""The Django side of the scheduler: build a `scheduling.Problem` from an event, run it, and
write the answer back (slots, tables, interpreters, calendar sequences), reporting progress
on the `ScheduleRun` as the solver improves. It tells nobody: `solve_run` returns the
meetings whose sides should hear that they moved, and the task (tasks.py) sends the e-mails.

Only accepted meetings are scheduled: a pending request blocks no slot. A locked meeting is
a fixed meeting for the solver. Each session's first slot counts as a day start, so the
lunch break or the night between two days is never counted as a participant's idle break.

Interpreters are part of the problem: a meeting whose sides share no working language takes
a slot where one of the event's interpreters who speaks a language of each side is free,
and the run writes the interpreter the solver chose. An event that lists no interpreters
provides none: its meetings are then scheduled without (the agendas say "interpreter
needed"), rather than every meeting across languages being refused.

Meetings in order (`MeetingPrecedence`) between accepted meetings become the problem's
precedences; a run the precedences make impossible stores, per error, the meetings that
must come first (`others`) and the participant's usable slots before (`count`).
"""

import threading
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from corridor.core.actors import SYSTEM
from corridor.core.audit import audit_record
from corridor.events import scheduling
from corridor.events.models import Event, MeetingRequest, Participant, ScheduleRun


def build_problem(event: Event, *, mode: str, time_limit: float) -> tuple:
    """(problem, meetings by key, participants by key, slots)."""
    slots = event.slots()
    participants = {
        str(p.pk): p
        for p in event.participants.exclude(status=Participant.Status.CANCELLED).select_related(
            "organisation"
        )
    }
    meetings = {
        str(m.pk): m
        for m in event.requests.filter(status=MeetingRequest.Status.ACCEPTED).select_related(
            "requester", "requested"
        )
    }
    interpreters = list(event.interpreters.all())
    sessions: dict[str, set[int]] = {}
    day_starts = set()
    previous_session = None
    for slot in slots:
        sessions.setdefault(slot.session.part, set()).add(slot.index)
        if slot.session.pk != previous_session:
            day_starts.add(slot.index)
            previous_session = slot.session.pk
    problem = scheduling.Problem(
        participants=tuple(participants),
        slots=len(slots),
        tables=event.tables,
        meetings=tuple(
            scheduling.Meeting(
                key=key,
                a=str(m.requester_id),
                b=str(m.requested_id),
                weight=m.weight,
                fixed_slot=m.slot if m.locked else None,
            )
            for key, m in meetings.items()
        ),
        sessions={name: frozenset(indexes) for name, indexes in sessions.items()},
        day_starts=frozenset(day_starts),
        forbidden=_forbidden(event, participants, slots),
        fairness=event.fairness,
        mode=mode,
        previous={key: m.slot for key, m in meetings.items() if m.slot is not None} or None,
        time_limit=float(time_limit),
        languages={
            key: frozenset(p.languages or []) for key, p in participants.items() if p.languages
        }
        if interpreters
        else {},
        interpreters=tuple(
            scheduling.Interpreter(
                key=str(i.pk),
                languages=frozenset(i.languages or []),
                unavailable=frozenset(i.blocked_slots or []),
            )
            for i in interpreters
        ),
        previous_interpreter={
            key: str(m.interpreter_id) for key, m in meetings.items() if m.interpreter_id
        }
        or None,
        # meetings in order: only between accepted meetings (a cancelled first meeting
        # no longer holds the second back)
        precedences=tuple(
            (str(before), str(after))
            for before, after in event.precedences.values_list("before_id", "after_id")
            if str(before) in meetings and str(after) in meetings
        ),
    )
    return problem, meetings, participants, slots


def _forbidden(event: Event, participants: dict, slots: list) -> dict[str, frozenset[int]]:
    """Each participant's unavailable slots, and the rest of a day they were marked absent
    (events/replan.py): a later run does not put their meetings back there."""
    forbidden = {key: set(p.blocked_slots or []) for key, p in participants.items()}
    for absence in event.absences.all():
        forbidden.setdefault(str(absence.participant_id), set()).update(
            s.index
            for s in slots
            if s.session.date == absence.date and s.index >= absence.from_slot
        )
    return {key: frozenset(found) for key, found in forbidden.items() if found}


@dataclass(frozen=True)
class Solved:
    """A run after solving, and the meetings it moved once the agendas were published: their
    sides are to be told (empty while the agendas are drafts)."""

    run: ScheduleRun
    to_tell: list[int] = field(default_factory=list)


def solve_run(run_id: int) -> Solved:
    """Solve one queued run and write the schedule (the background task calls this)."""
    run = ScheduleRun.objects.select_related("event").get(pk=run_id)
    if (
        run.status != ScheduleRun.Status.QUEUED
    ):  # already solved (or being solved): a repeated task does nothing
        return Solved(run)
    run.status, run.started_at = ScheduleRun.Status.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        moved = _solve(run)
    except Exception as exc:  # a crash must not leave the run "running" for ever
        run.status, run.finished_at = ScheduleRun.Status.FAILED, timezone.now()
        run.errors = [{"code": "crash", "detail": str(exc)[:500]}]
        run.save()
        raise
    return Solved(run, moved if run.event.agenda_published_at else [])


def run(run_id: int) -> ScheduleRun:
    """`solve_run` in-process, telling nobody (the demo loader, tests)."""
    return solve_run(run_id).run


def run_interrupted(run_id: int, *, attempts: int, gave_up: bool) -> None:
    """The worker solving this run died: the run waits for the next worker, or, after the
    last attempt, failed (the page says how many times)."""
    run = ScheduleRun.objects.filter(pk=run_id, status__in=ScheduleRun.UNDER_WAY)
    if gave_up:
        run.update(
            status=ScheduleRun.Status.FAILED,
            finished_at=timezone.now(),
            interruptions=attempts,
            errors=[{"code": "worker_lost"}],
        )
    else:
        run.update(status=ScheduleRun.Status.QUEUED, started_at=None, interruptions=attempts)


def _solve(run: ScheduleRun) -> list[int]:
    event = run.event
    problem, meetings, participants, slots = build_problem(
        event, mode=run.mode, time_limit=run.time_limit
    )
    last_report = [0.0]
    own_thread = threading.get_ident()

    def progress(schedule: scheduling.Schedule) -> None:
        now = time.monotonic()
        if now - last_report[0] < 0.5:  # a row update per half second is enough for the page
            return
        if threading.get_ident() != own_thread:  # a solver's own thread: no database there
            return
        last_report[0] = now
        ScheduleRun.objects.filter(pk=run.pk).update(
            placed=len(schedule.slot_of),
            breaks=schedule.breaks,
            bound=schedule.bound,
            weight=schedule.weight,
        )

    schedule = scheduling.solve(problem, on_progress=progress)
    return apply(run, problem, schedule, meetings, participants)


def apply(run: ScheduleRun, problem, schedule, meetings: dict, participants: dict) -> list[int]:
    """Write the answer: new slots (a moved meeting's calendar sequence grows), tables,
    interpreters, reasons for what was not placed, and one audit entry on the run saying
    what changed. Returns the meetings that left their slot.

    The write stays here rather than in services.py: it is the system carrying out what an
    organiser asked (services.schedule_start checked and recorded that), and planning
    calling services would close the circle services → tasks → planning again."""
    event = run.event
    run.finished_at = timezone.now()
    run.seconds = schedule.seconds
    run.errors = [
        {
            "code": e.code,
            "meeting": e.meeting,
            "participant": e.participant,
            "slot": e.slot,
            **({"others": list(e.others), "count": e.count} if e.others else {}),
        }
        for e in schedule.errors
    ]
    if schedule.status in ("invalid", "infeasible"):
        run.status = ScheduleRun.Status.FAILED
        run.unplaced = dict(schedule.unplaced)
        run.save()
        return []
    host_table = {
        key: p.fixed_table - 1 for key, p in participants.items() if p.fixed_table is not None
    }
    tables = scheduling.assign_tables(problem, schedule.slot_of, host_table)
    moved, new_table, new_interpreter = [], 0, 0
    with transaction.atomic():
        interpreters = {str(i.pk): i for i in event.interpreters.all()}
        changed = []
        for key, meeting in meetings.items():
            before = (meeting.slot, meeting.table, meeting.unplaced_reason, meeting.interpreter_id)
            slot = schedule.slot_of.get(key)
            if meeting.slot is not None and meeting.slot != slot:
                meeting.sequence += 1
                moved.append(meeting.pk)
            meeting.slot = slot
            meeting.table = tables.get(key, -1) + 1 if slot is not None else None
            meeting.unplaced_reason = schedule.unplaced.get(key, "") if slot is None else ""
            meeting.interpreter = interpreters.get(schedule.interpreter_of.get(key, ""))
            after = (meeting.slot, meeting.table, meeting.unplaced_reason, meeting.interpreter_id)
            if after[1] is not None and after[1] != before[1]:
                new_table += 1
            if after[3] is not None and after[3] != before[3]:
                new_interpreter += 1
            if after != before:
                # a system write: it raises the version (in the database, not from what was
                # loaded before solving) without checking it, so that a person editing the
                # meeting from the version before the run is told it changed
                meeting.version = F("version") + 1
                changed.append(meeting)
        MeetingRequest.objects.bulk_update(
            changed,
            ["slot", "table", "unplaced_reason", "interpreter", "sequence", "version"],
        )
        run.status = ScheduleRun.Status.DONE
        run.placed = len(schedule.slot_of)
        run.unplaced = dict(schedule.unplaced)
        run.breaks = schedule.breaks
        run.bound = schedule.bound
        run.optimal = schedule.optimal
        run.weight = schedule.weight
        run.moved = len(moved)
        run.save()
        audit_record(
            actor=SYSTEM,
            action="update",
            target=run,
            summary=gettext_noop(
                "Schedule written. Meetings placed: %(placed)s; not placed: %(unplaced)s; "
                "moved to another slot: %(moved)s; given a new table: %(tables)s; given a "
                "new interpreter: %(interpreters)s."
            ),
            summary_params={
                "placed": run.placed,
                "unplaced": len(run.unplaced),
                "moved": run.moved,
                "tables": new_table,
                "interpreters": new_interpreter,
            },
        )
    return moved
