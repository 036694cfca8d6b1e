"""The event lists out to CSV and XLSX. The list of events: what the person sees on the
page (drafts only for their organisers). One event's participants, meetings, outcomes and
leads: for its organisers only — a participant's member, another organisation's member, a
regulator, the organiser of another event are refused (403) and anonymous visitors sent to
log in, with nothing of the event in the answer. Every cell formula-safe, headers in the
reader's language."""

import datetime

import pytest
from django.urls import reverse

from corridor.accounts.models import Membership
from corridor.core.actors import SYSTEM
from corridor.events import services
from corridor.events.models import MeetingRequest
from corridor.events.tests.test_pages import make_event
from corridor.testing.exports import csv_table, records, table, xlsx_table
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx"]
LISTS = ["participants", "meetings", "outcomes", "leads"]


def _member(organisation, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=organisation, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def trade_office(db):
    return OrganisationFactory(
        name_en="Chongqing Trade Office", name_zh="重庆贸易办公室", kind="agency", country="CN"
    )


@pytest.fixture
def organiser(trade_office):
    """A member of the organising organisation."""
    return _member(trade_office, "organiser")


@pytest.fixture
def event(trade_office):
    return make_event(trade_office)


@pytest.fixture
def stranger(db):
    """A member of Lion City Logistics."""
    logistics = OrganisationFactory(name_en="Lion City Logistics", name_zh="狮城物流")
    return _member(logistics, "stranger")


@pytest.fixture
def vans(event, enterprise, owner):
    return services.participant_add(
        actor=SYSTEM, event=event, organisation=enterprise, contact=owner, languages=["zh"]
    )


@pytest.fixture
def motorway(event, other_enterprise, outsider):
    return services.participant_add(
        actor=SYSTEM, event=event, organisation=other_enterprise, languages=["en"]
    )


@pytest.fixture
def logistics(event, stranger):
    organisation = stranger.memberships.get().organisation
    return services.participant_add(actor=SYSTEM, event=event, organisation=organisation)


def export(client, name: str, fmt: str, *args, params=None):
    return client.get(reverse(f"events:{name}_export_{fmt}", args=args), params or {})


@pytest.fixture
def day(event, vans, motorway, logistics, owner):
    """The event after its day: Qingling (Chinese only) met Motorway (English only) with an
    interpreter at table 2 and wants to follow up, Motorway did not; Motorway and Lion City
    Logistics agreed; Qingling and Logistics met and recorded nothing; Logistics cannot meet
    in the first slot."""
    services.participant_update(actor=SYSTEM, participant=logistics, blocked_slots=[0])
    interpreter = services.interpreter_add(
        actor=SYSTEM, event=event, name_en="Lim Wei", name_zh="林伟"
    )
    first = services.meeting_add(actor=SYSTEM, event=event, requester=vans, requested=motorway)
    second = services.meeting_add(
        actor=SYSTEM, event=event, requester=motorway, requested=logistics
    )
    third = services.meeting_add(actor=SYSTEM, event=event, requester=vans, requested=logistics)
    for meeting, slot in ((first, 1), (second, 2), (third, 4)):
        services.meeting_lock(actor=SYSTEM, request=meeting, slot=slot)
    MeetingRequest.objects.filter(pk=first.pk).update(table=2, interpreter=interpreter)
    services.outcome_record(
        actor=SYSTEM, meeting=first, participant=vans, outcome="follow_up", note="=1+1 call back"
    )
    services.outcome_record(actor=SYSTEM, meeting=first, participant=motorway, outcome="nothing")
    services.outcome_record(
        actor=SYSTEM, meeting=second, participant=logistics, outcome="agreement", note="MoU"
    )
    return {"first": first, "second": second, "third": third}


# --- who may export ---------------------------------------------------------------------------


@pytest.fixture
def other_event(db):
    """An event organised by a chamber, with its own participant."""
    chamber = OrganisationFactory(name_en="Singapore Chamber", kind="chamber")
    other = make_event(chamber, title_en="Chamber networking night")
    guest = OrganisationFactory(name_en="Secret Guest Pte Ltd")
    services.participant_add(actor=SYSTEM, event=other, organisation=guest)
    return other


@pytest.mark.parametrize("name", LISTS)
def test_the_organisers_and_the_initiatives_staff_export_an_events_lists(
    client, event, day, organiser, facilitator, name
):
    for user in (organiser, facilitator):
        client.force_login(user)
        for fmt in FORMATS:
            assert export(client, f"{name}", fmt, event.pk).status_code == 200


@pytest.mark.parametrize("name", LISTS)
def test_no_one_else_exports_an_events_lists(
    client, event, day, owner, outsider, stranger, organiser, other_event, name
):
    regulator = _member(OrganisationFactory(name_en="LTA", kind="regulator"), "regulator")
    another = _member(OrganisationFactory(name_en="Lion City Trade"), "trader")
    refused = {
        "a participant's member (Qingling)": owner,
        "a participant's member (Motorway)": outsider,
        "a participant's member (Logistics)": stranger,
        "another organisation's member": another,
        "a regulator": regulator,
    }
    for who, user in refused.items():
        client.force_login(user)
        for fmt in FORMATS:
            response = export(client, name, fmt, event.pk)
            assert response.status_code == 403, who
            assert b"Qingling" not in response.content and b"Lim Wei" not in response.content
    # the organiser of one event is refused another organiser's event
    client.force_login(organiser)
    for fmt in FORMATS:
        response = export(client, name, fmt, other_event.pk)
        assert response.status_code == 403
        assert b"Secret Guest" not in response.content
    client.logout()
    for fmt in FORMATS:
        response = export(client, name, fmt, event.pk)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_a_draft_events_lists_are_not_found_for_others(client, trade_office, outsider):
    draft = make_event(trade_office, is_published=False)
    client.force_login(outsider)
    assert export(client, "participants", "csv", draft.pk).status_code == 404


# --- what they hold ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_participants_as_on_the_page_with_contacts_and_unavailable_times(
    client, event, day, organiser, fmt
):
    client.force_login(organiser)
    rows = records(export(client, "participants", fmt, event.pk))
    page = client.get(reverse("events:event_detail", args=[event.pk]))
    assert [r["organisation (English)"] for r in rows] == [
        p.organisation.name_en for p in page.context["participants"]
    ]
    by_name = {r["organisation"]: r for r in rows}
    assert list(by_name) == ["Qingling Motors", "Lion City Logistics", "Motorway Group"]
    qingling = by_name["Qingling Motors"]
    assert (qingling["contact person"], qingling["contact e-mail"]) == (
        "Olivia Owner",
        "owner@example.org",
    )
    assert qingling["working languages"] == "Chinese"
    assert qingling["country"] == "China"
    assert by_name["Lion City Logistics"]["unavailable"] == "2026-03-10 09:00–09:20"
    assert by_name["Motorway Group"]["status code"] == "registered"


@pytest.mark.parametrize("fmt", FORMATS)
def test_meetings_with_their_time_table_and_interpreter(client, event, day, organiser, fmt):
    client.force_login(organiser)
    rows = records(export(client, "meetings", fmt, event.pk))
    assert [r["meeting number"] for r in rows] == [
        int(m.pk) if fmt == "xlsx" else str(m.pk)
        for m in (day["first"], day["second"], day["third"])
    ]  # by time: slots 1, 2, 4
    first = rows[0]
    assert (first["asked by"], first["asked to meet"]) == ("Qingling Motors", "Motorway Group")
    day_cell = datetime.datetime(2026, 3, 10) if fmt == "xlsx" else "2026-03-10"
    assert (first["day"], first["starts at"], first["ends at"]) == (day_cell, "09:20", "09:40")
    assert first["table"] == (2 if fmt == "xlsx" else "2")
    assert (first["interpreter needed"], first["interpreter"]) == ("yes", "Lim Wei")
    assert first["status code"] == "accepted" and first["locked"] == "yes"
    assert rows[2]["starts at"] == "14:20"


@pytest.mark.parametrize("fmt", FORMATS)
def test_outcomes_each_side_recorded_formula_safe(client, event, day, organiser, fmt):
    client.force_login(organiser)
    rows = records(export(client, "outcomes", fmt, event.pk))
    assert [(r["recorded for"], r["met with"], r["outcome code"]) for r in rows] == [
        ("Qingling Motors", "Motorway Group", "follow_up"),
        ("Motorway Group", "Qingling Motors", "nothing"),
        ("Lion City Logistics", "Motorway Group", "agreement"),
    ]
    assert rows[0]["note"] == "'=1+1 call back"
    assert rows[0]["outcome"] == "follow up"
    assert rows[0]["starts at"] == "09:20"


@pytest.mark.parametrize("fmt", FORMATS)
def test_leads_are_the_meetings_where_a_side_wants_to_follow_up_or_agreed(
    client, event, day, organiser, fmt
):
    client.force_login(organiser)
    rows = records(export(client, "leads", fmt, event.pk))
    assert [(r["first side"], r["second side"]) for r in rows] == [
        ("Qingling Motors", "Motorway Group"),
        ("Motorway Group", "Lion City Logistics"),
    ]  # not Qingling and Logistics: nothing was recorded there
    lead = rows[0]
    assert lead["first side: contact person"] == "Olivia Owner"
    assert lead["first side: contact e-mail"] == "owner@example.org"
    assert lead["first side: outcome"] == "follow up"
    assert lead["first side: note"] == "'=1+1 call back"
    assert lead["second side: outcome"] == "no further interest"
    assert rows[1]["second side: outcome"] == "agreement reached"


def test_hostile_organisation_names_are_neutralised_in_both_formats(client, event, organiser):
    hostile = OrganisationFactory(name_en="+SUM(1;2) Trading", name_zh="@中文")
    services.participant_add(actor=SYSTEM, event=event, organisation=hostile)
    client.force_login(organiser)
    for response in (
        export(client, "participants", "csv", event.pk),
        export(client, "participants", "xlsx", event.pk),
    ):
        (row,) = records(response)
        assert row["organisation"] == "'+SUM(1;2) Trading"
        assert row["organisation (Chinese)"] == "'@中文"


# --- language ---------------------------------------------------------------------------------


def test_chinese_headers_and_names_with_lang(client, event, day, organiser):
    client.force_login(organiser)
    header, *rows = xlsx_table(
        export(client, "participants", "xlsx", event.pk, params={"lang": "zh-hans"})
    )
    assert header[0] == "机构"
    assert rows[0][0] == "庆铃汽车"
    assert rows[0][4] == "中国"


def test_chinese_headers_with_the_language_cookie(client, event, day, organiser):
    client.cookies["django_language"] = "zh-hans"
    client.force_login(organiser)
    header, *rows = csv_table(export(client, "meetings", "csv", event.pk))
    assert header[1] != "asked by"
    assert rows[0][1] == "庆铃汽车"
    assert rows[0][13] == "林伟"  # the interpreter, in Chinese


# --- the list of events -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_event_list_exports_what_each_person_sees(
    client, trade_office, event, vans, organiser, outsider, fmt
):
    make_event(trade_office, title_en="Next year's forum", is_published=False)
    for user, expected in (
        (None, {"Chongqing–Singapore Matchmaking Day"}),
        (outsider, {"Chongqing–Singapore Matchmaking Day"}),
        (organiser, {"Next year's forum", "Chongqing–Singapore Matchmaking Day"}),
    ):
        client.logout()
        if user is not None:
            client.force_login(user)
        rows = records(export(client, "event", fmt))
        page = client.get(reverse("events:event_list")).context["events"]
        assert [r["title (English)"] for r in rows] == [e.title_en for e in page]
        assert {r["title (English)"] for r in rows} == expected
    (published,) = [r for r in rows if r["published"] == "yes"]
    assert published["organiser"] == "Chongqing Trade Office"
    assert published["participants"] == (1 if fmt == "xlsx" else "1")
    first_day = datetime.datetime(2026, 3, 10) if fmt == "xlsx" else "2026-03-10"
    assert published["first day"] == first_day


def test_the_event_list_in_chinese(client, event):
    header, row = table(export(client, "event", "xlsx", params={"lang": "zh-hans"}))
    assert header[0] == "标题"
    assert row[0] == "渝新对接洽谈日"


# --- the links on the pages ---------------------------------------------------------------------


def test_the_organisers_see_the_export_links_and_participants_do_not(
    client, event, day, organiser, owner
):
    client.force_login(organiser)
    html = client.get(reverse("events:event_detail", args=[event.pk])).text
    for name in LISTS:
        for fmt in FORMATS:
            assert f'href="{reverse(f"events:{name}_export_{fmt}", args=[event.pk])}"' in html
    plan = client.get(reverse("events:table_plan", args=[event.pk])).text
    assert reverse("events:meetings_export_xlsx", args=[event.pk]) in plan
    client.force_login(owner)
    html = client.get(reverse("events:event_detail", args=[event.pk])).text
    assert "/export." not in html


def test_the_event_list_links_both_formats(client, event):
    html = client.get(reverse("events:event_list")).text
    for fmt in FORMATS:
        assert f'href="{reverse(f"events:event_export_{fmt}")}"' in html
