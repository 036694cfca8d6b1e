"""The matchmaking events' JSON API, mounted at /api/events.

Thin: parse, call a query or a service, answer. Every event is reached through
`Event.objects.visible_to(request.user)`: a draft answers 404 to everyone but its organiser's
members and the initiative's facilitators, exactly like an event that does not exist. Writes
go through corridor.events.services (a refused write answers 403, a wrong field 400 naming it;
nothing is written either way). A meeting request that was already answered or cancelled
answers 409 with the reason.

Participants, meeting requests and outcomes carry a `version`, raised on every change (the
scheduler's included): a PATCH sends the version it read, and a change made from an older
one answers 409 with the record as it is now (`current`), writing nothing.

Slots are numbered from 1 here (`index`, `unavailable_slots`, a lock's `slot`), as people
count them; the database counts from 0. Times are the event's local wall-clock times (UTC+8),
given as ISO 8601 with their offset.
"""

from contextlib import contextmanager
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Max, Min
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import ConfigDict

from corridor.accounts.api import AUTH, AUTH_OR_ANONYMOUS, organisation_by_id, person_by_id
from corridor.core.api import (
    ErrorOut,
    NameText,
    OrganisationRefOut,
    Pages,
    PersonRefOut,
    WallClockTime,
    conflict_or_raise,
)
from corridor.core.bilingual import bilingual
from corridor.events import permissions, queries, schedule_codes, services
from corridor.events.models import (
    Event,
    Interpreter,
    MeetingPrecedence,
    MeetingRequest,
    Participant,
    ScheduleRun,
    Slot,
)
from corridor.events.views.shared import slot_text

router = Router(tags=["events"])

PAGE_SIZE = 50


# --- schemas: out --------------------------------------------------------------------------


class SessionOut(Schema):
    id: int
    date: date
    part: str = Field(..., description='"am" (morning) or "pm" (afternoon).')
    starts_at: WallClockTime
    ends_at: WallClockTime


class SlotOut(Schema):
    index: int = Field(..., description="The slot's number, from 1, in time order.")
    starts_at: datetime
    ends_at: datetime


class EventOut(Schema):
    id: int
    title_en: str
    title_zh: str
    organiser: OrganisationRefOut
    venue_en: str
    venue_zh: str
    starts_on: date | None = Field(None, alias="first_day", description="Its first session's day.")
    ends_on: date | None = Field(None, alias="last_day", description="Its last session's day.")
    slot_minutes: int
    tables: int
    registration: str = Field(..., description="open or invitation.")
    fairness: int
    is_published: bool
    agenda_published_at: datetime | None
    is_synthetic: bool
    created_at: datetime


class EventDetailOut(EventOut):
    description_en: str
    description_zh: str
    sessions: list[SessionOut]
    slots: list[SlotOut]
    can_organise: bool = Field(..., description="The caller may change the event and plan it.")
    your_participants: list[int] = Field(
        ..., description="The ids of the caller's organisations' registrations for the event."
    )


class ParticipantRefOut(Schema):
    """Enough of a participant to name it."""

    id: int
    organisation_id: int
    name_en: str
    name_zh: str
    country: str


class ParticipantOut(Schema):
    id: int
    organisation: OrganisationRefOut
    status: str
    contact: PersonRefOut | None
    languages: list[str] = Field(..., description='Working languages: "en" and/or "zh".')
    unavailable_slots: list[int] | None = Field(
        ...,
        description="Slot numbers, from 1; null for callers who may not see them (only the "
        "event's organisers and participants do).",
    )
    fixed_table: int | None = Field(None, description="A host who stays at one table.")
    registered_at: datetime
    can_act: bool = Field(..., description="The caller may change it and ask for meetings.")
    version: int = Field(..., description="Send it back with PATCH; a stale version answers 409.")


class ParticipantConflictOut(ErrorOut):
    """A change made from a version that is no longer the saved one: nothing was written;
    `current` is the participant as it is now."""

    current: ParticipantOut


class InterpreterOut(Schema):
    """An interpreter working at the event: the languages they interpret between and the
    slots they are not available."""

    id: int
    name_en: str
    name_zh: str
    languages: list[str] = Field(..., description='Working languages: "en" and/or "zh".')
    unavailable_slots: list[int] = Field(..., description="Slot numbers, from 1.")


class RequestOut(Schema):
    """A meeting request; once accepted and placed it is a meeting with a slot and a table."""

    id: int
    requester: ParticipantRefOut
    requested: ParticipantRefOut
    priority: str = Field(..., description="must or would_like.")
    status: str = Field(..., description="pending, accepted, declined or cancelled.")
    message: str
    added_by_organiser: bool
    slot: SlotOut | None
    table: int | None
    locked: bool = Field(..., description="The scheduler keeps it in its slot.")
    interpreter: InterpreterOut | None
    needs_interpreter: bool = Field(..., description="The two sides share no working language.")
    why_not_placed: str = Field(..., description="After a scheduling run, in words.")
    created_at: datetime
    updated_at: datetime
    version: int = Field(
        ...,
        description="Send it back with PATCH; a stale version answers 409. Raised on every "
        "change, the scheduler's included.",
    )


class MeetingRequestConflictOut(ErrorOut):
    """The request could not be changed: it was changed since the `version` you read (the
    scheduler may have moved it), or it was declined or cancelled. Nothing was written;
    `current` is the request as it is now."""

    current: RequestOut


class UnplacedOut(Schema):
    meeting: int
    reason: str = Field(..., description="The scheduler's code.")
    text: str = Field(..., description="The reason in words, in the caller's language.")


class RunOut(Schema):
    id: int
    status: str = Field(..., description="queued, running, done or failed.")
    mode: str
    time_limit: int
    requested_by: PersonRefOut | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    placed: int
    unplaced: list[UnplacedOut]
    breaks: int | None
    bound: float | None
    optimal: bool
    weight: int | None
    moved: int
    seconds: float | None
    errors: list[dict]
    interruptions: int = Field(
        0, description="How many times the background worker solving this run stopped."
    )


class AgendaMeetingOut(Schema):
    id: int
    other: ParticipantRefOut = Field(..., description="Whom the participant meets.")
    table: int | None
    interpreter: InterpreterOut | None
    needs_interpreter: bool
    priority: str
    locked: bool


class AgendaItemOut(SlotOut):
    unavailable: bool = Field(..., description="The participant said it cannot meet then.")
    meeting: AgendaMeetingOut | None


class AgendaOut(Schema):
    participant: ParticipantRefOut
    published_at: datetime | None = Field(
        ..., description="When the organisers made the agendas final."
    )
    items: list[AgendaItemOut] = Field(
        ...,
        description="Every slot of the event; empty for the participant's members until the "
        "organisers publish the agendas.",
    )


class OutcomeOut(Schema):
    id: int
    meeting: int = Field(..., alias="meeting_id")
    participant: int = Field(..., alias="participant_id")
    outcome: str
    rating: int | None = Field(..., description="1 (not useful) to 5 (very useful).")
    wants_follow_up: bool | None
    note: str
    recorded_at: datetime
    version: int = Field(..., description="Send it back to replace the outcome.")


class MeetingOutcomeConflictOut(ErrorOut):
    """An outcome recorded from a version that is no longer the saved one (or without a
    version over an existing outcome): nothing was written; `current` is the outcome as it
    is now."""

    current: OutcomeOut


# --- schemas: in ---------------------------------------------------------------------------


class SessionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    date: date
    part: str = Field(..., description='"am" (morning) or "pm" (afternoon).')
    starts_at: WallClockTime
    ends_at: WallClockTime


class EventIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organiser: int = Field(..., description="The id of the organising organisation.")
    title_en: NameText = ""
    title_zh: NameText = ""
    description_en: str = ""
    description_zh: str = ""
    venue_en: str = ""
    venue_zh: str = ""
    slot_minutes: int = 20
    tables: int = 10
    registration: str = Field(Event.Registration.OPEN.value, description="open or invitation.")
    fairness: int = Field(2, description="The breaks of any two participants differ by at most.")
    sessions: list[SessionIn] = []


class EventPublishIn(Schema):
    model_config = ConfigDict(extra="forbid")

    published: bool = Field(True, description="false takes the event back to a draft.")


class ParticipantIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organisation: int
    contact: int | None = Field(None, description="A person of the organisation.")
    languages: list[str] = Field([], description='"en" and/or "zh".')
    unavailable_slots: list[int] = Field([], description="Slot numbers, from 1.")
    fixed_table: int | None = Field(None, description="Organisers only.")


class ParticipantPatch(Schema):
    """The fields to change; fields left out keep their values."""

    model_config = ConfigDict(extra="forbid")

    contact: int | None = None
    languages: list[str] | None = None
    unavailable_slots: list[int] | None = Field(None, description="Slot numbers, from 1.")
    fixed_table: int | None = Field(None, description="Organisers only; null: none.")
    version: int = Field(..., description="The `version` of the participant you read.")


class InterpreterIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name_en: str
    name_zh: str = ""
    languages: list[str] = Field(["en", "zh"], description='"en" and "zh".')
    unavailable_slots: list[int] = Field([], description="Slot numbers, from 1.")


class InterpreterPatch(Schema):
    """The fields to change; fields left out keep their values."""

    model_config = ConfigDict(extra="forbid")

    name_en: str | None = None
    name_zh: str | None = None
    languages: list[str] | None = None
    unavailable_slots: list[int] | None = Field(None, description="Slot numbers, from 1.")


class RequestFilters(Schema):
    participant: int | None = Field(
        None, description="Only this participant's requests (either side)."
    )


class RequestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    requester: int = Field(..., description="Your participant.")
    requested: int = Field(..., description="The participant you ask to meet.")
    priority: str = Field(
        MeetingRequest.Priority.WOULD_LIKE.value, description="must or would_like."
    )
    message: str = ""


class RequestPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    priority: str | None = None
    message: str | None = None
    version: int = Field(..., description="The `version` of the request you read.")


class MeetingRequestAnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    accept: bool


class MeetingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    requester: int
    requested: int
    priority: str = Field(MeetingRequest.Priority.MUST.value, description="must or would_like.")


class LockIn(Schema):
    model_config = ConfigDict(extra="forbid")

    slot: int | None = Field(..., description="The slot's number, from 1; null unlocks.")
    version: int = Field(..., description="The `version` of the request you read.")


class PrecedenceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    before: int = Field(..., description="The id of the meeting that must come first.")
    after: int = Field(..., description="The id of the meeting that must come after it.")


class PrecedenceOut(Schema):
    id: int
    before: int = Field(..., description="The meeting that comes first (its id).")
    after: int = Field(..., description="The meeting that comes after it (its id).")
    text: str = Field(..., description="The order in words, in the caller's language.")
    created_at: datetime


class RunIn(Schema):
    model_config = ConfigDict(extra="forbid")

    mode: str = Field(ScheduleRun.Mode.ALL.value, description="all or max.")
    time_limit: int = Field(30, description="Seconds, 1 to 600.")


class OutcomeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    meeting: int
    participant: int = Field(..., description="The side the outcome is recorded for.")
    outcome: str = Field(..., description="no_show, follow_up, agreement or nothing.")
    note: str = ""
    rating: int | None = Field(
        None,
        description="1 (not useful) to 5 (very useful); only the side's own members give it, "
        "once the meeting is over. Left out: the saved rating stays.",
    )
    wants_follow_up: bool | None = Field(
        None,
        description="Whether the side wants a follow-up; only its own members say it. Left "
        'out: the saved answer stays ("follow_up" as the outcome says yes).',
    )
    version: int = Field(
        0,
        description="To replace the side's outcome: the `version` of it you read. Left out "
        "(or 0), the outcome is recorded only if none is yet; otherwise the answer is 409.",
    )


# --- helpers -------------------------------------------------------------------------------


def _events(request):
    """The events the caller may see, newest first, with their first and last day (an
    aggregate drops the model's default ordering, hence the explicit one)."""
    return (
        queries.events_visible(request.user)
        .annotate(first_day=Min("sessions__date"), last_day=Max("sessions__date"))
        .order_by("-id")
    )


def _visible_event(request, event_id: int) -> Event:
    """The event, if the caller may see it; 404 otherwise, never saying whether it exists."""
    event = _events(request).prefetch_related("sessions").filter(pk=event_id).first()
    if event is None:
        raise HttpError(404, _("No event has the id “%(value)s”.") % {"value": event_id})
    return event


def _organised_event(request, event_id: int) -> Event:
    """The event, for its organisers only: 404 if the caller may not see it, 403 if they see
    it but do not organise it."""
    event = _visible_event(request, event_id)
    permissions.require_organiser(request.user, event)
    return event


def _no_participant(participant_id: int) -> str:
    return _("No participant of this event has the id “%(value)s”.") % {"value": participant_id}


def _participant(event: Event, participant_id: int) -> Participant:
    """A participant named in the path: one of another event answers 404."""
    participant = queries.participant_at(event, participant_id)
    if participant is None:
        raise HttpError(404, _no_participant(participant_id))
    return participant


def _participant_named(event: Event, participant_id: int, field: str) -> Participant:
    """A participant given in the body: one of another event is a field error."""
    participant = queries.participant_at(event, participant_id)
    if participant is None:
        raise ValidationError({field: _no_participant(participant_id)})
    return participant


def _pair(event: Event, payload) -> dict[str, Participant]:
    """The two participants a request or meeting names in its body."""
    return {
        side: _participant_named(event, getattr(payload, side), side)
        for side in ("requester", "requested")
    }


def _visible_request(request, event: Event, request_id: int) -> MeetingRequest:
    """A request of a participant the caller acts for (either side), or any request for the
    organisers; 404 for the others."""
    found = queries.requests_of(event).filter(pk=request_id).first()
    if found is None or not (
        queries.may_act_for(request.user, found.requester)
        or queries.may_act_for(request.user, found.requested)
    ):
        raise HttpError(
            404,
            _("No meeting request of this event has the id “%(value)s”.") % {"value": request_id},
        )
    return found


def _from_one(numbers: list[int] | None) -> list[int]:
    """Slot numbers as people count them (from 1) to the stored ones (from 0)."""
    return [number - 1 for number in numbers or []]


@contextmanager
def _api_names():
    """The services name the stored field `blocked_slots`; here it is `unavailable_slots`,
    because it counts from 1: a field error the block raises is raised again under that
    name."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        errors = exc.message_dict
        if "blocked_slots" in errors:
            errors["unavailable_slots"] = errors.pop("blocked_slots")
        raise ValidationError(errors) from exc


def _slot_out(slot: Slot) -> dict:
    return {"index": slot.index + 1, "starts_at": slot.starts_at, "ends_at": slot.ends_at}


def _participant_ref(participant: Participant) -> dict:
    organisation = participant.organisation
    return {
        "id": participant.pk,
        "organisation_id": organisation.pk,
        "name_en": organisation.name_en,
        "name_zh": organisation.name_zh,
        "country": organisation.country,
    }


def _interpreter_out(interpreter: Interpreter | None) -> dict | None:
    if interpreter is None:
        return None
    return {
        "id": interpreter.pk,
        "name_en": interpreter.name_en,
        "name_zh": interpreter.name_zh,
        "languages": list(interpreter.languages or []),
        "unavailable_slots": [slot + 1 for slot in interpreter.blocked_slots or []],
    }


def _request_out(meeting: MeetingRequest, slots: list[Slot]) -> dict:
    placed = meeting.slot is not None and meeting.slot < len(slots)
    unplaced = meeting.status == MeetingRequest.Status.ACCEPTED and not placed
    return {
        "id": meeting.pk,
        "requester": _participant_ref(meeting.requester),
        "requested": _participant_ref(meeting.requested),
        "priority": meeting.priority,
        "status": meeting.status,
        "message": meeting.message,
        "added_by_organiser": meeting.added_by_organiser,
        "slot": _slot_out(slots[meeting.slot]) if placed else None,
        "table": meeting.table,
        "locked": meeting.locked,
        "interpreter": _interpreter_out(meeting.interpreter),
        "needs_interpreter": meeting.needs_interpreter,
        "why_not_placed": schedule_codes.in_words(meeting.unplaced_reason)
        if unplaced and meeting.unplaced_reason
        else "",
        "created_at": meeting.created_at,
        "updated_at": meeting.updated_at,
        "version": meeting.version,
    }


def _request_detail(request, event: Event, request_id: int) -> dict:
    return _request_out(_visible_request(request, event, request_id), event.slots())


def _request_written(request, event_id: int, payload, write, **fields):
    """Write a request or a meeting (`write`: services.request_create or meeting_add) between
    the two participants the body names, and answer 201 with it."""
    event = _visible_event(request, event_id)
    written = write(
        actor=request.user,
        event=event,
        **_pair(event, payload),
        priority=payload.priority,
        **fields,
    )
    return Status(201, _request_detail(request, event, written.pk))


def _request_changed(request, event_id: int, request_id: int, change):
    """`change(meeting)` (a service call) on a request the caller may see, then the request
    as it is now; refused because of its state (already answered or cancelled): 409 with the
    reason."""
    event = _visible_event(request, event_id)
    meeting = _visible_request(request, event, request_id)
    try:
        change(meeting)
    except ValidationError as exc:
        return conflict_or_raise(exc)
    return _request_detail(request, event, request_id)


def _conflict(message: str, current, errors: dict | None = None) -> Status:
    """409: nothing was written; `current` is the record as it is now."""
    return Status(
        409, {"detail": message, "errors": errors or {"version": [message]}, "current": current}
    )


def _stale_request(request, event: Event, request_id: int) -> Status:
    """409: the request changed since the `version` the caller read."""
    current = _request_detail(request, event, request_id)
    message = _(
        "Someone else changed this meeting request since you read it (or the scheduler "
        "moved the meeting), so nothing was saved; it is now at version %(version)s. "
        "Read it again and send your change with that version."
    ) % {"version": current["version"]}
    return _conflict(message, current)


def _participant_out(request, participant: Participant, sees_contacts: bool) -> dict:
    """`sees_contacts` (queries.sees_contacts) also decides whether availability is shown."""
    return {
        "id": participant.pk,
        "organisation": participant.organisation,
        "status": participant.status,
        "contact": participant.contact if sees_contacts else None,
        "languages": participant.languages or [],
        "unavailable_slots": [slot + 1 for slot in participant.blocked_slots or []]
        if sees_contacts
        else None,
        "fixed_table": participant.fixed_table,
        "registered_at": participant.registered_at,
        "can_act": queries.may_act_for(request.user, participant),
        "version": participant.version,
    }


def _event_detail(request, event_id: int) -> dict:
    event = _visible_event(request, event_id)
    out = EventOut.from_orm(event).model_dump(by_alias=True)
    out.update(
        description_en=event.description_en,
        description_zh=event.description_zh,
        sessions=list(event.sessions.all()),
        slots=[_slot_out(slot) for slot in event.slots()],
        can_organise=queries.may_organise(request.user, event),
        your_participants=[p.pk for p in queries.my_participants(request.user, event)],
    )
    return out


def _run_out(run: ScheduleRun) -> dict:
    return {
        "id": run.pk,
        "status": run.status,
        "mode": run.mode,
        "time_limit": run.time_limit,
        "requested_by": run.requested_by,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "placed": run.placed,
        "unplaced": [
            {"meeting": int(key), "reason": code, "text": schedule_codes.in_words(code)}
            for key, code in sorted((run.unplaced or {}).items(), key=lambda kv: int(kv[0]))
        ],
        "breaks": run.breaks,
        "bound": run.bound,
        "optimal": run.optimal,
        "weight": run.weight,
        "moved": run.moved,
        "seconds": run.seconds,
        "errors": _errors_out(run),
        "interruptions": run.interruptions,
    }


def _errors_out(run: ScheduleRun) -> list[dict]:
    """The run's errors as stored, each with `text`: the sentence the schedule page shows
    (for an impossible order: the participant, its free slots before when, the meetings)."""
    errors = run.errors or []
    keys = {
        str(k)
        for e in errors
        for k in [e.get("meeting"), *(e.get("others") or [])]
        if k is not None and str(k).isdigit()
    }
    meetings = {
        str(m.pk): m for m in queries.requests_of(run.event).filter(pk__in=[int(k) for k in keys])
    }
    labels = {slot.index: slot_text(slot) for slot in run.event.slots()} if errors else {}
    return [{**e, "text": schedule_codes.explained(e, meetings, labels)} for e in errors]


def _precedence_out(precedence: MeetingPrecedence) -> dict:
    def name(m: MeetingRequest) -> str:
        return _("%(first)s with %(second)s") % {
            "first": bilingual(m.requester.organisation, "name"),
            "second": bilingual(m.requested.organisation, "name"),
        }

    return {
        "id": precedence.pk,
        "before": precedence.before_id,
        "after": precedence.after_id,
        "text": _("%(before)s comes before %(after)s.")
        % {"before": name(precedence.before), "after": name(precedence.after)},
        "created_at": precedence.created_at,
    }


# --- events --------------------------------------------------------------------------------


@router.get("", response=list[EventOut], auth=AUTH_OR_ANONYMOUS)
@paginate(Pages, page_size=PAGE_SIZE)
def event_list(request):
    """The events the caller may see (published ones, and the drafts it organises), newest
    first."""
    return _events(request)


@router.get("/{int:event_id}", response=EventDetailOut, auth=AUTH_OR_ANONYMOUS)
def event_detail(request, event_id: int):
    """The event with its sessions and its meeting slots."""
    return _event_detail(request, event_id)


@router.post("", response={201: EventDetailOut}, auth=AUTH)
def event_create(request, payload: EventIn):
    """Create an event, as a draft, for an organisation you belong to, with its sessions."""
    event = services.event_create(
        actor=request.user,
        organiser=organisation_by_id(payload.organiser, "organiser"),
        title_en=payload.title_en,
        title_zh=payload.title_zh,
        description_en=payload.description_en,
        description_zh=payload.description_zh,
        venue_en=payload.venue_en,
        venue_zh=payload.venue_zh,
        slot_minutes=payload.slot_minutes,
        tables=payload.tables,
        registration=payload.registration,
        fairness=payload.fairness,
        sessions=[(s.date, s.part, s.starts_at, s.ends_at) for s in payload.sessions],
    )
    return Status(201, _event_detail(request, event.pk))


@router.post("/{int:event_id}/publish", response=EventDetailOut, auth=AUTH)
def event_publish(request, event_id: int, payload: EventPublishIn | None = None):
    """Publish the event (members then see it and may register), or take it back."""
    event = _visible_event(request, event_id)
    published = payload.published if payload is not None else True
    services.event_publish(actor=request.user, event=event, published=published)
    return _event_detail(request, event_id)


# --- participants --------------------------------------------------------------------------


@router.get("/{int:event_id}/participants", response=list[ParticipantOut], auth=AUTH)
def participant_list(request, event_id: int):
    """The registered organisations, by country and name."""
    event = _visible_event(request, event_id)
    sees_contacts = queries.sees_contacts(request.user, event)
    return [_participant_out(request, p, sees_contacts) for p in queries.participants_of(event)]


@router.post("/{int:event_id}/participants", response={201: ParticipantOut}, auth=AUTH)
def participant_add(request, event_id: int, payload: ParticipantIn):
    """Register an organisation: your own for a published event open to members; the
    organisers register anyone (and give hosts a fixed table)."""
    event = _visible_event(request, event_id)
    with _api_names():
        participant = services.participant_add(
            actor=request.user,
            event=event,
            organisation=organisation_by_id(payload.organisation, "organisation"),
            contact=person_by_id(payload.contact, "contact"),
            languages=payload.languages,
            blocked_slots=_from_one(payload.unavailable_slots),
            fixed_table=payload.fixed_table,
        )
    return Status(201, _participant_out(request, participant, sees_contacts=True))


@router.patch(
    "/{int:event_id}/participants/{int:participant_id}",
    response={200: ParticipantOut, 409: ParticipantConflictOut},
    auth=AUTH,
)
def participant_update(request, event_id: int, participant_id: int, payload: ParticipantPatch):
    """Change the fields given: working languages, unavailable slots, contact person, and
    (organisers) the fixed table, with the `version` you read: if someone changed the
    participant since, the answer is 409 with the participant as it is now, and nothing is
    written. The next scheduling run uses the change."""
    event = _visible_event(request, event_id)
    participant = _participant(event, participant_id)
    changes = payload.model_dump(exclude_unset=True)
    unchanged = services.UNCHANGED
    try:
        with _api_names():
            participant = services.participant_update(
                actor=request.user,
                participant=participant,
                languages=changes.get("languages", unchanged),
                blocked_slots=_from_one(changes["unavailable_slots"])
                if "unavailable_slots" in changes
                else unchanged,
                fixed_table=changes.get("fixed_table", unchanged),
                contact=person_by_id(changes["contact"], "contact")
                if "contact" in changes
                else unchanged,
                version=payload.version,
            )
    except ValidationError as exc:
        if "version" not in getattr(exc, "error_dict", {}):
            raise
        current = _participant(event, participant_id)
        message = _(
            "Someone else changed this participant since you read it, so nothing was saved; it "
            "is now at version %(version)s. Read it again and send your change with that "
            "version."
        ) % {"version": current.version}
        return _conflict(
            message,
            _participant_out(request, current, queries.sees_contacts(request.user, event)),
        )
    participant = _participant(event, participant_id)
    return _participant_out(request, participant, queries.sees_contacts(request.user, event))


# --- interpreters --------------------------------------------------------------------------


def _interpreter(request, event_id: int, interpreter_id: int) -> Interpreter:
    event = _organised_event(request, event_id)
    found = event.interpreters.filter(pk=interpreter_id).first()
    if found is None:
        raise HttpError(
            404,
            _("No interpreter of this event has the id “%(value)s”.") % {"value": interpreter_id},
        )
    return found


@router.get("/{int:event_id}/interpreters", response=list[InterpreterOut], auth=AUTH)
def interpreter_list(request, event_id: int):
    """The event's interpreters (organisers only)."""
    event = _organised_event(request, event_id)
    return [_interpreter_out(interpreter) for interpreter in event.interpreters.all()]


@router.post("/{int:event_id}/interpreters", response={201: InterpreterOut}, auth=AUTH)
def interpreter_add(request, event_id: int, payload: InterpreterIn):
    """Add an interpreter (organisers only) with the languages they interpret between and
    the slots they are not available; the next scheduling run uses them."""
    event = _visible_event(request, event_id)
    with _api_names():
        interpreter = services.interpreter_add(
            actor=request.user,
            event=event,
            name_en=payload.name_en,
            name_zh=payload.name_zh,
            languages=payload.languages,
            blocked_slots=_from_one(payload.unavailable_slots),
        )
    return Status(201, _interpreter_out(interpreter))


@router.patch(
    "/{int:event_id}/interpreters/{int:interpreter_id}", response=InterpreterOut, auth=AUTH
)
def interpreter_update(request, event_id: int, interpreter_id: int, payload: InterpreterPatch):
    """Change the fields given (organisers only); the next scheduling run uses the change."""
    interpreter = _interpreter(request, event_id, interpreter_id)
    changes = payload.model_dump(exclude_unset=True)
    if "unavailable_slots" in changes:
        changes["blocked_slots"] = _from_one(changes.pop("unavailable_slots"))
    with _api_names():
        interpreter = services.interpreter_update(
            actor=request.user, interpreter=interpreter, **changes
        )
    return _interpreter_out(interpreter)


# --- meeting requests and meetings ---------------------------------------------------------


@router.get("/{int:event_id}/requests", response=list[RequestOut], auth=AUTH)
def request_list(request, event_id: int, filters: Query[RequestFilters]):
    """The requests of the participants you act for (either side); the organisers see every
    request of the event. By slot, then table."""
    event = _visible_event(request, event_id)
    if filters.participant is not None:
        participant = _participant(event, filters.participant)
        permissions.require_acts_for(request.user, participant)
        requests = queries.requests_of(event, participant)
    else:
        requests = queries.requests_seen_by(
            event,
            organising=queries.may_organise(request.user, event),
            participant_ids={p.pk for p in queries.my_participants(request.user, event)},
        )
    slots = event.slots()
    return [_request_out(meeting, slots) for meeting in requests]


@router.post("/{int:event_id}/requests", response={201: RequestOut}, auth=AUTH)
def request_create(request, event_id: int, payload: RequestIn):
    """Ask, for your participant (`requester`), to meet another (`requested`)."""
    return _request_written(
        request, event_id, payload, services.request_create, message=payload.message
    )


@router.patch(
    "/{int:event_id}/requests/{int:request_id}",
    response={200: RequestOut, 409: MeetingRequestConflictOut},
    auth=AUTH,
)
def request_update(request, event_id: int, request_id: int, payload: RequestPatch):
    """Change the priority or the message of a request your participant made, with the
    `version` you read: if it changed since (someone else's change, or the scheduler moving
    the meeting), or it was declined or cancelled, the answer is 409 with the request as it
    is now, and nothing is written."""
    event = _visible_event(request, event_id)
    meeting = _visible_request(request, event, request_id)
    changes = payload.model_dump(exclude_unset=True)
    try:
        services.request_update(
            actor=request.user,
            request=meeting,
            priority=changes.get("priority", services.UNCHANGED),
            message=changes.get("message", services.UNCHANGED),
            version=payload.version,
        )
    except ValidationError as exc:
        errors = getattr(exc, "error_dict", {})
        if "version" in errors:
            return _stale_request(request, event, request_id)
        if "status" not in errors:
            raise
        errors = exc.message_dict
        return _conflict(errors["status"][0], _request_detail(request, event, request_id), errors)
    return _request_detail(request, event, request_id)


@router.post(
    "/{int:event_id}/requests/{int:request_id}/answer",
    response={200: RequestOut, 409: ErrorOut},
    auth=AUTH,
)
def request_answer(request, event_id: int, request_id: int, payload: MeetingRequestAnswerIn):
    """Accept or decline a request your participant received."""
    return _request_changed(
        request,
        event_id,
        request_id,
        lambda meeting: services.request_answer(
            actor=request.user, request=meeting, accept=payload.accept
        ),
    )


@router.post(
    "/{int:event_id}/requests/{int:request_id}/cancel",
    response={200: RequestOut, 409: ErrorOut},
    auth=AUTH,
)
def request_cancel(request, event_id: int, request_id: int):
    """Cancel a request or a meeting (either side, or an organiser); a placed meeting frees
    its slot."""
    return _request_changed(
        request,
        event_id,
        request_id,
        lambda meeting: services.request_cancel(actor=request.user, request=meeting),
    )


@router.post(
    "/{int:event_id}/requests/{int:request_id}/lock",
    response={200: RequestOut, 409: MeetingRequestConflictOut},
    auth=AUTH,
)
def request_lock(request, event_id: int, request_id: int, payload: LockIn):
    """Fix an accepted meeting in a slot, which the scheduler then keeps (organisers); a
    null slot unlocks it. With the `version` you read: if the request changed since (someone
    else's lock, or the scheduler moving the meeting), the answer is 409 with the request as
    it is now, and nothing is written."""
    event = _visible_event(request, event_id)
    meeting = _visible_request(request, event, request_id)
    try:
        services.meeting_lock(
            actor=request.user,
            request=meeting,
            slot=None if payload.slot is None else payload.slot - 1,
            version=payload.version,
        )
    except ValidationError as exc:
        if "version" not in getattr(exc, "error_dict", {}):
            raise
        return _stale_request(request, event, request_id)
    return _request_detail(request, event, request_id)


@router.post("/{int:event_id}/meetings", response={201: RequestOut}, auth=AUTH)
def meeting_add(request, event_id: int, payload: MeetingIn):
    """Add a meeting between two participants, accepted on both sides' behalf (organisers)."""
    return _request_written(request, event_id, payload, services.meeting_add)


# --- scheduling ----------------------------------------------------------------------------


@router.post("/{int:event_id}/schedule-runs", response={202: RunOut}, auth=AUTH)
def schedule_run_start(request, event_id: int, payload: RunIn):
    """Queue a scheduling run (organisers). It places the accepted meetings in the
    background: follow it at /api/events/{event_id}/schedule-runs/{run_id}."""
    event = _visible_event(request, event_id)
    run = services.schedule_start(
        actor=request.user, event=event, mode=payload.mode, time_limit=payload.time_limit
    )
    return Status(202, _run_out(run))


@router.get("/{int:event_id}/schedule-runs/{int:run_id}", response=RunOut, auth=AUTH)
def schedule_run_detail(request, event_id: int, run_id: int):
    """A run's progress and, once done, its figures: meetings placed, those not placed and
    why, idle breaks, the bound on them, whether the answer is proven optimal (organisers)."""
    event = _organised_event(request, event_id)
    run = event.runs.select_related("requested_by").filter(pk=run_id).first()
    if run is None:
        raise HttpError(
            404, _("No scheduling run of this event has the id “%(value)s”.") % {"value": run_id}
        )
    return _run_out(run)


# --- meetings in order ---------------------------------------------------------------------


@router.get("/{int:event_id}/precedences", response=list[PrecedenceOut], auth=AUTH)
def precedence_list(request, event_id: int):
    """The meetings in order: each `before` meeting is scheduled in an earlier slot than its
    `after` meeting (organisers)."""
    event = _organised_event(request, event_id)
    return [_precedence_out(p) for p in queries.precedences_of(event)]


@router.post("/{int:event_id}/precedences", response={201: PrecedenceOut}, auth=AUTH)
def precedence_add(request, event_id: int, payload: PrecedenceIn):
    """Order two meetings of the event (organisers). Refused with a field error: a meeting
    of another event, a meeting before itself, a pair already ordered, an order closing a
    circle (the error names the meetings of the circle)."""
    event = _organised_event(request, event_id)
    meetings = MeetingRequest.objects.select_related(
        "requester__organisation", "requested__organisation"
    )
    found = {}
    for field in ("before", "after"):
        # one exact lookup each: an id too large for the database finds nothing there
        # (`pk__in` sends it to the database, and SQLite overflows: 500)
        meeting = meetings.filter(pk=getattr(payload, field)).first()
        if meeting is None:
            raise ValidationError({field: _("Meeting: choose a meeting of this event.")})
        found[meeting.pk] = meeting
    added = services.precedence_add(
        actor=request.user,
        event=event,
        before=found[payload.before],
        after=found[payload.after],
    )
    return Status(201, _precedence_out(queries.precedence_at(event, added.pk)))


@router.delete("/{int:event_id}/precedences/{int:precedence_id}", response={204: None}, auth=AUTH)
def precedence_remove(request, event_id: int, precedence_id: int):
    """Drop an order between two meetings (organisers)."""
    event = _organised_event(request, event_id)
    precedence = queries.precedence_at(event, precedence_id)
    if precedence is None:
        raise HttpError(
            404,
            _("No meeting order of this event has the id “%(value)s”.") % {"value": precedence_id},
        )
    services.precedence_remove(actor=request.user, precedence=precedence)
    return Status(204, None)


# --- agendas and outcomes ------------------------------------------------------------------


@router.get("/{int:event_id}/agendas/{int:participant_id}", response=AgendaOut, auth=AUTH)
def agenda(request, event_id: int, participant_id: int):
    """A participant's slots with its meetings, for the people who act for it and the
    organisers. Its members see the meetings once the organisers publish the agendas."""
    event = _visible_event(request, event_id)
    participant = _participant(event, participant_id)
    permissions.require_acts_for(request.user, participant)
    final = event.agenda_published_at is not None
    items = []
    if final or queries.may_organise(request.user, event):
        for item in queries.agenda_of(participant, event.slots()):
            meeting = item.meeting
            items.append(
                {
                    **_slot_out(item.slot),
                    "unavailable": item.blocked,
                    "meeting": None
                    if meeting is None
                    else {
                        "id": meeting.pk,
                        "other": _participant_ref(item.other),
                        "table": meeting.table,
                        "interpreter": _interpreter_out(meeting.interpreter),
                        "needs_interpreter": item.needs_interpreter,
                        "priority": meeting.priority,
                        "locked": meeting.locked,
                    },
                }
            )
    return {
        "participant": _participant_ref(participant),
        "published_at": event.agenda_published_at,
        "items": items,
    }


@router.post(
    "/{int:event_id}/outcomes",
    response={200: OutcomeOut, 409: MeetingOutcomeConflictOut},
    auth=AUTH,
)
def outcome_record(request, event_id: int, payload: OutcomeIn):
    """Say, for one side, what came of a meeting; saying it again, with the `version` of the
    outcome you read, replaces it. If someone recorded it since, the answer is 409 with the
    outcome as it is now, and nothing is written."""
    event = _visible_event(request, event_id)
    meeting = queries.request_at(event, payload.meeting)
    if meeting is None:
        raise ValidationError(
            {
                "meeting": _("No meeting of this event has the id “%(value)s”.")
                % {"value": payload.meeting}
            }
        )
    participant = _participant_named(event, payload.participant, "participant")
    try:
        return services.outcome_record(
            actor=request.user,
            meeting=meeting,
            participant=participant,
            **payload.model_dump(include={"outcome", "note", "version"}),
            # the feedback only when sent: an organiser's outcome leaves the side's own alone
            **payload.model_dump(include={"rating", "wants_follow_up"}, exclude_unset=True),
        )
    except ValidationError as exc:
        if "version" not in getattr(exc, "error_dict", {}):
            raise
        current = queries.outcome_of(meeting, participant)
        message = _(
            "An outcome of this meeting was already recorded for this side, at version "
            "%(version)s, so nothing was saved. Read it and send your outcome with that "
            "version to replace it."
        ) % {"version": current.version}
        return _conflict(message, current)
