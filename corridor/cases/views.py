"""The case pages: thin views that parse, call a query or a service, and render.

Every read starts from `Case.objects.visible_to(request.user)` (a case the user does not take
part in answers 404, like one that does not exist); every write goes through
`corridor.cases.services`, which checks permission again. A refused action raises
`PermissionDenied`: the site's 403 page shows the service's reason. A write that fails
validation shows the case page again with the person's typed values and the error beside
them (nothing is lost; `core_views.post_form`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from corridor.accounts import roles
from corridor.cases import exports, gantt, permissions, queries, services
from corridor.cases.documents.services import document_panel
from corridor.cases.events_text import event_text
from corridor.cases.forms import (
    CaseFilterForm,
    CaseOpenForm,
    CommentForm,
    IssueForm,
    MilestoneForm,
    PartyForm,
    ReopenForm,
    ResolveForm,
    TransitionForm,
)
from corridor.cases.models import Case, CaseIssue, CaseParty, Milestone
from corridor.core import views as core_views
from corridor.core.bilingual import bilingual
from corridor.core.exports import export_language, table_response
from corridor.standards.queries import assessments_visible_to

SOON_DAYS = 14  # a milestone due within this many days is "due soon" on the my-work page


def _visible_case(request, pk: int) -> Case:
    """The case, if the user takes part in it; 404 otherwise, never saying whether it exists."""
    return get_object_or_404(
        Case.objects.visible_to(request.user).select_related("applicant", "region_case"), pk=pk
    )


# --- the list and opening a case -----------------------------------------------------------


@login_required
def case_list(request):
    form = CaseFilterForm(request.GET or None)
    cases = queries.case_list(request.user, form.case_filter())
    page = core_views.page_of(request, cases)
    context = {
        "filter_form": form,
        "page_obj": page,
        "cases": page.object_list,
        "can_open": permissions.can_open_cases(request.user),
    }
    return render(request, "cases/case_list.html", context)


@login_required
def case_export(request, fmt: str):
    """The list's cases, narrowed by the same filter, as CSV or XLSX."""
    with translation.override(export_language(request)):
        cases = queries.case_list(request.user, CaseFilterForm(request.GET or None).case_filter())
        headers, rows = exports.case_table(cases)
        return table_response("cases", headers, rows, fmt, title=_("Facilitation cases"))


@login_required
def case_open(request):
    applicants = list(roles.organisations_to_act_for(request.user, roles.OPENS_CASES))
    if not applicants:
        raise PermissionDenied(
            _(
                "Only the initiative's staff and members of an enterprise, a government "
                "agency or a partner organisation open cases."
            )
        )
    form = CaseOpenForm(
        request.POST or None,
        initial={"assessment": request.GET.get("assessment")},
        applicants=applicants,
        assessments=list(assessments_visible_to(request.user).order_by("-created_at")[:200]),
        region_cases=queries.regional_cases(request.user),
    )
    if request.method != "POST":
        return render(request, "cases/case_open.html", {"form": form})
    return core_views.post_form(
        request,
        form,
        lambda _data: services.case_open(actor=request.user, **form.service_arguments()),
        done=lambda case: redirect("cases:case_detail", pk=case.pk),
        again=lambda form: render(request, "cases/case_open.html", {"form": form}),
        success=lambda case: (
            _("The case %(reference)s was opened.") % {"reference": case.reference}
        ),
    )


# --- the case page -------------------------------------------------------------------------


def _gantt(page: queries.CasePage, today) -> gantt.Timeline | None:
    rows = []
    for row in page.milestones:
        m = row.milestone
        dates = {name: getattr(m, name) for name in gantt.DATES}
        title = bilingual(m, "title")
        rows.append(
            gantt.GanttRow(
                key=m.pk,
                label=title,
                approximate=m.dates_approximate,
                late=bool(row.slippage and row.slippage > 0),
                depends_on=[d.pk for d in row.depends_on],
                title=_(
                    "%(title)s — planned %(planned_start)s to %(planned_end)s; actual %(actual_start)s to %(actual_end)s"
                )
                % {"title": title, **{name: day or "—" for name, day in dates.items()}},
                **dates,
            )
        )
    return gantt.timeline(rows, today=today)


def _editing(request) -> tuple[str, int] | None:
    """The row the person asked to edit with `?edit=milestone-12` or `?edit=issue-7`."""
    kind, _, pk = request.GET.get("edit", "").partition("-")
    if kind in ("milestone", "issue") and pk.isdigit():
        return kind, int(pk)
    return None


def _case_page(request, case: Case, *, bound: dict | None = None, status: int = 200):
    """Render the case page. `bound` holds forms bound to a failed POST, by key
    ("transition", "party", "new_milestone", ("milestone", pk), "new_issue",
    ("issue", pk), ("comment", pk), ("resolve", pk), ("reopen", pk)), shown instead of fresh ones.

    A milestone's or an issue's forms are built only for the row being edited (`?edit=`) or
    whose POST failed: a case has tens of rows, and a form for each made the page slow and busy."""
    bound = bound or {}
    editing = _editing(request) if request.method == "GET" else None
    open_rows = {editing} if editing else set()
    for key in bound:
        if isinstance(key, tuple):  # ("milestone", pk), or ("issue" | "comment" | ..., pk)
            kind, pk = key
            open_rows.add(("milestone" if kind == "milestone" else "issue", pk))
    user = request.user
    page = queries.case_page(user, case)
    today = timezone.localdate()
    milestones = [row.milestone for row in page.milestones]
    can_manage_parties = page.role in permissions.PARTY_MANAGERS
    for row in page.milestones:
        row.early_days = -row.slippage if row.slippage and row.slippage < 0 else 0
    comments = queries.comments_by_issue(case)
    for row in page.issues:
        row.comments = comments.get(row.issue.pk, [])
    context = {
        "case": case,
        "page": page,
        "role_label": CaseParty.Role(page.role).label if page.role else "",
        "can_write": page.can_write,
        "is_closed": permissions.is_closed(case),
        "can_manage_parties": can_manage_parties,
        "transition_choices": [(s, Case.Status(s).label) for s in page.transitions],
        "events": [(event, event_text(event)) for event in page.events],
        "timeline": _gantt(page, today),
        "document_panel": document_panel(user, case),
        "soon": SOON_DAYS,
    }
    if page.transitions:
        context["transition_form"] = bound.get("transition") or TransitionForm(
            initial={"version": case.version}, prefix="t"
        )
    if "version" in getattr(bound.get("transition"), "stale_fields", ()):
        # Someone moved the case meanwhile: show what is saved now, whatever the person
        # may do next.
        context["transition_stale"] = bound["transition"]
        context["last_transition"] = queries.last_transition(case)
    if can_manage_parties:
        if not context["is_closed"]:  # a party may still be taken out of a closed case
            context["party_form"] = bound.get("party") or PartyForm(
                organisations=queries.organisations_outside(case),
                roles=permissions.party_roles_for(user, page.role),
                prefix="party",
            )
        context["removable_parties"] = {
            p.pk
            for p in page.parties
            if p.role != CaseParty.Role.APPLICANT
            and permissions.manages_party_role_as(page.role, user, p.role)
        }
    if page.can_write:
        people = queries.case_people(page.parties)
        context["new_milestone_form"] = bound.get("new_milestone") or MilestoneForm(
            parties=page.parties, milestones=milestones, prefix="new-milestone"
        )
        for row in page.milestones:
            key = ("milestone", row.milestone.pk)
            if key not in open_rows:
                continue
            row.form = bound.get(key) or MilestoneForm(
                parties=page.parties,
                milestones=milestones,
                milestone=row.milestone,
                initial=MilestoneForm.initial_for(row.milestone, row.depends_on),
                prefix=f"m{row.milestone.pk}",
            )
            row.stale = key in bound and "version" in getattr(bound[key], "stale_fields", ())
        context["new_issue_form"] = bound.get("new_issue") or IssueForm(
            people=people, prefix="new-issue"
        )
        for row in page.issues:
            pk = row.issue.pk
            if ("issue", pk) not in open_rows:
                continue
            row.form = bound.get(("issue", pk)) or IssueForm(
                people=people, initial=IssueForm.initial_for(row.issue), prefix=f"i{pk}"
            )
            row.stale = "version" in getattr(bound.get(("issue", pk)), "stale_fields", ())
            row.comment_form = bound.get(("comment", pk)) or CommentForm(prefix=f"c{pk}")
            if row.issue.status == CaseIssue.Status.OPEN:
                row.resolve_form = bound.get(("resolve", pk)) or ResolveForm(
                    initial={"version": row.issue.version}, prefix=f"r{pk}"
                )
            else:
                row.reopen_form = bound.get(("reopen", pk)) or ReopenForm(
                    initial={"version": row.issue.version}, prefix=f"o{pk}"
                )
    return render(request, "cases/case_detail.html", context, status=status)


@login_required
def case_detail(request, pk: int):
    return _case_page(request, _visible_case(request, pk))


_PARTY_MANAGERS_ONLY = gettext_lazy(
    "Only the applicant and the facilitators of a case can change who takes part in it."
)


def _read_only() -> str:
    return _(
        "You can only read this case: regulator contacts, observers and people outside "
        "the case cannot change it."
    )


def _post(request, case: Case, key, form, write, *, success, anchor=""):
    """POST one of the case page's forms to a service (`core_views.post_form`): a refusal
    goes up to the 403 page; a form that does not parse, or the service's reasons, show
    the case page again with the person's values (400), unless they may not write at all.
    `success` and `anchor` may be functions of what the service returned."""
    if not form.is_valid():
        if key != "transition":
            services.require_open(case)
        if key == "party" and not permissions.can_manage_parties(request.user, case):
            raise PermissionDenied(_PARTY_MANAGERS_ONLY)
        if not permissions.can_write(request.user, case):
            raise PermissionDenied(_read_only())
    url = reverse("cases:case_detail", args=[case.pk])
    return core_views.post_form(
        request,
        form,
        write,
        done=lambda result: core_views.back_to(url, anchor(result) if callable(anchor) else anchor),
        again=lambda form: _case_page(request, case, bound={key: form}, status=400),
        success=success,
    )


@require_POST
@login_required
def case_transition(request, pk: int):
    case = _visible_case(request, pk)
    data = request.POST.copy()
    if "to_status" in data and "t-to_status" not in data:  # the buttons name the new status
        data["t-to_status"] = data["to_status"]
    return _post(
        request,
        case,
        "transition",
        TransitionForm(data, prefix="t"),
        lambda data: services.case_transition(
            actor=request.user,
            case=case,
            to_status=data["to_status"],
            reason=data["reason"],
            version=data["version"],
        ),
        success=lambda moved: (
            _("The case is now “%(status)s”.") % {"status": moved.get_status_display()}
        ),
    )


@require_POST
@login_required
def party_add(request, pk: int):
    case = _visible_case(request, pk)
    form = PartyForm(
        request.POST,
        organisations=queries.organisations_outside(case),
        roles=permissions.party_roles_for(request.user, permissions.party_role(request.user, case)),
        prefix="party",
    )
    contact = None
    username = form.cleaned_data["contact"].strip() if form.is_valid() else ""
    if username:
        contact = queries.person_named(username)
        if contact is None:
            form.add_error(
                "contact",
                _("No person has the user name “%(value)s”; check the spelling or leave it empty.")
                % {"value": username},
            )
    return _post(
        request,
        case,
        "party",
        form,
        lambda data: services.case_add_party(
            actor=request.user,
            case=case,
            organisation=form.organisations[data["organisation"]],
            role=data["role"],
            contact=contact,
        ),
        success=lambda party: (
            _("%(organisation)s now takes part in the case.")
            % {"organisation": bilingual(party.organisation, "name")}
        ),
        anchor="parties",
    )


@require_POST
@login_required
def party_remove(request, pk: int, party_pk: int):
    case = _visible_case(request, pk)
    party = get_object_or_404(
        CaseParty.objects.select_related("organisation").filter(case=case), pk=party_pk
    )
    url = reverse("cases:case_detail", args=[case.pk])
    try:
        services.case_remove_party(actor=request.user, party=party)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return core_views.back_to(url, "parties")
    messages.success(
        request,
        _("%(organisation)s no longer takes part in the case.")
        % {"organisation": bilingual(party.organisation, "name")},
    )
    return core_views.back_to(url, "parties")


@require_POST
@login_required
def milestone_save(request, pk: int, milestone_pk: int | None = None):
    case = _visible_case(request, pk)
    milestone = None
    if milestone_pk is not None:
        milestone = get_object_or_404(Milestone, pk=milestone_pk, case=case)
    form = MilestoneForm(
        request.POST,
        parties=queries.case_parties(case),
        milestones=queries.case_milestones(case),
        milestone=milestone,
        prefix=f"m{milestone.pk}" if milestone else "new-milestone",
    )
    return _post(
        request,
        case,
        ("milestone", milestone.pk) if milestone else "new_milestone",
        form,
        lambda data: services.milestone_save(
            actor=request.user, case=case, milestone=milestone, **form.service_arguments()
        ),
        success=lambda saved: (
            _("The milestone “%(title)s” was saved.") % {"title": bilingual(saved, "title")}
        ),
        anchor=lambda saved: f"milestone-{saved.pk}",
    )


def _visible_issue(request, issue_pk: int) -> CaseIssue:
    return get_object_or_404(queries.issues_visible_to(request.user), pk=issue_pk)


@require_POST
@login_required
def issue_raise(request, pk: int):
    case = _visible_case(request, pk)
    people = queries.case_people(queries.case_parties(case))
    form = IssueForm(request.POST, people=people, prefix="new-issue")
    return _post(
        request,
        case,
        "new_issue",
        form,
        lambda data: services.issue_raise(
            actor=request.user, case=case, **form.service_arguments()
        ),
        success=lambda issue: _("The issue “%(title)s” was raised.") % {"title": issue.title},
        anchor=lambda issue: f"issue-{issue.pk}",
    )


@require_POST
@login_required
def issue_update(request, issue_pk: int):
    issue = _visible_issue(request, issue_pk)
    people = queries.case_people(queries.case_parties(issue.case))
    form = IssueForm(request.POST, people=people, prefix=f"i{issue.pk}")
    return _post(
        request,
        issue.case,
        ("issue", issue.pk),
        form,
        lambda data: services.issue_update(
            actor=request.user, issue=issue, version=data["version"], **form.service_arguments()
        ),
        success=lambda _saved: (
            _("The issue “%(title)s” was saved.") % {"title": form.cleaned_data["title"]}
        ),
        anchor=f"issue-{issue.pk}",
    )


def _issue_post(request, issue_pk: int, key: str, form_class, write, success):
    """POST one of an issue's own forms (its comment, resolve or reopen form):
    `write(issue, data)` calls the service."""
    issue = _visible_issue(request, issue_pk)
    prefix = {"comment": "c", "resolve": "r", "reopen": "o"}[key]
    return _post(
        request,
        issue.case,
        (key, issue.pk),
        form_class(request.POST, prefix=f"{prefix}{issue.pk}"),
        lambda data: write(issue, data),
        success=success,
        anchor=f"issue-{issue.pk}",
    )


@require_POST
@login_required
def issue_comment(request, issue_pk: int):
    return _issue_post(
        request,
        issue_pk,
        "comment",
        CommentForm,
        lambda issue, data: services.issue_comment(
            actor=request.user, issue=issue, body=data["body"]
        ),
        success=_("Your comment was added."),
    )


@require_POST
@login_required
def issue_resolve(request, issue_pk: int):
    return _issue_post(
        request,
        issue_pk,
        "resolve",
        ResolveForm,
        lambda issue, data: services.issue_resolve(
            actor=request.user, issue=issue, version=data["version"], resolution=data["resolution"]
        ),
        success=lambda issue: _("The issue “%(title)s” was resolved.") % {"title": issue.title},
    )


@require_POST
@login_required
def issue_reopen(request, issue_pk: int):
    return _issue_post(
        request,
        issue_pk,
        "reopen",
        ReopenForm,
        lambda issue, data: services.issue_reopen(
            actor=request.user, issue=issue, version=data["version"]
        ),
        success=lambda issue: _("The issue “%(title)s” was reopened.") % {"title": issue.title},
    )


# --- my work -------------------------------------------------------------------------------


@login_required
def my_work(request):
    work = queries.my_work(request.user)
    today = timezone.localdate()
    issues = sorted(work["issues"], key=lambda i: (not i.is_overdue, i.due_on or today.max, i.pk))
    milestones = [
        m
        for m in work["milestones"]
        if m.planned_end is not None and (m.planned_end - today).days <= SOON_DAYS
    ]
    for m in milestones:
        m.is_late = m.planned_end < today
        m.days_left = (m.planned_end - today).days
    context = {
        "issues": issues,
        "overdue_count": len(work["overdue_issues"]),
        "milestones": milestones,
        "awaiting": work["awaiting"],
        "soon": SOON_DAYS,
    }
    return render(request, "cases/my_work.html", context)
