"""The event day's pages and API: the organisers' absent / cancel buttons behind a
confirmation that names who will be told, and the participants' booking grid; each refused
to the people who may not use it, with nothing changed."""

import json
from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.accounts.services import api_token_create
from corridor.core.actors import SYSTEM
from corridor.events import booking, planning, services
from corridor.events.models import Absence, BookedSlot, MeetingRequest
from corridor.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

DAY = date(2030, 3, 18)  # in the future: nothing has begun
SESSIONS = [(DAY, "am", time(9), time(10, 20))]  # four slots


def bearer(user) -> dict:
    if user is None:
        return {}
    _token, raw = api_token_create(actor=user, label="test")
    return {"Authorization": f"Bearer {raw}"}


def post_json(client, url, body, user):
    return client.post(url, json.dumps(body), content_type="application/json", headers=bearer(user))


@pytest.fixture
def event(administration, enterprise, other_enterprise):
    event = services.event_create(
        actor=SYSTEM,
        organiser=administration,
        title_en="Open day",
        tables=2,
        sessions=SESSIONS,
        is_published=True,
    )
    q = services.participant_add(actor=SYSTEM, event=event, organisation=enterprise)
    m = services.participant_add(actor=SYSTEM, event=event, organisation=other_enterprise)
    c = services.participant_add(
        actor=SYSTEM, event=event, organisation=OrganisationFactory(name_en="Cedar")
    )
    for a, b in [(q, m), (q, c), (m, c)]:
        services.meeting_add(actor=SYSTEM, event=event, requester=a, requested=b)
    run = services.schedule_start(actor=SYSTEM, event=event, mode="max", time_limit=5)
    planning.run(run.pk)
    services.agendas_publish(actor=SYSTEM, event=event)
    return event


def participant(event, organisation):
    return event.participants.get(organisation=organisation)


def slots():
    return dict(MeetingRequest.objects.values_list("pk", "slot"))


def test_the_organisers_page_offers_absent_and_cancel(client, event, facilitator):
    client.force_login(facilitator)
    response = client.get(f"/events/{event.pk}/day/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Mark absent…") == 3 and html.count("Cancel…") == 3


def test_the_confirmation_names_who_will_be_told_and_changes_nothing(
    client, event, facilitator, enterprise
):
    q = participant(event, enterprise)
    before = slots()
    client.force_login(facilitator)
    response = client.get(f"/events/{event.pk}/participants/{q.pk}/absent/")

    html = response.content.decode()
    assert "Who will be told" in html
    assert "Motorway Group" in html and "Cedar" in html and "Qingling Motors" in html
    assert slots() == before and not Absence.objects.exists()

    response = client.post(f"/events/{event.pk}/participants/{q.pk}/absent/")
    assert response.status_code == 302
    freed = [pk for pk, slot in slots().items() if slot is None]
    assert len(freed) == 2  # Qingling's two meetings; Motorway-Cedar stays
    assert Absence.objects.get().participant == q


def test_a_name_narrows_the_day_to_a_participant_and_their_meetings(client, event, facilitator):
    client.force_login(facilitator)
    everyone = client.get(f"/events/{event.pk}/day/").content.decode()
    # Cedar by its name; the list of meetings keeps Cedar's two (with Qingling, with Motorway)
    found = client.get(f"/events/{event.pk}/day/", {"q": "ceda"}).content.decode()
    nobody = client.get(f"/events/{event.pk}/day/", {"q": "Zebra"}).content.decode()

    assert everyone.count("Mark absent…") == 3 and everyone.count("Cancel…") == 3
    assert found.count("Mark absent…") == 1 and found.count("Cancel…") == 2
    assert 'value="ceda"' in found and "Show everyone" in found
    assert "Mark absent…" not in nobody and "No participant has this name." in nobody


@pytest.mark.parametrize(
    "language, day", [("en", ["Monday", "March 18"]), ("zh-hans", ["星期一", "3月18日"])]
)
def test_the_absence_confirmation_names_the_day_in_the_readers_language(
    client, event, facilitator, enterprise, language, day
):
    q = participant(event, enterprise)
    client.force_login(facilitator)
    client.cookies["django_language"] = language
    response = client.get(f"/events/{event.pk}/participants/{q.pk}/absent/")

    question = response.content.decode().split("</h1>", 1)[1].split("</p>", 1)[0]
    assert all(part in question for part in day), question


@pytest.mark.parametrize("who", ["owner", "outsider"])
def test_participants_cannot_mark_absent_or_cancel_on_the_page(
    client, event, who, owner, outsider, enterprise
):
    client.force_login({"owner": owner, "outsider": outsider}[who])
    q = participant(event, enterprise)
    meeting = MeetingRequest.objects.first()
    before = slots()

    assert client.get(f"/events/{event.pk}/day/").status_code == 403
    assert client.post(f"/events/{event.pk}/participants/{q.pk}/absent/").status_code == 403
    cancel = f"/events/{event.pk}/requests/{meeting.pk}/cancel-and-replan/"
    assert client.post(cancel).status_code == 403
    assert slots() == before and not Absence.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, event):
    response = client.get(f"/events/{event.pk}/day/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_api_cancels_and_reports_the_re_plan(client, event, facilitator, owner):
    meeting = MeetingRequest.objects.order_by("pk").first()
    url = f"/api/events/{event.pk}/requests/{meeting.pk}/cancel-and-replan"
    before = slots()

    assert post_json(client, url, {}, owner).status_code == 403
    assert post_json(client, url, {}, None).status_code == 401
    assert slots() == before

    response = post_json(client, url, {}, facilitator)
    assert response.status_code == 200
    body = response.json()
    assert body["changes"] == [
        {
            "meeting": meeting.pk,
            "before": before[meeting.pk] + 1,
            "after": None,
            "table": None,
            "cancelled": True,
        }
    ]
    assert body["moved"] == 0 and len(body["told"]) == 2


def test_the_api_marks_absent(client, event, facilitator, enterprise):
    q = participant(event, enterprise)
    response = post_json(
        client, f"/api/events/{event.pk}/participants/{q.pk}/absent", {}, facilitator
    )
    assert response.status_code == 200
    assert response.json()["moved"] == 2


# --- self-booking ----------------------------------------------------------------------------


@pytest.fixture
def open_event(event):
    """Self-booking, with Dune, who has no meeting yet."""
    booking.event_set_booking(actor=SYSTEM, event=event, booking="self")
    services.participant_add(
        actor=SYSTEM, event=event, organisation=OrganisationFactory(name_en="Dune")
    )
    return event


def dune(event):
    return event.participants.get(organisation__name_en="Dune")


def test_a_member_books_from_the_grid(client, open_event, owner, enterprise):
    q, m = participant(open_event, enterprise), dune(open_event)
    free = [r.slot.index for r in booking.slots_with(open_event, q, m) if r.free]
    client.force_login(owner)

    page = client.get(f"/events/{open_event.pk}/book/?with={m.pk}").content.decode()
    assert page.count(">Book<") == len(free)

    response = client.post(
        f"/events/{open_event.pk}/book/new/", {"as": q.pk, "with": m.pk, "slot": free[0]}
    )
    assert response.status_code == 302
    assert BookedSlot.objects.filter(participant=q, slot=free[0]).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Booked: your meeting with Dune" in page


def test_nobody_books_for_another_organisation(client, open_event, outsider, enterprise):
    q, m = participant(open_event, enterprise), dune(open_event)
    free = [r.slot.index for r in booking.slots_with(open_event, q, m) if r.free]
    client.force_login(outsider)
    response = client.post(
        f"/events/{open_event.pk}/book/new/", {"as": q.pk, "with": m.pk, "slot": free[0]}
    )
    assert response.status_code == 403
    api = post_json(
        client,
        f"/api/events/{open_event.pk}/bookings",
        {"participant": q.pk, "meet": m.pk, "slot": free[0] + 1},
        outsider,
    )
    assert api.status_code == 403
    assert not BookedSlot.objects.exists()


def test_the_booking_page_of_an_organiser_scheduled_event_says_to_ask(client, event, owner):
    client.force_login(owner)
    html = client.get(f"/events/{event.pk}/book/").content.decode()
    assert 'id="not-self-booking"' in html and ">Book<" not in html


def test_the_api_books_and_names_a_wrong_slot(client, open_event, owner, enterprise):
    q = participant(open_event, enterprise)
    cedar = dune(open_event)
    grid = client.get(
        f"/api/events/{open_event.pk}/participants/{q.pk}/free-slots",
        {"meet": cedar.pk},
        headers=bearer(owner),
    ).json()
    slot = next(row["index"] for row in grid if row["free"])

    wrong = post_json(
        client,
        f"/api/events/{open_event.pk}/bookings",
        {"participant": q.pk, "meet": cedar.pk, "slot": 99},
        owner,
    )
    assert wrong.status_code == 400 and "slot" in wrong.json()["errors"]

    response = post_json(
        client,
        f"/api/events/{open_event.pk}/bookings",
        {"participant": q.pk, "meet": cedar.pk, "slot": slot},
        owner,
    )
    assert response.status_code == 201
    assert response.json()["slot"] == slot


def test_the_event_day_page_asks_the_same_queries_however_many_meetings(client, event, facilitator):
    client.force_login(facilitator)
    url = f"/events/{event.pk}/day/"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    newcomers = [
        services.participant_add(actor=SYSTEM, event=event, organisation=OrganisationFactory())
        for _ in range(3)
    ]
    for a, b in [(newcomers[0], newcomers[1]), (newcomers[1], newcomers[2])]:
        services.meeting_add(actor=SYSTEM, event=event, requester=a, requested=b)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200

    assert len(large.captured_queries) == len(small.captured_queries)
