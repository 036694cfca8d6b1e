"""The cases' JSON API, mounted at /api/cases/.

Thin: parse, call a query or a service, answer. Every case is reached through
`Case.objects.visible_to(request.user)`: a case (or an issue of a case) the caller does not
take part in answers 404, exactly like one that does not exist. Writes go through
corridor.cases.services. A stale edit (a `version` that is no longer the saved one) answers
409 with the reason; nothing is written. Document files are downloaded from the documents'
own URL (`download_url`), which checks visibility again.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import ConfigDict

from corridor.accounts.api import AUTH, organisation_by_id, person_by_id
from corridor.cases import queries, services
from corridor.cases.documents.services import visible_documents
from corridor.cases.events_text import event_text
from corridor.cases.models import Case, CaseIssue, CaseParty, Milestone
from corridor.core.api import (
    ErrorOut,
    Int64,
    NameText,
    OrganisationRefOut,
    Pages,
    choices_of,
    conflict_or_raise,
    found_or_404,
)
from corridor.standards.queries import assessments_visible_to

router = Router(tags=["cases"])

LAST_EVENTS = 20
# A milestone's own values, as the API sends and takes them (its owner and dependencies aside).
MILESTONE_VALUES = [name for name in services.MILESTONE_FIELDS if name != "owner_id"]


# --- schemas: out --------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    reference: str
    kind: str
    status: str
    status_changed_at: datetime | None
    title_en: str
    title_zh: str
    applicant: OrganisationRefOut
    product_name: str
    hs_code: str
    target_market: str
    region_case_id: int | None
    assessment_id: int | None
    is_synthetic: bool
    updated_at: datetime
    version: int = Field(..., description="Send it back when you move the case (a transition).")


class CasePersonOut(Schema):
    id: int
    username: str
    display_name: str


class CasePartyOut(Schema):
    id: int
    organisation: OrganisationRefOut
    role: str
    contact: CasePersonOut | None


class CaseMilestoneOut(Schema):
    id: int
    title_en: str
    title_zh: str
    requirement_key: str
    owner_party_id: int | None = Field(None, alias="owner_id")
    planned_start: date | None
    planned_end: date | None
    actual_start: date | None
    actual_end: date | None
    dates_approximate: bool
    position: int
    version: int


class MilestoneRowOut(CaseMilestoneOut):
    depends_on: list[int]
    slippage_days: int | None = Field(
        None, description="Days late (negative: early); None without a planned end."
    )


class IssueOut(Schema):
    id: int
    case_id: int
    title: str
    description: str
    status: str
    assigned_to: CasePersonOut | None
    raised_by: CasePersonOut | None
    raised_at: datetime
    due_on: date | None
    resolved_at: datetime | None
    resolution: str
    version: int


class IssueRowOut(IssueOut):
    comment_count: int
    age_days: int
    is_overdue: bool


class CommentOut(Schema):
    id: int
    body: str
    author: CasePersonOut | None
    at: datetime


class VersionOut(Schema):
    number: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    download_url: str


class DocumentOut(Schema):
    id: int
    title: str
    document_type: str
    shared_with: list[str]
    versions: list[VersionOut]


class CaseEventOut(Schema):
    at: datetime
    kind: str
    text: str = Field(..., description="What happened, in the caller's language.")


class CaseDetailOut(CaseOut):
    description_en: str
    description_zh: str
    your_role: str | None
    allowed_transitions: list[str]
    parties: list[CasePartyOut]
    milestones: list[MilestoneRowOut]
    issues: list[IssueRowOut]
    documents: list[DocumentOut]
    last_events: list[CaseEventOut]


# --- schemas: in ---------------------------------------------------------------------------


class _In(Schema):
    """A request body: a field the API does not know is refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class CaseFilters(Schema):
    status: choices_of(Case.Status, "CaseStatus") | None = None
    kind: choices_of(Case.Kind, "CaseKind") | None = None
    market: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="Target market.")
    role: choices_of(CaseParty.Role, "CasePartyRole") | None = Field(
        None, description="Only the cases in which you act in this role."
    )

    def case_filter(self) -> queries.CaseFilter:
        return queries.CaseFilter(
            **{name: value or "" for name, value in self.model_dump().items()}
        )


class CaseIn(_In):
    applicant_id: int
    title_en: NameText = ""
    title_zh: NameText = ""
    target_market: str
    product_name: NameText = ""
    hs_code: str = ""
    description_en: str = ""
    description_zh: str = ""
    kind: str = Case.Kind.ENTERPRISE.value
    assessment_id: int | None = Field(None, description="Its roadmap becomes the milestones.")
    region_case_id: int | None = None
    start_on: date | None = None


class CaseTransitionIn(_In):
    """The new status and the reason, with the case's `version` you read: if someone
    changed the case since, the answer is 409 and nothing changes."""

    to_status: str
    reason: str = ""
    version: int


class CasePartyIn(_In):
    organisation_id: int
    role: str
    contact_id: int | None = None


class MilestoneIn(_In):
    title_en: NameText = ""
    title_zh: NameText = ""
    planned_start: date | None = None
    planned_end: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None
    owner_party_id: int | None = None
    depends_on: list[Int64] = []
    dates_approximate: bool = False


class MilestonePatch(_In):
    """The fields to change (fields left out keep their values), with the `version` you
    read: if someone saved the milestone since, the answer is 409 and nothing changes."""

    version: int
    title_en: NameText | None = None
    title_zh: NameText | None = None
    planned_start: date | None = None
    planned_end: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None
    owner_party_id: int | None = None
    depends_on: list[Int64] | None = None
    dates_approximate: bool | None = None


class IssueIn(_In):
    title: NameText
    description: str = ""
    assigned_to_id: int | None = None
    due_on: date | None = None


class IssuePatch(_In):
    version: int
    title: NameText | None = None
    description: str | None = None
    assigned_to_id: int | None = None
    due_on: date | None = None


class CommentIn(_In):
    body: str


class ResolveIn(_In):
    version: int
    resolution: str


# --- helpers -------------------------------------------------------------------------------


def _cases(request):
    return Case.objects.visible_to(request.user).select_related("applicant")


def _visible_case(request, case_id: int) -> Case:
    """The case, if the caller takes part in it; 404 otherwise, never saying whether it exists."""
    return found_or_404(
        _cases(request).filter(pk=case_id).first(), _("No case has the id “%(value)s”."), case_id
    )


def _visible_issue(request, issue_id: int) -> CaseIssue:
    issue = (
        CaseIssue.objects.filter(pk=issue_id, case__in=_cases(request).values("pk"))
        .select_related("case", "assigned_to", "raised_by")
        .first()
    )
    return found_or_404(issue, _("No issue has the id “%(value)s”."), issue_id)


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "display_name": user.display_name}


def _party_out(party: CaseParty) -> dict:
    return {
        "id": party.pk,
        "organisation": party.organisation,
        "role": party.role,
        "contact": _person(party.contact),
    }


def _issue_out(issue: CaseIssue) -> dict:
    return {
        "id": issue.pk,
        "case_id": issue.case_id,
        "title": issue.title,
        "description": issue.description,
        "status": issue.status,
        "assigned_to": _person(issue.assigned_to),
        "raised_by": _person(issue.raised_by),
        "raised_at": issue.raised_at,
        "due_on": issue.due_on,
        "resolved_at": issue.resolved_at,
        "resolution": issue.resolution,
        "version": issue.version,
    }


def _documents_out(user, case: Case) -> list[dict]:
    return [
        {
            "id": d.pk,
            "title": d.title,
            "document_type": d.document_type,
            "shared_with": list(d.shared_with or []),
            "versions": [
                {
                    "number": v.number,
                    "original_name": v.original_name,
                    "content_type": v.content_type,
                    "size": v.size,
                    "sha256": v.sha256,
                    "uploaded_at": v.uploaded_at,
                    "download_url": reverse("case_documents:download", args=[v.pk]),
                }
                for v in d.visible_versions
            ],
        }
        for d in visible_documents(user, case)
    ]


def _case_detail(request, case: Case) -> dict:
    page = queries.case_page(request.user, case)
    out = CaseOut.from_orm(case).model_dump()
    out.update(
        description_en=case.description_en,
        description_zh=case.description_zh,
        your_role=page.role,
        allowed_transitions=page.transitions,
        parties=[_party_out(p) for p in page.parties],
        milestones=[
            {
                **CaseMilestoneOut.from_orm(row.milestone).model_dump(),
                "depends_on": [d.pk for d in row.depends_on],
                "slippage_days": row.slippage,
            }
            for row in page.milestones
        ],
        issues=[
            {
                **_issue_out(row.issue),
                "comment_count": row.comment_count,
                "age_days": row.age_days,
                "is_overdue": row.is_overdue,
            }
            for row in page.issues
        ],
        documents=_documents_out(request.user, case),
        last_events=[
            {"at": e.at, "kind": e.kind, "text": event_text(e)} for e in page.events[:LAST_EVENTS]
        ],
    )
    return out


def _one_of(rows, pk: int | None, field: str, message: str):
    """The row with this id among `rows` (those the caller may name), None without an id;
    an id not among them is an error on `field`."""
    if pk is None:
        return None
    row = rows.filter(pk=pk).first()
    if row is None:
        raise ValidationError({field: message % {"value": pk}})
    return row


def _party_of(case: Case, party_id: int | None) -> CaseParty | None:
    return _one_of(
        CaseParty.objects.filter(case=case),
        party_id,
        "owner_party_id",
        _("No party of this case has the id “%(value)s”; see the case's parties."),
    )


def _milestones_of(case: Case, ids: list[int]) -> list[Milestone]:
    found = {m.pk: m for m in Milestone.objects.filter(case=case, pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        message = _(
            "No milestone of this case has the id “%(value)s”; a milestone can only "
            "depend on milestones of the same case."
        )
        raise ValidationError({"depends_on": message % {"value": missing[0]}})
    return [found[i] for i in ids]


# --- cases ---------------------------------------------------------------------------------


@router.get("/cases", response=list[CaseOut], auth=AUTH)
@paginate(Pages)
def case_list(request, filters: Query[CaseFilters]):
    """The cases the caller takes part in, most recently changed first."""
    return queries.case_list(request.user, filters.case_filter())


@router.get("/cases/{int:case_id}", response=CaseDetailOut, auth=AUTH)
def case_detail(request, case_id: int):
    """The case with its parties, milestones, issues, the documents the caller may see and
    the last events the caller may see (newest first)."""
    return _case_detail(request, _visible_case(request, case_id))


@router.post("/cases", response={201: CaseDetailOut}, auth=AUTH)
def case_create(request, payload: CaseIn):
    """Open a case as a draft; from a readiness assessment, its roadmap becomes milestones."""
    applicant = organisation_by_id(payload.applicant_id, "applicant_id")
    case = services.case_open(
        actor=request.user,
        applicant=applicant,
        assessment=_one_of(
            assessments_visible_to(request.user),
            payload.assessment_id,
            "assessment_id",
            _("No readiness assessment has the id “%(value)s”."),
        ),
        region_case=_one_of(
            _cases(request),
            payload.region_case_id,
            "region_case_id",
            _("No case has the id “%(value)s”."),
        ),
        **payload.model_dump(exclude={"applicant_id", "assessment_id", "region_case_id"}),
    )
    return Status(201, _case_detail(request, _visible_case(request, case.pk)))


@router.post(
    "/cases/{int:case_id}/transitions",
    response={200: CaseDetailOut, 409: ErrorOut},
    auth=AUTH,
)
def case_transition(request, case_id: int, payload: CaseTransitionIn):
    """Move the case along its lifecycle, with a reason (see allowed_transitions) and the
    `version` you read (409 if it is stale)."""
    case = _visible_case(request, case_id)
    try:
        services.case_transition(
            actor=request.user,
            case=case,
            to_status=payload.to_status,
            reason=payload.reason,
            version=payload.version,
        )
    except ValidationError as exc:
        return conflict_or_raise(exc, "version")
    return _case_detail(request, _visible_case(request, case_id))


@router.post("/cases/{int:case_id}/parties", response={201: CasePartyOut}, auth=AUTH)
def party_add(request, case_id: int, payload: CasePartyIn):
    case = _visible_case(request, case_id)
    party = services.case_add_party(
        actor=request.user,
        case=case,
        organisation=organisation_by_id(payload.organisation_id, "organisation_id"),
        role=payload.role,
        contact=person_by_id(payload.contact_id, "contact_id"),
    )
    return Status(201, _party_out(party))


# --- milestones ----------------------------------------------------------------------------


@router.post("/cases/{int:case_id}/milestones", response={201: CaseMilestoneOut}, auth=AUTH)
def milestone_add(request, case_id: int, payload: MilestoneIn):
    case = _visible_case(request, case_id)
    milestone = services.milestone_save(
        actor=request.user,
        case=case,
        milestone=None,
        version=None,
        owner=_party_of(case, payload.owner_party_id),
        depends_on=_milestones_of(case, payload.depends_on),
        **payload.model_dump(include=set(MILESTONE_VALUES)),
    )
    return Status(201, milestone)


@router.patch(
    "/cases/{int:case_id}/milestones/{int:milestone_id}",
    response={200: CaseMilestoneOut, 409: ErrorOut},
    auth=AUTH,
)
def milestone_update(request, case_id: int, milestone_id: int, payload: MilestonePatch):
    case = _visible_case(request, case_id)
    milestone = found_or_404(
        Milestone.objects.filter(pk=milestone_id, case=case).first(),
        _("No milestone has the id “%(value)s”."),
        milestone_id,
    )
    changes = payload.model_dump(exclude_unset=True)
    values = {name: changes.get(name, getattr(milestone, name)) for name in MILESTONE_VALUES}
    values["dates_approximate"] = bool(values["dates_approximate"])
    owner = (
        _party_of(case, changes["owner_party_id"])
        if "owner_party_id" in changes
        else milestone.owner
    )
    depends_on = (
        _milestones_of(case, changes["depends_on"] or [])
        if "depends_on" in changes
        else list(milestone.depends_on.all())
    )
    try:
        saved = services.milestone_save(
            actor=request.user,
            case=case,
            milestone=milestone,
            version=payload.version,
            owner=owner,
            depends_on=depends_on,
            **values,
        )
    except ValidationError as exc:
        return conflict_or_raise(exc, "version")
    return saved


# --- issues --------------------------------------------------------------------------------


@router.post("/cases/{int:case_id}/issues", response={201: IssueOut}, auth=AUTH)
def issue_raise(request, case_id: int, payload: IssueIn):
    case = _visible_case(request, case_id)
    issue = services.issue_raise(
        actor=request.user,
        case=case,
        title=payload.title,
        description=payload.description,
        assigned_to=person_by_id(payload.assigned_to_id, "assigned_to_id"),
        due_on=payload.due_on,
    )
    return Status(201, _issue_out(_visible_issue(request, issue.pk)))


@router.patch("/issues/{int:issue_id}", response={200: IssueOut, 409: ErrorOut}, auth=AUTH)
def issue_update(request, issue_id: int, payload: IssuePatch):
    """Change the fields given, with the `version` you read (409 if it is stale)."""
    issue = _visible_issue(request, issue_id)
    changes = payload.model_dump(exclude_unset=True)
    arguments = {
        name: changes[name] for name in ("title", "description", "due_on") if name in changes
    }
    if "assigned_to_id" in changes:
        arguments["assigned_to"] = person_by_id(changes["assigned_to_id"], "assigned_to_id")
    try:
        services.issue_update(actor=request.user, issue=issue, version=payload.version, **arguments)
    except ValidationError as exc:
        return conflict_or_raise(exc, "version")
    return _issue_out(_visible_issue(request, issue_id))


@router.post("/issues/{int:issue_id}/comments", response={201: CommentOut}, auth=AUTH)
def issue_comment(request, issue_id: int, payload: CommentIn):
    issue = _visible_issue(request, issue_id)
    comment = services.issue_comment(actor=request.user, issue=issue, body=payload.body)
    return Status(
        201,
        {
            "id": comment.pk,
            "body": comment.body,
            "author": _person(comment.author),
            "at": comment.at,
        },
    )


@router.post("/issues/{int:issue_id}/resolve", response={200: IssueOut, 409: ErrorOut}, auth=AUTH)
def issue_resolve(request, issue_id: int, payload: ResolveIn):
    issue = _visible_issue(request, issue_id)
    try:
        services.issue_resolve(
            actor=request.user, issue=issue, version=payload.version, resolution=payload.resolution
        )
    except ValidationError as exc:
        return conflict_or_raise(exc, "version")
    return _issue_out(_visible_issue(request, issue_id))


# --- documents -----------------------------------------------------------------------------


@router.get("/cases/{int:case_id}/documents", response=list[DocumentOut], auth=AUTH)
def document_list(request, case_id: int):
    """The documents of the case the caller may see, with their versions (newest first).
    Download a version from its `download_url`."""
    return _documents_out(request.user, _visible_case(request, case_id))
