"""Reads that the standards pages, the PDF report and the API share.

`assessments_visible_to(user)` is the only door to readiness assessments: an enterprise sees
its own organisation's assessments, the initiative's facilitators and administrators see all,
anybody else (and anonymous visitors) none.

`assessment_report(assessment, language)` turns the stored, language-neutral result (codes
and values) into what a person reads, in English or Chinese.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.accounts import roles
from corridor.core.bilingual import bilingual, is_chinese
from corridor.core.vocabularies import country_name
from corridor.standards import coverage, engine, hs, kb, reasons
from corridor.standards.models import HsCode, ReadinessAssessment, Watch

STATUS_LABELS = {
    "met": gettext_lazy("met"),
    "met_by_equivalent": gettext_lazy("met by a recognised equivalent"),
    "not_met": gettext_lazy("not met"),
    "not_applicable": gettext_lazy("not applicable"),
}

CONFIDENCE_LABELS = {
    "confirmed": gettext_lazy("confirmed"),
    "partly confirmed": gettext_lazy("partly confirmed"),
    "unconfirmed": gettext_lazy("unconfirmed"),
}


def assessments_visible_to(user) -> QuerySet[ReadinessAssessment]:
    assessments = ReadinessAssessment.objects.select_related("organisation", "created_by")
    if not getattr(user, "is_authenticated", False):
        return assessments.none()
    if roles.is_facilitator(user):
        return assessments
    return assessments.filter(organisation_id__in=roles.organisation_ids(user))


def assessment_visible_to(user, pk: int) -> ReadinessAssessment | None:
    """The assessment with this id if the user may see it; None when it does not exist or
    they may not (the pages and the API answer 404 alike, never saying which)."""
    return assessments_visible_to(user).filter(pk=pk).first()


# --- the result as a person reads it ---------------------------------------------------------


class _Titled:
    """A stored title pair, readable with `bilingual` (and the `bi` template filter)."""

    def __init__(self, title_en: str, title_zh: str):
        self.title_en, self.title_zh = title_en, title_zh


@dataclass
class RequirementLine:
    id: str
    mast: str
    title: str
    status: str
    status_label: str
    reason: str
    source_url: str
    checked_on: str
    confidence: str
    confidence_label: str
    authority: str
    per_consignment: bool
    source_quote: str = ""


@dataclass
class RoadmapLine:
    number: int
    id: str
    mast: str
    title: str
    after: list[str]  # titles of the steps it waits for
    after_numbers: list[int]
    duration_days: list[int]
    earliest_start: list[int]
    on_critical_path: bool


@dataclass
class AssessmentReport:
    language: str
    requirements: list[RequirementLine] = field(default_factory=list)
    roadmap: list[RoadmapLine] = field(default_factory=list)
    duration_days: list[int] = field(default_factory=lambda: [0, 0, 0])
    critical_path: list[str] = field(default_factory=list)  # titles, in order
    counts: dict[str, int] = field(default_factory=dict)
    coverage: str = ""  # covered | partial | not_covered
    coverage_label: str = ""
    coverage_note: str = ""  # how far the answer goes, and whom to ask
    hs_code_error: str = ""  # the HS code is not in the loaded edition

    @property
    def is_ready(self) -> bool:
        """Nothing left to do, and the knowledge base covers the product: only then is an
        empty roadmap good news."""
        return not self.roadmap and self.coverage == "covered" and not self.hs_code_error

    @property
    def sources(self) -> list[tuple[str, str]]:
        """(title, URL) of every requirement, each URL once, for the report's source list."""
        seen: dict[str, str] = {}
        for line in self.requirements:
            if line.source_url and line.source_url not in seen:
                seen[line.source_url] = line.title
        return [(title, url) for url, title in seen.items()]


def _titles(result: dict, language: str) -> dict[str, str]:
    titles = {}
    for row in result.get("requirements", []) + result.get("roadmap", []):
        if "title_en" in row or "title_zh" in row:
            titles[row["id"]] = bilingual(
                _Titled(row.get("title_en", ""), row.get("title_zh", "")), "title", language
            )
    return titles


def assessment_report(assessment: ReadinessAssessment, language: str) -> AssessmentReport:
    """The stored result in words, in `language` ("en" or "zh-hans")."""
    result = assessment.result or {}
    with translation.override(language):
        titles = _titles(result, language)
        report = AssessmentReport(language=language)
        for row in result.get("requirements", []):  # in the engine's order
            report.requirements.append(
                RequirementLine(
                    id=row["id"],
                    mast=row.get("mast", ""),
                    title=titles.get(row["id"], row["id"]),
                    status=row["status"],
                    status_label=str(STATUS_LABELS.get(row["status"], row["status"])),
                    reason=reasons.reason_text(row["reason_code"], row.get("reason_params") or {}),
                    source_url=row.get("source_url", ""),
                    checked_on=row.get("checked_on", ""),
                    confidence=row.get("confidence", ""),
                    confidence_label=str(
                        CONFIDENCE_LABELS.get(row.get("confidence", ""), row.get("confidence", ""))
                    ),
                    authority=row.get("authority", ""),
                    per_consignment=bool(row.get("per_consignment")),
                    source_quote=row.get("source_quote", ""),
                )
            )
            report.counts[row["status"]] = report.counts.get(row["status"], 0) + 1
        numbers = {step["id"]: n for n, step in enumerate(result.get("roadmap", []), start=1)}
        for step in result.get("roadmap", []):
            report.roadmap.append(
                RoadmapLine(
                    number=numbers[step["id"]],
                    id=step["id"],
                    mast=step.get("mast", ""),
                    title=titles.get(step["id"], step["id"]),
                    after=[titles.get(i, i) for i in step.get("after", [])],
                    after_numbers=[numbers[i] for i in step.get("after", []) if i in numbers],
                    duration_days=list(step.get("duration_days", [0, 0, 0])),
                    earliest_start=list(step.get("earliest_start", [0, 0, 0])),
                    on_critical_path=bool(step.get("on_critical_path")),
                )
            )
        report.duration_days = list(result.get("duration_days", [0, 0, 0]))
        report.critical_path = [titles.get(i, i) for i in result.get("critical_path", [])]
        report.coverage = stored_coverage(result)
        report.coverage_label = coverage.coverage_label(report.coverage)
        report.coverage_note = coverage.coverage_note(report.coverage, assessment.destination)
        report.hs_code_error = hs_code_error(assessment.hs_code)
    return report


def stored_coverage(result: dict) -> str:
    """The coverage stored with the result; for results stored before coverage was recorded,
    "not_covered" when no requirement applied (so an empty answer is never "ready"), else
    "partial" (it is not known how much was missing then)."""
    if result.get("coverage") in engine.COVERAGES:
        return result["coverage"]
    applied = [r for r in result.get("requirements", []) if r.get("status") != "not_applicable"]
    return engine.PARTIAL if applied else engine.NOT_COVERED


def hs_code_error(code: str) -> str:
    """The error sentence when `code` is not in the loaded HS edition (in the active
    language), else "": the same words as the form, the API and the `assess` command."""
    if hs.code_is_known(code):
        return ""
    return reasons.error_text(engine.AssessmentError("hs_code", "unknown_hs_code", {"value": code}))


def status_summary(report: AssessmentReport) -> str:
    """One line: how many requirements are met, met by an equivalent, not met."""
    return _("%(met)s met, %(equivalent)s met by a recognised equivalent, %(not_met)s not met.") % {
        "met": report.counts.get("met", 0),
        "equivalent": report.counts.get("met_by_equivalent", 0),
        "not_met": report.counts.get("not_met", 0),
    }


def assessments_of_own_organisations(user, limit: int = 8) -> list[ReadinessAssessment]:
    """The readiness assessments of the user's own organisations, newest first (the home
    page; the initiative's staff see every assessment on the assessments page)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        ReadinessAssessment.objects.filter(organisation_id__in=roles.organisation_ids(user))
        .select_related("organisation")
        .order_by("-created_at", "-id")[:limit]
    )


def watch_with_id(pk: int) -> Watch | None:
    """A followed product by id, whoever follows it (`services.watch_remove` checks who asks)."""
    return Watch.objects.filter(pk=pk).first()


def watches_of(user) -> QuerySet:
    """The products a person follows (nobody else's), by market and HS code."""
    if not getattr(user, "is_authenticated", False):
        return Watch.objects.none()
    return Watch.objects.filter(user=user).order_by("market", "hs_prefix")


# --- what the knowledge base covers ----------------------------------------------------------


def coverage_overview() -> dict:
    """The coverage page: HS chapter × market of the knowledge base, each cell with its
    requirement counts and its words, each chapter described from the HS nomenclature."""
    knowledge_base = kb.current()
    markets = sorted(knowledge_base.markets)
    rows = coverage.coverage_table(knowledge_base, markets)
    describe_chapters(rows)
    for row in rows:
        for cell in row.cells:
            cell.label = coverage.coverage_label(cell.coverage)
    return {
        "rows": rows,
        "markets": [(code, country_name(code)) for code in markets],
        "enquiry_points": [(country_name(code), *coverage.enquiry_point(code)) for code in markets],
        "total": len(knowledge_base.requirements),
    }


def describe_chapters(rows: list[coverage.CoverageRow]) -> None:
    """Fill in each row's chapter description and section from the loaded HS nomenclature
    (in the active language), when it is loaded."""
    codes = {
        code.code: code
        for code in HsCode.objects.filter(
            edition=hs.DEFAULT_EDITION, code__in=[row.chapter for row in rows]
        )
    }
    chinese = is_chinese()
    for row in rows:
        code = codes.get(row.chapter)
        if code is not None:
            row.description = (code.description_zh if chinese else "") or code.description_en
            row.section = code.section
