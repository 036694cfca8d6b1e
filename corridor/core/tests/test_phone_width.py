"""On a phone (390 px wide) no page scrolls sideways, in English and in Chinese.

One browser and one logged-in page walk the main pages of every kind (lists, records, forms,
the assessment report, the case with its timeline and documents, the event with its schedule
and table plan) over the shared test world (corridor/testing/world.py), whose names are made
long in both languages first: a twenty-word name, a part number with no place to break, a
long URL.
"""

import datetime
import os
import shutil

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import Organisation
from corridor.cases import services as cases
from corridor.portfolio.models import Project
from corridor.standards import kb as kb_module
from corridor.standards.tests.test_services import story_knowledge_base
from corridor.testing.browser import PHONE_VIEWPORT, assert_no_sideways_scroll, sideways_overflow
from corridor.testing.factories import ProjectFactory, sector
from corridor.testing.world import build_world

CHROMIUM = shutil.which("chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Debian's chromium is not installed (apt-get install chromium); "
        "browser tests need it.",
    ),
    pytest.mark.django_db(transaction=True),
]

LONG_EN = (
    "Chongqing Liangjiang New Area International Electric Light Commercial Vehicle "
    "Manufacturing, Certification and Right-Hand-Drive Export Cooperation Company Limited"
)
LONG_ZH = "重庆两江新区国际电动轻型商用车制造认证及右舵出口合作有限责任公司新加坡分公司"
PART_NUMBER = "EQ2-ELECTRIC-LIGHT-COMMERCIAL-VAN-RHD-N1-3490KG-LTA-TYPE-APPROVAL-2026-REV-B"
UNBROKEN = PART_NUMBER.replace("-", "")  # an id with no place to break
LONG_URL = "https://onemotoring.lta.gov.sg/content/onemotoring/home/buying/vehicle-types-and-registrations/type-approval-of-vehicles-for-registration.html"


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    # Playwright's sync API runs an event loop; Django's ORM must be allowed in it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def world(monkeypatch, tmp_path):
    knowledge_base = story_knowledge_base()
    monkeypatch.setattr(kb_module, "current", lambda: knowledge_base, raising=False)
    monkeypatch.setattr(settings, "MEDIA_ROOT", str(tmp_path))
    w = build_world()
    # Long names in both languages, on the organisations every page shows.
    for number, pk in enumerate((w.ids["qingling"], w.ids["motorway"], w.ids["logistics"])):
        Organisation.objects.filter(pk=pk).update(
            name_en=f"{LONG_EN} {number}", name_zh=f"{LONG_ZH}{number}"
        )
    Project.objects.filter(pk=w.ids["project"]).update(
        title_en=f"{LONG_EN} — {PART_NUMBER}",  # within the 300 characters PostgreSQL enforces
        title_zh=f"{LONG_ZH}：{PART_NUMBER}",
        description_en=f"See {LONG_URL} ({UNBROKEN})",
    )
    # A full project list: every column filled.
    for year in range(2016, 2026):
        ProjectFactory(
            title_en=f"{LONG_EN} phase {year}",
            title_zh=f"{LONG_ZH}第{year}期",
            sector=sector("manufacturing"),
            signed_on=datetime.date(year, 3, 1),
            owner_id=w.ids["qingling"],
        )
    # A wide milestones table and a long timeline.
    case = w.objects["case"]
    for month in range(1, 7):
        cases.milestone_save(
            actor=w.people["facilitator"],
            case=case,
            milestone=None,
            version=None,
            title_en=f"{PART_NUMBER} step {month}: {LONG_EN}",
            title_zh=f"{LONG_ZH}第{month}步",
            planned_start=datetime.date(2026, month, 1),
            planned_end=datetime.date(2026, month + 3, 28),
        )
    return w


def pages_of(w) -> list[str]:
    ids = w.ids
    event, qingling_at = ids["event"], ids["qingling_at"]
    return [
        reverse("portfolio:dashboard"),
        reverse("portfolio:project_list"),
        reverse("portfolio:project_detail", args=[ids["project"]]),
        reverse("portfolio:project_edit", args=[ids["project"]]),
        reverse("portfolio:project_parties", args=[ids["project"]]),
        reverse("portfolio:innovation_list"),
        reverse("portfolio:innovation_create"),
        reverse("portfolio:figure_list"),
        reverse("portfolio:import"),
        reverse("portfolio:revision_list"),
        reverse("standards:assessment_list"),
        reverse("standards:assessment_detail", args=[ids["assessment"]]),
        reverse("standards:assessment_create"),
        reverse("hs:search") + "?q=vehicles",
        reverse("hs:code", args=["870460"]),
        reverse("cases:case_list"),
        reverse("cases:case_detail", args=[ids["case"]]),
        reverse("cases:my_work"),
        reverse("cases:case_open"),
        reverse("directory:profile_list"),
        reverse("directory:profile_detail", args=[ids["vans"]]),
        reverse("directory:connections"),
        reverse("events:event_list"),
        reverse("events:event_detail", args=[event]),
        reverse("events:event_create"),
        reverse("events:schedule", args=[event]),
        reverse("events:table_plan", args=[event]),
        reverse("events:agenda", args=[event, qingling_at]),
        reverse("events:outcomes", args=[event, qingling_at]),
        reverse("events:checkin_desk", args=[event]),
        reverse("events:board", args=[event]),
        reverse("events:results", args=[event]),
        reverse("accounts:profile"),
        "/no-such-page/",
    ]


def test_no_page_scrolls_sideways_on_a_phone(live_server, browser, world):
    client = Client()
    client.force_login(world.people["admin"])
    context = browser.new_context(viewport=PHONE_VIEWPORT)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = context.new_page()

    scrolling = []
    for language in ("en", "zh-hans"):
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        for path in pages_of(world):
            page.goto(live_server.url + path)
            assert page.locator("html").get_attribute("lang") == language, path
            # The site's stylesheet was applied (a page without it proves nothing).
            assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") == (
                "1200px"
            ), path
            try:
                assert_no_sideways_scroll(page, where=f"{path} ({language})")
            except AssertionError as failure:
                scrolling.append(str(failure))
    assert not scrolling, "\n".join(scrolling)

    # The long names are there to be read: the project's title is on its page, wrapped.
    page.goto(live_server.url + reverse("portfolio:project_detail", args=[world.ids["project"]]))
    assert page.get_by_text(PART_NUMBER).first.is_visible()


def test_the_check_names_what_sticks_out(browser):
    """The helper's message points at the widest element past the window's edge, and a wide
    table inside a region that scrolls on its own does not count."""
    page = browser.new_page(viewport=PHONE_VIEWPORT)
    page.set_content(
        "<!doctype html><main><p>fits</p><table id='wide'><tr><td><div style='width:900px'>x</div></td></tr></table></main>"
    )
    widest = sideways_overflow(page)["offenders"][0]
    assert widest["selector"] == "table#wide"
    assert widest["width"] > 900
    with pytest.raises(AssertionError, match=r"table#wide: 9\d\d px wide"):
        assert_no_sideways_scroll(page)

    # an unbroken word runs out of a paragraph that is itself as wide as the window
    page.set_content("<!doctype html><main><p id='part'>" + UNBROKEN + "</p></main>")
    assert sideways_overflow(page)["offenders"][0]["selector"] == "p#part"

    page.set_content(
        "<!doctype html><main><div style='overflow-x:auto'><table style='width:900px'><tr><td>x</td></tr>"
        "</table></div></main>"
    )
    assert sideways_overflow(page) is None
    assert_no_sideways_scroll(page)
