"""Load test: the whole application under gunicorn on PostgreSQL, with locust driving 50 users.

Creates a throwaway PostgreSQL database (corridor_bench_load at 127.0.0.1:5432), migrates
it and loads the demo data as `make setup` does (load_demo, load_standards_demo,
load_cases_demo, load_directory_demo, load_events_demo), starts gunicorn on 127.0.0.1 with
DEBUG off, then runs locust headless twice, only against that local server:

1. the measured run: 50 users (spawned over 10 s) for 60 s, a mix of anonymous visitors and
   demo users logged in with the password `corridor-demo`, reading pages and the JSON API;
   prints requests/s, the median, 95th and 99th percentile response times and the errors;
2. the saturation run: the same mix with no think time, users ramped from 0 to 24 over 30 s
   (40 s run); prints the highest throughput seen (requests/s over locust's 10-second
   sliding window) and the number of users at which that window's 95th percentile first
   passed 200 ms.

Then it stops gunicorn and drops the database. Target: no errors, p95 < 200 ms at 50 users on
2 cores. Not part of the test suite.

    python bench/load.py                         # 60 s measured + 40 s saturation
    python bench/load.py --duration 15 --saturation 15   # a short trial run
    python bench/load.py --workers 3 --users 50

The same file is also the locustfile: locust imports it (as a module, not as __main__) for
the user classes below.
"""

import argparse
import csv
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "corridor_bench_load"
POSTGRES = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "corridor-demo"
# Demo people (see README "make run"): who logs in, in turn.
DEMO_USERS = ["qingling", "motorway", "facilitator", "admin", "regulator", "sgtrade", "observer"]
TARGET_P95_MS = 200
DEMO_COMMANDS = [
    ["migrate", "--noinput"],
    ["load_demo"],
    ["load_standards_demo"],
    ["load_cases_demo"],
    ["load_directory_demo"],
    ["load_events_demo"],
]


# --- the users (used when locust imports this file) ----------------------------------------

if __name__ != "__main__":
    import itertools
    import random

    import gevent.lock
    from locust import HttpUser, between, constant, task

    _next_user = itertools.cycle(DEMO_USERS)
    # One login per demo person (a password check costs about a second of CPU): the
    # logged-in users of the same person share its session, like tabs of one browser.
    _sessions: dict[str, str] = {}
    _login_locks = {name: gevent.lock.Semaphore() for name in DEMO_USERS}
    # People think between clicks; the saturation run sets CORRIDOR_LOAD_NO_WAIT=1 so that a
    # few users keep the server busy and the throughput found is the server's, not theirs.
    _wait = constant(0) if os.environ.get("CORRIDOR_LOAD_NO_WAIT") else between(1, 3)

    def _items(response) -> list[dict]:
        data = response.json() if response.ok else []
        return data.get("items", []) if isinstance(data, dict) else data

    class Visitor(HttpUser):
        """Someone not logged in: the public pages and the public API."""

        weight = 2
        wait_time = _wait

        def on_start(self):
            self.profiles = [p["id"] for p in _items(self.client.get("/api/directory/profiles"))]
            self.events = [e["id"] for e in _items(self.client.get("/api/events"))]
            self.projects = [
                p["id"] for p in _items(self.client.get("/api/portfolio/projects?page_size=50"))
            ]

        @task(3)
        def dashboard(self):
            self.client.get("/")

        @task(2)
        def projects(self):
            self.client.get("/projects/?sector=ict")

        @task(2)
        def project(self):
            if self.projects:
                self.client.get(
                    f"/projects/{random.choice(self.projects)}/", name="/projects/[id]/"
                )

        @task
        def innovations(self):
            self.client.get("/innovations/")

        @task(2)
        def directory(self):
            self.client.get("/directory/")

        @task(2)
        def profile(self):
            if self.profiles:
                pk = random.choice(self.profiles)
                self.client.get(f"/directory/{pk}/", name="/directory/[id]/")

        @task
        def events(self):
            self.client.get("/events/")
            if self.events:
                self.client.get(f"/events/{self.events[0]}/", name="/events/[id]/")

        @task
        def hs(self):
            self.client.get("/standards/hs/")

        @task(2)
        def api_reads(self):
            self.client.get("/api/portfolio/dashboard")
            self.client.get("/api/portfolio/projects?status=in_progress")
            self.client.get(
                "/api/directory/profiles?q=logistics", name="/api/directory/profiles?q="
            )

    class Member(HttpUser):
        """A demo user logged in: their work, cases, directory, events, and the API."""

        weight = 3
        wait_time = _wait

        def on_start(self):
            self.username = next(_next_user)
            with _login_locks[self.username]:
                if self.username not in _sessions:
                    _sessions[self.username] = self._log_in()
            self.client.cookies.set("sessionid", _sessions[self.username])
            self.cases = [c["id"] for c in _items(self.client.get("/api/cases/cases"))]
            self.events = [e["id"] for e in _items(self.client.get("/api/events"))]
            self.profiles = [p["id"] for p in _items(self.client.get("/api/directory/profiles"))]

        def _log_in(self) -> str:
            page = self.client.get("/accounts/login/", name="/accounts/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            with self.client.post(
                "/accounts/login/",
                {
                    "username": self.username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": token.group(1) if token else "",
                },
                headers={"Referer": self.host + "/accounts/login/"},
                name="/accounts/login/ (POST)",
                catch_response=True,
            ) as response:
                if "/accounts/login/" in response.url:
                    response.failure(f"{self.username} could not log in")
            return self.client.cookies.get("sessionid", "")

        @task(2)
        def dashboard(self):
            self.client.get("/")

        @task(3)
        def my_work(self):
            self.client.get("/cases/my-work/")

        @task(2)
        def cases(self):
            self.client.get("/cases/")

        @task(3)
        def case(self):
            if self.cases:
                pk = random.choice(self.cases)
                self.client.get(f"/cases/{pk}/", name="/cases/[id]/")

        @task
        def projects(self):
            self.client.get("/projects/")

        @task(2)
        def directory(self):
            self.client.get("/directory/")
            if self.profiles:
                pk = random.choice(self.profiles)
                self.client.get(f"/directory/{pk}/", name="/directory/[id]/")

        @task
        def events(self):
            if self.events:
                self.client.get(f"/events/{self.events[0]}/", name="/events/[id]/")

        @task
        def assessments(self):
            self.client.get("/standards/")

        @task(2)
        def api_reads(self):
            self.client.get("/api/accounts/me")
            self.client.get("/api/cases/cases")
            if self.cases:
                pk = random.choice(self.cases)
                self.client.get(f"/api/cases/cases/{pk}", name="/api/cases/cases/[id]")


# --- the driver (python bench/load.py) ------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def _environment(var_dir: Path) -> dict:
    return os.environ | {
        "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
        "DJANGO_SETTINGS_MODULE": "corridor.settings",
        "CORRIDOR_ALLOW_INSECURE_KEY": "1",
        "CORRIDOR_VAR_DIR": str(var_dir),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


def _prepare(env: dict) -> None:
    print(f"Creating the database {DATABASE} and loading the demo data ...", flush=True)
    _psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    _psql(f"CREATE DATABASE {DATABASE}")
    for command in DEMO_COMMANDS:
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "manage.py", *command, "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"  manage.py {command[0]}: {time.monotonic() - started:.1f} s", flush=True)


def _start_gunicorn(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "corridor.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            "--error-logfile",
            str(log),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit(f"gunicorn did not answer within 60 s; see {log}")


def _cpu_seconds(master: int) -> float:
    """CPU time (user + system) used so far by gunicorn's master and its workers, from /proc:
    a figure the other work on the machine does not inflate, unlike response times."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if master in (pid, ppid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _warm_up(host: str, workers: int) -> None:
    """Each gunicorn worker imports the views, the API and the templates on its first
    requests: make them before measuring (several at once, so every worker gets some)."""
    from concurrent.futures import ThreadPoolExecutor

    paths = [
        "/",
        "/projects/",
        "/directory/",
        "/events/",
        "/api/events",
        "/api/portfolio/dashboard",
    ]
    paths += ["/api/directory/profiles", "/accounts/login/", "/standards/hs/", "/innovations/"]

    def fetch(path: str) -> None:
        with urllib.request.urlopen(host + path, timeout=60) as response:
            response.read()

    with ThreadPoolExecutor(max_workers=workers * 2) as pool:
        list(pool.map(fetch, paths * workers * 2))


def _locust(
    host: str, users: int, rate: float, seconds: int, prefix: Path, *, no_wait: bool = False
) -> None:
    """One headless locust run against `host`; its stats go to files beside `prefix`."""
    locust = Path(sys.executable).with_name("locust")
    env = os.environ | ({"CORRIDOR_LOAD_NO_WAIT": "1"} if no_wait else {})
    with open(f"{prefix}.log", "w") as log:
        finished = subprocess.run(
            [
                str(locust),
                "-f",
                __file__,
                "--headless",
                "--host",
                host,
                "--users",
                str(users),
                "--spawn-rate",
                str(rate),
                "--run-time",
                f"{seconds}s",
                "--stop-timeout",
                "5",
                "--csv",
                str(prefix),
                "--csv-full-history",
                "--json-file",
                str(prefix),
                "--only-summary",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    if finished.returncode != 0:
        raise SystemExit(f"locust failed ({finished.returncode}); see {prefix}.log")


def _final(prefix: Path) -> dict:
    """The whole run from locust's final JSON stats: requests, errors, requests/s and the
    percentiles (over locust's own response-time buckets, as its summary table)."""
    with open(f"{prefix}.json") as f:
        entries = json.load(f)
    times: Counter = Counter()
    for entry in entries:
        times.update({int(ms): n for ms, n in entry["response_times"].items()})
    requests = sum(entry["num_requests"] for entry in entries)
    started = min(entry["start_time"] for entry in entries)
    ended = max(entry["last_request_timestamp"] for entry in entries)

    def percentile(fraction: float) -> int:
        rank, seen = math.ceil(fraction * requests), 0
        for ms in sorted(times):
            seen += times[ms]
            if seen >= rank:
                return ms
        return 0

    return {
        "requests": requests,
        "errors": sum(entry["num_failures"] for entry in entries),
        "rps": requests / max(ended - started, 1e-9),
        "p50": percentile(0.50),
        "p95": percentile(0.95),
        "p99": percentile(0.99),
    }


def _history(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats_history.csv", newline="") as f:
        return [row for row in csv.DictReader(f) if row["Name"] == "Aggregated"]


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:  # "N/A" before the first response
        return 0.0


def _slowest(prefix: Path, count: int = 3) -> list[tuple[str, str]]:
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = [row for row in csv.DictReader(f) if row["Name"] != "Aggregated"]
    rows.sort(key=lambda row: _number(row["95%"]), reverse=True)
    return [(f"{row['Type']} {row['Name']}", row["95%"]) for row in rows[:count]]


def _failures(prefix: Path) -> list[str]:
    with open(f"{prefix}_failures.csv", newline="") as f:
        return [
            f"{row['Occurrences']} x {row['Method']} {row['Name']}: {row['Error']}"
            for row in csv.DictReader(f)
        ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="users in the measured run")
    parser.add_argument("--duration", type=int, default=60, help="seconds of the measured run")
    parser.add_argument(
        "--saturation", type=int, default=40, help="seconds of the ramped run (0: skip it)"
    )
    parser.add_argument(
        "--saturation-users",
        type=int,
        default=24,
        help="users (with no think time) reached at the end of the ramp",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=3,
        help="gunicorn sync workers (3 on 2 cores: the database and locust need CPU too)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="use the database a --keep run left (no loading)"
    )
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="corridor-load-"))
    (var_dir / "static").mkdir()  # WhiteNoise looks for it; the users fetch no static files
    env = _environment(var_dir)
    if not args.reuse:
        _prepare(env)
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    server = _start_gunicorn(env, port, args.workers, var_dir / "gunicorn.log")
    try:
        load_before = os.getloadavg()
        print(
            f"gunicorn: {args.workers} sync workers at {host}; load average before: "
            + ", ".join(f"{x:.2f}" for x in load_before),
            flush=True,
        )
        _warm_up(host, args.workers)
        measured = var_dir / "measured"
        cpu_before = _cpu_seconds(server.pid)
        _locust(host, args.users, max(args.users / 10, 1), args.duration, measured)
        cpu = _cpu_seconds(server.pid) - cpu_before
        total = _final(measured)
        failures = total["errors"]
        print(
            f"\n{args.users} users for {args.duration} s on {os.cpu_count()} cores "
            f"(load average after: {os.getloadavg()[0]:.2f}):\n"
            f"  requests: {total['requests']}, errors: {failures}\n"
            f"  requests/s: {total['rps']:.1f}\n"
            f"  response time ms: p50 {total['p50']}, p95 {total['p95']}, p99 {total['p99']}"
            f" (target p95 < {TARGET_P95_MS})"
        )
        print("  slowest p95: " + "; ".join(f"{name} {ms} ms" for name, ms in _slowest(measured)))
        per_request = 1000 * cpu / max(total["requests"], 1)
        print(
            f"  gunicorn CPU: {cpu:.1f} s, {per_request:.1f} ms a request (PostgreSQL's not"
            f" counted): {os.cpu_count() or 1} free cores would serve about"
            f" {1000 * (os.cpu_count() or 1) / max(per_request, 1e-9):.0f} requests/s"
        )
        for line in _failures(measured)[:10]:
            print(f"  error: {line}")

        if args.saturation:
            ramp = var_dir / "ramp"
            top = args.saturation_users
            _locust(
                host, top, top / max(args.saturation - 10, 1), args.saturation, ramp, no_wait=True
            )
            # locust's per-second rows carry a 10-second sliding window: skip the first
            # window, which the logins fill.
            history = _history(ramp)
            first = int(history[0]["Timestamp"]) if history else 0
            history = [row for row in history if int(row["Timestamp"]) >= first + 10]
            # ...and the rows after the last user was started, while they stop
            peak = max((int(row["User Count"]) for row in history), default=0)
            ends = next((n for n, row in enumerate(history) if int(row["User Count"]) == peak), 0)
            history = history[:ends] + [
                row for row in history[ends:] if int(row["User Count"]) == peak
            ]
            best = max(history, key=lambda row: _number(row["Requests/s"]))
            passed = next((row for row in history if _number(row["95%"]) > TARGET_P95_MS), None)
            print(
                f"\nsaturation (users with no think time, ramped to {top} over"
                f" {args.saturation - 10} s, run {args.saturation} s):\n"
                f"  highest throughput: {_number(best['Requests/s']):.1f} requests/s"
                f" at {best['User Count']} users (p95 then {best['95%']} ms)"
            )
            if passed is None:
                print(f"  p95 stayed under {TARGET_P95_MS} ms up to {top} users")
            else:
                print(
                    f"  p95 first passed {TARGET_P95_MS} ms at {passed['User Count']} users"
                    f" ({_number(passed['Requests/s']):.1f} requests/s, p95 {passed['95%']} ms)"
                )
            print(f"  errors in the ramp: {_final(ramp)['errors']}")
        return 0 if failures == 0 else 1
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        if not args.keep:
            _psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
