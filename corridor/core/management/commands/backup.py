from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from corridor.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write the database (every table) and the uploaded files (MEDIA_ROOT) into one .tar.gz "
        "archive with a manifest of SHA-256 checksums and row counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The archive to write (must not exist).")
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, path, database, **options):
        try:
            manifest = backup_create(path, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Wrote {path}: {sum(manifest['tables'].values())} rows in "
            f"{len(manifest['tables'])} tables, {len(manifest['files']) - 1} uploaded files."
        )
