"""The directory pages: thin views that parse, call a query or a service, and render.

Every read starts from `Profile.objects.visible_to(request.user)`, so a members-only profile
answers 404 to people outside the initiative, like one that does not exist. Every write goes
through `corridor.directory.services`, which checks permission again; a refused action shows
a 403 page with the service's reason, and a write that fails validation shows the form again
with the person's values and the error beside the field it names (nothing typed is lost).
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.core import views as core_views
from corridor.core.audit import audit_entries_for
from corridor.core.bilingual import LANGUAGE_LABELS, bilingual
from corridor.core.models import Sector
from corridor.directory import queries, recommendations, search, services
from corridor.directory.forms import (
    AnswerForm,
    ConnectForm,
    DirectoryFilterForm,
    FeedbackForm,
    MessageForm,
    ProfileForm,
)
from corridor.directory.models import Connection, Feedback, Profile

PAGE_SIZE = 25


def forbidden(request, exc: PermissionDenied):
    return core_views.forbidden(
        request,
        exc,
        back_url=reverse("directory:profile_list"),
        back_label=_("Back to the directory"),
    )


def _visible_profile(request, pk: int) -> Profile:
    """The profile, if the user may see it; 404 otherwise, never saying whether it exists."""
    profile = queries.profile_visible(request.user, pk)
    if profile is None:
        raise Http404
    return profile


def _name(profile: Profile) -> str:
    return bilingual(profile.organisation, "name")


# --- the directory --------------------------------------------------------------------------


def _countries_present(user) -> list[str]:
    """The countries of the profiles the user may see, Singapore and China first."""
    codes = (
        Profile.objects.visible_to(user)
        .order_by()
        .values_list("organisation__country", flat=True)
        .distinct()
    )
    return DirectoryFilterForm.countries_in_order(codes)


def _my_enterprise(user) -> dict:
    """The box that takes a member to their own profile, its recommendations and its
    requests, or to creating the profile their organisation does not have yet."""
    if not user.is_authenticated:
        return {}
    profiles = queries.profiles_acted_for(user)
    without_profile = list(
        Organisation.objects.filter(
            pk__in=roles.organisation_ids(user), is_administration=False, profile__isnull=True
        ).order_by("name_en", "id")
    )
    waiting = 0
    if profiles:
        waiting = Connection.objects.filter(
            to_profile__in=profiles, status=Connection.Status.PENDING
        ).count()
    return {
        "my_profiles": profiles,
        "organisations_without_profile": without_profile,
        "requests_waiting": waiting,
    }


def profile_list(request):
    user = request.user
    form = DirectoryFilterForm(
        request.GET or None,
        sectors=list(Sector.objects.all()),
        countries=_countries_present(user),
        cities=queries.cities(user),
    )
    form.is_valid()  # a filter that does not parse is shown with its error and ignored
    data = getattr(form, "cleaned_data", {})
    found = search.directory_search(
        user,
        q=data.get("q", ""),
        sector=data.get("sector", ""),
        country=data.get("country", ""),
        city=data.get("city", ""),
        verified_only=data.get("verified", False),
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
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
    acts = services.acts_for(user, profile) if user.is_authenticated else False
    own = [p for p in queries.profiles_acted_for(user) if p.pk != profile.pk]
    for own_profile in own:
        own_profile.open_connection = queries.connection_between(own_profile, profile)
    context = {
        "profile": profile,
        "organisation": profile.organisation,
        "sectors": list(profile.organisation.sectors.all()),
        "contacts": list(profile.contacts.all()),
        "working_languages": [LANGUAGE_LABELS.get(code, code) for code in profile.languages or []],
        "acts_for": acts,
        "can_verify": services.can_verify(user) if user.is_authenticated else False,
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
    try:
        services.profile_verify(actor=request.user, profile=profile, verified=verified)
    except PermissionDenied as exc:
        return forbidden(request, exc)
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
        return forbidden(
            request,
            PermissionDenied(
                _("You can ask to connect once your enterprise has a profile in the directory.")
            ),
        )
    form = ConnectForm(request.POST, own_profiles=own)
    if form.is_valid():
        try:
            services.connection_request(
                actor=request.user,
                from_profile=form.own_profiles[form.cleaned_data["from_profile"]],
                to_profile=profile,
                message=form.cleaned_data["message"],
            )
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _(
                    "Your request was sent to %(name)s. Their answer will appear on your "
                    "connections page."
                )
                % {"name": _name(profile)},
            )
            return redirect("directory:profile_detail", pk=profile.pk)
    return _profile_page(request, profile, connect_form=form, status=400)


# --- editing and creating a profile ---------------------------------------------------------


def _profile_form_page(request, organisation: Organisation, profile: Profile | None):
    if not services.can_edit_profile(request.user, organisation):
        return forbidden(
            request,
            PermissionDenied(
                _(
                    "Only the enterprise's own members and the initiative's facilitators can "
                    "change its profile."
                )
            ),
        )
    members = list(
        get_user_model()
        .objects.filter(memberships__organisation=organisation)
        .order_by("name_en", "username")
    )
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        sectors=list(Sector.objects.all()),
        members=members,
        initial=ProfileForm.initial_for(organisation, profile, request.user),
    )
    saved_values = None
    if form.is_bound and form.is_valid():
        try:
            saved = services.profile_save(
                actor=request.user, organisation=organisation, **form.service_arguments()
            )
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ValidationError as exc:
            form.add_service_errors(exc)
            if "version" in getattr(exc, "error_dict", {}):
                organisation.refresh_from_db()
                profile = Profile.objects.filter(organisation=organisation).first()
                current = ProfileForm.initial_for(organisation, profile, request.user)
                saved_values = form.saved_values(current)
                form.take_version(current["version"])
        else:
            messages.success(
                request,
                _(
                    "The profile was saved. Recommendations will update in a few minutes: "
                    "the offers and needs are being analysed in the background."
                ),
            )
            return redirect("directory:profile_detail", pk=saved.pk)
    context = {
        "form": form,
        "organisation": organisation,
        "profile": profile,
        "saved_values": saved_values,
    }
    status = 400 if form.is_bound else 200
    return render(request, "directory/profile_form.html", context, status=status)


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


def _open_connections(profile: Profile, others: list[int]) -> dict[int, Connection]:
    """{other profile id: the open request between it and `profile`}, in one query."""
    found = Connection.objects.filter(status__in=Connection.OPEN).filter(
        Q(from_profile=profile, to_profile_id__in=others)
        | Q(to_profile=profile, from_profile_id__in=others)
    )
    return {
        (c.to_profile_id if c.from_profile_id == profile.pk else c.from_profile_id): c
        for c in found
    }


@login_required
def profile_recommendations(request, pk: int):
    profile = _visible_profile(request, pk)
    include_own_country = request.GET.get("own_country") == "1"
    try:
        recommended = recommendations.recommendations_for(
            request.user, profile, across_border=not include_own_country
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    connections = _open_connections(profile, [r.profile.pk for r in recommended or []])
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
    candidate = (
        Profile.objects.visible_to(request.user)
        .select_related("organisation")
        .filter(pk=form.cleaned_data["candidate"])
        .first()
    )
    if candidate is None:
        raise Http404
    verdict = form.cleaned_data["verdict"]
    try:
        services.feedback_record(
            actor=request.user, profile=profile, candidate=candidate, verdict=verdict
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    names = {"name": _name(candidate)}
    if verdict == Feedback.Verdict.INTERESTED:
        text = _("You marked %(name)s as interesting: enterprises like it will rank higher.")
    elif verdict == Feedback.Verdict.NOT_RELEVANT:
        text = _("%(name)s is hidden from your recommendations; you can bring it back below.")
    else:
        text = _("Your mark on %(name)s was taken back.")
    messages.success(request, text % names)
    return redirect(back)


# --- connection requests --------------------------------------------------------------------


def _connection_of(request, pk: int) -> Connection:
    """The request, if the user acts for one of its two enterprises; 404 otherwise."""
    connection = queries.connection_visible(request.user, pk)
    if connection is None:
        raise Http404
    return connection


@login_required
def connection_detail(request, pk: int):
    """One request to connect: both enterprises, the request and its answer; once accepted,
    both sides' contact persons and their messages (with a form to write one)."""
    connection = _connection_of(request, pk)
    form = MessageForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound and not services.in_dialogue(request.user, connection):
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
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                services.connection_message_post(
                    actor=request.user, connection=connection, text=form.cleaned_data["text"]
                )
            except PermissionDenied as exc:
                return forbidden(request, exc)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, _("Your message was sent; the other side is told by e-mail.")
                )
                return redirect(reverse("directory:connection_detail", args=[pk]) + "#messages")
    context = {
        "connection": connection,
        "sides": queries.contacts_of(request.user, connection),
        "thread": queries.messages_of(request.user, connection),
        "form": form,
        "answer_form": AnswerForm(),
        "asked": services.acts_for(request.user, connection.to_profile),
        "asking": services.acts_for(request.user, connection.from_profile),
    }
    return render(request, "directory/connection_detail.html", context, status=status)


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
    try:
        services.connection_answer(
            actor=request.user,
            connection=connection,
            accept=accept,
            answer=form.cleaned_data["answer"],
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back_from(request, connection)
    names = {"name": _name(connection.from_profile)}
    if accept:
        text = _(
            "You accepted the request of %(name)s. You can now record a cooperation project "
            "together."
        )
    else:
        text = _("You declined the request of %(name)s.")
    messages.success(request, text % names)
    return _back_from(request, connection)


@require_POST
@login_required
def connection_withdraw(request, pk: int):
    connection = _connection_of(request, pk)
    try:
        services.connection_withdraw(actor=request.user, connection=connection)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back_from(request, connection)
    messages.success(
        request,
        _("Your request to %(name)s was withdrawn.") % {"name": _name(connection.to_profile)},
    )
    return _back_from(request, connection)
