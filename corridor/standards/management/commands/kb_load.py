"""python manage.py kb_load [DIR]: validate the knowledge base, then copy it into the database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from corridor.standards import kb


class Command(BaseCommand):
    help = (
        "Validate the knowledge-base YAML, then create, update and remove authorities and "
        "requirements in one transaction, and mark stale the assessments resting on changed "
        "requirements (each person concerned gets one notification). Nothing is written on any problem."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            default=str(kb.KB_DIR),
            help="The knowledge-base directory (default: the one shipped with Corridor).",
        )

    def handle(self, *args, directory: str, **options):
        try:
            report = kb.load_into_database(Path(directory))
        except kb.KbError as exc:
            for problem in exc.problems:
                self.stderr.write(kb.problem_line(problem, Path(directory)))
            raise CommandError(
                ngettext(
                    "The knowledge base has %(count)s problem; nothing was loaded.",
                    "The knowledge base has %(count)s problems; nothing was loaded.",
                    len(exc.problems),
                )
                % {"count": len(exc.problems)}
            ) from exc
        kb.reset()
        self.stdout.write(report.summary())
