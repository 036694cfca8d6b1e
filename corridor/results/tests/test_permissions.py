"""Every rule of corridor/results/permissions.py, tried as every role of the shared world
(another organisation's member, a partner, a regulator, an anonymous visitor, ...) through
the services, the pages and the API. A refusal writes nothing.

The world: Qingling Motors (`member`) owns the unpublished project, with Motorway Group
(`partner`) as its counterpart; the case's applicant is Qingling, Motorway its local partner,
the Land Transport Authority (`regulator`) its regulator contact; the published event is
organised by the initiative's administration. Lion City Trade (`outsider`) takes part in
nothing; `loner` belongs to no organisation.
"""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from corridor.results import permissions, services
from corridor.results.models import Actual, Indicator, Target
from corridor.testing.world import ROLES

pytestmark = pytest.mark.django_db

SCOPES = ("initiative", "project", "case", "event")

# Who may, per scope; every other role may not.
SEES = {
    "initiative": set(ROLES),
    "project": {"member", "partner", "facilitator", "admin"},
    "case": {"member", "partner", "regulator", "facilitator", "admin"},
    "event": set(ROLES),
}
DEFINES = {
    "initiative": {"facilitator", "admin"},
    "project": {"member", "facilitator", "admin"},  # not the counterpart: it may not change it
    "case": {"member", "facilitator", "admin"},  # applicant and facilitator
    "event": {"facilitator", "admin"},  # the organiser is the administration
}
RECORDS = {
    "initiative": {"facilitator", "admin"},
    "project": {"member", "partner", "facilitator", "admin"},  # the project's organisations
    "case": {"member", "partner", "facilitator", "admin"},  # not the regulator's contact
    "event": {"facilitator", "admin"},
}


def _user(world, role):
    return world.people[role]


def _client(world, role) -> Client:
    client = Client(raise_request_exception=False)
    if world.people[role] is not None:
        client.force_login(world.people[role])
    return client


def _scope_kwargs(world, scope):
    return {} if scope == "initiative" else {scope: world.objects[scope]}


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_who_sees_an_indicator(world, scope, role):
    indicator = world.objects[f"{scope}_indicator"]
    user = _user(world, role)
    seen = Indicator.objects.visible_to(user).filter(pk=indicator.pk).exists()
    assert seen == (role in SEES[scope])
    page = _client(world, role).get(f"/results/{indicator.pk}/")
    assert page.status_code == (200 if role in SEES[scope] else 404)
    listed = _client(world, role).get("/results/")
    assert (f"{scope} indicator" in listed.content.decode()) == (role in SEES[scope])
    api = _client(world, role).get(f"/api/results/indicators/{indicator.pk}")
    assert api.status_code == (200 if role in SEES[scope] else 404)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_who_adds_indicators_and_targets(world, scope, role):
    user = _user(world, role)
    indicator = world.objects[f"{scope}_indicator"]
    allowed = role in DEFINES[scope]
    before = (Indicator.objects.count(), Target.objects.count())
    if allowed:
        created = services.indicator_create(
            actor=user, title_en="Trucks sold", unit_en="trucks", **_scope_kwargs(world, scope)
        )
        services.target_add(
            actor=user,
            indicator=indicator,
            period_start=datetime.date(2027, 1, 1),
            period_end=datetime.date(2027, 12, 31),
            value=5,
        )
        assert created.scope == scope
        assert (Indicator.objects.count(), Target.objects.count()) == (before[0] + 1, before[1] + 1)
        Target.objects.filter(period_start=datetime.date(2027, 1, 1)).delete()
        created.delete()
        return
    with pytest.raises(PermissionDenied):
        services.indicator_create(
            actor=user, title_en="Trucks sold", unit_en="trucks", **_scope_kwargs(world, scope)
        )
    with pytest.raises(PermissionDenied):
        services.target_add(
            actor=user,
            indicator=indicator,
            period_start=datetime.date(2027, 1, 1),
            period_end=datetime.date(2027, 12, 31),
            value=5,
        )
    assert (Indicator.objects.count(), Target.objects.count()) == before


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", ROLES)
def test_who_records_actuals(world, scope, role):
    user = _user(world, role)
    indicator = world.objects[f"{scope}_indicator"]
    assert permissions.can_record(user, indicator) == (role in RECORDS[scope])
    before = Actual.objects.count()
    data = {
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "value": "40",
        "source_url": "https://example.org/report",
    }
    # over the API: 201 for those who may; 403 for those who see it; 404 (hidden) or 401
    answer = _client(world, role).post(
        f"/api/results/indicators/{indicator.pk}/actuals",
        json.dumps(data),
        content_type="application/json",
    )
    if role in RECORDS[scope]:
        assert answer.status_code == 201, answer.content
        assert Actual.objects.count() == before + 1
        Actual.objects.filter(pk=answer.json()["id"]).delete()
        return
    expected = 401 if role == "anon" else 403 if role in SEES[scope] else 404
    assert answer.status_code == expected
    # and through the service directly, whatever the page or API would have hidden
    with pytest.raises(PermissionDenied):
        services.actual_record(
            actor=user,
            indicator=indicator,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 6, 30),
            value=40,
            source_url="https://example.org/report",
        )
    assert Actual.objects.count() == before


@pytest.mark.parametrize("role", ROLES)
def test_the_record_form_is_refused_to_whoever_may_not_record(world, role):
    indicator = world.objects["case_indicator"]
    before = Actual.objects.filter(indicator=indicator).count()
    answer = _client(world, role).post(
        f"/results/{indicator.pk}/actuals/new/",
        {
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "value": "40",
            "source_url": "https://example.org/report",
        },
    )
    if role == "anon":
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
    elif role in RECORDS["case"]:
        assert answer.status_code == 302
        assert Actual.objects.filter(indicator=indicator).count() == before + 1
        Actual.objects.filter(indicator=indicator, source_url="https://example.org/report").delete()
    elif role in SEES["case"]:
        assert answer.status_code == 403
        assert "Only the applicant, the facilitator, the local partner" in answer.content.decode()
    else:
        assert answer.status_code == 404
    assert Actual.objects.filter(indicator=indicator).count() == before


def test_nobody_is_not_an_actor(world):
    indicator = world.objects["initiative_indicator"]
    with pytest.raises(PermissionDenied):
        services.indicator_create(actor=None, title_en="x", unit_en="y")
    with pytest.raises(PermissionDenied):
        services.actual_record(
            actor=None,
            indicator=indicator,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 1, 2),
            value=1,
            source_url="https://example.org",
        )
