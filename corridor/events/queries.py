"""Reads that the event pages, agendas and the API share. Every read starts from
`Event.objects.visible_to(user)`."""

from dataclasses import dataclass

from django.db.models import Count, Q

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.core.models import Sector
from corridor.directory.models import Connection
from corridor.events.models import (
    Event,
    MeetingOutcome,
    MeetingPrecedence,
    MeetingRequest,
    Participant,
    ScheduleRun,
    Slot,
)
from corridor.events.permissions import OPEN, acts_for, can_organise, organiser_ids


def events_visible(user):
    return Event.objects.visible_to(user).select_related("organiser")


def event_visible(user, pk: int) -> Event | None:
    return events_visible(user).prefetch_related("sessions").filter(pk=pk).first()


def events_listed(user) -> list[Event]:
    """The events of the list page, each with `participant_count` (not cancelled) and its
    `first_day` and `last_day`."""
    events = list(
        events_visible(user)
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
    return events


def participant_at(event: Event, pk: int) -> Participant | None:
    return (
        Participant.objects.select_related("organisation", "contact", "event")
        .filter(pk=pk, event=event)
        .first()
    )


def open_between(event: Event, first: Participant, second: Participant) -> bool:
    """The two have a meeting, or a request waiting for an answer, at the event (either way
    round): a pair has one at a time."""
    return (
        MeetingRequest.objects.filter(event=event, status__in=OPEN)
        .filter(requester__in=[first, second], requested__in=[first, second])
        .exists()
    )


def request_at(event: Event, pk: int) -> MeetingRequest | None:
    return (
        MeetingRequest.objects.select_related(
            "event", "requester__organisation", "requested__organisation"
        )
        .filter(pk=pk, event=event)
        .first()
    )


# --- organisations --------------------------------------------------------------------------


def organisations_to_organise_for(user) -> list[Organisation]:
    """The organisations the user may organise an event for."""
    if roles.is_facilitator(user):
        return list(Organisation.objects.order_by("name_en", "id"))
    return list(Organisation.objects.filter(pk__in=organiser_ids(user)).order_by("name_en"))


def own_organisations(user) -> list[Organisation]:
    """The organisations a member may register (not the initiative's administration)."""
    return list(
        Organisation.objects.filter(pk__in=roles.acting_organisation_ids(user)).order_by(
            "name_en", "id"
        )
    )


def participating_organisations() -> list[Organisation]:
    """Every organisation the organisers may register (not the initiative's administration)."""
    return list(Organisation.objects.filter(is_administration=False).order_by("name_en", "id"))


def connections_to_meet(user, event: Event, participants, organising: bool) -> list[Connection]:
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


# --- participants and meetings --------------------------------------------------------------


def participants_of(event: Event) -> list[Participant]:
    return list(
        event.participants.select_related("organisation", "contact").order_by(
            "organisation__country", "organisation__name_en", "id"
        )
    )


def my_participants(user, event: Event) -> list[Participant]:
    """The participants the user belongs to at this event."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        event.participants.filter(organisation_id__in=roles.organisation_ids(user)).select_related(
            "organisation", "event"
        )
    )


def requests_of(event: Event, participant: Participant | None = None):
    """Meeting requests of the event (or of one participant, either side)."""
    requests = event.requests.select_related(
        "requester__organisation", "requested__organisation", "interpreter"
    )
    if participant is not None:
        requests = requests.filter(Q(requester=participant) | Q(requested=participant))
    return requests.order_by("slot", "table", "id")


def requests_seen_by(event: Event, *, organising: bool, participant_ids) -> list[MeetingRequest]:
    """The requests a person sees on the event's page: all of them for its organisers, those
    of their own participants (either side) for others."""
    if not organising and not participant_ids:
        return []
    requests = requests_of(event)
    if not organising:
        requests = requests.filter(
            Q(requester_id__in=participant_ids) | Q(requested_id__in=participant_ids)
        )
    return list(requests)


def accepted_of(event: Event) -> list[MeetingRequest]:
    """The event's meetings (accepted requests), placed or not."""
    return list(requests_of(event).filter(status=MeetingRequest.Status.ACCEPTED))


def placed_meetings_of(event: Event, participant: Participant):
    """The participant's meetings that have a time."""
    return requests_of(event, participant).filter(
        status=MeetingRequest.Status.ACCEPTED, slot__isnull=False
    )


def placed_meeting(event: Event, participant: Participant, pk: int) -> MeetingRequest | None:
    return placed_meetings_of(event, participant).filter(pk=pk).first()


def outcomes_by_meeting(participant: Participant, meetings) -> dict[int, MeetingOutcome]:
    """The outcomes the participant recorded for these meetings, by meeting id."""
    return {
        o.meeting_id: o
        for o in MeetingOutcome.objects.filter(
            participant=participant, meeting__in=meetings
        ).select_related("project")
    }


def outcome_of(meeting: MeetingRequest, participant: Participant) -> MeetingOutcome | None:
    return MeetingOutcome.objects.filter(meeting=meeting, participant=participant).first()


def sectors() -> list[Sector]:
    return list(Sector.objects.all())


def precedences_of(event: Event) -> list[MeetingPrecedence]:
    """The event's meeting orders (before → after), with both meetings' sides."""
    return list(
        event.precedences.select_related(
            "before__requester__organisation",
            "before__requested__organisation",
            "after__requester__organisation",
            "after__requested__organisation",
        ).order_by("id")
    )


def precedence_at(event: Event, pk: int) -> MeetingPrecedence | None:
    return (
        event.precedences.select_related(
            "event",
            "before__requester__organisation",
            "before__requested__organisation",
            "after__requester__organisation",
            "after__requested__organisation",
        )
        .filter(pk=pk)
        .first()
    )


def latest_run(event: Event) -> ScheduleRun | None:
    return event.runs.first()


@dataclass
class AgendaItem:
    slot: Slot
    meeting: MeetingRequest | None  # None: a free slot
    other: Participant | None
    blocked: bool = False

    @property
    def needs_interpreter(self) -> bool:
        return self.meeting is not None and self.meeting.needs_interpreter


def agenda_of(participant: Participant, slots: list[Slot] | None = None) -> list[AgendaItem]:
    """Every slot of the event for one participant: its meeting there, or free/unavailable."""
    event = participant.event
    slots = slots if slots is not None else event.slots()
    meetings = {
        m.slot: m
        for m in requests_of(event, participant).filter(
            status=MeetingRequest.Status.ACCEPTED, slot__isnull=False
        )
    }
    blocked = set(participant.blocked_slots or [])
    items = []
    for slot in slots:
        meeting = meetings.get(slot.index)
        other = None
        if meeting is not None:
            other = (
                meeting.requested if meeting.requester_id == participant.pk else meeting.requester
            )
        items.append(AgendaItem(slot, meeting, other, blocked=slot.index in blocked))
    return items


@dataclass
class UnscheduledMeeting:
    """An accepted meeting that has no time yet (the scheduler has not placed it)."""

    meeting: MeetingRequest
    other: Participant

    @property
    def needs_interpreter(self) -> bool:
        return self.meeting.needs_interpreter


def unscheduled_of(participant: Participant) -> list[UnscheduledMeeting]:
    """The participant's accepted meetings without a slot ("to be scheduled"), oldest first."""
    meetings = (
        requests_of(participant.event, participant)
        .filter(status=MeetingRequest.Status.ACCEPTED, slot__isnull=True)
        .order_by("created_at", "id")
    )
    return [
        UnscheduledMeeting(
            meeting,
            meeting.requested if meeting.requester_id == participant.pk else meeting.requester,
        )
        for meeting in meetings
    ]


def table_plan(event: Event, slots: list[Slot] | None = None) -> list[tuple[Slot, list]]:
    """For each slot, its meetings by table (the organiser's plan)."""
    slots = slots if slots is not None else event.slots()
    by_slot: dict[int, list[MeetingRequest]] = {}
    for meeting in requests_of(event).filter(
        status=MeetingRequest.Status.ACCEPTED, slot__isnull=False
    ):
        by_slot.setdefault(meeting.slot, []).append(meeting)
    return [
        (slot, sorted(by_slot.get(slot.index, []), key=lambda m: m.table or 0)) for slot in slots
    ]


def may_organise(user, event: Event) -> bool:
    return getattr(user, "is_authenticated", False) and can_organise(user, event)


def sees_contacts(user, event: Event) -> bool:
    """Participants' contact persons are for the event's organisers and its participants."""
    return may_organise(user, event) or bool(my_participants(user, event))


def sees_availability(user, event: Event) -> bool:
    """When participants cannot meet is for the event's organisers and its participants, who
    plan meetings with them; never for anonymous visitors or other members."""
    return sees_contacts(user, event)


def may_act_for(user, participant: Participant) -> bool:
    return getattr(user, "is_authenticated", False) and acts_for(user, participant)


# --- the home page -------------------------------------------------------------------------

HOME_LIMIT = 8


def events_organised(user, limit: int = HOME_LIMIT) -> list[Event]:
    """The events the user organises: their organisations' events (the initiative's staff:
    every event), newest first, each with `first_day`."""
    if not getattr(user, "is_authenticated", False):
        return []
    events = Event.objects.visible_to(user)
    if not roles.is_facilitator(user):
        events = events.filter(organiser_id__in=roles.organisation_ids(user))
    events = list(
        events.select_related("organiser")
        .prefetch_related("sessions")
        .order_by("-created_at")[:limit]
    )
    for event in events:
        sessions = sorted(event.sessions.all(), key=lambda s: (s.date, s.part))
        event.first_day = sessions[0].date if sessions else None
    return events


def participations_of(user, limit: int = HOME_LIMIT) -> list[Participant]:
    """The user's organisations at the events they see (not cancelled), each with
    `meeting_count` (scheduled meetings) and `to_answer` (requests waiting for their answer).
    Three queries."""
    if not getattr(user, "is_authenticated", False):
        return []
    participants = list(
        Participant.objects.filter(
            organisation_id__in=roles.organisation_ids(user),
            event__in=Event.objects.visible_to(user).values("pk"),
        )
        .exclude(status=Participant.Status.CANCELLED)
        .select_related("event", "organisation")
        .order_by("-event__created_at", "id")[:limit]
    )
    ids = [p.pk for p in participants]
    requests = MeetingRequest.objects.filter(Q(requester_id__in=ids) | Q(requested_id__in=ids))
    rows = requests.filter(
        status__in=[MeetingRequest.Status.ACCEPTED, MeetingRequest.Status.PENDING]
    ).values_list("requester_id", "requested_id", "status", "slot")
    for participant in participants:
        participant.meeting_count = 0
        participant.to_answer = 0
    by_id = {p.pk: p for p in participants}
    for requester_id, requested_id, status, slot in rows:
        if status == MeetingRequest.Status.ACCEPTED and slot is not None:
            for pk in (requester_id, requested_id):
                if pk in by_id:
                    by_id[pk].meeting_count += 1
        elif status == MeetingRequest.Status.PENDING and requested_id in by_id:
            by_id[requested_id].to_answer += 1
    return participants
