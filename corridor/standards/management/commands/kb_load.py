"""python manage.py kb_load [DIR]: validate the knowledge base, then copy it into the database."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import ngettext

from corridor.core.actors import SYSTEM
from corridor.standards import kb
from corridor.standards.kb_load import kb_load
from corridor.standards.management.kb_command import KbCommand


class Command(KbCommand):
    help = (
        "Validate the knowledge-base YAML, then create, update and remove authorities and "
        "requirements in one transaction, and mark stale the assessments resting on changed "
        "requirements (each person concerned gets one notification). Nothing is written on any problem."
    )

    def handle(self, *args, directory: str, **options):
        try:
            report = kb_load(actor=SYSTEM, directory=Path(directory))
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
        self.stdout.write(report.summary())
