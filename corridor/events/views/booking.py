"""Self-booking pages: a participant's members pick whom to meet and book a slot both sides
have free; the organisers choose whether the event is self-booking."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.core.views import post_action
from corridor.events import booking, permissions, queries
from corridor.events.models import Booking, Event
from corridor.events.views.shared import (
    names,
    participant_of,
    request_of,
    slot_labels,
    slot_text,
    slots_of,
    visible_event,
)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _booking_url(event, me=None, other=None) -> str:
    url = reverse("events:booking_page", args=[event.pk])
    query = []
    if me is not None:
        query.append(f"as={me.pk}")
    if other is not None:
        query.append(f"with={other.pk}")
    return url + ("?" + "&".join(query) if query else "")


@login_required
def booking_page(request, pk: int):
    event = visible_event(request, pk)
    mine = [p for p in queries.my_participants(request.user, event) if p.status != "cancelled"]
    me = next((p for p in mine if p.pk == _int(request.GET.get("as"))), mine[0] if mine else None)
    everyone = [p for p in queries.participants_of(event) if p.status != "cancelled"]
    others = [p for p in everyone if me is None or p.pk != me.pk]
    other = next((p for p in others if p.pk == _int(request.GET.get("with"))), None)
    labels = slot_labels(slots_of(event))
    booked = []
    if me is not None:
        booked = list(
            Booking.objects.filter(event=event, sides__participant=me)
            .select_related("meeting__requester__organisation", "meeting__requested__organisation")
            .order_by("slot")
        )
        for row in booked:
            row.label = labels.get(row.slot, "")
            meeting = row.meeting
            row.other = meeting.requested if meeting.requester_id == me.pk else meeting.requester
    free = []
    if me is not None and other is not None:
        free = booking.slots_with(event, me, other)
        for row in free:
            row.label = slot_text(row.slot)
    context = {
        "event": event,
        "self_booking": permissions.self_booking(event),
        "organising": permissions.can_organise(request.user, event),
        "mine": mine,
        "me": me,
        "others": others,
        "other": other,
        "booked": booked,
        "free": free,
        "can_book": me is not None and permissions.can_book(request.user, me),
        "modes": Event.BookingMode.choices,
    }
    return render(request, "events/booking.html", context)


@require_POST
@login_required
def booking_book(request, pk: int):
    event = visible_event(request, pk)
    me = participant_of(event, _int(request.POST.get("as")) or 0)
    other = participant_of(event, _int(request.POST.get("with")) or 0)
    slot = _int(request.POST.get("slot"))
    if slot is None:
        raise Http404
    try:
        meeting = booking.meeting_book(actor=request.user, requester=me, requested=other, slot=slot)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_booking_url(event, me, other))
    messages.success(
        request,
        _("Booked: your meeting with %(name)s, %(when)s, table %(table)s.")
        % {"name": names(other), "when": slot_text(event.slots()[slot]), "table": meeting.table},
    )
    return redirect(_booking_url(event, me))


@require_POST
@login_required
def booking_cancel(request, pk: int, request_pk: int):
    event = visible_event(request, pk)
    meeting = request_of(event, request_pk)
    return post_action(
        request,
        lambda: booking.booking_cancel(actor=request.user, meeting=meeting),
        back=redirect(_booking_url(event)),
        success=_("The meeting is cancelled; both slots are free again."),
    )


@require_POST
@login_required
def booking_mode(request, pk: int):
    event = visible_event(request, pk)
    return post_action(
        request,
        lambda: booking.event_set_booking(
            actor=request.user, event=event, booking=request.POST.get("booking", "")
        ),
        back=redirect(_booking_url(event)),
        success=_("Saved: how this event's meetings are set."),
    )
