"""`python manage.py load_directory_demo`: the enterprise-directory demo — 90 synthetic
enterprise profiles (30 Singapore, 60 Chongqing), a profile for the demo user qingling's
enterprise when `load_demo` has run, and a Singapore demo login (sgtrade). Then it computes
the embeddings recommendations need, unless told not to. Running it again changes nothing."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.core.demo import write_counts, write_holds
from corridor.directory.demo import directory_demo_counts, load_directory_demo

LABELS = {
    "organisations": gettext_lazy("Organisations"),
    "users": gettext_lazy("Demo users"),
    "memberships": gettext_lazy("Memberships"),
    "profiles": gettext_lazy("Enterprise profiles"),
    "synthetic profiles": gettext_lazy("Synthetic enterprise profiles"),
    "verified profiles": gettext_lazy("Verified enterprise profiles"),
    "embedded profiles": gettext_lazy("Enterprise profiles ready for recommendations"),
}
EMBEDDED = "embedded profiles"


class Command(BaseCommand):
    help = (
        "Load the enterprise-directory demo: 90 synthetic profiles from Singapore and "
        "Chongqing, and a Singapore demo login."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-embed",
            action="store_true",
            help="do not compute the embeddings now (directory_embed or the workers will)",
        )

    def handle(self, *args, no_embed=False, **options):
        report = load_directory_demo(stdout=self.stdout, embed=not no_embed)
        if not report:
            self.stdout.write(_("The directory demo was already loaded; nothing changed."))
        write_counts(self.stdout, LABELS, {k: n for k, n in report.items() if k != EMBEDDED})
        if report.get(EMBEDDED):
            self.stdout.write(
                _("Embeddings computed for %(number)d enterprise profiles.")
                % {"number": report[EMBEDDED]}
            )
        write_holds(self.stdout, LABELS, directory_demo_counts())
