"""Background work for the portfolio: thin tasks that take ids and call a service.

An import may run again after its worker died (corridor/core/tasks.py): it checks every row
again and writes in short chunks; rows already written by an earlier attempt are found by
their (required) external id and counted unchanged, so a repeat writes nothing twice."""

from django_tasks import task

from corridor.core.tasks import when_interrupted
from corridor.portfolio import import_store, notifications


@task()
def import_projects(job_id: str) -> dict:
    """Run a large project import queued by `import_jobs.import_job_create`."""
    return import_store.import_job_run(job_id)


@when_interrupted(import_projects)
def import_projects_interrupted(job_id: str, *, attempts: int, gave_up: bool) -> None:
    """The worker running this import died: the job waits for the next worker, or, after
    the last attempt, failed."""
    import_store.import_job_interrupted(job_id, attempts=attempts, gave_up=gave_up)


# The revision e-mail's task lives in notifications.py (services enqueue it); tasks queued
# before it moved name it here, so the name stays.
notify_revision_decided = notifications.notify_revision_decided
