"""The portfolio's pages: thin views that parse, call a query or a service, and render.

Every read starts from `Project.objects.visible_to(request.user)`; every write goes through
`corridor.portfolio.services`, which checks permission again. A refused action shows a 403
page with the service's reason.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from corridor.accounts.models import Organisation
from corridor.core import panels
from corridor.core import views as core_views
from corridor.core.audit import audit_entries_for
from corridor.core.bilingual import bilingual
from corridor.core.exports import export_language, table_response
from corridor.core.forms import MISSING_VERSION
from corridor.core.stale import is_stale, saved_values_if_stale
from corridor.portfolio import exports, permissions, queries, services
from corridor.portfolio.charts import ChartItem, column_chart, horizontal_bar_chart
from corridor.portfolio.forms import (
    InnovationFilterForm,
    InnovationForm,
    PartyFormSet,
    ProjectFilterForm,
    ProjectForm,
    ProjectRevisionForm,
    PublishedFigureForm,
    ReplicationFormSet,
    TransitionForm,
    organisations_by_name,
)
from corridor.portfolio.iati import export_activities
from corridor.portfolio.models import (
    Project,
    ProjectParty,
    ProjectRevision,
    PublishedFigure,
)
from corridor.portfolio.queries import ProjectFilter

# What the person is told when their change of a published project is held for review.
HELD = {
    "project": gettext_lazy(
        "Your change is waiting for an administrator of the initiative to "
        "publish it; until then everyone else sees the published values."
    ),
    "status": gettext_lazy(
        "Your change of the status is waiting for an administrator of the "
        "initiative to publish it; until then everyone else sees the published "
        "status."
    ),
    "parties": gettext_lazy(
        "Your change of the parties is waiting for an administrator of the "
        "initiative to publish it; until then everyone else sees the published "
        "parties."
    ),
}


def _filtered_projects(request, filters: ProjectFilter | None = None):
    """The projects the person may see that pass the list's filters, in the list's order."""
    filters = filters or ProjectFilter.from_params(request.GET)
    projects = queries.project_filter(Project.objects.visible_to(request.user), filters)
    return queries.project_order(projects, request.GET.get("sort"))


def _filter_form(request) -> ProjectFilterForm:
    return ProjectFilterForm(request.GET or None, projects=Project.objects.visible_to(request.user))


def _export_query(request) -> str:
    """The current filters and sort, without the page number, for the export links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- dashboard -----------------------------------------------------------------------------


def dashboard(request):
    filter_form = _filter_form(request)
    filters = filter_form.project_filter()
    projects = queries.project_filter(Project.objects.visible_to(request.user), filters)
    figures = queries.dashboard_figures(projects)
    year_items = [
        ChartItem(
            label=row.label,
            value=row.projects,
            value_text=str(row.projects),
            title=_("%(year)s: %(projects)s")
            % {
                "year": row.label,
                "projects": queries.projects_and_value(row.projects, row.value_usd),
            },
        )
        for row in figures.by_year
    ]
    charts = [
        column_chart(year_items, title=_("Projects by signing year"), width=960),
        horizontal_bar_chart(
            queries.breakdown_items(figures.by_sector), title=_("Projects by sector")
        ),
        horizontal_bar_chart(queries.breakdown_items(figures.by_kind), title=_("Projects by kind")),
        horizontal_bar_chart(
            queries.breakdown_items(figures.by_status), title=_("Projects by status")
        ),
        horizontal_bar_chart(
            queries.breakdown_items(figures.by_side), title=_("Projects by leading side")
        ),
    ]
    innovations = queries.innovations_visible_to(request.user)
    context = {
        "filter_form": filter_form,
        "filters": filters.understood(),
        "figures": figures,
        "charts": charts,
        "innovation_count": innovations.count(),
        "comparisons": queries.published_figure_comparison(
            Project.objects.visible_to(request.user), innovations, latest_only=True
        ),
        "as_of": queries.figures_as_of(),
        "export_query": _export_query(request),
        # what higher apps lend the dashboard (the results framework's summary): core.panels
        "panels": panels.render("dashboard", request),
    }
    return render(request, "portfolio/dashboard.html", context)


# --- projects ------------------------------------------------------------------------------


def project_list(request):
    filter_form = _filter_form(request)
    filters = filter_form.project_filter()
    projects, sort = _filtered_projects(request, filters)
    page = core_views.page_of(request, queries.project_list_rows(projects))
    context = {
        "filter_form": filter_form,
        "filters": filters.understood(),
        "page_obj": page,
        "projects": page.object_list,
        "sort": sort,
        "export_query": _export_query(request),
        "can_create": permissions.can_record_projects(request.user),
        "pending_changes": queries.pending_revisions_visible_to(request.user).count()
        if request.user.is_authenticated
        else 0,
    }
    return render(request, "portfolio/project_list.html", context)


@login_required
def revision_list(request):
    """The changes of published projects waiting for an administrator, as far as the user may
    see them (their own organisation's; the administration sees all)."""
    context = {
        "revisions": queries.pending_revisions_visible_to(request.user),
        "can_decide": permissions.can_decide_revision(request.user),
    }
    return render(request, "portfolio/revision_list.html", context)


def project_export(request, fmt: str):
    """The filtered list, sorted as the page is, as CSV or XLSX: labels in the export's
    language (`?lang=`, else the page's), codes beside them."""
    with translation.override(export_language(request)):
        projects, _sort = _filtered_projects(request)
        headers, rows = exports.project_table(projects)
        return table_response("projects", headers, rows, fmt, title=_("Cooperation projects"))


def project_export_iati(request):
    """The filtered list as IATI 2.03 activity XML."""
    projects, _sort = _filtered_projects(request)
    response = HttpResponse(export_activities(projects), content_type="application/xml")
    response["Content-Disposition"] = (
        f'attachment; filename="corridor-iati-{timezone.localdate():%Y%m%d}.xml"'
    )
    return response


def _value_note(project: Project) -> str:
    """Which dated rate turned the value into US dollars, in one sentence."""
    if project.value is None:
        return _("No value was given for this project.")
    if project.value_usd is None:
        return _(
            "No exchange rate for %(currency)s on or before %(date)s is known, so this value "
            "is not in the US-dollar totals."
        ) % {
            "currency": project.currency,
            "date": (project.signed_on or timezone.localdate()).isoformat(),
        }
    if project.fx_rate is None:
        return _("The value was given in US dollars.")
    return _(
        "Converted with the rate of %(date)s: 1 %(currency)s = %(rate)s US dollars "
        "(source: %(source)s)."
    ) % {
        "date": project.fx_rate.date.isoformat(),
        "currency": project.fx_rate.currency,
        "rate": f"{project.fx_rate.usd_per_unit.normalize():f}",
        "source": project.fx_rate.source,
    }


def project_detail(request, pk: int):
    projects = queries.project_detail_queryset(Project.objects.visible_to(request.user))
    project = get_object_or_404(projects, pk=pk)
    children = queries.sub_projects(Project.objects.visible_to(request.user), project)
    context = {
        "project": project,
        "children": children,
        "value_note": _value_note(project),
        "counted_twice_note": project.parent_id is not None
        and project.value_usd is not None
        and project.counted_value_usd == 0,
        "entries": audit_entries_for(project),
        "can_change": permissions.can_change_project(request.user, project),
        "can_publish": permissions.can_publish(request.user),
        # what higher apps lend the page (the project's indicators): core.panels
        "panels": panels.render("project", request, project=project),
    }
    revision = queries.pending_revision_visible_to(request.user, project)
    if revision is not None:
        context.update(
            revision=revision,
            revision_rows=_revision_rows(revision),
            can_decide=permissions.can_decide_revision(request.user),
            revision_form=ProjectRevisionForm(),
        )
    return render(request, "portfolio/project_detail.html", context)


# What a proposed change's fields are called when they are not the project's own fields.
REVISION_LABELS = {
    "parent_external_id": gettext_lazy("framework agreement (external id)"),
    "parties": gettext_lazy("parties"),
    "status_reason": gettext_lazy("reason for the status change"),
}


def _revision_label(name: str) -> str:
    return str(REVISION_LABELS.get(name) or Project._meta.get_field(name).verbose_name)


def _revision_rows(revision) -> list[tuple[str, str, str]]:
    """(field, published value, proposed value) for each field the revision changes."""
    changes = services.revision_changes(revision)
    organisations = {}
    if "parties" in changes:
        ids = {int(line.split(":")[0]) for lines in changes["parties"] for line in lines}
        organisations = Organisation.objects.in_bulk(ids)
    roles_by_code = dict(ProjectParty.Role.choices)
    labels = {"kind": dict(Project.Kind.choices), "status": dict(Project.Status.choices)}

    def text(name, value) -> str:
        if name == "parties":
            names = []
            for line in value:
                pk, role = line.split(":")
                organisation = organisations.get(int(pk))
                names.append(
                    _("%(organisation)s (%(role)s)")
                    % {
                        "organisation": bilingual(organisation, "name") if organisation else pk,
                        "role": roles_by_code.get(role, role),
                    }
                )
            return "; ".join(names) or "—"
        if name in labels:
            return str(labels[name].get(value, value))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return "—" if value in (None, "") else str(value)

    return [
        (_revision_label(name), text(name, old), text(name, new))
        for name, (old, new) in changes.items()
    ]


def _pending_revision(request, pk: int, revision_pk: int):
    return get_object_or_404(
        ProjectRevision.objects.visible_to(request.user).select_related("project"),
        pk=revision_pk,
        project_id=pk,
    )


@require_POST
@login_required
def project_revision_publish(request, pk: int, revision_pk: int):
    revision = _pending_revision(request, pk, revision_pk)
    try:
        services.project_revision_publish(actor=request.user, revision=revision)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The proposed change is published: anyone can now see it."))
    return redirect("portfolio:project_detail", pk=pk)


@require_POST
@login_required
def project_revision_reject(request, pk: int, revision_pk: int):
    revision = _pending_revision(request, pk, revision_pk)
    form = ProjectRevisionForm(request.POST)
    form.is_valid()
    try:
        services.project_revision_reject(
            actor=request.user, revision=revision, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The proposed change was rejected; the project keeps its values.")
        )
    return redirect("portfolio:project_detail", pk=pk)


def _to_project(project: Project):
    return redirect("portfolio:project_detail", pk=project.pk)


def _post(request, form, write, *, page, done, success: str, formsets=()):
    """The page of a form: shown on GET; on POST, the form goes to the service (`write`)."""
    if request.method != "POST":
        return page(form)
    return core_views.post_form(
        request, form, write, done=done, again=page, success=success, formsets=formsets
    )


@login_required
def project_create(request):
    owners = list(permissions.project_owners(request.user))
    if not owners:
        raise PermissionDenied(
            _(
                "Only the initiative's staff and members of an enterprise, a government "
                "agency or a partner organisation record projects."
            )
        )
    # `?party=<organisation id>` (repeated) starts the project with those organisations as
    # initiators: the directory links here from an accepted connection between two enterprises.
    party_ids = (request.POST if request.method == "POST" else request.GET).getlist("party")
    initiators = list(
        Organisation.objects.filter(pk__in=[i for i in party_ids if i.isdigit()][:10]).order_by(
            "country", "name_en"
        )
    )
    initial = {}
    if initiators and request.method == "GET":
        own = [o for o in owners if o in initiators]
        initial = {"owner": (own or owners)[0].pk}
    form = ProjectForm(request.POST or None, owners=owners, initial=initial)

    def write(cleaned):
        owner = next(o for o in owners if o.pk == cleaned["owner"])
        data = form.project_input()
        if initiators:
            data.parties = [
                services.PartyInput(organisation=o, role=ProjectParty.Role.INITIATOR)
                for o in initiators
            ]
        return services.project_create(actor=request.user, owner=owner, data=data)

    def page(form):
        context = {"form": form, "project": None, "initiators": initiators}
        return render(request, "portfolio/project_form.html", context)

    success = _("The project was recorded.")
    return _post(request, form, write, page=page, done=_to_project, success=success)


def _changeable_project(request, pk: int) -> Project:
    """A project the user may see; PermissionDenied when the user may not change it."""
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("sector", "parent"), pk=pk
    )
    if not permissions.can_change_project(request.user, project):
        raise PermissionDenied(_("You can only change projects your organisation recorded."))
    return project


def _project_form_initial(user, project: Project) -> dict:
    """What the edit form starts from: the pending revision when the person's changes are
    held (so a second change builds on the first), else the project."""
    pending = (
        services.pending_revision(project) if permissions.changes_are_held(user, project) else None
    )
    data = services.revision_input(pending) if pending is not None else None
    return ProjectForm.initial_for(project, data)


@login_required
def project_edit(request, pk: int):
    project = _changeable_project(request, pk)
    held = permissions.changes_are_held(request.user, project)
    form = ProjectForm(
        request.POST or None, project=project, initial=_project_form_initial(request.user, project)
    )

    def write(cleaned):
        return services.project_update(
            actor=request.user,
            project=project,
            data=form.project_input(),
            version=cleaned["version"],
        )

    def page(form):
        saved_values = saved_values_if_stale(
            form, project, lambda project: _project_form_initial(request.user, project)
        )
        context = {"form": form, "project": project, "held": held, "saved_values": saved_values}
        return render(request, "portfolio/project_form.html", context)

    success = str(HELD["project"]) if held else _("The project was saved.")
    return _post(request, form, write, page=page, done=_to_project, success=success)


@login_required
def project_transition(request, pk: int):
    project = _changeable_project(request, pk)
    held = permissions.changes_are_held(request.user, project)
    form = TransitionForm(request.POST or None, project=project)

    def write(cleaned):
        return services.project_transition(
            actor=request.user,
            project=project,
            to_status=cleaned["to_status"],
            on=cleaned["on"],
            reason=cleaned["reason"],
        )

    def page(form):
        context = {"form": form, "project": project, "held": held}
        return render(request, "portfolio/project_transition.html", context)

    success = str(HELD["status"]) if held else _("The status was changed.")
    return _post(request, form, write, page=page, done=_to_project, success=success)


@require_POST
@login_required
def project_publish(request, pk: int):
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
    published = request.POST.get("published") == "1"
    services.project_publish(actor=request.user, project=project, published=published)
    if published:
        messages.success(request, _("The project is published: anyone can now see it."))
    else:
        messages.success(request, _("The project is no longer published."))
    return redirect("portfolio:project_detail", pk=project.pk)


# --- institutional innovations -------------------------------------------------------------


def _filtered_innovations(request):
    innovations = queries.innovations_visible_to(request.user)
    return queries.innovation_filter(innovations, request.GET)


def innovation_list(request):
    innovations, filters = _filtered_innovations(request)
    innovations = innovations.prefetch_related("agencies", "replications")
    page = core_views.page_of(request, innovations)
    context = {
        "filter_form": InnovationFilterForm(request.GET or None),
        "filters": filters,
        "page_obj": page,
        "innovations": page.object_list,
        "export_query": _export_query(request),
        "can_record": permissions.can_record_innovations(request.user),
    }
    return render(request, "portfolio/innovation_list.html", context)


def innovation_detail(request, pk: int):
    innovation = get_object_or_404(
        queries.innovations_visible_to(request.user).prefetch_related("agencies", "replications"),
        pk=pk,
    )
    context = {
        "innovation": innovation,
        "entries": audit_entries_for(innovation),
        "can_change": permissions.can_record_innovations(request.user),
    }
    return render(request, "portfolio/innovation_detail.html", context)


def innovation_export(request, fmt: str):
    """The filtered list of institutional innovations as CSV or XLSX."""
    with translation.override(export_language(request)):
        innovations, _filters = _filtered_innovations(request)
        headers, rows = exports.innovation_table(innovations)
        return table_response(
            "innovations", headers, rows, fmt, title=_("Institutional innovations")
        )


# --- published figures ---------------------------------------------------------------------


def figure_list(request):
    comparisons = queries.published_figure_comparison(
        Project.objects.visible_to(request.user), queries.innovations_visible_to(request.user)
    )
    context = {
        "comparisons": comparisons,
        "as_of": queries.figures_as_of(),
        "can_record_figures": permissions.can_record_figures(request.user),
    }
    return render(request, "portfolio/figure_list.html", context)


# --- parties of a project ------------------------------------------------------------------


def _posted_version(request) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@login_required
def project_parties(request, pk: int):
    project = _changeable_project(request, pk)
    held = permissions.changes_are_held(request.user, project)
    pending = services.pending_revision(project) if held else None
    formset = PartyFormSet(
        request.POST or None,
        initial=PartyFormSet.initial_for(
            project, pending.values.get("parties") if pending else None
        ),
        form_kwargs={"organisations": organisations_by_name()},
        prefix="parties",
    )
    version = project.version

    def write(_cleaned):
        if _posted_version(request) is None:
            raise ValidationError(MISSING_VERSION)
        return services.project_set_parties(
            actor=request.user,
            project=project,
            parties=formset.party_inputs(),
            version=_posted_version(request),
        )

    def page(formset):
        stale = is_stale(formset)
        if stale:
            project.refresh_from_db()
        context = {
            "formset": formset,
            "project": project,
            "version": project.version if stale else version,
            "held": held,
            "saved_parties": project.parties.select_related("organisation") if stale else None,
        }
        return render(request, "portfolio/project_parties.html", context)

    success = str(HELD["parties"]) if held else _("The parties were saved.")
    return _post(request, formset, write, page=page, done=_to_project, success=success)


# --- recording institutional innovations ---------------------------------------------------


def _require_facilitator(request) -> None:
    if not permissions.can_record_innovations(request.user):
        raise PermissionDenied(
            _("Only the initiative's administrators and facilitators record innovations.")
        )


@login_required
def innovation_edit(request, pk: int | None = None):
    """Record an innovation (no `pk`: the "new" page), or change one."""
    _require_facilitator(request)
    innovation = None
    if pk is not None:
        innovation = get_object_or_404(
            queries.innovations_visible_to(request.user).prefetch_related(
                "agencies", "replications"
            ),
            pk=pk,
        )
    form = InnovationForm(
        request.POST or None,
        innovation=innovation,
        initial=InnovationForm.initial_for(innovation) if innovation else None,
    )
    replications = ReplicationFormSet(
        request.POST or None,
        initial=ReplicationFormSet.initial_for(innovation),
        prefix="replications",
    )

    @transaction.atomic  # the innovation and its replications are saved together, or not at all
    def write(_cleaned):
        saved = services.innovation_save(
            actor=request.user, innovation=innovation, **form.innovation_fields()
        )
        services.innovation_set_replications(
            actor=request.user, innovation=saved, replications=replications.replication_inputs()
        )
        return saved

    def page(form):
        context = {
            "form": form,
            "replications": replications,
            "innovation": innovation,
            "saved_values": saved_values_if_stale(form, innovation, InnovationForm.initial_for),
        }
        return render(request, "portfolio/innovation_form.html", context)

    return _post(
        request,
        form,
        write,
        page=page,
        done=lambda saved: redirect("portfolio:innovation_detail", pk=saved.pk),
        success=_("The innovation was saved."),
        formsets=[replications],
    )


innovation_create = innovation_edit


# --- recording published figures -----------------------------------------------------------


def _require_initiative_admin(request) -> None:
    if not permissions.can_record_figures(request.user):
        raise PermissionDenied(_("Only the initiative's administrators record published figures."))


@login_required
def figure_edit(request, pk: int | None = None):
    """Record a published figure (no `pk`: the "new" page), or change one."""
    _require_initiative_admin(request)
    figure = get_object_or_404(PublishedFigure, pk=pk) if pk is not None else None
    form = PublishedFigureForm(
        request.POST or None,
        figure=figure,
        initial=PublishedFigureForm.initial_for(figure) if figure else None,
    )

    def write(_cleaned):
        return services.published_figure_save(
            actor=request.user, figure=figure, **form.figure_fields()
        )

    def page(form):
        saved_values = saved_values_if_stale(form, figure, PublishedFigureForm.initial_for)
        context = {"form": form, "figure": figure, "saved_values": saved_values}
        return render(request, "portfolio/figure_form.html", context)

    return _post(
        request,
        form,
        write,
        page=page,
        done=lambda _figure: redirect("portfolio:figure_list"),
        success=_("The published figure was saved."),
    )


figure_create = figure_edit
