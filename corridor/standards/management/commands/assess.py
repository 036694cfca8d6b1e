"""Assess a product's readiness for a market and print the answer as one JSON object.

    python manage.py assess --hs 870460 --from CN --to SG --attr powertrain=electric \\
        --attr vehicle_category=N2 --held eu-wvta-certificate
    python manage.py assess --hs 1602 --from CN --to SG --attr meat_species=pork \\
        --attr processing_form=canned --language zh-hans

The knowledge base is `kb.current()`. When the HS nomenclature is loaded (hs_import), the
code must be in it, and the origin must be an ISO 3166 country (as on the web form). Bad
input exits with status 1 and one sentence naming the field.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from corridor.core.vocabularies import is_country
from corridor.standards import engine, reasons


def hs_code_is_known(code: str) -> bool:
    """True when the HS nomenclature is not loaded, or its edition holds `code`."""
    from corridor.standards import hs

    return hs.code_is_known(code)


def refusal(error: engine.AssessmentError) -> CommandError:
    """The engine's sentence, which names the field: `Origin: “XX” is not a country code…`."""
    return CommandError(reasons.error_text(error))


def parse_attribute(text: str) -> tuple[str, str]:
    name, separator, value = text.partition("=")
    if not separator or not name.strip():
        raise CommandError(
            _("--attr takes KEY=VALUE, for example --attr powertrain=electric; got “%(value)s”.")
            % {"value": text}
        )
    return name.strip(), value.strip()


class Command(BaseCommand):
    help = "Assess a product (HS code, attributes, evidence held) for a destination market."

    def add_arguments(self, parser):
        parser.add_argument("--hs", required=True, help="HS 2022 code, e.g. 870460")
        parser.add_argument("--from", dest="origin", required=True, help="origin, e.g. CN")
        parser.add_argument("--to", dest="destination", required=True, help="market, e.g. SG")
        parser.add_argument(
            "--attr",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="a product attribute, e.g. powertrain=electric (repeatable)",
        )
        parser.add_argument(
            "--held",
            action="append",
            default=[],
            metavar="EVIDENCE_ID",
            help="a certificate or approval already held, e.g. eu-wvta-certificate (repeatable)",
        )
        parser.add_argument(
            "--language",
            default=None,
            help="language of titles and reasons: en or zh-hans (default: the site's)",
        )

    def handle(self, *args, **options):
        with translation.override(options["language"] or translation.get_language() or "en"):
            self.stdout.write(json.dumps(self.assessment(options), ensure_ascii=False, indent=2))

    def assessment(self, options) -> dict:
        from corridor.standards import kb

        attributes = dict(parse_attribute(text) for text in options["attr"])
        held = frozenset(
            evidence.strip()
            for value in options["held"]
            for evidence in value.split(",")
            if evidence.strip()
        )
        product = engine.Product(
            hs_code=options["hs"],
            origin=options["origin"],
            destination=options["destination"],
            attributes=attributes,
            held=held,
        )
        try:
            answer = engine.assess(kb.current(), product)
        except engine.AssessmentError as error:
            raise refusal(error) from error
        if not is_country(product.origin.strip()):
            raise refusal(
                engine.AssessmentError("origin", "invalid_country", {"value": product.origin})
            )
        code = "".join(ch for ch in options["hs"] if ch not in " .\t")
        if not hs_code_is_known(code):
            raise refusal(engine.AssessmentError("hs_code", "unknown_hs_code", {"value": code}))
        return reasons.assessment_json(answer, options["destination"].strip().upper())
