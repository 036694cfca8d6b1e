"""The events demo: a synthetic delegation visit, labelled so, in which the 30 Singapore
enterprises of the directory demo meet Chongqing ones; every accepted meeting gets a slot and
a table (or a reason why not) without double-booking anyone, hosts keep their tables, and a
second run changes nothing."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from corridor.accounts.models import Organisation
from corridor.core.models import AuditEntry
from corridor.directory.demo import (
    SYNTHETIC_EN,
    SYNTHETIC_ZH,
    load_directory_demo,
    read_demo_file,
)
from corridor.events.demo import (
    ARRANGED,
    ASKS,
    CHONGQING,
    DECLINED,
    HOSTS,
    INTERPRETERS,
    MUST_MEET,
    PENDING,
    TITLE_EN,
    UNAVAILABLE,
    demo_event,
    load_events_demo,
    planned_requests,
)
from corridor.events.models import (
    Event,
    Interpreter,
    MeetingRequest,
    Participant,
    ScheduleRun,
    Session,
)

pytestmark = pytest.mark.django_db

TIME_LIMIT = 3  # seconds: enough for the scheduler to place the demo's meetings


@pytest.fixture
def directory(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_directory_demo(embed=False)


@pytest.fixture
def event(directory) -> Event:
    load_events_demo(time_limit=TIME_LIMIT)
    return demo_event()


def run_command() -> str:
    out = StringIO()
    call_command("load_events_demo", "--time-limit", str(TIME_LIMIT), stdout=out)
    return out.getvalue()


KEYS = {SYNTHETIC_EN + spec.name_en: spec.key for spec in read_demo_file()[0]}


def key_of(participant: Participant) -> str:
    """The directory-demo key of a participant, found back from its English name."""
    return KEYS[participant.organisation.name_en]


def database_state() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Organisation, Event, Session, Participant, Interpreter, AuditEntry)
    } | {
        "requests": list(
            MeetingRequest.objects.order_by("pk").values_list(
                "pk", "status", "slot", "table", "interpreter_id", "sequence", "updated_at"
            )
        ),
        "runs": list(ScheduleRun.objects.order_by("pk").values_list("pk", "status", "placed")),
        "agendas": list(Event.objects.values_list("pk", "agenda_published_at")),
    }


# --- the demo's own data ----------------------------------------------------------------------


def test_every_request_of_the_demo_names_a_new_pair_and_each_singaporean_asks_four_to_eight():
    pairs = planned_requests() + list(ARRANGED)
    assert len({frozenset(pair) for pair in pairs}) == len(pairs)
    assert MUST_MEET | PENDING | DECLINED <= set(planned_requests())
    assert not PENDING & DECLINED
    asked_by = Counter(asking for asking, _asked in planned_requests())
    singaporeans = [key for key in ASKS if key.startswith("sg-")]
    assert len(singaporeans) == 30
    assert all(4 <= asked_by[key] <= 8 for key in singaporeans)
    assert {key for pair in pairs for key in pair if key.startswith("cq-")} == set(CHONGQING)


# --- loading ----------------------------------------------------------------------------------


def test_without_the_directory_demo_the_command_says_what_to_run_and_writes_nothing():
    with pytest.raises(CommandError) as refused:
        run_command()

    assert "python manage.py load_directory_demo" in str(refused.value)
    assert Event.objects.count() == 0
    assert Organisation.objects.count() == 0


def test_the_demo_event_is_labelled_synthetic_and_set_up_as_a_two_day_visit(event):
    assert event.is_synthetic and event.is_published
    assert "(synthetic demo)" in event.title_en and "模拟演示" in event.title_zh
    assert event.description_en.startswith("Synthetic demo.")
    assert event.description_zh.startswith("模拟演示。")
    assert event.organiser.is_synthetic and event.organiser.kind == "chamber"
    assert event.organiser.name_en.startswith(SYNTHETIC_EN)
    assert event.registration == Event.Registration.INVITATION
    assert (event.tables, event.slot_minutes, event.fairness) == (24, 20, 2)
    slots = event.slots()
    assert len(slots) == 36
    assert [f"{s.starts:%d %H:%M}" for s in (slots[0], slots[8], slots[9], slots[18])] == [
        "18 09:00",
        "18 11:40",
        "18 14:00",
        "19 09:00",
    ]
    assert sorted(event.interpreters.values_list("name_en", "name_zh")) == sorted(
        (spec.name_en, spec.name_zh) for spec in INTERPRETERS
    )
    assert all(
        name.startswith(SYNTHETIC_EN) and name_zh.startswith(SYNTHETIC_ZH)
        for name, name_zh in event.interpreters.values_list("name_en", "name_zh")
    )


def test_all_30_singapore_enterprises_take_part_with_their_languages_and_availability(event):
    participants = list(event.participants.select_related("organisation"))
    countries = Counter(p.organisation.country for p in participants)

    assert countries == {"SG": 30, "CN": len(CHONGQING)}
    assert all(p.organisation.is_synthetic for p in participants)
    for participant in participants:
        profile = participant.organisation.profile
        assert participant.languages == [c for c in ("en", "zh") if c in profile.languages]
        key = key_of(participant)
        assert participant.fixed_table == HOSTS.get(key)
        assert participant.blocked_slots == sorted(UNAVAILABLE.get(key, ()))
    straitsbridge = next(p for p in participants if key_of(p) == "sg-straitsbridge-trade-capital")
    assert straitsbridge.contact.username == "sgtrade"


def test_the_requests_are_answered_as_the_demo_says(event):
    requests = event.requests.select_related("requester__organisation", "requested__organisation")
    status = {(key_of(r.requester), key_of(r.requested)): r.status for r in requests}
    priority = {(key_of(r.requester), key_of(r.requested)): r.priority for r in requests}

    assert len(status) == len(planned_requests()) + len(ARRANGED)
    assert 150 <= len(status) <= 250
    assert {pair for pair, s in status.items() if s == "pending"} == PENDING
    assert {pair for pair, s in status.items() if s == "declined"} == DECLINED
    assert {pair for pair, p in priority.items() if p == "must"} == MUST_MEET | set(ARRANGED)
    assert all(status[pair] == "accepted" for pair in ARRANGED)


def test_every_accepted_meeting_is_placed_without_double_booking_or_said_why(event):
    run = event.runs.get(status=ScheduleRun.Status.DONE)
    meetings = list(event.requests.filter(status=MeetingRequest.Status.ACCEPTED))
    participants = {p.pk: p for p in event.participants.all()}

    assert run.placed == sum(m.slot is not None for m in meetings) > 0
    for meeting in meetings:
        if meeting.slot is None:
            assert meeting.unplaced_reason, meeting.pk
            assert meeting.table is None
        else:
            assert 0 <= meeting.slot < 36 and 1 <= meeting.table <= event.tables
    placed = [m for m in meetings if m.slot is not None]
    busy = Counter((side, m.slot) for m in placed for side in (m.requester_id, m.requested_id))
    assert max(busy.values()) == 1  # nobody has two meetings in one slot
    per_slot = Counter(m.slot for m in placed)
    assert max(per_slot.values()) <= event.tables
    tables = Counter((m.slot, m.table) for m in placed)
    assert max(tables.values()) == 1  # one meeting per table at a time
    for meeting in placed:
        for side in (meeting.requester_id, meeting.requested_id):
            participant = participants[side]
            assert meeting.slot not in participant.blocked_slots
            if participant.fixed_table is not None:
                assert meeting.table == participant.fixed_table
    # pending and declined requests take no slot
    assert not (
        event.requests.exclude(status=MeetingRequest.Status.ACCEPTED).exclude(slot=None).exists()
    )


def test_every_demo_meeting_that_needs_an_interpreter_has_one_of_its_own_in_its_slot(event):
    """Interpreters are part of the schedule: no slot has more such meetings than the
    interpreters free in it, so none goes without."""
    placed = list(
        event.requests.filter(status=MeetingRequest.Status.ACCEPTED)
        .exclude(slot=None)
        .select_related("requester", "requested", "interpreter")
    )
    needing = [m for m in placed if m.needs_interpreter]
    assert len(needing) > 20
    assert all(m.interpreter is not None for m in needing)
    assert all(m.interpreter is None for m in placed if not m.needs_interpreter)
    taken = Counter((m.slot, m.interpreter_id) for m in needing)
    assert max(taken.values()) == 1
    for meeting in needing:
        assert meeting.slot not in meeting.interpreter.blocked_slots
        languages = set(meeting.interpreter.languages)
        assert languages & set(meeting.requester.languages)
        assert languages & set(meeting.requested.languages)
    assert event.agenda_published_at is not None


def test_loading_twice_changes_nothing_and_the_command_says_so(directory):
    first = run_command()
    state = database_state()

    second = run_command()

    assert database_state() == state
    assert "The events demo was already loaded; nothing changed." in second
    assert "Participants created: 70" in first and "Participants created" not in second
    for output in (first, second):
        assert "Participants: 70 (30 from Singapore, 40 from Chongqing)" in output
        assert "Meetings placed: " in output
        assert "Breaks: " in output
        assert "optimal" in output
    assert Event.objects.filter(title_en=TITLE_EN).count() == 1
