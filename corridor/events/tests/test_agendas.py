"""Agendas as participants receive them (page, PDF, calendar file), the organisers' table plan,
the outcomes after the event, and a scheduling run started from the page."""

import io
import pathlib
import re

import icalendar
import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from pypdf import PdfReader

from corridor.core.actors import SYSTEM
from corridor.events import services
from corridor.events.models import MeetingOutcome, MeetingRequest
from corridor.events.tests.test_pages import (  # noqa: F401 (fixtures)
    SLOT_1,
    SLOT_4,
    event,
    logistics,
    meeting,
    motorway,
    organiser,
    section,
    stranger,
    text,
    third_enterprise,
    trade_office,
    url,
    vans,
)
from corridor.portfolio.models import Project
from corridor.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(event, meeting):  # noqa: F811
    """The meeting at 09:20–09:40 at table 3, with the agendas published."""
    services.meeting_lock(actor=SYSTEM, request=meeting, slot=1)
    MeetingRequest.objects.filter(pk=meeting.pk).update(table=3)
    services.agendas_publish(actor=SYSTEM, event=event)
    meeting.refresh_from_db()
    return meeting


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def calendar_events(content: bytes) -> list:
    return list(icalendar.Calendar.from_ical(content).walk("VEVENT"))


# --- the agenda page ------------------------------------------------------------------------


def test_the_agenda_shows_each_slot_with_the_meeting_free_and_unavailable_times(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    placed,
    owner,
):
    services.participant_update(actor=SYSTEM, participant=vans, blocked_slots=[4])
    client.force_login(owner)

    response = client.get(url("agenda", event.pk, vans.pk))

    assert response.status_code == 200
    assert text(section(response, "slot-1")) == (
        f"{SLOT_1} Motorway Group 摩托威集团 Singapore locked must meet 3 interpreter needed"
    )
    assert text(section(response, "slot-0")) == "Tue March 10, 09:00–09:20 free"
    assert text(section(response, "slot-4")) == f"{SLOT_4} unavailable"
    html = response.content.decode()
    assert url("agenda_pdf", event.pk, vans.pk) in html
    assert url("agenda_ics", event.pk, vans.pk) in html


def test_the_other_side_sees_the_same_meeting_from_its_side(
    client,
    event,  # noqa: F811
    motorway,  # noqa: F811
    placed,
    outsider,
):
    client.force_login(outsider)

    response = client.get(url("agenda", event.pk, motorway.pk))

    assert text(section(response, "slot-1")).startswith(f"{SLOT_1} Qingling Motors 庆铃汽车 China")


def test_the_agenda_is_in_chinese_for_a_chinese_reader(client, event, vans, placed, owner):  # noqa: F811
    client.force_login(owner)

    response = client.get(url("agenda", event.pk, vans.pk), HTTP_ACCEPT_LANGUAGE="zh-hans")

    row = text(section(response, "slot-1"))
    assert "09:20–09:40" in row
    assert "摩托威集团 Motorway Group" in row  # the name in Chinese first, then in English


def test_other_participants_agendas_are_refused(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    placed,
    logistics,  # noqa: F811
    stranger,  # noqa: F811
):
    client.force_login(stranger)

    for name in ("agenda", "agenda_pdf", "agenda_ics", "outcomes", "participant_edit"):
        assert client.get(url(name, event.pk, vans.pk)).status_code == 403
    other_event = services.event_create(
        actor=SYSTEM, organiser=event.organiser, title_en="Another day", is_published=True
    )
    assert client.get(url("agenda", other_event.pk, vans.pk)).status_code == 404


def test_before_the_agendas_are_published_a_participant_sees_no_meetings(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    meeting,  # noqa: F811
    organiser,  # noqa: F811
    owner,
):
    services.meeting_lock(actor=SYSTEM, request=meeting, slot=1)
    client.force_login(owner)

    response = client.get(url("agenda", event.pk, vans.pk))

    assert "have not published the agendas yet" in text(response)
    assert "Motorway Group" not in text(response)
    assert client.get(url("agenda_ics", event.pk, vans.pk)).status_code == 404
    client.force_login(organiser)
    organisers_view = client.get(url("agenda", event.pk, vans.pk))
    assert "Motorway Group" in text(section(organisers_view, "slot-1"))


# --- the calendar file ----------------------------------------------------------------------


def test_the_calendar_file_has_one_stable_event_per_meeting(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    placed,
    owner,
    organiser,  # noqa: F811
):
    client.force_login(owner)

    response = client.get(url("agenda_ics", event.pk, vans.pk))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    [entry] = calendar_events(response.content)
    assert str(entry["UID"]) == f"{placed.uid}@corridor"
    assert entry["SEQUENCE"] == 0
    # 09:20–09:40 in Singapore is 01:20–01:40 UTC
    assert entry.decoded("DTSTART").isoformat() == "2026-03-10T01:20:00+00:00"
    assert entry.decoded("DTEND").isoformat() == "2026-03-10T01:40:00+00:00"
    assert str(entry["SUMMARY"]) == "Meeting with Motorway Group"
    assert str(entry["LOCATION"]) == "Raffles City Convention Centre, table 3"

    client.force_login(organiser)
    placed.refresh_from_db()
    client.post(
        url("meeting_lock", event.pk, placed.pk),
        {f"lock-{placed.pk}-slot": "4", f"lock-{placed.pk}-version": placed.version},
    )
    client.force_login(owner)
    [moved] = calendar_events(client.get(url("agenda_ics", event.pk, vans.pk)).content)
    assert str(moved["UID"]) == f"{placed.uid}@corridor"
    assert moved["SEQUENCE"] == 1
    assert moved.decoded("DTSTART").isoformat() == "2026-03-10T06:20:00+00:00"


def test_the_calendar_speaks_the_readers_language(client, event, vans, placed, owner):  # noqa: F811
    client.force_login(owner)

    response = client.get(url("agenda_ics", event.pk, vans.pk), HTTP_ACCEPT_LANGUAGE="zh-hans")

    [entry] = calendar_events(response.content)
    assert "摩托威集团" in str(entry["SUMMARY"])
    assert "来福士会议中心" in str(entry["LOCATION"])


def test_a_cancelled_meeting_leaves_the_calendar(client, event, vans, placed, owner):  # noqa: F811
    client.force_login(owner)
    client.post(url("request_cancel", event.pk, placed.pk))

    response = client.get(url("agenda_ics", event.pk, vans.pk))

    assert calendar_events(response.content) == []


# --- the printable agenda -------------------------------------------------------------------


def test_the_printable_agenda_is_a_pdf_naming_the_other_side(client, event, vans, placed, owner):  # noqa: F811
    client.force_login(owner)

    response = client.get(url("agenda_pdf", event.pk, vans.pk))

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    content = pdf_text(response.content)
    assert "Agenda of Qingling Motors" in content
    assert "Motorway Group" in content
    assert SLOT_1 in content


def test_the_printable_agenda_in_chinese(client, event, vans, placed, owner):  # noqa: F811
    client.force_login(owner)

    response = client.get(url("agenda_pdf", event.pk, vans.pk) + "?lang=zh-hans")

    content = pdf_text(response.content)
    assert "摩托威集团" in content
    assert "渝新对接洽谈日" in content


# --- the table plan -------------------------------------------------------------------------


def test_the_table_plan_shows_who_sits_where_to_organisers_only(
    client,
    event,  # noqa: F811
    placed,
    organiser,  # noqa: F811
    owner,
):
    client.force_login(owner)
    assert client.get(url("table_plan", event.pk)).status_code == 403

    client.force_login(organiser)
    response = client.get(url("table_plan", event.pk))

    plan = section(response, "table-plan")
    rows = [text(row) for row in plan.split("<tr>")[1:]]
    assert rows[0] == "Time Table Meeting with Interpreter"
    # one block per slot with meetings; the meeting's table and both sides
    assert rows[1].startswith(f"{SLOT_1} ") and "Qingling Motors 庆铃汽车" in rows[1]
    assert "Motorway Group 摩托威集团" in rows[1]
    assert len(rows) == 2  # slots without meetings are left out
    # it prints in landscape without the site's menus: the site's one stylesheet says so
    stylesheet = pathlib.Path(finders.find("core/corridor.css")).read_text()
    assert ".page:has(#table-plan) { page: landscape; }" in stylesheet
    assert "@page landscape { size: A4 landscape;" in stylesheet
    assert static("core/corridor.css") in response.content.decode()


# --- after the event ------------------------------------------------------------------------


def test_a_follow_up_becomes_a_cooperation_project_with_both_sides_as_initiators(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    placed,
    owner,
    enterprise,
    other_enterprise,
):
    client.force_login(owner)
    page = client.get(url("outcomes", event.pk, vans.pk))
    assert "Motorway Group" in text(section(page, f"meeting-{placed.pk}"))

    client.post(
        url("outcome_record", event.pk, vans.pk, placed.pk),
        {
            f"outcome-{placed.pk}-outcome": "follow_up",
            f"outcome-{placed.pk}-note": "Send specs.",
            f"outcome-{placed.pk}-version": "0",  # none recorded yet
        },
    )
    outcome = MeetingOutcome.objects.get()
    assert (outcome.participant, outcome.outcome, outcome.note) == (
        vans,
        "follow_up",
        "Send specs.",
    )
    response = client.post(
        url("outcome_project", event.pk, vans.pk, placed.pk),
        {
            f"project-{placed.pk}-title_en": "Right-hand-drive vans for Singapore",
            f"project-{placed.pk}-sector": "manufacturing",
        },
        follow=True,
    )

    project = Project.objects.get()
    assert project.title_en == "Right-hand-drive vans for Singapore"
    assert project.owner == enterprise
    assert sorted((p.organisation.name_en, p.role) for p in project.parties.all()) == [
        ("Motorway Group", "initiator"),
        ("Qingling Motors", "initiator"),
    ]
    link = section(response, f"meeting-{placed.pk}")
    assert reverse("portfolio:project_detail", args=[project.pk]) in link


def test_a_project_needs_a_follow_up_first_and_says_so(client, event, vans, placed, owner):  # noqa: F811
    services.outcome_record(actor=SYSTEM, meeting=placed, participant=vans, outcome="nothing")
    client.force_login(owner)

    response = client.post(
        url("outcome_project", event.pk, vans.pk, placed.pk),
        {
            f"project-{placed.pk}-title_en": "Nothing came of it",
            f"project-{placed.pk}-sector": "ict",
        },
    )

    assert response.status_code == 400
    assert not Project.objects.exists()
    assert "Record a follow-up or an agreement for this meeting first." in text(
        section(response, f"meeting-{placed.pk}")
    )


def test_a_person_with_no_part_in_the_meeting_records_no_outcome(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    placed,
):
    client.force_login(UserFactory(username="nobody"))

    response = client.post(
        url("outcome_record", event.pk, vans.pk, placed.pk),
        {f"outcome-{placed.pk}-outcome": "agreement"},
    )

    assert response.status_code == 403
    assert not MeetingOutcome.objects.exists()


# --- a scheduling run from the page ---------------------------------------------------------


def test_a_run_started_from_the_page_gives_every_meeting_a_time_and_a_table(
    client,
    settings,
    django_capture_on_commit_callbacks,
    event,  # noqa: F811
    vans,  # noqa: F811
    motorway,  # noqa: F811
    logistics,  # noqa: F811
    organiser,  # noqa: F811
    owner,
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    services.participant_update(actor=SYSTEM, participant=vans, blocked_slots=[0, 1, 2])
    pairs = [(vans, motorway), (motorway, logistics), (logistics, vans)]
    for first, second in pairs:
        services.meeting_add(actor=SYSTEM, event=event, requester=first, requested=second)
    client.force_login(organiser)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("schedule_start", event.pk), {"mode": "all", "time_limit": "5"})
    response = client.get(url("schedule", event.pk))

    facts = text(section(response, "run-facts"))
    assert "Status done" in facts
    assert "Meetings placed 3" in facts
    assert "Every accepted meeting has a time." in text(section(response, "unplaced"))
    assert 'http-equiv="refresh"' not in response.content.decode()
    meetings = list(MeetingRequest.objects.filter(event=event))
    assert all(m.slot is not None and 1 <= m.table <= event.tables for m in meetings)
    for participant in (vans, motorway, logistics):
        slots = [m.slot for m in meetings if participant.pk in (m.requester_id, m.requested_id)]
        assert len(set(slots)) == 2  # never two meetings at once
    assert all(m.slot >= 3 for m in meetings if vans.pk in (m.requester_id, m.requested_id))

    services.agendas_publish(actor=SYSTEM, event=event)
    client.force_login(owner)
    agenda = client.get(url("agenda", event.pk, vans.pk))
    assert [text(section(agenda, f"slot-{index}")).split(", ")[1] for index in (0, 1, 2)] == [
        "09:00–09:20 unavailable",
        "09:20–09:40 unavailable",
        "09:40–10:00 unavailable",
    ]
    assert len(re.findall(r'<tr class="meeting"', agenda.content.decode())) == 2
