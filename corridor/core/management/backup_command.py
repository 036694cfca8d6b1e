"""What `backup` and `restore` share: the archive's path, the database alias, and a refusal
(`BackupError`) reported as the command's error."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from corridor.core.backup import BackupError


class BackupCommand(BaseCommand):
    """A command writing or reading one backup archive; `run` does the work and returns the
    line to print."""

    path_help = ""

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help=self.path_help)
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, path, database, **options):
        try:
            done = self.run(path, database=database, **options)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(done)

    def run(self, path: Path, *, database: str, **options) -> str:
        raise NotImplementedError
