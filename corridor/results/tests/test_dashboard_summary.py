"""The dashboard's summary (`queries.dashboard_summary`, read as plain rows so that it stays
fast with many indicators) counts exactly what the indicator list shows, for every role."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from corridor.core.actors import SYSTEM
from corridor.results import queries, services
from corridor.testing.world import ROLES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_the_summary_counts_what_the_list_shows(world, role):
    user = world.people[role] or AnonymousUser()

    rows = queries.indicator_rows(user, queries.IndicatorFilter())
    summary = queries.dashboard_summary(user)

    assert summary.total == len(rows)
    assert summary.counts == queries.status_counts(rows)
    initiative = [r for r in rows if r.indicator.scope == "initiative"][:6]
    assert [(r.indicator.pk, r.progress) for r in summary.initiative_rows] == [
        (r.indicator.pk, r.progress) for r in initiative
    ]


def test_the_summary_follows_a_new_indicator_and_its_actual_at_once(world):
    admin = world.people["admin"]
    before = queries.dashboard_summary(admin).counts
    today = timezone.localdate()
    indicator = services.indicator_create(actor=SYSTEM, title_en="Summary check", unit_en="x")
    services.target_add(
        actor=SYSTEM,
        indicator=indicator,
        period_start=today - datetime.timedelta(days=10),
        period_end=today + datetime.timedelta(days=10),
        value=10,
    )

    waiting = queries.dashboard_summary(admin).counts
    assert waiting == {**before, "no_data": before["no_data"] + 1}

    services.actual_record(
        actor=SYSTEM,
        indicator=indicator,
        period_start=today - datetime.timedelta(days=10),
        period_end=today,
        value=10,
        source_url="https://example.org/summary-check",
    )

    assert queries.dashboard_summary(admin).counts == {**before, "on_track": before["on_track"] + 1}
