from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from corridor.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup`: checks every checksum first, then loads "
        "the rows into the (empty, migrated) database and the files into MEDIA_ROOT."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The archive made by `manage.py backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace every row of a database that already holds data, and add the "
            "files to a MEDIA_ROOT that is not empty.",
        )
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, path, force, database, **options):
        try:
            result = backup_restore(path, force=force, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {path}: {result.rows} rows in {result.tables} tables, "
            f"{result.files} uploaded files; every checksum and row count matched."
        )
