"""The list of cases out to CSV and XLSX: exactly the cases the list shows for the same
filter, only the cases the person takes part in (another organisation's member, a partner, a
regulator each see theirs; anonymous visitors are sent to log in), every cell formula-safe,
headers in the reader's language."""

import datetime

import pytest
from django.urls import reverse

from corridor.cases import services
from corridor.cases.models import Case
from corridor.cases.tests.test_permissions import van_case
from corridor.testing.exports import csv_table, records, table, xlsx_table
from corridor.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx"]


def export(client, fmt: str, params=None):
    return client.get(reverse(f"cases:case_export_{fmt}"), params or {})


@pytest.fixture
def van(facilitator, owner, enterprise):
    """Qingling's case (to Singapore), made active; its partner and regulator take part."""
    van = van_case(facilitator, owner, enterprise)
    services.case_transition(
        actor=facilitator,
        case=van.case,
        to_status=Case.Status.ACTIVE,
        reason="Ready to start",
        version=van.case.version,
    )
    return van


@pytest.fixture
def durian(facilitator, other_enterprise):
    """Motorway Group's case (to China), still a draft: Qingling's people take no part."""
    return services.case_open(
        actor=facilitator,
        applicant=other_enterprise,
        title_en="Frozen durian to China",
        target_market="CN",
        product_name="Frozen durian",
    )


def references(response) -> list[str]:
    return [row["reference"] for row in records(response)]


def page_references(client, params) -> list[str]:
    return [c.reference for c in client.get(reverse("cases:case_list"), params).context["cases"]]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"market": "SG"},
        {"market": "cn"},
        {"status": "active"},
        {"status": "draft", "kind": "enterprise"},
        {"role": "facilitator"},
        {"status": "approved"},  # nothing
        {"market": "Singapore"},  # not understood: the page ignores it, so does the export
    ],
)
def test_a_filtered_export_holds_exactly_the_pages_cases(
    client, facilitator, van, durian, params, fmt
):
    client.force_login(facilitator)
    expected = page_references(client, params)
    assert references(export(client, fmt, params)) == expected
    if params == {"market": "SG"}:
        assert expected == [van.case.reference]


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_person_exports_only_the_cases_they_take_part_in(
    client, van, durian, outsider, owner, fmt
):
    seen = {
        "another organisation's member": (outsider, [durian.reference]),
        "the applicant's member": (owner, [van.case.reference]),
        "the partner": (van.partner, [van.case.reference]),
        "the regulator": (van.regulator, [van.case.reference]),
        "a person of no organisation": (UserFactory(username="loner"), []),
    }
    for who, (user, expected) in seen.items():
        client.force_login(user)
        assert references(export(client, fmt)) == expected, who
        # a filter cannot widen it
        assert references(export(client, fmt, {"market": "CN"})) == (
            [durian.reference] if user == outsider else []
        ), who


@pytest.mark.parametrize("fmt", FORMATS)
def test_anonymous_visitors_are_sent_to_log_in(client, van, fmt):
    response = export(client, fmt)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert van.case.reference.encode() not in response.content


def test_cells_in_both_formats_are_formula_safe(client, facilitator, enterprise):
    services.case_open(
        actor=facilitator,
        applicant=enterprise,
        title_en='=HYPERLINK("https://attacker.example","x")',
        title_zh="@SUM(1)",
        target_market="SG",
        product_name="+cmd",
        hs_code="870460",
    )
    client.force_login(facilitator)
    (csv_row,) = records(export(client, "csv"))
    (xlsx_row,) = records(export(client, "xlsx"))
    for row in (csv_row, xlsx_row):
        assert row["title (English)"] == '\'=HYPERLINK("https://attacker.example","x")'
        assert row["title (Chinese)"] == "'@SUM(1)"
        assert row["product"] == "'+cmd"
        assert row["HS code"] == "870460"
    assert isinstance(xlsx_row["opened at"], datetime.datetime)


@pytest.mark.parametrize("fmt", FORMATS)
def test_chinese_headers_and_names_with_lang(client, facilitator, van, fmt):
    client.force_login(facilitator)
    header, row = table(export(client, fmt, {"lang": "zh-hans"}))
    record = dict(zip(header, row, strict=True))
    assert header[:2] == ["编号", "标题"]
    assert record["标题"] == "EQ2电动货车出口新加坡"
    assert record["申请方"] == "庆铃汽车"
    assert record["状态"] == "进行中"
    assert record["状态代码"] == "active"


def test_chinese_headers_with_the_language_cookie(client, facilitator, van):
    client.cookies["django_language"] = "zh-hans"
    client.force_login(facilitator)
    header, row = xlsx_table(export(client, "xlsx"))
    assert header[0] == "编号"
    assert "新加坡" in row


def test_english_by_default(client, facilitator, van):
    client.force_login(facilitator)
    header, row = csv_table(export(client, "csv"))
    assert header[:3] == ["reference", "title", "title (English)"]
    assert row[8] == "Qingling Motors"
    assert row[12] == "Singapore"


def test_the_list_links_both_formats_with_its_filters(client, facilitator, van):
    client.force_login(facilitator)
    html = client.get(reverse("cases:case_list"), {"market": "SG", "page": "2"}).text
    for fmt in FORMATS:
        assert f'href="{reverse(f"cases:case_export_{fmt}")}?market=SG"' in html
