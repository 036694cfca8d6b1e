"""python manage.py load_standards_demo — the Bridge of Standards part of the demo.

Loads the HS 2022 chapters the knowledge base uses (02, 16, 87), the knowledge base itself,
and the two real stories as readiness assessments: Qingling's electric van (HS 870460) for
Singapore, holding the EU whole-vehicle type approval and Certificate of Conformity, and
Chongqing Dejia's canned pork (HS 160249) for Singapore before any approval. Run it after
`load_demo` (which creates the organisations and users). Idempotent.
"""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from corridor.accounts.models import Organisation, User
from corridor.standards import services
from corridor.standards.models import ReadinessAssessment

DATA = Path(__file__).resolve().parents[2] / "data"

STORIES = [
    {
        "organisation": "Qingling Motors",
        "product_name": "Qingling EQ2 electric light commercial van",
        "hs_code": "870460",
        "origin": "CN",
        "destination": "SG",
        "attributes": {"powertrain": "electric", "vehicle_condition": "brand_new"},
        "held": ["eu-wvta-certificate", "eu-coc"],
    },
    {
        "organisation": "Chongqing Dejia",
        "product_name": "Canned pork (luncheon meat)",
        "hs_code": "160249",
        "origin": "CN",
        "destination": "SG",
        "attributes": {"meat_species": "pork", "processing_form": "canned"},
        "held": [],
    },
]


class Command(BaseCommand):
    help = "Load the Bridge of Standards demo: the HS 2022 nomenclature, knowledge base, two assessments."

    def handle(self, *args, **options):
        call_command(
            "hs_import",
            str(DATA / "hs2022.csv"),
            sections=str(DATA / "hs2022_sections.csv"),
            stdout=self.stdout,
        )
        call_command("kb_load", stdout=self.stdout)
        facilitator = User.objects.filter(username="facilitator").first()
        if facilitator is None:
            raise CommandError("Run `python manage.py load_demo` first: it creates the users.")
        created = 0
        for story in STORIES:
            organisation = Organisation.objects.filter(name_en=story["organisation"]).first()
            if organisation is None:
                raise CommandError(
                    f"No organisation named {story['organisation']!r}; run load_demo."
                )
            if ReadinessAssessment.objects.filter(
                organisation=organisation, product_name=story["product_name"]
            ).exists():
                continue
            fields = {k: v for k, v in story.items() if k != "organisation"}
            services.assessment_create(actor=facilitator, organisation=organisation, **fields)
            created += 1
        self.stdout.write(f"Readiness assessments: {created} created.")
