"""Storing an import: the checked rows written in bulk, and the import jobs' rows.

`imports.py` reads and checks a file; this module writes it. When all rows are good they
are written in bulk, in short transactions of a chunk of rows each (so that nobody else's
write waits long, even on SQLite), with the same derived values, status changes and audit
entries as `services.project_create` / `services.project_update`; a chunk that fails undoes
the chunks before it, so an import writes all rows or none (see "writing" below).

    run_import(actor=, name=, content=) -> ImportReport
    import_job_store(...)          -> ImportJob          (the stored file, queued)
    import_job_run(job_id)         -> dict               (what the task runs)
    import_job_interrupted(job_id, attempts=, gave_up=)  (its worker died)

An import job's rows are written here only: its progress, its end, its report. A job is
bookkeeping of what one person asked for; the projects it writes carry their own audit
entries (action "import").
"""

from __future__ import annotations

import gc
import hashlib
import re
import time
import uuid
from bisect import bisect_right
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePath
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from corridor.accounts.models import Organisation
from corridor.core.actors import is_system, person_of
from corridor.core.audit import diff, snapshot
from corridor.core.models import AuditEntry, FxRate
from corridor.core.money import CENT
from corridor.portfolio import services
from corridor.portfolio.imports import (
    FIELD_TO_COLUMN,
    ImportFileError,
    ImportReport,
    PlannedRow,
    RowError,
    RowInput,
    check_rows,
    default_owner,
    in_chunks,
    parse_file,
)
from corridor.portfolio.models import ImportJob, Project, ProjectParty, ProjectStatusChange

# --- writing -----------------------------------------------------------------------------------
#
# Every row was checked, outside any transaction, before anything is written. The rows are then
# written a chunk of WRITE_CHUNK rows at a time (framework agreements in earlier chunks than
# their sub-projects). A chunk is prepared outside any transaction: the projects it updates are
# read, every value is derived as services.project_create / project_update derive it (US
# dollars at the dated rate, counted value, side, status history, audit entry), primary keys
# are reserved (_reserve_ids), and each table's rows become one prepared INSERT or UPDATE.
# The chunk's transaction then only runs those statements, after checking that nobody changed
# the projects it updates since they were read, so it holds the database for milliseconds.
# On SQLite, where a writer locks the whole database, the import also leaves SQLITE_PAUSE
# seconds between two chunks: SQLite's busy handler retries a waiting writer at most every
# 100 ms, so every other write (a login, a form) gets its turn within about one chunk.
#
# All rows or none: each chunk notes what it did (the projects it created; the rows, parties
# and counted values it changed, as they were before; the status changes and audit entries it
# added); when a later chunk fails (someone saved a project with the same external id or
# changed one of the file's projects meanwhile, or the database refused) the chunks already
# written are undone and the report says that nothing was written. Between the first and the
# last chunk other people can see the projects written so far; a process killed mid-way (not
# an exception) leaves the chunks it wrote, with the job showing how many rows were written.

WRITE_CHUNK = 2000
SQLITE_PAUSE = 0.1

# The project's own fields a row sets (its sector, framework agreement and parties aside).
_COMPARED_FIELDS = (
    "title_en title_zh description_en description_zh kind status value currency signed_on "
    "location_en location_zh source_url is_synthetic"
).split()
_WRITTEN_FIELDS = [*_COMPARED_FIELDS, "sector"]


def _is_unchanged(project: Project, clean: dict, parties: list | None) -> bool:
    if any(getattr(project, name) != clean[name] for name in _COMPARED_FIELDS):
        return False
    if project.sector_id != clean["sector"].pk:
        return False
    parent_id = project.parent.external_id if project.parent_id else ""
    if parent_id != clean["parent_external_id"]:
        return False
    if parties is not None:
        current = set(project.current_parties)
        wanted = {(p.organisation.pk, p.role) for p in parties}
        if current != wanted:
            return False
    return True


def _messages(exc: Exception) -> list[tuple[str, str]]:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [
            (FIELD_TO_COLUMN.get(name, name), str(message))
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    if isinstance(exc, ValidationError):
        return [("", str(m)) for m in exc.messages]
    return [("", str(exc))]


class _WriteFailed(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(errors)
        self.errors = errors


class _Rates:
    """The dated exchange rates of the file's currencies, read once (see core/money.py:
    the rate used is the latest on or before the signing date, or today)."""

    def __init__(self, currencies: set[str]):
        self.rates: dict[str, list[FxRate]] = {}
        for rate in FxRate.objects.filter(currency__in=sorted(currencies)).order_by("date"):
            self.rates.setdefault(rate.currency, []).append(rate)
        self.dates = {c: [r.date for r in rates] for c, rates in self.rates.items()}

    def apply(self, project: Project, today: date) -> None:
        project.value_usd = None
        project.fx_rate_id = None
        if project.value is None or not project.currency:
            return
        currency = project.currency.upper()
        if currency == "USD":
            project.value_usd = project.value.quantize(CENT, ROUND_HALF_UP)
            return
        position = bisect_right(self.dates.get(currency, []), project.signed_on or today) - 1
        if position < 0:
            return
        rate = self.rates[currency][position]
        project.value_usd = (project.value * rate.usd_per_unit).quantize(CENT, ROUND_HALF_UP)
        project.fx_rate_id = rate.pk


@dataclass
class _Undo:
    """What the chunks written so far did, to undo them when a later chunk fails."""

    created: list[int] = field(default_factory=list)
    rows_before: list[dict] = field(default_factory=list)
    parties_before: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    counted_before: dict[int, Decimal | None] = field(default_factory=dict)
    status_changes: list[int] = field(default_factory=list)
    audit_entries: list[int] = field(default_factory=list)

    def add(self, other: _Undo) -> None:
        self.created += other.created
        self.rows_before += other.rows_before
        self.parties_before.update(other.parties_before)
        for pk, value in other.counted_before.items():
            self.counted_before.setdefault(pk, value)
        self.status_changes += other.status_changes
        self.audit_entries += other.audit_entries


def _reserve_ids(model, count: int) -> list[int]:
    """`count` primary keys that no other row will take, reserved in a moment: PostgreSQL
    hands them out from the table's sequence; on SQLite the table's AUTOINCREMENT counter is
    moved past them in a transaction of its own."""
    if not count:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(connection.vendor)
        quote = connection.ops.quote_name
        with transaction.atomic():
            cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")
            highest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(highest, row[0] if row else 0)
            if row:
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + count, table]
                )
            else:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                    [table, start + count],
                )
        return list(range(start + 1, start + count + 1))


@dataclass
class _Statement:
    sql: str
    params: list[list]


def _insert(model, rows: list, *, with_pk: bool = True) -> _Statement | None:
    """An INSERT of `rows` of `model`, each a plain object with the model's attribute names
    (a field it lacks takes its default), its values prepared for the database now, so that
    the write transaction only runs it. Plain objects, not model instances: building 100,000
    instances costs more than the whole write."""
    if not rows:
        return None
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    database = connections[DEFAULT_DB_ALIAS]  # not the proxy: it is asked for every value
    now = timezone.now()
    defaults = {
        f.attname: now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        # a default the database fills in (none here) is left to the database
        else (None if f.primary_key else f.get_default())
        for f in fields
    }
    columns = [(f.attname, None if _is_plain(f) else f) for f in fields]
    prepared_defaults = {
        name: defaults[name] if f is None else f.get_db_prep_save(defaults[name], database)
        for name, f in columns
    }
    params = []
    for row in rows:
        values = vars(row)
        params.append(
            [
                prepared_defaults[name]
                if name not in values
                else values[name]
                if f is None
                else f.get_db_prep_save(values[name], database)
                for name, f in columns
            ]
        )
    return _Statement(sql, params)


# Columns whose Python values (str, int, bool, None: set by our own code, not by a person's
# input) every database driver takes as they are; the others (decimals, dates, JSON, and
# fields that fill themselves in, such as auto_now) go through Django's preparation.
_PLAIN_COLUMNS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def _is_plain(model_field) -> bool:
    return model_field.get_internal_type() in _PLAIN_COLUMNS and not getattr(
        model_field, "auto_now_add", False
    )


def _update(projects: list[Project], names: list[str]) -> _Statement | None:
    """An UPDATE of each project's `names` columns, as one prepared statement run for every
    row (QuerySet.bulk_update builds a CASE per column and row, which is far slower)."""
    if not projects:
        return None
    fields = [Project._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(Project._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(Project._meta.pk.column),
    )
    database = connections[DEFAULT_DB_ALIAS]
    columns = [(f.attname, None if _is_plain(f) else f) for f in fields]
    params = [
        [
            getattr(project, name)
            if f is None
            else f.get_db_prep_save(getattr(project, name), database)
            for name, f in columns
        ]
        + [project.pk]
        for project in projects
    ]
    return _Statement(sql, params)


def _run(statements: list[_Statement | None]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            if statement is not None:
                cursor.executemany(statement.sql, statement.params)


def _write_chunks(planned: list[PlannedRow]) -> list[list[PlannedRow]]:
    """Chunks of at most WRITE_CHUNK rows, framework agreements in earlier chunks than their
    sub-projects (level by level), so a chunk never needs a key written in the same chunk.
    `planned` already has parents first."""
    depth: dict[str, int] = {}
    for item in planned:
        parent = item.clean["parent_external_id"]
        depth[item.external_id] = depth[parent] + 1 if parent in depth else 0
    chunks: list[list[PlannedRow]] = []
    for level in sorted(set(depth.values())):
        rows = [item for item in planned if depth[item.external_id] == level]
        chunks += [rows[i : i + WRITE_CHUNK] for i in range(0, len(rows), WRITE_CHUNK)]
    return chunks


@dataclass
class _Batch:
    """One chunk, prepared outside any transaction: the statements its transaction runs."""

    statements: list[_Statement | None]
    parties_replaced: list[int]  # projects whose parties are deleted first
    read_at: dict[int, datetime]  # updated projects' updated_at when they were read
    undo: _Undo
    known: dict[str, tuple[int, Decimal | None]]
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class _Writer:
    def __init__(self, planned: list[PlannedRow], actor, report: ImportReport):
        self.actor = person_of(actor)
        self.report = report
        self.undo = _Undo()
        self.today = timezone.localdate()
        self.project_type = ContentType.objects.get_for_model(Project, for_concrete_model=False)
        self.rates = _Rates({p.clean["currency"] for p in planned if p.clean["currency"]})
        # external id -> (pk, value in US dollars) of every project a row may name as parent
        self.known: dict[str, tuple[int, Decimal | None]] = {}
        in_file = {p.external_id for p in planned}
        outside = sorted({p.clean["parent_external_id"] for p in planned} - in_file - {""})
        for chunk in in_chunks(outside):
            for pk, external_id, value_usd in Project.objects.filter(
                external_id__in=chunk
            ).values_list("pk", "external_id", "value_usd"):
                self.known[external_id] = (pk, value_usd)

    def write(self, planned: list[PlannedRow], progress: Callable[[int], None] | None) -> None:
        pause = SQLITE_PAUSE if connection.vendor == "sqlite" else 0
        committed_at = None
        done = 0
        for chunk in _write_chunks(planned):
            batch = self._prepare(chunk)
            if committed_at is not None and pause:
                # Other writers waiting for SQLite's lock retry every 100 ms at most.
                time.sleep(max(0.0, pause - (time.monotonic() - committed_at)))
            with transaction.atomic():
                self._apply(batch)
                done += len(chunk)
                if progress is not None:
                    progress(done)
            committed_at = time.monotonic()
            self.undo.add(batch.undo)
            self.known.update(batch.known)
            self.report.created += batch.created
            self.report.updated += batch.updated
            self.report.unchanged += batch.unchanged

    def _apply(self, batch: _Batch) -> None:
        if batch.read_at:
            for chunk in in_chunks(list(batch.read_at)):
                now = dict(Project.objects.filter(pk__in=chunk).values_list("pk", "updated_at"))
                if any(now.get(pk) != batch.read_at[pk] for pk in chunk):
                    raise _WriteFailed(
                        [
                            RowError(
                                None,
                                "",
                                _(
                                    "Some of the file's projects were changed or deleted by "
                                    "someone else while the file was being imported; nothing "
                                    "was written. Import the file again."
                                ),
                            )
                        ]
                    )
        for chunk in in_chunks(batch.parties_replaced):
            ProjectParty.objects.filter(project_id__in=chunk).delete()
        _run(batch.statements)

    def _parent(self, item: PlannedRow, known: dict) -> tuple[int | None, Decimal | None]:
        external_id = item.clean["parent_external_id"]
        if not external_id:
            return None, None
        return known.get(external_id) or self.known[external_id]

    def _audit(self, pk: int, project, changes: dict) -> SimpleNamespace:
        """An AuditEntry row, as core.audit.audit_record would write it."""
        return SimpleNamespace(
            id=pk,
            actor_id=self.actor.pk if self.actor else None,
            action="import",
            target_type_id=self.project_type.pk,
            target_id=str(project.id),
            summary=project.title_en[:300],
            changes=changes,
        )

    def _parties(self, project, wanted) -> list[SimpleNamespace]:
        """ProjectParty rows (each organisation and role once); sets the project's side."""
        seen = {(p.organisation.pk, p.role): p.organisation for p in wanted}
        project.lead_side = services._lead_side([(org, role) for (_pk, role), org in seen.items()])
        return [
            SimpleNamespace(project_id=project.id, organisation_id=pk, role=role)
            for pk, role in seen
        ]

    def _prepare(self, chunk: list[PlannedRow]) -> _Batch:
        batch = _Batch(statements=[], parties_replaced=[], read_at={}, undo=_Undo(), known={})
        creates = [item for item in chunk if item.existing is None]
        updates = self._changed(chunk, batch)
        project_ids = _reserve_ids(Project, len(creates))
        changes: list[SimpleNamespace] = []  # ProjectStatusChange rows
        parties: list[SimpleNamespace] = []  # ProjectParty rows
        audited: list[tuple[Any, dict]] = []

        projects = []
        for pk, item in zip(project_ids, creates, strict=True):
            clean = item.clean
            parent_id, parent_usd = self._parent(item, batch.known)
            # A Project row (see _insert), with the values services.project_create derives.
            project = SimpleNamespace(
                id=pk,
                owner_id=item.owner.pk,
                external_id=item.external_id,
                parent_id=parent_id,
                sector_id=clean["sector"].pk,
                lead_side=Project.Side.OTHER,
                is_published=False,
                **{name: clean[name] for name in _WRITTEN_FIELDS if name != "sector"},
            )
            project.signed_year = project.signed_on.year if project.signed_on else None
            project.status_changed_on = project.signed_on
            self.rates.apply(project, self.today)
            project.counted_value_usd = services._counted_value(project, parent_usd)
            if item.data.parties is not None:
                parties += self._parties(project, item.data.parties)
            changes.append(
                SimpleNamespace(
                    project_id=pk,
                    from_status="",
                    to_status=project.status,
                    on=project.signed_on or self.today,
                    by_id=self.actor.pk if self.actor else None,
                    reason="",
                )
            )
            audited.append((project, diff({}, snapshot(project, services.AUDITED_FIELDS))))
            batch.known[item.external_id] = (pk, project.value_usd)
            projects.append(project)
        batch.undo.created = list(project_ids)
        batch.created = len(projects)

        changed: list[Project] = []
        for item, project, before in updates:
            parent_id, parent_usd = self._parent(item, batch.known)
            if parent_id is not None and parent_id != project.parent_id:
                try:
                    services._check_no_cycle(project, Project.objects.get(pk=parent_id))
                except ValidationError as exc:
                    raise _WriteFailed(
                        [RowError(item.row_number, f, m) for f, m in _messages(exc)]
                    ) from exc
            for name in _WRITTEN_FIELDS:
                if name != "status":
                    setattr(project, name, item.clean[name])
            project.parent_id = parent_id
            project.signed_year = project.signed_on.year if project.signed_on else None
            if item.clean["status"] != project.status:
                changes.append(
                    SimpleNamespace(
                        project_id=project.pk,
                        from_status=project.status,
                        to_status=item.clean["status"],
                        on=self.today,
                        by_id=self.actor.pk if self.actor else None,
                        reason=_("Changed by import"),
                    )
                )
                project.status = item.clean["status"]
                project.status_changed_on = self.today
            self.rates.apply(project, self.today)
            project.counted_value_usd = services._counted_value(project, parent_usd)
            project.updated_at = timezone.now()
            project.version += 1  # someone editing it from the old version is told
            if item.data.parties is not None:
                batch.undo.parties_before[project.pk] = list(project.current_parties)
                batch.parties_replaced.append(project.pk)
                parties += self._parties(project, item.data.parties)
            batch.known[item.external_id] = (project.pk, project.value_usd)
            after = diff(before, snapshot(project, services.AUDITED_FIELDS))
            if after:
                audited.append((project, after))
            changed.append(project)
        batch.updated = len(changed)

        change_ids = _reserve_ids(ProjectStatusChange, len(changes))
        for pk, change in zip(change_ids, changes, strict=True):
            change.id = pk
        audit_ids = _reserve_ids(AuditEntry, len(audited))
        entries = [
            self._audit(pk, project, diff_)
            for pk, (project, diff_) in zip(audit_ids, audited, strict=True)
        ]
        batch.undo.status_changes = change_ids
        batch.undo.audit_entries = audit_ids
        fields = [
            f.name
            for f in Project._meta.concrete_fields
            if not f.primary_key and f.name not in ("created_at", "is_published")
        ]
        batch.statements = [
            _insert(Project, projects),
            _update(changed, fields),
            self._children(changed, batch),
            _insert(ProjectStatusChange, changes),
            _insert(ProjectParty, parties, with_pk=False),
            _insert(AuditEntry, entries),
        ]
        return batch

    def _changed(self, chunk: list[PlannedRow], batch: _Batch) -> list[tuple]:
        """The rows that change an existing project: (row, project as read when the rows were
        checked, its audit snapshot). The write checks that nobody changed it since."""
        updates = []
        for item in chunk:
            project = item.existing
            if project is None:
                continue
            if _is_unchanged(project, item.clean, item.data.parties):
                batch.known[item.external_id] = (project.pk, project.value_usd)
                batch.unchanged += 1
                continue
            batch.read_at[project.pk] = project.updated_at
            batch.undo.rows_before.append(
                {f.attname: getattr(project, f.attname) for f in Project._meta.concrete_fields}
            )
            updates.append((item, project, snapshot(project, services.AUDITED_FIELDS)))
        return updates

    def _children(self, parents: list[Project], batch: _Batch) -> _Statement | None:
        """A sub-project counts its value only while its framework agreement states none
        (services._counted_value): the counted values of the changed projects' children."""
        usd = {p.pk: p.value_usd for p in parents}
        stale = []
        for ids in in_chunks(list(usd)):
            for child in Project.objects.filter(parent_id__in=ids).only(
                "pk", "parent_id", "value_usd", "counted_value_usd"
            ):
                counted = services._counted_value(child, usd[child.parent_id])
                if counted != child.counted_value_usd:
                    batch.undo.counted_before.setdefault(child.pk, child.counted_value_usd)
                    child.counted_value_usd = counted
                    stale.append(child)
        return _update(stale, ["counted_value_usd"])

    def roll_back(self) -> None:
        """Undo every chunk written so far, a chunk of rows per transaction."""
        undo = self.undo
        for chunk in in_chunks(undo.audit_entries):
            AuditEntry.objects.filter(pk__in=chunk).delete()
        for chunk in in_chunks(undo.status_changes):
            ProjectStatusChange.objects.filter(pk__in=chunk).delete()
        for chunk in in_chunks(list(undo.parties_before)):
            with transaction.atomic():
                ProjectParty.objects.filter(project_id__in=chunk).delete()
                ProjectParty.objects.bulk_create(
                    ProjectParty(project_id=pk, organisation_id=organisation, role=role)
                    for pk in chunk
                    for organisation, role in undo.parties_before[pk]
                )
        fields = [f.name for f in Project._meta.concrete_fields if not f.primary_key]
        for start in range(0, len(undo.rows_before), WRITE_CHUNK):
            rows = undo.rows_before[start : start + WRITE_CHUNK]
            with transaction.atomic():
                _run([_update([Project(**row) for row in rows], fields)])
        counted = [
            Project(pk=pk, counted_value_usd=value) for pk, value in undo.counted_before.items()
        ]
        for start in range(0, len(counted), WRITE_CHUNK):
            with transaction.atomic():
                _run([_update(counted[start : start + WRITE_CHUNK], ["counted_value_usd"])])
        for chunk in in_chunks(undo.created[::-1]):
            with transaction.atomic():
                Project.objects.filter(pk__in=chunk).update(parent=None)
                Project.objects.filter(pk__in=chunk).delete()
        self.undo = _Undo()


def _write(
    planned: list[PlannedRow],
    actor,
    report: ImportReport,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write every checked row in bulk, chunk by chunk; when a chunk fails, undo the chunks
    already written so that the import writes all rows or none.

    A row that changes a published project, imported by anyone but an initiative
    administrator, is not written in bulk: it goes through `services.project_update`, which
    holds it as a pending revision (the public keeps seeing the published values)."""
    held = [
        item
        for item in planned
        if item.existing is not None
        and services.changes_are_held(actor, item.existing)
        and not _is_unchanged(item.existing, item.clean, item.data.parties)
    ]
    held_ids = {id(item) for item in held}
    direct = [item for item in planned if id(item) not in held_ids]
    writer = _Writer(direct, actor, report)
    try:
        writer.write(direct, progress)
        if held:
            with transaction.atomic():
                for item in held:
                    try:
                        services.project_update(
                            actor=actor,
                            project=item.existing,
                            data=item.data,
                            audit_action="import",
                        )
                    except ValidationError as exc:
                        raise _WriteFailed(
                            [RowError(item.row_number, f, m) for f, m in _messages(exc)]
                        ) from exc
            report.updated += len(held)
            if progress is not None:
                progress(len(planned))
    except (_WriteFailed, IntegrityError, DatabaseError) as exc:
        writer.roll_back()
        report.created = report.updated = report.unchanged = 0
        if isinstance(exc, _WriteFailed):
            report.errors = exc.errors
        else:
            report.errors = [
                RowError(
                    None,
                    "",
                    _(
                        "Another change to the same projects was saved while this file was "
                        "being imported (%(problem)s); nothing was written. Import the file "
                        "again."
                    )
                    % {"problem": exc},
                )
            ]
    except BaseException:
        writer.roll_back()
        raise


def run_import(
    *,
    actor,
    name: str,
    content: bytes,
    owner: Organisation | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportReport:
    """Check the whole file, then write it in one transaction, or write nothing.

    `owner` is the organisation new projects belong to when a row names none (default: the
    actor's only organisation). `progress(status, rows_done, rows_total)` reports progress.
    """
    try:
        rows = parse_file(name, content)
    except ImportFileError as exc:
        return ImportReport(file_name=name, errors=exc.errors)
    return import_rows(name, rows, actor=actor, owner=owner, progress=progress)


def import_rows(
    name: str,
    rows: list[RowInput],
    *,
    actor,
    owner: Organisation | None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportReport:
    report = ImportReport(file_name=name, rows=len(rows))
    if owner is None and not is_system(actor):
        owner = default_owner(actor)

    def checked(done: int) -> None:
        if progress is not None:
            progress(ImportJob.Status.CHECKING, done, len(rows))

    def written(done: int) -> None:
        if progress is not None:
            progress(ImportJob.Status.WRITING, done, len(rows))

    with _long_lived_rows():
        errors, planned = check_rows(rows, actor, owner, progress=checked)
        if errors:
            report.errors = errors
            return report
        gc.freeze()
        written(0)
        _write(planned, actor, report, written)
    return report


@contextmanager
def _long_lived_rows():
    """The file's rows and their checked values live until the import ends: keep Python's
    cyclic garbage collector from walking them again and again meanwhile (at 30,000 rows it
    doubled the time of the write). Whatever was frozen is collectable again afterwards."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# --- the import jobs' rows ---------------------------------------------------------------------

RUNNING = [ImportJob.Status.QUEUED, ImportJob.Status.CHECKING, ImportJob.Status.WRITING]


def import_job_store(
    *, actor, owner: Organisation | None, name: str, content: bytes, rows_total: int
) -> ImportJob:
    """Store the file (with its SHA-256) and its job, queued."""
    job_id = uuid.uuid4()
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", PurePath(name).name)[-100:] or "import"
    stored = default_storage.save(f"imports/{job_id}/{safe_name}", ContentFile(content))
    return ImportJob.objects.create(
        id=job_id,
        started_by=person_of(actor),
        owner=owner,
        file_name=PurePath(name).name[:255],
        stored_file=stored,
        sha256=hashlib.sha256(content).hexdigest(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        rows_total=rows_total,
    )


def import_job_task_set(job_id: uuid.UUID, task_id: str) -> None:
    """Note the background task that runs the job (once; a retried task keeps the first)."""
    ImportJob.objects.filter(pk=job_id, task_id="").update(task_id=task_id)


def _job_update(job: ImportJob, **fields) -> None:
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _job_ended(job: ImportJob, status: str, report: dict, **fields) -> None:
    _job_update(job, status=status, finished_at=timezone.now(), report=report, **fields)


def import_job_run(job_id: str) -> dict:
    """Run a queued import (called by the task). Idempotent: a finished job is not rerun."""
    job = ImportJob.objects.select_related("started_by", "owner").get(pk=job_id)
    if not job.is_running:
        return job.report
    with translation.override(job.language):
        try:
            if job.started_by is None:
                raise PermissionDenied(_("The person who started this import no longer exists."))
            with default_storage.open(job.stored_file, "rb") as stored:
                content = stored.read()
            if hashlib.sha256(content).hexdigest() != job.sha256:
                raise ValueError(
                    _("The stored file changed after it was uploaded; upload it again.")
                )

            def progress(status: str, done: int, total: int) -> None:
                _job_update(job, status=status, rows_done=done)

            report = run_import(
                actor=job.started_by,
                name=job.file_name,
                content=content,
                owner=job.owner,
                progress=progress,
            )
        except Exception as exc:
            _job_ended(job, ImportJob.Status.FAILED, {"failure": str(exc)})
            raise
    _job_ended(job, ImportJob.Status.DONE, report.as_dict(), rows_done=report.rows)
    return report.as_dict()


def import_job_interrupted(job_id: str, *, attempts: int, gave_up: bool) -> None:
    """The worker running this import died: the job waits for the next worker (its page
    says it was interrupted and retried), or, after the last attempt, failed."""
    job = ImportJob.objects.filter(pk=job_id, status__in=RUNNING).first()
    if job is None:
        return
    if not gave_up:
        _job_update(
            job, status=ImportJob.Status.QUEUED, rows_done=0, report={"interrupted": attempts}
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
    _job_ended(job, ImportJob.Status.FAILED, {"failure": failure, "interrupted": attempts})
