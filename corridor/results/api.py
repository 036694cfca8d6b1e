"""The results framework's JSON API, mounted at /api/results/.

Thin: parse, call a query or a service, answer. Indicators are reached through
`Indicator.objects.visible_to(request.user)`: one the caller may not see answers 404, like one
that does not exist. Writes go through corridor.results.services with the same rules as the
pages (a refused write answers 403, a wrong field 400 naming it; nothing is written either
way). An indicator's `progress` follows the stated rule (`corridor/results/status.py`).
Actuals sent here carry their evidence as a `source_url`; documents are uploaded on the page.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from corridor.accounts.api import AUTH, AUTH_OR_ANONYMOUS
from corridor.cases.models import Case
from corridor.core.api import Int64, LongText, NameText, Pages, choices_of, conflict_or_raise
from corridor.events.models import Event
from corridor.portfolio.models import Project
from corridor.results import permissions, queries, services
from corridor.results.models import Actual, Indicator, Side, Target

router = Router(tags=["results"])


# --- schemas -------------------------------------------------------------------------------


class IndicatorProgressOut(Schema):
    status: str = Field(
        ..., description="on_track, at_risk, off_track, no_data (no actual yet) or no_target."
    )
    achieved_percent: int = Field(..., description="Share of the way to the current target.")
    expected_percent: int = Field(..., description="Share of the target's period elapsed.")
    target_value: Decimal | None
    target_period_end: date | None
    actual_value: Decimal | None
    actual_period_end: date | None


class IndicatorOut(Schema):
    id: int
    title_en: str
    title_zh: str
    unit_en: str
    unit_zh: str
    direction: str
    baseline_value: Decimal
    baseline_on: date | None
    scope: str = Field(..., description="initiative, project, case or event.")
    project_id: int | None
    case_id: int | None
    event_id: int | None
    by_side: bool
    by_sector: bool
    feed: str
    is_synthetic: bool
    version: int
    progress: IndicatorProgressOut


class TargetOut(Schema):
    id: int
    period_start: date
    period_end: date
    value: Decimal
    side: str
    sector: str | None = Field(None, description="The sector's code; null for the total.")
    source_url: str


class ActualOut(TargetOut):
    has_document: bool
    from_feed: bool
    note: str
    recorded_at: str


class IndicatorDetailOut(IndicatorOut):
    description_en: str
    description_zh: str
    source_url: str
    targets: list[TargetOut]
    actuals: list[ActualOut]
    can_define: bool = Field(..., description="The caller may change it and set targets.")
    can_record: bool = Field(..., description="The caller may record actuals.")


class IndicatorIn(Schema):
    title_en: NameText = Field(..., max_length=300)
    title_zh: NameText = Field("", max_length=300)
    description_en: LongText = Field("", max_length=5000)
    description_zh: LongText = Field("", max_length=5000)
    unit_en: NameText = Field(..., max_length=60)
    unit_zh: NameText = Field("", max_length=60)
    direction: choices_of(Indicator.Direction, "IndicatorDirection") = Indicator.Direction.INCREASE
    baseline_value: Decimal = Decimal(0)
    baseline_on: date | None = None
    project: Int64 | None = Field(None, description="The project it measures (or none).")
    case: Int64 | None = Field(None, description="The case it measures (or none).")
    event: Int64 | None = Field(None, description="The event it measures (or none).")
    by_side: bool = False
    by_sector: bool = False
    feed: choices_of(Indicator.Feed, "IndicatorFeed") = Indicator.Feed.MANUAL
    source_url: str = Field("", max_length=500)


class IndicatorPatch(Schema):
    version: Int64
    title_en: NameText | None = Field(None, max_length=300)
    title_zh: NameText | None = Field(None, max_length=300)
    description_en: LongText | None = Field(None, max_length=5000)
    description_zh: LongText | None = Field(None, max_length=5000)
    unit_en: NameText | None = Field(None, max_length=60)
    unit_zh: NameText | None = Field(None, max_length=60)
    direction: choices_of(Indicator.Direction, "IndicatorDirection") | None = None
    baseline_value: Decimal | None = None
    baseline_on: date | None = None
    feed: choices_of(Indicator.Feed, "IndicatorFeed") | None = None
    source_url: str | None = Field(None, max_length=500)


class TargetIn(Schema):
    period_start: date
    period_end: date
    value: Decimal
    side: choices_of(Side, "IndicatorSide") | None = None
    sector: str | None = Field(None, max_length=40, description="A sector's code.")
    source_url: str = Field("", max_length=500)


class ActualIn(TargetIn):
    source_url: str = Field(..., max_length=500, description="Where the value is shown.")
    note: LongText = Field("", max_length=500)


class MeasureIn(Schema):
    period_start: date
    period_end: date


class IndicatorQuery(Schema):
    q: str = Field("", max_length=200)
    scope: str | None = Field(None, description="initiative, project, case or event.")
    status: str | None = Field(
        None, description="on_track, at_risk, off_track, no_data, no_target."
    )
    project: Int64 | None = None
    case: Int64 | None = None
    event: Int64 | None = None


# --- answers -------------------------------------------------------------------------------


def _progress_out(progress) -> dict:
    return {
        "status": progress.status,
        "achieved_percent": progress.achieved_percent,
        "expected_percent": progress.expected_percent,
        "target_value": progress.target.value if progress.target else None,
        "target_period_end": progress.target.end if progress.target else None,
        "actual_value": progress.actual.value if progress.actual else None,
        "actual_period_end": progress.actual.end if progress.actual else None,
    }


def _indicator_out(indicator: Indicator, progress) -> dict:
    return {
        **{
            name: getattr(indicator, name)
            for name in (
                "id",
                "title_en",
                "title_zh",
                "unit_en",
                "unit_zh",
                "direction",
                "baseline_value",
                "baseline_on",
                "scope",
                "project_id",
                "case_id",
                "event_id",
                "by_side",
                "by_sector",
                "feed",
                "is_synthetic",
                "version",
            )
        },
        "progress": _progress_out(progress),
    }


def _row_out(row: Target | Actual) -> dict:
    out = {
        "id": row.pk,
        "period_start": row.period_start,
        "period_end": row.period_end,
        "value": row.value,
        "side": row.side,
        "sector": row.sector.code if row.sector_id else None,
        "source_url": row.source_url,
    }
    if isinstance(row, Actual):
        out.update(
            has_document=bool(row.document),
            from_feed=row.from_feed,
            note=row.note,
            recorded_at=row.recorded_at.isoformat(),
        )
    return out


def _visible(request, indicator_id: int) -> Indicator:
    indicator = queries.indicator_visible(request.user, indicator_id)
    if indicator is None:
        raise Http404
    return indicator


def _detail(request, indicator: Indicator) -> dict:
    return {
        **_indicator_out(indicator, queries.progress_of(indicator)),
        "description_en": indicator.description_en,
        "description_zh": indicator.description_zh,
        "source_url": indicator.source_url,
        "targets": [_row_out(t) for t in queries.targets_of(indicator)],
        "actuals": [_row_out(a) for a in queries.actuals_of(indicator)],
        "can_define": permissions.can_define(request.user, indicator),
        "can_record": permissions.can_record(request.user, indicator),
    }


def _scope_record(request, model, pk, field: str):
    if pk is None:
        return None
    record = model.objects.visible_to(request.user).filter(pk=pk).first()
    if record is None:
        raise ValidationError(
            {field: _("No record you may see has the id “%(value)s”.") % {"value": pk}}
        )
    return record


# --- routes --------------------------------------------------------------------------------


@router.get("/indicators", response=list[IndicatorOut], auth=AUTH_OR_ANONYMOUS)
@paginate(Pages)
def indicator_list(request, filters: Query[IndicatorQuery]):
    """The indicators the caller may see, with their progress by the stated rule."""
    rows = queries.indicator_rows(
        request.user,
        queries.IndicatorFilter.from_params(
            {k: "" if v is None else str(v) for k, v in filters.model_dump().items()}
        ),
    )
    return [_indicator_out(row.indicator, row.progress) for row in rows]


@router.post("/indicators", response={201: IndicatorDetailOut}, auth=AUTH)
def indicator_create(request, payload: IndicatorIn):
    """An indicator of the initiative (no project, case or event), or of one of them."""
    data = payload.model_dump()
    scope = {
        "project": _scope_record(request, Project, data.pop("project"), "project"),
        "case": _scope_record(request, Case, data.pop("case"), "case"),
        "event": _scope_record(request, Event, data.pop("event"), "event"),
    }
    indicator = services.indicator_create(actor=request.user, **scope, **data)
    return Status(201, _detail(request, indicator))


@router.get("/indicators/{int:indicator_id}", response=IndicatorDetailOut, auth=AUTH_OR_ANONYMOUS)
def indicator_detail(request, indicator_id: int):
    """The indicator with its targets, actuals and progress."""
    return _detail(request, _visible(request, indicator_id))


@router.patch(
    "/indicators/{int:indicator_id}", response={200: IndicatorDetailOut, 409: dict}, auth=AUTH
)
def indicator_update(request, indicator_id: int, payload: IndicatorPatch):
    """Change the fields given, with the `version` you read (409 if it changed since)."""
    indicator = _visible(request, indicator_id)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    try:
        indicator = services.indicator_update(
            actor=request.user, indicator=indicator, version=version, **changes
        )
    except ValidationError as exc:
        return conflict_or_raise(exc, "version")
    return _detail(request, indicator)


@router.get(
    "/indicators/{int:indicator_id}/targets", response=list[TargetOut], auth=AUTH_OR_ANONYMOUS
)
def target_list(request, indicator_id: int):
    return [_row_out(t) for t in queries.targets_of(_visible(request, indicator_id))]


@router.post("/indicators/{int:indicator_id}/targets", response={201: TargetOut}, auth=AUTH)
def target_add(request, indicator_id: int, payload: TargetIn):
    """A target: the level to reach by the end of the period (never a project's value)."""
    indicator = _visible(request, indicator_id)
    target = services.target_add(actor=request.user, indicator=indicator, **payload.model_dump())
    return Status(201, _row_out(target))


@router.get(
    "/indicators/{int:indicator_id}/actuals", response=list[ActualOut], auth=AUTH_OR_ANONYMOUS
)
def actual_list(request, indicator_id: int):
    return [_row_out(a) for a in queries.actuals_of(_visible(request, indicator_id))]


@router.post("/indicators/{int:indicator_id}/actuals", response={201: ActualOut}, auth=AUTH)
def actual_record(request, indicator_id: int, payload: ActualIn):
    """An actual with the address of its evidence."""
    indicator = _visible(request, indicator_id)
    actual = services.actual_record(actor=request.user, indicator=indicator, **payload.model_dump())
    return Status(201, _row_out(actual))


@router.post("/indicators/{int:indicator_id}/actuals/measure", response={201: ActualOut}, auth=AUTH)
def actual_measure(request, indicator_id: int, payload: MeasureIn):
    """Measure the indicator from its feed (meetings held, milestones met, ...) and record
    the value with a link to the records counted."""
    indicator = _visible(request, indicator_id)
    actual = services.actual_record_from_feed(
        actor=request.user, indicator=indicator, **payload.model_dump()
    )
    return Status(201, _row_out(actual))
