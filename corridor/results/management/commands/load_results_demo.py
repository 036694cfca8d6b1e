"""`python manage.py load_results_demo`: the results framework's demo — indicators of the
initiative, of the Dejia export agreement (its US$10.8 million export target), of the regional
accreditation case and of the demo delegation event, with targets and actuals measured from
the other demos' records. Run it after `load_events_demo`. Running it again changes nothing."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.core.demo import write_counts
from corridor.results.demo import load_results_demo

LABELS = {
    "indicators": gettext_lazy("Indicators"),
    "targets": gettext_lazy("Targets"),
    "actuals": gettext_lazy("Actuals"),
}


class Command(BaseCommand):
    help = (
        "Load the results framework's demo: indicators with targets, and actuals measured "
        "from the other demos' records."
    )

    def handle(self, *args, **options):
        try:
            report = load_results_demo()
        except LookupError as error:
            raise CommandError(
                _(
                    "The records the demo indicators measure are missing; run load_demo, "
                    "load_cases_demo and load_events_demo first, then this command again."
                )
            ) from error
        if not report:
            self.stdout.write(_("The results demo was already loaded; nothing changed."))
        write_counts(self.stdout, LABELS, report)
