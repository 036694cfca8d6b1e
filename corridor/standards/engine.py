"""The readiness assessment: which requirements apply, which are met, and the roadmap.

A plain module with no Django import: it takes and returns dataclasses, so it can be
tested, profiled and benchmarked alone. Django code (views, API, the `assess` command)
loads a `KnowledgeBase` (see `corridor.standards.kb`) and calls `assess`.

How a product is judged against the knowledge base
--------------------------------------------------
* Only the destination market's requirements are looked at; other markets are skipped
  entirely. Of those, the ones *considered* are the requirements for every product (no HS
  prefix) and those with an HS prefix in the product's HS chapter: requirements of other
  chapters are obviously irrelevant and are not listed (this also keeps an assessment fast
  over a large knowledge base, see `build_index`).
* A considered requirement applies when the origin is one of its origins (or it has none),
  one of its HS prefixes is a prefix of the product's code (or it has none), and every
  attribute condition holds. Otherwise it is listed as not applicable, with the first reason
  found (origin, then HS code, then conditions in their order).
* HS codes have 6 digits (HS 2022 subheadings). A product classified only to its heading
  (4 digits, e.g. "1602") or chapter (2 digits) is accepted: a requirement written for a
  narrower code inside it (e.g. 160249) *may* apply, so it is treated as applicable and its
  reason says that the product's code was not precise enough (reason_params["narrower_hs"]).
* A condition on an attribute the product does not state holds: safety and sanitary rules
  must not silently drop out because a field was left empty. The reason says which
  attributes were not given (reason_params["unstated_attributes"]).
* Status: met when a held evidence id is in `evidence`; met by a recognised equivalent when a
  held id is in `equivalent_evidence`; not met otherwise.

The roadmap
-----------
The unmet requirements in prerequisite order (topological). Of the steps that could go next,
the one that must be finished first not to delay market entry comes first (its latest finish
in the likely scenario), a step on the critical path before others finishing by the same day,
then the smaller id: so the chain of approvals is listed before an importer's licence that
takes days and is only needed for the permit at the end. A step waits
(`after`) for its prerequisites that are themselves unmet; prerequisites that are met, not
applicable, not considered or of another market do not hold it up (nor does anything behind
them). Per scenario (optimistic, likely, pessimistic) a step starts when the last step it
waits for finishes. The time to market entry is, per scenario, the latest finish (0 days when
nothing is unmet). The critical path is the chain of steps ending at the latest finish in the
*likely* scenario, followed back through the predecessor that finishes last (ties: the later
pessimistic finish, then the smaller id). Per-consignment requirements (a health certificate,
an import permit) are steps like the others, with their duration, and are flagged.

Coverage
--------
Every assessment also says how much the knowledge base covers the product in its market
(`Assessment.coverage`: covered, partial or not_covered, from the scopes the market files
declare; see `_coverage`). An empty list of requirements for a product that is not covered
means "not known", never "ready".

Reasons and errors are codes with values (`REASONS`, `ERRORS` give English templates for a
command-line fallback); the Django layer turns them into translated sentences in
corridor/standards/reasons.py.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

# --- the knowledge base, as the engine sees it ---------------------------------------------


@dataclass(frozen=True)
class AttributeCondition:
    """A product attribute a requirement applies to, e.g. powertrain in {"electric"} or
    max_laden_weight_kg > 3500. Exactly one of `one_of`, `minimum`/`maximum` is used."""

    name: str
    one_of: tuple[str, ...] = ()
    minimum: float | None = None  # inclusive lower bound; None = no bound
    maximum: float | None = None  # inclusive upper bound
    minimum_exclusive: bool = False
    maximum_exclusive: bool = False


@dataclass(frozen=True)
class Evidence:
    """Something an enterprise can hold: a certificate, an approval, a test report."""

    id: str
    title_en: str
    title_zh: str = ""


COVERED = "covered"
PARTIAL = "partial"
NOT_COVERED = "not_covered"
COVERAGES = (COVERED, PARTIAL, NOT_COVERED)


@dataclass(frozen=True)
class Scope:
    """What a market file declares it covers: products whose HS code starts with one of
    `hs_prefixes` (from `origins`, or any origin), fully ("covered") or knowingly in part
    ("partial"). See `coverage`."""

    market: str
    hs_prefixes: tuple[str, ...]
    coverage: str  # COVERED | PARTIAL
    origins: tuple[str, ...] = ()
    family: str = ""
    file: str = ""


@dataclass(frozen=True)
class Requirement:
    id: str
    market: str  # ISO 3166 alpha-2 of the destination market, e.g. "SG"
    mast: str  # UNCTAD MAST non-tariff-measure code, e.g. "A120"
    kind: str  # e.g. "region accreditation", "establishment approval", "type approval"
    title_en: str
    title_zh: str
    summary_en: str
    summary_zh: str
    authority: str  # authority id
    legal_basis: str
    hs_prefixes: tuple[str, ...]  # HS 2022 digits, 2 to 6 long; empty = every product
    origins: tuple[str, ...] = ()  # ISO 3166 codes it applies to; empty = every origin
    conditions: tuple[AttributeCondition, ...] = ()
    evidence: tuple[str, ...] = ()  # evidence ids that meet it
    equivalent_evidence: tuple[str, ...] = ()  # recognised foreign approvals that meet it
    prerequisites: tuple[str, ...] = ()  # requirement ids that must be met first
    duration_days: tuple[int, int, int] = (0, 0, 0)  # optimistic, likely, pessimistic
    per_consignment: bool = False
    source_url: str = ""
    checked_on: str = ""  # ISO date
    confidence: str = "confirmed"  # confirmed | partly confirmed | unconfirmed
    source_quote: str = ""  # a sentence or two of the source, verbatim


@dataclass
class KnowledgeBase:
    requirements: dict[str, Requirement] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    attribute_types: dict[str, str] = field(default_factory=dict)  # name -> "choice" | "number"
    markets: set[str] = field(default_factory=set)  # empty = the markets of the requirements
    # The allowed values of each choice attribute; a choice without an entry takes any value.
    attribute_choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The unit of each number attribute, e.g. {"max_laden_weight_kg": "kg"}.
    attribute_units: dict[str, str] = field(default_factory=dict)
    # What the market files declare they cover (see `coverage`); empty = judged from the
    # requirements alone.
    scopes: tuple[Scope, ...] = ()
    # The engine's index, built on first use by `build_index` (not part of the knowledge).
    index: Index | None = field(default=None, init=False, repr=False, compare=False)


# --- the question and the answer -----------------------------------------------------------


@dataclass(frozen=True)
class Product:
    hs_code: str  # 6 digits (HS 2022); 4 or 2 digits when classified only that far
    origin: str  # ISO 3166 alpha-2
    destination: str  # ISO 3166 alpha-2
    attributes: dict[str, str | float] = field(default_factory=dict)
    held: frozenset[str] = frozenset()  # evidence ids already held


MET = "met"
MET_BY_EQUIVALENT = "met_by_equivalent"
NOT_MET = "not_met"
NOT_APPLICABLE = "not_applicable"
STATUSES = (MET, MET_BY_EQUIVALENT, NOT_MET, NOT_APPLICABLE)  # the order they are listed in


@dataclass(frozen=True)
class RequirementStatus:
    id: str
    mast: str
    title_en: str
    title_zh: str
    status: str  # MET | MET_BY_EQUIVALENT | NOT_MET | NOT_APPLICABLE
    # Why, as a code and its values; the Django layer turns it into a translated sentence
    # (corridor/standards/reasons.py), e.g. ("held_equivalent", {"evidence": "eu-wvta"}).
    reason_code: str
    reason_params: dict
    source_url: str
    per_consignment: bool = False
    authority: str = ""
    confidence: str = ""


# What a requirement's status repeats of the requirement itself.
STATUS_FACTS = (
    "id",
    "mast",
    "title_en",
    "title_zh",
    "source_url",
    "per_consignment",
    "authority",
    "confidence",
)


@dataclass(frozen=True)
class RoadmapStep:
    id: str
    mast: str
    after: tuple[str, ...]  # unmet prerequisites this step waits for
    duration_days: tuple[int, int, int]
    earliest_start: tuple[int, int, int]  # days from today, per scenario
    on_critical_path: bool
    per_consignment: bool = False  # repeated for every consignment


@dataclass(frozen=True)
class Assessment:
    requirements: tuple[RequirementStatus, ...]
    roadmap: tuple[RoadmapStep, ...]  # unmet requirements in prerequisite order
    critical_path: tuple[str, ...]
    duration_days: tuple[int, int, int]  # to market entry: optimistic, likely, pessimistic
    # How much the knowledge base knows about this product in this market: COVERED,
    # PARTIAL or NOT_COVERED (see `coverage`). An answer that is not covered is no answer.
    coverage: str = COVERED


class AssessmentError(ValueError):
    """Bad input: names the field and gives a code and values for the translated message,
    e.g. AssessmentError("destination", "unknown_market", {"value": "XX"}).

    Fields: "hs_code", "origin", "destination", "attributes" (params["name"] names the
    attribute), "held", and "kb" for a broken knowledge base."""

    def __init__(self, field: str, code: str, params: dict | None = None):
        self.field = field
        self.code = code
        self.params = params or {}
        super().__init__(f"{field}: {render(ERRORS.get(code, code), self.params)}")


# --- reasons and errors: codes with an English template for the command-line fallback -----
# Placeholders are named; list values are joined with ", ". The translated sentences live in
# corridor/standards/reasons.py (one per code: keep the two in step).

REASONS: dict[str, str] = {
    # met
    "held_evidence": "Met: the product holds %(evidence)s.",
    "held_equivalent": "Met by a recognised equivalent: the product holds %(evidence)s.",
    # not met
    "evidence_missing": "Not met: the product does not hold %(accepted)s, "
    "which the authority accepts.",
    "no_evidence_defined": "Not met: this must be done for the product; no certificate "
    "or approval that shows it is recorded.",
    # not applicable
    "origin_excluded": "Not applicable: it applies only to products from %(origins)s, "
    "not from %(origin)s.",
    "hs_outside": "Not applicable: it applies to HS %(prefixes)s, not to %(hs_code)s.",
    "attribute_not_one_of": "Not applicable: it applies only when %(attribute)s is "
    "%(allowed)s, and the product's is %(value)s.",
    "attribute_below_minimum": "Not applicable: it applies only when %(attribute)s is at "
    "least %(limit)s, and the product's is %(value)s.",
    "attribute_not_above_minimum": "Not applicable: it applies only when %(attribute)s is "
    "more than %(limit)s, and the product's is %(value)s.",
    "attribute_above_maximum": "Not applicable: it applies only when %(attribute)s is at "
    "most %(limit)s, and the product's is %(value)s.",
    "attribute_not_below_maximum": "Not applicable: it applies only when %(attribute)s is "
    "less than %(limit)s, and the product's is %(value)s.",
}

# Added to a reason (as a second sentence) when these params are present.
NOTES: dict[str, str] = {
    "unstated_attributes": "It was taken to apply because the product's %(unstated_attributes)s "
    "was not given.",
    "narrower_hs": "It applies to HS %(narrower_hs)s, within the product's code %(hs_code)s; "
    "give the 6-digit code to know whether it applies.",
}

ERRORS: dict[str, str] = {
    "unknown_market": "There are no requirements for the market %(value)s; "
    "choose one of %(markets)s.",
    "invalid_country": "%(value)s is not a two-letter ISO country code.",
    "same_as_destination": "The origin and the destination are both %(value)s; "
    "choose a destination market in another country.",
    "hs_code_format": "%(value)s is not an HS code; give 6 digits (or 4 for a heading), "
    "for example 870460.",
    "unknown_hs_code": "%(value)s is not in the HS nomenclature.",
    "unknown_attribute": "The knowledge base knows no product attribute %(name)s; "
    "use one of %(known)s.",
    "attribute_not_a_number": "The attribute %(name)s takes a number, not %(value)s.",
    "attribute_not_a_choice": "The attribute %(name)s cannot be %(value)s; use one of %(allowed)s.",
    "unknown_evidence": "The knowledge base knows no certificate or approval %(value)s.",
    "prerequisite_cycle": "The prerequisites of %(requirements)s form a cycle.",
}


def render(template: str, params: dict) -> str:
    """An English template with its values; lists are joined with ", "."""
    values = {
        key: ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else value
        for key, value in params.items()
    }
    try:
        return template % values
    except (KeyError, TypeError, ValueError):
        return f"{template} {params}"


def reason_text_en(code: str, params: dict) -> str:
    """The reason in English, for logs and the command line without translations."""
    sentences = [render(REASONS.get(code, code), _with_titles(params))]
    for key, note in NOTES.items():
        if params.get(key):
            sentences.append(render(note, params))
    return " ".join(sentences)


def _with_titles(params: dict) -> dict:
    """Evidence shown by its English title when the params carry it."""
    shown = dict(params)
    for key in ("evidence", "accepted"):
        if params.get(f"{key}_en"):
            shown[key] = params[f"{key}_en"]
    return shown


# --- the index: built once per knowledge base ----------------------------------------------

UNIVERSAL = ""  # the chapter key of requirements without HS prefixes


@dataclass
class Index:
    """Requirements by (market, HS chapter), so an assessment only looks at the candidates."""

    markets: frozenset[str]
    by_market_chapter: dict[tuple[str, str], tuple[Requirement, ...]]
    size: int  # len(kb.requirements) when built, to notice a knowledge base that grew


def build_index(kb: KnowledgeBase) -> Index:
    """Index `kb` (and keep the index on it). Raises AssessmentError("kb",
    "prerequisite_cycle") when prerequisites form a cycle anywhere in the knowledge base."""
    _check_acyclic(kb.requirements)
    grouped: dict[tuple[str, str], list[Requirement]] = {}
    for requirement in kb.requirements.values():
        chapters = {prefix[:2] for prefix in requirement.hs_prefixes} or {UNIVERSAL}
        for chapter in chapters:
            grouped.setdefault((requirement.market, chapter), []).append(requirement)
    markets = frozenset(kb.markets) or frozenset(r.market for r in kb.requirements.values())
    kb.index = Index(
        markets=markets,
        by_market_chapter={
            key: tuple(sorted(group, key=lambda r: r.id)) for key, group in grouped.items()
        },
        size=len(kb.requirements),
    )
    return kb.index


def _index_of(kb: KnowledgeBase) -> Index:
    if kb.index is None or kb.index.size != len(kb.requirements):
        return build_index(kb)
    return kb.index


def _check_acyclic(requirements: dict[str, Requirement]) -> None:
    waiting = {
        rid: {p for p in r.prerequisites if p in requirements} for rid, r in requirements.items()
    }
    dependents: dict[str, list[str]] = {}
    for rid, prerequisites in waiting.items():
        for prerequisite in prerequisites:
            dependents.setdefault(prerequisite, []).append(rid)
    ready = [rid for rid, prerequisites in waiting.items() if not prerequisites]
    done = 0
    while ready:
        rid = ready.pop()
        done += 1
        for dependent in dependents.get(rid, ()):
            waiting[dependent].discard(rid)
            if not waiting[dependent]:
                ready.append(dependent)
    if done < len(requirements):
        in_cycle = sorted(rid for rid, prerequisites in waiting.items() if prerequisites)
        raise AssessmentError("kb", "prerequisite_cycle", {"requirements": in_cycle})


# --- input ---------------------------------------------------------------------------------


def _clean_product(kb: KnowledgeBase, index: Index, product: Product) -> Product:
    """The product with normalised values, or AssessmentError naming the bad field."""
    destination = (product.destination or "").strip().upper()
    if destination not in index.markets:
        raise AssessmentError(
            "destination",
            "unknown_market",
            {"value": product.destination, "markets": sorted(index.markets)},
        )
    origin = (product.origin or "").strip().upper()
    if len(origin) != 2 or not origin.isascii() or not origin.isalpha():
        raise AssessmentError("origin", "invalid_country", {"value": product.origin})
    if origin == destination:
        raise AssessmentError("origin", "same_as_destination", {"value": origin})

    hs_code = "".join(ch for ch in (product.hs_code or "") if ch not in " .\t")
    if not (hs_code.isascii() and hs_code.isdigit() and len(hs_code) in (2, 4, 6)):
        raise AssessmentError("hs_code", "hs_code_format", {"value": product.hs_code})

    attributes = {}
    for name, value in sorted(product.attributes.items()):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue  # not stated
        kind = kb.attribute_types.get(name)
        if kind is None:
            raise AssessmentError(
                "attributes",
                "unknown_attribute",
                {"name": name, "known": sorted(kb.attribute_types)},
            )
        attributes[name] = _clean_attribute(kb, name, kind, value)

    held = frozenset(h.strip() for h in product.held if h and h.strip())
    unknown = sorted(held - kb.evidence.keys())
    if unknown:
        raise AssessmentError("held", "unknown_evidence", {"value": unknown})
    return Product(
        hs_code=hs_code,
        origin=origin,
        destination=destination,
        attributes=attributes,
        held=held,
    )


def _clean_attribute(kb: KnowledgeBase, name: str, kind: str, value: object) -> str | float:
    if kind == "number":
        if isinstance(value, bool):
            raise AssessmentError("attributes", "attribute_not_a_number", _named(name, value))
        try:
            number = float(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError):
            raise AssessmentError(
                "attributes", "attribute_not_a_number", _named(name, value)
            ) from None
        if not math.isfinite(number):
            raise AssessmentError("attributes", "attribute_not_a_number", _named(name, value))
        return number
    choice = str(value).strip()
    allowed = kb.attribute_choices.get(name, ())
    if allowed and choice not in allowed:
        raise AssessmentError(
            "attributes",
            "attribute_not_a_choice",
            {"name": name, "value": choice, "allowed": list(allowed)},
        )
    return choice


def _named(name: str, value: object) -> dict:
    return {"name": name, "value": str(value)}


# --- applicability and status --------------------------------------------------------------


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _condition_failure(
    condition: AttributeCondition, value: str | float, unit: str = ""
) -> tuple[str, dict]:
    """("", {}) when the condition holds for `value`, else the not-applicable reason.
    Numbers are shown with the attribute's unit, e.g. "3500 kg"."""
    name = condition.name
    if condition.one_of:
        shown = _number_text(value) if isinstance(value, float) else value
        if shown not in condition.one_of:
            return "attribute_not_one_of", {
                "attribute": name,
                "allowed": list(condition.one_of),
                "value": shown,
            }
        return "", {}
    if not isinstance(value, float):  # a range on a choice attribute: the KB validator's job
        return "", {}
    failure = ""
    limit = None
    if condition.minimum is not None:
        if condition.minimum_exclusive and value <= condition.minimum:
            failure, limit = "attribute_not_above_minimum", condition.minimum
        elif not condition.minimum_exclusive and value < condition.minimum:
            failure, limit = "attribute_below_minimum", condition.minimum
    if not failure and condition.maximum is not None:
        if condition.maximum_exclusive and value >= condition.maximum:
            failure, limit = "attribute_not_below_maximum", condition.maximum
        elif not condition.maximum_exclusive and value > condition.maximum:
            failure, limit = "attribute_above_maximum", condition.maximum
    if not failure:
        return "", {}

    def shown(number: float) -> str:
        return f"{_number_text(number)} {unit}" if unit else _number_text(number)

    return failure, {"attribute": name, "limit": shown(limit), "value": shown(value)}


def _judge(kb: KnowledgeBase, requirement: Requirement, product: Product) -> RequirementStatus:
    facts = {name: getattr(requirement, name) for name in STATUS_FACTS}

    def status(code: str, params: dict, outcome: str) -> RequirementStatus:
        return RequirementStatus(**facts, status=outcome, reason_code=code, reason_params=params)

    if requirement.origins and product.origin not in requirement.origins:
        params = {"origin": product.origin, "origins": list(requirement.origins)}
        return status("origin_excluded", params, NOT_APPLICABLE)

    notes: dict = {}
    if requirement.hs_prefixes:
        code = product.hs_code
        if not any(code.startswith(prefix) for prefix in requirement.hs_prefixes):
            narrower = [p for p in requirement.hs_prefixes if p.startswith(code)]
            if not narrower:
                params = {"hs_code": code, "prefixes": list(requirement.hs_prefixes)}
                return status("hs_outside", params, NOT_APPLICABLE)
            notes["narrower_hs"] = narrower
            notes["hs_code"] = code

    unstated = []
    for condition in requirement.conditions:
        value = product.attributes.get(condition.name)
        if value is None:
            unstated.append(condition.name)
            continue
        failure, params = _condition_failure(
            condition, value, kb.attribute_units.get(condition.name, "")
        )
        if failure:
            return status(failure, params, NOT_APPLICABLE)
    if unstated:
        notes["unstated_attributes"] = sorted(set(unstated))

    for accepted, code, outcome in (
        (requirement.evidence, "held_evidence", MET),
        (requirement.equivalent_evidence, "held_equivalent", MET_BY_EQUIVALENT),
    ):
        held = [evidence for evidence in accepted if evidence in product.held]
        if held:
            return status(code, {**_evidence_params(kb, "evidence", held[0]), **notes}, outcome)

    accepted = list(requirement.evidence) + list(requirement.equivalent_evidence)
    if not accepted:
        return status("no_evidence_defined", dict(notes), NOT_MET)
    return status(
        "evidence_missing", {**_evidence_params(kb, "accepted", accepted), **notes}, NOT_MET
    )


def _evidence_params(kb: KnowledgeBase, key: str, ids: str | list[str]) -> dict:
    """The ids and their titles in both languages, so the stored reason reads in either
    language without the knowledge base."""

    def titles(evidence_id: str) -> tuple[str, str]:
        evidence = kb.evidence.get(evidence_id)
        if evidence is None:
            return evidence_id, evidence_id
        return (
            evidence.title_en or evidence_id,
            evidence.title_zh or evidence.title_en or evidence_id,
        )

    if isinstance(ids, str):
        title_en, title_zh = titles(ids)
        return {key: ids, f"{key}_en": title_en, f"{key}_zh": title_zh}
    pairs = [titles(i) for i in ids]
    return {key: list(ids), f"{key}_en": [p[0] for p in pairs], f"{key}_zh": [p[1] for p in pairs]}


def _candidates(index: Index, product: Product) -> Iterable[Requirement]:
    yield from index.by_market_chapter.get((product.destination, UNIVERSAL), ())
    yield from index.by_market_chapter.get((product.destination, product.hs_code[:2]), ())


# --- the roadmap ---------------------------------------------------------------------------


def _roadmap(
    unmet: dict[str, Requirement],
) -> tuple[tuple[RoadmapStep, ...], tuple[str, ...], tuple[int, int, int]]:
    after = {
        rid: tuple(sorted({p for p in r.prerequisites if p in unmet})) for rid, r in unmet.items()
    }
    dependents: dict[str, list[str]] = {rid: [] for rid in unmet}
    for rid, prerequisites in after.items():
        for prerequisite in prerequisites:
            dependents[prerequisite].append(rid)
    order = _topological(after, dependents, key=lambda rid: rid)

    start: dict[str, tuple[int, int, int]] = {}
    finish: dict[str, tuple[int, int, int]] = {}
    for rid in order:
        begins = tuple(max((finish[p][s] for p in after[rid]), default=0) for s in range(3))
        duration = unmet[rid].duration_days
        start[rid] = begins
        finish[rid] = tuple(begins[s] + duration[s] for s in range(3))

    def lateness(rid: str) -> tuple[int, int]:
        return finish[rid][1], finish[rid][2]

    critical: list[str] = []
    if order:
        current = _latest(sorted(order), lateness)
        while current is not None:
            critical.append(current)
            current = _latest(after[current], lateness)
        critical.reverse()
    on_path = set(critical)

    # List the steps by the day each must be finished by not to delay market entry (latest
    # finish, likely scenario); among equals the critical step first, then by id.
    end = max((finish[rid][1] for rid in order), default=0)
    latest_finish: dict[str, int] = {}
    for rid in reversed(order):
        latest_finish[rid] = min(
            (latest_finish[d] - unmet[d].duration_days[1] for d in dependents[rid]), default=end
        )
    order = _topological(
        after, dependents, key=lambda rid: (latest_finish[rid], rid not in on_path, rid)
    )
    steps = tuple(
        RoadmapStep(
            id=rid,
            mast=unmet[rid].mast,
            after=after[rid],
            duration_days=tuple(unmet[rid].duration_days),
            earliest_start=start[rid],
            on_critical_path=rid in on_path,
            per_consignment=unmet[rid].per_consignment,
        )
        for rid in order
    )
    total = tuple(max((finish[rid][s] for rid in order), default=0) for s in range(3))
    return steps, tuple(critical), total


def _topological(
    after: dict[str, tuple[str, ...]], dependents: dict[str, list[str]], key
) -> list[str]:
    """Kahn's algorithm: each step after the steps it waits for; of the steps that can go
    next, the one with the smallest `key` first. Never loops: a cycle raises AssessmentError."""
    waiting = {rid: set(prerequisites) for rid, prerequisites in after.items()}
    ready = [(key(rid), rid) for rid, prerequisites in waiting.items() if not prerequisites]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, rid = heapq.heappop(ready)
        order.append(rid)
        for dependent in dependents[rid]:
            waiting[dependent].discard(rid)
            if not waiting[dependent]:
                heapq.heappush(ready, (key(dependent), dependent))
    if len(order) < len(after):  # only with a knowledge base that skipped validation
        in_cycle = sorted(rid for rid, prerequisites in waiting.items() if prerequisites)
        raise AssessmentError("kb", "prerequisite_cycle", {"requirements": in_cycle})
    return order


def _latest(ids: Iterable[str], lateness) -> str | None:
    """The id that finishes last (likely, then pessimistic); the first of equals in `ids`,
    which are sorted."""
    best = None
    for rid in ids:
        if best is None or lateness(rid) > lateness(best):
            best = rid
    return best


# --- the assessment ------------------------------------------------------------------------


def assess(kb: KnowledgeBase, product: Product) -> Assessment:
    """Judge `product` against the destination market's requirements in `kb`.

    Raises AssessmentError naming the bad field: destination (unknown market), origin,
    hs_code, attributes (unknown name or wrong type; params["name"] is the attribute), held
    (unknown evidence id), or kb (a prerequisite cycle)."""
    index = _index_of(kb)
    product = _clean_product(kb, index, product)
    judged: dict[str, RequirementStatus] = {}
    for requirement in _candidates(index, product):
        if requirement.id not in judged:
            judged[requirement.id] = _judge(kb, requirement, product)

    rank = {status: n for n, status in enumerate(STATUSES)}
    statuses = tuple(sorted(judged.values(), key=lambda s: (rank[s.status], s.id)))
    unmet = {s.id: kb.requirements[s.id] for s in statuses if s.status == NOT_MET}
    roadmap, critical_path, duration = _roadmap(unmet)
    return Assessment(
        requirements=statuses,
        roadmap=roadmap,
        critical_path=critical_path,
        duration_days=duration,
        coverage=_coverage(kb, index, product),
    )


# --- coverage ------------------------------------------------------------------------------


def _prefix_matches(prefix: str, code: str) -> bool:
    """The prefix covers the code, or (for a code given only to its heading or chapter) lies
    within it."""
    return code.startswith(prefix) or prefix.startswith(code)


def _coverage(kb: KnowledgeBase, index: Index, product: Product) -> str:
    """How much the knowledge base covers `product` in its destination market:

    * COVERED: a market file for the destination declares a "covered" scope whose HS prefix
      covers the product's code (and whose origins, if any, include the product's origin);
    * PARTIAL: a declared "partial" scope covers it, or a "covered" scope lies only within the
      product's broader code (a 4-digit code with a 6-digit scope), or no scope does but some
      of the market's requirements are written for the product's HS code;
    * NOT_COVERED: nothing: the knowledge base knows no rule for this product there, and an
      empty answer means "not known", never "ready".

    Requirements without HS prefixes (for every product) do not make a product covered."""
    code = product.hs_code
    best = NOT_COVERED
    for scope in kb.scopes:
        if scope.market != product.destination:
            continue
        if scope.origins and product.origin not in scope.origins:
            continue
        if any(code.startswith(prefix) for prefix in scope.hs_prefixes):
            if scope.coverage == COVERED:
                return COVERED
            best = PARTIAL
        elif any(prefix.startswith(code) for prefix in scope.hs_prefixes):
            best = PARTIAL
    if best != NOT_COVERED:
        return best
    for requirement in index.by_market_chapter.get((product.destination, code[:2]), ()):
        if requirement.origins and product.origin not in requirement.origins:
            continue
        if any(_prefix_matches(prefix, code) for prefix in requirement.hs_prefixes):
            return PARTIAL
    return NOT_COVERED
