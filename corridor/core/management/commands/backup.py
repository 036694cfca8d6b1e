from pathlib import Path

from corridor.core.backup import backup_create
from corridor.core.management.backup_command import BackupCommand


class Command(BackupCommand):
    help = (
        "Write the database (every table) and the uploaded files (MEDIA_ROOT) into one .tar.gz "
        "archive with a manifest of SHA-256 checksums and row counts."
    )
    path_help = "The archive to write (must not exist)."

    def run(self, path: Path, *, database: str, **options) -> str:
        manifest = backup_create(path, using=database)
        return (
            f"Wrote {path}: {sum(manifest['tables'].values())} rows in "
            f"{len(manifest['tables'])} tables, {len(manifest['files']) - 1} uploaded files."
        )
