"""A slow task for the worker tests (a module the worker subprocess can import; not a test
file): it writes what happens to it into a file, one line a step."""

import os
import time
from pathlib import Path

from django_tasks import task

from corridor.core.tasks import when_interrupted


@task()
def slow(path: str, seconds: float) -> int:
    log = Path(path)
    with log.open("a") as out:
        out.write(f"start {os.getpid()}\n")
    time.sleep(seconds)
    with log.open("a") as out:
        out.write(f"done {os.getpid()}\n")
    return os.getpid()


@when_interrupted(slow)
def slow_interrupted(path: str, seconds: float, *, attempts: int, gave_up: bool) -> None:
    with Path(path).open("a") as out:
        out.write(f"{'gave up' if gave_up else 'retried'} after {attempts}\n")


@task()
def cut_short(path: str) -> None:
    """Behaves like a task whose worker is stopped by force (a second Ctrl-C) mid-way."""
    with Path(path).open("a") as out:
        out.write("start\n")
    raise KeyboardInterrupt


@when_interrupted(cut_short)
def cut_short_interrupted(path: str, *, attempts: int, gave_up: bool) -> None:
    with Path(path).open("a") as out:
        out.write(f"{'gave up' if gave_up else 'retried'} after {attempts}\n")
