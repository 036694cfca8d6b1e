"""Background work for events: thin tasks that take ids. Services enqueue them with
transaction.on_commit.

Both may run again after their worker died (corridor/core/tasks.py): a scheduling run is
queued again by the reaper and solved from the start (its answer is written in one
transaction, so a dead worker left nothing half-written); the e-mails about moved meetings
are sent at least once (a worker killed while sending may leave some to be sent twice)."""

from functools import partial

from django.db import transaction
from django_tasks import task

from corridor.core.tasks import when_interrupted
from corridor.events import notifications, planning


@task()
def notify_meetings_moved(request_ids: list[int]) -> int:
    return notifications.send_meetings_moved(request_ids)


@task()
def schedule_event(run_id: int) -> int:
    """Solve the run; then tell the sides of the meetings it moved on published agendas."""
    solved = planning.solve_run(run_id)
    if solved.to_tell:
        transaction.on_commit(partial(notify_meetings_moved.enqueue, solved.to_tell))
    return solved.run.pk


@when_interrupted(schedule_event)
def schedule_event_interrupted(run_id: int, *, attempts: int, gave_up: bool) -> None:
    planning.run_interrupted(run_id, attempts=attempts, gave_up=gave_up)
