"""The directory pages: thin views that parse, call a query or a service, and render.

Every read starts from `Profile.objects.visible_to(request.user)` (in `queries`), so a
members-only profile answers 404 to people outside the initiative, like one that does not
exist. Every write goes through `corridor.directory.services`, which checks permission
again; a refusal (`PermissionDenied`) goes up to the site's 403 page with the service's
reason, and a write that fails validation shows the form again with the person's values and
the error beside the field it names (nothing typed is lost: `core.views.post_form`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.core.audit import audit_entries_for
from corridor.core.bilingual import LANGUAGE_LABELS, bilingual
from corridor.core.models import Sector
from corridor.core.views import back_to, found_or_404, page_of, post_action, post_form
from corridor.directory import permissions, queries, recommendations, search, services
from corridor.directory.forms import (
    AnswerForm,
    ConnectForm,
    DirectoryFilterForm,
    FeedbackForm,
    MessageForm,
    ProfileForm,
)
from corridor.directory.models import Connection, Feedback, Profile


def _visible_profile(request, pk: int) -> Profile:
    """The profile, if the user may see it; 404 otherwise, never saying whether it exists."""
    return found_or_404(queries.profile_visible(request.user, pk))


def _name(profile: Profile) -> str:
    return bilingual(profile.organisation, "name")


# --- the directory --------------------------------------------------------------------------


def _my_enterprise(user) -> dict:
    """The box that takes a member to their own profile, its recommendations and its
    requests, or to creating the profile their organisation does not have yet."""
    if not user.is_authenticated:
        return {}
    profiles = queries.profiles_acted_for(user)
    return {
        "my_profiles": profiles,
        "organisations_without_profile": queries.organisations_without_profile(user),
        "requests_waiting": queries.requests_waiting(profiles),
    }


def profile_list(request):
    user = request.user
    form = DirectoryFilterForm(
        request.GET or None,
        sectors=list(Sector.objects.all()),
        countries=DirectoryFilterForm.countries_in_order(queries.countries(user)),
        cities=queries.cities(user),
    )
    found = search.directory_search(user, form.filter())
    page = page_of(request, found)
    context = {
        "found_by_words": found.words,
        "filter_form": form,
        "page_obj": page,
        "profiles": page.object_list,
        "is_member": roles.is_initiative_member(user),
        **_my_enterprise(user),
    }
    return render(request, "directory/profile_list.html", context)


# --- a profile ------------------------------------------------------------------------------


def _connect_form(request, profile: Profile, own: list[Profile], bound=None):
    """The "ask to connect" form, for the person's own enterprises not yet connected or
    asking; None when there is none left."""
    if bound is not None:
        return bound
    free = [p for p in own if p.open_connection is None]
    if not free:
        return None
    wanted = request.GET.get("from", "")
    initial = {"from_profile": int(wanted)} if wanted.isdigit() else {}
    return ConnectForm(own_profiles=free, initial=initial)


def _profile_page(request, profile: Profile, *, connect_form=None, status: int = 200):
    user = request.user
    acts = permissions.acts_for(user, profile) if user.is_authenticated else False
    own = queries.own_profiles_beside(user, profile)
    context = {
        "profile": profile,
        "organisation": profile.organisation,
        "sectors": list(profile.organisation.sectors.all()),
        "contacts": list(profile.contacts.all()),
        "working_languages": [LANGUAGE_LABELS.get(code, code) for code in profile.languages or []],
        "acts_for": acts,
        "can_verify": permissions.can_verify(user) if user.is_authenticated else False,
        "own_profiles": own,
        "connect_form": _connect_form(request, profile, own, connect_form),
        "entries": audit_entries_for(profile) if acts else None,
    }
    return render(request, "directory/profile_detail.html", context, status=status)


def profile_detail(request, pk: int):
    return _profile_page(request, _visible_profile(request, pk))


@require_POST
@login_required
def profile_verify(request, pk: int):
    profile = _visible_profile(request, pk)
    verified = request.POST.get("verified") == "1"
    services.profile_verify(actor=request.user, profile=profile, verified=verified)
    if verified:
        messages.success(request, _("%(name)s is now verified.") % {"name": _name(profile)})
    else:
        messages.success(
            request, _("%(name)s is no longer marked as verified.") % {"name": _name(profile)}
        )
    return redirect("directory:profile_detail", pk=profile.pk)


@require_POST
@login_required
def connection_request(request, pk: int):
    profile = _visible_profile(request, pk)
    own = [p for p in queries.profiles_acted_for(request.user) if p.pk != profile.pk]
    if not own:
        raise PermissionDenied(
            _("You can ask to connect once your enterprise has a profile in the directory.")
        )
    form = ConnectForm(request.POST, own_profiles=own)
    return post_form(
        request,
        form,
        lambda data: services.connection_request(
            actor=request.user,
            from_profile=form.own_profiles[data["from_profile"]],
            to_profile=profile,
            message=data["message"],
        ),
        done=lambda _connection: redirect("directory:profile_detail", pk=profile.pk),
        again=lambda form: _profile_page(request, profile, connect_form=form, status=400),
        success=_(
            "Your request was sent to %(name)s. Their answer will appear on your connections page."
        )
        % {"name": _name(profile)},
    )


# --- editing and creating a profile ---------------------------------------------------------


def _profile_form_page(request, organisation: Organisation, profile: Profile | None):
    if not permissions.can_edit_profile(request.user, organisation):
        raise PermissionDenied(
            _(
                "Only the enterprise's own members and the initiative's facilitators can "
                "change its profile."
            )
        )
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        sectors=list(Sector.objects.all()),
        members=queries.members_of(organisation),
        initial=ProfileForm.initial_for(organisation, profile, request.user),
    )

    def page(form, status=200):
        shown, saved_values = profile, None
        if "version" in getattr(form, "stale_fields", ()):
            # Someone saved meanwhile: show their values beside the person's.
            organisation.refresh_from_db()
            shown = Profile.objects.filter(organisation=organisation).first()
            current = ProfileForm.initial_for(organisation, shown, request.user)
            saved_values = form.show_saved(current)
        context = {
            "form": form,
            "organisation": organisation,
            "profile": shown,
            "saved_values": saved_values,
        }
        return render(request, "directory/profile_form.html", context, status=status)

    if not form.is_bound:
        return page(form)
    return post_form(
        request,
        form,
        lambda _data: services.profile_save(
            actor=request.user, organisation=organisation, **form.service_arguments()
        ),
        done=lambda saved: redirect("directory:profile_detail", pk=saved.pk),
        again=lambda form: page(form, status=400),
        success=_(
            "The profile was saved. Recommendations will update in a few minutes: "
            "the offers and needs are being analysed in the background."
        ),
    )


@login_required
def profile_edit(request, pk: int):
    profile = _visible_profile(request, pk)
    return _profile_form_page(request, profile.organisation, profile)


@login_required
def profile_create(request):
    organisation_id = request.GET.get("organisation", "")
    if not organisation_id.isdigit():
        raise Http404
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    existing = Profile.objects.filter(organisation=organisation).first()
    if existing is not None:
        return redirect("directory:profile_edit", pk=existing.pk)
    return _profile_form_page(request, organisation, None)


# --- recommendations ------------------------------------------------------------------------


def _recommendations_url(profile: Profile, include_own_country: bool) -> str:
    url = reverse("directory:recommendations", args=[profile.pk])
    return url + ("?own_country=1" if include_own_country else "")


@login_required
def profile_recommendations(request, pk: int):
    profile = _visible_profile(request, pk)
    include_own_country = request.GET.get("own_country") == "1"
    recommended = recommendations.recommendations_for(
        request.user, profile, across_border=not include_own_country
    )
    connections = queries.open_connections(profile, [r.profile.pk for r in recommended or []])
    for item in recommended or []:
        item.connection = connections.get(item.profile.pk)
    context = {
        "profile": profile,
        "recommended": recommended,
        "hidden": recommendations.hidden_for(request.user, profile),
        "include_own_country": include_own_country,
        "country": profile.organisation.country,
    }
    return render(request, "directory/recommendations.html", context)


@require_POST
@login_required
def recommendation_feedback(request, pk: int):
    profile = _visible_profile(request, pk)
    back = _recommendations_url(profile, request.POST.get("own_country") == "1")
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was recorded: choose interested or not relevant."))
        return redirect(back)
    candidate = _visible_profile(request, form.cleaned_data["candidate"])
    verdict = form.cleaned_data["verdict"]
    if verdict == Feedback.Verdict.INTERESTED:
        text = _("You marked %(name)s as interesting: enterprises like it will rank higher.")
    elif verdict == Feedback.Verdict.NOT_RELEVANT:
        text = _("%(name)s is hidden from your recommendations; you can bring it back below.")
    else:
        text = _("Your mark on %(name)s was taken back.")
    return post_action(
        request,
        lambda: services.feedback_record(
            actor=request.user, profile=profile, candidate=candidate, verdict=verdict
        ),
        back=redirect(back),
        success=text % {"name": _name(candidate)},
    )


# --- connection requests --------------------------------------------------------------------


def _connection_of(request, pk: int) -> Connection:
    """The request, if the user acts for one of its two enterprises; 404 otherwise."""
    return found_or_404(queries.connection_visible(request.user, pk))


def _connection_page(request, connection: Connection, form, status: int = 200):
    context = {
        "connection": connection,
        "sides": queries.contacts_of(request.user, connection),
        "thread": queries.messages_of(request.user, connection),
        "form": form,
        "answer_form": AnswerForm(),
        "asked": permissions.acts_for(request.user, connection.to_profile),
        "asking": permissions.acts_for(request.user, connection.from_profile),
    }
    return render(request, "directory/connection_detail.html", context, status=status)


@login_required
def connection_detail(request, pk: int):
    """One request to connect: both enterprises, the request and its answer; once accepted,
    both sides' contact persons and their messages (with a form to write one)."""
    connection = _connection_of(request, pk)
    if request.method != "POST":
        return _connection_page(request, connection, MessageForm())
    if not permissions.in_dialogue(request.user, connection):
        # no form is shown before the request is accepted: say why nothing was sent
        messages.error(
            request,
            _(
                "Messages can be written only once the request to connect is accepted; it "
                "is “%(status)s”."
            )
            % {"status": connection.get_status_display()},
        )
        return redirect("directory:connection_detail", pk=pk)
    return post_form(
        request,
        MessageForm(request.POST),
        lambda data: services.connection_message_post(
            actor=request.user, connection=connection, text=data["text"]
        ),
        done=lambda _message: back_to(
            reverse("directory:connection_detail", args=[pk]), "messages"
        ),
        again=lambda form: _connection_page(request, connection, form, status=400),
        success=_("Your message was sent; the other side is told by e-mail."),
    )


@login_required
def connection_list(request):
    own = queries.profiles_acted_for(request.user)
    sections = [(profile, queries.connections_of(profile)) for profile in own]
    context = {
        "sections": sections,
        "answer_form": AnswerForm(),
        **_my_enterprise(request.user),
    }
    return render(request, "directory/connections.html", context)


def _back_from(request, connection: Connection):
    """Back to the connection's own page when the form was sent from there, else to the
    list of requests."""
    if request.POST.get("back") == "connection":
        return redirect("directory:connection_detail", pk=connection.pk)
    return redirect("directory:connections")


@require_POST
@login_required
def connection_answer(request, pk: int):
    connection = _connection_of(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was recorded: choose to accept or decline."))
        return _back_from(request, connection)
    accept = form.cleaned_data["accept"]
    names = {"name": _name(connection.from_profile)}
    if accept:
        text = _(
            "You accepted the request of %(name)s. You can now record a cooperation project "
            "together."
        )
    else:
        text = _("You declined the request of %(name)s.")
    return post_action(
        request,
        lambda: services.connection_answer(
            actor=request.user,
            connection=connection,
            accept=accept,
            answer=form.cleaned_data["answer"],
        ),
        back=_back_from(request, connection),
        success=text % names,
    )


@require_POST
@login_required
def connection_withdraw(request, pk: int):
    connection = _connection_of(request, pk)
    return post_action(
        request,
        lambda: services.connection_withdraw(actor=request.user, connection=connection),
        back=_back_from(request, connection),
        success=_("Your request to %(name)s was withdrawn.")
        % {"name": _name(connection.to_profile)},
    )
