"""The results framework's pages: thin views that parse, call a query or a service, and
render. Every indicator is reached through `Indicator.objects.visible_to(request.user)`; every
write goes through `corridor.results.services`, which checks permission again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.core import views as core_views
from corridor.core.audit import audit_entries_for
from corridor.core.exports import export_language, table_response
from corridor.portfolio.queries import ProjectFilter
from corridor.results import exports, permissions, queries, services
from corridor.results.charts import Value, indicator_chart
from corridor.results.forms import (
    STATUS_LABELS,
    ActualForm,
    IndicatorFilterForm,
    IndicatorForm,
    MeasureForm,
    TargetForm,
)
from corridor.results.models import Actual, Indicator
from corridor.results.templatetags.results import compact, figure


def _indicator(request, pk: int) -> Indicator:
    return core_views.found_or_404(queries.indicator_visible(request.user, pk))


def _labelled(progress):
    return STATUS_LABELS[progress.status]


# --- list ----------------------------------------------------------------------------------


def indicator_list(request):
    filter_form = IndicatorFilterForm(request.GET or None)
    filters = queries.IndicatorFilter.from_params(request.GET)
    rows = queries.indicator_rows(request.user, filters)
    page_obj = core_views.page_of(request, rows)
    context = {
        "filter_form": filter_form,
        "active": any([filters.q, filters.scope, filters.status]),
        "page_obj": page_obj,
        "status_labels": STATUS_LABELS,
        "counts": queries.status_counts(rows),
        "total": len(rows),
        "may_add": queries.may_add_indicators(request.user),
    }
    return render(request, "results/indicator_list.html", context)


def indicator_export(request, fmt: str):
    """The filtered list as CSV or XLSX, in the export's language (`?lang=`, else the page's)."""
    with translation.override(export_language(request)):
        rows = queries.indicator_rows(
            request.user, queries.IndicatorFilter.from_params(request.GET)
        )
        headers, lines = exports.indicator_table(rows)
        return table_response("indicators", headers, lines, fmt, title=_("Indicators"))


def dashboard_panel(request) -> str:
    """The dashboard's summary of the indicators (registered in `apps.py`): how many are on
    track, at risk and off track, and the initiative's own indicators with their progress.
    The dashboard's project filters do not narrow it; when some are set, it says so."""
    summary = queries.dashboard_summary(request.user)
    if not summary.total:
        return ""
    context = {
        "projects_filtered": ProjectFilter.from_params(request.GET) != ProjectFilter(),
        "counts": summary.counts,
        "status_labels": STATUS_LABELS,
        "initiative_rows": summary.initiative_rows,
        "total": summary.total,
    }
    return render_to_string("results/_dashboard_panel.html", context, request=request)


def project_panel(request, *, project) -> str:
    """A project page's indicators (registered in `apps.py`): each with its current target
    and progress, and "New indicator" for those who may set them."""
    rows = queries.indicator_rows(request.user, queries.IndicatorFilter(project=project.pk))
    may_define = permissions.can_define_for(request.user, project=project)
    if not rows and not may_define:
        return ""
    context = {"rows": rows, "project": project, "may_define": may_define}
    return render_to_string("results/_project_panel.html", context, request=request)


# --- one indicator -------------------------------------------------------------------------


def _chart(indicator: Indicator, targets, actuals):
    unit = indicator.unit

    def value(start, end, number, label):
        return Value(start, end, number, f"{label}: {figure(number)} {unit}")

    baseline = None
    if indicator.baseline_on is not None:
        baseline = value(
            indicator.baseline_on,
            indicator.baseline_on,
            indicator.baseline_value,
            _("Baseline %(date)s") % {"date": indicator.baseline_on.isoformat()},
        )
    totals = [t for t in targets if not t.side and t.sector_id is None]
    measured = [a for a in actuals if not a.side and a.sector_id is None]
    return indicator_chart(
        title=_("%(indicator)s: baseline, targets and actuals") % {"indicator": indicator.title},
        baseline=baseline,
        targets=[
            value(
                t.period_start,
                t.period_end,
                t.value,
                _("Target by %(date)s") % {"date": t.period_end.isoformat()},
            )
            for t in totals
        ],
        actuals=[
            value(
                a.period_start,
                a.period_end,
                a.value,
                _("Actual by %(date)s") % {"date": a.period_end.isoformat()},
            )
            for a in measured
        ],
        format_value=compact,
    )


def indicator_detail(request, pk: int):
    indicator = _indicator(request, pk)
    targets = list(queries.targets_of(indicator))
    actuals = list(queries.actuals_of(indicator))
    progress = queries.progress_of(indicator)
    context = {
        "indicator": indicator,
        "progress": progress,
        "status_label": _labelled(progress),
        "targets": targets,
        "actuals": actuals,
        "chart": _chart(indicator, targets, actuals),
        "may_define": permissions.can_define(request.user, indicator),
        "may_record": permissions.can_record(request.user, indicator),
        "measure_form": MeasureForm(
            initial={
                "period_start": progress.target.start if progress.target else None,
                "period_end": timezone.localdate(),
            }
        ),
        "history": audit_entries_for(indicator),
    }
    return render(request, "results/indicator_detail.html", context)


# --- forms ---------------------------------------------------------------------------------


@login_required
def indicator_create(request):
    choices = queries.scope_choices(request.user)
    if not choices:
        permissions.require(False, _("You may not set indicators for any project, case or event."))
    initial = {}
    for kind in ("project", "case", "event"):
        if request.GET.get(kind, "").isdigit():
            initial["scope_record"] = f"{kind}:{request.GET[kind]}"
    form = IndicatorForm(request.POST or None, initial=initial, scope_choices=choices)

    def again(form):
        return render(request, "results/indicator_form.html", {"form": form}, status=400)

    if request.method != "POST":
        return render(request, "results/indicator_form.html", {"form": form})

    def write(data):
        scope = queries.scope_from_choice(request.user, data.pop("scope_record"))
        data.pop("version", None)
        return services.indicator_create(actor=request.user, **scope, **data)

    return core_views.post_form(
        request,
        form,
        write,
        done=lambda indicator: redirect("results:indicator_detail", indicator.pk),
        again=again,
        success=_("The indicator is saved."),
    )


@login_required
def indicator_edit(request, pk: int):
    indicator = _indicator(request, pk)
    permissions.require_define(request.user, indicator)
    initial = {name: getattr(indicator, name) for name in services.INDICATOR_FIELDS}
    initial["version"] = indicator.version
    form = IndicatorForm(request.POST or None, initial=initial, editing=True)
    context = {"form": form, "indicator": indicator}
    if request.method != "POST":
        return render(request, "results/indicator_form.html", context)

    def write(data):
        version = data.pop("version")
        return services.indicator_update(
            actor=request.user, indicator=indicator, version=version or 0, **data
        )

    def again(form):
        if "version" in getattr(form, "stale_fields", set()):
            fresh = Indicator.objects.get(pk=indicator.pk)
            saved = {name: getattr(fresh, name) for name in services.INDICATOR_FIELDS}
            saved["version"] = fresh.version
            context["saved_values"] = form.saved_values(saved)
            form.take_version(fresh.version)
        return render(request, "results/indicator_form.html", context, status=400)

    return core_views.post_form(
        request,
        form,
        write,
        done=lambda saved: redirect("results:indicator_detail", saved.pk),
        again=again,
        success=_("The indicator is saved."),
    )


def _row_page(request, pk: int, *, form_class, require, service, template, success):
    """Add a target or record an actual: `service` is called with the actor, the indicator
    and the form's fields."""
    indicator = _indicator(request, pk)
    require(request.user, indicator)
    form = form_class(request.POST or None, request.FILES or None, indicator=indicator)
    context = {"form": form, "indicator": indicator}
    if request.method != "POST":
        return render(request, template, context)
    return core_views.post_form(
        request,
        form,
        lambda data: service(actor=request.user, indicator=indicator, **data),
        done=lambda _row: redirect("results:indicator_detail", indicator.pk),
        again=lambda form: render(request, template, context, status=400),
        success=success,
    )


@login_required
def target_add(request, pk: int):
    return _row_page(
        request,
        pk,
        form_class=TargetForm,
        require=permissions.require_define,
        service=services.target_add,
        template="results/target_form.html",
        success=_("The target is saved."),
    )


@login_required
def actual_record(request, pk: int):
    return _row_page(
        request,
        pk,
        form_class=ActualForm,
        require=permissions.require_record,
        service=services.actual_record,
        template="results/actual_form.html",
        success=_("The actual is saved."),
    )


@login_required
@require_POST
def actual_measure(request, pk: int):
    """Record an actual measured from the indicator's feed (no typing)."""
    indicator = _indicator(request, pk)
    form = MeasureForm(request.POST)
    back = core_views.back_to(reverse("results:indicator_detail", args=[indicator.pk]), "actuals")
    if not form.is_valid():
        permissions.require_record(request.user, indicator)
        messages.error(request, _("Give the period's start and end dates."))
        return back
    return core_views.post_action(
        request,
        lambda: services.actual_record_from_feed(
            actor=request.user, indicator=indicator, **form.cleaned_data
        ),
        back=back,
        success=lambda actual: (
            _("Measured and recorded: %(value)s.") % {"value": figure(actual.value)}
        ),
    )


def actual_document(request, pk: int):
    """An actual's evidence document, for whoever may see its indicator."""
    actual = get_object_or_404(
        Actual.objects.filter(indicator__in=Indicator.objects.visible_to(request.user)), pk=pk
    )
    if not actual.document:
        raise Http404
    return core_views.stored_file(
        actual.document.name,
        filename=actual.document_name or "evidence",
        content_type=actual.document_type or "application/octet-stream",
    )
