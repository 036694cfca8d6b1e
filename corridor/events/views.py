"""The event pages: thin views that parse, call a query or a service, and render.

Every read starts from `Event.objects.visible_to(request.user)` (through
`queries.event_visible`), so a draft event answers 404 to people who may not see it, like
one that does not exist. Every write goes through `corridor.events.services`, which checks
permission again; a refused action shows the events' 403 page with the service's reason,
and a write that fails validation shows the page again with the person's values and the
error beside the field it names (status 400, nothing typed is lost).

Slots are 0-based numbers in the code; people only ever see them as times
("Tue March 10, 09:00–09:20").
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.core import views as core_views
from corridor.core.bilingual import LANGUAGE_LABELS, bilingual, is_chinese
from corridor.core.models import Sector
from corridor.directory.models import Connection
from corridor.events import queries, schedule_codes, services
from corridor.events.forms import (
    AnswerForm,
    AvailabilityForm,
    ConnectionForm,
    EventForm,
    LockForm,
    MeetingAddForm,
    OutcomeForm,
    ParticipantAddForm,
    PriorityForm,
    ProjectForm,
    RegisterForm,
    RequestForm,
    ScheduleForm,
    SessionFormSet,
    StatusForm,
    sessions_of,
)
from corridor.events.models import (
    Event,
    MeetingOutcome,
    MeetingRequest,
    Participant,
    ScheduleRun,
    Slot,
)

PDF_LANGUAGES = ("en", "zh-hans")
OPEN = (MeetingRequest.Status.PENDING, MeetingRequest.Status.ACCEPTED)


def forbidden(request, exc: PermissionDenied):
    return core_views.forbidden(
        request, exc, back_url=reverse("events:event_list"), back_label=_("Back to the events")
    )


def _organisers_only() -> PermissionDenied:
    return PermissionDenied(_("Only the event's organisers can do this."))


def _not_yours() -> PermissionDenied:
    return PermissionDenied(
        _("Only the participant's own members and the event's organisers can do this.")
    )


def _visible_event(request, pk: int) -> Event:
    """The event, if the user may see it; 404 otherwise, never saying whether it exists."""
    event = queries.event_visible(request.user, pk)
    if event is None:
        raise Http404
    return event


def _participant_of(event: Event, participant_pk: int) -> Participant:
    return get_object_or_404(
        Participant.objects.select_related("organisation", "contact", "event"),
        pk=participant_pk,
        event=event,
    )


def _request_of(event: Event, request_pk: int) -> MeetingRequest:
    return get_object_or_404(
        MeetingRequest.objects.select_related(
            "event", "requester__organisation", "requested__organisation"
        ),
        pk=request_pk,
        event=event,
    )


# --- slots as times -------------------------------------------------------------------------


def slot_text(slot: Slot) -> str:
    """A slot as people read it: its day and its time range, in the active language."""
    return _("%(weekday)s %(date)s, %(start)s–%(end)s") % {
        "weekday": date_format(slot.starts, "D"),
        "date": date_format(slot.starts, "MONTH_DAY_FORMAT"),
        "start": slot.starts.strftime("%H:%M"),
        "end": slot.ends.strftime("%H:%M"),
    }


def _slots(event: Event) -> list[Slot]:
    """The event's slots, each with its `label` (day and time)."""
    slots = event.slots()
    for slot in slots:
        slot.label = slot_text(slot)
    return slots


def _slot_choices(slots: list[Slot]) -> list[tuple[int, str]]:
    return [(slot.index, slot.label) for slot in slots]


def _names(participant: Participant) -> str:
    return bilingual(participant.organisation, "name")


# --- the list and creating an event ---------------------------------------------------------


def _organisers_for(user) -> list[Organisation]:
    """The organisations the user may organise an event for."""
    if roles.is_facilitator(user):
        return list(Organisation.objects.order_by("name_en", "id"))
    return list(
        Organisation.objects.filter(pk__in=services.organiser_ids(user)).order_by("name_en")
    )


def event_list(request):
    events = (
        queries.events_visible(request.user)
        .prefetch_related("sessions")
        .annotate(
            participant_count=Count(
                "participants", filter=~Q(participants__status=Participant.Status.CANCELLED)
            )
        )
    )
    for event in events:
        sessions = list(event.sessions.all())
        event.first_day = sessions[0].date if sessions else None
        event.last_day = sessions[-1].date if sessions else None
    context = {
        "events": events,
        "can_create": services.can_organise_events(request.user),
    }
    return render(request, "events/event_list.html", context)


@login_required
def event_create(request):
    organisations = _organisers_for(request.user)
    if not organisations:
        return forbidden(
            request,
            PermissionDenied(
                _(
                    "Only the initiative's staff and members of an enterprise, a government "
                    "agency, a partner organisation or a chamber organise events."
                )
            ),
        )
    data = request.POST if request.method == "POST" else None
    form = EventForm(data, organisations=organisations)
    formset = SessionFormSet(data, prefix="sessions")
    form_valid, sessions_valid = form.is_valid(), formset.is_valid()  # both, to show all errors
    if data is not None and form_valid and sessions_valid:
        try:
            event = services.event_create(
                actor=request.user, sessions=sessions_of(formset), **form.service_arguments()
            )
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _(
                    "The event “%(title)s” was created as a draft: register the participants, "
                    "then publish it."
                )
                % {"title": bilingual(event, "title")},
            )
            return redirect("events:event_detail", pk=event.pk)
    context = {"form": form, "formset": formset}
    return render(
        request, "events/event_form.html", context, status=400 if data is not None else 200
    )


# --- the event page -------------------------------------------------------------------------


def _connections_for(user, event: Event, participants, organising: bool) -> list[Connection]:
    """Accepted directory connections between two registered organisations that have no
    meeting or request yet; for a member, only those of their own organisations."""
    registered = {
        p.organisation_id for p in participants if p.status != Participant.Status.CANCELLED
    }
    if len(registered) < 2:
        return []
    connections = Connection.objects.filter(
        status=Connection.Status.ACCEPTED,
        from_profile__organisation_id__in=registered,
        to_profile__organisation_id__in=registered,
    ).select_related("from_profile__organisation", "to_profile__organisation")
    if not organising:
        own = roles.organisation_ids(user)
        connections = connections.filter(
            Q(from_profile__organisation_id__in=own) | Q(to_profile__organisation_id__in=own)
        )
    paired = {
        frozenset(pair)
        for pair in event.requests.filter(status__in=OPEN).values_list(
            "requester__organisation_id", "requested__organisation_id"
        )
    }
    return [
        c
        for c in connections.order_by("pk")
        if frozenset((c.from_profile.organisation_id, c.to_profile.organisation_id)) not in paired
    ]


def _unregistered(organisations, participants) -> list[Organisation]:
    registered = {p.organisation_id for p in participants}
    return [o for o in organisations if o.pk not in registered]


def _own_organisations(user) -> list[Organisation]:
    """The organisations a member may register (not the initiative's administration)."""
    return list(
        Organisation.objects.filter(
            pk__in=roles.organisation_ids(user), is_administration=False
        ).order_by("name_en", "id")
    )


def _registrable(event: Event) -> bool:
    return event.is_published and event.registration == Event.Registration.OPEN


def _request_rows(requests, *, organising: bool, mine: set[int], labels, slot_choices, bound):
    """Each request with what the viewer may do with it, and its forms."""
    for row in requests:
        is_open = row.status in OPEN
        for_requester = organising or row.requester_id in mine
        for_requested = organising or row.requested_id in mine
        row.slot_label = labels.get(row.slot, "") if row.slot is not None else ""
        row.can_answer = row.status == MeetingRequest.Status.PENDING and for_requested
        row.can_edit = is_open and for_requester
        # the asked side declines a pending request rather than cancelling it
        row.can_cancel = is_open and (for_requester or (for_requested and not row.can_answer))
        row.can_lock = organising and row.status == MeetingRequest.Status.ACCEPTED
        row.status_form = bound.get(("status", row.pk))
        if row.can_edit:
            row.priority_form = bound.get(("priority", row.pk)) or PriorityForm(
                initial={"priority": row.priority, "version": row.version},
                prefix=f"priority-{row.pk}",
            )
        if row.can_lock:
            row.lock_form = bound.get(("lock", row.pk)) or LockForm(
                slot_choices=slot_choices,
                initial={"slot": row.slot if row.locked else None},
                prefix=f"lock-{row.pk}",
            )
    return requests


def _event_page(request, event: Event, *, bound: dict | None = None, status: int = 200):
    """Render the event page. `bound` holds forms bound to a failed POST, by key
    ("register", "participant", "ask", "meeting", "connection", ("priority", pk),
    ("lock", pk), ("status", pk)), shown instead of fresh ones."""
    bound = bound or {}
    user = request.user
    organising = queries.may_organise(user, event)
    slots = _slots(event)
    labels = {slot.index: slot.label for slot in slots}
    slot_choices = _slot_choices(slots)
    participants = queries.participants_of(event)
    own_ids = roles.organisation_ids(user)
    mine = [p for p in participants if p.organisation_id in own_ids]
    mine_ids = {p.pk for p in mine}
    for p in participants:
        p.blocked_labels = [labels.get(index, "") for index in p.blocked_slots or []]
        p.language_labels = [LANGUAGE_LABELS.get(code, code) for code in p.languages or []]
        p.acted_for = organising or p.pk in mine_ids
    requests = queries.requests_of(event)
    if not organising:
        requests = requests.filter(Q(requester_id__in=mine_ids) | Q(requested_id__in=mine_ids))
    requests = _request_rows(
        list(requests) if (organising or mine) else [],
        organising=organising,
        mine=mine_ids,
        labels=labels,
        slot_choices=slot_choices,
        bound=bound,
    )
    active = [p for p in participants if p.status != Participant.Status.CANCELLED]
    own_active = [p for p in mine if p.status != Participant.Status.CANCELLED]
    context = {
        "event": event,
        "sessions": list(event.sessions.all()),
        "slot_count": len(slots),
        "organising": organising,
        "participants": participants,
        "mine": mine,
        "requests": requests,
        "sees_contacts": organising or bool(mine),
        "sees_availability": organising or bool(mine),  # as queries.sees_availability
        "registrable": _registrable(event),
    }
    if "register" in bound:
        context["register_form"] = bound["register"]
    elif user.is_authenticated and _registrable(event) and not organising:
        # organisers register any organisation, their own included, with "add a participant"
        unregistered = _unregistered(_own_organisations(user), participants)
        if unregistered:
            context["register_form"] = RegisterForm(organisations=unregistered, prefix="register")
    if organising:
        others = _unregistered(
            Organisation.objects.filter(is_administration=False).order_by("name_en", "id"),
            participants,
        )
        context["participant_form"] = bound.get("participant") or ParticipantAddForm(
            organisations=others, prefix="participant"
        )
        if len(active) >= 2:
            context["meeting_form"] = bound.get("meeting") or MeetingAddForm(
                participants=active, prefix="meeting"
            )
    if own_active and len(active) >= 2:
        context["ask_form"] = bound.get("ask") or RequestForm(
            own=own_active,
            others=[p for p in active if p.pk not in mine_ids],
            prefix="ask",
        )
    if organising or own_active:
        connections = _connections_for(user, event, participants, organising)
        if connections or "connection" in bound:
            context["connection_form"] = bound.get("connection") or ConnectionForm(
                connections=connections, prefix="connection"
            )
    return render(request, "events/event_detail.html", context, status=status)


def event_detail(request, pk: int):
    return _event_page(request, _visible_event(request, pk))


def _done(request, event: Event, message: str, anchor: str = ""):
    messages.success(request, message)
    url = reverse("events:event_detail", args=[event.pk])
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _failed(request, event: Event, key, form, exc: ValidationError):
    """Show the event page again with the person's values and the service's reasons."""
    form.add_service_errors(exc)
    messages.error(request, _("Nothing was saved: see the reason below the form."))
    return _event_page(request, event, bound={key: form}, status=400)


def _invalid(request, event: Event, key, form):
    messages.error(request, _("Nothing was saved: see the reason below the form."))
    return _event_page(request, event, bound={key: form}, status=400)


@require_POST
@login_required
def event_publish(request, pk: int):
    event = _visible_event(request, pk)
    published = request.POST.get("published") == "1"
    try:
        services.event_publish(actor=request.user, event=event, published=published)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    if published:
        text = _("The event is published: members of the initiative can see it and register.")
    else:
        text = _("The event is a draft again: only its organisers see it.")
    return _done(request, event, text)


# --- participants ---------------------------------------------------------------------------


@require_POST
@login_required
def participant_register(request, pk: int):
    """A member registers their own organisation (open registration)."""
    event = _visible_event(request, pk)
    own = _own_organisations(request.user)
    if not own:
        return forbidden(
            request,
            PermissionDenied(_("You can register an organisation once you are a member of one.")),
        )
    form = RegisterForm(request.POST, organisations=own, prefix="register")
    if not form.is_valid():
        if not _registrable(event) and not queries.may_organise(request.user, event):
            return forbidden(
                request,
                PermissionDenied(
                    _("This event is by invitation: its organisers register the participants.")
                ),
            )
        return _invalid(request, event, "register", form)
    organisation = form.organisations[form.cleaned_data["organisation"]]
    try:
        services.participant_add(
            actor=request.user,
            event=event,
            organisation=organisation,
            contact=request.user,
            languages=form.cleaned_data["languages"],
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ValidationError as exc:
        return _failed(request, event, "register", form, exc)
    return _done(
        request,
        event,
        _("%(name)s is registered for the event. You are its contact person.")
        % {"name": bilingual(organisation, "name")},
        "participants",
    )


@require_POST
@login_required
def participant_add(request, pk: int):
    """The organisers register an organisation."""
    event = _visible_event(request, pk)
    if not queries.may_organise(request.user, event):
        return forbidden(request, _organisers_only())
    organisations = list(Organisation.objects.filter(is_administration=False))
    form = ParticipantAddForm(request.POST, organisations=organisations, prefix="participant")
    if not form.is_valid():
        return _invalid(request, event, "participant", form)
    organisation = form.organisations[form.cleaned_data["organisation"]]
    try:
        services.participant_add(
            actor=request.user,
            event=event,
            organisation=organisation,
            languages=form.cleaned_data["languages"],
            fixed_table=form.cleaned_data["fixed_table"],
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ValidationError as exc:
        return _failed(request, event, "participant", form, exc)
    return _done(
        request,
        event,
        _("%(name)s is registered for the event.") % {"name": bilingual(organisation, "name")},
        "participants",
    )


@login_required
def participant_edit(request, pk: int, participant_pk: int):
    """A participant's members (or the organisers) say when they cannot meet and which
    languages they work in."""
    event = _visible_event(request, pk)
    participant = _participant_of(event, participant_pk)
    if not queries.may_act_for(request.user, participant):
        return forbidden(request, _not_yours())
    organising = queries.may_organise(request.user, event)
    slots = _slots(event)
    data = request.POST if request.method == "POST" else None
    form = AvailabilityForm(
        data,
        slot_choices=_slot_choices(slots),
        organising=organising,
        initial=AvailabilityForm.initial_for(participant),
    )
    saved_values = None
    if data is not None and form.is_valid():
        try:
            services.participant_update(
                actor=request.user, participant=participant, **form.service_arguments()
            )
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except ValidationError as exc:
            form.add_service_errors(exc)
            if "version" in getattr(exc, "error_dict", {}):
                # someone saved since: show their values, keep the person's, and let a
                # second save (knowingly) replace theirs
                participant.refresh_from_db()
                current = AvailabilityForm.initial_for(participant)
                saved_values = form.saved_values(current)
                form.take_version(current["version"])
        else:
            messages.success(
                request,
                _(
                    "The availability of %(name)s was saved. The next scheduling run takes it "
                    "into account."
                )
                % {"name": _names(participant)},
            )
            return redirect("events:agenda", pk=event.pk, participant_pk=participant.pk)
    context = {
        "event": event,
        "participant": participant,
        "form": form,
        "saved_values": saved_values,
    }
    status = 400 if data is not None else 200
    return render(request, "events/participant_form.html", context, status=status)


# --- meeting requests -----------------------------------------------------------------------


@require_POST
@login_required
def request_create(request, pk: int):
    event = _visible_event(request, pk)
    participants = queries.participants_of(event)
    own_ids = roles.organisation_ids(request.user)
    own = [p for p in participants if p.organisation_id in own_ids]
    if not own:
        return forbidden(
            request,
            PermissionDenied(
                _("You can ask for meetings once your organisation is registered for the event.")
            ),
        )
    form = RequestForm(
        request.POST, own=own, others=[p for p in participants if p not in own], prefix="ask"
    )
    if not form.is_valid():
        return _invalid(request, event, "ask", form)
    requested = form.participants[form.cleaned_data["requested"]]
    try:
        services.request_create(
            actor=request.user,
            event=event,
            requester=form.participants[form.cleaned_data["requester"]],
            requested=requested,
            priority=form.cleaned_data["priority"],
            message=form.cleaned_data["message"],
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ValidationError as exc:
        return _failed(request, event, "ask", form, exc)
    return _done(
        request,
        event,
        _("Your request to meet %(name)s was sent; it is on the agenda once they accept.")
        % {"name": _names(requested)},
        "requests",
    )


@require_POST
@login_required
def request_answer(request, pk: int, request_pk: int):
    event = _visible_event(request, pk)
    meeting_request = _request_of(event, request_pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was recorded: choose to accept or decline."))
        return redirect(reverse("events:event_detail", args=[event.pk]) + "#requests")
    accept = form.cleaned_data["accept"]
    try:
        services.request_answer(actor=request.user, request=meeting_request, accept=accept)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ValidationError as exc:
        return _failed(request, event, ("status", meeting_request.pk), StatusForm(), exc)
    names = {"name": _names(meeting_request.requester)}
    if accept:
        text = _("You accepted to meet %(name)s. The scheduler will give the meeting a time.")
    else:
        text = _("You declined to meet %(name)s.")
    return _done(request, event, text % names, "requests")


@require_POST
@login_required
def request_update(request, pk: int, request_pk: int):
    event = _visible_event(request, pk)
    meeting_request = _request_of(event, request_pk)
    key = ("priority", meeting_request.pk)
    form = PriorityForm(request.POST, prefix=f"priority-{meeting_request.pk}")
    if not form.is_valid():
        if not queries.may_act_for(request.user, meeting_request.requester):
            return forbidden(request, _not_yours())
        return _invalid(request, event, key, form)
    try:
        services.request_update(
            actor=request.user,
            request=meeting_request,
            priority=form.cleaned_data["priority"],
            version=form.cleaned_data["version"],
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ValidationError as exc:
        if "version" in getattr(exc, "error_dict", {}):
            # someone (or the scheduler) changed it since: show what is saved now, keep the
            # person's choice, and let a second save (knowingly) replace it
            meeting_request.refresh_from_db()
            form.saved_now = form.saved_values({"priority": meeting_request.priority})
            form.take_version(meeting_request.version)
        return _failed(request, event, key, form, exc)
    return _done(
        request,
        event,
        _("The priority of the meeting with %(name)s is now “%(priority)s”.")
        % {
            "name": _names(meeting_request.requested),
            "priority": MeetingRequest.Priority(form.cleaned_data["priority"]).label,
        },
        "requests",
    )


@require_POST
@login_required
def request_cancel(request, pk: int, request_pk: int):
    event = _visible_event(request, pk)
    meeting_request = _request_of(event, request_pk)
    try:
        services.request_cancel(actor=request.user, request=meeting_request)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ValidationError as exc:
        return _failed(request, event, ("status", meeting_request.pk), StatusForm(), exc)
    return _done(
        request,
        event,
        _("The meeting between %(first)s and %(second)s was cancelled.")
        % {
            "first": _names(meeting_request.requester),
            "second": _names(meeting_request.requested),
        },
        "requests",
    )


@require_POST
@login_required
def meeting_add(request, pk: int):
    event = _visible_event(request, pk)
    if not queries.may_organise(request.user, event):
        return forbidden(request, _organisers_only())
    participants = queries.participants_of(event)
    form = MeetingAddForm(request.POST, participants=participants, prefix="meeting")
    if not form.is_valid():
        return _invalid(request, event, "meeting", form)
    first = form.participants[form.cleaned_data["requester"]]
    second = form.participants[form.cleaned_data["requested"]]
    try:
        services.meeting_add(
            actor=request.user,
            event=event,
            requester=first,
            requested=second,
            priority=form.cleaned_data["priority"],
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ValidationError as exc:
        return _failed(request, event, "meeting", form, exc)
    return _done(
        request,
        event,
        _("A meeting between %(first)s and %(second)s was added.")
        % {"first": _names(first), "second": _names(second)},
        "requests",
    )


@require_POST
@login_required
def meeting_lock(request, pk: int, request_pk: int):
    event = _visible_event(request, pk)
    if not queries.may_organise(request.user, event):
        return forbidden(request, _organisers_only())
    meeting = _request_of(event, request_pk)
    key = ("lock", meeting.pk)
    slots = _slots(event)
    form = LockForm(request.POST, slot_choices=_slot_choices(slots), prefix=f"lock-{meeting.pk}")
    if not form.is_valid():
        return _invalid(request, event, key, form)
    slot = form.cleaned_data["slot"]
    try:
        services.meeting_lock(actor=request.user, request=meeting, slot=slot)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ValidationError as exc:
        return _failed(request, event, key, form, exc)
    names = {"first": _names(meeting.requester), "second": _names(meeting.requested)}
    if slot is None:
        text = _("The meeting between %(first)s and %(second)s is unlocked.") % names
    else:
        text = _("The meeting between %(first)s and %(second)s is locked at %(when)s.") % {
            **names,
            "when": slots[slot].label,
        }
    return _done(request, event, text, "requests")


@require_POST
@login_required
def request_from_connection(request, pk: int):
    event = _visible_event(request, pk)
    organising = queries.may_organise(request.user, event)
    participants = queries.participants_of(event)
    connections = _connections_for(request.user, event, participants, organising)
    if not organising and not any(
        p.organisation_id in roles.organisation_ids(request.user) for p in participants
    ):
        return forbidden(request, _not_yours())
    form = ConnectionForm(request.POST, connections=connections, prefix="connection")
    if not form.is_valid():
        return _invalid(request, event, "connection", form)
    connection = form.connections[form.cleaned_data["connection"]]
    try:
        services.request_from_connection(
            actor=request.user,
            event=event,
            connection=connection,
            priority=form.cleaned_data["priority"],
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ValidationError as exc:
        return _failed(request, event, "connection", form, exc)
    return _done(
        request,
        event,
        _(
            "%(first)s and %(second)s will meet at the event: their directory connection is now a meeting."
        )
        % {
            "first": bilingual(connection.from_profile.organisation, "name"),
            "second": bilingual(connection.to_profile.organisation, "name"),
        },
        "requests",
    )


# --- the scheduler --------------------------------------------------------------------------


def _error_rows(run: ScheduleRun, meetings: dict[str, MeetingRequest], labels) -> list[dict]:
    """The run's errors in words, each naming its meeting, participant and slot."""
    participants = {}
    for meeting in meetings.values():
        participants[str(meeting.requester_id)] = meeting.requester
        participants[str(meeting.requested_id)] = meeting.requested
    rows = []
    for error in run.errors or []:
        code = error.get("code", "")
        meeting = meetings.get(str(error.get("meeting")))
        participant = participants.get(str(error.get("participant")))
        slot = error.get("slot")
        rows.append(
            {
                "text": schedule_codes.in_words(code),
                "meeting": meeting,
                "participant": participant,
                "slot": labels.get(slot, "") if slot is not None else "",
                "detail": error.get("detail", ""),
            }
        )
    return rows


def _schedule_page(request, event: Event, *, form=None, status: int = 200):
    slots = _slots(event)
    labels = {slot.index: slot.label for slot in slots}
    run = queries.latest_run(event)
    accepted = list(queries.requests_of(event).filter(status=MeetingRequest.Status.ACCEPTED))
    unplaced = [m for m in accepted if m.slot is None]
    for meeting in unplaced:
        meeting.reason = (
            schedule_codes.in_words(meeting.unplaced_reason)
            if meeting.unplaced_reason
            else _("not scheduled yet")
        )
    running = run is not None and run.status in (
        ScheduleRun.Status.QUEUED,
        ScheduleRun.Status.RUNNING,
    )
    context = {
        "event": event,
        "run": run,
        "running": running,
        "errors": _error_rows(run, {str(m.pk): m for m in accepted}, labels) if run else [],
        "accepted_count": len(accepted),
        "placed_count": len(accepted) - len(unplaced),
        "unplaced": unplaced,
        "slot_count": len(slots),
        "form": form or ScheduleForm(),
        "participants": queries.participants_of(event),
        "max_attempts": settings.TASKS_MAX_ATTEMPTS,
    }
    return render(request, "events/schedule.html", context, status=status)


@login_required
def schedule(request, pk: int):
    event = _visible_event(request, pk)
    if not queries.may_organise(request.user, event):
        return forbidden(request, _organisers_only())
    return _schedule_page(request, event)


@require_POST
@login_required
def schedule_start(request, pk: int):
    event = _visible_event(request, pk)
    if not queries.may_organise(request.user, event):
        return forbidden(request, _organisers_only())
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        return _schedule_page(request, event, form=form, status=400)
    try:
        services.schedule_start(
            actor=request.user,
            event=event,
            mode=form.cleaned_data["mode"],
            time_limit=form.cleaned_data["time_limit"],
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _schedule_page(request, event, form=form, status=400)
    messages.success(
        request,
        _("The scheduling run is queued; this page shows its progress."),
    )
    return redirect("events:schedule", pk=event.pk)


@require_POST
@login_required
def agendas_publish(request, pk: int):
    event = _visible_event(request, pk)
    try:
        services.agendas_publish(actor=request.user, event=event)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    messages.success(
        request,
        _(
            "The agendas are published: each participant sees its meetings, and is told by "
            "e-mail when one of them moves."
        ),
    )
    return redirect("events:schedule", pk=event.pk)


# --- agendas --------------------------------------------------------------------------------


def _agenda(request, pk: int, participant_pk: int):
    """(event, participant, slots, items or None when the agendas are not out yet) for a
    person acting for the participant; PermissionDenied for others."""
    event = _visible_event(request, pk)
    participant = _participant_of(event, participant_pk)
    if not queries.may_act_for(request.user, participant):
        raise PermissionDenied(
            _("Only the participant's own members and the event's organisers see its agenda.")
        )
    slots = _slots(event)
    shown = queries.may_organise(request.user, event) or event.agenda_published_at is not None
    items = queries.agenda_of(participant, slots) if shown else None
    return event, participant, items


@login_required
def agenda(request, pk: int, participant_pk: int):
    try:
        event, participant, items = _agenda(request, pk, participant_pk)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    context = {
        "event": event,
        "participant": participant,
        "items": items,
        "to_schedule": queries.unscheduled_of(participant) if items is not None else [],
        "meeting_count": sum(1 for item in items or [] if item.meeting),
        "organising": queries.may_organise(request.user, event),
    }
    return render(request, "events/agenda.html", context)


def _pdf_language(request) -> str:
    language = request.GET.get("lang") or get_language()
    if language not in PDF_LANGUAGES:
        language = "zh-hans" if is_chinese(language) else "en"
    return language


def agenda_html(
    event: Event, participant: Participant, items, language: str, to_schedule=()
) -> str:
    """The printable agenda, rendered in `language` (slot times included), with the accepted
    meetings that have no time yet (`to_schedule`) listed after the slots."""
    with translation.override(language):
        for item in items:
            item.slot.label = slot_text(item.slot)
        return render_to_string(
            "events/agenda_pdf.html",
            {
                "event": event,
                "participant": participant,
                "items": items,
                "to_schedule": to_schedule,
                "language": language,
                "printed_on": timezone.localdate(),
            },
        )


@login_required
def agenda_pdf(request, pk: int, participant_pk: int):
    try:
        event, participant, items = _agenda(request, pk, participant_pk)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    if items is None:
        raise Http404
    from weasyprint import HTML  # imported here: it is slow to import and only agendas need it

    language = _pdf_language(request)
    to_schedule = queries.unscheduled_of(participant)
    content = HTML(string=agenda_html(event, participant, items, language, to_schedule)).write_pdf()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="agenda-{event.pk}-{participant.pk}-{language}.pdf"'
    )
    return response


def _utc(moment: datetime) -> datetime:
    """A slot's wall-clock time (the event's local time) as an aware UTC time."""
    return moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE)).astimezone(UTC)


def agenda_calendar(event: Event, participant: Participant, items, language: str) -> bytes:
    """The agenda as an iCalendar file: one VEVENT per placed meeting (a meeting that has
    no time yet is not in it: an event needs a time).

    A meeting keeps its UID ("<uuid>@corridor") for life and its SEQUENCE grows whenever it
    moves, so importing the file again updates the meeting in place. Cancelled meetings are
    left out rather than sent with STATUS:CANCELLED: a cancelled meeting no longer has a
    slot, and a cancellation without its time would be an invalid event; the e-mail about
    the cancellation tells the people concerned, and calendars that subscribe to the file
    drop the meeting when it disappears.
    """
    with translation.override(language):
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Corridor//Matchmaking agenda//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add(
            "x-wr-calname",
            _("%(event)s: agenda of %(name)s")
            % {"event": bilingual(event, "title"), "name": _names(participant)},
        )
        venue = bilingual(event, "venue")
        for item in items:
            meeting = item.meeting
            if meeting is None:
                continue
            table = {"venue": venue, "table": meeting.table or "—"}
            entry = icalendar.Event()
            entry.add("uid", f"{meeting.uid}@corridor")
            entry.add("sequence", meeting.sequence)
            entry.add("dtstamp", meeting.updated_at.astimezone(UTC))
            entry.add("dtstart", _utc(item.slot.starts))
            entry.add("dtend", _utc(item.slot.ends))
            entry.add("summary", _("Meeting with %(name)s") % {"name": _names(item.other)})
            entry.add(
                "location",
                (_("%(venue)s, table %(table)s") if venue else _("Table %(table)s")) % table,
            )
            description = [bilingual(event, "title")]
            if meeting.interpreter_id:
                description.append(
                    _("Interpreter: %(name)s") % {"name": bilingual(meeting.interpreter, "name")}
                )
            elif item.needs_interpreter:
                description.append(_("An interpreter is needed: the two sides share no language."))
            entry.add("description", "\n".join(description))
            entry.add("status", "CONFIRMED")
            calendar.add_component(entry)
        return calendar.to_ical()


@login_required
def agenda_ics(request, pk: int, participant_pk: int):
    try:
        event, participant, items = _agenda(request, pk, participant_pk)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    if items is None:
        raise Http404
    content = agenda_calendar(event, participant, items, _pdf_language(request))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="agenda-{event.pk}-{participant.pk}.ics"'
    )
    return response


# --- the table plan -------------------------------------------------------------------------


@login_required
def table_plan(request, pk: int):
    event = _visible_event(request, pk)
    if not queries.may_organise(request.user, event):
        return forbidden(request, _organisers_only())
    plan = queries.table_plan(event, _slots(event))
    context = {
        "event": event,
        # one block per slot that has meetings, its meetings by table: readable and printable
        # however many tables the event has
        "rows": [(slot, meetings) for slot, meetings in plan if meetings],
        "meeting_count": sum(len(meetings) for _slot, meetings in plan),
    }
    return render(request, "events/table_plan.html", context)


# --- after the event ------------------------------------------------------------------------


def _project_titles(participant: Participant, other: Participant) -> dict:
    """A first title for the cooperation project, in each language with each language's
    names."""
    titles = {}
    for field, language in (("title_en", "en"), ("title_zh", "zh-hans")):
        with translation.override(language):
            titles[field] = _("Cooperation between %(first)s and %(second)s") % {
                "first": bilingual(participant.organisation, "name", language),
                "second": bilingual(other.organisation, "name", language),
            }
    return titles


def _outcomes_page(request, event, participant, *, bound: dict | None = None, status=200):
    bound = bound or {}
    slots = _slots(event)
    labels = {slot.index: slot.label for slot in slots}
    meetings = list(
        queries.requests_of(event, participant).filter(
            status=MeetingRequest.Status.ACCEPTED, slot__isnull=False
        )
    )
    recorded = {
        o.meeting_id: o
        for o in MeetingOutcome.objects.filter(
            participant=participant, meeting__in=meetings
        ).select_related("project")
    }
    sectors = list(Sector.objects.all())
    for meeting in meetings:
        meeting.slot_label = labels.get(meeting.slot, "")
        meeting.other = (
            meeting.requested if meeting.requester_id == participant.pk else meeting.requester
        )
        outcome = recorded.get(meeting.pk)
        meeting.recorded = outcome
        meeting.outcome_form = bound.get(("outcome", meeting.pk)) or OutcomeForm(
            initial=OutcomeForm.initial_for(outcome), prefix=f"outcome-{meeting.pk}"
        )
        meeting.project_form = bound.get(("project", meeting.pk))
        if meeting.project_form is None and (
            outcome is not None
            and outcome.project_id is None
            and outcome.outcome
            in (MeetingOutcome.Outcome.FOLLOW_UP, MeetingOutcome.Outcome.AGREEMENT)
        ):
            meeting.project_form = ProjectForm(
                sectors=sectors,
                initial=_project_titles(participant, meeting.other),
                prefix=f"project-{meeting.pk}",
            )
    context = {"event": event, "participant": participant, "meetings": meetings}
    return render(request, "events/outcomes.html", context, status=status)


def _outcome_participant(request, pk: int, participant_pk: int):
    event = _visible_event(request, pk)
    participant = _participant_of(event, participant_pk)
    if not queries.may_act_for(request.user, participant):
        raise _not_yours()
    return event, participant


@login_required
def outcomes(request, pk: int, participant_pk: int):
    try:
        event, participant = _outcome_participant(request, pk, participant_pk)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    return _outcomes_page(request, event, participant)


def _placed_meeting(event, participant, meeting_pk: int) -> MeetingRequest:
    meeting = (
        queries.requests_of(event, participant)
        .filter(status=MeetingRequest.Status.ACCEPTED, slot__isnull=False, pk=meeting_pk)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def _outcomes_done(request, event, participant, meeting, message: str):
    messages.success(request, message)
    url = reverse("events:outcomes", args=[event.pk, participant.pk])
    return redirect(f"{url}#meeting-{meeting.pk}")


@require_POST
@login_required
def outcome_record(request, pk: int, participant_pk: int, meeting_pk: int):
    try:
        event, participant = _outcome_participant(request, pk, participant_pk)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    meeting = _placed_meeting(event, participant, meeting_pk)
    key = ("outcome", meeting.pk)
    form = OutcomeForm(request.POST, prefix=f"outcome-{meeting.pk}")
    if not form.is_valid():
        return _outcomes_page(request, event, participant, bound={key: form}, status=400)
    try:
        services.outcome_record(
            actor=request.user,
            meeting=meeting,
            participant=participant,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ValidationError as exc:
        form.add_service_errors(exc)
        if "version" in getattr(exc, "error_dict", {}):
            # someone recorded it since: show theirs, keep the person's, and let a second
            # save (knowingly) replace it
            current = OutcomeForm.initial_for(
                MeetingOutcome.objects.filter(meeting=meeting, participant=participant).first()
            )
            form.saved_now = form.saved_values(current)
            form.take_version(current["version"])
        return _outcomes_page(request, event, participant, bound={key: form}, status=400)
    other = meeting.requested if meeting.requester_id == participant.pk else meeting.requester
    return _outcomes_done(
        request,
        event,
        participant,
        meeting,
        _("The outcome of the meeting with %(name)s was recorded.") % {"name": _names(other)},
    )


@require_POST
@login_required
def outcome_project(request, pk: int, participant_pk: int, meeting_pk: int):
    try:
        event, participant = _outcome_participant(request, pk, participant_pk)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    meeting = _placed_meeting(event, participant, meeting_pk)
    key = ("project", meeting.pk)
    form = ProjectForm(
        request.POST, sectors=list(Sector.objects.all()), prefix=f"project-{meeting.pk}"
    )
    if not form.is_valid():
        return _outcomes_page(request, event, participant, bound={key: form}, status=400)
    try:
        project = services.follow_up_to_project(
            actor=request.user,
            meeting=meeting,
            participant=participant,
            title_en=form.cleaned_data["title_en"],
            title_zh=form.cleaned_data["title_zh"],
            sector=form.cleaned_data["sector"],
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _outcomes_page(request, event, participant, bound={key: form}, status=400)
    return _outcomes_done(
        request,
        event,
        participant,
        meeting,
        _(
            "The cooperation project “%(title)s” was recorded with both organisations as "
            "initiators. The initiative's administration reviews it before it is published."
        )
        % {"title": bilingual(project, "title")},
    )
