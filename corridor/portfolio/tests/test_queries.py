"""Filters, totals and breakdowns of the portfolio (queries.py)."""

import csv
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from corridor.core.actors import SYSTEM
from corridor.portfolio import queries, services
from corridor.portfolio.models import Project
from corridor.portfolio.queries import ProjectFilter
from corridor.testing.factories import (
    FxRateFactory,
    InnovationFactory,
    OrganisationFactory,
    ProjectFactory,
    PublishedFigureFactory,
    sector,
)

pytestmark = pytest.mark.django_db


def titles(queryset) -> list[str]:
    return sorted(queryset.values_list("title_en", flat=True))


@pytest.fixture
def three_projects(enterprise, other_enterprise):
    ProjectFactory(
        title_en="International Data Channel",
        title_zh="国际数据通道",
        kind="g2g",
        status="in_progress",
        sector=sector("ict"),
        lead_side="joint",
        signed_on=datetime.date(2019, 9, 1),
        signed_year=2019,
        owner=enterprise,
    )
    ProjectFactory(
        title_en="Raffles City Chongqing",
        title_zh="重庆来福士",
        kind="commercial",
        status="completed",
        sector=sector("other"),
        lead_side="singapore",
        signed_on=datetime.date(2012, 1, 1),
        signed_year=2012,
        owner=other_enterprise,
        is_synthetic=False,
    )
    ProjectFactory(
        title_en="Electric vans to Singapore",
        title_zh="电动货车出口新加坡",
        kind="commercial",
        status="signed",
        sector=sector("manufacturing"),
        lead_side="china",
        signed_on=datetime.date(2024, 3, 15),
        signed_year=2024,
        owner=enterprise,
        is_published=False,
        is_synthetic=True,
    )


@pytest.mark.parametrize(
    "params, expected",
    [
        (
            {},
            ["Electric vans to Singapore", "International Data Channel", "Raffles City Chongqing"],
        ),
        ({"q": "data channel"}, ["International Data Channel"]),
        ({"q": "来福士"}, ["Raffles City Chongqing"]),
        ({"q": "data 来福士"}, []),
        ({"kind": "commercial"}, ["Electric vans to Singapore", "Raffles City Chongqing"]),
        ({"status": "completed"}, ["Raffles City Chongqing"]),
        ({"sector": "ict"}, ["International Data Channel"]),
        ({"side": "china"}, ["Electric vans to Singapore"]),
        ({"year": "2019"}, ["International Data Channel"]),
        (
            {"signed_from": "2019-01-01"},
            ["Electric vans to Singapore", "International Data Channel"],
        ),
        ({"signed_to": "2019-09-01"}, ["International Data Channel", "Raffles City Chongqing"]),
        ({"published": "no"}, ["Electric vans to Singapore"]),
        ({"synthetic": "yes"}, ["Electric vans to Singapore"]),
        ({"kind": "commercial", "year": "2024"}, ["Electric vans to Singapore"]),
    ],
)
def test_project_filter_applies_each_filter(three_projects, params, expected):
    filtered = queries.project_filter(Project.objects.all(), ProjectFilter.from_params(params))
    assert titles(filtered) == expected


def test_project_filter_by_owner(three_projects, other_enterprise):
    filters = ProjectFilter.from_params({"owner": str(other_enterprise.pk)})
    filtered = queries.project_filter(Project.objects.all(), filters)
    assert titles(filtered) == ["Raffles City Chongqing"]
    assert filters.understood() == {"owner": other_enterprise.pk}


def test_project_filter_ignores_values_it_cannot_understand(three_projects):
    params = {"kind": "spaceship", "year": "last year", "signed_from": "2019-13-45", "q": "  "}
    filters = ProjectFilter.from_params(params)
    assert filters == ProjectFilter()
    assert filters.understood() == {}
    assert queries.project_filter(Project.objects.all(), filters).count() == 3


def test_project_filter_reports_cleaned_filters(three_projects):
    filters = ProjectFilter.from_params(
        {"q": "  data   channel ", "year": "2019", "published": "yes", "signed_to": "2020-01-31"},
    )
    assert filters.understood() == {
        "q": "data channel",
        "year": 2019,
        "published": True,
        "signed_to": datetime.date(2020, 1, 31),
    }


@pytest.mark.parametrize(
    "params, expected",
    [
        (
            {},
            ["Electric vans to Singapore", "International Data Channel", "Raffles City Chongqing"],
        ),
        ({"kind": "commercial"}, ["Electric vans to Singapore", "Raffles City Chongqing"]),
        ({"published": "true", "q": " channel "}, ["International Data Channel"]),
        (
            {"status": "completed", "side": "singapore", "sector": "other", "year": "2012"},
            ["Raffles City Chongqing"],
        ),
        ({"kind": "commercial", "sector": "ict"}, []),
    ],
)
def test_page_api_and_csv_give_the_same_projects_for_the_same_filter(
    client, admin_user, three_projects, params, expected
):
    client.force_login(admin_user)
    page = client.get(reverse("portfolio:project_list"), params)
    assert sorted(p.title_en for p in page.context["projects"]) == expected
    api = client.get("/api/portfolio/projects", params)
    assert api.status_code == 200, api.content
    assert sorted(item["title_en"] for item in api.json()["items"]) == expected
    export = client.get(reverse("portfolio:project_export_csv"), params)
    rows = list(csv.reader(b"".join(export.streaming_content).decode("utf-8-sig").splitlines()))
    assert sorted(row[2] for row in rows[1:]) == expected


def test_project_order_by_value_and_date(three_projects):
    Project.objects.filter(title_en="Raffles City Chongqing").update(value_usd=Decimal("5"))
    ordered, sort = queries.project_order(Project.objects.all(), "value")
    assert sort == "value"
    assert ordered.first().title_en == "Raffles City Chongqing"
    ordered, sort = queries.project_order(Project.objects.all(), "nonsense")
    assert sort == "-signed_on"
    assert list(ordered.values_list("title_en", flat=True)) == [
        "Electric vans to Singapore",
        "International Data Channel",
        "Raffles City Chongqing",
    ]


def _record(owner, title, value, currency="USD", parent="", **extra):
    return services.project_create(
        actor=SYSTEM,
        owner=owner,
        data=services.ProjectInput(
            title_en=title,
            kind=extra.pop("kind", "commercial"),
            sector=extra.pop("sector", "ict"),
            value=value,
            currency=currency if value is not None else "",
            signed_on=extra.pop("signed_on", datetime.date(2021, 5, 1)),
            parent_external_id=parent,
            **extra,
        ),
    )


def test_totals_do_not_count_a_sub_project_twice(enterprise):
    framework = _record(enterprise, "Framework agreement", Decimal("10000000"))
    _record(enterprise, "Sub-project A", Decimal("4000000"), parent=framework.external_id)
    _record(enterprise, "Sub-project B", Decimal("3000000"), parent=framework.external_id)
    _record(enterprise, "Standalone", Decimal("500000"))

    totals = queries.dashboard_figures(Project.objects.all()).totals

    assert totals.projects == 4
    assert totals.value_usd == Decimal("10500000.00")
    assert totals.sub_projects == 2
    assert totals.without_value == 0


def test_sub_project_counts_when_its_framework_states_no_value(enterprise):
    framework = _record(enterprise, "Framework without value", None)
    _record(enterprise, "Sub-project", Decimal("2500000"), parent=framework.external_id)

    totals = queries.dashboard_figures(Project.objects.all()).totals

    assert totals.value_usd == Decimal("2500000.00")
    assert totals.without_value == 1
    assert totals.sub_projects == 1


def test_value_in_another_currency_uses_the_dated_rate(enterprise):
    FxRateFactory(currency="SGD", date=datetime.date(2020, 1, 1), usd_per_unit=Decimal("0.74"))
    FxRateFactory(currency="SGD", date=datetime.date(2021, 1, 1), usd_per_unit=Decimal("0.75"))
    _record(enterprise, "In Singapore dollars", Decimal("1000000"), currency="SGD")
    _record(enterprise, "No rate known", Decimal("1000000"), currency="CNY")

    totals = queries.dashboard_figures(Project.objects.all()).totals

    assert totals.value_usd == Decimal("750000.00")
    assert totals.without_value == 1


def test_breakdowns_are_exact(enterprise):
    ProjectFactory(
        kind="g2g",
        status="signed",
        sector=sector("ict"),
        lead_side="china",
        signed_on=datetime.date(2019, 1, 1),
        value=Decimal("100"),
        owner=enterprise,
    )
    ProjectFactory(
        kind="g2g",
        status="completed",
        sector=sector("ict"),
        lead_side="joint",
        signed_on=datetime.date(2019, 6, 1),
        value=Decimal("250"),
        owner=enterprise,
    )
    ProjectFactory(
        kind="financing",
        status="completed",
        sector=sector("aviation"),
        lead_side="joint",
        signed_on=datetime.date(2021, 6, 1),
        value=Decimal("1000"),
        owner=enterprise,
    )
    ProjectFactory(
        kind="commercial",
        status="signed",
        sector=sector("aviation"),
        lead_side="singapore",
        signed_on=None,
        signed_year=None,
        value=None,
        value_usd=None,
        counted_value_usd=None,
        owner=enterprise,
    )

    figures = queries.dashboard_figures(Project.objects.all())

    def rows(breakdown):
        return [(row.code, row.projects, row.value_usd) for row in breakdown]

    assert rows(figures.by_year) == [
        ("2019", 2, Decimal("350")),
        ("2021", 1, Decimal("1000")),
        ("", 1, Decimal("0")),
    ]
    assert rows(figures.by_sector) == [
        ("aviation", 2, Decimal("1000")),
        ("ict", 2, Decimal("350")),
    ]
    assert rows(figures.by_kind) == [
        ("g2g", 2, Decimal("350")),
        ("g2b", 0, Decimal("0")),
        ("commercial", 1, Decimal("0")),
        ("financing", 1, Decimal("1000")),
    ]
    assert rows(figures.by_status) == [
        ("signed", 2, Decimal("100")),
        ("in_progress", 0, Decimal("0")),
        ("completed", 2, Decimal("1250")),
        ("suspended", 0, Decimal("0")),
        ("terminated", 0, Decimal("0")),
    ]
    assert rows(figures.by_side) == [
        ("china", 1, Decimal("100")),
        ("singapore", 1, Decimal("0")),
        ("joint", 2, Decimal("1250")),
        ("other", 0, Decimal("0")),
    ]
    assert figures.by_sector[0].label == "Aviation"


def test_published_figure_comparison_uses_the_figures_scope(enterprise):
    as_of = datetime.date(2025, 11, 7)
    ProjectFactory(kind="g2g", signed_on=datetime.date(2020, 1, 1), value=Decimal("1000"))
    ProjectFactory(kind="commercial", signed_on=datetime.date(2025, 11, 7), value=Decimal("500"))
    ProjectFactory(kind="financing", signed_on=datetime.date(2024, 1, 1), value=Decimal("70"))
    ProjectFactory(kind="g2g", signed_on=datetime.date(2025, 11, 8), value=Decimal("9"))  # too late
    InnovationFactory(adopted_on=datetime.date(2018, 1, 1))
    InnovationFactory(adopted_on=datetime.date(2026, 1, 1))  # after the figure's date
    PublishedFigureFactory(
        metric="project_count", value=Decimal("347"), as_of=as_of, kinds=["g2g", "commercial"]
    )
    PublishedFigureFactory(metric="project_value_usd", value=Decimal("1000"), as_of=as_of, kinds=[])
    PublishedFigureFactory(metric="innovation_count", value=Decimal("33"), as_of=as_of)

    comparisons = {c.figure.metric: c for c in queries.published_figure_comparison()}

    assert comparisons["project_count"].registry == 2
    assert comparisons["project_count"].difference == -345
    assert comparisons["project_value_usd"].registry == Decimal("1570")
    assert comparisons["project_value_usd"].difference == Decimal("570")
    assert comparisons["innovation_count"].registry == 1
    assert comparisons["innovation_count"].difference == -32


def test_innovation_filter(enterprise):
    InnovationFactory(
        title_en="Single window",
        title_zh="单一窗口",
        category="trade",
        adopted_on=datetime.date(2019, 3, 1),
    )
    InnovationFactory(
        title_en="Cross-border financing",
        title_zh="跨境融资",
        category="finance",
        adopted_on=datetime.date(2020, 3, 1),
    )
    from corridor.portfolio.models import Innovation

    def found(params):
        qs, _f = queries.innovation_filter(Innovation.objects.all(), params)
        return sorted(qs.values_list("title_en", flat=True))

    assert found({"q": "窗口"}) == ["Single window"]
    assert found({"category": "finance"}) == ["Cross-border financing"]
    assert found({"year": "2019"}) == ["Single window"]
    assert found({"category": "nonsense"}) == ["Cross-border financing", "Single window"]


def test_innovations_visible_to(admin_user, owner):
    InnovationFactory(title_en="Published")
    InnovationFactory(title_en="Draft", is_published=False)
    assert titles(queries.innovations_visible_to(owner)) == ["Published"]
    assert titles(queries.innovations_visible_to(admin_user)) == ["Draft", "Published"]


def test_other_organisation_has_its_own_owner(other_enterprise):
    # a guard for the fixtures used above: the two enterprises are distinct organisations
    assert OrganisationFactory().pk != other_enterprise.pk
