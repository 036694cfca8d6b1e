"""`python manage.py load_cases_demo`: the facilitation-case demo — the Qingling van case and
the Chongqing meat regional case with its two plants (real facts with their sources, dates
marked approximate where only the month is known or the notes are unsure), and a few
synthetic cases. Run it after `load_demo` and `load_standards_demo`. Running it again
changes nothing."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.cases.demo import cases_demo_counts, load_cases_demo
from corridor.core.demo import write_counts, write_holds

LABELS = {
    "organisations": gettext_lazy("Organisations"),
    "users": gettext_lazy("Demo users"),
    "memberships": gettext_lazy("Memberships"),
    "cases from real facts": gettext_lazy("Cases from real facts"),
    "synthetic cases": gettext_lazy("Synthetic cases"),
    "cases": gettext_lazy("Cases"),
    "case parties": gettext_lazy("Case parties"),
    "milestones": gettext_lazy("Milestones"),
    "issues": gettext_lazy("Issues"),
    "comments": gettext_lazy("Comments"),
    "documents": gettext_lazy("Documents"),
    "events": gettext_lazy("Timeline events"),
}


class Command(BaseCommand):
    help = (
        "Load the facilitation-case demo: the van and the Chongqing meat cases from real "
        "facts, and a few synthetic cases."
    )

    def handle(self, *args, **options):
        try:
            report = load_cases_demo()
        except (ObjectDoesNotExist, LookupError) as error:
            raise CommandError(
                _(
                    "The demo organisations, people or readiness assessments are missing; run "
                    "`python manage.py load_demo`, then `python manage.py load_standards_demo`, "
                    "then this command again."
                )
            ) from error
        if not report.created:
            self.stdout.write(_("The case demo was already loaded; nothing changed."))
        write_counts(self.stdout, LABELS, dict(sorted(report.created.items())))
        write_holds(self.stdout, LABELS, cases_demo_counts())
