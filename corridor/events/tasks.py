"""Background work for events: thin tasks that take ids. Services enqueue them with
transaction.on_commit.

Both may run again after their worker died (corridor/core/tasks.py): a scheduling run is
queued again by the reaper and solved from the start (its answer is written in one
transaction, so a dead worker left nothing half-written); the e-mails about moved meetings
are sent at least once (a worker killed while sending may leave some to be sent twice)."""

from django.utils import timezone
from django_tasks import task

from corridor.core.tasks import when_interrupted
from corridor.events import notifications, planning
from corridor.events.models import ScheduleRun


@task()
def schedule_event(run_id: int) -> int:
    return planning.run(run_id).pk


@when_interrupted(schedule_event)
def schedule_event_interrupted(run_id: int, *, attempts: int, gave_up: bool) -> None:
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


@task()
def notify_meetings_moved(request_ids: list[int]) -> int:
    return notifications.send_meetings_moved(request_ids)
