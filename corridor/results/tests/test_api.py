"""The results API (/api/results/): list, detail and create of indicators, targets and
actuals, with the pages' rules (the who-may table is in test_permissions.py)."""

import json

import pytest
from django.test import Client

from corridor.results.models import Actual, Indicator, Target

pytestmark = pytest.mark.django_db


def client_of(world, role) -> Client:
    client = Client()
    if world.people[role] is not None:
        client.force_login(world.people[role])
    return client


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_list_gives_each_indicator_with_its_progress_and_filters(world):
    answer = client_of(world, "anon").get("/api/results/indicators")
    assert answer.status_code == 200
    body = answer.json()
    assert {i["title_en"] for i in body["items"]} == {"initiative indicator", "event indicator"}
    first = body["items"][0]
    assert first["progress"]["status"] == "no_data"
    assert first["progress"]["target_value"] == "100.00"
    member = client_of(world, "member").get("/api/results/indicators?scope=case").json()
    assert [i["title_en"] for i in member["items"]] == ["case indicator"]
    assert member["count"] == 1


def test_create_an_indicator_a_target_and_an_actual_then_read_them_back(world):
    member = client_of(world, "member")  # Qingling owns the project
    answer = post(
        member,
        "/api/results/indicators",
        {
            "title_en": "Vans exported",
            "title_zh": "出口货车",
            "unit_en": "vans",
            "project": world.ids["project"],
            "by_side": True,
        },
    )
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert (created["scope"], created["project_id"]) == ("project", world.ids["project"])
    assert created["can_define"] and created["can_record"]
    base = f"/api/results/indicators/{created['id']}"
    answer = post(
        member,
        f"{base}/targets",
        {"period_start": "2026-01-01", "period_end": "2026-12-31", "value": "40"},
    )
    assert answer.status_code == 201
    answer = post(
        member,
        f"{base}/actuals",
        {
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "value": "12",
            "side": "singapore",
            "source_url": "https://example.org/registrations",
        },
    )
    assert answer.status_code == 201
    assert answer.json()["side"] == "singapore"
    detail = member.get(base).json()
    assert [t["value"] for t in detail["targets"]] == ["40.00"]
    assert [(a["value"], a["side"]) for a in detail["actuals"]] == [("12.00", "singapore")]
    assert detail["progress"]["actual_value"] == "12.00"  # the sides add up to the total
    # the partner (a party, not the owner) reads it, may record but not define
    partner = client_of(world, "partner").get(base).json()
    assert (partner["can_define"], partner["can_record"]) == (False, True)


def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(world):
    admin = client_of(world, "admin")
    before = (Indicator.objects.count(), Target.objects.count(), Actual.objects.count())
    answer = post(
        admin,
        "/api/results/indicators",
        {"title_en": "Plants", "unit_en": "plants", "feed": "cases_approved"},
    )
    assert answer.status_code == 400
    assert "feed" in answer.json()["errors"]
    answer = post(
        admin, "/api/results/indicators", {"title_en": "Hidden", "unit_en": "x", "project": 999999}
    )
    assert answer.status_code == 400 and "project" in answer.json()["errors"]
    indicator = world.ids["initiative_indicator"]
    answer = post(
        admin,
        f"/api/results/indicators/{indicator}/targets",
        {"period_start": "2026-05-01", "period_end": "2026-01-01", "value": "1"},
    )
    assert answer.status_code == 400 and "period_end" in answer.json()["errors"]
    answer = post(
        admin,
        f"/api/results/indicators/{indicator}/actuals",
        {"period_start": "2026-01-01", "period_end": "2026-02-01", "value": "1", "source_url": ""},
    )
    assert answer.status_code == 400 and "source_url" in answer.json()["errors"]
    assert (Indicator.objects.count(), Target.objects.count(), Actual.objects.count()) == before


def test_a_feed_is_measured_over_the_api(world):
    facilitator = client_of(world, "facilitator")
    created = post(
        facilitator,
        "/api/results/indicators",
        {
            "title_en": "Meetings",
            "unit_en": "meetings",
            "event": world.ids["event"],
            "feed": "meetings_held",
        },
    ).json()
    answer = post(
        facilitator,
        f"/api/results/indicators/{created['id']}/actuals/measure",
        {"period_start": "2026-03-10", "period_end": "2026-03-10"},
    )
    assert answer.status_code == 201
    assert (answer.json()["value"], answer.json()["from_feed"]) == ("1.00", True)
    assert answer.json()["source_url"].endswith(f"/events/{world.ids['event']}/")


def test_a_stale_change_answers_409_and_writes_nothing(world):
    admin = client_of(world, "admin")
    indicator = world.ids["initiative_indicator"]
    url = f"/api/results/indicators/{indicator}"
    first = admin.patch(
        url, json.dumps({"version": 1, "unit_zh": "件"}), content_type="application/json"
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = admin.patch(
        url, json.dumps({"version": 1, "unit_en": "items"}), content_type="application/json"
    )
    assert stale.status_code == 409
    assert Indicator.objects.get(pk=indicator).unit_en == "things"
