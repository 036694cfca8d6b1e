"""Background tasks that survive their worker: heartbeats, a reaper, and retries.

django-tasks-db claims a task by marking it RUNNING and appending the worker's id to
`DBTaskResult.worker_ids`; nothing notices when that worker dies. Here:

- each worker started by `manage.py corridor_worker` keeps a `WorkerHeartbeat` row fresh
  from a thread (`Heartbeat`) every settings.TASKS_HEARTBEAT_SECONDS;
- `reap()` (run by every worker at start and then periodically) takes a RUNNING task whose
  worker (the last of its `worker_ids`) has a heartbeat older than
  settings.TASKS_WORKER_STALE_SECONDS, and puts it back in the queue (READY), or fails it for
  good once settings.TASKS_MAX_ATTEMPTS workers have died on it (the number of claims is the
  length of `worker_ids`);
- an app says what a re-queued or abandoned task means for its own records with
  `@when_interrupted(the_task)` in its tasks.py (the import job, the scheduling run), in the
  same transaction, so its pages never show "running" for a task nobody runs.

A task cut short because its worker was stopped by force (a second Ctrl-C: KeyboardInterrupt
or SystemExit inside the task) is handed back the same way (`hand_back_stopped_task`, a
`task_finished` receiver) instead of being recorded as the task's own failure.

A task is run again from the start, so every task must be safe to repeat (see each app's
tasks.py). Tasks claimed by a plain `db_worker` (no heartbeat row) are never reaped.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from corridor.core.models import WorkerHeartbeat

logger = logging.getLogger("corridor.tasks")

# Heartbeats of workers that stopped more than this long ago are deleted by the reaper.
FORGET_WORKERS_AFTER = timedelta(days=1)


class WorkerLost(Exception):
    """Recorded as the error of a task given up after its workers died on it."""


# --- what an interruption means to an app ------------------------------------------------------

InterruptedHandler = Callable[..., None]
_handlers: dict[str, InterruptedHandler] = {}


def when_interrupted(task) -> Callable[[InterruptedHandler], InterruptedHandler]:
    """Register `handler(*task_args, attempts=N, gave_up=bool, **task_kwargs)`, called in the
    reaper's transaction when a worker died while running `task`: `gave_up` is False when the
    task was queued again (attempt N + 1 comes), True when it failed for good after N."""

    def register(handler: InterruptedHandler) -> InterruptedHandler:
        _handlers[task.module_path] = handler
        return handler

    return register


# --- heartbeats -------------------------------------------------------------------------------


def beat(worker_id: str) -> None:
    """Say that `worker_id` is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "last_seen_at": timezone.now(),
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )


def stopped(worker_id: str, *, backend_name: str = "default") -> None:
    """A worker that exits says so. Its heartbeat is dropped, unless a task it claimed is
    still RUNNING (the autoreloader restarting it, a forced exit mid-task): then its heartbeat
    is made stale at once, so the next reaper hands that task back without waiting."""
    if worker_id in _workers_of_running_tasks(backend_name):
        WorkerHeartbeat.objects.filter(worker_id=worker_id).update(
            last_seen_at=timezone.now() - timedelta(days=1)
        )
    else:
        WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


class Heartbeat(threading.Thread):
    """Beats for `worker_id` every `interval` seconds and runs `reap()` every `reap_every`,
    on its own database connection, until `stop()`."""

    def __init__(self, worker_id: str, *, interval: float, reap_every: float, backend: str):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.reap_every = reap_every
        self.backend = backend
        self._stopping = threading.Event()

    def run(self) -> None:
        since_reap = 0.0
        try:
            while not self._stopping.wait(self.interval):
                try:
                    beat(self.worker_id)
                    since_reap += self.interval
                    if since_reap >= self.reap_every:
                        since_reap = 0.0
                        reap(backend_name=self.backend)
                except DatabaseError as exc:  # e.g. SQLite busy with a long write: next time
                    logger.warning("Heartbeat of worker %s failed: %s", self.worker_id, exc)
                    connections.close_all()
                except Exception:  # never let the heartbeat die while the worker lives
                    logger.exception("Heartbeat of worker %s failed", self.worker_id)
        finally:
            connections.close_all()  # this thread's own connections

    def stop(self) -> None:
        self._stopping.set()


# --- the reaper -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reaped:
    task_id: str
    task_path: str
    worker_id: str
    attempts: int
    gave_up: bool


def reap(*, backend_name: str = "default", now=None) -> list[Reaped]:
    """Queue again (or fail, after settings.TASKS_MAX_ATTEMPTS) every RUNNING task whose
    worker's heartbeat is stale; forget heartbeats of workers long gone. Safe to run from
    several workers at once: each task is handled under a row lock, skipped if taken."""
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.TASKS_WORKER_STALE_SECONDS)
    heartbeats = dict(WorkerHeartbeat.objects.values_list("worker_id", "last_seen_at"))
    dead = {worker for worker, seen in heartbeats.items() if seen < stale_before}
    reaped: list[Reaped] = []
    if dead:
        running = DBTaskResult.objects.running().filter(backend_name=backend_name)
        for task_id, worker_ids in running.values_list("pk", "worker_ids"):
            if worker_ids and worker_ids[-1] in dead:
                try:
                    done = _reap_one(task_id, dead, backend_name, now)
                except DatabaseError:
                    raise
                except Exception:  # one app's handler failing must not stop the others
                    logger.exception("Task %s: handing it back failed", task_id)
                    continue
                if done is not None:
                    reaped.append(done)
    forgotten = WorkerHeartbeat.objects.filter(last_seen_at__lt=now - FORGET_WORKERS_AFTER)
    forgotten.exclude(worker_id__in=_workers_of_running_tasks(backend_name)).delete()
    return reaped


def _workers_of_running_tasks(backend_name: str) -> set[str]:
    return {
        worker_ids[-1]
        for worker_ids in DBTaskResult.objects.running()
        .filter(backend_name=backend_name)
        .values_list("worker_ids", flat=True)
        if worker_ids
    }


def _reap_one(task_id, dead: set[str], backend_name: str, now) -> Reaped | None:
    def abandoned(result: DBTaskResult) -> bool:
        return (
            result.status == TaskResultStatus.RUNNING
            and result.backend_name == backend_name
            and bool(result.worker_ids)
            and result.worker_ids[-1] in dead
        )

    return _hand_back(task_id, abandoned, now, why="lost its worker")


# A worker stopped by force (a second Ctrl-C or SIGTERM) ends its task with one of these;
# django-tasks-db records the task as failed, but the task did nothing wrong.
STOPPED_BY = {"builtins.SystemExit", "builtins.KeyboardInterrupt"}


def hand_back_stopped_task(sender, task_result, **kwargs) -> None:
    """`task_finished` receiver: a task failed only because its worker was being stopped is
    queued again (counted as an attempt), and its app told, like one whose worker died."""
    db_result = getattr(task_result, "db_result", None)
    if db_result is None or db_result.status != TaskResultStatus.FAILED:
        return
    if db_result.exception_class_path not in STOPPED_BY:
        return

    def stopped_by_force(result: DBTaskResult) -> bool:
        return (
            result.status == TaskResultStatus.FAILED and result.exception_class_path in STOPPED_BY
        )

    _hand_back(db_result.pk, stopped_by_force, timezone.now(), why="was stopped with its worker")


def _hand_back(task_id, still, now, *, why: str) -> Reaped | None:
    """Queue the task again, or fail it for good after settings.TASKS_MAX_ATTEMPTS claims,
    and call its app's `when_interrupted` handler, in one transaction, if `still(result)`
    holds under the row lock."""
    with exclusive_transaction(DBTaskResult.objects.db):
        result = DBTaskResult.objects.filter(pk=task_id).select_for_update(skip_locked=True).first()
        if result is None or not still(result):
            return None  # finished, or handed back by another worker meanwhile
        worker_id = result.worker_ids[-1] if result.worker_ids else ""
        attempts = len(result.worker_ids)
        gave_up = attempts >= settings.TASKS_MAX_ATTEMPTS
        if gave_up:
            error = WorkerLost(
                f"The worker {worker_id} stopped while running this task; "
                f"failed after {attempts} attempts."
            )
            result.status = TaskResultStatus.FAILED
            result.finished_at = now
            result.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
            result.traceback = f"{WorkerLost.__qualname__}: {error}\n"
        else:
            result.status = TaskResultStatus.READY
            result.finished_at = None
            result.exception_class_path = result.traceback = ""
        result.return_value = None
        result.save(
            update_fields=[
                "status",
                "finished_at",
                "exception_class_path",
                "traceback",
                "return_value",
            ]
        )
        handler = _handler_for(result)
        if handler is not None:
            handler(
                *result.args_kwargs.get("args", []),
                attempts=attempts,
                gave_up=gave_up,
                **result.args_kwargs.get("kwargs", {}),
            )
    logger.warning(
        "Task %s (%s) %s %s after attempt %d: %s",
        task_id,
        result.task_path,
        why,
        worker_id,
        attempts,
        "failed for good" if gave_up else "queued again",
    )
    return Reaped(str(task_id), result.task_path, worker_id, attempts, gave_up)


def _handler_for(result: DBTaskResult) -> InterruptedHandler | None:
    try:
        result.task  # imports the task's module, which registers its handler  # noqa: B018
    except Exception:  # a task whose code is gone: nothing to tell
        logger.warning("Task %s: cannot import %s", result.pk, result.task_path)
        return None
    return _handlers.get(result.task_path)
