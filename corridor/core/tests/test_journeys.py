"""Each role's main journey, walked in a real browser in English and in Chinese, on the demo
world: the member records a project and runs a readiness assessment; the facilitator moves a
case along and raises an issue; the regulator reads and is offered nothing to write; an
enterprise asks to connect and to meet and takes its agenda as PDF and calendar file; the
organiser schedules an event and sees the run finish; the administrator imports a file and
sees it finish. Every page visited passes axe-core (no serious or critical WCAG 2 A/AA
violation) and does not scroll sideways at 390 px (corridor/testing/journeys.py)."""

import csv
import io
import os
import re

import pytest
from django.urls import reverse
from django.utils import translation

from corridor.accounts.models import Organisation, User
from corridor.cases.models import Case
from corridor.directory.models import Connection, Profile
from corridor.events.models import Event, MeetingRequest, Participant, ScheduleRun
from corridor.portfolio.models import ImportJob, Project
from corridor.testing.journeys import (
    AXE,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PASSWORD,
    PageChecks,
    Worker,
    load_demo,
    wait_until_finished,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Debian's chromium is not installed (apt-get install chromium); "
        "browser tests need it.",
    ),
    pytest.mark.skipif(
        not AXE.exists(),
        reason="axe-core is not installed (make install runs npm ci); the journeys check "
        "every page with it.",
    ),
]

LANGUAGES = ["en", "zh-hans"]
FINISHED_SECONDS = 120  # how long a person waits for a background run to finish


def t(language: str, message: str) -> str:
    """`message` as the site shows it in `language`."""
    with translation.override(language):
        return translation.gettext(message)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    # Playwright's sync API runs an event loop; Django's ORM must be allowed in it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Journey:
    """One person's visit: a browser window in their language, and the checks of every page
    they see."""

    def __init__(self, browser, base_url: str, language: str, label: str):
        # The site's Content-Security-Policy stays in force: axe-core is evaluated through
        # the browser's debugging protocol, which the policy does not govern.
        self.context = browser.new_context(viewport=DESKTOP)
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.language = language
        self.checks = PageChecks(f"{label}, {language}")
        self.checks.watch(self.page)

    def t(self, message: str) -> str:
        return t(self.language, message)

    def nav(self, message: str):
        """The link called `message` in the site's main navigation."""
        main = self.page.get_by_role("navigation", name=self.t("Main"))
        return main.get_by_role("link", name=self.t(message), exact=True)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def checked(self) -> None:
        """Check the page as it is now (axe-core, and no sideways scroll at 390 px)."""
        self.page.wait_for_load_state()
        assert self.page.locator("html").get_attribute("lang") == self.language
        self.checks.check(self.page)

    def log_in(self, username: str) -> None:
        page = self.page
        page.goto(self.url(reverse("accounts:login")))
        if self.language != "en":
            # the language switcher, as a person would use it before logging in
            with page.expect_navigation():
                page.locator(f"form.language-switch button[value='{self.language}']").click()
        self.checked()
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        assert page.locator("form[action$='/logout/']").count() == 1, "not logged in"

    def follow(self, link) -> None:
        """Click a link, wait for the page it leads to and check that page."""
        with self.page.expect_navigation():
            link.click()
        self.checked()

    def submit(self, form) -> None:
        """Press the form's main button and wait for the page it leads to."""
        with self.page.expect_navigation():
            form.locator("button.primary, button[type=submit]").first.click()
        self.page.wait_for_load_state()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def journey(browser, live_server, transactional_db):
    journeys = []

    def start(language: str, label: str) -> Journey:
        journeys.append(Journey(browser, live_server.url, language, label))
        return journeys[-1]

    yield start
    for j in journeys:
        j.close()


# --- member --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_member_records_a_project_and_runs_an_assessment(journey, language):
    load_demo("load_demo", "load_standards_demo")
    j = journey(language, "member")
    page = j.page
    j.log_in("qingling")
    j.checked()  # the dashboard

    j.follow(j.nav("Projects"))
    j.follow(page.get_by_role("link", name=j.t("Record a project")))
    form = page.locator("main form[method=post]")
    form.locator("[name=title_en]").fill("EQ5 charging depot in Jurong")
    form.locator("[name=title_zh]").fill("裕廊EQ5充电站")
    form.locator("[name=kind]").select_option("commercial")
    form.locator("[name=sector]").select_option("transport-logistics")
    form.locator("[name=value]").fill("2400000")
    form.locator("[name=currency]").select_option("USD")
    form.locator("[name=signed_on]").fill("2026-03-02")
    j.submit(form)
    project = Project.objects.get(title_en="EQ5 charging depot in Jurong")
    assert page.url == j.url(reverse("portfolio:project_detail", args=[project.pk]))
    expected_title = "裕廊EQ5充电站" if language == "zh-hans" else "EQ5 charging depot in Jurong"
    heading = page.locator("h1").inner_text()
    assert heading.startswith(expected_title)
    assert j.t("not published") in heading  # a member's new project waits for review
    assert project.owner.name_en == "Qingling Motors"
    j.checked()

    j.follow(j.nav("Standards"))
    j.follow(page.get_by_role("link", name=j.t("New assessment")))
    form = page.locator("main form[method=post]")
    form.locator("[name=product_name]").fill("EQ5 electric van")
    form.locator("[name=hs_code]").fill("870460")
    form.locator("[name=destination]").select_option("SG")
    form.locator("[name=attr_vehicle_category]").select_option("N1")
    form.locator("[name=attr_powertrain]").select_option("electric")
    form.locator("[name=attr_max_laden_weight_kg]").fill("3490")
    form.locator("[name=held][value=eu-wvta-certificate]").check()
    j.submit(form)
    assert re.search(r"/standards/assessments/\d+/$", page.url), page.url
    assert page.locator("h1").inner_text().startswith("EQ5 electric van")
    # the assessment lists what the van still needs for Singapore
    assert page.locator("#requirements tbody tr").count() > 0
    j.checked()
    j.checks.assert_clean()


# --- facilitator ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_facilitator_moves_a_case_along_and_raises_an_issue(journey, language):
    load_demo("load_demo", "load_standards_demo", "load_cases_demo")
    j = journey(language, "facilitator")
    page = j.page
    j.log_in("facilitator")

    case = Case.objects.get(status=Case.Status.SUBMITTED, title_en__contains="electric pickup")
    j.follow(j.nav("My work"))
    j.follow(page.locator(f"main a[href$='/cases/{case.pk}/']").first)
    status = page.locator("h1 .case-status")
    assert status.inner_text().strip() == j.t("submitted to the authority")

    form = page.locator("#transitions form")
    form.locator("textarea").fill("The authority has the file; we verify it with them now.")
    with page.expect_navigation():
        form.locator("button[name=to_status][value=under_verification]").click()
    j.checked()
    assert status.inner_text().strip() == j.t("under verification")
    case.refresh_from_db()
    assert case.status == Case.Status.UNDER_VERIFICATION
    assert page.get_by_text("The authority has the file; we verify it with them now.").count() >= 1

    page.locator("#issues details summary").click()
    form = page.locator("#issues details form")
    form.locator("[name$=title]").fill("Pickup's tail lamps need UN R48 evidence")
    form.locator("[name$=description]").fill("The LTA checklist asks for the lighting approval.")
    j.checks.check(page)  # the opened form
    j.submit(form)
    j.checked()
    row = page.locator("#issues tbody tr", has_text="Pickup's tail lamps need UN R48 evidence")
    assert row.count() == 1
    assert row.locator("td").nth(1).inner_text().strip() == j.t("open")
    j.checks.assert_clean()


# --- regulator -----------------------------------------------------------------------------


WRITE_LINKS = ("portfolio:import", "cases:case_open", "events:event_create")


def write_actions(page) -> list[str]:
    """What the page offers a person to change: forms that post (other than the language
    switch and logging out) and the links that start writing (import, open a case, new
    event)."""
    forms = page.eval_on_selector_all(
        "form",
        """forms => forms
            .filter(f => (f.getAttribute('method') || 'get').toLowerCase() === 'post')
            .map(f => f.getAttribute('action') || '(this page)')""",
    )
    offered = [
        f"form posting to {action}"
        for action in forms
        if action not in (reverse("set_language"), reverse("accounts:logout"))
    ]
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    for name in WRITE_LINKS:
        if reverse(name) in hrefs:
            offered.append(f"link to {reverse(name)}")
    return offered


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_regulator_reads_and_is_offered_no_write_action(journey, language):
    load_demo("load_demo", "load_standards_demo", "load_cases_demo")
    j = journey(language, "regulator")
    page = j.page
    j.log_in("regulator")
    offered = {}

    def read() -> None:
        found = write_actions(page)
        if found:
            offered[page.url] = found

    j.checked()  # the dashboard
    read()
    j.follow(j.nav("Cases"))
    read()
    rows = page.locator("main table tbody tr")
    assert rows.count() == 4  # the regulator's own: the van and the three meat cases
    van = Case.objects.get(title_en__startswith="Qingling EQ2 electric van")
    j.follow(page.locator(f"main a[href$='/cases/{van.pk}/']").first)
    read()
    assert page.locator("h1").inner_text().startswith(van.reference)
    assert page.locator("#milestones tbody tr").count() > 0
    j.follow(j.nav("Projects"))
    read()
    j.follow(j.nav("Standards"))
    read()

    for url, found in offered.items():
        j.checks.problems.append(
            f"[{j.checks.label}] {url} offers the regulator to write: {', '.join(found)}"
        )
    j.checks.assert_clean()


# --- enterprise ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_enterprise_asks_to_connect_and_to_meet_and_takes_its_agenda(journey, language):
    load_demo("load_demo", "load_directory_demo", "load_events_demo")
    j = journey(language, "enterprise")
    page = j.page
    sgtrade = User.objects.get(username="sgtrade")
    own = Profile.objects.get(organisation__memberships__user=sgtrade)
    # a Chongqing enterprise sgtrade has no connection with yet
    linked = {*Connection.objects.filter(from_profile=own).values_list("to_profile", flat=True)}
    linked |= {*Connection.objects.filter(to_profile=own).values_list("from_profile", flat=True)}
    other = (
        Profile.objects.filter(organisation__country="CN", visibility=Profile.Visibility.PUBLIC)
        .exclude(pk__in=linked)
        .exclude(pk=own.pk)
        .order_by("organisation__name_en")
        .first()
    )
    j.log_in("sgtrade")

    j.follow(j.nav("Directory"))
    other_name = other.organisation.name_en
    page.locator("main form[method=get] input[name=q]").fill(other_name)
    with page.expect_navigation():
        page.locator("main form[method=get] input[name=q]").press("Enter")
    j.checked()
    j.follow(page.locator(f"main a[href$='/directory/{other.pk}/']").first)
    form = page.locator("#connect form")
    form.locator("textarea").first.fill("We finance cross-border trade; shall we talk?")
    j.submit(form)
    j.checked()
    assert Connection.objects.filter(from_profile=own, to_profile=other).count() == 1
    assert page.locator(".connection-state").count() == 1

    j.follow(j.nav("Events"))
    event = Event.objects.get()
    j.follow(page.locator(f"main a[href$='/events/{event.pk}/']").first)
    mine = Participant.objects.get(event=event, organisation=own.organisation)
    asked = MeetingRequest.objects.filter(event=event, requester=mine).values("requested")
    answered = MeetingRequest.objects.filter(event=event, requested=mine).values("requester")
    partner = (
        Participant.objects.filter(event=event, organisation__country="CN")
        .exclude(pk__in=asked)
        .exclude(pk__in=answered)
        .order_by("organisation__name_en")
        .first()
    )
    form = page.locator("form#ask")
    form.locator("select[name$=requested]").select_option(str(partner.pk))
    form.locator("[name$=message]").fill("Trade finance for your exports to Singapore.")
    j.submit(form)
    j.checked()
    request = MeetingRequest.objects.get(event=event, requester=mine, requested=partner)
    assert request.status == MeetingRequest.Status.PENDING
    assert page.locator(f"#request-{request.pk}").count() == 1

    j.follow(page.locator(f"main a[href$='/events/{event.pk}/agenda/{mine.pk}/']").first)
    pdf_link = page.get_by_role("link", name=j.t("Printable agenda (PDF)"))
    ics_link = page.get_by_role("link", name=j.t("Add to my calendar (.ics)"))
    pdf = j.context.request.get(j.url(pdf_link.get_attribute("href")))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    ics = j.context.request.get(j.url(ics_link.get_attribute("href")))
    assert ics.status == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    calendar = ics.text()
    assert calendar.startswith("BEGIN:VCALENDAR")
    assert calendar.count("BEGIN:VEVENT") >= 1, calendar[:500]
    j.checks.assert_clean()


# --- organiser -----------------------------------------------------------------------------


@pytest.fixture
def worker(tmp_path, settings):
    """A background worker on the test's database; the test starts it once its world is
    loaded (on SQLite a worker starting during the demo's long writes would find the
    database locked)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"  # uploads the worker reads
    running = Worker(tmp_path / "worker.log", media_root=settings.MEDIA_ROOT)
    yield running
    running.stop()


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_organiser_schedules_an_event_and_sees_the_run_finish(journey, worker, language):
    load_demo("load_demo", "load_directory_demo", "load_events_demo")
    worker.start()
    event = Event.objects.get()
    runs_before = ScheduleRun.objects.filter(event=event).count()
    j = journey(language, "organiser")
    page = j.page
    j.log_in("admin")

    j.follow(j.nav("Events"))
    j.follow(page.locator(f"main a[href$='/events/{event.pk}/']").first)
    j.follow(page.get_by_role("link", name=j.t("Scheduler")).first)
    form = page.locator(f"main form[action$='/events/{event.pk}/schedule/start/']")
    form.locator("[name=time_limit]").fill("20")
    j.submit(form)
    assert ScheduleRun.objects.filter(event=event).count() == runs_before + 1
    # the page refreshes itself while the run is queued or running
    done = page.locator(".run-status.status-done")
    wait_until_finished(page, done, worker, seconds=FINISHED_SECONDS)
    run = ScheduleRun.objects.filter(event=event).latest("pk")
    assert run.status == "done", worker.output()
    assert done.inner_text().strip() == j.t("done")
    j.checked()
    j.checks.assert_clean()


# --- administrator -------------------------------------------------------------------------


def projects_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["external_id", "title_en", "title_zh", "kind", "status", "sector", "value", "currency"]
        + ["signed_on"]
    )
    writer.writerow(
        ["JRN-1", "Bonded cold store", "保税冷库", "commercial", "signed", "transport-logistics"]
        + ["1200000", "USD", "2025-04-01"]
    )
    writer.writerow(
        ["JRN-2", "Data channel upgrade", "数据通道升级", "commercial", "in_progress", "ict"]
        + ["800000", "USD", "2025-05-12"]
    )
    writer.writerow(
        ["JRN-3", "Trade finance desk", "贸易融资柜台", "financing", "signed", "financial-services"]
        + ["500000", "USD", "2025-06-20"]
    )
    return out.getvalue().encode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_administrator_imports_a_file_and_sees_it_finish(journey, worker, settings, language):
    settings.IMPORT_BACKGROUND_ROWS = 2  # three rows go to the background worker
    load_demo("load_demo")
    worker.start()
    administration = Organisation.objects.get(is_administration=True)
    j = journey(language, "administrator")
    page = j.page
    j.log_in("admin")

    j.follow(j.nav("Import"))
    form = page.locator("main form[method=post]")
    form.locator("input[type=file]").set_input_files(
        {"name": "journey-projects.csv", "mimeType": "text/csv", "buffer": projects_csv()}
    )
    owner = form.locator("select").first
    if owner.count():
        owner.select_option(str(administration.pk))
    j.submit(form)
    job = ImportJob.objects.get(file_name="journey-projects.csv")
    assert page.url == j.url(reverse("portfolio:import_status", args=[job.pk]))
    # the page refreshes itself until the import is done
    report = page.locator(".import-report.ok, section:has(dl.facts)")
    wait_until_finished(page, report, worker, seconds=FINISHED_SECONDS)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, worker.output()
    assert job.report["created"] == 3
    assert j.t("Projects created") in page.locator("main").inner_text()
    j.checked()
    assert Project.objects.filter(external_id__startswith="JRN-").count() == 3
    j.checks.assert_clean()
