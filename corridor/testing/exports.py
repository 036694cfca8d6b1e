"""Reading back what an export wrote, as the person who downloads it would: the CSV as
text after its byte order mark, the XLSX through openpyxl, each as a list of rows (the
header first)."""

import csv
import io

from openpyxl import load_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_table(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "no byte order mark: Excel would not read it as UTF-8"
    return list(csv.reader(io.StringIO(body[1:])))


def xlsx_table(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def table(response) -> list[list]:
    """The rows of a CSV or XLSX export, by its content type."""
    if response["Content-Type"] == XLSX:
        return xlsx_table(response)
    return csv_table(response)


def records(response) -> list[dict]:
    """Each row of an export as {header: value}."""
    header, *rows = table(response)
    return [dict(zip(header, row, strict=True)) for row in rows]
