"""In a real browser: the language switch sticks, and the dashboard draws its charts."""

import os
import shutil

import pytest

from corridor.testing.factories import ProjectFactory, sector

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Debian's chromium is not installed (apt-get install chromium); "
        "browser tests need it.",
    ),
]


@pytest.fixture
def page():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    # Playwright's sync API runs an event loop; Django's ORM must be allowed in it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_language_switch_sticks_and_charts_are_drawn(live_server, page, enterprise):
    ProjectFactory(
        title_en="International Data Channel",
        title_zh="国际数据通道",
        sector=sector("ict"),
        owner=enterprise,
    )
    page.goto(f"{live_server.url}/")
    assert page.locator("figure.chart svg").count() == 5
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("figure.chart svg").count() == 5
    assert page.locator("svg text", has_text="信息通信技术").count() == 1

    page.goto(f"{live_server.url}/projects/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("link", name="国际数据通道").is_visible()
