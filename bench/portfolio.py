"""Benchmark of the portfolio's dashboard and filtered project list.

Loads N synthetic projects (100,000 by default), and an indicator for one project in ten with
a target and an actual (the dashboard shows the results framework's summary), into a
throwaway database, then times the
pages through Django's test client: 3 warm-up requests, then 30 measured ones; prints the
median and the 95th percentile in milliseconds and the queries per request. Beside them, in
the same process, a naive baseline computes the same figures in Python by iterating over
every project, so the figures have something to compare against.

Runs on SQLite (a throwaway file under var/bench/) and, when PostgreSQL answers at
127.0.0.1:5432, on a throwaway PostgreSQL database it creates and drops. Each database runs
in its own child process, because Django's settings are set once per process.

    python bench/portfolio.py                 # 100,000 projects, SQLite and PostgreSQL
    python bench/portfolio.py --projects 5000 # smaller
    python bench/portfolio.py --database sqlite
"""

import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

import harness  # bench/harness.py: one child process per database, percentile

WARM_UPS, REQUESTS = 3, 30
TARGETS_MS = {"dashboard": 300, "list": 150}
FILTERED_LIST = "/projects/?sector=ict&status=in_progress&year=2021"


def run(database: str, n_projects: int) -> None:
    """In a child process, with Django set up on a fresh `database` (see bench/harness.py)."""
    started = time.perf_counter()
    published = load_projects(n_projects)
    indicators = load_indicators()
    load_seconds = time.perf_counter() - started
    print()
    print(
        f"== {database}: {n_projects:,} synthetic projects ({published:,} published), "
        f"{indicators:,} indicators with a target and an actual each, loaded in "
        f"{load_seconds:.1f} s"
    )
    measure_all()


def load_projects(n_projects: int) -> int:
    """Organisations, dated rates and N projects: 2% framework agreements with sub-projects
    (5%), parties for one project in ten. Returns how many are published."""
    from django.db import connection, transaction

    from corridor.accounts.models import Membership, Organisation, User
    from corridor.core.models import FxRate, Sector
    from corridor.portfolio.models import Project, ProjectParty

    rng = random.Random(2015)
    sectors = list(Sector.objects.values_list("pk", flat=True))
    kinds = Project.Kind.values
    statuses = Project.Status.values
    sides = Project.Side.values
    first_day = date(2015, 11, 1)
    days = (date(2025, 11, 1) - first_day).days

    with transaction.atomic():
        administration = Organisation.objects.create(
            name_en="Bench administration", kind="agency", country="CN", is_administration=True
        )
        admin = User.objects.create_user("bench-admin", password="bench-admin-password")
        Membership.objects.create(user=admin, organisation=administration, role="administrator")
        Organisation.objects.bulk_create(
            Organisation(
                name_en=f"Synthetic organisation {i}",
                name_zh=f"合成机构{i}",
                kind="enterprise",
                country="CN" if i % 2 else "SG",
                is_synthetic=True,
            )
            for i in range(200)
        )
        organisation_ids = list(
            Organisation.objects.filter(is_synthetic=True).values_list("pk", flat=True)
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
        rate_ids = list(FxRate.objects.values_list("pk", flat=True))

        def project(i: int, parent_id: int | None = None) -> Project:
            signed_on = first_day + timedelta(days=rng.randrange(days))
            value = Decimal(rng.randrange(100_000, 500_000_000))
            with_value = rng.random() > 0.1
            value_usd = value if with_value else None
            counted = Decimal(0) if parent_id and with_value else value_usd
            return Project(
                external_id=f"BENCH-{i}",
                title_en=f"Synthetic cooperation project {i}",
                title_zh=f"合成合作项目{i}",
                kind=kinds[i % len(kinds)],
                status=rng.choice(statuses),
                sector_id=rng.choice(sectors),
                value=value if with_value else None,
                currency="USD" if with_value else "",
                value_usd=value_usd,
                counted_value_usd=counted,
                fx_rate_id=rng.choice(rate_ids) if with_value and i % 7 == 0 else None,
                signed_on=signed_on,
                signed_year=signed_on.year,
                status_changed_on=signed_on,
                owner_id=rng.choice(organisation_ids),
                lead_side=rng.choice(sides),
                parent_id=parent_id,
                is_published=rng.random() < 0.8,
                is_synthetic=True,
            )

        n_frameworks = max(n_projects // 50, 1)
        Project.objects.bulk_create((project(i) for i in range(n_frameworks)), batch_size=5000)
        framework_ids = list(Project.objects.values_list("pk", flat=True))
        n_children = n_projects // 20
        batch = []
        for i in range(n_frameworks, n_projects):
            parent_id = rng.choice(framework_ids) if i < n_frameworks + n_children else None
            batch.append(project(i, parent_id))
            if len(batch) == 5000:
                Project.objects.bulk_create(batch)
                batch = []
        Project.objects.bulk_create(batch)
        project_ids = list(Project.objects.values_list("pk", flat=True)[: n_projects // 10])
        ProjectParty.objects.bulk_create(
            (
                ProjectParty(project_id=pk, organisation_id=rng.choice(organisation_ids), role=role)
                for pk in project_ids
                for role in ("initiator", "counterpart")
            ),
            batch_size=5000,
            ignore_conflicts=True,
        )
    with connection.cursor() as cursor:
        # what a production database has after autovacuum: planner statistics (and, on
        # PostgreSQL, the visibility map that lets it answer from an index alone)
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return Project.objects.filter(is_published=True).count()


def load_indicators() -> int:
    """An indicator for one project in ten (every tenth), with a target for 2025–2026 and an
    actual for 2025, as the results framework holds them. Returns how many."""
    from django.db import connection, transaction

    from corridor.portfolio.models import Project
    from corridor.results.models import Actual, Indicator, Target

    rng = random.Random(2026)
    project_ids = list(Project.objects.order_by("pk").values_list("pk", flat=True)[::10])
    with transaction.atomic():
        Indicator.objects.bulk_create(
            (
                Indicator(
                    project_id=pk,
                    title_en=f"Synthetic exports of project {pk}",
                    title_zh=f"合成项目{pk}的出口",
                    unit_en="US$",
                    unit_zh="美元",
                    baseline_value=Decimal(0),
                    baseline_on=date(2024, 1, 1),
                    is_synthetic=True,
                )
                for pk in project_ids
            ),
            batch_size=5000,
        )
        indicator_ids = list(Indicator.objects.values_list("pk", flat=True))
        Target.objects.bulk_create(
            (
                Target(
                    indicator_id=pk,
                    period_start=date(2025, 1, 1),
                    period_end=date(2026, 12, 31),
                    value=Decimal(rng.randrange(1_000_000, 50_000_000)),
                )
                for pk in indicator_ids
            ),
            batch_size=5000,
        )
        Actual.objects.bulk_create(
            (
                Actual(
                    indicator_id=pk,
                    period_start=date(2025, 1, 1),
                    period_end=date(2025, 12, 31),
                    value=Decimal(rng.randrange(0, 40_000_000)),
                    source_url="https://example.org/synthetic-evidence",
                )
                for pk in indicator_ids
            ),
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return len(indicator_ids)


def time_page(client, url: str) -> tuple[float, float, set[int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UPS):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    durations, query_counts = [], set()
    for _ in range(REQUESTS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        query_counts.add(len(queries))
    return statistics.median(durations), harness.percentile(durations, 0.95), query_counts


def time_function(function, repeat: int = 3) -> float:
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        durations.append((time.perf_counter() - started) * 1000)
    return statistics.median(durations)


def naive_dashboard_totals():
    """The baseline: every published project read into Python and summed there."""
    from collections import Counter, defaultdict

    from corridor.portfolio.models import Project

    count, value, by = 0, Decimal(0), defaultdict(Counter)
    for project in (
        Project.objects.filter(is_published=True).select_related("sector").iterator(chunk_size=2000)
    ):
        count += 1
        value += project.counted_value_usd or 0
        by["year"][project.signed_year] += 1
        by["sector"][project.sector.code] += 1
        by["kind"][project.kind] += 1
        by["status"][project.status] += 1
        by["side"][project.lead_side] += 1
    return count, value, by


def naive_filtered_list():
    """The baseline: every published project read into Python, filtered and sorted there."""
    from corridor.portfolio.models import Project

    rows = [
        p
        for p in Project.objects.filter(is_published=True)
        .select_related("sector")
        .iterator(chunk_size=2000)
        if p.sector.code == "ict" and p.status == "in_progress" and p.signed_year == 2021
    ]
    rows.sort(key=lambda p: (p.signed_on, p.pk), reverse=True)
    return rows[:25]


def measure_all() -> None:
    from django.test import Client

    from corridor.accounts.models import User

    anonymous = Client()
    administrator = Client()
    administrator.force_login(User.objects.get(username="bench-admin"))
    pages = [
        ("dashboard", "dashboard, anonymous (published projects)", anonymous, "/"),
        ("dashboard", "dashboard, administrator (all projects)", administrator, "/"),
        ("list", "filtered list, anonymous", anonymous, FILTERED_LIST),
        ("list", "filtered list, administrator", administrator, FILTERED_LIST),
    ]
    print(
        f"   {WARM_UPS} warm-up requests, then {REQUESTS} measured; filtered list = {FILTERED_LIST}"
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"   machine: {os.cpu_count()} CPUs, load average {load} (other work skews the times)")
    print(f"   {'page':<45} {'median ms':>10} {'p95 ms':>8} {'queries':>8}  target (p95)")
    for kind, label, client, url in pages:
        median, p95, query_counts = time_page(client, url)
        target = TARGETS_MS[kind]
        verdict = "met" if p95 < target else "MISSED"
        queries = "/".join(str(q) for q in sorted(query_counts))
        print(f"   {label:<45} {median:>10.1f} {p95:>8.1f} {queries:>8}  < {target} ms: {verdict}")
    print("   baseline in the same process (median of 3 runs):")
    print(
        f"   {'dashboard totals computed in Python over every project':<56} "
        f"{time_function(naive_dashboard_totals):>10.1f} ms"
    )
    print(
        f"   {'filtered list computed in Python over every project':<56} "
        f"{time_function(naive_filtered_list):>10.1f} ms"
    )


if __name__ == "__main__":
    sys.exit(
        harness.main(
            __file__,
            __doc__,
            name="portfolio",
            count_option="--projects",
            count_default=100_000,
            count_help="how many projects",
            run=run,
        )
    )
