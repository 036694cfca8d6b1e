"""Background work for the portfolio: thin tasks that take ids and call a service.

An import may run again after its worker died (corridor/core/tasks.py): it checks every row
again and writes in short chunks; rows already written by an earlier attempt are found by
their (required) external id and counted unchanged, so a repeat writes nothing twice."""

from django.utils import timezone, translation
from django.utils.translation import ngettext
from django_tasks import task

from corridor.core.tasks import when_interrupted
from corridor.portfolio import imports, notifications
from corridor.portfolio.models import ImportJob

RUNNING = [ImportJob.Status.QUEUED, ImportJob.Status.CHECKING, ImportJob.Status.WRITING]


@task()
def import_projects(job_id: str) -> dict:
    """Run a large project import queued by `imports.import_job_create`."""
    return imports.import_job_run(job_id)


@when_interrupted(import_projects)
def import_projects_interrupted(job_id: str, *, attempts: int, gave_up: bool) -> None:
    """The worker running this import died: the job waits for the next worker (its page
    says it was interrupted and retried), or, after the last attempt, failed."""
    job = ImportJob.objects.filter(pk=job_id, status__in=RUNNING).first()
    if job is None:
        return
    if not gave_up:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.QUEUED, rows_done=0, report={"interrupted": attempts}
        )
        return
    with translation.override(job.language):
        failure = ngettext(
            "The background worker running this import stopped, and the import failed after "
            "%(attempts)d attempt.",
            "The background worker running this import stopped each time, and the import "
            "failed after %(attempts)d attempts.",
            attempts,
        ) % {"attempts": attempts}
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED,
        finished_at=timezone.now(),
        report={"failure": failure, "interrupted": attempts},
    )


@task()
def notify_revision_decided(revision_id: int) -> int:
    """Tell the author of a proposed change that it was published or rejected."""
    return notifications.send_revision_decided(revision_id)
