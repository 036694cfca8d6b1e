"""The list of events, creating one, and the event page (its participants and meetings),
which the participants' and meetings' forms post to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.core.bilingual import LANGUAGE_LABELS, bilingual
from corridor.core.views import back_to, post_form
from corridor.events import permissions, queries, services
from corridor.events.forms import (
    ConnectionForm,
    EventForm,
    InterpreterForm,
    LockForm,
    MeetingAddForm,
    ParticipantAddForm,
    PriorityForm,
    RegisterForm,
    RequestFilterForm,
    RequestForm,
    SessionFormSet,
    sessions_of,
)
from corridor.events.models import Event, Participant
from corridor.events.views.shared import (
    event_url,
    ranges_text,
    slot_choices,
    slot_labels,
    slots_of,
    visible_event,
)


def event_list(request):
    context = {
        "events": queries.events_listed(request.user),
        "can_create": permissions.can_organise_events(request.user),
    }
    return render(request, "events/event_list.html", context)


@login_required
def event_create(request):
    permissions.require_organises_events(request.user)
    organisations = queries.organisations_to_organise_for(request.user)
    data = request.POST if request.method == "POST" else None
    form = EventForm(data, organisations=organisations)
    formset = SessionFormSet(data, prefix="sessions")
    form_valid, sessions_valid = form.is_valid(), formset.is_valid()  # both, to show all errors
    if data is not None and form_valid and sessions_valid:
        try:
            event = services.event_create(
                actor=request.user, sessions=sessions_of(formset), **form.cleaned_data
            )
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


def _unregistered(organisations, participants) -> list:
    registered = {p.organisation_id for p in participants}
    return [o for o in organisations if o.pk not in registered]


def _request_rows(user, requests, *, slot_choices, labels, bound):
    """Each request with what the viewer may do with it (`corridor.events.permissions`),
    and its forms."""
    for row in requests:
        row.slot_label = labels.get(row.slot, "") if row.slot is not None else ""
        row.can_answer = permissions.can_answer(user, row)
        row.can_cancel = permissions.can_cancel(user, row)
        row.status_form = bound.get(("status", row.pk))
        if permissions.can_edit(user, row):
            row.priority_form = bound.get(("priority", row.pk)) or PriorityForm(
                initial={"priority": row.priority, "version": row.version},
                prefix=f"priority-{row.pk}",
            )
        if permissions.can_lock(user, row):
            row.lock_form = bound.get(("lock", row.pk)) or LockForm(
                slot_choices=slot_choices,
                initial={"slot": row.slot if row.locked else None, "version": row.version},
                prefix=f"lock-{row.pk}",
            )
    return requests


# meetings and requests per page of the event page: the demo event's 184 made its page
# 86,000 px tall on a phone
REQUESTS_PER_PAGE = 25


def _requests_page(request, rows: list, bound: dict) -> Page:
    """The page of `rows` asked for, or, after a failed POST on one request's form, the
    page that holds that request (its form shows the errors)."""
    paginator = Paginator(rows, REQUESTS_PER_PAGE)
    failed = [key[1] for key in bound if isinstance(key, tuple)]
    if failed:
        index = next((i for i, row in enumerate(rows) if row.pk == failed[0]), 0)
        return paginator.page(index // REQUESTS_PER_PAGE + 1)
    return paginator.get_page(request.GET.get("page"))


def _interpreter_rows(event: Event, slots) -> list:
    interpreters = list(event.interpreters.all())
    for interpreter in interpreters:
        interpreter.blocked_labels = ranges_text(slots, interpreter.blocked_slots)
        interpreter.language_labels = [
            LANGUAGE_LABELS.get(code, code) for code in interpreter.languages or []
        ]
    return interpreters


def event_page(request, event: Event, *, bound: dict | None = None, status: int = 200):
    """Render the event page. `bound` holds forms bound to a failed POST, by key
    ("register", "participant", "ask", "meeting", "connection", ("priority", pk),
    ("lock", pk), ("status", pk)), shown instead of fresh ones."""
    bound = bound or {}
    user = request.user
    organising = queries.may_organise(user, event)
    slots = slots_of(event)
    labels = slot_labels(slots)
    participants = queries.participants_of(event)
    mine = [p for p in participants if permissions.is_member(user, p)]
    mine_ids = {p.pk for p in mine}
    for p in participants:
        p.blocked_labels = ranges_text(slots, p.blocked_slots)
        p.language_labels = [LANGUAGE_LABELS.get(code, code) for code in p.languages or []]
        p.acted_for = organising or p.pk in mine_ids
    seen = queries.requests_seen_by(event, organising=organising, participant_ids=mine_ids)
    # the filters narrow what the viewer sees already (the participants are on the page)
    state = list_state(request)
    filters = RequestFilterForm(state or None, participants=participants)
    page = _requests_page(request, filters.keep(seen), bound)
    requests = _request_rows(
        user,
        page.object_list,
        slot_choices=slot_choices(slots),
        labels=labels,
        bound=bound,
    )
    active = [p for p in participants if p.status != Participant.Status.CANCELLED]
    own_active = [p for p in mine if p.status != Participant.Status.CANCELLED]
    registrable = permissions.registrable(event)
    context = {
        "event": event,
        "sessions": list(event.sessions.all()),
        "slot_count": len(slots),
        "organising": organising,
        "participants": participants,
        "mine": mine,
        "requests": requests,
        "requests_page": page,
        "requests_seen": len(seen),
        "request_filters": filters,
        "list_state": state.urlencode(),
        "show_request_filters": filters.active or len(seen) > REQUESTS_PER_PAGE,
        "sees_contacts": organising or bool(mine),
        "sees_availability": organising or bool(mine),  # as queries.sees_availability
        "registrable": registrable,
    }
    if "register" in bound:
        context["register_form"] = bound["register"]
    elif user.is_authenticated and registrable and not organising:
        # organisers register any organisation, their own included, with "add a participant"
        unregistered = _unregistered(queries.own_organisations(user), participants)
        if unregistered:
            context["register_form"] = RegisterForm(organisations=unregistered, prefix="register")
    if organising:
        context["interpreters"] = _interpreter_rows(event, slots)
        context["interpreter_form"] = bound.get("interpreter") or InterpreterForm(
            slot_choices=slot_choices(slots), prefix="interpreter"
        )
        others = _unregistered(queries.participating_organisations(), participants)
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
        connections = queries.connections_to_meet(user, event, participants, organising)
        if connections or "connection" in bound:
            context["connection_form"] = bound.get("connection") or ConnectionForm(
                connections=connections, prefix="connection"
            )
    return render(request, "events/event_detail.html", context, status=status)


LIST_STATE = ("who", "status", "page")  # the requests list's filters and page


def list_state(request) -> QueryDict:
    """Where the viewer is in the requests list: the page's own query on a GET; on a POST
    from a row of that list, the query the row's form carried back (field "list"), so the
    answer shows the same filters and page. Only the list's own keys are kept."""
    if request.method == "GET":
        source = request.GET
    else:
        source = QueryDict(request.POST.get("list", ""))
    state = QueryDict(mutable=True)
    for name in LIST_STATE:
        value = source.get(name, "")
        if value and len(value) <= 20:
            state[name] = value
    return state


def post_to_event(request, event: Event, key, form, write, success, anchor: str, *, again=None):
    """POST one of the event page's forms to a service (`post_form`): back to the page's
    section (`anchor`) on success, in the requests list's filters and page the form carried
    (`list_state`); the page again with the form (under `key`) and its errors if not.
    `again(form)`, if given, first brings the form up to date (a stale save)."""
    state = list_state(request).urlencode()
    page_url = event_url(event) + (f"?{state}" if state else "")

    def show_again(form):
        if again is not None:
            again(form)
        return event_page(request, event, bound={key: form}, status=400)

    return post_form(
        request,
        form,
        write,
        done=lambda _result: back_to(page_url, anchor),
        again=show_again,
        success=success,
    )


def event_detail(request, pk: int):
    return event_page(request, visible_event(request, pk))


@require_POST
@login_required
def event_publish(request, pk: int):
    event = visible_event(request, pk)
    published = request.POST.get("published") == "1"
    services.event_publish(actor=request.user, event=event, published=published)
    if published:
        text = _("The event is published: members of the initiative can see it and register.")
    else:
        text = _("The event is a draft again: only its organisers see it.")
    messages.success(request, text)
    return back_to(event_url(event))
