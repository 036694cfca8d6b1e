"""The event day on a phone (390 px), in a real browser: the organiser checks a participant in
by the link of the QR code on their agenda, the participant gives feedback on a meeting that
was held, and the organiser sees it on the results page. Every page visited passes axe-core,
runs nothing the Content-Security-Policy refuses, and does not scroll sideways, in English
and in Chinese.

(After the no-show re-planning lands, this walk goes on: a no-show → re-plan.)"""

import os
import shutil

import pytest
from django.conf import settings
from django.test import Client

from corridor.core.actors import SYSTEM
from corridor.events import checkin, services
from corridor.events.models import MeetingOutcome, MeetingRequest, Participant
from corridor.events.tests.test_pages import (  # noqa: F401 (fixtures)
    event,
    make_event,
    meeting,
    motorway,
    organiser,
    trade_office,
    url,
    vans,
)
from corridor.testing.browser import PHONE_VIEWPORT, assert_no_sideways_scroll
from corridor.testing.journeys import PageChecks

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


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    # Playwright's sync API runs an event loop; Django's ORM must be allowed in it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            launched.close()


def phone_for(browser, live_server, user, language: str):
    """A logged-in page on a phone-sized window, in `language`."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE_VIEWPORT)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )
    return context.new_page()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_check_in_by_the_qr_link_then_feedback_then_the_results_on_a_phone(
    live_server,
    browser,
    event,  # noqa: F811
    vans,  # noqa: F811
    motorway,  # noqa: F811
    meeting,  # noqa: F811
    organiser,  # noqa: F811
    owner,
    language,
):
    # The meeting was held on March 10 at 09:20 (the event is over), at table 3.
    services.meeting_lock(actor=SYSTEM, request=meeting, slot=1)
    MeetingRequest.objects.filter(pk=meeting.pk).update(table=3)
    services.agendas_publish(actor=SYSTEM, event=event)
    checks = PageChecks(f"event day, {language}")
    participant = phone_for(browser, live_server, owner, language)
    desk = phone_for(browser, live_server, organiser, language)
    checks.watch(participant)
    checks.watch(desk)

    # The participant opens their agenda: the QR code is there, a square that fits the phone.
    participant.goto(live_server.url + url("agenda", event.pk, vans.pk))
    code = participant.locator("#checkin-code svg.qr-code")
    assert code.is_visible()
    box = code.bounding_box()
    assert box["width"] == box["height"] and box["x"] + box["width"] <= PHONE_VIEWPORT["width"]
    assert_no_sideways_scroll(participant, where=f"agenda ({language})")
    checks.check(participant)

    # The organiser's phone opens the code's link (what the camera reads): checked in.
    link = live_server.url + url("checkin_scan", event.pk, checkin.checkin_token(vans))
    desk.goto(link)
    assert desk.locator("#checkin-result.present").is_visible()
    assert "Qingling Motors" in desk.locator("#checkin-result").inner_text()
    assert Participant.objects.get(pk=vans.pk).checked_in_by_id == organiser.pk
    assert_no_sideways_scroll(desk, where=f"check-in result ({language})")
    checks.check(desk)
    # the desk lists them as checked in, and the live board as present
    desk.goto(live_server.url + url("checkin_desk", event.pk))
    assert desk.locator(f"#participant-{vans.pk}.present").is_visible()
    checks.check(desk)
    desk.goto(live_server.url + url("board", event.pk))
    assert desk.locator(f'#present-list li[data-participant="{vans.pk}"]').is_visible()
    assert desk.locator(f'#absent-list li[data-participant="{motorway.pk}"]').is_visible()
    checks.check(desk)
    # someone checks Motorway in at another desk: the board follows without a reload
    checkin.participant_check_in(actor=organiser, participant=motorway)
    desk.evaluate("document.getElementById('board').dispatchEvent(new Event('board:refresh'))")
    desk.locator(f'#present-list li[data-participant="{motorway.pk}"]').wait_for()
    assert desk.locator("#count-present").inner_text() == "2"
    assert desk.locator(f'[data-presence="{motorway.pk}"].present').count() == 1

    # The participant gives feedback on the meeting: 4 of 5, a follow-up, an agreement.
    participant.goto(live_server.url + url("outcomes", event.pk, vans.pk))
    form = participant.locator(f"#meeting-{meeting.pk} form.feedback-form")
    checks.check(participant)
    prefix = f"outcome-{meeting.pk}"
    form.locator(f'label.choice:has(input[name="{prefix}-rating"][value="4"])').click()
    form.locator(f'label.choice:has(input[name="{prefix}-wants_follow_up"][value="yes"])').click()
    form.locator(f'select[name="{prefix}-outcome"]').select_option("agreement")
    form.locator(f'textarea[name="{prefix}-note"]').fill("Samples in May.")
    form.locator('button[type="submit"]').click()
    participant.wait_for_load_state()
    assert participant.locator(f"#meeting-{meeting.pk} .recorded").is_visible()
    said = MeetingOutcome.objects.get(meeting=meeting, participant=vans)
    assert (said.rating, said.wants_follow_up, said.outcome) == (4, True, "agreement")
    assert_no_sideways_scroll(participant, where=f"feedback ({language})")
    checks.check(participant)

    # The organiser sees it on the results page.
    desk.goto(live_server.url + url("results", event.pk))
    assert desk.locator("#kpi-rating .value").inner_text() == "4.0"
    assert desk.locator("#kpi-follow-ups .value").inner_text() == "1"
    assert desk.locator("#kpi-agreements .value").inner_text() == "1"
    assert "Samples in May." in desk.locator(f"#result-{meeting.pk}").inner_text()
    assert_no_sideways_scroll(desk, where=f"results ({language})")
    checks.check(desk)

    checks.assert_clean()
