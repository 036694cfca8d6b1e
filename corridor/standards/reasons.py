"""The engine's reasons and errors as sentences in the active language, and an assessment
as the JSON of the `assess` command and the API.

The engine (corridor/standards/engine.py) gives codes with values; each code has one whole
sentence here with named placeholders (the English fallbacks are `engine.REASONS`,
`engine.NOTES` and `engine.ERRORS`: keep the codes in step). Values that name evidence carry
its titles in both languages (`evidence_en`, `evidence_zh`), so a stored result reads in either
language without the knowledge base.
"""

from django.utils.translation import gettext_lazy as _

from corridor.core.bilingual import bilingual, is_chinese
from corridor.standards import coverage, engine

REASON_SENTENCES = {
    "held_evidence": _("Met: the product holds %(evidence)s."),
    "held_equivalent": _(
        "Met by a recognised equivalent: the product holds %(evidence)s, which the authority "
        "accepts in its place."
    ),
    "evidence_missing": _(
        "Not met: the product does not hold %(accepted)s, which the authority accepts."
    ),
    "no_evidence_defined": _(
        "Not met: this must be done for the product; no certificate or approval that shows it "
        "is recorded."
    ),
    "origin_excluded": _(
        "Not applicable: it applies only to products from %(origins)s, not from %(origin)s."
    ),
    "hs_outside": _("Not applicable: it applies to HS %(prefixes)s, not to HS %(hs_code)s."),
    "attribute_not_one_of": _(
        "Not applicable: it applies only when the %(attribute)s is %(allowed)s, and the "
        "product's is %(value)s."
    ),
    "attribute_below_minimum": _(
        "Not applicable: it applies only when the %(attribute)s is at least %(limit)s, and the "
        "product's is %(value)s."
    ),
    "attribute_not_above_minimum": _(
        "Not applicable: it applies only when the %(attribute)s is more than %(limit)s, and the "
        "product's is %(value)s."
    ),
    "attribute_above_maximum": _(
        "Not applicable: it applies only when the %(attribute)s is at most %(limit)s, and the "
        "product's is %(value)s."
    ),
    "attribute_not_below_maximum": _(
        "Not applicable: it applies only when the %(attribute)s is less than %(limit)s, and the "
        "product's is %(value)s."
    ),
}

# Second sentences, added when their value is in the reason's params.
NOTE_SENTENCES = {
    "unstated_attributes": _(
        "It is taken to apply because the product's %(unstated_attributes)s was not given; "
        "state it to be sure."
    ),
    "narrower_hs": _(
        "It applies to HS %(narrower_hs)s, within the product's code %(hs_code)s; give the "
        "6-digit code to know whether it applies."
    ),
}

ERROR_SENTENCES = {
    "unknown_market": _(
        "Destination market: the knowledge base has no requirements for “%(value)s”; choose "
        "one of %(markets)s."
    ),
    "invalid_country": _(
        "Origin: “%(value)s” is not a country code; give the two-letter ISO code, for example CN."
    ),
    "same_as_destination": _(
        "Origin: the product already is in %(value)s; choose a destination market in another "
        "country."
    ),
    "hs_code_format": _(
        "HS code: “%(value)s” is not an HS code; give 6 digits (or 4 for a heading), for "
        "example 870460."
    ),
    "unknown_hs_code": _(
        "HS code: “%(value)s” is not in the HS nomenclature; search for the product's code "
        "under Standards › HS codes."
    ),
    "unknown_attribute": _(
        "Product attributes: the knowledge base knows no attribute “%(name)s”; use one of "
        "%(known)s."
    ),
    "attribute_not_a_number": _(
        "Product attributes: the %(attribute)s takes a number, not “%(value)s”; give a number, "
        "for example 3500."
    ),
    "attribute_not_a_choice": _(
        "Product attributes: the %(attribute)s cannot be “%(value)s”; choose one of %(allowed)s."
    ),
    "unknown_evidence": _(
        "Certificates and approvals held: the knowledge base knows no certificate or approval "
        "%(value)s; check the id."
    ),
    "prerequisite_cycle": _(
        "The knowledge base is broken: the prerequisites of %(requirements)s form a cycle; run "
        "kb_validate and fix the files."
    ),
}

ATTRIBUTE_LABELS = {
    "vehicle_category": _("vehicle category"),
    "powertrain": _("powertrain"),
    "max_laden_weight_kg": _("maximum laden weight"),
    "meat_species": _("meat species"),
    "processing_form": _("processing form"),
    "vehicle_condition": _("vehicle condition"),
    "vehicle_length_m": _("vehicle length"),
    "open_deck_carries_people": _("open deck that can carry people"),
}

# Values shown as alternatives: "diesel, petrol or hybrid".
ALTERNATIVES = ("allowed", "origins", "prefixes", "accepted", "narrower_hs")


def _join(values, alternatives: bool = False) -> str:
    if not isinstance(values, list | tuple):
        return str(values)
    values = [str(value) for value in values]
    separator = "、" if is_chinese() else ", "
    if alternatives and len(values) > 1:
        return _("%(items)s or %(last)s") % {
            "items": separator.join(values[:-1]),
            "last": values[-1],
        }
    return separator.join(values)


def _attribute_label(name: str) -> str:
    """The attribute's name in words; an attribute without a label reads as its id."""
    return str(ATTRIBUTE_LABELS.get(name, name.replace("_", " ")))


def _values(params: dict, alternatives: tuple[str, ...] = ()) -> dict:
    """Params ready for a sentence: evidence by its title in the active language, attributes
    by their label, lists joined."""
    language = "zh" if is_chinese() else "en"
    values = {}
    for key, value in params.items():
        if key in ("attribute", "name"):
            value = _attribute_label(value)
        elif key == "unstated_attributes":
            value = [_attribute_label(name) for name in value]
        values[key] = _join(value, alternatives=key in alternatives)
    for key in ("evidence", "accepted"):
        titles = params.get(f"{key}_{language}") or params.get(f"{key}_en")
        if titles:
            values[key] = _join(titles, alternatives=key in alternatives)
    return values


def _fill(sentence, params: dict, fallback: str, alternatives: tuple[str, ...] = ()) -> str:
    try:
        return str(sentence) % _values(params, alternatives)
    except (KeyError, TypeError, ValueError):
        return fallback


def reason_text(code: str, params: dict) -> str:
    """The engine's reason as one or two whole sentences in the active language."""
    sentence = REASON_SENTENCES.get(code)
    if sentence is None:
        return engine.reason_text_en(code, params)
    sentences = [_fill(sentence, params, engine.reason_text_en(code, params), ALTERNATIVES)]
    for key, note in NOTE_SENTENCES.items():
        if params.get(key):
            fallback = engine.render(engine.NOTES[key], params)
            sentences.append(_fill(note, params, fallback, ALTERNATIVES))
    return " ".join(sentences)


def error_text(error: engine.AssessmentError) -> str:
    """The input error as a sentence that names the field and says what to do."""
    sentence = ERROR_SENTENCES.get(error.code)
    params = dict(error.params)
    if "name" in params:
        params.setdefault("attribute", params["name"])
    if sentence is None:
        return str(error)
    return _fill(sentence, params, str(error))


def assessment_json(assessment: engine.Assessment, destination: str = "") -> dict:
    """The assessment as the issue's JSON object, titles and reasons in the active language:
    {"coverage": "covered" | "partial" | "not_covered", "coverage_note": sentence,
     "requirements": [{"id", "mast", "title", "status", "reason", "source", "authority",
                       "confidence"}],
     "roadmap": [{"id", "mast", "after", "duration_days", "earliest_start", "on_critical_path",
                  "per_consignment"}],
     "critical_path": [ids], "duration_days": [optimistic, likely, pessimistic]}.
    `destination` (ISO code) names the market's enquiry point in the coverage note."""
    return {
        "coverage": assessment.coverage,
        "coverage_note": coverage.coverage_note(assessment.coverage, destination),
        "requirements": [
            {
                "id": status.id,
                "mast": status.mast,
                "title": bilingual(status, "title"),
                "status": status.status,
                "reason": reason_text(status.reason_code, status.reason_params),
                "source": status.source_url,
                "authority": status.authority,
                "confidence": status.confidence,
            }
            for status in assessment.requirements
        ],
        "roadmap": [
            {
                "id": step.id,
                "mast": step.mast,
                "after": list(step.after),
                "duration_days": list(step.duration_days),
                "earliest_start": list(step.earliest_start),
                "on_critical_path": step.on_critical_path,
                "per_consignment": step.per_consignment,
            }
            for step in assessment.roadmap
        ],
        "critical_path": list(assessment.critical_path),
        "duration_days": list(assessment.duration_days),
    }
