"""What the database benchmarks share: run one child process per database (Django's settings
are set once per process), give it a throwaway SQLite file or PostgreSQL database, migrate,
run the benchmark's body, and drop the database afterwards; plus the percentile used in
every printed figure.

A benchmark calls `main(...)` with its own loader-and-measure function:

    def run(database: str, count: int) -> None: ...      # Django is set up and migrated
    sys.exit(harness.main(__file__, __doc__, name="cases", count_option="--cases",
                          count_default=10_000, count_help="how many cases", run=run))
"""

import argparse
import math
import os
import socket
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
POSTGRES_HOST, POSTGRES_PORT = "127.0.0.1", 5432


def postgres_answers() -> bool:
    try:
        with socket.create_connection((POSTGRES_HOST, POSTGRES_PORT), timeout=1):
            return True
    except OSError:
        return False


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def main(
    file: str,
    doc: str,
    *,
    name: str,
    count_option: str,
    count_default: int,
    count_help: str,
    run: Callable[[str, int], None],
) -> int:
    """Parse the command line; in the parent, start one child per database; in a child,
    set up its database and call `run(database, count)`."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument(
        count_option, dest="count", type=int, default=count_default, help=count_help
    )
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _run_in_database(args.database, name, lambda: run(args.database, args.count))

    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    failures = 0
    for database in databases:
        if database == "postgres" and not postgres_answers():
            print(f"PostgreSQL does not answer at {POSTGRES_HOST}:{POSTGRES_PORT}; skipped.")
            continue
        command = [sys.executable, file, "--child", "--database", database]
        command += [count_option, str(args.count)]
        failures += subprocess.call(command) != 0
    return 1 if failures else 0


def _run_in_database(database: str, name: str, body: Callable[[], None]) -> int:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
    os.environ.setdefault("CORRIDOR_ALLOW_INSECURE_KEY", "1")
    os.environ["CORRIDOR_VAR_DIR"] = str(BENCH_DIR)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DEBUG"] = "false"
    sqlite_file = BENCH_DIR / f"{name}-{os.getpid()}.sqlite3"
    postgres_db = f"corridor_bench_{name}_{os.getpid()}"
    if database == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_file}"
    else:
        _postgres_admin(f"CREATE DATABASE {postgres_db}")
        os.environ["DATABASE_URL"] = (
            f"postgres://postgres@{POSTGRES_HOST}:{POSTGRES_PORT}/{postgres_db}"
        )
    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", message="No directory at")  # static files are not served
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        body()
    finally:
        from django.db import connections

        connections.close_all()
        if database == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        else:
            _postgres_admin(f"DROP DATABASE IF EXISTS {postgres_db}")
    return 0


def _postgres_admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(
        host=POSTGRES_HOST, port=POSTGRES_PORT, user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(statement)
