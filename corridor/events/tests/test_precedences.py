"""Meetings in order, as organisers and others meet them: an organiser says that one
meeting comes before another (service, page, API); a circle, a meeting of another event, a
meeting before itself and a pair ordered twice are refused with the reason; nobody but the
organisers may add or remove an order; a run keeps the order, and an order that cannot be
kept is explained on the schedule page and in the API by participant, meetings and time."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from corridor.accounts.services import api_token_create
from corridor.core.actors import SYSTEM
from corridor.core.models import AuditEntry
from corridor.events import services
from corridor.events.models import MeetingPrecedence, MeetingRequest, ScheduleRun
from corridor.events.tests.test_checkin import partner, regulator  # noqa: F401 (fixtures)
from corridor.events.tests.test_pages import (  # noqa: F401 (fixtures)
    event,
    logistics,
    make_event,
    meeting,
    motorway,
    organiser,
    section,
    stranger,
    text,
    third_enterprise,
    trade_office,
    url,
    vans,
)

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
OUTSIDERS = ["owner", "outsider", "stranger", "regulator", "partner"]


@pytest.fixture
def three(event, vans, motorway, logistics, meeting):  # noqa: F811
    """Three accepted meetings: Qingling–Motorway, Qingling–Lion City, Motorway–Lion City."""
    second = services.meeting_add(actor=SYSTEM, event=event, requester=vans, requested=logistics)
    third = services.meeting_add(actor=SYSTEM, event=event, requester=motorway, requested=logistics)
    return meeting, second, third


def orders(event) -> list[tuple[int, int]]:  # noqa: F811
    return list(event.precedences.order_by("id").values_list("before_id", "after_id"))


def run_now(capture, event) -> ScheduleRun:  # noqa: F811
    with capture(execute=True):
        run = services.schedule_start(actor=SYSTEM, event=event, time_limit=5)
    run.refresh_from_db()
    return run


# --- the service ----------------------------------------------------------------------------


def test_an_organiser_orders_meetings_and_a_circle_is_refused_naming_them(
    event,  # noqa: F811
    organiser,  # noqa: F811
    three,
):
    first, second, third = three
    services.precedence_add(actor=organiser, event=event, before=first, after=second)
    services.precedence_add(actor=organiser, event=event, before=second, after=third)

    with pytest.raises(ValidationError) as refused:
        services.precedence_add(actor=organiser, event=event, before=third, after=first)

    message = refused.value.message_dict["after"][0]
    assert message.startswith("Meeting: this order would close a circle")
    assert "Qingling Motors with Motorway Group → Qingling Motors with Lion City Logistics" in (
        message
    )
    assert "Motorway Group with Lion City Logistics → Qingling Motors with Motorway Group" in (
        message
    )
    assert orders(event) == [(first.pk, second.pk), (second.pk, third.pk)]
    entry = AuditEntry.objects.filter(action="create", actor=organiser).latest("at")
    assert entry.summary_params == {
        "before": "Qingling Motors with Lion City Logistics",
        "after": "Motorway Group with Lion City Logistics",
    }


def test_a_meeting_of_another_event_itself_or_a_pair_twice_is_refused(
    event,  # noqa: F811
    organiser,  # noqa: F811
    trade_office,  # noqa: F811
    three,
    enterprise,
    other_enterprise,
):
    first, second, _third = three
    elsewhere = make_event(trade_office, title_en="Another day")
    a = services.participant_add(actor=SYSTEM, event=elsewhere, organisation=enterprise)
    b = services.participant_add(actor=SYSTEM, event=elsewhere, organisation=other_enterprise)
    foreign = services.meeting_add(actor=SYSTEM, event=elsewhere, requester=a, requested=b)
    services.precedence_add(actor=organiser, event=event, before=first, after=second)

    cases = [
        (
            {"before": foreign, "after": second},
            "before",
            "Meeting: choose a meeting of this event.",
        ),
        ({"before": first, "after": foreign}, "after", "Meeting: choose a meeting of this event."),
        (
            {"before": first, "after": first},
            "after",
            "Meeting: a meeting cannot come before itself.",
        ),
        (
            {"before": first, "after": second},
            "after",
            "Meeting: these two meetings are already in this order.",
        ),
    ]
    for pair, field, message in cases:
        with pytest.raises(ValidationError) as refused:
            services.precedence_add(actor=organiser, event=event, **pair)
        assert refused.value.message_dict == {field: [message]}
    assert orders(event) == [(first.pk, second.pk)]
    assert not MeetingPrecedence.objects.filter(event=elsewhere).exists()


def test_a_cancelled_meeting_cannot_be_put_in_order(event, organiser, three):  # noqa: F811
    first, second, _third = three
    services.request_cancel(actor=SYSTEM, request=second)
    second.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.precedence_add(actor=organiser, event=event, before=first, after=second)
    assert "cancelled" in refused.value.message_dict["after"][0]


@pytest.mark.parametrize("who", [*OUTSIDERS, None])
def test_only_the_organisers_add_or_remove_an_order(request, event, three, who):  # noqa: F811
    first, second, _third = three
    kept = services.precedence_add(actor=SYSTEM, event=event, before=first, after=second)
    person = request.getfixturevalue(who) if who else None

    with pytest.raises(PermissionDenied):
        services.precedence_add(actor=person, event=event, before=second, after=_third)
    with pytest.raises(PermissionDenied):
        services.precedence_remove(actor=person, precedence=kept)

    assert orders(event) == [(first.pk, second.pk)]


# --- the run --------------------------------------------------------------------------------


def test_a_run_keeps_the_meetings_in_order(
    settings,
    django_capture_on_commit_callbacks,
    event,  # noqa: F811
    organiser,  # noqa: F811
    three,
):
    settings.TASKS = IMMEDIATE
    first, second, third = three
    # against the grain: the last-created meeting first
    services.precedence_add(actor=organiser, event=event, before=third, after=second)
    services.precedence_add(actor=organiser, event=event, before=second, after=first)

    run = run_now(django_capture_on_commit_callbacks, event)

    slots = dict(MeetingRequest.objects.filter(event=event).values_list("pk", "slot"))
    assert run.status == ScheduleRun.Status.DONE and run.optimal
    assert slots[third.pk] < slots[second.pk] < slots[first.pk]


@pytest.fixture
def impossible(settings, event, organiser, three):  # noqa: F811
    """Qingling Motors must meet Motorway Group before Lion City Logistics, which is locked
    in the first slot: nothing can come before it."""
    settings.TASKS = IMMEDIATE
    first, second, _third = three
    services.precedence_add(actor=organiser, event=event, before=first, after=second)
    services.meeting_lock(actor=SYSTEM, request=second, slot=0)
    return three


EXPLAINED = (
    "Qingling Motors has 0 free slots before Tue March 10, 09:00–09:20 but must meet "
    "Motorway Group before its meeting with Lion City Logistics."
)


def test_an_impossible_order_is_explained_on_the_schedule_page(
    client,
    django_capture_on_commit_callbacks,
    event,  # noqa: F811
    organiser,  # noqa: F811
    impossible,
):
    run = run_now(django_capture_on_commit_callbacks, event)
    assert run.status == ScheduleRun.Status.FAILED
    client.force_login(organiser)

    page = client.get(url("schedule", event.pk))

    assert text(section(page, "run-errors")) == EXPLAINED


def test_an_impossible_order_is_explained_in_the_api(
    client,
    django_capture_on_commit_callbacks,
    event,  # noqa: F811
    organiser,  # noqa: F811
    impossible,
):
    run = run_now(django_capture_on_commit_callbacks, event)
    response = client.get(
        f"/api/events/{event.pk}/schedule-runs/{run.pk}", headers=bearer(organiser)
    )

    (error,) = response.json()["errors"]
    assert error["code"] == "precedence_impossible"
    assert error["text"] == EXPLAINED
    first, second, _third = impossible
    assert (error["meeting"], error["others"], error["count"]) == (
        str(second.pk),
        [str(first.pk)],
        0,
    )


# --- the API --------------------------------------------------------------------------------


def bearer(user) -> dict[str, str]:
    if user is None:
        return {}
    _token, raw = api_token_create(actor=user, label="test")
    return {"Authorization": f"Bearer {raw}"}


def post_json(client, path, body, user):
    return client.post(
        path, json.dumps(body), content_type="application/json", headers=bearer(user)
    )


def test_the_api_lists_adds_and_removes_orders_for_the_organisers(
    client,
    event,  # noqa: F811
    organiser,  # noqa: F811
    three,
):
    first, second, third = three
    path = f"/api/events/{event.pk}/precedences"

    added = post_json(client, path, {"before": first.pk, "after": second.pk}, organiser)
    circle = post_json(client, path, {"before": second.pk, "after": first.pk}, organiser)
    unknown = post_json(client, path, {"before": first.pk, "after": 999999}, organiser)
    # beyond what the database stores: a field error, not an overflow (the API fuzz found
    # a 500 on SQLite)
    huge = post_json(client, path, {"before": 2**63, "after": second.pk}, organiser)
    listed = client.get(path, headers=bearer(organiser))

    assert added.status_code == 201
    assert added.json()["text"] == (
        "Qingling Motors with Motorway Group comes before Qingling Motors with Lion City Logistics."
    )
    assert circle.status_code == 400 and "close a circle" in circle.json()["errors"]["after"][0]
    assert unknown.status_code == 400 and unknown.json()["errors"] == {
        "after": ["Meeting: choose a meeting of this event."]
    }
    assert huge.status_code == 400 and huge.json()["errors"] == {
        "before": ["Meeting: choose a meeting of this event."]
    }
    assert [(o["before"], o["after"]) for o in listed.json()] == [(first.pk, second.pk)]

    removed = client.delete(f"{path}/{added.json()['id']}", headers=bearer(organiser))
    assert removed.status_code == 204 and orders(event) == []


@pytest.mark.parametrize("who", [*OUTSIDERS, None])
def test_the_api_refuses_orders_to_everyone_else(request, client, event, three, who):  # noqa: F811
    first, second, _third = three
    kept = services.precedence_add(actor=SYSTEM, event=event, before=first, after=second)
    person = request.getfixturevalue(who) if who else None
    path = f"/api/events/{event.pk}/precedences"

    listed = client.get(path, headers=bearer(person))
    added = post_json(client, path, {"before": second.pk, "after": _third.pk}, person)
    removed = client.delete(f"{path}/{kept.pk}", headers=bearer(person))

    expected = 401 if person is None else 403
    assert (listed.status_code, added.status_code, removed.status_code) == (expected,) * 3
    assert orders(event) == [(first.pk, second.pk)]


# --- the pages ------------------------------------------------------------------------------


def test_an_organiser_orders_meetings_on_the_schedule_page(
    client,
    event,  # noqa: F811
    organiser,  # noqa: F811
    three,
):
    first, second, _third = three
    client.force_login(organiser)
    page = client.get(url("schedule", event.pk))
    assert "No meeting has to come before another." in text(section(page, "order"))

    # "Lion City with Qingling ... must come after ... Qingling with Motorway"
    added = client.post(
        url("precedence_add", event.pk),
        {"order-meeting": second.pk, "order-relation": "after", "order-other": first.pk},
        follow=True,
    )

    listed = text(section(added, "precedences"))
    assert listed.startswith(
        "Qingling Motors with Motorway Group comes before Qingling Motors with Lion City Logistics"
    )
    assert orders(event) == [(first.pk, second.pk)]

    circle = client.post(
        url("precedence_add", event.pk),
        {"order-meeting": second.pk, "order-relation": "before", "order-other": first.pk},
    )
    assert circle.status_code == 400
    assert "this order would close a circle" in text(section(circle, "order"))

    kept = event.precedences.get()
    removed = client.post(url("precedence_remove", event.pk, kept.pk), follow=True)
    assert "No meeting has to come before another." in text(section(removed, "order"))
    assert orders(event) == []


@pytest.mark.parametrize("who", ["owner", "outsider", "stranger", "regulator", "partner"])
def test_the_order_pages_refuse_everyone_else(request, client, event, three, who):  # noqa: F811
    first, second, _third = three
    kept = services.precedence_add(actor=SYSTEM, event=event, before=first, after=second)
    client.force_login(request.getfixturevalue(who))

    added = client.post(
        url("precedence_add", event.pk),
        {"order-meeting": second.pk, "order-relation": "before", "order-other": _third.pk},
    )
    removed = client.post(url("precedence_remove", event.pk, kept.pk))

    assert (added.status_code, removed.status_code) == (403, 403)
    assert orders(event) == [(first.pk, second.pk)]


def test_an_anonymous_visitor_is_sent_to_log_in(client, event, three):  # noqa: F811
    first, second, _third = three
    response = client.post(
        url("precedence_add", event.pk),
        {"order-meeting": first.pk, "order-relation": "before", "order-other": second.pk},
    )
    assert response.status_code == 302 and "/login" in response["Location"]
    assert orders(event) == []
