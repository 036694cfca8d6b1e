"""The event pages as people use them: organisers set an event up, members register and ask
to meet, the asked side answers; everyone else is refused and nothing changes."""

import re
from datetime import date, time
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from corridor.accounts.models import Membership
from corridor.core.actors import SYSTEM
from corridor.directory import services as directory
from corridor.events import services
from corridor.events.models import Event, Interpreter, MeetingRequest, Participant, ScheduleRun
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

# Two sessions of three 20-minute slots: slots 0–2 on the morning, 3–5 in the afternoon.
SESSIONS = [
    (date(2026, 3, 10), "am", time(9, 0), time(10, 0)),
    (date(2026, 3, 10), "pm", time(14, 0), time(15, 0)),
]
SLOT_0 = "Tue March 10, 09:00–09:20"
SLOT_1 = "Tue March 10, 09:20–09:40"
SLOT_4 = "Tue March 10, 14:20–14:40"


@pytest.fixture
def trade_office(db):
    return OrganisationFactory(
        name_en="Chongqing Trade Office", name_zh="重庆贸易办公室", kind="agency", country="CN"
    )


@pytest.fixture
def organiser(trade_office):
    """A member of the organising organisation."""
    user = UserFactory(username="organiser", name_en="Orla Organiser", name_zh="欧主办")
    MembershipFactory(user=user, organisation=trade_office, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def third_enterprise(db):
    return OrganisationFactory(
        name_en="Lion City Logistics", name_zh="狮城物流", country="SG", city="Singapore"
    )


@pytest.fixture
def stranger(third_enterprise):
    """A member of a third participant, in no meeting of the others."""
    user = UserFactory(username="stranger", name_en="Sam Stranger", name_zh="陌生人")
    MembershipFactory(user=user, organisation=third_enterprise, role=Membership.Role.MEMBER)
    return user


def make_event(organiser_org, **changes) -> Event:
    arguments = {
        "actor": SYSTEM,
        "organiser": organiser_org,
        "title_en": "Chongqing–Singapore Matchmaking Day",
        "title_zh": "渝新对接洽谈日",
        "venue_en": "Raffles City Convention Centre",
        "venue_zh": "来福士会议中心",
        "slot_minutes": 20,
        "tables": 4,
        "sessions": SESSIONS,
        "is_published": True,
    }
    return services.event_create(**(arguments | changes))


@pytest.fixture
def event(trade_office):
    return make_event(trade_office)


@pytest.fixture
def vans(event, enterprise, owner):
    """Qingling Motors, registered (its members: owner, colleague)."""
    return services.participant_add(
        actor=SYSTEM, event=event, organisation=enterprise, contact=owner, languages=["zh"]
    )


@pytest.fixture
def motorway(event, other_enterprise, outsider):
    """Motorway Group, registered (its member: outsider)."""
    return services.participant_add(
        actor=SYSTEM, event=event, organisation=other_enterprise, languages=["en"]
    )


@pytest.fixture
def logistics(event, third_enterprise, stranger):
    return services.participant_add(actor=SYSTEM, event=event, organisation=third_enterprise)


@pytest.fixture
def meeting(event, vans, motorway):
    """An accepted meeting between Qingling Motors and Motorway Group."""
    return services.meeting_add(actor=SYSTEM, event=event, requester=vans, requested=motorway)


def url(name, *args):
    return reverse(f"events:{name}", args=args)


def section(response, element_id: str) -> str:
    """The inside of the element with this id (nested elements of its kind included)."""
    html = response if isinstance(response, str) else response.content.decode()
    opening = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>', html)
    if opening is None:
        return ""
    tag, depth, start = opening.group(1), 1, opening.end()
    for match in re.finditer(rf"<(/?){tag}\b[^>]*>", html[start:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return html[start : start + match.start()]
    return html[start:]


def text(html) -> str:
    """What a reader sees: tags removed, entities decoded, spaces collapsed."""
    html = html if isinstance(html, str) else html.content.decode()
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def rows(event) -> tuple:
    """Everything the pages may write for an event, to show a refusal changed nothing."""
    return (
        list(Event.objects.filter(pk=event.pk).values()),
        list(Participant.objects.filter(event=event).order_by("pk").values()),
        list(MeetingRequest.objects.filter(event=event).order_by("pk").values()),
        list(ScheduleRun.objects.filter(event=event).order_by("pk").values()),
    )


# --- the list and who sees an event ---------------------------------------------------------


def test_the_list_shows_published_events_to_everyone_and_drafts_to_their_organisers(
    client, trade_office, organiser, outsider
):
    published = make_event(trade_office)
    draft = make_event(trade_office, title_en="Draft Forum", title_zh="", is_published=False)

    anonymous = text(section(client.get(url("event_list")), "event-list"))
    assert client.get(url("event_detail", published.pk)).status_code == 200
    assert client.get(url("event_detail", draft.pk)).status_code == 404
    client.force_login(outsider)
    member = text(section(client.get(url("event_list")), "event-list"))
    client.force_login(organiser)
    organising = text(section(client.get(url("event_list")), "event-list"))

    assert "Chongqing–Singapore Matchmaking Day 2026-03-10" in anonymous
    assert "Draft Forum" not in anonymous and "Draft Forum" not in member
    assert "Draft Forum draft" in organising
    assert client.get(url("event_detail", draft.pk)).status_code == 200
    client.force_login(outsider)
    assert client.get(url("event_detail", draft.pk)).status_code == 404
    assert client.get(url("event_detail", published.pk)).status_code == 200


def test_the_list_makes_the_same_number_of_queries_for_one_and_for_five_events(
    client, trade_office, organiser
):
    client.force_login(organiser)

    def count(events: int) -> int:
        for _ in range(events - Event.objects.count()):
            make_event(trade_office)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("event_list")).status_code == 200
        return len(queries)

    assert count(1) == count(5)


def test_the_event_page_shows_its_facts_in_the_active_language(client, event, outsider):
    client.force_login(outsider)
    english = text(section(client.get(url("event_detail", event.pk)), "facts"))
    chinese = client.get(url("event_detail", event.pk), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "Venue Raffles City Convention Centre" in english
    assert "2026-03-10 (Tue), morning: 09:00–10:00" in english
    assert "2026-03-10 (Tue), afternoon: 14:00–15:00" in english
    assert "Meeting slots 6" in english
    assert "Registration open to members" in english
    assert "<h1>渝新对接洽谈日" in chinese.content.decode()
    assert "来福士会议中心" in text(section(chinese, "facts"))


# --- creating and publishing ----------------------------------------------------------------


def create_data(organisation, **changes) -> dict:
    data = {
        "organiser": organisation.pk,
        "title_en": "ASEAN Auto Parts Meetings",
        "title_zh": "东盟汽车零部件对接会",
        "venue_en": "Chongqing Expo Centre",
        "slot_minutes": "30",
        "tables": "12",
        "registration": "invitation",
        "fairness": "2",
        "sessions-TOTAL_FORMS": "4",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "20",
        "sessions-0-date": "2026-05-20",
        "sessions-0-part": "am",
        "sessions-0-starts_at": "09:00",
        "sessions-0-ends_at": "12:00",
        "sessions-1-date": "2026-05-20",
        "sessions-1-part": "pm",
        "sessions-1-starts_at": "14:00",
        "sessions-1-ends_at": "16:00",
    }
    return data | changes


def test_a_member_creates_an_event_for_their_organisation_as_a_draft(
    client, organiser, trade_office
):
    client.force_login(organiser)
    form_page = client.get(url("event_create"))
    response = client.post(url("event_create"), create_data(trade_office), follow=True)

    assert form_page.status_code == 200
    event = Event.objects.get()
    assert (event.title_en, event.organiser, event.tables, event.registration) == (
        "ASEAN Auto Parts Meetings",
        trade_office,
        12,
        "invitation",
    )
    assert event.is_published is False
    assert [(s.part, s.starts_at, s.ends_at) for s in event.sessions.all()] == [
        ("am", time(9), time(12)),
        ("pm", time(14), time(16)),
    ]
    assert len(event.slots()) == 10
    assert "was created as a draft" in response.content.decode()


def test_a_session_that_ends_before_it_starts_is_named_and_the_form_kept(
    client, organiser, trade_office
):
    client.force_login(organiser)
    data = create_data(trade_office, **{"sessions-1-ends_at": "13:00"})

    response = client.post(url("event_create"), data)

    assert response.status_code == 400
    assert not Event.objects.exists()
    sessions = text(section(response, "sessions"))
    assert "Sessions: a session on 2026-05-20 ends before it starts." in sessions
    assert 'value="ASEAN Auto Parts Meetings"' in response.content.decode()


def test_a_person_without_an_organisation_cannot_create_an_event(client):
    loner = UserFactory(username="loner")
    client.force_login(loner)

    assert client.get(url("event_create")).status_code == 403


def test_organisers_publish_and_others_are_refused(client, trade_office, organiser, outsider):
    draft = make_event(trade_office, is_published=False)
    client.force_login(outsider)
    before = rows(draft)

    refused = client.post(url("event_publish", draft.pk), {"published": "1"})

    assert refused.status_code == 404  # a draft is not even visible to outsiders
    assert rows(draft) == before
    client.force_login(organiser)
    page = client.get(url("event_detail", draft.pk)).content.decode()
    assert "Publish the event" in page
    client.post(url("event_publish", draft.pk), {"published": "1"})
    draft.refresh_from_db()
    assert draft.is_published is True


def test_a_member_who_sees_a_published_event_still_cannot_unpublish_it(client, event, outsider):
    client.force_login(outsider)
    before = rows(event)

    response = client.post(url("event_publish", event.pk), {"published": "0"})

    assert response.status_code == 403
    assert "Only the event's organisers can do this." in text(response)
    assert rows(event) == before


# --- participants ---------------------------------------------------------------------------


def test_organisers_add_a_participant_and_others_cannot(
    client, event, organiser, outsider, other_enterprise
):
    client.force_login(outsider)
    before = rows(event)
    refused = client.post(
        url("participant_add", event.pk),
        {"participant-organisation": other_enterprise.pk, "participant-fixed_table": "2"},
    )
    assert refused.status_code == 403
    assert rows(event) == before
    assert "Add a participant" not in client.get(url("event_detail", event.pk)).content.decode()

    client.force_login(organiser)
    client.post(
        url("participant_add", event.pk),
        {
            "participant-organisation": other_enterprise.pk,
            "participant-languages": ["en", "zh"],
            "participant-fixed_table": "2",
        },
    )

    participant = Participant.objects.get(event=event)
    assert (participant.organisation, participant.languages, participant.fixed_table) == (
        other_enterprise,
        ["en", "zh"],
        2,
    )
    table = text(section(client.get(url("event_detail", event.pk)), "participant-table"))
    assert "Motorway Group 摩托威集团 Singapore English, Chinese" in table


def test_a_fixed_table_beyond_the_event_tables_is_named_under_its_field(
    client, event, organiser, other_enterprise
):
    client.force_login(organiser)

    response = client.post(
        url("participant_add", event.pk),
        {"participant-organisation": other_enterprise.pk, "participant-fixed_table": "9"},
    )

    assert response.status_code == 400
    assert not Participant.objects.exists()
    row = text(section(response, "row-fixed_table"))
    assert "Fixed table: the event has tables 1 to 4." in row
    assert 'value="9"' in section(response, "row-fixed_table")


def test_a_member_registers_their_organisation_when_registration_is_open(
    client, event, owner, enterprise
):
    client.force_login(owner)
    page = client.get(url("event_detail", event.pk))
    assert "Register my organisation" in page.content.decode()

    client.post(
        url("participant_register", event.pk),
        {"register-organisation": enterprise.pk, "register-languages": ["zh"]},
    )

    participant = Participant.objects.get(event=event)
    assert (participant.organisation, participant.contact, participant.languages) == (
        enterprise,
        owner,
        ["zh"],
    )
    after = client.get(url("event_detail", event.pk)).content.decode()
    assert "Register my organisation" not in after
    assert "Your participation" in after


def test_a_member_cannot_register_for_an_event_by_invitation(client, trade_office, owner):
    invitation = make_event(trade_office, registration="invitation")
    client.force_login(owner)
    before = rows(invitation)

    page = client.get(url("event_detail", invitation.pk)).content.decode()
    response = client.post(url("participant_register", invitation.pk), {})

    assert "Register my organisation" not in page
    assert "This event is by invitation" in page
    assert response.status_code == 403
    assert "its organisers register the participants" in response.content.decode()
    assert rows(invitation) == before


def test_a_participant_marks_the_times_it_cannot_meet(client, event, vans, owner, outsider):
    client.force_login(outsider)
    assert client.get(url("participant_edit", event.pk, vans.pk)).status_code == 403

    client.force_login(owner)
    form = client.get(url("participant_edit", event.pk, vans.pk)).content.decode()
    assert SLOT_4 in form
    assert "Fixed table" not in form  # the organisers' business
    client.post(
        url("participant_edit", event.pk, vans.pk),
        {"version": "1", "blocked_slots": ["1", "4"], "languages": ["en", "zh"]},
    )

    vans.refresh_from_db()
    assert (vans.blocked_slots, vans.languages) == ([1, 4], ["en", "zh"])
    table = text(section(client.get(url("event_detail", event.pk)), "participant-table"))
    assert f"{SLOT_1} {SLOT_4}" in table

    # back-to-back slots of one session read as one range; the lunch break splits them
    client.post(
        url("participant_edit", event.pk, vans.pk),
        {"version": "2", "blocked_slots": ["0", "1", "2", "3", "4"], "languages": ["en"]},
    )
    table = text(section(client.get(url("event_detail", event.pk)), "participant-table"))
    assert "Tue March 10, 09:00–10:00 Tue March 10, 14:00–14:40" in table
    assert SLOT_1 not in table


# --- interpreters ---------------------------------------------------------------------------


def test_organisers_add_an_interpreter_and_change_when_they_cannot_work(
    client, event, vans, organiser
):
    client.force_login(organiser)
    page = client.get(url("event_detail", event.pk)).content.decode()
    assert SLOT_4 in section(page, "add-interpreter")
    client.post(
        url("interpreter_add", event.pk),
        {
            "interpreter-name_en": "Tan Mei",
            "interpreter-name_zh": "陈梅",
            "interpreter-languages": ["en", "zh"],
            "interpreter-blocked_slots": ["1"],
        },
    )

    interpreter = Interpreter.objects.get(event=event)
    assert (interpreter.name_zh, interpreter.languages, interpreter.blocked_slots) == (
        "陈梅",
        ["en", "zh"],
        [1],
    )
    table = text(section(client.get(url("event_detail", event.pk)), "interpreter-table"))
    assert f"Tan Mei 陈梅 English, Chinese {SLOT_1}" in table

    edit = url("interpreter_edit", event.pk, interpreter.pk)
    assert 'value="1" id="id_blocked_slots_1" checked' in client.get(edit).content.decode()
    response = client.post(
        edit, {"name_en": "Tan Mei", "languages": ["en", "zh"], "blocked_slots": ["0", "4"]}
    )

    assert response.status_code == 302
    interpreter.refresh_from_db()
    assert interpreter.blocked_slots == [0, 4]


def test_an_interpreter_with_one_language_is_named_under_its_field(client, event, organiser):
    client.force_login(organiser)
    response = client.post(
        url("interpreter_add", event.pk),
        {"interpreter-name_en": "Tan Mei", "interpreter-languages": ["en"]},
    )

    assert response.status_code == 400
    assert "an interpreter works between two languages" in text(
        section(response, "add-interpreter")
    )
    assert not Interpreter.objects.exists()


def test_a_participants_member_or_an_outsider_cannot_add_or_change_interpreters(
    client, event, vans, motorway, owner, outsider
):
    interpreter = services.interpreter_add(actor=SYSTEM, event=event, name_en="Lim Wei")
    edit = url("interpreter_edit", event.pk, interpreter.pk)
    for person in (owner, outsider):
        client.force_login(person)
        assert (
            "Add an interpreter" not in client.get(url("event_detail", event.pk)).content.decode()
        )
        assert client.get(edit).status_code == 403
        added = client.post(url("interpreter_add", event.pk), {"interpreter-name_en": "Tan Mei"})
        changed = client.post(edit, {"name_en": "Lim Wei", "blocked_slots": ["0"]})
        assert (added.status_code, changed.status_code) == (403, 403)

    assert list(Interpreter.objects.values_list("name_en", "blocked_slots")) == [("Lim Wei", [])]


# --- meeting requests -----------------------------------------------------------------------


def test_a_request_is_sent_accepted_and_then_waits_for_the_scheduler(
    client, event, vans, motorway, owner, outsider
):
    client.force_login(owner)
    client.post(
        url("request_create", event.pk),
        {
            "ask-requester": vans.pk,
            "ask-requested": motorway.pk,
            "ask-priority": "must",
            "ask-message": "We would like to talk about right-hand-drive vans.",
        },
    )
    request = MeetingRequest.objects.get()
    assert (request.requester, request.requested, request.priority, request.status) == (
        vans,
        motorway,
        "must",
        "pending",
    )

    client.force_login(outsider)
    waiting = text(section(client.get(url("event_detail", event.pk)), f"request-{request.pk}"))
    assert "right-hand-drive vans" in waiting
    assert "waiting for an answer" in waiting
    assert "Accept" in waiting
    response = client.post(
        url("request_answer", event.pk, request.pk), {"accept": "1"}, follow=True
    )

    request.refresh_from_db()
    assert request.status == "accepted"
    row = text(section(response, f"request-{request.pk}"))
    assert "accepted" in row and "not scheduled yet" in row


def test_only_the_asked_side_answers(client, event, vans, motorway, logistics, owner, stranger):
    request = services.request_create(actor=SYSTEM, event=event, requester=vans, requested=motorway)
    before = rows(event)

    client.force_login(stranger)
    assert (
        client.post(url("request_answer", event.pk, request.pk), {"accept": "1"}).status_code == 403
    )
    client.force_login(owner)  # the asking side cannot accept its own request either
    assert (
        client.post(url("request_answer", event.pk, request.pk), {"accept": "1"}).status_code == 403
    )

    assert rows(event) == before


def test_asking_twice_is_explained_under_the_field_and_keeps_the_message(
    client, event, vans, motorway, owner
):
    services.request_create(actor=SYSTEM, event=event, requester=vans, requested=motorway)
    client.force_login(owner)
    before = rows(event)

    response = client.post(
        url("request_create", event.pk),
        {
            "ask-requester": vans.pk,
            "ask-requested": motorway.pk,
            "ask-priority": "would_like",
            "ask-message": "Again?",
        },
    )

    assert response.status_code == 400
    assert rows(event) == before
    assert "already have a meeting or a request waiting for an answer" in text(
        section(response, "row-requested")
    )
    assert "Again?" in section(response, "ask")


def test_the_asking_side_changes_the_priority_and_cancels(client, event, vans, motorway, owner):
    request = services.request_create(actor=SYSTEM, event=event, requester=vans, requested=motorway)
    client.force_login(owner)

    client.post(
        url("request_update", event.pk, request.pk),
        {f"priority-{request.pk}-priority": "must", f"priority-{request.pk}-version": "1"},
    )
    request.refresh_from_db()
    assert request.priority == "must"
    client.post(url("request_cancel", event.pk, request.pk))
    request.refresh_from_db()
    assert request.status == "cancelled"


def test_a_member_of_neither_side_cannot_cancel(client, event, meeting, logistics, stranger):
    client.force_login(stranger)
    before = rows(event)

    assert client.post(url("request_cancel", event.pk, meeting.pk)).status_code == 403
    assert rows(event) == before


def test_participants_see_only_their_own_requests(
    client, event, vans, motorway, logistics, owner, stranger
):
    request = services.request_create(actor=SYSTEM, event=event, requester=vans, requested=motorway)
    client.force_login(stranger)
    page = client.get(url("event_detail", event.pk))

    assert f'id="request-{request.pk}"' not in page.content.decode()
    assert "No meeting request yet." in section(page, "requests")


# --- organisers' meetings -------------------------------------------------------------------


def test_organisers_add_a_meeting_directly(client, event, vans, motorway, organiser, outsider):
    data = {
        "meeting-requester": vans.pk,
        "meeting-requested": motorway.pk,
        "meeting-priority": "must",
    }
    client.force_login(outsider)
    before = rows(event)
    assert client.post(url("meeting_add", event.pk), data).status_code == 403
    assert rows(event) == before

    client.force_login(organiser)
    client.post(url("meeting_add", event.pk), data)

    meeting = MeetingRequest.objects.get()
    assert (meeting.status, meeting.added_by_organiser, meeting.priority) == (
        "accepted",
        True,
        "must",
    )


def test_organisers_lock_a_meeting_to_a_time_and_unlock_it(client, event, meeting, organiser):
    client.force_login(organiser)
    row = section(client.get(url("event_detail", event.pk)), f"request-{meeting.pk}")
    assert f'<option value="4">{SLOT_4}</option>' in row

    response = client.post(
        url("meeting_lock", event.pk, meeting.pk),
        {f"lock-{meeting.pk}-slot": "4", f"lock-{meeting.pk}-version": meeting.version},
        follow=True,
    )

    meeting.refresh_from_db()
    assert (meeting.slot, meeting.locked) == (4, True)
    assert f"is locked at {SLOT_4}" in response.content.decode()
    assert f"{SLOT_4} locked" in text(section(response, f"request-{meeting.pk}"))
    client.post(
        url("meeting_lock", event.pk, meeting.pk),
        {f"lock-{meeting.pk}-slot": "", f"lock-{meeting.pk}-version": meeting.version},
    )
    meeting.refresh_from_db()
    assert (meeting.slot, meeting.locked) == (4, False)


def test_locking_in_a_slot_a_side_cannot_make_is_explained(client, event, meeting, vans, organiser):
    services.participant_update(actor=SYSTEM, participant=vans, blocked_slots=[2])
    client.force_login(organiser)
    before = rows(event)

    response = client.post(
        url("meeting_lock", event.pk, meeting.pk),
        {f"lock-{meeting.pk}-slot": "2", f"lock-{meeting.pk}-version": meeting.version},
    )

    assert response.status_code == 400
    assert rows(event) == before
    assert "Qingling Motors is not available in slot 3." in text(
        section(response, f"request-{meeting.pk}")
    )


def test_only_organisers_lock(client, event, meeting, owner):
    client.force_login(owner)  # a member of one side
    before = rows(event)

    response = client.post(
        url("meeting_lock", event.pk, meeting.pk),
        {f"lock-{meeting.pk}-slot": "1", f"lock-{meeting.pk}-version": meeting.version},
    )

    assert response.status_code == 403
    assert rows(event) == before


def test_a_directory_connection_becomes_a_meeting(
    client, event, vans, motorway, enterprise, other_enterprise, owner, outsider
):
    finance = directory.profile_save(
        actor=SYSTEM, organisation=other_enterprise, description_en="Trade finance."
    )
    vans_profile = directory.profile_save(
        actor=SYSTEM, organisation=enterprise, description_en="Light commercial vehicles."
    )
    connection = directory.connection_request(
        actor=outsider, from_profile=finance, to_profile=vans_profile, message="Let us talk."
    )
    directory.connection_answer(actor=owner, connection=connection, accept=True)
    client.force_login(owner)
    form = section(client.get(url("event_detail", event.pk)), "from-connection")
    assert "Motorway Group and Qingling Motors" in form

    client.post(
        url("request_from_connection", event.pk),
        {"connection-connection": connection.pk, "connection-priority": "must"},
    )

    meeting = MeetingRequest.objects.get()
    assert (meeting.requester, meeting.requested, meeting.status, meeting.connection) == (
        motorway,
        vans,
        "accepted",
        connection,
    )
    after = client.get(url("event_detail", event.pk)).content.decode()
    assert 'id="from-connection"' not in after  # the only connection is used


# --- the scheduler page ---------------------------------------------------------------------


def test_only_organisers_start_the_scheduler(client, event, meeting, organiser, owner):
    client.force_login(owner)
    before = rows(event)
    assert client.get(url("schedule", event.pk)).status_code == 403
    refused = client.post(url("schedule_start", event.pk), {"mode": "all", "time_limit": "10"})
    assert refused.status_code == 403
    assert rows(event) == before

    client.force_login(organiser)
    response = client.post(
        url("schedule_start", event.pk), {"mode": "max", "time_limit": "10"}, follow=True
    )

    run = ScheduleRun.objects.get()
    assert (run.event, run.mode, run.time_limit, run.status) == (event, "max", 10, "queued")
    html = response.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "make worker" in html
    assert "not scheduled yet" in text(section(response, f"unplaced-{meeting.pk}"))


def test_a_second_run_while_one_is_queued_is_refused_with_the_reason(client, event, organiser):
    services.schedule_start(actor=SYSTEM, event=event)
    client.force_login(organiser)

    response = client.post(url("schedule_start", event.pk), {"mode": "all", "time_limit": "10"})

    assert response.status_code == 400
    assert ScheduleRun.objects.count() == 1
    assert "already under way" in text(section(response, "row-mode"))


def test_a_finished_run_says_what_it_found_without_refreshing(client, event, meeting, organiser):
    ScheduleRun.objects.create(
        event=event,
        status=ScheduleRun.Status.DONE,
        placed=1,
        breaks=0,
        bound=0,
        optimal=True,
        weight=3,
        seconds=0.4,
    )
    client.force_login(organiser)

    response = client.get(url("schedule", event.pk))

    facts = text(section(response, "run-facts"))
    assert "Status done" in facts
    assert "Meetings placed 1" in facts
    assert "proven optimal" in facts and "not proven optimal" not in facts
    assert 'http-equiv="refresh"' not in response.content.decode()


def test_organisers_publish_the_agendas(client, event, organiser, owner, vans):
    client.force_login(owner)
    assert client.post(url("agendas_publish", event.pk)).status_code == 403
    event.refresh_from_db()
    assert event.agenda_published_at is None

    client.force_login(organiser)
    client.post(url("agendas_publish", event.pk))

    page = client.get(url("schedule", event.pk)).content.decode()
    assert "The agendas were published on" in page
    assert "Publish the agendas again" in page


# --- the requests list: filters and pages --------------------------------------------------


def _row_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="request-(\d+)"', section(response, "requests"))]


@pytest.fixture
def crowded(event, vans, motorway):
    """30 meetings: Qingling Motors and Motorway Group with eight more participants, every
    pair of the ten but 15 of them (Qingling meets nine, Motorway eight)."""
    others = [
        services.participant_add(
            actor=SYSTEM,
            event=event,
            organisation=OrganisationFactory(name_en=f"Firm {i}", name_zh=f"企业{i}"),
        )
        for i in range(8)
    ]
    people = [vans, motorway, *others]
    pairs = [(a, b) for i, a in enumerate(people) for b in people[i + 1 :]][:30]
    return [
        services.meeting_add(actor=SYSTEM, event=event, requester=a, requested=b) for a, b in pairs
    ]


def test_the_requests_list_comes_in_pages_that_together_show_each_once(
    client, event, crowded, organiser
):
    client.force_login(organiser)
    first = client.get(url("event_detail", event.pk))
    second = client.get(url("event_detail", event.pk) + "?page=2")

    assert len(_row_ids(first)) == 25 and len(_row_ids(second)) == 5
    assert sorted(_row_ids(first) + _row_ids(second)) == sorted(m.pk for m in crowded)
    assert "1–25 of 30" in text(section(first, "requests"))
    assert 'href="?page=2#requests"' in section(first, "requests")
    # one list of pages, under that list only (not under participants or interpreters)
    assert first.content.decode().count('<nav class="pagination"') == 1


def test_the_filters_show_one_participants_requests_in_one_status(
    client, event, crowded, vans, motorway, organiser
):
    services.request_cancel(actor=SYSTEM, request=crowded[0])  # vans–motorway
    client.force_login(organiser)

    theirs = client.get(url("event_detail", event.pk) + f"?who={vans.pk}")
    assert sorted(_row_ids(theirs)) == sorted(
        m.pk for m in crowded if vans.pk in (m.requester_id, m.requested_id)
    )
    cancelled = client.get(url("event_detail", event.pk) + f"?who={motorway.pk}&status=cancelled")
    assert _row_ids(cancelled) == [crowded[0].pk]
    none = client.get(url("event_detail", event.pk) + f"?who={motorway.pk}&status=declined")
    assert "No meeting or request matches these filters." in text(section(none, "requests"))


def test_a_filter_never_shows_a_member_more_than_their_own_requests(
    client, event, crowded, vans, motorway, outsider
):
    """Motorway's member filters on Qingling Motors: only the meeting of the two."""
    client.force_login(outsider)
    response = client.get(url("event_detail", event.pk) + f"?who={vans.pk}")
    assert _row_ids(response) == [crowded[0].pk]


def test_a_filter_value_that_is_no_choice_is_named_and_the_whole_list_shown(
    client, event, crowded, organiser
):
    client.force_login(organiser)
    response = client.get(url("event_detail", event.pk) + "?who=999999&status=lost")
    filters = text(section(response, "request-filters"))
    assert filters.count("Select a valid choice.") == 2
    assert len(_row_ids(response)) == 25


def test_a_change_from_a_filtered_page_comes_back_to_it(client, event, crowded, vans, owner):
    """Qingling's member changes a priority on the second page of its filtered list."""
    client.force_login(owner)
    listed = client.get(url("event_detail", event.pk) + f"?who={vans.pk}&status=accepted")
    meeting = crowded[1]
    assert f'name="list" value="who={vans.pk}&amp;status=accepted"' in section(listed, "requests")

    response = client.post(
        url("request_update", event.pk, meeting.pk),
        {
            f"priority-{meeting.pk}-priority": "would_like",
            f"priority-{meeting.pk}-version": "1",
            "list": f"who={vans.pk}&status=accepted&page=1&next=https://elsewhere.example",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == (
        url("event_detail", event.pk) + f"?who={vans.pk}&status=accepted&page=1#requests"
    )
    meeting.refresh_from_db()
    assert meeting.priority == "would_like"


def test_a_refused_change_shows_the_page_that_holds_its_row(client, event, crowded, organiser):
    client.force_login(organiser)
    last = client.get(url("event_detail", event.pk) + "?page=2")
    meeting = MeetingRequest.objects.get(pk=_row_ids(last)[-1])

    response = client.post(
        url("request_update", event.pk, meeting.pk),
        {f"priority-{meeting.pk}-priority": "urgent", f"priority-{meeting.pk}-version": "1"},
    )
    assert response.status_code == 400
    assert meeting.pk in _row_ids(response)
    row = section(response, f"request-{meeting.pk}")
    assert "Select a valid choice." in text(row)
