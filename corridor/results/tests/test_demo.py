"""The results demo: a target is never a value. The Dejia agreement's "US$10.8 million of
exports expected by 2026" is that project's export target, sourced like the project, and the
portfolio's totals and charts are the same with or without it; the other demo indicators
measure the other demos' records, labelled synthetic, and a second load changes nothing."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import Client

from corridor.directory.demo import load_directory_demo
from corridor.events.demo import load_events_demo
from corridor.portfolio import queries as portfolio_queries
from corridor.portfolio.demo import load_demo
from corridor.portfolio.models import Project
from corridor.results.demo import load_results_demo
from corridor.results.models import Actual, Indicator, Target

pytestmark = pytest.mark.django_db

DEJIA = "CCI-DEMO-REAL-2025-DEJIA-MEAT-EXPORTS"


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def dashboard_figures():
    return portfolio_queries.dashboard_figures(Project.objects.visible_to(AnonymousUser()))


def test_the_dejia_export_expectation_is_a_target_and_never_a_value(fast_passwords):
    load_demo()
    project = Project.objects.get(external_id=DEJIA)
    assert (project.value, project.value_usd, project.counted_value_usd) == (None, None, None)
    assert "US$10.8 million of exports by 2026" in project.description_en  # the text stays
    before = dashboard_figures()
    page_before = Client().get("/").content.decode()

    load_results_demo(only={"dejia-exports"})

    indicator = Indicator.objects.get(project=project)
    assert (indicator.unit_en, indicator.is_synthetic) == ("US$", False)
    target = Target.objects.get(indicator=indicator)
    assert (target.period_end, target.value) == (date(2026, 12, 31), Decimal("10800000.00"))
    assert target.source_url == project.source_url == indicator.source_url
    assert not Actual.objects.filter(indicator=indicator).exists()  # no sourced figure
    # the totals, the groupings behind every chart and the page's totals do not move
    after = dashboard_figures()
    assert after.totals == before.totals
    assert after.by_year == before.by_year and after.by_sector == before.by_sector
    page_after = Client().get("/").content.decode()

    def kpi(html, name):
        return html.split(f'id="kpi-{name}">', 1)[1].split("<", 1)[0]

    assert kpi(page_after, "value") == kpi(page_before, "value")
    assert kpi(page_after, "projects") == kpi(page_before, "projects")
    assert "10,800,000" not in page_after.split('id="results-summary"', 1)[0]


def test_the_whole_demo_measures_the_other_demos_records(fast_passwords, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for command in ("load_demo", "load_standards_demo", "load_cases_demo"):
        call_command(command, stdout=StringIO())
    load_directory_demo(embed=False)
    load_events_demo(time_limit=3)
    out = StringIO()
    call_command("load_results_demo", stdout=out)
    assert "Indicators created: 5" in out.getvalue()

    synthetic = Indicator.objects.filter(is_synthetic=True)
    assert synthetic.count() == 4
    assert all(i.title_en.startswith("[Synthetic] ") for i in synthetic)
    assert all(i.title_zh.startswith("【模拟】") for i in synthetic)
    measured = {
        a.indicator.feed: a.value
        for a in Actual.objects.filter(from_feed=True).select_related("indicator")
        if a.period_end != date(2025, 6, 30)
    }
    assert measured["cases_approved"] == 2  # Dejia and CQAPG, approved in March 2025
    assert measured["meetings_held"] > 100
    assert (
        measured["projects_signed"]
        == Project.objects.filter(is_published=True, signed_on__lte=date(2025, 11, 30)).count()
    )
    counts = (Indicator.objects.count(), Target.objects.count(), Actual.objects.count())
    again = StringIO()
    call_command("load_results_demo", stdout=again)
    assert "nothing changed" in again.getvalue()
    assert (Indicator.objects.count(), Target.objects.count(), Actual.objects.count()) == counts
