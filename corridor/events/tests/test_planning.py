"""What a scheduling run does beyond solving (corridor/events/planning.py and the task that
runs it): it tells the sides of the meetings it moved once the agendas are published, and
records what it wrote in the audit log."""

import pytest
from django.core import mail

from corridor.core.actors import SYSTEM
from corridor.core.audit import audit_entries_for, history
from corridor.events import planning, schedule_codes, services
from corridor.events.models import Interpreter, MeetingRequest, ScheduleRun
from corridor.events.scheduling import core as scheduling_core
from corridor.events.tests.test_pages import (  # noqa: F401 (fixtures)
    event,
    meeting,
    motorway,
    organiser,
    trade_office,
    vans,
)

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def blocked(settings, vans, meeting):  # noqa: F811
    """The meeting sits in slot 1 (unlocked), and Qingling Motors is no longer free then:
    the next run must move it."""
    settings.TASKS = IMMEDIATE
    services.meeting_lock(actor=SYSTEM, request=meeting, slot=0)
    services.meeting_lock(actor=SYSTEM, request=meeting, slot=None)
    services.participant_update(actor=SYSTEM, participant=vans, blocked_slots=[0])
    mail.outbox.clear()
    return meeting


def run_now(capture, event) -> ScheduleRun:  # noqa: F811
    """Start a run and let the (immediate) task solve it, as a worker would."""
    with capture(execute=True):
        run = services.schedule_start(actor=SYSTEM, event=event, time_limit=5)
    run.refresh_from_db()
    return run


def test_a_run_that_moves_a_meeting_on_published_agendas_tells_both_sides(
    django_capture_on_commit_callbacks,
    event,  # noqa: F811
    blocked,
):
    """The run returns what it moved; the task sends the e-mails (planning tells nobody)."""
    services.agendas_publish(actor=SYSTEM, event=event)

    run = run_now(django_capture_on_commit_callbacks, event)

    moved = MeetingRequest.objects.get(pk=blocked.pk)
    assert (run.status, run.moved) == (ScheduleRun.Status.DONE, 1)
    assert (moved.slot, moved.sequence) == (1, 1)
    assert sorted(email.to[0] for email in mail.outbox) == [
        "outsider@example.org",
        "owner@example.org",
    ]
    assert all(email.subject.startswith("Meeting moved: ") for email in mail.outbox)


def test_a_run_on_draft_agendas_tells_nobody(
    django_capture_on_commit_callbacks,
    event,  # noqa: F811
    blocked,
):
    run = run_now(django_capture_on_commit_callbacks, event)

    assert (run.status, run.moved) == (ScheduleRun.Status.DONE, 1)
    assert MeetingRequest.objects.get(pk=blocked.pk).slot == 1
    assert mail.outbox == []


def test_a_run_records_what_it_wrote_in_the_audit_log(
    django_capture_on_commit_callbacks,
    event,  # noqa: F811
    blocked,
):
    run = run_now(django_capture_on_commit_callbacks, event)

    entry = audit_entries_for(run).first()
    assert (entry.actor, entry.action) == (None, "update")
    assert entry.readable_summary() == (
        "Schedule written. Meetings placed: 1; not placed: 0; moved to another slot: 1; "
        "given a new table: 1; given a new interpreter: 0."
    )
    assert [row.who for row in history([entry], viewer=None)] == ["system"]


def test_a_run_that_fails_writes_no_meeting_and_no_audit_entry(
    django_capture_on_commit_callbacks,
    event,  # noqa: F811
    blocked,
):
    services.meeting_lock(actor=SYSTEM, request=blocked, slot=1)
    services.participant_update(actor=SYSTEM, participant=blocked.requested, blocked_slots=[1])

    run = run_now(django_capture_on_commit_callbacks, event)

    assert run.status == ScheduleRun.Status.FAILED
    assert [entry.action for entry in audit_entries_for(run)] == ["create"]


def test_every_code_the_solver_reports_has_words():
    """schedule_codes words the solver's codes without importing it: the table must follow."""
    codes = {
        value
        for name, value in vars(scheduling_core).items()
        if name.isupper() and isinstance(value, str) and value != scheduling_core.ANY
    }
    assert len(codes) == 21  # 17, and the four of meetings in order
    assert sorted(codes - set(schedule_codes.TEXTS)) == []
    assert schedule_codes.in_words("fixed_overlap") == "a side has two locked meetings in one slot"
    assert schedule_codes.in_words("a code from later") == "the scheduler could not place it"


def test_a_run_writes_the_interpreter_the_solver_chose(
    django_capture_on_commit_callbacks,
    monkeypatch,
    settings,
    event,  # noqa: F811
    meeting,  # noqa: F811
):
    """Qingling Motors (Chinese) meets Motorway Group (English): only the English–Chinese
    interpreter can serve them, and not in slot 0; the run writes the solver's choice."""
    settings.TASKS = IMMEDIATE
    Interpreter.objects.create(event=event, name_en="English–Malay", languages=["en", "ms"])
    chosen = Interpreter.objects.create(event=event, name_en="Both", blocked_slots=[0])
    answers = []
    solve = planning.scheduling.solve

    def spy(problem, on_progress=None):
        answers.append(solve(problem, on_progress))
        return answers[-1]

    monkeypatch.setattr(planning.scheduling, "solve", spy)
    run = run_now(django_capture_on_commit_callbacks, event)

    meeting.refresh_from_db()
    assert (run.status, run.optimal) == (ScheduleRun.Status.DONE, True)
    assert answers[0].interpreter_of == {str(meeting.pk): str(chosen.pk)}
    assert (meeting.interpreter, meeting.slot != 0) == (chosen, True)


def test_a_run_without_a_free_interpreter_for_a_pair_fails_with_the_reason(
    django_capture_on_commit_callbacks,
    settings,
    event,  # noqa: F811
    meeting,  # noqa: F811
):
    settings.TASKS = IMMEDIATE
    Interpreter.objects.create(event=event, name_en="English–Malay", languages=["en", "ms"])

    run = run_now(django_capture_on_commit_callbacks, event)

    assert run.status == ScheduleRun.Status.FAILED
    assert [error["code"] for error in run.errors] == ["no_interpreter"]
    assert schedule_codes.in_words("no_interpreter").startswith("the two sides share no")


def test_a_run_places_no_interpreted_meeting_where_the_only_interpreter_is_unavailable(
    django_capture_on_commit_callbacks,
    settings,
    event,  # noqa: F811
    meeting,  # noqa: F811
    organiser,  # noqa: F811
):
    """Qingling Motors (Chinese) meets Motorway Group (English): once the organisers mark the
    only interpreter unavailable in the meeting's slot, the next run moves it elsewhere."""
    settings.TASKS = IMMEDIATE
    only = services.interpreter_add(actor=organiser, event=event, name_en="Tan Mei")
    run_now(django_capture_on_commit_callbacks, event)
    meeting.refresh_from_db()
    first = meeting.slot
    assert (first, meeting.interpreter) != (None, None)

    services.interpreter_update(actor=organiser, interpreter=only, blocked_slots=[first])
    run = run_now(django_capture_on_commit_callbacks, event)

    meeting.refresh_from_db()
    assert run.status == ScheduleRun.Status.DONE
    assert meeting.slot not in (None, first)
    assert meeting.interpreter == only
