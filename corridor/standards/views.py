"""The readiness-assessment pages: thin views that parse, call a query or a service, render.

Every read starts from `queries.assessments_visible_to(request.user)`: an assessment the
user may not see answers 404, exactly like one that does not exist. Writes go through
`corridor.standards.services`, which checks permission again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.core.bilingual import is_chinese
from corridor.core.views import page_of, post_form
from corridor.core.vocabularies import country_name
from corridor.standards import kb, pdf, permissions, queries, services
from corridor.standards.forms import (
    ATTRIBUTE_PREFIX,
    AssessmentForm,
    WatchForm,
    evidence_title,
    value_label,
)
from corridor.standards.forms import attribute_definitions as kb_attribute_definitions

REPORT_LANGUAGES = {"en", "zh-hans"}


def _visible_assessment(request, pk: int):
    assessment = queries.assessment_visible_to(request.user, pk)
    if assessment is None:
        raise Http404(_("No assessment has the id “%(value)s”.") % {"value": pk})
    return assessment


def coverage_page(request):
    """What the knowledge base covers: HS chapter × market (SG and CN, both directions), with
    requirement counts and covered / partly covered / not covered. Public, like the HS pages:
    it describes the knowledge base, not anybody's records."""
    return render(request, "standards/coverage.html", queries.coverage_overview())


@login_required
def assessment_list(request):
    assessments = queries.assessments_visible_to(request.user)
    page = page_of(request, assessments)
    return render(
        request,
        "standards/assessment_list.html",
        {"page_obj": page, "assessments": page.object_list},
    )


@login_required
def assessment_create(request):
    knowledge_base = kb.current()
    form = AssessmentForm(
        request.POST or None,
        user=request.user,
        knowledge_base=knowledge_base,
        initial=_question_of(request),
    )
    if not form.fields["organisation"].queryset.exists():
        raise PermissionDenied(
            _(
                "Only the initiative's staff and members of an enterprise, a government "
                "agency or a partner organisation make assessments."
            )
        )

    def again(form):
        context = {"form": form, "hs_search_url": _hs_search_url()}
        return render(request, "standards/assessment_form.html", context)

    return _form_page(
        request,
        form,
        lambda data: services.assessment_create(
            actor=request.user,
            organisation=data["organisation"],
            product_name=data["product_name"],
            hs_code=data["hs_code"],
            origin=data["origin"],
            destination=data["destination"],
            attributes=form.attributes(),
            held=data["held"],
        ),
        done=lambda assessment: redirect("standards:assessment_detail", pk=assessment.pk),
        again=again,
    )


def _form_page(request, form, write, *, again, **answers):
    """The page with its form on GET; on POST, the form through `write` (`post_form`)."""
    if request.method != "POST":
        return again(form)
    return post_form(request, form, write, again=again, **answers)


def _question_of(request) -> dict:
    """The form filled in with the question of an assessment the user sees (`?from=<id>`,
    the "Run it again" link of a stale assessment); {} without one."""
    raw = request.GET.get("from", "")
    if request.method != "GET" or not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return {}
    assessment = queries.assessment_visible_to(request.user, int(raw))
    if assessment is None:
        return {}
    initial = {
        "organisation": assessment.organisation_id,
        "product_name": assessment.product_name,
        "hs_code": assessment.hs_code,
        "origin": assessment.origin,
        "destination": assessment.destination,
        "held": list(assessment.held or []),
    }
    for name, value in (assessment.attributes or {}).items():
        initial[ATTRIBUTE_PREFIX + name] = value
    return initial


def _hs_search_url() -> str:
    """The HS search page (built beside these pages, under /standards/hs/)."""
    for name in ("hs:search", "standards:hs:search"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/standards/hs/"


def _value_text(value) -> str:
    """An attribute's value as a person writes it: 3490, not 3490.0; a choice by its label."""
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int | float):
        return f"{value:,}"
    return value_label(str(value))


def _question(assessment) -> dict:
    """What was asked, in words: the attributes and the evidence held."""
    knowledge_base = kb.current()
    labels = {d.name: d.label for d in kb_attribute_definitions(knowledge_base)}
    attributes = [
        (labels.get(name, name.replace("_", " ")), _value_text(value))
        for name, value in sorted(assessment.attributes.items())
    ]
    held = [evidence_title(knowledge_base, evidence_id) for evidence_id in assessment.held]
    return {"attribute_list": attributes, "held_list": held}


@login_required
def assessment_detail(request, pk: int):
    assessment = _visible_assessment(request, pk)
    language = get_language()
    report = queries.assessment_report(assessment, language)
    context = {
        "assessment": assessment,
        "report": report,
        "summary": queries.status_summary(report),
        "other_language": "en" if is_chinese(language) else "zh-hans",
        "can_delete": permissions.can_delete_assessment(request.user, assessment),
        **_question(assessment),
    }
    return render(request, "standards/assessment_detail.html", context)


@login_required
def assessment_report_pdf(request, pk: int):
    assessment = _visible_assessment(request, pk)
    language = request.GET.get("lang") or get_language()
    if language not in REPORT_LANGUAGES:
        language = "zh-hans" if is_chinese(language) else "en"
    return pdf.report_response(assessment, language)


@login_required
@require_POST
def assessment_delete(request, pk: int):
    assessment = _visible_assessment(request, pk)
    services.assessment_delete(actor=request.user, assessment=assessment)
    messages.success(request, _("The assessment was deleted."))
    return redirect("standards:assessment_list")


@login_required
def watching(request):
    """The products a person follows, a form to follow one more, and a button to stop."""
    markets = services.watch_markets()
    initial = {
        "hs_prefix": request.GET.get("hs", "")[:12],
        "market": request.GET.get("market", "")[:2].upper(),
    }
    form = WatchForm(request.POST or None, markets=markets, initial=initial)

    def again(form):
        watches = list(queries.watches_of(request.user))
        for watch in watches:
            watch.market_name = country_name(watch.market)
        return render(request, "standards/watching.html", {"form": form, "watches": watches})

    return _form_page(
        request,
        form,
        lambda data: services.watch_add(
            actor=request.user, hs_prefix=data["hs_prefix"], market=data["market"]
        ),
        done=lambda watch: redirect("standards:watching"),
        again=again,
        success=lambda watch: (
            _("You now follow HS %(hs)s in %(market)s.")
            % {"hs": watch.hs_prefix, "market": country_name(watch.market)}
        ),
    )


@login_required
@require_POST
def watch_remove(request, pk: int):
    watch = queries.watch_with_id(pk)
    if watch is None:
        raise Http404(_("No followed product has the id “%(value)s”.") % {"value": pk})
    services.watch_remove(actor=request.user, watch=watch)
    messages.success(
        request,
        _("You no longer follow HS %(hs)s in %(market)s.")
        % {"hs": watch.hs_prefix, "market": country_name(watch.market)},
    )
    return redirect("standards:watching")
