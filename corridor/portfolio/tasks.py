"""Background work for the portfolio: thin tasks that take ids and call a service."""

from django_tasks import task

from corridor.portfolio import imports, notifications


@task()
def import_projects(job_id: str) -> dict:
    """Run a large project import queued by `imports.import_job_create`."""
    return imports.import_job_run(job_id)


@task()
def notify_revision_decided(revision_id: int) -> int:
    """Tell the author of a proposed change that it was published or rejected."""
    return notifications.send_revision_decided(revision_id)
