"""Cells of the spreadsheets Corridor writes (CSV and XLSX exports, templates).

A spreadsheet program runs a cell that begins with =, +, - or @ as a formula, and some also
when a tab or a carriage return comes first, so text a person typed into a project
(`=HYPERLINK("http://…", "click")`) could run on the computer of whoever opens the export.
`safe_cell` writes such text with a leading apostrophe, which spreadsheet programs read as
"this is text" and do not show. Numbers stay numbers: a value that is a number (an int, a
Decimal, a float), or text that is only a plain number such as "-12.50", is no formula, and
an apostrophe would turn it into text that no longer adds up.
"""

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


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
