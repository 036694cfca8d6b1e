"""What the knowledge-base commands (`kb_load`, `kb_validate`) share: the directory argument."""

from django.core.management.base import BaseCommand

from corridor.standards import kb


class KbCommand(BaseCommand):
    """A command reading the knowledge base of a directory (the shipped one by default)."""

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            default=str(kb.KB_DIR),
            help="The knowledge-base directory (default: the one shipped with Corridor).",
        )
