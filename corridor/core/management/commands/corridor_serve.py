"""`manage.py corridor_serve [ADDRPORT]`: the development server and a background worker in one
command (what `make run` starts). Both logs show in this terminal, each line marked with its
process; one Ctrl-C stops both (the worker finishes the task it is running first, for up to
STOP_SECONDS); if either stops on its own, the other is stopped too."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

# How long each process may take to stop after Ctrl-C before it is terminated.
STOP_SECONDS = 15


class Command(BaseCommand):
    help = "Run the development server and a background worker together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Run the web server alone (tasks then wait in the queue).",
        )

    def handle(self, *args, addrport: str, no_worker: bool, **options):
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        commands = {"web": [*manage, "runserver", addrport]}
        if not no_worker:
            # No autoreload for the worker: its reloader's parent would exit on Ctrl-C at once,
            # leaving its child to finish the task unseen. Restart `make run` after changing
            # a task's code.
            commands["worker"] = [*manage, "corridor_worker", "--no-reload"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        processes: dict[str, subprocess.Popen] = {}
        write_lock = threading.Lock()
        width = max(len(name) for name in commands)

        def relay(name: str, stream) -> None:
            for line in iter(stream.readline, b""):
                with write_lock:
                    self.stdout.write(
                        f"{name:<{width}} | " + line.decode(errors="replace").rstrip("\n")
                    )
                    self.stdout.flush()

        for name, command in commands.items():
            # Its own process group: Ctrl-C reaches this launcher only, which then asks each
            # process (and runserver's autoreloader child) to stop, exactly once.
            processes[name] = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            threading.Thread(target=relay, args=(name, processes[name].stdout), daemon=True).start()

        def on_terminate(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, on_terminate)
        signal.signal(signal.SIGINT, on_terminate)
        failed = False
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.2)
            stopped = [name for name, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; stopping the rest.")
            failed = True
        except KeyboardInterrupt:
            self.stderr.write("Stopping the web server and the worker...")
        finally:
            self._stop_all(processes)
        if failed:
            raise SystemExit(1)

    def _stop_all(self, processes: dict[str, subprocess.Popen]) -> None:
        """SIGTERM each once (the worker finishes its task); after STOP_SECONDS a second
        SIGTERM (the worker stops mid-task, and the task is queued again); then SIGKILL."""
        for signum, seconds in ((signal.SIGTERM, STOP_SECONDS), (signal.SIGTERM, 5)):
            for process in processes.values():
                if process.poll() is None:
                    self._signal(process, signum)
            deadline = time.monotonic() + seconds
            for process in processes.values():
                try:
                    process.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    pass
        for process in processes.values():
            self._signal(process, signal.SIGKILL)  # and whatever is left of its group
            process.wait()

    @staticmethod
    def _signal(process: subprocess.Popen, signum: int) -> None:
        try:
            os.killpg(process.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass
