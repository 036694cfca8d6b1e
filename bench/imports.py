"""Benchmark of the project import (CSV): how fast it writes, and how long everyone else waits.

Makes a synthetic CSV of N rows (30,000 by default; 2% framework agreements, 5% of the rows
their sub-projects, one row in five with two parties, values in SGD, CNY and USD), then, in a
throwaway database:

1. imports it with `import_store.run_import` (check every row, then write in bulk, a chunk per
   transaction) while another process (as another app server would) makes a small write
   on its own connection (a login's `last_login` update, in its own transaction) every
   20 ms; prints the import's time (wall clock and this process's CPU time, which a busy
   machine does not inflate) and rows per second, and the concurrent writer's median and
   worst wait and its failures (a "database is locked" counts as one);
2. imports the same file again with every title changed (the update path), with the same
   concurrent writer;
3. beside them, in the same process, two baselines: a plain `bulk_create` of the same rows
   as bare projects (no checking, no parties, no status history, no audit), the floor of
   any import; and the old row-by-row path (`services.project_create` for each row, one
   transaction) on the first 1,000 rows, with its rows per second.

Targets: the import of 30,000 rows in under 5 s; no concurrent write waits 1 s or fails.

Runs on SQLite (a throwaway file under var/bench/) and, when PostgreSQL answers at
127.0.0.1:5432, on a throwaway PostgreSQL database; one child process per database.

    python bench/imports.py                  # 30,000 rows, SQLite and PostgreSQL
    python bench/imports.py --rows 5000      # smaller
    python bench/imports.py --database sqlite
"""

import csv
import io
import multiprocessing
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

import harness  # bench/harness.py: one child process per database, percentile

TARGET_SECONDS, TARGET_WAIT = 5.0, 1.0
ROW_BY_ROW_SAMPLE = 1000


def run(database: str, n_rows: int) -> None:
    """In a child process, with Django set up on a fresh `database` (see bench/harness.py)."""
    actor, organisations = load_fixtures()
    content = synthetic_csv(n_rows, organisations)
    print()
    print(f"== {database}: import of {n_rows:,} rows ({len(content) / 1e6:.1f} MB of CSV)")
    measure_import("new projects", actor, content, n_rows)
    changed = content.replace(b"Synthetic cooperation project", b"Renamed cooperation project")
    measure_import("every project updated", actor, changed, n_rows)
    print("   baselines in the same process:")
    baseline_bulk_create(actor, content, n_rows)
    baseline_row_by_row(actor, content)


def load_fixtures():
    from django.db import transaction

    from corridor.accounts.models import Membership, Organisation, User
    from corridor.core.models import FxRate

    with transaction.atomic():
        administration = Organisation.objects.create(
            name_en="Bench administration", kind="agency", country="CN", is_administration=True
        )
        actor = User.objects.create_user("bench-importer", password="bench-importer-password")
        Membership.objects.create(user=actor, organisation=administration, role="administrator")
        Organisation.objects.bulk_create(
            Organisation(
                name_en=f"Synthetic organisation {i}",
                kind="enterprise",
                country="CN" if i % 2 else "SG",
                is_synthetic=True,
            )
            for i in range(50)
        )
        FxRate.objects.bulk_create(
            FxRate(
                currency=currency,
                date=date(year, 1, 1),
                usd_per_unit=Decimal(rate),
                source="Synthetic rate",
            )
            for currency, rate in (("SGD", "0.74"), ("CNY", "0.14"))
            for year in range(2015, 2026)
        )
    names = [f"Synthetic organisation {i}" for i in range(50)]
    return actor, names


def synthetic_csv(n_rows: int, organisations: list[str], prefix: str = "IMPORT") -> bytes:
    from corridor.core.models import Sector
    from corridor.portfolio.models import Project

    rng = random.Random(2015)
    sectors = list(Sector.objects.values_list("code", flat=True))
    kinds, statuses = Project.Kind.values, Project.Status.values
    first_day, days = date(2015, 11, 1), 3600
    n_frameworks = max(n_rows // 50, 1)
    n_children = n_rows // 20
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(
        [
            "external_id",
            "title_en",
            "title_zh",
            "kind",
            "status",
            "sector",
            "value",
            "currency",
            "signed_on",
            "location_en",
            "parent_external_id",
            "owner",
            "parties",
            "is_synthetic",
        ]
    )
    for i in range(n_rows):
        parent = ""
        if n_frameworks <= i < n_frameworks + n_children:
            parent = f"{prefix}-{rng.randrange(n_frameworks)}"
        parties = ""
        if i % 5 == 0:
            first, second = rng.sample(organisations, 2)
            parties = f"{first}:initiator;{second}:counterpart"
        with_value = rng.random() > 0.1
        writer.writerow(
            [
                f"{prefix}-{i}",
                f"Synthetic cooperation project {i}",
                f"合成合作项目{i}",
                kinds[i % len(kinds)],
                rng.choice(statuses),
                rng.choice(sectors),
                rng.randrange(100_000, 500_000_000) if with_value else "",
                rng.choice(("SGD", "CNY", "USD")) if with_value else "",
                (first_day + timedelta(days=rng.randrange(days))).isoformat(),
                "Chongqing" if i % 2 else "Singapore",
                parent,
                "",
                parties,
                "true",
            ]
        )
    return out.getvalue().encode()


def concurrent_writer(stop, results, username: str) -> None:
    """Another person's small writes, from another process (as another app server would),
    every 20 ms: a login's `last_login` update in its own transaction. Sends back how long
    each one took and the failures."""
    from django.db import connection, transaction
    from django.utils import timezone

    from corridor.accounts.models import User

    waits: list[float] = []
    failures: list[str] = []
    user = User.objects.get(username=username)
    ready = True
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with transaction.atomic():
                User.objects.filter(pk=user.pk).update(last_login=timezone.now())
        except Exception as exc:  # "database is locked" is what we look for
            failures.append(str(exc))
        waits.append(time.perf_counter() - started)
        if ready:
            results.put("ready")
            ready = False
        stop.wait(0.02)
    connection.close()
    results.put((waits, failures))


def measure_import(label: str, actor, content: bytes, n_rows: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connections

    from corridor.portfolio import import_store

    visitor = f"bench-visitor-{time.monotonic_ns()}"
    get_user_model().objects.create_user(visitor, password="bench-visitor-password")
    connections.close_all()  # the forked writer opens its own connection
    context = multiprocessing.get_context("fork")
    stop, results = context.Event(), context.Queue()
    writer = context.Process(target=concurrent_writer, args=(stop, results, visitor))
    writer.start()
    results.get()  # the writer is writing before the import starts
    started, cpu_started = time.perf_counter(), time.process_time()
    report = import_store.run_import(actor=actor, name="bench.csv", content=content)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    stop.set()
    waits, failures = results.get()
    writer.join()
    if not report.ok:
        raise SystemExit(f"the import failed: {report.errors[:3]}")
    target = TARGET_SECONDS * n_rows / 30_000
    verdict = "met" if seconds < target else "MISSED"
    worst = max(waits)
    wait_verdict = "met" if worst < TARGET_WAIT and not failures else "MISSED"
    print(
        f"   {label:<24} {seconds:6.2f} s  {n_rows / seconds:8,.0f} rows/s  "
        f"(CPU {cpu:.2f} s; {report.created:,} created, {report.updated:,} updated)  "
        f"target < {target:.1f} s: {verdict}"
    )
    print(
        f"   {'':<24} concurrent writer: {len(waits):,} writes, median "
        f"{statistics.median(waits) * 1000:.1f} ms, p99 "
        f"{harness.percentile(waits, 0.99) * 1000:.0f} ms, worst {worst * 1000:.0f} ms, "
        f"{len(failures)} failed  target < {TARGET_WAIT:.0f} s, none failed: {wait_verdict}"
    )


def baseline_bulk_create(actor, content: bytes, n_rows: int) -> None:
    """The same rows as bare projects, one bulk_create in one transaction."""
    from django.db import transaction

    from corridor.core.models import Sector
    from corridor.portfolio.models import Project

    owner = actor.memberships.get().organisation
    sectors = {s.code: s.pk for s in Sector.objects.all()}
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    started, cpu_started = time.perf_counter(), time.process_time()
    projects = [
        Project(
            external_id=f"BASE-{row['external_id']}",
            title_en=row["title_en"],
            title_zh=row["title_zh"],
            kind=row["kind"],
            status=row["status"],
            sector_id=sectors[row["sector"]],
            value=Decimal(row["value"]) if row["value"] else None,
            currency=row["currency"],
            signed_on=date.fromisoformat(row["signed_on"]),
            location_en=row["location_en"],
            owner=owner,
            is_synthetic=True,
        )
        for row in rows
    ]
    with transaction.atomic():
        Project.objects.bulk_create(projects, batch_size=500)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"   {'plain bulk_create':<24} {seconds:6.2f} s  {n_rows / seconds:8,.0f} rows/s  "
        f"(CPU {cpu:.2f} s; bare projects: no checks, parties, history or audit)"
    )


def baseline_row_by_row(actor, content: bytes) -> None:
    """The old path: every row through services.project_create, all in one transaction."""
    from django.db import transaction

    from corridor.portfolio import imports, services

    text = content.decode()
    lines = text.splitlines(keepends=True)
    sample = "".join(lines[: ROW_BY_ROW_SAMPLE + 1]).replace("IMPORT-", "ROW-")
    rows = imports.parse_file("sample.csv", sample.encode())
    owner = actor.memberships.get().organisation
    errors, planned = imports.check_rows(rows, actor, owner)
    assert not errors, errors[:3]
    started, cpu_started = time.perf_counter(), time.process_time()
    with transaction.atomic():
        for item in planned:
            services.project_create(
                actor=actor, owner=item.owner, data=item.data, audit_action="import"
            )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"   {'row by row (old path)':<24} {seconds:6.2f} s  {len(planned) / seconds:8,.0f} "
        f"rows/s  (CPU {cpu:.2f} s; writing only, first {len(planned):,} rows, one "
        "transaction)"
    )


if __name__ == "__main__":
    sys.exit(
        harness.main(
            __file__,
            __doc__,
            name="imports",
            count_option="--rows",
            count_default=30_000,
            count_help="how many rows the CSV has",
            run=run,
        )
    )
