"""Background work for events: thin tasks that take ids. Services enqueue them with
transaction.on_commit."""

from django_tasks import task

from corridor.events import notifications, planning


@task()
def schedule_event(run_id: int) -> int:
    return planning.run(run_id).pk


@task()
def notify_meetings_moved(request_ids: list[int]) -> int:
    return notifications.send_meetings_moved(request_ids)
