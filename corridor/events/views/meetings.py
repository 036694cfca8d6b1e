"""Meeting requests and meetings: asking, answering, the priority, cancelling, the
organisers' meetings and locks, and directory connections that become meetings. Each form's
fields are the service's arguments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.core.stale import saved_values_if_stale
from corridor.core.views import back_to
from corridor.events import permissions, queries, services
from corridor.events.forms import (
    AnswerForm,
    ConnectionForm,
    LockForm,
    MeetingAddForm,
    PriorityForm,
    RequestForm,
    StatusForm,
)
from corridor.events.models import MeetingRequest
from corridor.events.views.events import post_to_event
from corridor.events.views.shared import (
    event_url,
    names,
    request_of,
    slot_choices,
    slots_of,
    visible_event,
)

ANCHOR = "requests"  # the event page's section of requests and meetings


def _between(meeting: MeetingRequest) -> dict:
    return {"first": names(meeting.requester), "second": names(meeting.requested)}


@require_POST
@login_required
def request_create(request, pk: int):
    event = visible_event(request, pk)
    participants = queries.participants_of(event)
    permissions.require_registered(request.user, participants)
    own = [p for p in participants if permissions.is_member(request.user, p)]
    others = [p for p in participants if p not in own]
    form = RequestForm(request.POST, own=own, others=others, prefix="ask")

    def ask(data):
        return services.request_create(actor=request.user, event=event, **data)

    def asked(meeting):
        text = _("Your request to meet %(name)s was sent; it is on the agenda once they accept.")
        return text % {"name": names(meeting.requested)}

    return post_to_event(request, event, "ask", form, ask, asked, ANCHOR)


@require_POST
@login_required
def request_answer(request, pk: int, request_pk: int):
    event = visible_event(request, pk)
    meeting_request = request_of(event, request_pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was recorded: choose to accept or decline."))
        return back_to(event_url(event), ANCHOR)

    def answer(data):
        return services.request_answer(actor=request.user, request=meeting_request, **data)

    def answered(_meeting):
        if form.cleaned_data["accept"]:
            text = _("You accepted to meet %(name)s. The scheduler will give the meeting a time.")
        else:
            text = _("You declined to meet %(name)s.")
        return text % {"name": names(meeting_request.requester)}

    key = ("status", meeting_request.pk)
    return post_to_event(request, event, key, form, answer, answered, ANCHOR)


@require_POST
@login_required
def request_update(request, pk: int, request_pk: int):
    event = visible_event(request, pk)
    meeting_request = request_of(event, request_pk)
    permissions.require_acts_for(request.user, meeting_request.requester)
    form = PriorityForm(request.POST, prefix=f"priority-{meeting_request.pk}")

    def update(data):
        return services.request_update(actor=request.user, request=meeting_request, **data)

    def updated(meeting):
        text = _("The priority of the meeting with %(name)s is now “%(priority)s”.")
        priority = MeetingRequest.Priority(meeting.priority).label
        return text % {"name": names(meeting.requested), "priority": priority}

    def stale(form):
        # someone (or the scheduler) changed it since: show what is saved now, keep the
        # person's choice, and let a second save (knowingly) replace it
        form.saved_now = saved_values_if_stale(
            form, meeting_request, lambda saved: {"priority": saved.priority}
        )

    key = ("priority", meeting_request.pk)
    return post_to_event(request, event, key, form, update, updated, ANCHOR, again=stale)


@require_POST
@login_required
def request_cancel(request, pk: int, request_pk: int):
    event = visible_event(request, pk)
    meeting_request = request_of(event, request_pk)

    def cancel(_data):
        return services.request_cancel(actor=request.user, request=meeting_request)

    def cancelled(meeting):
        text = _("The meeting between %(first)s and %(second)s was cancelled.")
        return text % _between(meeting)

    form, key = StatusForm(request.POST), ("status", meeting_request.pk)
    return post_to_event(request, event, key, form, cancel, cancelled, ANCHOR)


@require_POST
@login_required
def meeting_add(request, pk: int):
    event = visible_event(request, pk)
    permissions.require_organiser(request.user, event)
    participants = queries.participants_of(event)
    form = MeetingAddForm(request.POST, participants=participants, prefix="meeting")

    def add(data):
        return services.meeting_add(actor=request.user, event=event, **data)

    def added(meeting):
        return _("A meeting between %(first)s and %(second)s was added.") % _between(meeting)

    return post_to_event(request, event, "meeting", form, add, added, ANCHOR)


@require_POST
@login_required
def meeting_lock(request, pk: int, request_pk: int):
    event = visible_event(request, pk)
    permissions.require_organiser(request.user, event)
    meeting = request_of(event, request_pk)
    slots = slots_of(event)
    form = LockForm(request.POST, slot_choices=slot_choices(slots), prefix=f"lock-{meeting.pk}")

    def lock(data):
        return services.meeting_lock(actor=request.user, request=meeting, **data)

    def locked(meeting):
        slot = form.cleaned_data["slot"]
        if slot is None:
            text = _("The meeting between %(first)s and %(second)s is unlocked.")
            return text % _between(meeting)
        text = _("The meeting between %(first)s and %(second)s is locked at %(when)s.")
        return text % {**_between(meeting), "when": slots[slot].label}

    def stale(form):
        # someone (or the scheduler) changed it since: show what is saved now, keep the
        # organiser's choice, and let a second save (knowingly) replace it
        form.saved_now = saved_values_if_stale(
            form, meeting, lambda saved: {"slot": saved.slot if saved.locked else None}
        )

    key = ("lock", meeting.pk)
    return post_to_event(request, event, key, form, lock, locked, ANCHOR, again=stale)


@require_POST
@login_required
def request_from_connection(request, pk: int):
    event = visible_event(request, pk)
    organising = queries.may_organise(request.user, event)
    participants = queries.participants_of(event)
    permissions.require_organiser_or_participant(request.user, event, participants)
    connections = queries.connections_to_meet(request.user, event, participants, organising)
    form = ConnectionForm(request.POST, connections=connections, prefix="connection")

    def connect(data):
        return services.request_from_connection(actor=request.user, event=event, **data)

    def connected(meeting):
        text = _(
            "%(first)s and %(second)s will meet at the event: their directory connection is now a meeting."
        )
        return text % _between(meeting)

    return post_to_event(request, event, "connection", form, connect, connected, ANCHOR)
