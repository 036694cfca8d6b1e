"""The readiness-assessment JSON API, mounted at /api/standards/.

POST /assessments                  assess a product for a market; 201 with the result, 400 with
                                   field errors on bad input (nothing is saved)
GET  /assessments                  the assessments the caller may see, newest first (paginated)
GET  /assessments/{id}             one assessment; 404 when the caller may not see it
GET  /assessments/{id}/report.pdf  the printable report (?lang=en or zh-hans)
GET  /watches                      the products (HS prefix × market) the caller follows
POST /watches                      follow one more; 201, or 400 with field errors
DELETE /watches/{id}               stop following it; 204, 403 for someone else's

Thin: parse, call the service or a query, answer. Titles and reasons come in the request's
language (Accept-Language, or the session's); the stored codes and values come beside them,
so that a client can word them itself.
"""

from datetime import datetime

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import ConfigDict

from corridor.accounts.api import AUTH, organisation_by_id
from corridor.core.api import NameText, Pages, found_or_404
from corridor.core.bilingual import is_chinese
from corridor.standards import pdf, queries, services
from corridor.standards.models import ReadinessAssessment

router = Router(tags=["standards"])


# --- schemas -------------------------------------------------------------------------------


class AssessmentOrganisationOut(Schema):
    id: int
    name_en: str
    name_zh: str


class RequirementResultOut(Schema):
    id: str
    mast: str
    title: str = Field(description="In the request's language.")
    title_en: str
    title_zh: str
    status: str = Field(description="met | met_by_equivalent | not_met | not_applicable")
    reason: str = Field(description="Why, in the request's language.")
    reason_code: str
    reason_params: dict
    source: str
    checked_on: str
    confidence: str = Field(description="confirmed | partly confirmed | unconfirmed")
    authority: str = Field("", description="The key of the authority that sets it.")
    per_consignment: bool


class RoadmapStepOut(Schema):
    id: str
    mast: str
    title: str
    after: list[str] = Field(description="The ids of the steps it waits for.")
    duration_days: list[int] = Field(description="optimistic, likely, pessimistic")
    earliest_start: list[int] = Field(
        description="Days from today: optimistic, likely, pessimistic"
    )
    on_critical_path: bool
    per_consignment: bool


class ResultOut(Schema):
    requirements: list[RequirementResultOut]
    roadmap: list[RoadmapStepOut]
    critical_path: list[str]
    duration_days: list[int] = Field(
        description="To market entry, in days: optimistic, likely, pessimistic."
    )
    coverage: str = Field(
        description="How much the knowledge base covers the product in the market: covered | "
        "partial | not_covered. Without coverage, an empty list means not known, not ready."
    )
    coverage_note: str = Field(description="The same in a sentence, with whom to ask.")


class AssessmentQuestionOut(Schema):
    """What an assessment asked, shared by its summary and its whole answer."""

    id: int
    organisation: AssessmentOrganisationOut
    product_name: str
    hs_code: str
    origin: str
    destination: str


class AssessmentOut(AssessmentQuestionOut):
    attributes: dict
    held: list[str]
    created_at: datetime
    is_stale: bool = Field(description="A requirement it rests on changed since it was made.")
    result: ResultOut
    report_url: str
    hs_code_error: str = Field(
        "", description="Set when the HS code is not in the loaded HS edition."
    )


class AssessmentSummaryOut(AssessmentQuestionOut):
    created_at: datetime
    is_stale: bool
    duration_days: list[int] = Field(
        description="To market entry: optimistic, likely, pessimistic."
    )

    @staticmethod
    def resolve_duration_days(assessment: ReadinessAssessment) -> list[int]:
        return (assessment.result or {}).get("duration_days", [0, 0, 0])


class AssessmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organisation_id: int = Field(description="The organisation the assessment belongs to.")
    product_name: NameText = ""
    hs_code: str = Field(description="HS 2022: 6 digits, or 4 or 2 when classified only so far.")
    origin: str = Field("CN", description="ISO 3166 alpha-2 code of the country of origin.")
    destination: str = Field(description="ISO 3166 alpha-2 code of the destination market.")
    attributes: dict[str, str | float | None] = Field(
        default_factory=dict, description='Product attributes, e.g. {"powertrain": "electric"}.'
    )
    held: list[str] = Field(
        default_factory=list, description="Ids of the certificates and approvals already held."
    )


class ReportQuery(Schema):
    lang: str | None = Field(None, pattern=r"^(en|zh-hans)$")


# --- helpers -------------------------------------------------------------------------------


def _visible_assessment(request, assessment_id: int) -> ReadinessAssessment:
    """The assessment, if the caller may see it; 404 otherwise, never saying whether it exists."""
    return found_or_404(
        queries.assessment_visible_to(request.user, assessment_id),
        _("No assessment has the id “%(value)s”."),
        assessment_id,
    )


def _detail(assessment: ReadinessAssessment) -> dict:
    language = get_language()
    report = queries.assessment_report(assessment, language)
    lines = {line.id: line for line in report.requirements}
    steps = {step.id: step for step in report.roadmap}
    stored = assessment.result or {}
    return {
        "id": assessment.pk,
        "organisation": assessment.organisation,
        "product_name": assessment.product_name,
        "hs_code": assessment.hs_code,
        "origin": assessment.origin,
        "destination": assessment.destination,
        "attributes": assessment.attributes,
        "held": assessment.held,
        "created_at": assessment.created_at,
        "is_stale": assessment.is_stale,
        "report_url": f"/api/standards/assessments/{assessment.pk}/report.pdf",
        "result": {
            "requirements": [
                {
                    "id": row["id"],
                    "mast": row.get("mast", ""),
                    "title": lines[row["id"]].title,
                    "title_en": row.get("title_en", ""),
                    "title_zh": row.get("title_zh", ""),
                    "status": row["status"],
                    "reason": lines[row["id"]].reason,
                    "reason_code": row["reason_code"],
                    "reason_params": row.get("reason_params") or {},
                    "source": row.get("source_url", ""),
                    "checked_on": row.get("checked_on", ""),
                    "confidence": row.get("confidence", ""),
                    "authority": row.get("authority", ""),
                    "per_consignment": bool(row.get("per_consignment")),
                }
                for row in stored.get("requirements", [])
            ],
            "roadmap": [
                {
                    "id": step["id"],
                    "mast": step.get("mast", ""),
                    "title": steps[step["id"]].title,
                    "after": step.get("after", []),
                    "duration_days": step.get("duration_days", [0, 0, 0]),
                    "earliest_start": step.get("earliest_start", [0, 0, 0]),
                    "on_critical_path": bool(step.get("on_critical_path")),
                    "per_consignment": bool(step.get("per_consignment")),
                }
                for step in stored.get("roadmap", [])
            ],
            "critical_path": stored.get("critical_path", []),
            "duration_days": stored.get("duration_days", [0, 0, 0]),
            "coverage": report.coverage,
            "coverage_note": report.coverage_note,
        },
        "hs_code_error": report.hs_code_error,
    }


# --- endpoints -----------------------------------------------------------------------------


@router.post("/assessments", response={201: AssessmentOut}, auth=AUTH)
def assessment_create(request, payload: AssessmentIn):
    assessment = services.assessment_create(
        actor=request.user,
        organisation=organisation_by_id(payload.organisation_id, "organisation_id"),
        **payload.model_dump(exclude={"organisation_id"}),
    )
    return Status(201, _detail(_visible_assessment(request, assessment.pk)))


@router.get("/assessments", response=list[AssessmentSummaryOut], auth=AUTH)
@paginate(Pages)
def assessment_list(request):
    return queries.assessments_visible_to(request.user)


@router.get("/assessments/{int:assessment_id}", response=AssessmentOut, auth=AUTH)
def assessment_detail(request, assessment_id: int):
    return _detail(_visible_assessment(request, assessment_id))


@router.get("/assessments/{int:assessment_id}/report.pdf", auth=AUTH)
def assessment_report(request, assessment_id: int, query: Query[ReportQuery]):
    assessment = _visible_assessment(request, assessment_id)
    language = query.lang or ("zh-hans" if is_chinese(get_language()) else "en")
    return pdf.report_response(assessment, language)


# --- watch lists ---------------------------------------------------------------------------


class WatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    hs_prefix: str = Field(max_length=12, description="2, 4 or 6 digits of HS 2022, e.g. 0203")
    market: str = Field(max_length=2, description="ISO 3166 alpha-2, a market the KB covers")


class WatchOut(Schema):
    id: int
    hs_prefix: str
    market: str
    created_at: datetime


@router.get("/watches", response=list[WatchOut], auth=AUTH)
def watch_list(request):
    return list(queries.watches_of(request.user))


@router.post("/watches", response={201: WatchOut}, auth=AUTH)
def watch_add(request, payload: WatchIn):
    watch = services.watch_add(
        actor=request.user, hs_prefix=payload.hs_prefix, market=payload.market
    )
    return Status(201, watch)


@router.delete("/watches/{int:watch_id}", response={204: None}, auth=AUTH)
def watch_remove(request, watch_id: int):
    watch = found_or_404(
        queries.watch_with_id(watch_id), _("No followed product has the id “%(value)s”."), watch_id
    )
    services.watch_remove(actor=request.user, watch=watch)
    return Status(204, None)
