"""The dashboard's summary (`queries.dashboard_summary`, read as plain rows so that it stays
fast with many indicators) counts exactly what the indicator list shows, for every role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from corridor.results import queries
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
