from pathlib import Path

from corridor.core.backup import backup_restore
from corridor.core.management.backup_command import BackupCommand


class Command(BackupCommand):
    help = (
        "Restore a backup made by `manage.py backup`: checks every checksum first, then loads "
        "the rows into the (empty, migrated) database and the files into MEDIA_ROOT."
    )
    path_help = "The archive made by `manage.py backup`."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace every row of a database that already holds data, and add the "
            "files to a MEDIA_ROOT that is not empty.",
        )

    def run(self, path: Path, *, database: str, force: bool = False, **options) -> str:
        result = backup_restore(path, force=force, using=database)
        return (
            f"Restored {path}: {result.rows} rows in {result.tables} tables, "
            f"{result.files} uploaded files; every checksum and row count matched."
        )
