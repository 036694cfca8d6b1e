"""The indicator list exported as CSV and XLSX: the page's rows and filters, only what the
person may see, formula-safe cells, headers in the export's language."""

import pytest

from corridor.core.actors import SYSTEM
from corridor.results import services
from corridor.results.tests.test_pages import client_of, rows_of
from corridor.testing.exports import records, table

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_holds_the_rows_of_the_page_with_its_filters(world, fmt):
    admin = client_of(world, "admin")
    for query in ("", "?scope=case", "?status=no_data"):
        page_titles = sorted(
            row.split(" indicator")[0]
            for row in rows_of(admin.get(f"/results/{query}").content.decode())
        )
        exported = records(admin.get(f"/results/export.{fmt}{query}"))
        assert sorted(r["title"].split(" indicator")[0] for r in exported) == page_titles
    case_rows = records(admin.get(f"/results/export.{fmt}?scope=case"))
    assert [r["scope code"] for r in case_rows] == ["case"]
    assert case_rows[0]["title (English)"] == "case indicator"
    only_no_data = records(admin.get(f"/results/export.{fmt}?status=no_data"))
    assert {r["status code"] for r in only_no_data} == {"no_data"}
    assert {r["status"] for r in only_no_data} == {"no actual yet"}


@pytest.mark.parametrize("role", ["anon", "outsider", "loner"])
def test_an_export_never_holds_an_indicator_the_person_may_not_see(world, role):
    page = rows_of(client_of(world, role).get("/results/").content.decode())
    exported = records(client_of(world, role).get("/results/export.csv"))
    assert len(exported) == len(page)
    titles = {r["title"] for r in exported}
    assert "project indicator" not in titles and "case indicator" not in titles


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_title_that_looks_like_a_formula_is_written_as_text(world, fmt):
    services.indicator_create(
        actor=SYSTEM, title_en='=HYPERLINK("http://evil.example","x")', unit_en="things"
    )
    exported = records(client_of(world, "admin").get(f"/results/export.{fmt}?q=HYPERLINK"))
    assert [r["title (English)"] for r in exported] == ['\'=HYPERLINK("http://evil.example","x")']


def test_headers_follow_the_export_language(world):
    header = table(client_of(world, "admin").get("/results/export.csv?lang=zh-hans"))[0]
    assert header[0] == "标题" and "状态" in header


def test_scope_labels_follow_the_export_language(world):
    exported = records(
        client_of(world, "admin").get("/results/export.csv?lang=zh-hans&scope=initiative")
    )
    assert exported and all(r["范围"] == "整个倡议" for r in exported)
