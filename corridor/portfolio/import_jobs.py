"""Small imports now, large ones in the background.

`start_import` reads the file: a small one is checked and written at once
(`import_store.run_import`); a large one is stored as a job and queued for a worker
(`tasks.import_projects`), which runs it once the job is committed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from corridor.accounts.models import Organisation
from corridor.portfolio import import_store, tasks
from corridor.portfolio.imports import ImportFileError, ImportReport, parse_file
from corridor.portfolio.models import ImportJob


@dataclass
class ImportStart:
    """Either the report of an import that ran at once, or the job of a queued one."""

    report: ImportReport | None = None
    job: ImportJob | None = None


def start_import(
    *, actor, name: str, content: bytes, owner: Organisation | None = None
) -> ImportStart:
    """Run a small import now; store a large file and queue it as a background task."""
    try:
        rows = parse_file(name, content)
    except ImportFileError as exc:
        return ImportStart(report=ImportReport(file_name=name, errors=exc.errors))
    if len(rows) <= settings.IMPORT_BACKGROUND_ROWS:
        return ImportStart(report=import_store.import_rows(name, rows, actor=actor, owner=owner))
    return ImportStart(
        job=import_job_create(
            actor=actor, owner=owner, name=name, content=content, rows_total=len(rows)
        )
    )


def import_job_create(
    *, actor, owner: Organisation | None, name: str, content: bytes, rows_total: int
) -> ImportJob:
    """Store the file and its job, and enqueue the import once the job is committed."""
    with transaction.atomic():
        job = import_store.import_job_store(
            actor=actor, owner=owner, name=name, content=content, rows_total=rows_total
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: uuid.UUID) -> None:
    result = tasks.import_projects.enqueue(str(job_id))
    import_store.import_job_task_set(job_id, str(result.id))
