"""The dashboard: totals, charts, published figures, and a query count that does not grow."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from corridor.core.actors import SYSTEM
from corridor.portfolio import services
from corridor.testing.factories import (
    InnovationFactory,
    ProjectFactory,
    PublishedFigureFactory,
    sector,
)

pytestmark = pytest.mark.django_db


def make_projects(count: int, owner) -> None:
    sectors = [sector("ict"), sector("aviation"), sector("health")]
    kinds = ["g2g", "g2b", "commercial", "financing"]
    statuses = ["signed", "in_progress", "completed"]
    for i in range(count):
        ProjectFactory(
            kind=kinds[i % 4],
            status=statuses[i % 3],
            sector=sectors[i % 3],
            lead_side=["china", "singapore", "joint"][i % 3],
            signed_on=datetime.date(2016 + i % 9, 1 + i % 12, 1),
            owner=owner,
            is_published=i % 5 != 0,
        )


def test_dashboard_shows_totals_and_the_no_double_count_sentence(client, enterprise):
    parent = services.project_create(
        actor=SYSTEM,
        owner=enterprise,
        data=services.ProjectInput(
            title_en="Framework",
            kind="g2g",
            sector="ict",
            value=Decimal("26000000000"),
            currency="USD",
            signed_on=datetime.date(2015, 11, 7),
        ),
    )
    services.project_create(
        actor=SYSTEM,
        owner=enterprise,
        data=services.ProjectInput(
            title_en="Sub",
            kind="g2g",
            sector="ict",
            value=Decimal("1000000000"),
            currency="USD",
            signed_on=datetime.date(2016, 1, 1),
            parent_external_id=parent.external_id,
        ),
    )
    from corridor.portfolio.models import Project

    Project.objects.update(is_published=True)
    InnovationFactory.create_batch(3)

    text = client.get(reverse("portfolio:dashboard")).text

    assert '<div class="value" id="kpi-projects">2</div>' in text
    assert '<div class="value" id="kpi-value">US$26.0 bn</div>' in text
    assert '<div class="value" id="kpi-innovations">3</div>' in text
    assert "of which 1 is a sub-project of a framework agreement" in text
    assert "Totals count every value once" in text
    assert "dated exchange rate in force on each project" in text


def test_dashboard_filters_change_the_totals(client, enterprise):
    ProjectFactory(sector=sector("ict"), value=Decimal("100"), owner=enterprise)
    ProjectFactory(sector=sector("aviation"), value=Decimal("50"), owner=enterprise)
    response = client.get(reverse("portfolio:dashboard"), {"sector": "aviation"})
    assert response.context["figures"].totals.projects == 1
    assert response.context["figures"].totals.value_usd == Decimal("50")
    assert 'href="/projects/export.csv?sector=aviation"' in response.text


def test_dashboard_draws_labelled_svg_charts(client, enterprise):
    ProjectFactory(
        sector=sector("ict"),
        kind="g2g",
        value=Decimal("2000000"),
        owner=enterprise,
        signed_on=datetime.date(2019, 9, 1),
    )
    text = client.get(reverse("portfolio:dashboard")).text
    assert text.count("<svg") == 5
    assert '<figcaption id="chart-2-title">Projects by sector</figcaption>' in text
    assert "<title>Information and communications technology: 1 project · US$2.0 m</title>" in text
    assert "<title>2019: 1 project · US$2.0 m</title>" in text


def test_dashboard_charts_in_chinese_use_chinese_labels(client, enterprise):
    ProjectFactory(sector=sector("ict"), owner=enterprise)
    client.cookies["django_language"] = "zh-hans"
    text = client.get(reverse("portfolio:dashboard")).text
    assert ">信息通信技术</text>" in text


def test_dashboard_shows_published_figures_beside_the_registry(client, enterprise):
    ProjectFactory.create_batch(
        2, kind="g2g", owner=enterprise, signed_on=datetime.date(2020, 1, 1)
    )
    PublishedFigureFactory(
        metric="project_count", value=Decimal("347"), as_of=datetime.date(2025, 11, 7)
    )
    response = client.get(reverse("portfolio:dashboard"))
    (comparison,) = response.context["comparisons"]
    assert comparison.registry == 2
    assert comparison.difference == -345
    assert (
        '<td class="num" data-label="Difference (registry − published)">−345</td>' in response.text
    )
    assert "People&#x27;s Daily" in response.text


@pytest.mark.parametrize("count", [5, 50])
def test_dashboard_query_count_does_not_grow(client, enterprise, count, django_assert_num_queries):
    make_projects(count, enterprise)
    PublishedFigureFactory(metric="project_count")
    PublishedFigureFactory(metric="innovation_count")
    # filter choices (sectors, owners), two groupings of the projects, sector names,
    # innovations, published figures and their two aggregates, and the indicators of the
    # results framework's summary (corridor/results: none here)
    with django_assert_num_queries(10):
        response = client.get(reverse("portfolio:dashboard"), {"status": "signed"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_list_query_count_does_not_grow(
    client, owner, enterprise, count, django_assert_num_queries
):
    make_projects(count, enterprise)
    client.force_login(owner)
    # session, user, memberships, filter choices (sectors, owners), count, page, the
    # number of changes waiting for publication, and the unread notifications in the header
    with django_assert_num_queries(9):
        response = client.get(reverse("portfolio:project_list"), {"sector": "ict"})
    assert len(response.context["projects"]) == min(25, (count + 2) // 3)
