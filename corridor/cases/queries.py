"""Reads for pages, the API and e-mails, each in a fixed number of queries whatever the data.

Everything starts from `Case.objects.visible_to(user)` (or a case already reached through it).
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.cases import permissions, workflow
from corridor.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseIssue,
    CaseParty,
    CaseTransition,
    DocumentVersion,
    IssueComment,
    Milestone,
)
from corridor.cases.visibility import user_party_q
from corridor.standards import watching

MY_WORK_LIMIT = 100  # rows per list on the "my work" page
EVENTS_LIMIT = 100  # events on the case page


def slippage_days(milestone: Milestone, today: date | None = None) -> int | None:
    """Days late (negative: early): actual end, or today while unfinished, minus the planned
    end. An unfinished milestone is not early before its planned end: 0 then. None without a
    planned end."""
    if milestone.planned_end is None:
        return None
    if milestone.actual_end is not None:
        return (milestone.actual_end - milestone.planned_end).days
    today = today or timezone.localdate()
    return max(0, (today - milestone.planned_end).days)


def is_overdue(issue: CaseIssue, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        issue.status == CaseIssue.Status.OPEN and issue.due_on is not None and issue.due_on < today
    )


def age_days(issue: CaseIssue, today: date | None = None) -> int:
    """Days since the issue was raised (until it was resolved)."""
    end = issue.resolved_at or timezone.now()
    return max(0, (timezone.localdate(end) - timezone.localdate(issue.raised_at)).days)


# --- the list of cases ---------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilter:
    """What the list of cases is narrowed to, typed once for the page
    (`forms.CaseFilterForm.case_filter`) and the API (`api.CaseFilters.case_filter`).
    Empty values do not narrow."""

    status: str = ""
    kind: str = ""
    market: str = ""  # target market, ISO 3166 alpha-2
    role: str = ""  # the role the user acts in (CaseParty.Role)


def case_list(user, case_filter: CaseFilter = CaseFilter()) -> QuerySet:
    """The cases the user sees, narrowed by `case_filter`, most recently changed first."""
    cases = Case.objects.visible_to(user).select_related("applicant")
    if case_filter.status:
        cases = cases.filter(status=case_filter.status)
    if case_filter.kind:
        cases = cases.filter(kind=case_filter.kind)
    if case_filter.market:
        cases = cases.filter(target_market=case_filter.market.upper())
    if case_filter.role:
        mine = CaseParty.objects.filter(
            user_party_q(user), case=OuterRef("pk"), role=case_filter.role
        )
        cases = cases.filter(Exists(mine))
    return cases.order_by("-updated_at", "-id")


# --- my work -------------------------------------------------------------------------------


def my_work(user) -> dict:
    """The person's work across cases:

    - "issues": open issues assigned to them (with their case), due soonest first;
    - "overdue_issues": those of them past their due date;
    - "milestones": unfinished milestones owned by their parties, planned end soonest first;
    - "awaiting": cases waiting for them to act (workflow.AWAITING).
    Four queries at most (one of them the user's memberships, cached on the user)."""
    today = timezone.localdate()
    if not getattr(user, "is_authenticated", False):
        return {"issues": [], "overdue_issues": [], "milestones": [], "awaiting": []}
    # Start from the user's own parties rather than from every case: the same answer as
    # Case.objects.visible_to(user), but the database reads only the user's cases.
    if roles.is_initiative_admin(user):
        in_my_cases = Q()
    else:
        in_my_cases = Q(case__in=CaseParty.objects.filter(user_party_q(user)).values("case_id"))
    issues = list(
        CaseIssue.objects.filter(in_my_cases, assigned_to=user, status=CaseIssue.Status.OPEN)
        .select_related("case")
        .order_by("due_on", "id")[:MY_WORK_LIMIT]
    )
    milestones = list(
        Milestone.objects.filter(user_party_q(user, prefix="owner__"), actual_end__isnull=True)
        .select_related("case", "owner__organisation")
        .order_by("planned_end", "position", "id")[:MY_WORK_LIMIT]
    )
    open_statuses = [s for s in Case.Status.values if not workflow.is_final(s)]
    if roles.is_initiative_admin(user):
        awaiting_q = Q(status__in=workflow.AWAITING[CaseParty.Role.FACILITATOR])
    else:
        awaiting_q = Q(pk__in=[])
        for role, statuses in workflow.AWAITING.items():
            acting = CaseParty.objects.filter(user_party_q(user), role=role)
            awaiting_q |= Q(pk__in=acting.values("case_id"), status__in=statuses)
    awaiting = list(
        Case.objects.filter(awaiting_q, status__in=open_statuses)
        .select_related("applicant")
        .order_by("status_changed_at", "id")[:MY_WORK_LIMIT]
    )
    for issue in issues:
        issue.is_overdue = is_overdue(issue, today)
        issue.age_days = age_days(issue, today)
    for milestone in milestones:
        milestone.slippage = slippage_days(milestone, today)
    return {
        "issues": issues,
        "overdue_issues": [issue for issue in issues if issue.is_overdue],
        "milestones": milestones,
        "awaiting": awaiting,
    }


# --- the case page -------------------------------------------------------------------------


@dataclass
class MilestoneRow:
    milestone: Milestone
    depends_on: list[Milestone]
    slippage: int | None  # days late (negative: early), None without a planned end


@dataclass
class IssueRow:
    issue: CaseIssue
    comment_count: int
    age_days: int
    is_overdue: bool


@dataclass
class DocumentRow:
    document: CaseDocument
    latest: DocumentVersion | None


@dataclass
class CasePage:
    case: Case
    role: str | None  # the role the user acts in
    can_write: bool
    transitions: list[str]  # statuses the user may move the case to
    parties: list[CaseParty]
    milestones: list[MilestoneRow]
    issues: list[IssueRow]
    documents: list[DocumentRow]
    events: list[CaseEvent]  # newest first, only those the user may see
    related_cases: list[Case] = field(default_factory=list)  # its region or its enterprises


def case_page(user, case: Case) -> CasePage:
    """Everything the case page shows the user, in a fixed number of queries (eight, plus
    the user's memberships once). `case` must come from Case.objects.visible_to(user)."""
    today = timezone.localdate()
    parties = list(
        CaseParty.objects.filter(case=case)
        .select_related("organisation", "contact")
        .order_by("role", "organisation__name_en", "id")
    )
    role = permissions.role_among(user, parties)
    if roles.is_initiative_admin(user):
        role = CaseParty.Role.FACILITATOR

    milestones = list(Milestone.objects.filter(case=case).select_related("owner__organisation"))
    by_id = {m.pk: m for m in milestones}
    depends: dict[int, list[Milestone]] = {}
    edges = Milestone.depends_on.through.objects.filter(from_milestone__case=case)
    for source, target in edges.values_list("from_milestone_id", "to_milestone_id"):
        if target in by_id:
            depends.setdefault(source, []).append(by_id[target])
    milestone_rows = [
        MilestoneRow(
            milestone=m,
            depends_on=sorted(depends.get(m.pk, []), key=lambda d: (d.position, d.pk)),
            slippage=slippage_days(m, today),
        )
        for m in milestones
    ]

    issues = list(
        CaseIssue.objects.filter(case=case)
        .select_related("assigned_to", "raised_by")
        .annotate(comment_count=Count("comments"))
    )
    issue_rows = [
        IssueRow(
            issue=i,
            comment_count=i.comment_count,
            age_days=age_days(i, today),
            is_overdue=is_overdue(i, today),
        )
        for i in issues
    ]

    documents = [
        d
        for d in CaseDocument.objects.filter(case=case)
        if permissions.can_see_document_as(role, d)
    ]
    latest: dict[int, DocumentVersion] = {}
    visible_ids = {d.pk for d in documents}
    # All versions of the case's documents, so that the number of queries is the same
    # whether or not the user sees any document.
    versions = DocumentVersion.objects.filter(document__case=case).order_by(
        "document_id", "-number"
    )
    visible_versions = set()
    for version in versions.select_related("uploaded_by"):
        if version.document_id in visible_ids and permissions.can_see_version_as(role, version):
            visible_versions.add(version.pk)
            latest.setdefault(version.document_id, version)
    document_rows = [DocumentRow(document=d, latest=latest.get(d.pk)) for d in documents]

    events = list(
        CaseEvent.objects.filter(case=case)
        .filter(Q(document__isnull=True) | Q(document__in=visible_ids))
        .filter(Q(document_version__isnull=True) | Q(document_version__in=visible_versions))
        .select_related("actor")
        .order_by("-at", "-id")[:EVENTS_LIMIT]
    )

    related = list(
        Case.objects.visible_to(user)
        .filter(Q(region_case=case) | Q(pk=case.region_case_id or 0))
        .select_related("applicant")
        .order_by("reference")
    )

    transitions = permissions.transitions_among(user, case, parties)
    return CasePage(
        case=case,
        role=role,
        can_write=role in permissions.WRITERS and not permissions.is_closed(case),
        transitions=transitions,
        parties=parties,
        milestones=milestone_rows,
        issues=issue_rows,
        documents=document_rows,
        events=events,
        related_cases=related,
    )


# --- what the case page's forms offer ----------------------------------------------------


def issues_visible_to(user) -> QuerySet:
    """The issues of the cases the user sees, with their case."""
    return CaseIssue.objects.select_related("case__applicant", "case__region_case").filter(
        case__in=Case.objects.visible_to(user).values("pk")
    )


def regional_cases(user) -> list[Case]:
    """The regional cases the user sees: an enterprise case may belong to one."""
    return list(Case.objects.visible_to(user).filter(kind=Case.Kind.REGIONAL).order_by("reference"))


def case_parties(case: Case) -> list[CaseParty]:
    return list(CaseParty.objects.filter(case=case).select_related("organisation"))


def case_milestones(case: Case) -> list[Milestone]:
    return list(Milestone.objects.filter(case=case))


def person_named(username: str):
    """The person with this user name, or None."""
    return get_user_model().objects.filter(username=username).first()


def case_people(parties: list[CaseParty]) -> list:
    """Everyone who takes part in the case (issues can be assigned to them)."""
    condition = Q(pk__in=[p.contact_id for p in parties if p.contact_id])
    organisations = [p.organisation_id for p in parties if not p.organisation.is_administration]
    if organisations:
        condition |= Q(memberships__organisation_id__in=organisations)
    return list(
        get_user_model().objects.filter(condition).distinct().order_by("name_en", "username")
    )


def organisations_outside(case: Case) -> list[Organisation]:
    """The organisations that may still be added to the case, by name."""
    return list(Organisation.objects.exclude(case_parties__case=case).order_by("name_en", "id"))


def comments_by_issue(case: Case) -> dict[int, list[IssueComment]]:
    """The comments of the case's issues, oldest first, by issue id. One query."""
    comments: dict[int, list[IssueComment]] = {}
    for comment in IssueComment.objects.filter(issue__case=case).select_related("author"):
        comments.setdefault(comment.issue_id, []).append(comment)
    return comments


def last_transition(case: Case) -> CaseTransition | None:
    return case.transitions.select_related("by").order_by("-at", "-id").first()


# --- the home page -------------------------------------------------------------------------

HOME_LIMIT = 8  # rows per list on the home page


@dataclass
class CasesOverview:
    """The open cases a person sees, with what is late in them. Five queries."""

    cases: list[Case]
    open_count: int
    late_milestones: list[Milestone]
    open_issues: list[CaseIssue]
    overdue_count: int


def cases_overview(user, limit: int = HOME_LIMIT) -> CasesOverview:
    """Open cases the user sees (most recently changed first), their late milestones
    (unfinished past the planned end, latest first) and open issues (overdue, then due soonest)."""
    today = timezone.localdate()
    visible = Case.objects.visible_to(user)
    open_statuses = [s for s in Case.Status.values if not workflow.is_final(s)]
    open_cases = visible.filter(status__in=open_statuses)
    cases = list(open_cases.select_related("applicant").order_by("-updated_at", "-id")[:limit])
    late = list(
        Milestone.objects.filter(
            case__in=open_cases.values("pk"), actual_end__isnull=True, planned_end__lt=today
        )
        .select_related("case", "owner__organisation")
        .order_by("planned_end", "id")[:limit]
    )
    for milestone in late:
        milestone.slippage = slippage_days(milestone, today)
    issues = CaseIssue.objects.filter(
        case__in=open_cases.values("pk"), status=CaseIssue.Status.OPEN
    )
    open_issues = list(
        issues.select_related("case", "assigned_to").order_by(
            F("due_on").asc(nulls_last=True), "id"
        )[:limit]
    )
    for issue in open_issues:
        issue.is_overdue = is_overdue(issue, today)
    return CasesOverview(
        cases=cases,
        open_count=open_cases.count(),
        late_milestones=late,
        open_issues=open_issues,
        overdue_count=issues.filter(due_on__lt=today).count(),
    )


def cases_followed(user, limit: int = HOME_LIMIT) -> tuple[list[Case], int]:
    """Every case the user sees, closed ones too, most recently changed first, and how many
    there are: what a regulator's contact or an observer follows. Two queries."""
    visible = Case.objects.visible_to(user)
    cases = list(visible.select_related("applicant").order_by("-updated_at", "-id")[:limit])
    return cases, visible.count()


def open_cases_touched(user, changes) -> list:
    """The open cases `user` may see whose product and market one of the knowledge-base
    `changes` touches (`standards.watching.touches`), oldest reference first; for the digest
    a `kb_load` sends. Two queries at most."""
    markets = {change.market for change in changes}
    if not markets:
        return []
    open_statuses = [s for s in Case.Status.values if not workflow.is_final(s)]
    cases = (
        Case.objects.visible_to(user)
        .filter(status__in=open_statuses, target_market__in=markets)
        .exclude(hs_code="")
        .order_by("reference")
        .only("pk", "reference", "title_en", "title_zh", "hs_code", "target_market")
    )
    return [
        watching.CaseLink(
            reference=case.reference,
            title_en=case.title_en,
            title_zh=case.title_zh,
            url=reverse("cases:case_detail", args=[case.pk]),
        )
        for case in cases
        if any(watching.touches(change, case.hs_code, case.target_market) for change in changes)
    ]
