"""The events' JSON API, driven the way a client would: a draft event never reaches people
outside its organiser (404, like a missing id), writes go through the services (403 for
people who may not, 400 naming the field, nothing changed either way), requests move
pending -> accepted / declined / cancelled once, slots are numbered from 1, and a
participant's agenda is only for the people who act for it and the organisers."""

import json
from datetime import date, time

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from corridor.accounts.models import Membership
from corridor.accounts.services import api_token_create
from corridor.core.actors import SYSTEM
from corridor.events import services
from corridor.events.models import (
    Event,
    Interpreter,
    MeetingOutcome,
    MeetingRequest,
    Participant,
    ScheduleRun,
    Session,
)
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

EVENTS = "/api/events"
ORGANISERS_ONLY = "Only the event's organisers can do this."
NOT_YOURS = "Only the participant's own members and the event's organisers can do this."
DAY = date(2026, 3, 10)
# 9:00-10:00 and 14:00-15:00 in 20-minute meetings: slots 1-3 in the morning, 4-6 after lunch.
SESSIONS = [(DAY, "am", time(9, 0), time(10, 0)), (DAY, "pm", time(14, 0), time(15, 0))]


def bearer(user) -> dict[str, str]:
    """A token for `user`, made once (making one writes an audit entry); none: anonymous."""
    if user is None:
        return {}
    if not hasattr(user, "test_bearer"):
        _token, raw = api_token_create(actor=user, label="test client")
        user.test_bearer = {"Authorization": f"Bearer {raw}"}
    return user.test_bearer


def get(client, url, user=None, params=None, **extra):
    return client.get(url, params or {}, headers=bearer(user), **extra)


def post_json(client, url, body, user):
    """POST; a lock carries the version of the request stored now (unless the body has
    one): these tests are about other rules than optimistic locking (test_locking.py)."""
    if url.rstrip("/").endswith("/lock") and "version" not in body:
        pk = url.rstrip("/").rsplit("/", 2)[1]
        found = MeetingRequest.objects.filter(pk=int(pk)).first()
        body = {**body, "version": found.version if found else 1}
    return client.post(url, json.dumps(body), content_type="application/json", headers=bearer(user))


def patch_json(client, url, body, user):
    """PATCH a participant or a request with the version of it stored now (unless the body
    has one): these tests are about other rules than optimistic locking (test_locking.py)."""
    if "version" not in body:
        kind, pk = url.rstrip("/").rsplit("/", 2)[1:]
        model = {"participants": Participant, "requests": MeetingRequest}[kind]
        found = model.objects.filter(pk=int(pk)).first()
        body = {**body, "version": found.version if found else 1}
    return client.patch(
        url, json.dumps(body), content_type="application/json", headers=bearer(user)
    )


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def row(obj) -> dict:
    """Everything stored about a record, to compare before and after a refused request."""
    obj = type(obj).objects.get(pk=obj.pk)
    stored = model_to_dict(obj)
    for name in ("updated_at", "sequence", "uid"):
        if hasattr(obj, name):
            stored[name] = getattr(obj, name)
    if isinstance(obj, Event):
        stored["sessions"] = list(obj.sessions.values("date", "part", "starts_at", "ends_at"))
    return stored


def member_of(organisation, username: str, **names):
    user = UserFactory(username=username, **names)
    MembershipFactory(user=user, organisation=organisation, role=Membership.Role.MEMBER)
    return user


def make_event(organiser, **fields) -> Event:
    fields.setdefault("title_en", "Corridor Matchmaking Day")
    fields.setdefault("title_zh", "走廊对接日")
    fields.setdefault("sessions", SESSIONS)
    fields.setdefault("tables", 2)
    return services.event_create(actor=SYSTEM, organiser=organiser, **fields)


@pytest.fixture
def council(db):
    return OrganisationFactory(
        name_en="Chongqing Trade Council", name_zh="重庆贸促会", kind="agency", country="CN"
    )


@pytest.fixture
def organiser(council):
    """A member of the organising organisation."""
    return member_of(council, "organiser", name_en="Otto Organiser")


@pytest.fixture
def event(council):
    return make_event(council, is_published=True, venue_en="Raffles City Chongqing")


@pytest.fixture
def draft(council):
    return make_event(council, title_en="Draft Forum", title_zh="草稿论坛")


@pytest.fixture
def ours(event, enterprise):
    """Qingling Motors at the event (its member is `owner`)."""
    return services.participant_add(
        actor=SYSTEM, event=event, organisation=enterprise, languages=["zh"]
    )


@pytest.fixture
def theirs(event, other_enterprise):
    """Motorway Group at the event (its member is `outsider`)."""
    return services.participant_add(
        actor=SYSTEM, event=event, organisation=other_enterprise, languages=["en"]
    )


@pytest.fixture
def third(event):
    """A third participant, with its own member `bystander`."""
    organisation = OrganisationFactory(
        name_en="Lion City Foods", name_zh="狮城食品", country="SG", city="Singapore"
    )
    member_of(organisation, "bystander", name_en="Bea Bystander")
    return services.participant_add(
        actor=SYSTEM, event=event, organisation=organisation, languages=["en", "zh"]
    )


@pytest.fixture
def bystander(third):
    return third.organisation.memberships.get().user


@pytest.fixture
def asked(ours, theirs):
    """Qingling Motors asked to meet Motorway Group."""
    return services.request_create(
        actor=SYSTEM,
        event=ours.event,
        requester=ours,
        requested=theirs,
        priority="must",
        message="Cold-chain vans for Singapore?",
    )


@pytest.fixture
def meeting(asked):
    """The request, accepted."""
    return services.request_answer(actor=SYSTEM, request=asked, accept=True)


def url(event, *parts) -> str:
    return "/".join([EVENTS, str(event.pk), *map(str, parts)])


# --- who sees what -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "owner"])
def test_a_draft_answers_404_to_people_outside_its_organiser(client, request, event, draft, who):
    person = None if who == "anonymous" else request.getfixturevalue("owner")

    listed = get(client, EVENTS, person)
    detail = get(client, url(draft), person)

    assert ids(listed) == [event.pk]
    assert listed.json()["count"] == 1
    assert detail.status_code == 404
    assert detail.json()["detail"] == f"No event has the id “{draft.pk}”."
    if person is not None:
        assert get(client, url(draft, "participants"), person).status_code == 404
        joined = post_json(
            client, url(draft, "participants"), {"organisation": person_org(person)}, person
        )
        assert joined.status_code == 404
        assert Participant.objects.count() == 0


def person_org(user) -> int:
    return user.memberships.get().organisation_id


@pytest.mark.parametrize("who", ["organiser", "facilitator"])
def test_a_draft_is_seen_by_its_organisers_members_and_the_facilitators(
    client, request, event, draft, who
):
    person = request.getfixturevalue(who)

    listed = get(client, EVENTS, person)
    detail = get(client, url(draft), person)

    assert ids(listed) == [draft.pk, event.pk]
    assert detail.status_code == 200
    assert (detail.json()["title_en"], detail.json()["is_published"]) == ("Draft Forum", False)
    assert detail.json()["can_organise"] is True


def test_the_detail_gives_the_sessions_and_the_slots_numbered_from_1(
    client, owner, organiser, event, ours
):
    mine = get(client, url(event), owner).json()
    anonymous = get(client, url(event)).json()

    morning, afternoon = event.sessions.all()
    assert mine == {
        "id": event.pk,
        "title_en": "Corridor Matchmaking Day",
        "title_zh": "走廊对接日",
        "organiser": {
            "id": event.organiser_id,
            "name_en": "Chongqing Trade Council",
            "name_zh": "重庆贸促会",
            "country": "CN",
        },
        "venue_en": "Raffles City Chongqing",
        "venue_zh": "",
        "starts_on": "2026-03-10",
        "ends_on": "2026-03-10",
        "slot_minutes": 20,
        "tables": 2,
        "registration": "open",
        "fairness": 2,
        "is_published": True,
        "agenda_published_at": None,
        "is_synthetic": False,
        "created_at": mine["created_at"],
        "description_en": "",
        "description_zh": "",
        "sessions": [
            {
                "id": morning.pk,
                "date": "2026-03-10",
                "part": "am",
                "starts_at": "09:00:00",
                "ends_at": "10:00:00",
            },
            {
                "id": afternoon.pk,
                "date": "2026-03-10",
                "part": "pm",
                "starts_at": "14:00:00",
                "ends_at": "15:00:00",
            },
        ],
        "slots": [
            {
                "index": index,
                "starts_at": f"2026-03-10T{start}:00+08:00",
                "ends_at": f"2026-03-10T{end}:00+08:00",
            }
            for index, start, end in [
                (1, "09:00", "09:20"),
                (2, "09:20", "09:40"),
                (3, "09:40", "10:00"),
                (4, "14:00", "14:20"),
                (5, "14:20", "14:40"),
                (6, "14:40", "15:00"),
            ]
        ],
        "can_organise": False,
        "your_participants": [ours.pk],
    }
    assert (anonymous["can_organise"], anonymous["your_participants"]) == (False, [])
    assert get(client, url(event), organiser).json()["can_organise"] is True
    assert get(client, EVENTS).json()["items"][0]["starts_on"] == "2026-03-10"


# --- creating and publishing events ---------------------------------------------------------


def event_body(organisation, **changes) -> dict:
    body = {
        "organiser": organisation.pk,
        "title_en": "Cold Chain Matchmaking",
        "title_zh": "冷链对接会",
        "venue_en": "Chongqing Expo Centre",
        "slot_minutes": 30,
        "tables": 12,
        "registration": "invitation",
        "sessions": [
            {"date": "2026-04-02", "part": "am", "starts_at": "09:00", "ends_at": "12:00"},
            {"date": "2026-04-02", "part": "pm", "starts_at": "14:00", "ends_at": "16:00"},
        ],
    }
    body.update(changes)
    return body


def test_an_organisers_member_creates_a_draft_event_with_its_sessions(client, organiser, council):
    response = post_json(client, EVENTS, event_body(council), organiser)

    created = Event.objects.get()
    data = response.json()
    assert response.status_code == 201
    assert (data["id"], data["title_zh"], data["registration"]) == (
        created.pk,
        "冷链对接会",
        "invitation",
    )
    assert (created.organiser, created.is_published) == (council, False)
    assert [(s["part"], s["starts_at"], s["ends_at"]) for s in data["sessions"]] == [
        ("am", "09:00:00", "12:00:00"),
        ("pm", "14:00:00", "16:00:00"),
    ]
    assert len(data["slots"]) == 6 + 4
    assert data["slots"][-1] == {
        "index": 10,
        "starts_at": "2026-04-02T15:30:00+08:00",
        "ends_at": "2026-04-02T16:00:00+08:00",
    }
    assert ids(get(client, EVENTS)) == []  # a draft until it is published


def test_nobody_creates_an_event_for_an_organisation_it_does_not_belong_to(client, owner, council):
    response = post_json(client, EVENTS, event_body(council), owner)
    anonymous = client.post(
        EVENTS, json.dumps(event_body(council)), content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "You can organise events for your own organisation only."
    assert anonymous.status_code == 401
    assert Event.objects.count() == 0


BAD_EVENTS = [
    (
        {
            "sessions": [
                {"date": "2026-04-02", "part": "am", "starts_at": "11:00", "ends_at": "09:00"}
            ]
        },
        {"sessions": ["Sessions: a session on 2026-04-02 ends before it starts."]},
    ),
    (
        {
            "sessions": [
                {"date": "2026-04-02", "part": "am", "starts_at": "09:00", "ends_at": "10:00"},
                {"date": "2026-04-02", "part": "am", "starts_at": "10:00", "ends_at": "11:00"},
            ]
        },
        {"sessions": ["Sessions: 2026-04-02 has two sessions in the morning."]},
    ),
    (
        {
            "sessions": [
                {"date": "2026-04-02", "part": "night", "starts_at": "20:00", "ends_at": "22:00"}
            ]
        },
        {"sessions": ["Sessions: the part of the day must be morning or afternoon."]},
    ),
    ({"title_en": "  "}, {"title_en": ["Title (English): give the event a title."]}),
    ({"slot_minutes": 2}, {"slot_minutes": ["Meeting length: between 5 and 240 minutes."]}),
    ({"tables": 0}, {"tables": ["Tables: between 1 and 2,000."]}),
    ({"registration": "secret"}, {"registration": ["Registration: choose open or by invitation."]}),
    ({"organiser": 99999}, {"organiser": ["No organisation has the id “99999”."]}),
]


@pytest.mark.parametrize(("changes", "errors"), BAD_EVENTS)
def test_a_bad_event_is_a_400_naming_the_field_and_nothing_is_written(
    client, organiser, council, changes, errors
):
    response = post_json(client, EVENTS, event_body(council, **changes), organiser)

    assert response.status_code == 400
    assert response.json()["detail"] == "The request has errors."
    assert response.json()["errors"] == errors
    assert Event.objects.count() == 0
    assert Session.objects.count() == 0


def test_malformed_event_bodies_are_refused_with_json(client, organiser, council):
    extra_field = post_json(client, EVENTS, event_body(council, is_published=True), organiser)
    wrong_time = post_json(
        client,
        EVENTS,
        event_body(
            council,
            sessions=[{"date": "2026-04-02", "part": "am", "starts_at": "9h", "ends_at": "10:00"}],
        ),
        organiser,
    )

    assert extra_field.status_code == 422 and "is_published" in extra_field.json()["errors"]
    assert wrong_time.status_code == 422
    assert list(wrong_time.json()["errors"]) == ["sessions.0.starts_at"]
    assert Event.objects.count() == 0


def test_only_the_organisers_publish_an_event(client, organiser, facilitator, owner, event, draft):
    before = row(event)

    refused = post_json(client, url(event, "publish"), {"published": False}, owner)
    unseen = post_json(client, url(draft, "publish"), {}, owner)

    assert refused.status_code == 403 and refused.json()["detail"] == ORGANISERS_ONLY
    assert unseen.status_code == 404
    assert row(event) == before
    assert Event.objects.get(pk=draft.pk).is_published is False

    # no body at all: publish
    published = client.post(
        url(draft, "publish"), "", content_type="application/json", headers=bearer(organiser)
    )
    withdrawn = post_json(client, url(event, "publish"), {"published": False}, facilitator)

    assert published.status_code == 200 and published.json()["is_published"] is True
    assert withdrawn.json()["is_published"] is False
    assert ids(get(client, EVENTS)) == [draft.pk]


# --- participants --------------------------------------------------------------------------


def test_a_member_registers_its_organisation_for_an_open_event(client, owner, event, enterprise):
    response = post_json(
        client,
        url(event, "participants"),
        {
            "organisation": enterprise.pk,
            "contact": owner.pk,
            "languages": ["zh", "en"],
            "unavailable_slots": [6, 1],
        },
        owner,
    )

    participant = Participant.objects.get()
    assert response.status_code == 201
    assert response.json() == {
        "id": participant.pk,
        "organisation": {
            "id": enterprise.pk,
            "name_en": "Qingling Motors",
            "name_zh": "庆铃汽车",
            "country": "CN",
        },
        "status": "registered",
        "contact": {"id": owner.pk, "display_name": "Olivia Owner"},
        "languages": ["en", "zh"],
        "unavailable_slots": [1, 6],
        "fixed_table": None,
        "registered_at": response.json()["registered_at"],
        "can_act": True,
        "version": 1,
    }
    assert participant.blocked_slots == [0, 5]  # stored from 0


def test_registrations_people_may_not_make_are_refused(
    client, owner, outsider, council, event, enterprise, other_enterprise
):
    invitation_only = make_event(council, is_published=True, registration="invitation")

    for_another = post_json(
        client, url(event, "participants"), {"organisation": other_enterprise.pk}, owner
    )
    uninvited = post_json(
        client, url(invitation_only, "participants"), {"organisation": enterprise.pk}, owner
    )
    own_table = post_json(
        client,
        url(event, "participants"),
        {"organisation": enterprise.pk, "fixed_table": 1},
        owner,
    )

    assert for_another.status_code == 403
    assert for_another.json()["detail"] == (
        "This event is by invitation: its organisers register the participants."
    )
    assert uninvited.status_code == 403
    assert own_table.status_code == 403 and own_table.json()["detail"] == ORGANISERS_ONLY
    assert Participant.objects.count() == 0


def test_the_organisers_register_anyone_with_a_fixed_table(client, organiser, event, enterprise):
    response = post_json(
        client,
        url(event, "participants"),
        {"organisation": enterprise.pk, "fixed_table": 2, "languages": ["zh"]},
        organiser,
    )

    assert response.status_code == 201
    assert (response.json()["fixed_table"], response.json()["can_act"]) == (2, True)
    assert Participant.objects.get().fixed_table == 2


BAD_PARTICIPANTS = [
    (
        {"unavailable_slots": [2, 7]},
        {"unavailable_slots": ["Unavailable slots: the event has slots 1 to 6; 7 is not one."]},
    ),
    (
        {"unavailable_slots": [0]},
        {"unavailable_slots": ["Unavailable slots: the event has slots 1 to 6; 0 is not one."]},
    ),
    (
        {"languages": ["fr"]},
        {"languages": ["Working languages: choose English (en) and/or Chinese (zh)."]},
    ),
    ({"contact": 99999}, {"contact": ["No person has the id “99999”."]}),
]


@pytest.mark.parametrize(("changes", "errors"), BAD_PARTICIPANTS)
def test_a_bad_registration_is_a_400_naming_the_field_and_nothing_is_written(
    client, owner, event, enterprise, changes, errors
):
    response = post_json(
        client, url(event, "participants"), {"organisation": enterprise.pk, **changes}, owner
    )

    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert Participant.objects.count() == 0


@pytest.mark.parametrize(("changes", "errors"), BAD_PARTICIPANTS)
def test_a_bad_change_of_a_participant_is_a_400_and_nothing_changes(
    client, owner, ours, changes, errors
):
    before = row(ours)

    response = patch_json(client, url(ours.event, "participants", ours.pk), changes, owner)

    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert row(ours) == before


def test_a_member_changes_its_languages_and_availability_counted_from_1(
    client, owner, colleague, ours
):
    response = patch_json(
        client,
        url(ours.event, "participants", ours.pk),
        {"languages": ["en", "zh"], "unavailable_slots": [3, 4], "contact": colleague.pk},
        owner,
    )

    ours.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["unavailable_slots"] == [3, 4]
    assert response.json()["contact"] == {"id": colleague.pk, "display_name": "Colin Colleague"}
    assert (ours.languages, ours.blocked_slots, ours.contact) == (["en", "zh"], [2, 3], colleague)

    cleared = patch_json(
        client, url(ours.event, "participants", ours.pk), {"unavailable_slots": []}, owner
    )

    ours.refresh_from_db()
    assert cleared.json()["languages"] == ["en", "zh"]  # left out: kept
    assert ours.blocked_slots == []


def test_changes_to_a_participant_by_people_who_may_not_are_refused(
    client, owner, outsider, organiser, ours
):
    before = row(ours)
    participant_url = url(ours.event, "participants", ours.pk)

    by_other_side = patch_json(client, participant_url, {"languages": ["en"]}, outsider)
    own_table = patch_json(client, participant_url, {"fixed_table": 1}, owner)

    assert by_other_side.status_code == 403 and by_other_side.json()["detail"] == NOT_YOURS
    assert own_table.status_code == 403 and own_table.json()["detail"] == ORGANISERS_ONLY
    assert row(ours) == before

    table = patch_json(client, participant_url, {"fixed_table": 2}, organiser)
    too_far = patch_json(client, participant_url, {"fixed_table": 3}, organiser)

    assert table.json()["fixed_table"] == 2
    assert too_far.status_code == 400
    assert too_far.json()["errors"] == {
        "fixed_table": ["Fixed table: the event has tables 1 to 2."]
    }
    assert Participant.objects.get(pk=ours.pk).fixed_table == 2


# --- interpreters ---------------------------------------------------------------------------


def patch_interpreter(client, interpreter, body, user):
    return client.patch(
        url(interpreter.event, "interpreters", interpreter.pk),
        json.dumps(body),
        content_type="application/json",
        headers=bearer(user),
    )


def test_the_organisers_add_list_and_change_interpreters_counted_from_1(client, organiser, event):
    added = post_json(
        client,
        url(event, "interpreters"),
        {"name_en": "Tan Mei", "name_zh": "陈梅", "unavailable_slots": [2, 5]},
        organiser,
    )

    assert added.status_code == 201
    interpreter = Interpreter.objects.get(pk=added.json()["id"])
    assert (interpreter.languages, interpreter.blocked_slots) == (["en", "zh"], [1, 4])
    listed = get(client, url(event, "interpreters"), organiser).json()
    assert listed == [
        {
            "id": interpreter.pk,
            "name_en": "Tan Mei",
            "name_zh": "陈梅",
            "languages": ["en", "zh"],
            "unavailable_slots": [2, 5],
        }
    ]

    changed = patch_interpreter(client, interpreter, {"unavailable_slots": [1]}, organiser)
    too_far = patch_interpreter(client, interpreter, {"unavailable_slots": [7]}, organiser)
    one_language = patch_interpreter(client, interpreter, {"languages": ["zh"]}, organiser)

    assert (changed.status_code, changed.json()["unavailable_slots"]) == (200, [1])
    assert changed.json()["name_zh"] == "陈梅"  # left out: kept
    assert too_far.status_code == 400
    assert too_far.json()["errors"] == {
        "unavailable_slots": ["Unavailable slots: the event has slots 1 to 6; 7 is not one."]
    }
    assert one_language.json()["errors"] == {
        "languages": ["Working languages: an interpreter works between two languages."]
    }
    interpreter.refresh_from_db()
    assert (interpreter.languages, interpreter.blocked_slots) == (["en", "zh"], [0])


def test_interpreters_are_refused_to_participants_and_outsiders(
    client, owner, outsider, event, ours
):
    interpreter = services.interpreter_add(actor=SYSTEM, event=event, name_en="Lim Wei")
    before = row(interpreter)
    for person in (owner, outsider):
        listed = get(client, url(event, "interpreters"), person)
        added = post_json(client, url(event, "interpreters"), {"name_en": "Tan Mei"}, person)
        changed = patch_interpreter(client, interpreter, {"unavailable_slots": [1]}, person)
        assert [r.status_code for r in (listed, added, changed)] == [403, 403, 403]
        assert added.json()["detail"] == ORGANISERS_ONLY

    assert row(interpreter) == before
    assert Interpreter.objects.count() == 1


def test_the_participant_list_says_whom_the_caller_acts_for(client, owner, organiser, ours, theirs):
    mine = get(client, url(ours.event, "participants"), owner).json()
    organisers = get(client, url(ours.event, "participants"), organiser).json()

    # by country, then name
    assert [(p["organisation"]["name_en"], p["can_act"]) for p in mine] == [
        ("Qingling Motors", True),
        ("Motorway Group", False),
    ]
    assert [p["can_act"] for p in organisers] == [True, True]
    assert client.get(url(ours.event, "participants")).status_code == 401


# --- meeting requests ----------------------------------------------------------------------


def test_a_request_is_asked_answered_locked_and_cancelled_once(
    client, owner, outsider, organiser, ours, theirs
):
    event = ours.event
    created = post_json(
        client,
        url(event, "requests"),
        {"requester": ours.pk, "requested": theirs.pk, "priority": "must", "message": "Vans?"},
        owner,
    )

    data = created.json()
    assert created.status_code == 201
    assert (data["status"], data["priority"], data["message"]) == ("pending", "must", "Vans?")
    assert (data["requester"]["name_en"], data["requested"]["name_zh"]) == (
        "Qingling Motors",
        "摩托威集团",
    )
    assert (data["slot"], data["table"], data["locked"]) == (None, None, False)
    assert data["needs_interpreter"] is True  # Chinese only meets English only
    request_url = url(event, "requests", data["id"])

    own_answer = post_json(client, f"{request_url}/answer", {"accept": True}, owner)
    assert own_answer.status_code == 403 and own_answer.json()["detail"] == NOT_YOURS
    accepted = post_json(client, f"{request_url}/answer", {"accept": True}, outsider)
    again = post_json(client, f"{request_url}/answer", {"accept": False}, outsider)

    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert again.status_code == 409
    assert again.json()["detail"] == (
        "This request was already answered or cancelled: it is “accepted”."
    )

    version = accepted.json()["version"]
    locked = post_json(client, f"{request_url}/lock", {"slot": 5, "version": version}, organiser)

    assert locked.status_code == 200
    assert locked.json()["slot"] == {
        "index": 5,
        "starts_at": "2026-03-10T14:20:00+08:00",
        "ends_at": "2026-03-10T14:40:00+08:00",
    }
    assert locked.json()["locked"] is True
    assert MeetingRequest.objects.get().slot == 4  # stored from 0

    unlocked = post_json(
        client, f"{request_url}/lock", {"slot": None, "version": version + 1}, organiser
    )
    assert (unlocked.json()["locked"], unlocked.json()["slot"]["index"]) == (False, 5)

    cancelled = post_json(client, f"{request_url}/cancel", {}, outsider)
    cancelled_again = post_json(client, f"{request_url}/cancel", {}, owner)

    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["slot"]) == ("cancelled", None)
    assert cancelled_again.status_code == 409
    assert cancelled_again.json()["detail"] == "This request was already declined or cancelled."
    assert MeetingRequest.objects.get().status == MeetingRequest.Status.CANCELLED


def test_a_request_is_declined(client, outsider, asked):
    declined = post_json(
        client, url(asked.event, "requests", asked.pk, "answer"), {"accept": False}, outsider
    )

    assert declined.json()["status"] == "declined"
    assert MeetingRequest.objects.get().status == MeetingRequest.Status.DECLINED


def test_the_asking_side_changes_priority_and_message_and_nobody_else(
    client, owner, outsider, asked
):
    request_url = url(asked.event, "requests", asked.pk)
    before = row(asked)

    by_asked_side = patch_json(client, request_url, {"priority": "would_like"}, outsider)
    unknown_priority = patch_json(client, request_url, {"priority": "urgent"}, owner)

    assert by_asked_side.status_code == 403 and by_asked_side.json()["detail"] == NOT_YOURS
    assert unknown_priority.status_code == 400
    assert unknown_priority.json()["errors"] == {
        "priority": ["Priority: choose must meet or would like to meet."]
    }
    assert row(asked) == before

    changed = patch_json(client, request_url, {"message": "Or electric trucks?"}, owner)

    assert changed.status_code == 200
    assert (changed.json()["priority"], changed.json()["message"]) == (
        "must",
        "Or electric trucks?",
    )


def test_requests_people_may_not_make_are_refused_and_nothing_is_written(
    client, owner, outsider, ours, theirs, third
):
    event = ours.event

    def ask(person, **body):
        return post_json(client, url(event, "requests"), body, person)

    for_someone_else = ask(outsider, requester=ours.pk, requested=third.pk)
    unknown_priority = ask(owner, requester=ours.pk, requested=theirs.pk, priority="urgent")
    to_nobody = ask(owner, requester=ours.pk, requested=99999)
    to_itself = ask(owner, requester=ours.pk, requested=ours.pk)

    assert for_someone_else.status_code == 403
    assert for_someone_else.json()["detail"] == NOT_YOURS
    assert unknown_priority.status_code == 400
    assert list(unknown_priority.json()["errors"]) == ["priority"]
    assert to_nobody.status_code == 400
    assert to_nobody.json()["errors"] == {
        "requested": ["No participant of this event has the id “99999”."]
    }
    assert to_itself.json()["errors"] == {"requested": ["A participant cannot ask to meet itself."]}
    assert MeetingRequest.objects.count() == 0


def test_requests_are_listed_for_their_two_sides_and_all_of_them_for_the_organisers(
    client, owner, outsider, bystander, organiser, asked, theirs, third
):
    event = asked.event
    other = services.request_create(actor=SYSTEM, event=event, requester=third, requested=theirs)

    def listed(person, **params) -> list[int]:
        response = get(client, url(event, "requests"), person, params)
        assert response.status_code == 200
        return [r["id"] for r in response.json()]

    assert listed(owner) == [asked.pk]
    assert listed(outsider) == [asked.pk, other.pk]
    assert listed(bystander) == [other.pk]
    assert listed(organiser) == [asked.pk, other.pk]
    assert listed(organiser, participant=third.pk) == [other.pk]
    peeking = get(client, url(event, "requests"), owner, {"participant": third.pk})
    assert peeking.status_code == 403 and peeking.json()["detail"] == NOT_YOURS


def test_a_request_between_others_answers_404_to_a_bystander(client, bystander, asked):
    before = row(asked)
    base = url(asked.event, "requests", asked.pk)

    responses = [
        post_json(client, f"{base}/answer", {"accept": True}, bystander),
        post_json(client, f"{base}/cancel", {}, bystander),
        patch_json(client, base, {"message": "Hello"}, bystander),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert responses[0].json()["detail"] == (
        f"No meeting request of this event has the id “{asked.pk}”."
    )
    assert row(asked) == before


def test_only_the_organisers_add_and_lock_meetings(client, owner, organiser, meeting, third):
    event = meeting.event
    before = row(meeting)

    added_by_member = post_json(
        client,
        url(event, "meetings"),
        {"requester": meeting.requester_id, "requested": third.pk},
        owner,
    )
    locked_by_member = post_json(
        client, url(event, "requests", meeting.pk, "lock"), {"slot": 1}, owner
    )

    for refused in (added_by_member, locked_by_member):
        assert refused.status_code == 403 and refused.json()["detail"] == ORGANISERS_ONLY
    assert row(meeting) == before
    assert MeetingRequest.objects.count() == 1

    added = post_json(
        client,
        url(event, "meetings"),
        {"requester": meeting.requester_id, "requested": third.pk},
        organiser,
    )

    assert added.status_code == 201
    assert (added.json()["status"], added.json()["priority"]) == ("accepted", "must")
    assert added.json()["added_by_organiser"] is True


@pytest.mark.parametrize(
    ("slot", "message"),
    [
        (7, "Slot: the event has slots 1 to 6."),
        (0, "Slot: the event has slots 1 to 6."),
        (2, "Slot: Qingling Motors is not available in slot 2."),
    ],
)
def test_a_lock_in_a_slot_that_cannot_be_is_a_400_and_nothing_changes(
    client, organiser, meeting, slot, message
):
    Participant.objects.filter(pk=meeting.requester_id).update(blocked_slots=[1])
    before = row(meeting)

    response = post_json(
        client, url(meeting.event, "requests", meeting.pk, "lock"), {"slot": slot}, organiser
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"slot": [message]}
    assert row(meeting) == before


def test_a_pending_request_cannot_be_locked(client, organiser, asked):
    response = post_json(
        client, url(asked.event, "requests", asked.pk, "lock"), {"slot": 1}, organiser
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"slot": ["Only an accepted meeting can be locked."]}
    assert MeetingRequest.objects.get().slot is None


# --- scheduling runs -----------------------------------------------------------------------


def test_an_organiser_queues_a_scheduling_run(client, organiser, meeting):
    event = meeting.event

    response = post_json(
        client, url(event, "schedule-runs"), {"mode": "max", "time_limit": 5}, organiser
    )

    run = ScheduleRun.objects.get()
    data = response.json()
    assert response.status_code == 202
    assert (data["id"], data["status"], data["mode"], data["time_limit"]) == (
        run.pk,
        "queued",
        "max",
        5,
    )
    assert data["requested_by"] == {"id": organiser.pk, "display_name": "Otto Organiser"}
    assert (data["placed"], data["unplaced"], data["finished_at"]) == (0, [], None)
    followed = get(client, url(event, "schedule-runs", run.pk), organiser)
    assert followed.status_code == 200 and followed.json()["status"] == "queued"

    second = post_json(client, url(event, "schedule-runs"), {}, organiser)

    assert second.status_code == 400
    assert second.json()["errors"] == {
        "mode": ["A scheduling run for this event is already under way; wait for it."]
    }
    assert ScheduleRun.objects.count() == 1


def test_scheduling_runs_are_for_the_organisers_only(client, owner, organiser, meeting):
    event = meeting.event
    run = services.schedule_start(actor=organiser, event=event)

    started = post_json(client, url(event, "schedule-runs"), {}, owner)
    followed = get(client, url(event, "schedule-runs", run.pk), owner)

    for refused in (started, followed):
        assert refused.status_code == 403 and refused.json()["detail"] == ORGANISERS_ONLY
    assert ScheduleRun.objects.count() == 1
    assert get(client, url(event, "schedule-runs", run.pk + 1), organiser).status_code == 404


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"mode": "fast"}, {"mode": ["Mode: choose one of the listed modes."]}),
        ({"time_limit": 0}, {"time_limit": ["Time limit: between 1 and 600 seconds."]}),
        ({"time_limit": 601}, {"time_limit": ["Time limit: between 1 and 600 seconds."]}),
    ],
)
def test_a_bad_scheduling_run_is_a_400_and_none_is_queued(client, organiser, meeting, body, errors):
    response = post_json(client, url(meeting.event, "schedule-runs"), body, organiser)

    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert ScheduleRun.objects.count() == 0


# --- agendas and outcomes ------------------------------------------------------------------


def test_an_agenda_is_refused_to_other_participants(client, outsider, bystander, meeting):
    ours = meeting.requester
    for person in (outsider, bystander):
        response = get(client, url(ours.event, "agendas", ours.pk), person)
        assert response.status_code == 403
        assert response.json()["detail"] == NOT_YOURS
    assert client.get(url(ours.event, "agendas", ours.pk)).status_code == 401


def test_an_agenda_lists_every_slot_with_its_meeting_once_published(
    client, owner, organiser, meeting
):
    ours, event = meeting.requester, meeting.event
    Participant.objects.filter(pk=ours.pk).update(blocked_slots=[5])
    post_json(client, url(event, "requests", meeting.pk, "lock"), {"slot": 2}, organiser)
    MeetingRequest.objects.filter(pk=meeting.pk).update(table=2)  # as the scheduler would
    agenda_url = url(event, "agendas", ours.pk)

    draft = get(client, agenda_url, owner).json()
    organisers = get(client, agenda_url, organiser).json()

    assert draft["published_at"] is None and draft["items"] == []
    assert draft["participant"] == {
        "id": ours.pk,
        "organisation_id": ours.organisation_id,
        "name_en": "Qingling Motors",
        "name_zh": "庆铃汽车",
        "country": "CN",
    }
    assert len(organisers["items"]) == 6

    services.agendas_publish(actor=organiser, event=event)
    items = get(client, agenda_url, owner).json()["items"]

    assert [(i["index"], i["unavailable"], i["meeting"] is not None) for i in items] == [
        (1, False, False),
        (2, False, True),
        (3, False, False),
        (4, False, False),
        (5, False, False),
        (6, True, False),
    ]
    assert items[1] == {
        "index": 2,
        "starts_at": "2026-03-10T09:20:00+08:00",
        "ends_at": "2026-03-10T09:40:00+08:00",
        "unavailable": False,
        "meeting": {
            "id": meeting.pk,
            "other": {
                "id": meeting.requested_id,
                "organisation_id": meeting.requested.organisation_id,
                "name_en": "Motorway Group",
                "name_zh": "摩托威集团",
                "country": "SG",
            },
            "table": 2,
            "interpreter": None,
            "needs_interpreter": True,
            "priority": "must",
            "locked": True,
        },
    }


def test_a_side_records_the_outcome_of_its_meeting(client, owner, outsider, organiser, meeting):
    event, ours = meeting.event, meeting.requester
    outcomes_url = url(event, "outcomes")
    body = {"meeting": meeting.pk, "participant": ours.pk, "outcome": "follow_up"}

    unplaced = post_json(client, outcomes_url, body, owner)
    assert unplaced.status_code == 400
    assert unplaced.json()["errors"] == {
        "meeting": ["This meeting was never placed in the schedule."]
    }

    post_json(client, url(event, "requests", meeting.pk, "lock"), {"slot": 1}, organiser)
    for_other_side = post_json(client, outcomes_url, body, outsider)
    unknown = post_json(client, outcomes_url, {**body, "outcome": "married"}, owner)
    no_meeting = post_json(client, outcomes_url, {**body, "meeting": 99999}, owner)

    assert for_other_side.status_code == 403 and for_other_side.json()["detail"] == NOT_YOURS
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"outcome": ["Outcome: choose one of the listed outcomes."]}
    assert no_meeting.json()["errors"] == {
        "meeting": ["No meeting of this event has the id “99999”."]
    }
    assert MeetingOutcome.objects.count() == 0

    recorded = post_json(client, outcomes_url, {**body, "note": "Samples in May."}, owner)

    assert recorded.status_code == 200
    assert recorded.json() == {
        "id": MeetingOutcome.objects.get().pk,
        "meeting": meeting.pk,
        "participant": ours.pk,
        "outcome": "follow_up",
        "rating": None,
        "wants_follow_up": True,  # "follow up" as the outcome says so
        "note": "Samples in May.",
        "recorded_at": recorded.json()["recorded_at"],
        "version": 1,
    }


# --- the scheduler, end to end ---------------------------------------------------------------


def _has_scheduler() -> bool:
    from importlib.util import find_spec

    return find_spec("corridor.events.scheduling") is not None


@pytest.mark.skipif(not _has_scheduler(), reason="corridor/events/scheduling.py is not there yet")
def test_a_run_places_the_accepted_meetings_in_slots_and_tables(
    client, settings, organiser, owner, meeting, third, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    event = meeting.event
    second = services.meeting_add(
        actor=organiser, event=event, requester=meeting.requester, requested=third
    )
    unavailable = services.meeting_add(
        actor=organiser, event=event, requester=meeting.requested, requested=third
    )
    # Motorway Group is free only in slot 1, so it meets Qingling Motors there; Lion City
    # Foods is free only in slots 5 and 6: it and Motorway Group share no free slot.
    Participant.objects.filter(pk=third.pk).update(blocked_slots=[0, 1, 2, 3])
    Participant.objects.filter(pk=meeting.requested_id).update(blocked_slots=[1, 2, 3, 4, 5])

    with django_capture_on_commit_callbacks(execute=True):
        started = post_json(
            client, url(event, "schedule-runs"), {"mode": "max", "time_limit": 5}, organiser
        )

    assert started.status_code == 202
    run = get(client, url(event, "schedule-runs", started.json()["id"]), organiser).json()
    assert (run["status"], run["placed"], run["errors"]) == ("done", 2, [])
    # two must-meet meetings placed; the lunch break is not an idle break
    assert (run["weight"], run["breaks"]) == (6, 0)
    assert run["unplaced"] == [
        {
            "meeting": unavailable.pk,
            "reason": "no_common_slot",
            "text": "the two sides share no free slot",
        }
    ]
    placed = {r["id"]: r for r in get(client, url(event, "requests"), organiser).json()}
    assert placed[meeting.pk]["slot"]["index"] == 1
    assert placed[second.pk]["slot"]["index"] in (5, 6)
    assert {placed[meeting.pk]["table"], placed[second.pk]["table"]} <= {1, 2}
    assert placed[unavailable.pk]["slot"] is None
    assert placed[unavailable.pk]["why_not_placed"] == "the two sides share no free slot"


# --- query counts and the schema -----------------------------------------------------------


def _list_queries(client, headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(EVENTS, headers=headers)
    assert response.status_code == 200
    return len(captured)


def _more_events(n: int) -> None:
    for _ in range(n):
        make_event(OrganisationFactory(), is_published=True)


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_the_list_makes_the_same_number_of_queries_for_2_and_10_events(client, request, who):
    headers = {} if who == "anonymous" else bearer(request.getfixturevalue("owner"))
    _more_events(2)
    few = _list_queries(client, headers)
    _more_events(8)
    many = _list_queries(client, headers)

    assert get(client, EVENTS).json()["count"] == 10
    assert few == many
    # count + page; a token adds its lookup, its last-used stamp and the memberships.
    assert many == (2 if who == "anonymous" else 5)


def _queries_of(client, path, user) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = get(client, path, user)
    assert response.status_code == 200
    return len(captured)


def test_the_participant_and_request_lists_make_the_same_number_of_queries_for_more_rows(
    client, organiser, event, ours
):
    def more(n: int) -> None:
        for _ in range(n):
            other = services.participant_add(
                actor=SYSTEM, event=event, organisation=OrganisationFactory(), languages=["en"]
            )
            services.meeting_add(actor=SYSTEM, event=event, requester=ours, requested=other)

    bearer(organiser)  # the token is made before counting
    more(2)
    few = [
        _queries_of(client, url(event, name), organiser) for name in ("participants", "requests")
    ]
    more(6)
    many = [
        _queries_of(client, url(event, name), organiser) for name in ("participants", "requests")
    ]

    assert len(get(client, url(event, "requests"), organiser).json()) == 8
    assert few == many


def test_the_openapi_schema_lists_the_events_paths(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path, methods in {
        "/api/events": {"get", "post"},
        "/api/events/{event_id}": {"get"},
        "/api/events/{event_id}/publish": {"post"},
        "/api/events/{event_id}/participants": {"get", "post"},
        "/api/events/{event_id}/participants/{participant_id}": {"patch"},
        "/api/events/{event_id}/interpreters": {"get", "post"},
        "/api/events/{event_id}/interpreters/{interpreter_id}": {"patch"},
        "/api/events/{event_id}/requests": {"get", "post"},
        "/api/events/{event_id}/requests/{request_id}": {"patch"},
        "/api/events/{event_id}/requests/{request_id}/answer": {"post"},
        "/api/events/{event_id}/requests/{request_id}/cancel": {"post"},
        "/api/events/{event_id}/requests/{request_id}/lock": {"post"},
        "/api/events/{event_id}/meetings": {"post"},
        "/api/events/{event_id}/schedule-runs": {"post"},
        "/api/events/{event_id}/schedule-runs/{run_id}": {"get"},
        "/api/events/{event_id}/agendas/{participant_id}": {"get"},
        "/api/events/{event_id}/outcomes": {"post"},
    }.items():
        assert set(paths[path]) == methods, path
    assert paths["/api/events"]["get"]["tags"] == ["events"]


def test_ids_too_large_for_the_database_are_answered_not_crashed_on(client, owner, ours):
    huge = 99999999999999999999999

    assert get(client, f"{EVENTS}/{huge}").status_code == 404
    assert get(client, url(ours.event, "agendas", huge), owner).status_code == 404
    assert (
        post_json(client, url(ours.event, "requests", huge, "cancel"), {}, owner).status_code == 404
    )
    asked = post_json(
        client, url(ours.event, "requests"), {"requester": ours.pk, "requested": huge}, owner
    )
    assert asked.json()["errors"] == {
        "requested": [f"No participant of this event has the id “{huge}”."]
    }
