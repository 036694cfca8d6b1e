"""Cells of the spreadsheets Corridor writes (CSV and XLSX exports, templates), and the
response that writes one table as CSV or XLSX.

A spreadsheet program runs a cell that begins with =, +, - or @ as a formula, and some also
when a tab or a carriage return comes first, so text a person typed into a project
(`=HYPERLINK("http://…", "click")`) could run on the computer of whoever opens the export.
`safe_cell` writes such text with a leading apostrophe, which spreadsheet programs read as
"this is text" and do not show. Numbers stay numbers: a value that is a number (an int, a
Decimal, a float), or text that is only a plain number such as "-12.50", is no formula, and
an apostrophe would turn it into text that no longer adds up.

Every list page exports what it lists: the app's `exports.py` turns the page's filtered
queryset into `(headers, rows)`, and `table_response` writes them in either format, every
cell through `safe_cell`:

    def project_export(request, fmt):
        with translation.override(export_language(request)):
            headers, rows = exports.project_table(the_pages_queryset(request))
            return table_response("projects", headers, rows, fmt)

Rows hold plain values: text, numbers (int, Decimal), dates and datetimes, None for an empty
cell. CSV writes dates as ISO 8601 and datetimes in the site's time zone ("2026-03-10
09:20"); XLSX keeps numbers and dates as numbers and dates, so they sort and add up. `export_paths`
gives a list's two URLs (`<route>.csv`, `<route>.xlsx`), and the `export_links` template tag
the page's "Export: CSV · XLSX" links carrying its filters.
"""

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.urls import URLPattern, path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from corridor.core.bilingual import bilingual

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")

FORMATS = ("csv", "xlsx")
CSV_CHUNK = 200  # rows per piece of a streamed CSV
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def safe_cell(value: Any) -> Any:
    """The value to write into a CSV or XLSX cell: text a spreadsheet would run as a formula
    gets a leading apostrophe; anything else is returned unchanged."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_row(values) -> list[Any]:
    return [safe_cell(value) for value in values]


# --- which language --------------------------------------------------------------------------


def export_language(request) -> str:
    """The language an export is written in: `?lang=en` or `?lang=zh-hans` (also `zh`) when
    given, otherwise the page's (the person's stored language, the language cookie, the
    browser's)."""
    asked = request.GET.get("lang", "")
    if asked:
        try:
            return translation.get_supported_language_variant(asked)
        except LookupError:
            pass
    return translation.get_language()


# --- cells -----------------------------------------------------------------------------------


def _local(value: datetime.datetime) -> datetime.datetime:
    """A datetime in the site's time zone, without its zone (XLSX has none), to the second."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None, microsecond=0)


def csv_text(value: Any) -> str:
    """A value as the text of a CSV cell (before `safe_cell`)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return _local(value).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def xlsx_value(value: Any) -> Any:
    """A value as an XLSX cell holds it: numbers and dates kept, other values as text
    without the control characters the format cannot hold (before `safe_cell`)."""
    if value is None or isinstance(value, (int, float, Decimal, datetime.date)):
        return _local(value) if isinstance(value, datetime.datetime) else value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


# --- the response ----------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write returns the line, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def file_name(name: str, fmt: str) -> str:
    """`corridor-<name>-<today>.<fmt>`: what the downloaded file is called."""
    return f"corridor-{name}-{timezone.localdate():%Y%m%d}.{fmt}"


def _attachment(response: HttpResponse, name: str, fmt: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{file_name(name, fmt)}"'
    return response


def _csv_response(headers, rows, language: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # byte order mark: Excel then reads the file as UTF-8 (Chinese intact)
        yield writer.writerow([safe_cell(csv_text(h)) for h in headers])
        # The rows are read while the response streams, after the view returned: in the
        # export's language, so that labels and names stay in it. Sent CSV_CHUNK rows at a
        # time.
        with translation.override(language):
            lines = []
            for row in rows:
                lines.append(writer.writerow([safe_cell(csv_text(value)) for value in row]))
                if len(lines) == CSV_CHUNK:
                    yield "".join(lines)
                    lines = []
            if lines:
                yield "".join(lines)

    return StreamingHttpResponse(lines(), content_type=CONTENT_TYPES["csv"])


def sheet_title(title: str) -> str:
    """A worksheet's name as XLSX allows it: at most 31 characters, none of []:*?/\\."""
    return _SHEET_TITLE_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"


def xlsx_bytes(headers: Sequence, rows: Iterable[Sequence], *, title: str = "") -> bytes:
    """One worksheet: the headers in bold on a frozen first row, then the rows."""
    return xlsx_workbook([(title, headers, rows)])


def xlsx_workbook(
    sheets: Iterable[tuple[str, Sequence, Iterable[Sequence]]], **properties: str
) -> bytes:
    """A workbook of (title, headers, rows) worksheets, each with its headers in bold on a
    frozen first row, then its rows; every cell through `safe_cell`. `properties` are the
    document's own (title, subject...)."""
    workbook = Workbook(write_only=True)
    for name, value in properties.items():
        setattr(workbook.properties, name, value)
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(sheet_title(title))
        sheet.freeze_panes = "A2"
        for index, header in enumerate(headers, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(
                max(len(str(header)) + 4, 12), 48
            )
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=safe_cell(xlsx_value(header)))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([safe_cell(xlsx_value(value)) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_response(
    name: str,
    headers: Sequence,
    rows: Iterable[Sequence],
    fmt: str,
    *,
    title: str = "",
    language: str | None = None,
) -> HttpResponse:
    """One table as a download: `fmt` "csv" (UTF-8 with a byte order mark, streamed) or
    "xlsx" (one worksheet named `title`), called `corridor-<name>-<today>.<fmt>`. Every cell
    goes through `safe_cell`. `rows` is read in `language` (the active one by default)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    language = language or translation.get_language()
    if fmt == "csv":
        return _attachment(_csv_response(headers, rows, language), name, fmt)
    with translation.override(language):
        content = xlsx_bytes(headers, rows, title=title or name)
    return _attachment(HttpResponse(content, content_type=CONTENT_TYPES["xlsx"]), name, fmt)


def export_paths(route: str, view: Callable, name: str) -> list[URLPattern]:
    """A list's two export URLs: `<route>.csv` named `<name>_csv` and `<route>.xlsx` named
    `<name>_xlsx`, both calling `view(request, ..., fmt=...)`."""
    return [path(f"{route}.{fmt}", view, {"fmt": fmt}, name=f"{name}_{fmt}") for fmt in FORMATS]


# --- columns several tables share ----------------------------------------------------------


def labels_of(choices) -> dict[str, str]:
    """Code → label of a `TextChoices`, in the active language, resolved now."""
    return {code: str(label) for code, label in choices.choices}


def coded(code: str, labels: dict[str, str]) -> list[str]:
    """The two cells of a coded column ("status code", "status"): the code and its label."""
    return [code, labels.get(code, code)]


def title_headers() -> list[str]:
    return [_("title"), _("title (English)"), _("title (Chinese)")]


def title_cells(record, language: str) -> list[str]:
    """A record's title in the reader's language, then in English and Chinese."""
    return [bilingual(record, "title", language), record.title_en, record.title_zh]


def yes_no(flag: bool) -> str:
    return _("yes") if flag else _("no")
