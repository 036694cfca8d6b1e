"""Benchmark of the shared export writer (corridor/core/exports.py): N rows shaped like the
project export (21 columns: text, Chinese text, codes, dates, Decimals, empty cells, and a
formula-like title every 50th row) written as CSV and as XLSX through `table_response`,
beside a baseline in the same process that writes the same rows with no formula safety and
no cell conversion (a bare csv.writer; a bare openpyxl write-only sheet). Prints the seconds,
rows per second and the file size (the XLSX is built in a write-only workbook, which keeps
its rows in a temporary file, so memory holds about one finished file).

No database: the writer is timed alone (the queries are the list page's, timed by
bench/portfolio.py).

    python bench/exports.py            # 20,000 rows
    python bench/exports.py --rows 100000
"""

import argparse
import csv
import datetime
import io
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
os.environ.setdefault("CORRIDOR_ALLOW_INSECURE_KEY", "1")

import django  # noqa: E402

django.setup()

from openpyxl import Workbook  # noqa: E402

from corridor.core.exports import table_response  # noqa: E402

HEADERS = [f"column {i}" for i in range(21)]


def make_rows(n: int) -> list[list]:
    rows = []
    for i in range(n):
        title = '=HYPERLINK("https://x.example","y")' if i % 50 == 0 else f"Project {i}"
        rows.append(
            [
                f"TEST-{i}",
                title,
                title,
                f"项目{i}",
                "commercial",
                "commercial",
                "signed",
                "signed",
                "ict",
                "Information and communications technology",
                "CN",
                "Chinese side",
                datetime.date(2020, 1, 1) + datetime.timedelta(days=i % 2000),
                Decimal("1250000.50") + i,
                "USD",
                Decimal("1250000.50") + i,
                None if i % 3 else Decimal("0"),
                None,
                "",
                "Qingling Motors",
                "yes",
            ]
        )
    return rows


def timed(write) -> tuple[float, int]:
    started = time.perf_counter()
    size = write()
    return time.perf_counter() - started, size


def baseline_csv(rows) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return len(buffer.getvalue().encode())


def shared_csv(rows) -> int:
    response = table_response("bench", HEADERS, iter(rows), "csv")
    return sum(len(chunk) for chunk in response.streaming_content)


def baseline_xlsx(rows) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("bench")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return len(buffer.getvalue())


def shared_xlsx(rows) -> int:
    return len(table_response("bench", HEADERS, iter(rows), "xlsx").content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    n = parser.parse_args().rows
    rows = make_rows(n)
    print(f"{n:,} rows × {len(HEADERS)} columns")
    print(f"{'':32} {'seconds':>8} {'rows/s':>9} {'bytes':>11}")
    for label, write in (
        ("CSV, baseline (bare csv.writer)", baseline_csv),
        ("CSV, table_response", shared_csv),
        ("XLSX, baseline (bare openpyxl)", baseline_xlsx),
        ("XLSX, table_response", shared_xlsx),
    ):
        seconds, size = timed(lambda write=write: write(rows))
        print(f"{label:32} {seconds:8.2f} {n / seconds:9,.0f} {size:11,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
