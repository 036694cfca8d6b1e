"""Backups: the database and the uploaded files together in one .tar.gz, checked on restore.

The archive holds
  manifest.json    what is inside: each file's SHA-256 and size, each table's row count,
                   the migrations the database had, when and from which database engine;
  database.jsonl   every row of every table, from `dumpdata --all` (primary keys kept; times
                   to the microsecond), so it loads into SQLite or PostgreSQL alike;
  media/...        every file under MEDIA_ROOT, at its path relative to MEDIA_ROOT.

`manage.py backup PATH` writes one; `manage.py restore PATH` checks every checksum before it
changes anything, refuses a database that already holds data (unless --force), loads the rows
in one transaction and then compares every table's row count with the manifest.
"""

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database.jsonl"
MEDIA = "media"
CHUNK = 1024 * 1024

# Rows that `migrate` itself writes into a new database; their presence does not make it
# "not empty" (they are replaced by the backup's own rows on restore).
FILLED_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission", "core.sector"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int


class _HashingReader(io.RawIOBase):
    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size=-1):
        data = self.raw.read(size)
        self.sha256.update(data)
        return data


def _connection(using):
    return connections[using]


def table_row_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """{table: rows} for every table of an installed model (many-to-many tables included)."""
    connection = _connection(using)
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    recorder = MigrationRecorder(_connection(using))
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    found = []
    for directory, _dirs, names in os.walk(media_root):
        for name in names:
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return sorted(found)


def _add_file(archive: tarfile.TarFile, source: Path, name: str) -> str:
    info = archive.gettarinfo(str(source), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with source.open("rb") as raw:
        reader = _HashingReader(raw)
        archive.addfile(info, reader)
    return reader.sha256.hexdigest()


def backup_create(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Write the archive to `path` (which must not exist yet); returns its manifest."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name for the backup.")
    connection = _connection(using)
    media_root = Path(settings.MEDIA_ROOT)
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / DATABASE
        # Connect (and run any connection health check) before the transaction, so that
        # SET TRANSACTION is its first statement.
        connection.ensure_connection()
        with connection.cursor():
            pass
        # One consistent view of the database while the rows are dumped and counted.
        with transaction.atomic(using=using):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            call_command(
                "dumpdata",
                all=True,
                format="backup_jsonl",  # jsonl with exact times: see backup_serializer
                output=str(dump),
                database=using,
                verbosity=0,
            )
            tables = table_row_counts(using)
            migrations = applied_migrations(using)
        files = {}
        with tarfile.open(partial, "w:gz") as archive:
            files[DATABASE] = _add_file(archive, dump, DATABASE)
            for source in _media_files(media_root):
                name = str(PurePosixPath(MEDIA, *source.relative_to(media_root).parts))
                files[name] = _add_file(archive, source, name)
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "database_vendor": connection.vendor,
                "migrations": migrations,
                "tables": tables,
                "files": files,
            }
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
    os.replace(partial, path)
    return manifest


def _safe_member_name(name: str) -> bool:
    if name in (MANIFEST, DATABASE):
        return True
    parts = PurePosixPath(name).parts
    return (
        len(parts) >= 2
        and parts[0] == MEDIA
        and not PurePosixPath(name).is_absolute()
        and all(part not in ("", ".", "..") for part in parts)
    )


def _unpack(path: Path, into: Path) -> tuple[dict, dict[str, str]]:
    """Stream every member into `into`, hashing it; return (manifest, {name: sha256})."""
    digests = {}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                if member.isdir():
                    continue
                if not member.isfile() or not _safe_member_name(member.name):
                    raise BackupError(
                        f"{path} holds {member.name!r}, which a Corridor backup never contains; "
                        "it was not restored."
                    )
                target = into / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                sha256 = hashlib.sha256()
                with archive.extractfile(member) as source, target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        sha256.update(chunk)
                        out.write(chunk)
                digests[member.name] = sha256.hexdigest()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{path} is not a readable backup archive: {exc}") from exc
    if MANIFEST not in digests:
        raise BackupError(f"{path} has no {MANIFEST}; it is not a Corridor backup.")
    try:
        manifest = json.loads((into / MANIFEST).read_text())
    except ValueError as exc:
        raise BackupError(f"The {MANIFEST} in {path} is not valid JSON: {exc}") from exc
    del digests[MANIFEST]
    return manifest, digests


def _verify(manifest: dict, digests: dict[str, str]) -> None:
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"This backup has format {manifest.get('format')!r}; this version of Corridor "
            f"restores format {FORMAT}."
        )
    expected = manifest.get("files", {})
    missing = sorted(set(expected) - set(digests))
    extra = sorted(set(digests) - set(expected))
    if missing:
        raise BackupError(f"The archive lacks files its manifest lists: {', '.join(missing)}.")
    if extra:
        raise BackupError(
            f"The archive holds files its manifest does not list: {', '.join(extra)}."
        )
    for name, sha256 in sorted(expected.items()):
        if digests[name] != sha256:
            raise BackupError(
                f"{name} is damaged: its SHA-256 is {digests[name]}, the manifest says {sha256}. "
                "Nothing was restored."
            )


def _rows_that_make_it_not_empty(using: str) -> dict[str, int]:
    ignored = {
        apps.get_model(label)._meta.db_table for label in FILLED_BY_MIGRATE if _model_exists(label)
    }
    return {
        table: rows
        for table, rows in table_row_counts(using).items()
        if rows and table not in ignored
    }


def _model_exists(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def backup_restore(path: Path, *, force: bool = False, using: str = DEFAULT_DB_ALIAS):
    """Replace the database's rows and add MEDIA_ROOT's files from the archive at `path`."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        manifest, digests = _unpack(path, scratch)
        _verify(manifest, digests)

        ours = applied_migrations(using)
        theirs = manifest.get("migrations", [])
        if ours != theirs:
            only_backup = sorted(set(theirs) - set(ours))
            only_here = sorted(set(ours) - set(theirs))
            raise BackupError(
                "The backup was made at a different database schema "
                f"(only in the backup: {', '.join(only_backup) or 'none'}; "
                f"only in this database: {', '.join(only_here) or 'none'}). Restore with the "
                "version of Corridor that made it, into a database migrated by that version."
            )

        if not force:
            rows = _rows_that_make_it_not_empty(using)
            if rows:
                listed = ", ".join(f"{table}: {count}" for table, count in sorted(rows.items()))
                raise BackupError(
                    f"The database is not empty ({listed} rows). Restore into a new, migrated "
                    "database, or pass --force to replace everything in this one."
                )
            existing = _media_files(media_root)
            if existing:
                raise BackupError(
                    f"MEDIA_ROOT ({media_root}) already holds {len(existing)} files. Restore "
                    "into an empty MEDIA_ROOT, or pass --force to add the backup's files to them."
                )

        with transaction.atomic(using=using):
            call_command(
                "flush", interactive=False, inhibit_post_migrate=True, database=using, verbosity=0
            )
            call_command("loaddata", str(scratch / DATABASE), database=using, verbosity=0)
            counts = table_row_counts(using)
            differing = {
                table: (counts.get(table), rows)
                for table, rows in manifest["tables"].items()
                if counts.get(table) != rows
            }
            if differing:
                listed = ", ".join(
                    f"{table}: {got} rows, expected {want}"
                    for table, (got, want) in sorted(differing.items())
                )
                raise BackupError(f"The restored rows do not match the manifest ({listed}).")
        ContentType.objects.clear_cache()

        restored_files = 0
        for name in sorted(digests):
            if name == DATABASE:
                continue
            target = media_root.joinpath(*PurePosixPath(name).parts[1:])
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(scratch / name, target)
            restored_files += 1
    return RestoreResult(
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        files=restored_files,
    )
