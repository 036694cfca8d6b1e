"""python manage.py kb_validate [DIR]: check the market-access knowledge base, then count its
requirements in a table: product family (the `family` of each market file) × market."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from corridor.standards import kb
from corridor.standards.management.kb_command import KbCommand


class Command(KbCommand):
    help = (
        "Check the knowledge-base YAML and print each problem as FILE:LINE: message. "
        "Exits non-zero when there is any problem."
    )

    def handle(self, *args, directory: str, **options):
        problems = kb.validate(Path(directory))
        for problem in problems:
            self.stdout.write(kb.problem_line(problem, Path(directory)))
        if problems:
            raise CommandError(
                ngettext(
                    "The knowledge base has %(count)s problem.",
                    "The knowledge base has %(count)s problems.",
                    len(problems),
                )
                % {"count": len(problems)}
            )
        self.stdout.write(_("The knowledge base is valid."))
        loaded = kb.read_knowledge_base(Path(directory))
        for line in kb.count_lines(loaded):
            self.stdout.write(line)
