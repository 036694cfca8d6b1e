"""`python manage.py load_demo`: load the demo data (the initiative's real facts with their
sources, and a synthetic set labelled synthetic). Running it again changes nothing."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.core.demo import write_counts, write_holds
from corridor.portfolio.demo import demo_counts, load_demo

LABELS = {
    "organisations": gettext_lazy("Organisations"),
    "synthetic organisations": gettext_lazy("Synthetic organisations"),
    "users": gettext_lazy("Demo users"),
    "memberships": gettext_lazy("Memberships"),
    "exchange rates": gettext_lazy("Exchange rates"),
    "projects": gettext_lazy("Projects"),
    "real projects": gettext_lazy("Projects from real facts"),
    "synthetic projects": gettext_lazy("Synthetic projects"),
    "published projects": gettext_lazy("Published projects"),
    "sub-projects": gettext_lazy("Projects under a framework agreement"),
    "project parties": gettext_lazy("Project parties"),
    "status changes": gettext_lazy("Status changes"),
    "innovations": gettext_lazy("Institutional innovations"),
    "real innovations": gettext_lazy("Institutional innovations from real facts"),
    "synthetic innovations": gettext_lazy("Synthetic institutional innovations"),
    "published figures": gettext_lazy("Published figures"),
}


class Command(BaseCommand):
    help = (
        "Load the demo data: the initiative's real facts with their sources, and a synthetic set."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        report = load_demo()
        elapsed = time.perf_counter() - started
        if not report.created and not report.updated:
            self.stdout.write(_("The demo data was already loaded; nothing changed."))
        write_counts(
            self.stdout,
            LABELS,
            dict(sorted(report.created.items())),
            dict(sorted(report.updated.items())),
        )
        write_holds(self.stdout, LABELS, demo_counts())
        self.stdout.write(_("Loaded in %(seconds).1f s.") % {"seconds": elapsed})
