from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from corridor.directory.embeddings import profile_embed_all


class Command(BaseCommand):
    help = "Compute the stored embeddings of directory profiles whose offers or needs changed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="recompute every profile, changed or not"
        )

    def handle(self, *args, **options):
        done = profile_embed_all(stale_only=not options["all"])
        self.stdout.write(_("Embedded %(count)d profiles.") % {"count": done})
