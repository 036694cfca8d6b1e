"""What a scheduling run does beyond solving (corridor/events/planning.py and the task that
runs it): it tells the sides of the meetings it moved once the agendas are published, and
records what it wrote in the audit log."""

import pytest
from django.core import mail

from corridor.events import services
from corridor.events.models import MeetingRequest, ScheduleRun
from corridor.events.tests.test_pages import (  # noqa: F401 (fixtures)
    event,
    meeting,
    motorway,
    trade_office,
    vans,
)

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def blocked(settings, vans, meeting):  # noqa: F811
    """The meeting sits in slot 1 (unlocked), and Qingling Motors is no longer free then:
    the next run must move it."""
    settings.TASKS = IMMEDIATE
    services.meeting_lock(actor=None, request=meeting, slot=0)
    services.meeting_lock(actor=None, request=meeting, slot=None)
    services.participant_update(actor=None, participant=vans, blocked_slots=[0])
    mail.outbox.clear()
    return meeting


def run_now(capture, event) -> ScheduleRun:  # noqa: F811
    """Start a run and let the (immediate) task solve it, as a worker would."""
    with capture(execute=True):
        run = services.schedule_start(actor=None, event=event, time_limit=5)
    run.refresh_from_db()
    return run


def test_a_run_that_moves_a_meeting_on_published_agendas_tells_both_sides(
    django_capture_on_commit_callbacks,
    event,  # noqa: F811
    blocked,
):
    """The run returns what it moved; the task sends the e-mails (planning tells nobody)."""
    services.agendas_publish(actor=None, event=event)

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
