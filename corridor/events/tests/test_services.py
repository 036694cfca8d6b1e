"""Event writes and who may make them: each permission rule is tried by someone who may not,
and nothing changes; bad input names the field and writes nothing."""

from datetime import date, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from corridor.core.actors import SYSTEM
from corridor.directory import services as directory
from corridor.events import services
from corridor.events.models import Event, Interpreter, MeetingRequest, Participant
from corridor.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

DAY = date(2025, 3, 18)
SESSIONS = [(DAY, "am", time(9), time(10)), (DAY, "pm", time(14), time(15))]  # 3 + 3 slots


@pytest.fixture
def event(administration):
    return services.event_create(
        actor=SYSTEM,
        organiser=administration,
        title_en="Delegation day",
        tables=2,
        sessions=SESSIONS,
        is_published=True,
    )


@pytest.fixture
def qingling(event, enterprise):
    return services.participant_add(actor=SYSTEM, event=event, organisation=enterprise)


@pytest.fixture
def motorway(event, other_enterprise):
    return services.participant_add(actor=SYSTEM, event=event, organisation=other_enterprise)


def rows():
    return (
        list(Event.objects.order_by("pk").values()),
        list(Participant.objects.order_by("pk").values()),
        list(MeetingRequest.objects.order_by("pk").values()),
    )


def test_slots_follow_the_sessions(event):
    slots = event.slots()

    assert [s.starts.strftime("%H:%M") for s in slots] == [
        "09:00",
        "09:20",
        "09:40",
        "14:00",
        "14:20",
        "14:40",
    ]


def test_only_members_of_the_organiser_or_facilitators_create_events(
    administration, owner, enterprise, facilitator
):
    with pytest.raises(PermissionDenied):
        services.event_create(actor=owner, organiser=administration, title_en="Not mine")
    services.event_create(actor=owner, organiser=enterprise, title_en="Our open day")
    services.event_create(actor=facilitator, organiser=administration, title_en="Official")

    assert sorted(Event.objects.values_list("title_en", flat=True)) == ["Official", "Our open day"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"title_en": " "}, "title_en"),
        ({"slot_minutes": 2}, "slot_minutes"),
        ({"tables": 0}, "tables"),
        ({"registration": "lottery"}, "registration"),
        ({"sessions": [(DAY, "am", time(10), time(9))]}, "sessions"),
        (
            {"sessions": [(DAY, "am", time(9), time(10)), (DAY, "am", time(10), time(11))]},
            "sessions",
        ),
    ],
)
def test_bad_event_input_names_the_field_and_writes_nothing(administration, change, field):
    arguments = {"actor": SYSTEM, "organiser": administration, "title_en": "Day", **change}
    with pytest.raises(ValidationError) as refused:
        services.event_create(**arguments)

    assert field in refused.value.message_dict
    assert not Event.objects.exists()


def test_members_register_themselves_only_when_registration_is_open(
    event, owner, enterprise, administration
):
    invitation = services.event_create(
        actor=SYSTEM,
        organiser=administration,
        title_en="Closed",
        registration="invitation",
        sessions=SESSIONS,
        is_published=True,
    )
    with pytest.raises(PermissionDenied):
        services.participant_add(actor=owner, event=invitation, organisation=enterprise)

    services.participant_add(actor=owner, event=event, organisation=enterprise)

    assert list(Participant.objects.values_list("event__title_en", flat=True)) == ["Delegation day"]


def test_nobody_registers_another_organisation_or_sets_a_fixed_table(
    event, owner, other_enterprise, enterprise
):
    before = rows()
    with pytest.raises(PermissionDenied):
        services.participant_add(actor=owner, event=event, organisation=other_enterprise)
    with pytest.raises(PermissionDenied):
        services.participant_add(actor=owner, event=event, organisation=enterprise, fixed_table=1)
    assert rows() == before


def test_unavailable_slots_out_of_range_are_refused(event, qingling, owner):
    before = rows()
    with pytest.raises(ValidationError) as refused:
        services.participant_update(actor=owner, participant=qingling, blocked_slots=[2, 6])

    assert "blocked_slots" in refused.value.message_dict
    assert "7" in refused.value.message_dict["blocked_slots"][0]  # shown 1-based
    assert rows() == before


def test_a_request_is_answered_only_by_the_asked_side(qingling, motorway, owner, outsider):
    request = services.request_create(
        actor=owner, event=qingling.event, requester=qingling, requested=motorway, priority="must"
    )
    before = rows()
    with pytest.raises(PermissionDenied):
        services.request_answer(actor=owner, request=request, accept=True)
    with pytest.raises(PermissionDenied):  # the asked side cannot change the asker's priority
        services.request_update(actor=outsider, request=request, priority="would_like")
    with pytest.raises(ValidationError):  # asking the other way while one is open
        services.request_create(
            actor=outsider, event=qingling.event, requester=motorway, requested=qingling
        )
    assert rows() == before

    services.request_answer(actor=outsider, request=request, accept=True)

    request.refresh_from_db()
    assert (request.status, request.slot) == ("accepted", None)  # placed by the scheduler


def test_a_member_cannot_ask_on_behalf_of_another_participant(qingling, motorway, outsider):
    with pytest.raises(PermissionDenied):
        services.request_create(
            actor=outsider, event=qingling.event, requester=qingling, requested=motorway
        )
    assert not MeetingRequest.objects.exists()


def test_only_organisers_add_lock_and_schedule(qingling, motorway, owner, facilitator):
    event = qingling.event
    with pytest.raises(PermissionDenied):
        services.meeting_add(actor=owner, event=event, requester=qingling, requested=motorway)
    meeting = services.meeting_add(
        actor=facilitator, event=event, requester=qingling, requested=motorway
    )
    before = rows()
    with pytest.raises(PermissionDenied):
        services.meeting_lock(actor=owner, request=meeting, slot=0)
    with pytest.raises(PermissionDenied):
        services.schedule_start(actor=owner, event=event)
    with pytest.raises(PermissionDenied):
        services.event_publish(actor=owner, event=event, published=False)
    assert rows() == before


def test_locking_in_a_slot_where_a_side_is_unavailable_is_refused(
    qingling, motorway, facilitator, owner
):
    services.participant_update(actor=owner, participant=qingling, blocked_slots=[0])
    meeting = services.meeting_add(
        actor=facilitator, event=qingling.event, requester=qingling, requested=motorway
    )

    with pytest.raises(ValidationError) as refused:
        services.meeting_lock(actor=facilitator, request=meeting, slot=0)

    assert "Qingling Motors" in refused.value.message_dict["slot"][0]
    meeting.refresh_from_db()
    assert (meeting.slot, meeting.locked) == (None, False)


def test_moving_a_meeting_raises_its_calendar_sequence_and_keeps_its_uid(
    qingling, motorway, facilitator
):
    meeting = services.meeting_add(
        actor=facilitator, event=qingling.event, requester=qingling, requested=motorway
    )
    services.meeting_lock(actor=facilitator, request=meeting, slot=1)
    uid = meeting.uid
    services.meeting_lock(actor=facilitator, request=meeting, slot=3)

    meeting.refresh_from_db()
    assert (meeting.uid, meeting.slot, meeting.sequence) == (uid, 3, 1)


def test_an_accepted_directory_connection_becomes_a_meeting(qingling, motorway, owner, outsider):
    vans = directory.profile_save(
        actor=owner, organisation=qingling.organisation, description_zh="电动货车", offers="货车"
    )
    finance = directory.profile_save(
        actor=outsider, organisation=motorway.organisation, description_en="Finance", offers="Loans"
    )
    connection = directory.connection_request(actor=owner, from_profile=vans, to_profile=finance)
    with pytest.raises(ValidationError):  # not accepted yet
        services.request_from_connection(actor=owner, event=qingling.event, connection=connection)
    connection = directory.connection_answer(actor=outsider, connection=connection, accept=True)

    meeting = services.request_from_connection(
        actor=owner, event=qingling.event, connection=connection
    )

    assert (meeting.requester, meeting.requested, meeting.status) == (
        qingling,
        motorway,
        "accepted",
    )
    assert meeting.connection == connection


def test_a_stranger_cannot_turn_a_connection_into_a_meeting(
    qingling, motorway, owner, outsider, administration
):
    stranger_org = OrganisationFactory(name_en="Stranger Ltd")
    from corridor.testing.factories import MembershipFactory, UserFactory

    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, organisation=stranger_org)
    vans = directory.profile_save(
        actor=owner, organisation=qingling.organisation, description_zh="电动货车", offers="货车"
    )
    finance = directory.profile_save(
        actor=outsider, organisation=motorway.organisation, description_en="Finance", offers="Loans"
    )
    connection = directory.connection_request(actor=owner, from_profile=vans, to_profile=finance)
    connection = directory.connection_answer(actor=outsider, connection=connection, accept=True)

    with pytest.raises(PermissionDenied):
        services.request_from_connection(
            actor=stranger, event=qingling.event, connection=connection
        )
    assert not MeetingRequest.objects.exists()


def test_no_actor_is_nobody_not_the_system(event, administration):
    """`actor=None` is refused like a stranger: only `SYSTEM` acts without a person."""
    with pytest.raises(PermissionDenied):
        services.event_create(actor=None, organiser=administration, title_en="Day")
    with pytest.raises(PermissionDenied):
        services.event_publish(actor=None, event=event, published=False)
    with pytest.raises(PermissionDenied):
        services.participant_add(actor=None, event=event, organisation=administration)

    event.refresh_from_db()
    assert event.is_published
    assert Event.objects.count() == 1
    assert not Participant.objects.exists()


# --- interpreters ---------------------------------------------------------------------------


def test_organisers_add_and_change_an_interpreter_with_languages_and_unavailable_slots(
    event, facilitator
):
    interpreter = services.interpreter_add(
        actor=facilitator,
        event=event,
        name_en=" Tan Mei ",
        languages=["zh", "EN"],
        blocked_slots=[4, 1, 4],
    )
    assert (interpreter.name_en, interpreter.languages, interpreter.blocked_slots) == (
        "Tan Mei",
        ["en", "zh"],
        [1, 4],
    )

    services.interpreter_update(actor=facilitator, interpreter=interpreter, blocked_slots=[])

    interpreter.refresh_from_db()
    assert (interpreter.name_en, interpreter.blocked_slots) == ("Tan Mei", [])


def test_the_system_adds_an_interpreter_who_works_in_english_and_chinese(event):
    interpreter = services.interpreter_add(actor=SYSTEM, event=event, name_en="Lim Wei")

    assert (interpreter.languages, interpreter.blocked_slots) == (["en", "zh"], [])


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name_en": " "}, "name_en", "Name (English): give the interpreter's name."),
        (
            {"languages": ["en", "ms"]},
            "languages",
            "Working languages: choose English (en) and/or Chinese (zh).",
        ),
        (
            {"languages": ["en"]},
            "languages",
            "Working languages: an interpreter works between two languages.",
        ),
        (
            {"blocked_slots": [2, 6]},
            "blocked_slots",
            "Unavailable slots: the event has slots 1 to 6; 7 is not one.",
        ),
    ],
)
def test_bad_interpreter_input_names_the_field_and_writes_nothing(
    event, facilitator, change, field, message
):
    interpreter = services.interpreter_add(actor=SYSTEM, event=event, name_en="Lim Wei")
    arguments = {"name_en": "Tan Mei"} | change

    with pytest.raises(ValidationError) as added:
        services.interpreter_add(actor=facilitator, event=event, **arguments)
    with pytest.raises(ValidationError) as changed:
        services.interpreter_update(actor=facilitator, interpreter=interpreter, **change)

    assert added.value.message_dict == changed.value.message_dict == {field: [message]}
    assert list(Interpreter.objects.values_list("name_en", "languages", "blocked_slots")) == [
        ("Lim Wei", ["en", "zh"], [])
    ]


def test_participants_members_outsiders_and_nobody_cannot_add_or_change_interpreters(
    event, qingling, owner, outsider
):
    interpreter = services.interpreter_add(actor=SYSTEM, event=event, name_en="Lim Wei")
    for actor in (owner, outsider, None):
        with pytest.raises(PermissionDenied):
            services.interpreter_add(actor=actor, event=event, name_en="Tan Mei")
        with pytest.raises(PermissionDenied):
            services.interpreter_update(actor=actor, interpreter=interpreter, blocked_slots=[0])

    assert list(Interpreter.objects.values_list("name_en", "blocked_slots")) == [("Lim Wei", [])]
