"""Background tasks outlive the worker that dies running them: a worker whose heartbeat went
silent has its task queued again (and, after settings.TASKS_MAX_ATTEMPTS, failed for good),
and the records that mirror a task (an import, a scheduling run) and their pages say so
instead of "running" for ever."""

import os
import re
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from datetime import time as clock
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from corridor.core import tasks
from corridor.core.actors import SYSTEM
from corridor.core.models import WorkerHeartbeat
from corridor.core.tests.slow_task import cut_short, slow
from corridor.events import services as events
from corridor.events.models import ScheduleRun
from corridor.portfolio.models import ImportJob
from corridor.portfolio.tasks import import_projects

MANAGE = Path(django_settings.BASE_DIR) / "manage.py"


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_WORKER_STALE_SECONDS = 60
    settings.TASKS_MAX_ATTEMPTS = 3


def worker_env() -> dict[str, str]:
    """The environment of a worker process on this test's database, with short heartbeats."""
    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "TASKS_HEARTBEAT_SECONDS": "1",
        "TASKS_WORKER_STALE_SECONDS": "3",
        "TASKS_MAX_ATTEMPTS": "3",
        "CORRIDOR_ALLOW_INSECURE_KEY": "1",
    }


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def worker(worker_id: str, *, seen_seconds_ago: float) -> str:
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, last_seen_at=timezone.now() - timedelta(seconds=seen_seconds_ago)
    )
    return worker_id


def running(task, *args, worker_ids: list[str]) -> DBTaskResult:
    """`task` as a worker left it: claimed by each of `worker_ids` in turn, still RUNNING."""
    result = task.enqueue(*args)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=worker_ids, started_at=timezone.now()
    )
    return DBTaskResult.objects.get(pk=result.id)


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def import_job(owner) -> ImportJob:
    return ImportJob.objects.create(
        started_by=owner,
        file_name="projects.xlsx",
        stored_file="imports/x/projects.xlsx",
        sha256="0" * 64,
        rows_total=30000,
        rows_done=1200,
        status=ImportJob.Status.CHECKING,
    )


@pytest.mark.django_db
def test_the_task_of_a_silent_worker_is_queued_again_and_the_import_page_says_so(
    database_tasks, client, owner
):
    job = import_job(owner)
    dead = worker("dead", seen_seconds_ago=90)
    abandoned = running(import_projects, str(job.pk), worker_ids=[dead])
    alive = running(
        import_projects, str(import_job(owner).pk), worker_ids=[worker("alive", seen_seconds_ago=5)]
    )
    # a task claimed by a plain db_worker (no heartbeat) is not this reaper's to judge
    plain = running(import_projects, str(import_job(owner).pk), worker_ids=["db-worker"])

    reaped = tasks.reap()

    assert [(r.task_id, r.attempts, r.gave_up) for r in reaped] == [(str(abandoned.pk), 1, False)]
    abandoned.refresh_from_db()
    assert (abandoned.status, abandoned.worker_ids) == ("READY", ["dead"])
    assert DBTaskResult.objects.get(pk=alive.pk).status == "RUNNING"
    assert DBTaskResult.objects.get(pk=plain.pk).status == "RUNNING"
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.report) == ("queued", 0, {"interrupted": 1})
    client.force_login(owner)
    page = text(client.get(reverse("portfolio:import_status", args=[job.pk])))
    assert "Interrupted, retried" in page and "(attempt 2)" in page
    assert tasks.reap() == []  # nothing left to do: running it again changes nothing


@pytest.mark.django_db
def test_after_the_last_attempt_the_run_fails_and_its_page_says_after_how_many(
    database_tasks, client, administration, facilitator
):
    event = events.event_create(
        actor=SYSTEM,
        organiser=administration,
        title_en="Delegation day",
        tables=2,
        sessions=[(date(2025, 3, 18), "am", clock(9), clock(10))],
    )
    run = ScheduleRun.objects.create(event=event, status=ScheduleRun.Status.RUNNING)
    from corridor.events.tasks import schedule_event

    dead = [worker(name, seen_seconds_ago=300) for name in ("one", "two", "three")]
    result = running(schedule_event, run.pk, worker_ids=dead)

    tasks.reap()

    result.refresh_from_db()
    assert result.status == "FAILED"
    assert "failed after 3 attempts" in result.traceback
    run.refresh_from_db()
    assert (run.status, run.interruptions, run.finished_at is not None) == ("failed", 3, True)
    client.force_login(facilitator)
    page = text(client.get(reverse("events:schedule", args=[event.pk])))
    assert "failed after 3 attempts" in page
    assert "the background worker stopped while solving, too many times" in page
    # the event is free for a new run
    assert events.schedule_start(actor=facilitator, event=event).status == "queued"


@pytest.mark.django_db
def test_a_retried_run_says_interrupted_retried_and_is_solved_again(
    database_tasks, client, administration, facilitator
):
    event = events.event_create(
        actor=SYSTEM,
        organiser=administration,
        title_en="Delegation day",
        tables=2,
        sessions=[(date(2025, 3, 18), "am", clock(9), clock(10))],
    )
    run = ScheduleRun.objects.create(
        event=event, status=ScheduleRun.Status.RUNNING, started_at=timezone.now()
    )
    from corridor.events import planning
    from corridor.events.tasks import schedule_event

    running(schedule_event, run.pk, worker_ids=[worker("gone", seen_seconds_ago=61)])

    tasks.reap()

    run.refresh_from_db()
    assert (run.status, run.interruptions, run.started_at) == ("queued", 1, None)
    client.force_login(facilitator)
    page = text(client.get(reverse("events:schedule", args=[event.pk])))
    assert "Interrupted, retried" in page and "(attempt 2 of 3)" in page
    assert planning.run(run.pk).status == "done"  # the next worker solves it from the start


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the SQLite test database lives in memory, which a worker process cannot open",
)
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_leaves_its_task_to_the_next_worker(database_tasks, tmp_path):
    log = tmp_path / "slow.log"
    result = slow.enqueue(str(log), 4.0)
    env = worker_env()

    def start(worker_id: str, *extra: str) -> subprocess.Popen:
        output = (tmp_path / f"{worker_id}.out").open("w")
        return subprocess.Popen(
            [
                *(sys.executable, str(MANAGE), "corridor_worker", "--no-reload"),
                *("--no-startup-delay", "--interval", "0.2", "--worker-id", worker_id, *extra),
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    first = start("worker-a")
    second = None
    try:
        assert wait_for(lambda: log.exists() and "start" in log.read_text(), 90)
        task_started = timezone.now()
        beating = WorkerHeartbeat.objects.filter(worker_id="worker-a")
        # the heartbeat goes on while the task runs
        assert wait_for(lambda: beating.get().last_seen_at > task_started, 10)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"

        second = start("worker-b", "--max-tasks", "1")
        assert second.wait(120) == 0, (tmp_path / "worker-b.out").read_text()
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)

    done = DBTaskResult.objects.get(pk=result.id)
    assert (done.status, done.worker_ids) == ("SUCCESSFUL", ["worker-a", "worker-b"])
    lines = [line.split()[0] if line[0] in "sd" else line for line in log.read_text().splitlines()]
    assert lines == ["start", "retried after 1", "start", "done"]
    assert done.return_value == second.pid
    assert not WorkerHeartbeat.objects.filter(worker_id="worker-b").exists()  # left cleanly


@pytest.mark.django_db
def test_a_worker_that_exits_with_a_task_still_running_hands_it_back_at_once(database_tasks, owner):
    """The autoreloader restarting a worker, or a forced exit, leaves its task RUNNING: the
    next reaper must not wait for the heartbeat to go stale."""
    job = import_job(owner)
    busy = running(import_projects, str(job.pk), worker_ids=[worker("busy", seen_seconds_ago=1)])
    worker("idle", seen_seconds_ago=1)

    tasks.stopped("busy")
    tasks.stopped("idle")

    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["busy"]
    assert [r.task_id for r in tasks.reap()] == [str(busy.pk)]
    job.refresh_from_db()
    assert job.status == "queued"


@pytest.mark.django_db
def test_a_task_cut_short_by_stopping_its_worker_is_retried_not_failed(
    database_tasks, tmp_path, monkeypatch
):
    """A second Ctrl-C stops a worker mid-task with KeyboardInterrupt (or SystemExit), which
    django-tasks-db would record as the task's failure; it is queued again instead, up to
    TASKS_MAX_ATTEMPTS. (Plain db_worker here: the receiver is the app's, not the command's.)"""
    # the worker closes connections between tasks, which would end the test's transaction
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    log = tmp_path / "cut.log"
    result = cut_short.enqueue(str(log))

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    done = DBTaskResult.objects.get(pk=result.id)
    assert done.status == "FAILED" and len(done.worker_ids) == 3
    assert done.exception_class_path == "corridor.core.tasks.WorkerLost"
    assert "failed after 3 attempts" in done.traceback
    assert log.read_text().splitlines() == [
        "start",
        "retried after 1",
        "start",
        "retried after 2",
        "start",
        "gave up after 3",
    ]


@pytest.mark.django_db
def test_an_import_given_up_after_the_last_attempt_says_so_on_its_page(
    database_tasks, client, owner
):
    job = import_job(owner)
    dead = [worker(name, seen_seconds_ago=120) for name in ("w1", "w2", "w3")]
    running(import_projects, str(job.pk), worker_ids=dead)

    tasks.reap()

    job.refresh_from_db()
    assert (job.status, job.finished_at is not None) == ("failed", True)
    client.force_login(owner)
    response = client.get(reverse("portfolio:import_status", args=[job.pk]))
    page = text(response)
    assert 'http-equiv="refresh"' not in response.content.decode()
    assert "The import stopped" in page
    assert "stopped each time, and the import failed after 3 attempts." in page


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the SQLite test database lives in memory, which the launched processes cannot open",
)
@pytest.mark.django_db(transaction=True)
def test_corridor_serve_runs_web_and_worker_and_one_ctrl_c_stops_both(database_tasks, tmp_path):
    """What `make run` starts: the pages answer, the worker runs a queued task, both logs show
    (each line marked), and one Ctrl-C stops both once the running task is finished."""
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "slow.log"
    result = slow.enqueue(str(log), 3.0)
    output = tmp_path / "serve.out"
    launcher = subprocess.Popen(
        [sys.executable, str(MANAGE), "corridor_serve", f"127.0.0.1:{port}"],
        env={**worker_env(), "DEBUG": "true"},
        stdout=output.open("w"),
        stderr=subprocess.STDOUT,
    )

    def answers() -> bool:
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).status == 200
        except OSError:
            return False

    try:
        assert wait_for(answers, 90), output.read_text()
        assert wait_for(lambda: log.exists() and "start" in log.read_text(), 60)
        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(40) == 0, output.read_text()
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait(10)

    lines = output.read_text().splitlines()
    assert any(line.startswith("web    | ") for line in lines)
    assert any(line.startswith("worker | Starting worker") for line in lines)
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"  # finished first
    assert not answers()
