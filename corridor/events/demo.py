"""Demo data for matchmaking events: a synthetic two-day delegation visit in which the 30
Singapore enterprises of the directory demo meet 40 of its Chongqing enterprises, with their
meeting requests, and the schedule the scheduler makes for them. The facts are in
`demo_event.yaml`; this module reads them and loads them through the services.

The event is modelled on the kind of visit the initiative's Bridge of Dialogue organises (a
chamber of commerce bringing thirty-odd Singapore enterprises in finance, trade, technology
and education to meet firms in a Chongqing free-trade zone), but every detail is invented:
the event is `is_synthetic` and its titles say "synthetic demo" / "模拟演示".

Run after `load_directory_demo` (the enterprises). Writes go through the services as the
system (`SYSTEM`); the scheduler runs here, in this process, so that the demo has its
agendas when the command ends. Two things only the demo does directly:

- **dating**: the agendas count as published on a fixed day before the event
  (`agendas_published_at`), as the directory demo dates its verifications, so that a second
  run changes nothing;
- **scheduling in-process**: `services.schedule_start` queues the run (a background task is
  enqueued when the transaction commits); the demo then solves that same run at once with
  `planning.run` (which solves a queued run only, so the background task that follows
  does nothing).

Loading is idempotent: the event is found by its English title, a participant by its
organisation, a request by its pair of participants, an interpreter by name; what exists is
left as it is (people may have changed it in the demo). The scheduler runs only while the
event has no finished run, so a second load writes nothing.
"""

from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

import yaml
from django.db import transaction

from corridor.accounts.models import Membership, Organisation
from corridor.accounts.services import organisation_create
from corridor.core.actors import SYSTEM
from corridor.core.demo import SYNTHETIC_EN, SYNTHETIC_ZH
from corridor.directory.demo import read_demo_file
from corridor.directory.models import Profile
from corridor.events import planning, services
from corridor.events.models import Event, MeetingRequest, Participant, ScheduleRun

# The event's own fields, as the file gives them.
DESCRIBED = (
    "title_en",
    "title_zh",
    "description_en",
    "description_zh",
    "venue_en",
    "venue_zh",
    "slot_minutes",
    "tables",
    "fairness",
)
DEMO_FILE = Path(__file__).with_name("demo_event.yaml")
TIME_LIMIT = 20  # seconds the scheduler may take when the command loads the demo

FACTS = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
EVENT = FACTS["event"]
TITLE_EN = EVENT["title_en"]
SESSIONS = [
    (day, part, time.fromisoformat(starts), time.fromisoformat(ends))
    for day in EVENT["days"]
    for part, (starts, ends) in EVENT["sessions"].items()
]
AGENDAS_PUBLISHED_AT: datetime = EVENT["agendas_published_at"]


def _session_slots() -> dict[str, range]:
    """Each session's slot numbers (from 0) by name: "day1_am", "day1_pm", "day2_am" …"""
    slots, first = {}, 0
    for day_number, day in enumerate(EVENT["days"], start=1):
        for part, starts, ends in [(p, s, e) for d, p, s, e in SESSIONS if d == day]:
            minutes = (ends.hour * 60 + ends.minute) - (starts.hour * 60 + starts.minute)
            count = minutes // EVENT["slot_minutes"]
            slots[f"day{day_number}_{part}"] = range(first, first + count)
            first += count
    return slots


def _slots(entries) -> tuple[int, ...]:
    """Sessions by name and slot numbers, as slot numbers."""
    sessions = _session_slots()
    return tuple(
        slot
        for entry in entries
        for slot in (sessions[entry] if isinstance(entry, str) else (entry,))
    )


def _pairs(name: str) -> set[tuple[str, str]]:
    return {(asking, asked) for asking, asked in FACTS[name]}


@dataclass(frozen=True)
class InterpreterSpec:
    name_en: str
    name_zh: str


CHONGQING = tuple(FACTS["chongqing"])
HOSTS: dict[str, int] = FACTS["hosts"]
UNAVAILABLE = {key: _slots(entries) for key, entries in FACTS["unavailable"].items()}
INTERPRETERS = [
    InterpreterSpec(SYNTHETIC_EN + name_en, SYNTHETIC_ZH + name_zh)
    for name_en, name_zh in FACTS["interpreters"]
]
ASKS = {asking: tuple(asked) for asking, asked in FACTS["asks"].items()}
MUST_MEET = _pairs("must_meet")
PENDING = _pairs("pending")
DECLINED = _pairs("declined")
ARRANGED = tuple((asking, asked) for asking, asked in FACTS["arranged"])


def planned_requests() -> list[tuple[str, str]]:
    return [(asking, asked) for asking, asked_ones in ASKS.items() for asked in asked_ones]


# --- loading ----------------------------------------------------------------------------------


class EventsDemo:
    def __init__(self, *, time_limit: int = TIME_LIMIT):
        self.time_limit = time_limit
        self.report: dict[str, int] = {}

    def count(self, what: str, number: int = 1) -> None:
        self.report[what] = self.report.get(what, 0) + number

    # --- the event -------------------------------------------------------------------------

    def organiser(self) -> Organisation:
        organisation = Organisation.objects.filter(
            name_en=SYNTHETIC_EN + EVENT["organiser_en"], country="SG"
        ).first()
        if organisation is None:
            organisation = organisation_create(
                actor=SYSTEM,
                name_en=SYNTHETIC_EN + EVENT["organiser_en"],
                name_zh=SYNTHETIC_ZH + EVENT["organiser_zh"],
                kind=Organisation.Kind.CHAMBER,
                country="SG",
                city="Singapore",
                is_synthetic=True,
            )
            self.count("organisations")
        return organisation

    def event(self) -> Event:
        event = Event.objects.filter(title_en=TITLE_EN, is_synthetic=True).first()
        if event is not None:
            return event
        event = services.event_create(
            actor=SYSTEM,
            organiser=self.organiser(),
            **{key: EVENT[key] for key in DESCRIBED},
            registration=Event.Registration.INVITATION,
            sessions=SESSIONS,
            is_published=True,
            is_synthetic=True,
        )
        self.count("events")
        return event

    # --- who takes part --------------------------------------------------------------------

    def enterprises(self) -> dict[str, Profile]:
        """The directory demo's profiles taking part, by key: every Singapore one and the
        Chongqing ones of CHONGQING. Missing ones mean the directory demo was not loaded."""
        synthetic, _demo_users = read_demo_file()
        wanted = [spec for spec in synthetic if spec.country == "SG" or spec.key in set(CHONGQING)]
        profiles = {
            (p.organisation.name_en, p.organisation.country): p
            for p in Profile.objects.filter(is_synthetic=True).select_related("organisation")
        }
        found = {}
        for spec in wanted:
            profile = profiles.get((SYNTHETIC_EN + spec.name_en, spec.country))
            if profile is None:
                raise LookupError("load_directory_demo")
            found[spec.key] = profile
        return found

    def participants(self, event: Event) -> dict[str, Participant]:
        existing = {p.organisation_id: p for p in event.participants.all()}
        result = {}
        for key, profile in self.enterprises().items():
            organisation = profile.organisation
            participant = existing.get(organisation.pk)
            if participant is None:
                participant = services.participant_add(
                    actor=SYSTEM,
                    event=event,
                    organisation=organisation,
                    contact=self.contact_of(organisation),
                    languages=profile.languages,
                    blocked_slots=UNAVAILABLE.get(key, ()),
                    fixed_table=HOSTS.get(key),
                )
                self.count("participants")
            result[key] = participant
        return result

    def contact_of(self, organisation: Organisation):
        """The organisation's first member (such as the demo login sgtrade), if it has any."""
        membership = (
            Membership.objects.filter(organisation=organisation)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        return membership.user if membership is not None else None

    def interpreters(self, event: Event) -> None:
        """The event's interpreters (synthetic names)."""
        names = set(event.interpreters.values_list("name_en", flat=True))
        for spec in INTERPRETERS:
            if spec.name_en in names:
                continue
            services.interpreter_add(
                actor=SYSTEM, event=event, name_en=spec.name_en, name_zh=spec.name_zh
            )
            self.count("interpreters")

    # --- who asks to meet whom -------------------------------------------------------------

    def requests(self, event: Event, participants: dict[str, Participant]) -> None:
        asked = {
            frozenset(pair) for pair in event.requests.values_list("requester_id", "requested_id")
        }

        def new(asking: str, asked_one: str) -> bool:
            pair = frozenset((participants[asking].pk, participants[asked_one].pk))
            if pair in asked:
                return False
            asked.add(pair)
            return True

        for asking, asked_one in ARRANGED:
            if new(asking, asked_one):
                services.meeting_add(
                    actor=SYSTEM,
                    event=event,
                    requester=participants[asking],
                    requested=participants[asked_one],
                    priority=MeetingRequest.Priority.MUST,
                )
                self.count("meeting requests")
        for asking, asked_one in planned_requests():
            if not new(asking, asked_one):
                continue
            request = services.request_create(
                actor=SYSTEM,
                event=event,
                requester=participants[asking],
                requested=participants[asked_one],
                priority=(
                    MeetingRequest.Priority.MUST
                    if (asking, asked_one) in MUST_MEET
                    else MeetingRequest.Priority.WOULD_LIKE
                ),
            )
            self.count("meeting requests")
            if (asking, asked_one) not in PENDING:
                services.request_answer(
                    actor=SYSTEM, request=request, accept=(asking, asked_one) not in DECLINED
                )

    # --- the schedule ----------------------------------------------------------------------

    def schedule(self, event: Event) -> ScheduleRun | None:
        """Solve the accepted meetings now, unless a run finished already or one is under
        way (started from the event's pages). First every accepted meeting, as an organiser
        asks; should the scheduler find no such schedule, as many as fit, must-meet first
        (the others then carry the reason why not)."""
        if event.runs.filter(
            status__in=[
                ScheduleRun.Status.DONE,
                ScheduleRun.Status.QUEUED,
                ScheduleRun.Status.RUNNING,
            ]
        ).exists():
            return None
        for mode in (ScheduleRun.Mode.ALL, ScheduleRun.Mode.MAX):
            run = services.schedule_start(
                actor=SYSTEM, event=event, mode=mode, time_limit=self.time_limit
            )
            run = planning.run(run.pk)
            self.count("scheduling runs")
            if run.status == ScheduleRun.Status.DONE:
                break
        return run

    def publish_agendas(self, event: Event) -> None:
        if event.agenda_published_at is not None:
            return
        if not event.runs.filter(status=ScheduleRun.Status.DONE).exists():
            return
        services.agendas_publish(actor=SYSTEM, event=event)
        # Demo dating: the service stamps the current time.
        Event.objects.filter(pk=event.pk).update(agenda_published_at=AGENDAS_PUBLISHED_AT)
        event.agenda_published_at = AGENDAS_PUBLISHED_AT
        self.count("published agendas")

    # --- all -------------------------------------------------------------------------------

    def load(self) -> dict[str, int]:
        with transaction.atomic():
            event = self.event()
            participants = self.participants(event)
            self.interpreters(event)
            self.requests(event, participants)
        # Outside the transaction: the solver may report its progress from threads of its
        # own, which write the run's row through connections of their own.
        self.schedule(event)
        with transaction.atomic():
            self.publish_agendas(event)
        return self.report


def load_events_demo(*, time_limit: int = TIME_LIMIT) -> dict[str, int]:
    """Load the events demo; returns how many of each thing it created (an empty dict when
    everything was there already). `time_limit` is the scheduler's, in seconds."""
    return EventsDemo(time_limit=time_limit).load()


def demo_event() -> Event | None:
    return Event.objects.filter(title_en=TITLE_EN, is_synthetic=True).first()


@dataclass(frozen=True)
class DemoSummary:
    """What the command prints about the demo event as it now stands."""

    participants: int
    singapore: int
    chongqing: int
    requests: int
    accepted: int
    pending: int
    declined: int
    placed: int
    need_interpreter: int  # placed meetings whose sides share no working language
    with_interpreter: int
    unplaced_reasons: list[tuple[MeetingRequest, str]]  # accepted meetings without a slot
    run: ScheduleRun | None


def events_demo_summary() -> DemoSummary | None:
    event = demo_event()
    if event is None:
        return None
    participants = event.participants.all()
    requests = event.requests.all()
    accepted = requests.filter(status=MeetingRequest.Status.ACCEPTED)
    placed = list(accepted.exclude(slot=None).select_related("requester", "requested"))
    return DemoSummary(
        participants=participants.count(),
        singapore=participants.filter(organisation__country="SG").count(),
        chongqing=participants.filter(organisation__country="CN").count(),
        requests=requests.count(),
        accepted=accepted.count(),
        pending=requests.filter(status=MeetingRequest.Status.PENDING).count(),
        declined=requests.filter(status=MeetingRequest.Status.DECLINED).count(),
        placed=len(placed),
        need_interpreter=sum(meeting.needs_interpreter for meeting in placed),
        with_interpreter=sum(meeting.interpreter_id is not None for meeting in placed),
        unplaced_reasons=[
            (meeting, meeting.unplaced_reason)
            for meeting in accepted.filter(slot=None).select_related(
                "requester__organisation", "requested__organisation"
            )
        ],
        run=event.runs.filter(status=ScheduleRun.Status.DONE).first(),
    )
