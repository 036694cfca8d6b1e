"""Benchmark of the directory search (words, then meaning in either language).

Loads the 90 demo profiles and embeds them, then copies them (names numbered, texts, stored
vectors and statements unchanged) up to N profiles (10,000 by default) in a throwaway
database, and times the directory page through Django's test client for searches in both
languages: 3 warm-ups, then 30 measured requests each; prints the median and 95th percentile
in milliseconds, the queries per request, and how many profiles were found by words and by
meaning. Beside it, in the same process, the search by words alone (what the page did
before) gives the baseline.

    python bench/directory_search.py                  # 10,000 profiles, SQLite and PostgreSQL
    python bench/directory_search.py --profiles 90    # the demo alone
    python bench/directory_search.py --database sqlite
"""

import statistics
import sys
import time

import harness  # bench/harness.py: one child process per database, percentile

WARM_UPS, REQUESTS = 3, 30
SEARCHES = ("trade finance", "贸易融资", "cold chain", "冷链", "electric van", "weather")


def run(database: str, n_profiles: int) -> None:
    from io import StringIO

    from django.core.management import call_command

    started = time.perf_counter()
    call_command("load_directory_demo", stdout=StringIO())
    call_command("directory_embed", stdout=StringIO())
    copy_profiles(n_profiles)
    print()
    print(
        f"== {database}: {n_profiles:,} profiles (the demo's 90, copied), "
        f"loaded in {time.perf_counter() - started:.1f} s"
    )
    measure()


def copy_profiles(n_profiles: int) -> None:
    from django.db import transaction

    from corridor.accounts.models import Organisation
    from corridor.directory.models import Profile, Statement

    demo = list(Profile.objects.select_related("organisation").order_by("pk"))
    statements: dict[int, list[Statement]] = {}
    for statement in Statement.objects.order_by("pk"):
        statements.setdefault(statement.profile_id, []).append(statement)
    copies = n_profiles - len(demo)
    batch = 1000
    for start in range(0, max(copies, 0), batch):
        count = min(batch, copies - start)
        with transaction.atomic():
            sources = [demo[(start + i) % len(demo)] for i in range(count)]
            organisations = Organisation.objects.bulk_create(
                [
                    Organisation(
                        name_en=f"{p.organisation.name_en} #{start + i}",
                        name_zh=f"{p.organisation.name_zh} #{start + i}",
                        kind=p.organisation.kind,
                        country=p.organisation.country,
                        city=p.organisation.city,
                    )
                    for i, p in enumerate(sources)
                ]
            )
            profiles = Profile.objects.bulk_create(
                [
                    Profile(
                        organisation=organisation,
                        description_en=p.description_en,
                        description_zh=p.description_zh,
                        offers=p.offers,
                        needs=p.needs,
                        languages=p.languages,
                        target_markets=p.target_markets,
                        visibility=p.visibility,
                        search_document=p.search_document,
                        offer_vector=p.offer_vector,
                        need_vector=p.need_vector,
                        embedded_hash=p.embedded_hash,
                        embedded_at=p.embedded_at,
                    )
                    for organisation, p in zip(organisations, sources, strict=True)
                ]
            )
            Statement.objects.bulk_create(
                [
                    Statement(
                        profile=profile,
                        kind=s.kind,
                        position=s.position,
                        text=s.text,
                        vector=s.vector,
                    )
                    for profile, p in zip(profiles, sources, strict=True)
                    for s in statements.get(p.pk, [])
                ]
            )


def timed(function, repeat: int = REQUESTS) -> list[float]:
    for _ in range(WARM_UPS):
        function()
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def figures(durations: list[float]) -> str:
    return f"{statistics.median(durations):.1f} / {harness.percentile(durations, 0.95):.1f}"


def measure() -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import Client

    from corridor.directory import queries, search

    client = Client()
    anonymous = AnonymousUser()
    client.get("/directory/", {"q": "warm up the encoder"})
    plain = timed(lambda: client.get("/directory/"))
    print(f"directory page without a search: {figures(plain)} ms (median / p95)")
    print(
        f"{'search':<14} {'search ms':>14} {'page ms':>14} {'queries':>8} {'by words':>9} "
        f"{'by meaning':>11} {'words alone ms':>15}"
    )
    for q in SEARCHES:

        def first_page(q=q):
            found = search.directory_search(anonymous, q=q)
            return len(found), found[:25]

        found = search.directory_search(anonymous, q=q)
        executed = []

        def count(run, *args, executed=executed):
            executed.append(1)
            return run(*args)

        with connection.execute_wrapper(count):
            assert client.get("/directory/", {"q": q}).status_code == 200
        words = timed(lambda q=q: list(queries.directory(anonymous, q=q)[:25]))
        print(
            f"{q:<14} {figures(timed(first_page)):>14} "
            f"{figures(timed(lambda q=q: client.get('/directory/', {'q': q}))):>14} "
            f"{len(executed):>8} {found.words:>9} "
            f"{len(found) - found.words:>11} {figures(words):>15}"
        )


if __name__ == "__main__":
    sys.exit(
        harness.main(
            __file__,
            __doc__,
            name="directory_search",
            count_option="--profiles",
            count_default=10_000,
            count_help="how many profiles",
            run=run,
        )
    )
