"""How much the knowledge base covers a product in a market, in words, and the coverage table.

The rule itself is the engine's (`engine._coverage`, documented there): each market file may
declare a `scope` (HS prefixes, optional origins, coverage "covered" or "partial"); a product is
*covered* when a covered scope of its destination covers its HS code, *partial* when only a
partial scope does or when some requirement of that market is written for its HS code, and
*not covered* otherwise. An answer that is not covered says so and names whom to ask: it is
never "ready".
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.standards import engine

COVERAGE_LABELS = {
    engine.COVERED: gettext_lazy("covered"),
    engine.PARTIAL: gettext_lazy("partly covered"),
    engine.NOT_COVERED: gettext_lazy("not covered"),
}

# Whom to ask when the knowledge base does not know. Singapore Customs' HS/CA Product Code
# Checker names the Competent Authority controlling an HS code ("Identify the relevant CA(s)
# controlling your item", customs.gov.sg, checked 2026-12-05); for China, the General
# Administration of Customs (the authority of cn/gacc-food.yaml).
ENQUIRY_POINTS = {
    "SG": (
        gettext_lazy(
            "Singapore Customs' HS/CA Product Code Checker, which names the Competent Authority "
            "for each HS code"
        ),
        "https://www.customs.gov.sg/doing-business/quick-links-for-traders/tradenet/"
        "competent-authorities-requirements-for-controlled-items/"
        "competent-authorities-requirements-for-controlled-items-overview",
    ),
    "CN": (
        gettext_lazy("the General Administration of Customs of China (GACC)"),
        "http://english.customs.gov.cn",
    ),
}


def enquiry_point(destination: str) -> tuple[str, str]:
    """(whom to ask, their address) for a market; a generic answer for others."""
    if destination in ENQUIRY_POINTS:
        name, url = ENQUIRY_POINTS[destination]
        return str(name), url
    return _("the destination market's customs authority or WTO enquiry point"), ""


def coverage_label(coverage: str) -> str:
    return str(COVERAGE_LABELS.get(coverage, coverage))


def coverage_note(coverage: str, destination: str) -> str:
    """One or two sentences: how far the answer goes, and whom to ask when it does not."""
    contact, url = enquiry_point(destination)
    if url:
        contact = f"{contact} ({url})"
    if coverage == engine.NOT_COVERED:
        return _(
            "Not covered: the knowledge base holds no rules for this product in this market, so "
            "an empty list means “not known”, not “ready”. Ask %(contact)s which rules apply."
        ) % {"contact": contact}
    if coverage == engine.PARTIAL:
        return _(
            "Partly covered: the knowledge base knows some of the rules for this product in this "
            "market, not all of them. Check the full list with %(contact)s."
        ) % {"contact": contact}
    return _(
        "Covered: the knowledge base lists the rules it knows for this product in this market."
    )


# --- the coverage table: HS chapter × market -----------------------------------------------


@dataclass
class CoverageCell:
    market: str
    requirements: int = 0  # requirements written for this chapter (HS-specific ones)
    coverage: str = engine.NOT_COVERED
    families: list[str] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)  # when the scope is for some origins only


@dataclass
class CoverageRow:
    chapter: str
    section: str = ""
    description: str = ""
    cells: list[CoverageCell] = field(default_factory=list)


def _rank(coverage: str) -> int:
    return {engine.NOT_COVERED: 0, engine.PARTIAL: 1, engine.COVERED: 2}[coverage]


def coverage_table(knowledge_base: engine.KnowledgeBase, markets: list[str]) -> list[CoverageRow]:
    """One row per HS chapter the knowledge base says anything about, one cell per market:
    how many requirements are written for the chapter there, and its coverage. A chapter is
    *covered* in a market when a covered scope there includes the whole chapter, *partial* when
    a scope or a requirement touches part of it, *not covered* otherwise. Requirements for
    every product (no HS prefix) are not counted."""
    chapters: dict[str, dict[str, CoverageCell]] = {}

    def cell(chapter: str, market: str) -> CoverageCell:
        row = chapters.setdefault(chapter, {m: CoverageCell(m) for m in markets})
        return row.setdefault(market, CoverageCell(market))

    for requirement in knowledge_base.requirements.values():
        for chapter in sorted({prefix[:2] for prefix in requirement.hs_prefixes}):
            target = cell(chapter, requirement.market)
            target.requirements += 1
            if target.coverage == engine.NOT_COVERED:
                target.coverage = engine.PARTIAL
    for scope in knowledge_base.scopes:
        for prefix in scope.hs_prefixes:
            target = cell(prefix[:2], scope.market)
            level = scope.coverage if len(prefix) == 2 else engine.PARTIAL
            if _rank(level) > _rank(target.coverage):
                target.coverage = level
            if scope.family and scope.family not in target.families:
                target.families.append(scope.family)
            for origin in scope.origins:
                if origin not in target.origins:
                    target.origins.append(origin)
    rows = []
    for chapter in sorted(chapters):
        by_market = chapters[chapter]
        rows.append(
            CoverageRow(
                chapter=chapter,
                cells=[by_market.get(m, CoverageCell(m)) for m in markets],
            )
        )
    return rows
