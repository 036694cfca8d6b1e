"""An event's results for its organisers (reads only): what both sides of each meeting said
after it (rating, follow-up wanted, outcome, note), the average rating, the follow-ups
wanted, the agreements reached and the cooperation projects that came of them."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from corridor.events.models import Event, MeetingOutcome, MeetingRequest, Slot
from corridor.portfolio.models import Project


def held_slots(slots: list[Slot], now: datetime) -> set[int]:
    """The slots that have ended: their meetings were held (`replan.started_slots`: begun)."""
    return {slot.index for slot in slots if slot.ends_at <= now}


@dataclass
class MeetingResult:
    meeting: MeetingRequest
    requester: MeetingOutcome | None  # what the asking side said
    requested: MeetingOutcome | None  # what the asked side said

    @property
    def sides(self) -> list[tuple]:
        return [
            (self.meeting.requester, self.requester),
            (self.meeting.requested, self.requested),
        ]

    @property
    def agreement(self) -> bool:
        return any(
            o is not None and o.outcome == MeetingOutcome.Outcome.AGREEMENT
            for o in (self.requester, self.requested)
        )


@dataclass
class EventResults:
    meetings: list[MeetingResult]
    held: int  # meetings whose slot has ended
    answers: int  # sides that said something
    ratings: list[int] = field(default_factory=list)
    follow_ups: int = 0  # sides that want a follow-up
    projects: list[Project] = field(default_factory=list)
    unseen_projects: int = 0  # linked projects the reader may not see

    @property
    def average_rating(self) -> Decimal | None:
        if not self.ratings:
            return None
        average = Decimal(sum(self.ratings)) / len(self.ratings)
        return average.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def agreements(self) -> int:
        return sum(1 for result in self.meetings if result.agreement)

    @property
    def follow_up_meetings(self) -> list[MeetingResult]:
        return [
            r
            for r in self.meetings
            if any(o is not None and o.wants_follow_up for o in (r.requester, r.requested))
        ]


def results_of(event: Event, held_slots: set[int], user) -> EventResults:
    """Every placed meeting of the event with both sides' outcomes (three queries). Only
    meetings in `held_slots` (slots that have ended) are counted as held. The cooperation
    projects listed are those the user may see (`Project.objects.visible_to`); the others
    are only counted (`unseen_projects`)."""
    meetings = list(
        event.requests.filter(status=MeetingRequest.Status.ACCEPTED, slot__isnull=False)
        .select_related("requester__organisation", "requested__organisation")
        .order_by("slot", "table", "id")
    )
    outcomes = MeetingOutcome.objects.filter(meeting__in=meetings)
    by_side = {(o.meeting_id, o.participant_id): o for o in outcomes}
    results = EventResults(
        meetings=[
            MeetingResult(
                m, by_side.get((m.pk, m.requester_id)), by_side.get((m.pk, m.requested_id))
            )
            for m in meetings
        ],
        held=sum(1 for m in meetings if m.slot in held_slots),
        answers=len(by_side),
    )
    project_ids = set()
    for outcome in by_side.values():
        if outcome.rating is not None:
            results.ratings.append(outcome.rating)
        if outcome.wants_follow_up:
            results.follow_ups += 1
        if outcome.project_id is not None:
            project_ids.add(outcome.project_id)
    results.projects = list(
        Project.objects.visible_to(user).filter(pk__in=project_ids).order_by("title_en", "pk")
    )
    results.unseen_projects = len(project_ids) - len(results.projects)
    return results
