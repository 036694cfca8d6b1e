"""What the journey tests (corridor/core/tests/test_journeys.py) use to walk the site as a
person would: Debian's Chromium through Playwright, the demo world, a real background worker,
and the checks every visited page must pass — axe-core (the npm package pinned in
package.json, installed by `make install`) finds no serious or critical WCAG 2 A/AA
violation, and at 390 px (a phone) the page does not scroll sideways."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "corridor-demo"  # every demo login's
PHONE_WIDTH = 390
DESKTOP = {"width": 1280, "height": 900}

# The demo loaders each journey needs, in the order `make setup` runs them. Their tasks
# (notification e-mails) are dropped, as `make setup` drops them.
DEMO_LOADERS = (
    "load_demo",
    "load_standards_demo",
    "load_cases_demo",
    "load_directory_demo",
    "load_events_demo",
)


def load_demo(*loaders: str) -> None:
    from django.test import override_settings

    dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=dummy):
        for loader in DEMO_LOADERS:
            if loader in loaders:
                call_command(loader, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


# --- the checks every visited page passes --------------------------------------------------


def axe_violations(page) -> list[dict]:
    """Serious and critical WCAG 2 A/AA violations axe-core finds on the page as it is."""
    # Evaluated through the browser's debugging protocol, which the page's strict
    # Content-Security-Policy (script-src 'self' + nonce) does not govern: a <script> tag
    # added to the page would be refused, and bypassing the CSP would hide the site's own
    # CSP mistakes from these journeys.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]},
                resultTypes: ["violations"],
            });
            return r.violations;
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            target = " ".join(
                json.dumps(t) if not isinstance(t, str) else t for t in node["target"]
            )
            lines.append(f"    {target}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def sideways_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scroll)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def widest_elements(page, limit: int = 5) -> list[str]:
    """The elements that stick out past the right edge, for the failure message."""
    return page.evaluate(
        """(limit) => {
            const width = document.documentElement.clientWidth;
            const out = [];
            for (const el of document.body.querySelectorAll("*")) {
                const r = el.getBoundingClientRect();
                if (r.right > width + 1 && r.width > 0) {
                    const name = el.tagName.toLowerCase()
                        + (el.id ? "#" + el.id : "")
                        + (el.className && typeof el.className === "string"
                           ? "." + el.className.trim().split(/\\s+/).join(".") : "");
                    out.push(name + " (right edge " + Math.round(r.right) + " px)");
                    if (out.length >= limit) break;
                }
            }
            return out;
        }""",
        limit,
    )


class PageChecks:
    """Records what each visited page failed, so that one journey reports every problem
    it met (page, check, details) instead of stopping at the first."""

    def __init__(self, label: str):
        self.label = label
        self.problems: list[str] = []

    def watch(self, page) -> None:
        """Also record what the browser refuses under the site's Content-Security-Policy and
        the scripts that fail."""

        def console(message) -> None:
            if message.type == "error" and "Content Security Policy" in message.text:
                self.problems.append(f"[{self.label}] {page.url}: {message.text}")

        page.on("console", console)
        page.on(
            "pageerror", lambda error: self.problems.append(f"[{self.label}] {page.url}: {error}")
        )

    def check(self, page) -> None:
        where = page.url
        violations = axe_violations(page)
        if violations:
            self.problems.append(
                f"[{self.label}] axe on {where}:\n{describe_violations(violations)}"
            )
        size = page.viewport_size
        page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
        try:
            overflow = sideways_overflow(page)
            if overflow > 0:
                self.problems.append(
                    f"[{self.label}] at {PHONE_WIDTH} px {where} scrolls sideways by "
                    f"{overflow} px: {', '.join(widest_elements(page))}"
                )
        finally:
            page.set_viewport_size(size)

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)


# --- a background worker on the test database ---------------------------------------------


def worker_environment(media_root: Path) -> dict[str, str]:
    """The environment of a worker process that works on this test's database and files."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        url = f"sqlite:///{db['NAME']}"
    else:
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        url = f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "MEDIA_ROOT": str(media_root),
        "CORRIDOR_ALLOW_INSECURE_KEY": "1",
    }


class Worker:
    """`manage.py corridor_worker` in its own process, as `make run` starts it."""

    def __init__(self, log: Path, *, media_root: Path):
        self.log = log
        self.media_root = media_root
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        manage = Path(settings.BASE_DIR) / "manage.py"
        self.process = subprocess.Popen(
            [
                *(sys.executable, str(manage), "corridor_worker", "--no-reload"),
                *("--no-startup-delay", "--interval", "0.2"),
            ],
            env=worker_environment(self.media_root),
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def output(self) -> str:
        return self.log.read_text() if self.log.exists() else ""


def wait_until_finished(page, finished, worker: Worker, *, seconds: float) -> None:
    """Wait, as a person watching the page would (it refreshes itself while the background
    work runs), until `finished` shows; fail at once with the worker's log if it died."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + seconds
    while True:
        try:
            finished.first.wait_for(timeout=2000)
            return
        except PlaywrightTimeout:
            pass
        assert worker.alive(), f"the worker stopped:\n{worker.output()}"
        assert time.monotonic() < deadline, (
            f"not finished after {seconds} s on {page.url}; the worker's log:\n{worker.output()}"
        )
