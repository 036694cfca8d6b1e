"""`manage.py corridor_worker`: django-tasks-db's `db_worker` (same options), plus a heartbeat
and a reaper, so that a task whose worker died is run again instead of staying "running" for
ever (corridor/core/tasks.py). Use it instead of `db_worker`."""

import os

from django.conf import settings
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from corridor.core import tasks


class Command(db_worker.Command):
    help = (
        "Run a background worker: db_worker, plus a heartbeat so that tasks of a worker that "
        "died are queued again (or failed after TASKS_MAX_ATTEMPTS)."
    )

    def handle(self, *args, worker_id: str, backend_name: str, **options) -> None:
        if options.get("reload") and not options.get("batch"):
            if os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
                # The autoreloader's parent process only restarts its child, which runs the
                # tasks (and this method again): the heartbeat belongs to the child.
                return super().handle(
                    *args, worker_id=worker_id, backend_name=backend_name, **options
                )
        # Say this worker is alive before it claims anything, then hand back what dead
        # workers left behind.
        self.configure_logging(options["verbosity"])
        tasks.beat(worker_id)
        tasks.reap(backend_name=backend_name)  # logs each task it hands back
        heartbeat = tasks.Heartbeat(
            worker_id,
            interval=settings.TASKS_HEARTBEAT_SECONDS,
            reap_every=settings.TASKS_HEARTBEAT_SECONDS * 3,
            backend=backend_name,
        )
        heartbeat.start()
        try:
            super().handle(*args, worker_id=worker_id, backend_name=backend_name, **options)
        finally:
            heartbeat.stop()
            heartbeat.join(timeout=settings.TASKS_HEARTBEAT_SECONDS + 5)
            tasks.stopped(worker_id, backend_name=backend_name)
