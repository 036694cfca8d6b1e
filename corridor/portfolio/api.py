"""The portfolio's JSON API, mounted at /api/portfolio/.

Thin: parse, call a service or a query, answer. Reads start from
`Project.objects.visible_to(request.user)` (anonymous visitors see only what is published);
writes go through corridor.portfolio.services. A project the caller may not see answers 404,
exactly like one that does not exist. Money is a decimal string with its ISO 4217 code, plus
its value in US dollars and the dated rate used. Bilingual fields come as *_en and *_zh.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import ConfigDict, field_validator

from corridor.accounts.api import AUTH, AUTH_OR_ANONYMOUS, organisation_by_id
from corridor.accounts.models import Organisation
from corridor.core.api import (
    ErrorOut,
    Int64,
    NameText,
    OrganisationRefOut,
    Pages,
    PersonRefOut,
    choices_of,
    found_or_404,
)
from corridor.core.models import Sector
from corridor.portfolio import permissions, queries, services
from corridor.portfolio.models import Innovation, Project, ProjectRevision

router = Router(tags=["portfolio"])

CENT = Decimal("0.01")
SLUG = r"^[-a-z0-9_]+$"
NO_NULL_CHARACTER = r"^[^\x00]*$"


def in_cents(value: Decimal) -> Decimal:
    """Sums come back from the database with as many decimals as it likes; say cents."""
    return value.quantize(CENT)


# --- schemas: out --------------------------------------------------------------------------


class SectorOut(Schema):
    code: str
    name_en: str
    name_zh: str
    is_priority: bool


class PortfolioOrganisationOut(OrganisationRefOut):
    kind: str


class ProjectPartyOut(Schema):
    organisation: PortfolioOrganisationOut
    role: str


class FxRateOut(Schema):
    """The dated rate a value was converted with: 1 unit of `currency` = `rate` US dollars."""

    currency: str
    date: date
    rate: Decimal = Field(..., alias="usd_per_unit")
    source: str


class _RecordOut(Schema):
    """What projects and innovations both start with."""

    id: int
    external_id: str
    title_en: str
    title_zh: str
    description_en: str
    description_zh: str


class ProjectOut(_RecordOut):
    kind: str
    status: str
    status_changed_on: date | None
    sector: SectorOut
    value: Decimal | None
    currency: str
    value_usd: Decimal | None
    fx_rate: FxRateOut | None
    counted_value_usd: Decimal | None = Field(
        ..., description="Zero when the value is already part of the framework agreement's value."
    )
    signed_on: date | None
    location_en: str
    location_zh: str
    parent_id: int | None
    owner: PortfolioOrganisationOut
    lead_side: str
    parties: list[ProjectPartyOut]
    is_published: bool
    is_synthetic: bool
    source_url: str
    updated_at: datetime
    version: int = Field(
        ..., description="Send it back with a change; a stale version answers 409 (see PATCH)."
    )


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    on: date
    reason: str


class ProjectMilestoneOut(Schema):
    title_en: str
    title_zh: str
    planned_on: date | None
    achieved_on: date | None


class LinkOut(Schema):
    title_en: str
    title_zh: str
    url: str
    kind: str
    publisher: str
    published_on: date | None


class ProjectDetailOut(ProjectOut):
    status_changes: list[StatusChangeOut]
    milestones: list[ProjectMilestoneOut]
    links: list[LinkOut]


class ProjectConflictOut(ErrorOut):
    """A change made from a version that is no longer the saved one: nothing was written;
    `current` is the project as it is now."""

    current: ProjectDetailOut


class ProjectRevisionOut(Schema):
    """A change of a published project, held until an initiative administrator publishes it.
    `values` is the whole project as proposed (`parties`: [organisation id, role] pairs, or
    null when unchanged); `changes` maps each field it changes to [published, proposed]."""

    id: int
    project_id: int
    status: str
    author: PersonRefOut | None
    created_at: datetime
    base_version: int
    values: dict
    changes: dict[str, list]
    decided_by: PersonRefOut | None
    decided_at: datetime | None
    decision_note: str

    @staticmethod
    def resolve_changes(revision: ProjectRevision) -> dict[str, list]:
        if revision.status != ProjectRevision.Status.PENDING:
            return {}
        return services.revision_changes(revision)


class ReplicationOut(Schema):
    place_en: str
    place_zh: str
    country: str
    replicated_on: date | None


class InnovationOut(_RecordOut):
    category: str
    adopted_on: date | None
    agencies: list[PortfolioOrganisationOut]
    replications: list[ReplicationOut]
    is_published: bool
    is_synthetic: bool
    source_url: str


class PublishedFigureOut(Schema):
    id: int
    metric: str
    value: Decimal
    qualifier: str
    as_of: date
    kinds: list[str] = Field(..., description="The project kinds covered; empty means all.")
    scope_en: str
    scope_zh: str
    publisher: str
    source_url: str
    checked_on: date | None


class FigureComparisonOut(Schema):
    """A figure an authority published, beside the registry's own figure over the same scope."""

    figure: PublishedFigureOut
    registry: Decimal
    difference: Decimal = Field(..., description="Registry minus published figure.")


class TotalsOut(Schema):
    projects: int
    value_usd: Decimal
    without_value: int
    sub_projects: int

    _in_cents = field_validator("value_usd")(in_cents)


class BreakdownOut(Schema):
    code: str
    label: str
    projects: int
    value_usd: Decimal

    _in_cents = field_validator("value_usd")(in_cents)


class DashboardOut(Schema):
    as_of: date
    totals: TotalsOut
    by_year: list[BreakdownOut]
    by_sector: list[BreakdownOut]
    by_kind: list[BreakdownOut]
    by_status: list[BreakdownOut]
    by_side: list[BreakdownOut]


# --- schemas: in ---------------------------------------------------------------------------


class ProjectFilters(Schema):
    kind: choices_of(Project.Kind, "ProjectKind") | None = None
    status: choices_of(Project.Status, "ProjectStatus") | None = None
    sector: str | None = Field(None, max_length=40, pattern=SLUG, description="A sector code.")
    side: choices_of(Project.Side, "ProjectSide") | None = None
    year: int | None = Field(None, ge=1900, le=2100, description="The signing year.")
    q: str | None = Field(
        None, max_length=200, pattern=NO_NULL_CHARACTER, description="Words of the title."
    )
    published: bool | None = None
    sort: Literal["-signed_on", "signed_on", "-value", "value"] | None = None

    def project_filter(self) -> queries.ProjectFilter:
        """The list's one filter, from the validated values."""
        return queries.ProjectFilter(
            q=self.q or "",
            kind=self.kind,
            status=self.status,
            side=self.side,
            sector=self.sector,
            year=self.year,
            published=self.published,
        )


class InnovationFilters(Schema):
    category: choices_of(Innovation.Category, "InnovationCategory") | None = None
    year: int | None = Field(None, ge=1900, le=2100, description="The year of adoption.")
    q: str | None = Field(None, max_length=200, pattern=NO_NULL_CHARACTER)


class ProjectPartyIn(Schema):
    organisation_id: Int64
    role: str


class ProjectIn(Schema):
    """A new project. Its status starts as given (signed by default) and then changes only
    through transitions."""

    model_config = ConfigDict(extra="forbid")

    owner_id: int = Field(..., description="The organisation recording the project.")
    external_id: str = ""
    title_en: NameText = ""
    title_zh: NameText = ""
    description_en: str = ""
    description_zh: str = ""
    kind: str = ""
    status: str = Project.Status.SIGNED.value
    sector: str = Field("", description="A sector code (see /api/portfolio/sectors).")
    value: Decimal | str | None = Field(None, description="A decimal, as a string or a number.")
    currency: str = Field("", description="ISO 4217 code of the value.")
    signed_on: date | None = None
    location_en: str = ""
    location_zh: str = ""
    parent_id: int | None = Field(None, description="The framework agreement, if any.")
    source_url: str = ""
    is_synthetic: bool = False
    parties: list[ProjectPartyIn] | None = None


class ProjectPatch(Schema):
    """The fields to change; fields left out keep their values. The status changes through
    /transitions, publication through /publish."""

    model_config = ConfigDict(extra="forbid")

    title_en: NameText | None = None
    title_zh: NameText | None = None
    description_en: str | None = None
    description_zh: str | None = None
    kind: str | None = None
    sector: str | None = None
    value: Decimal | str | None = None
    currency: str | None = None
    signed_on: date | None = None
    location_en: str | None = None
    location_zh: str | None = None
    parent_id: int | None = None
    source_url: str | None = None
    is_synthetic: bool | None = None
    parties: list[ProjectPartyIn] | None = None
    version: int = Field(..., description="The `version` of the project you read.")


class ProjectRevisionRejectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=500, description="Why; sent to the person who proposed it.")


class ProjectTransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to_status: str
    on: date | None = Field(None, description="The date of the change (not in the future).")
    reason: str = ""


class ProjectPublishIn(Schema):
    model_config = ConfigDict(extra="forbid")

    published: bool


# --- helpers -------------------------------------------------------------------------------


def _projects(request):
    return queries.project_api_rows(Project.objects.visible_to(request.user))


def _project_detail_rows(request):
    return _projects(request).prefetch_related("status_changes", "milestones", "links")


def _visible_project(request, project_id: int) -> Project:
    """The project, if the caller may see it; 404 otherwise, never saying whether it exists."""
    return found_or_404(
        _project_detail_rows(request).filter(pk=project_id).first(),
        _("No project has the id “%(value)s”."),
        project_id,
    )


def _check_sector_code(code: str | None) -> None:
    if code and not Sector.objects.filter(code=code).exists():
        message = _("“%(value)s” is not a sector; see /api/portfolio/sectors.") % {"value": code}
        raise ValidationError({"sector": message})


KEEP = object()  # a reference the body leaves unchanged


def _resolve_references(
    request, data: services.ProjectInput, parent_id, parties: list[ProjectPartyIn] | None
) -> None:
    """Turn the ids of the body into what the service expects; an unknown id becomes a field
    error, reported together with the service's own errors."""
    if parent_id is KEEP:
        pass
    elif parent_id is None:
        data.parent_external_id = ""
    else:
        parent = Project.objects.visible_to(request.user).filter(pk=parent_id).first()
        if parent is None:
            data.extra_errors["parent_id"] = _("No project has the id “%(value)s”.") % {
                "value": parent_id
            }
        else:
            data.parent_external_id = parent.external_id
    if parties is not None:
        organisations = Organisation.objects.in_bulk([p.organisation_id for p in parties])
        for party in parties:
            if party.organisation_id not in organisations:
                data.extra_errors["parties"] = _("No organisation has the id “%(value)s”.") % {
                    "value": party.organisation_id
                }
        data.parties = [
            services.PartyInput(organisation=organisations[p.organisation_id], role=p.role)
            for p in parties
            if p.organisation_id in organisations
        ]


def _in_api_names(exc: ValidationError) -> ValidationError:
    """The services name the framework agreement `parent`; the API calls it `parent_id`."""
    if hasattr(exc, "error_dict") and "parent" in exc.error_dict:
        errors = dict(exc.error_dict)
        errors["parent_id"] = errors.pop("parent")
        return ValidationError(errors)
    return exc


def _stale_or_raise(request, project_id: int, exc: ValidationError):
    """A stale version answers 409 with the project as it is now; other errors stay 400."""
    if "version" not in getattr(exc, "error_dict", {}):
        raise _in_api_names(exc) from exc
    current = _visible_project(request, project_id)
    message = _(
        "Someone else changed this project since you read it, so nothing was saved; it is now "
        "at version %(version)s. Read it again and send your change with that version."
    ) % {"version": current.version}
    return Status(409, {"detail": message, "errors": {"version": [message]}, "current": current})


TEXT_FIELDS = [
    "title_en",
    "title_zh",
    "description_en",
    "description_zh",
    "kind",
    "sector",
    "currency",
    "location_en",
    "location_zh",
    "source_url",
]


# --- projects ------------------------------------------------------------------------------


@router.get("/projects", response=list[ProjectOut], auth=AUTH_OR_ANONYMOUS)
@paginate(Pages)
def project_list(request, filters: Query[ProjectFilters]):
    """The projects the caller may see (anonymous: the published ones), newest first."""
    _check_sector_code(filters.sector)
    projects = queries.project_filter(_projects(request), filters.project_filter())
    projects, _sort = queries.project_order(projects, filters.sort)
    return projects


@router.get("/projects/{int:project_id}", response=ProjectDetailOut, auth=AUTH_OR_ANONYMOUS)
def project_detail(request, project_id: int):
    return _visible_project(request, project_id)


@router.post("/projects", response={201: ProjectDetailOut}, auth=AUTH)
def project_create(request, payload: ProjectIn):
    owner = organisation_by_id(payload.owner_id, "owner_id")
    data = services.ProjectInput(
        external_id=payload.external_id,
        title_en=payload.title_en,
        title_zh=payload.title_zh,
        description_en=payload.description_en,
        description_zh=payload.description_zh,
        kind=payload.kind,
        status=payload.status,
        sector=payload.sector,
        value=payload.value,
        currency=payload.currency,
        signed_on=payload.signed_on,
        location_en=payload.location_en,
        location_zh=payload.location_zh,
        is_synthetic=payload.is_synthetic,
        source_url=payload.source_url,
    )
    _resolve_references(request, data, payload.parent_id, payload.parties)
    try:
        project = services.project_create(actor=request.user, owner=owner, data=data)
    except ValidationError as exc:
        raise _in_api_names(exc) from exc
    return Status(201, _visible_project(request, project.pk))


@router.patch(
    "/projects/{int:project_id}",
    response={200: ProjectDetailOut, 202: ProjectRevisionOut, 409: ProjectConflictOut},
    auth=AUTH,
)
def project_update(request, project_id: int, payload: ProjectPatch):
    """Change the fields given, with the `version` you read (409 if someone changed the
    project since). A change to a published project by anyone but an initiative administrator
    is held: the answer is 202 with the pending revision, and the project keeps its published
    values until an administrator publishes it (see /revisions)."""
    project = _visible_project(request, project_id)
    changes = payload.model_dump(exclude_unset=True)
    held = permissions.changes_are_held(request.user, project)
    pending = services.pending_revision(project) if held else None
    data = services.revision_input(pending) if pending else services.input_of(project)
    for name in TEXT_FIELDS:
        if name in changes:
            setattr(data, name, changes[name] or "")
    if "value" in changes:
        data.value = changes["value"]
    if "signed_on" in changes:
        data.signed_on = changes["signed_on"]
    if "is_synthetic" in changes:
        data.is_synthetic = bool(changes["is_synthetic"])
    _resolve_references(
        request,
        data,
        payload.parent_id if "parent_id" in changes else KEEP,
        (payload.parties or []) if "parties" in changes else None,
    )
    try:
        services.project_update(
            actor=request.user, project=project, data=data, version=payload.version
        )
    except ValidationError as exc:
        return _stale_or_raise(request, project_id, exc)
    if held:
        return Status(
            202, _revisions(request, project_id).get(status=ProjectRevision.Status.PENDING)
        )
    return _visible_project(request, project_id)


def _revisions(request, project_id: int):
    return (
        ProjectRevision.objects.visible_to(request.user)
        .filter(project_id=project_id)
        .select_related("author", "decided_by", "project__sector", "project__parent")
    )


def _visible_revision(request, project_id: int, revision_id: int) -> ProjectRevision:
    return found_or_404(
        _revisions(request, project_id).filter(pk=revision_id).first(),
        _("No proposed change has the id “%(value)s”."),
        revision_id,
    )


@router.get("/projects/{int:project_id}/revisions", response=list[ProjectRevisionOut], auth=AUTH)
def project_revisions(request, project_id: int):
    """The proposed changes of a published project, newest first, for the people who may see
    them: whoever proposed one, the members of the organisation that recorded the project,
    and the initiative's administration. Others get an empty list."""
    _visible_project(request, project_id)
    return list(_revisions(request, project_id))


@router.post(
    "/projects/{int:project_id}/revisions/{int:revision_id}/publish",
    response={200: ProjectDetailOut, 409: ErrorOut},
    auth=AUTH,
)
def project_revision_publish(request, project_id: int, revision_id: int):
    """Apply a pending change to the project (initiative administrators only)."""
    revision = _visible_revision(request, project_id, revision_id)
    try:
        services.project_revision_publish(actor=request.user, revision=revision)
    except ValidationError as exc:
        if "version" not in getattr(exc, "error_dict", {}):
            raise _in_api_names(exc) from exc
        message = exc.message_dict["version"][0]
        return Status(409, {"detail": message, "errors": {"version": [message]}})
    return _visible_project(request, project_id)


@router.post(
    "/projects/{int:project_id}/revisions/{int:revision_id}/reject",
    response=ProjectRevisionOut,
    auth=AUTH,
)
def project_revision_reject(
    request, project_id: int, revision_id: int, payload: ProjectRevisionRejectIn
):
    """Refuse a pending change (initiative administrators only); the project keeps its values."""
    revision = _visible_revision(request, project_id, revision_id)
    services.project_revision_reject(actor=request.user, revision=revision, note=payload.note)
    return _visible_revision(request, project_id, revision_id)


@router.post(
    "/projects/{int:project_id}/transitions",
    response={200: ProjectDetailOut, 202: ProjectRevisionOut},
    auth=AUTH,
)
def project_transition(request, project_id: int, payload: ProjectTransitionIn):
    """Move the project along its lifecycle: signed → in_progress → completed, or suspended,
    or terminated. Needs the date of the change and a reason. On a published project, a change
    by anyone but an initiative administrator is held: 202 with the pending revision."""
    project = _visible_project(request, project_id)
    held = permissions.changes_are_held(request.user, project)
    services.project_transition(actor=request.user, project=project, **payload.model_dump())
    if held:
        return Status(
            202, _revisions(request, project_id).get(status=ProjectRevision.Status.PENDING)
        )
    return _visible_project(request, project_id)


@router.post("/projects/{int:project_id}/publish", response=ProjectDetailOut, auth=AUTH)
def project_publish(request, project_id: int, payload: ProjectPublishIn):
    """Publish the project to anonymous visitors, or withdraw it (administrators only)."""
    project = _visible_project(request, project_id)
    services.project_publish(actor=request.user, project=project, published=payload.published)
    return _visible_project(request, project_id)


# --- innovations, figures, dashboard, sectors ----------------------------------------------


def _innovations(request):
    return queries.innovations_visible_to(request.user).prefetch_related("agencies", "replications")


@router.get("/innovations", response=list[InnovationOut], auth=AUTH_OR_ANONYMOUS)
@paginate(Pages)
def innovation_list(request, filters: Query[InnovationFilters]):
    params = {name: str(value) for name, value in filters.model_dump(exclude_none=True).items()}
    innovations, _understood = queries.innovation_filter(_innovations(request), params)
    return innovations


@router.get("/innovations/{int:innovation_id}", response=InnovationOut, auth=AUTH_OR_ANONYMOUS)
def innovation_detail(request, innovation_id: int):
    return found_or_404(
        _innovations(request).filter(pk=innovation_id).first(),
        _("No institutional innovation has the id “%(value)s”."),
        innovation_id,
    )


@router.get("/figures", response=list[FigureComparisonOut], auth=AUTH_OR_ANONYMOUS)
def figure_list(request):
    """Published figures, each beside the registry's own figure over the same scope (as far
    as the caller can see the registry)."""
    return queries.published_figure_comparison(
        Project.objects.visible_to(request.user), queries.innovations_visible_to(request.user)
    )


@router.get("/dashboard", response=DashboardOut, auth=AUTH_OR_ANONYMOUS)
def dashboard(request, filters: Query[ProjectFilters]):
    """Totals and breakdowns by year, sector, kind, status and side of the projects the
    caller may see, with the list's filters. Values are in US dollars and never count a
    sub-project's value twice. Labels are in the request's language."""
    _check_sector_code(filters.sector)
    projects = queries.project_filter(
        Project.objects.visible_to(request.user), filters.project_filter()
    )
    figures = queries.dashboard_figures(projects)
    return {
        "as_of": queries.figures_as_of(),
        "totals": figures.totals,
        "by_year": figures.by_year,
        "by_sector": figures.by_sector,
        "by_kind": figures.by_kind,
        "by_status": figures.by_status,
        "by_side": figures.by_side,
    }


@router.get("/sectors", response=list[SectorOut], auth=AUTH_OR_ANONYMOUS)
def sector_list(request):
    """The controlled vocabulary of sectors, the initiative's priority sectors first."""
    return Sector.objects.all()
