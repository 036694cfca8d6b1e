"""Requests to meet at an event reach the other side (in-app and by e-mail, in each
person's language), so do their answers; an accepted meeting that has no time yet is on the
agenda (page and PDF) under "To be scheduled", and not in the calendar file."""

import pytest
from django.core import mail

from corridor.accounts.models import Notification
from corridor.core.actors import SYSTEM
from corridor.events import services
from corridor.events.tests.test_agendas import calendar_events, pdf_text
from corridor.events.tests.test_pages import (  # noqa: F401 (fixtures)
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

pytestmark = pytest.mark.django_db


def told(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user)
        .order_by("pk")
        .values_list("subject_en", flat=True)
    )


# --- requests and answers are told ----------------------------------------------------------


def test_a_request_to_meet_tells_the_asked_participants_contact_person(
    event,  # noqa: F811
    vans,  # noqa: F811
    motorway,  # noqa: F811
    owner,
    colleague,
    outsider,
):
    services.request_create(
        actor=outsider, event=event, requester=motorway, requested=vans, message="Vans?"
    )

    subject = "Motorway Group asks to meet Qingling Motors at Chongqing–Singapore Matchmaking Day"
    assert told(owner) == [subject]  # Qingling's contact person at the event
    assert told(colleague) == [] and told(outsider) == []
    notification = Notification.objects.get(recipient=owner)
    assert "渝新对接洽谈日" in notification.subject_zh and "摩托威集团" in notification.subject_zh
    assert notification.body_en.endswith("Vans?")
    assert notification.url == url("event_detail", event.pk) + "#requests"


def test_the_answer_tells_the_asking_participants_members_but_not_who_answered(
    event,  # noqa: F811
    vans,  # noqa: F811
    motorway,  # noqa: F811
    owner,
    colleague,
    outsider,
):
    request = services.request_create(actor=owner, event=event, requester=vans, requested=motorway)
    assert told(outsider) == [  # Motorway names no contact: its members are told
        "Qingling Motors asks to meet Motorway Group at Chongqing–Singapore Matchmaking Day"
    ]

    services.request_answer(actor=outsider, request=request, accept=True)

    assert told(owner) == [
        "Motorway Group accepted to meet Qingling Motors at Chongqing–Singapore Matchmaking Day"
    ]
    assert told(outsider)[-1].startswith("Qingling Motors asks")  # not told of its own answer
    assert "to be scheduled" in Notification.objects.get(recipient=owner).body_en


def test_a_declined_request_is_told_too(
    event,  # noqa: F811
    vans,  # noqa: F811
    motorway,  # noqa: F811
    owner,
    outsider,
):
    request = services.request_create(actor=owner, event=event, requester=vans, requested=motorway)

    services.request_answer(actor=outsider, request=request, accept=False)

    assert told(owner) == [
        "Motorway Group declined to meet Qingling Motors at Chongqing–Singapore Matchmaking Day"
    ]


def test_the_email_of_a_request_is_in_the_readers_language(
    settings,
    django_capture_on_commit_callbacks,
    event,  # noqa: F811
    vans,  # noqa: F811
    motorway,  # noqa: F811
    owner,
    outsider,
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    owner.language = "zh-hans"
    owner.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.request_create(actor=outsider, event=event, requester=motorway, requested=vans)

    [email] = mail.outbox
    assert email.to == ["owner@example.org"]
    assert "渝新对接洽谈日" in email.subject and "Matchmaking" not in email.subject
    assert email.body.startswith("王主，您好：")


def test_the_email_about_a_moved_meeting_is_in_the_readers_language(
    settings,
    django_capture_on_commit_callbacks,
    event,  # noqa: F811
    vans,  # noqa: F811
    meeting,  # noqa: F811
    owner,
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    owner.language = "zh-hans"
    owner.save()
    services.meeting_lock(actor=SYSTEM, request=meeting, slot=1)

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_lock(actor=SYSTEM, request=meeting, slot=2)

    [email] = [m for m in mail.outbox if m.to == ["owner@example.org"]]
    assert "摩托威集团" in email.subject and "渝新对接洽谈日" in email.subject
    assert "Motorway Group" not in email.subject


# --- the agenda: meetings to be scheduled ---------------------------------------------------


@pytest.fixture
def unscheduled(event, vans, logistics, meeting):  # noqa: F811
    """Qingling's meeting with Motorway Group is in slot 1; the one with Lion City Logistics
    was accepted after the schedule and has no time yet. The agendas are published."""
    services.meeting_lock(actor=SYSTEM, request=meeting, slot=1)
    request = services.request_create(
        actor=SYSTEM, event=event, requester=logistics, requested=vans
    )
    services.request_answer(actor=SYSTEM, request=request, accept=True)
    services.agendas_publish(actor=SYSTEM, event=event)
    return request


def test_the_agenda_lists_an_accepted_meeting_without_a_time_as_to_be_scheduled(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    unscheduled,
    owner,
):
    client.force_login(owner)

    response = client.get(url("agenda", event.pk, vans.pk))

    assert "To be scheduled" in text(response)
    row = text(section(response, f"unscheduled-{unscheduled.pk}"))
    assert row.startswith("Lion City Logistics 狮城物流 Singapore")
    assert "to be scheduled" in row
    assert "Motorway Group" in text(section(response, "slot-1"))  # the placed one stays


def test_the_agenda_in_chinese_says_it_in_chinese(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    unscheduled,
    owner,
):
    client.force_login(owner)

    response = client.get(url("agenda", event.pk, vans.pk), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert text(section(response, f"unscheduled-{unscheduled.pk}")).startswith("狮城物流")


def test_the_printable_agenda_lists_it_and_the_calendar_file_leaves_it_out(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    unscheduled,
    owner,
):
    client.force_login(owner)

    pdf = pdf_text(client.get(url("agenda_pdf", event.pk, vans.pk)).content)
    calendar = calendar_events(client.get(url("agenda_ics", event.pk, vans.pk)).content)

    assert "To be scheduled" in pdf
    assert pdf.index("Lion City Logistics") > pdf.index("To be scheduled")
    assert [str(entry["summary"]) for entry in calendar] == ["Meeting with Motorway Group"]


def test_without_such_meetings_there_is_no_to_be_scheduled_section(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    meeting,  # noqa: F811
    owner,
):
    services.meeting_lock(actor=SYSTEM, request=meeting, slot=1)
    services.agendas_publish(actor=SYSTEM, event=event)
    client.force_login(owner)

    response = client.get(url("agenda", event.pk, vans.pk))

    assert response.status_code == 200
    assert "To be scheduled" not in text(response)


def test_another_participant_sees_none_of_it(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    unscheduled,
    stranger,  # noqa: F811
):
    client.force_login(stranger)  # a member of Lion City Logistics, not of Qingling

    response = client.get(url("agenda", event.pk, vans.pk))

    assert response.status_code == 403
