"""The event day over the API (mounted beside `corridor.events.api` under /api/events):
checking participants in (by the token of their agenda's QR code, or by id) and undoing it,
the live board the board page polls, and the results after the meetings. Same rules as the
pages: only the event's organisers, who are refused before a token is read."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from corridor.accounts.api import AUTH
from corridor.core.api import PersonRefOut
from corridor.events import checkin, clock, permissions
from corridor.events.api import (
    ParticipantRefOut,
    SlotOut,
    _organised_event,
    _participant,
    _participant_ref,
    _slot_out,
    _visible_event,
)
from corridor.events.models import Participant
from corridor.events.results import held_slots, results_of

router = Router(tags=["events"])


class CheckInOut(Schema):
    participant: ParticipantRefOut
    checked_in_at: datetime | None = Field(..., description="None: not checked in.")
    checked_in_by: PersonRefOut | None


class CheckInIn(Schema):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(..., max_length=200, description="The token of the agenda's QR code.")


class BoardSideOut(Schema):
    participant: ParticipantRefOut
    present: bool


class BoardMeetingOut(Schema):
    id: int
    table: int | None
    sides: list[BoardSideOut] = Field(..., description="The asking side, then the asked side.")


class BoardSlotOut(SlotOut):
    now: bool = Field(..., description="The slot is under way.")
    over: bool = Field(..., description="The slot has ended.")
    meetings: list[BoardMeetingOut]


class PresenceOut(Schema):
    participant: ParticipantRefOut
    checked_in_at: datetime | None


class BoardOut(Schema):
    present: list[PresenceOut] = Field(..., description="Latest arrival first.")
    absent: list[PresenceOut] = Field(..., description="Registered, not arrived yet.")
    slots: list[BoardSlotOut]


class SideResultOut(Schema):
    participant: ParticipantRefOut
    outcome: str | None = Field(..., description="None: this side said nothing yet.")
    rating: int | None
    wants_follow_up: bool | None
    note: str
    project: int | None = Field(..., description="The cooperation project it became.")


class MeetingResultOut(Schema):
    id: int
    slot: int = Field(..., description="From 1.")
    sides: list[SideResultOut]


class ResultsOut(Schema):
    meetings_held: int
    answers: int = Field(..., description="Sides that said what came of a meeting.")
    average_rating: float | None
    ratings: int
    follow_ups_wanted: int = Field(..., description="Sides that want a follow-up.")
    agreements: int = Field(..., description="Meetings where a side reached an agreement.")
    projects: list[int] = Field(..., description="Cooperation projects you may see.")
    meetings: list[MeetingResultOut]


def _check_in_out(participant: Participant) -> dict:
    person = participant.checked_in_by
    return {
        "participant": _participant_ref(participant),
        "checked_in_at": participant.checked_in_at,
        "checked_in_by": None
        if person is None
        else {"id": person.pk, "display_name": person.display_name},
    }


def _desk_event(request, event_id: int):
    """The event, for those who check its participants in (its organisers)."""
    event = _visible_event(request, event_id)
    permissions.require_checks_in(request.user, event)
    return event


def _check_in_set(request, event_id: int, participant_id: int, *, present: bool) -> dict:
    event = _desk_event(request, event_id)
    participant = _participant(event, participant_id)
    return _check_in_out(
        checkin.participant_check_in(actor=request.user, participant=participant, present=present)
    )


@router.post("/{int:event_id}/check-in", response=CheckInOut, auth=AUTH)
def check_in_by_token(request, event_id: int, payload: CheckInIn):
    """Check in the participant whose agenda's QR code carries this token (organisers
    only; anyone else is refused before the token is read). Again: nothing changes."""
    event = _desk_event(request, event_id)
    participant = checkin.participant_for_token(event, payload.token)
    if participant is None:
        raise HttpError(404, _("This code is not a check-in code of this event."))
    return _check_in_out(checkin.participant_check_in(actor=request.user, participant=participant))


@router.post(
    "/{int:event_id}/participants/{int:participant_id}/check-in", response=CheckInOut, auth=AUTH
)
def check_in(request, event_id: int, participant_id: int):
    """Check a participant in (organisers only)."""
    return _check_in_set(request, event_id, participant_id, present=True)


@router.delete(
    "/{int:event_id}/participants/{int:participant_id}/check-in", response=CheckInOut, auth=AUTH
)
def check_in_undo(request, event_id: int, participant_id: int):
    """Undo a participant's check-in (organisers only)."""
    return _check_in_set(request, event_id, participant_id, present=False)


@router.get("/{int:event_id}/board", response=BoardOut, auth=AUTH)
def check_in_board(request, event_id: int):
    """Who is here, who has not arrived, and each slot's meetings with the presence of both
    sides (organisers only). The board page asks for it every 20 seconds."""
    event = _desk_event(request, event_id)
    day = checkin.board_of(event, event.slots())
    present_ids = {p.pk for p in day.present}

    def presence(participant):
        return {
            "participant": _participant_ref(participant),
            "checked_in_at": participant.checked_in_at,
        }

    return {
        "present": [presence(p) for p in day.present],
        "absent": [presence(p) for p in day.absent],
        "slots": [
            {
                **_slot_out(item.slot),
                "now": item.now,
                "over": item.over,
                "meetings": [
                    {
                        "id": m.meeting.pk,
                        "table": m.meeting.table,
                        "sides": [
                            {
                                "participant": _participant_ref(side),
                                "present": side.pk in present_ids,
                            }
                            for side in (m.meeting.requester, m.meeting.requested)
                        ],
                    }
                    for m in item.meetings
                ],
            }
            for item in day.slots
        ],
    }


@router.get("/{int:event_id}/results", response=ResultsOut, auth=AUTH)
def event_results(request, event_id: int):
    """What came of the meetings, both sides of each (organisers only)."""
    event = _organised_event(request, event_id)
    held = held_slots(event.slots(), clock.now())
    outcome = results_of(event, held, request.user)
    average = outcome.average_rating
    return {
        "meetings_held": outcome.held,
        "answers": outcome.answers,
        "average_rating": float(average) if average is not None else None,
        "ratings": len(outcome.ratings),
        "follow_ups_wanted": outcome.follow_ups,
        "agreements": outcome.agreements,
        "projects": [project.pk for project in outcome.projects],
        "meetings": [
            {
                "id": result.meeting.pk,
                "slot": result.meeting.slot + 1,
                "sides": [
                    {
                        "participant": _participant_ref(side),
                        "outcome": said.outcome if said else None,
                        "rating": said.rating if said else None,
                        "wants_follow_up": said.wants_follow_up if said else None,
                        "note": said.note if said else "",
                        "project": said.project_id if said else None,
                    }
                    for side, said in result.sides
                ],
            }
            for result in outcome.meetings
        ],
    }
