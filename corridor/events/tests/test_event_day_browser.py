"""The event day on a phone (390 px), in a real browser, at 10:30 on the day (the events'
clock set by the test; the live server runs in this process): the organiser checks a
participant in by the link of the QR code on their agenda, marks another participant absent
(a no-show), sees on the confirmation which meetings the re-plan moves and who will be told,
confirms; a participant gives feedback on a meeting that was held, and the organiser sees it
on the results page. Every page visited passes axe-core, runs nothing the
Content-Security-Policy refuses, and does not scroll sideways, in English and in Chinese."""

import os
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from corridor.core.actors import SYSTEM
from corridor.events import checkin, clock, services
from corridor.events.models import Absence, MeetingOutcome, MeetingRequest, Participant
from corridor.events.tests.test_pages import (  # noqa: F401 (fixtures)
    event,
    logistics,
    make_event,
    meeting,
    motorway,
    organiser,
    stranger,
    third_enterprise,
    trade_office,
    url,
    vans,
)
from corridor.events.views.shared import day_text, slot_text
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

# The event's day (test_pages.SESSIONS): slots 0–2 from 09:00, 3–5 from 14:00, on Tuesday
# March 10. At 10:30 the morning was held and the afternoon is still to come.
MID_DAY = datetime(2026, 3, 10, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


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


def placed(request) -> tuple:
    saved = MeetingRequest.objects.get(pk=request.pk)
    return saved.slot, saved.table


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_check_in_then_a_no_show_re_planned_then_feedback_and_the_results_on_a_phone(
    live_server,
    browser,
    monkeypatch,
    event,  # noqa: F811
    vans,  # noqa: F811
    motorway,  # noqa: F811
    logistics,  # noqa: F811
    meeting,  # noqa: F811
    organiser,  # noqa: F811
    owner,
    language,
):
    monkeypatch.setattr(clock, "now", lambda: MID_DAY)
    # Qingling and Motorway met at 09:20 at table 3 (held). Still to come this afternoon:
    # Motorway with Lion City Logistics at 14:00, Qingling with Lion City at 14:20.
    services.meeting_lock(actor=SYSTEM, request=meeting, slot=1)
    MeetingRequest.objects.filter(pk=meeting.pk).update(table=3)
    motorway_lion = services.meeting_add(
        actor=SYSTEM, event=event, requester=motorway, requested=logistics
    )
    qingling_lion = services.meeting_add(
        actor=SYSTEM, event=event, requester=vans, requested=logistics
    )
    MeetingRequest.objects.filter(pk=motorway_lion.pk).update(slot=3, table=1)
    MeetingRequest.objects.filter(pk=qingling_lion.pk).update(slot=4, table=2)
    services.agendas_publish(actor=SYSTEM, event=event)
    slots = event.slots()
    with translation.override(language):
        afternoon_label, tuesday = slot_text(slots[3]), day_text(slots[3])
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
    checked = Participant.objects.get(pk=vans.pk)
    assert (checked.checked_in_by_id, checked.checked_in_at) == (organiser.pk, MID_DAY)
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
    # someone checks Lion City in at another desk: the board follows without a reload
    checkin.participant_check_in(actor=organiser, participant=logistics)
    desk.evaluate("document.getElementById('board').dispatchEvent(new Event('board:refresh'))")
    desk.locator(f'#present-list li[data-participant="{logistics.pk}"]').wait_for()
    assert desk.locator("#count-present").inner_text() == "2"
    assert desk.locator(f'#absent-list li[data-participant="{motorway.pk}"]').is_visible()

    # Motorway has not come (a no-show): the organiser marks them absent on the event day.
    desk.goto(live_server.url + url("event_day", event.pk))
    assert desk.locator(f"#coming-table #meeting-{motorway_lion.pk}").is_visible()
    assert desk.locator(f"#coming-table #meeting-{qingling_lion.pk}").is_visible()
    assert desk.locator(f"#coming-table #meeting-{meeting.pk}").count() == 0  # held
    assert_no_sideways_scroll(desk, where=f"event day ({language})")
    checks.check(desk)
    desk.locator(f"#participant-{motorway.pk} a.small-button").click()
    desk.wait_for_url(lambda u: "/absent/" in u)
    # The confirmation names the day, the one meeting that loses its slot and who is told;
    # nothing has changed yet.
    assert tuesday in desk.locator("main").inner_text()
    assert desk.locator("#change-table tbody tr").count() == 1
    change = desk.locator(f"#change-{motorway_lion.pk}")
    assert afternoon_label in change.inner_text()
    assert desk.locator(f"#change-{qingling_lion.pk}").count() == 0
    told = desk.locator("#told-list li")
    assert sorted(told.evaluate_all("items => items.map(i => i.dataset.participant)")) == sorted(
        [str(motorway.pk), str(logistics.pk)]
    )
    assert placed(motorway_lion) == (3, 1) and not Absence.objects.exists()
    assert_no_sideways_scroll(desk, where=f"re-plan confirmation ({language})")
    checks.check(desk)
    desk.locator("form.actions button[type=submit]").click()
    desk.wait_for_url(lambda u: u.rstrip("/").endswith("/day"))
    # Back on the day: Motorway is absent, their afternoon meeting waits for a slot, and
    # every other meeting is where it was.
    assert desk.locator(".message.success").is_visible()
    assert desk.locator(f"#participant-{motorway.pk} .badge.overdue").is_visible()
    assert desk.locator(f"#coming-table #meeting-{motorway_lion.pk}").count() == 0
    assert desk.locator(f"#coming-table #meeting-{qingling_lion.pk}").is_visible()
    assert desk.locator("#waiting li").count() == 1
    assert (placed(motorway_lion), placed(qingling_lion), placed(meeting)) == (
        (None, None),
        (4, 2),
        (1, 3),
    )
    checks.check(desk)

    # The participant gives feedback on the meeting held this morning: 4 of 5, a follow-up,
    # an agreement.
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
    # the afternoon's meeting is not over: it takes no feedback yet
    assert participant.locator(f"#meeting-{qingling_lion.pk} form.feedback-form").count() == 0
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
