"""The event day's JSON API, mounted at /api/events beside corridor.events.api: late changes
(a participant absent, a meeting cancelled; each re-plans the rest of the day) and
self-booking (a participant's free slots with another, booking and cancelling).

Thin, like the rest of the API: a refused write answers 403 with the reason, a wrong field
400 naming it, and nothing is written either way. Slots are numbered from 1, as people
count them.
"""

from ninja import Field, Router, Schema
from ninja.responses import Status

from corridor.accounts.api import AUTH
from corridor.events import booking, permissions, replan
from corridor.events.api import (
    SlotOut,
    _participant,
    _slot_out,
    _visible_event,
    _visible_request,
)

router = Router(tags=["events: the event day"])


class ChangeOut(Schema):
    meeting: int
    before: int | None = Field(None, description="The slot before the re-plan (from 1).")
    after: int | None = Field(None, description="The slot after it; null: none.")
    table: int | None = None
    cancelled: bool


class ReplanOut(Schema):
    changes: list[ChangeOut]
    moved: int = Field(..., description="Meetings that left their slot (or lost it).")
    placed: int = Field(..., description="Waiting meetings that got a freed slot.")
    told: list[int] = Field(..., description="The participants told (ids).")
    optimal: bool = Field(..., description="The fewest moves are proven.")


class FreeSlotOut(SlotOut):
    free: bool
    busy: str = Field(
        ...,
        description='Why not free: "you", "them", "both", "past", "full", "interpreter"; empty if free.',
    )


class BookingIn(Schema):
    participant: int = Field(..., description="Your participant (who books).")
    meet: int = Field(..., description="The participant to meet.")
    slot: int = Field(..., description="The slot, from 1.")


class BookingOut(Schema):
    meeting: int
    slot: int
    table: int


def _one(slot: int | None) -> int | None:
    return None if slot is None else slot + 1


def _plan_out(plan: replan.Plan) -> dict:
    return {
        "changes": [
            {
                "meeting": c.meeting.pk,
                "before": _one(c.before),
                "after": _one(c.after),
                "table": c.table,
                "cancelled": c.cancelled,
            }
            for c in plan.changes
        ],
        "moved": len(plan.moved),
        "placed": len(plan.placed),
        "told": [p.pk for p in plan.told],
        "optimal": plan.optimal,
    }


@router.post(
    "/{int:event_id}/participants/{int:participant_id}/absent", response=ReplanOut, auth=AUTH
)
def participant_absent(request, event_id: int, participant_id: int):
    """Mark a participant absent for the rest of the day and re-plan it (organisers)."""
    event = _visible_event(request, event_id)
    participant = _participant(event, participant_id)
    return _plan_out(replan.participant_mark_absent(actor=request.user, participant=participant))


@router.post(
    "/{int:event_id}/requests/{int:request_id}/cancel-and-replan", response=ReplanOut, auth=AUTH
)
def meeting_cancel(request, event_id: int, request_id: int):
    """Cancel a meeting that has not begun and re-plan the rest of the day (organisers)."""
    event = _visible_event(request, event_id)
    meeting = _visible_request(request, event, request_id)
    return _plan_out(replan.meeting_cancel(actor=request.user, meeting=meeting))


@router.get(
    "/{int:event_id}/participants/{int:participant_id}/free-slots",
    response=list[FreeSlotOut],
    auth=AUTH,
)
def free_slots(request, event_id: int, participant_id: int, meet: int | None = None):
    """Every slot, saying whether your participant is free in it, and with `meet` (another
    participant's id) whether both are (members of the participant, and organisers)."""
    event = _visible_event(request, event_id)
    me = _participant(event, participant_id)
    other = _participant(event, meet) if meet is not None else None
    permissions.require_acts_for(request.user, me)
    return [
        {**_slot_out(row.slot), "free": row.free, "busy": row.busy}
        for row in booking.slots_with(event, me, other)
    ]


@router.post("/{int:event_id}/bookings", response={201: BookingOut}, auth=AUTH)
def booking_create(request, event_id: int, payload: BookingIn):
    """Book a meeting with another participant in a slot where both are free (self-booking
    events; members for their own participant)."""
    event = _visible_event(request, event_id)
    me, other = _participant(event, payload.participant), _participant(event, payload.meet)
    meeting = booking.meeting_book(
        actor=request.user, requester=me, requested=other, slot=payload.slot - 1
    )
    return Status(201, {"meeting": meeting.pk, "slot": meeting.slot + 1, "table": meeting.table})


@router.post("/{int:event_id}/bookings/{int:request_id}/cancel", response={204: None}, auth=AUTH)
def booking_cancel(request, event_id: int, request_id: int):
    """Cancel a booked meeting that has not begun (either side, or an organiser)."""
    event = _visible_event(request, event_id)
    booking.booking_cancel(actor=request.user, meeting=_visible_request(request, event, request_id))
    return Status(204, None)
