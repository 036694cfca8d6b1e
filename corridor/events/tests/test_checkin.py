"""The event day: the QR code on each agenda checks its participant in when an organiser
opens it (and tells anyone else nothing), the desk finds people by name in either language,
the live board shows who is here, and the API follows the same rules."""

import io
import re

import pytest
import segno
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from corridor.accounts.models import Membership
from corridor.accounts.services import api_token_create
from corridor.core.actors import SYSTEM
from corridor.core.models import AuditEntry
from corridor.events import checkin, services
from corridor.events.models import Participant
from corridor.events.tests.test_agendas import placed  # noqa: F401 (fixture)
from corridor.events.tests.test_pages import (  # noqa: F401 (fixtures)
    event,
    logistics,
    make_event,
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
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def regulator(db):
    """A regulator's contact person: reads, never organises."""
    authority = OrganisationFactory(name_en="Land Transport Authority", kind="regulator")
    user = UserFactory(username="regulator", name_en="Rita Regulator")
    MembershipFactory(user=user, organisation=authority, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def partner(db):
    """A partner organisation's member with no part in this event."""
    chamber = OrganisationFactory(name_en="Singapore Chamber", kind="partner", country="SG")
    user = UserFactory(username="partner", name_en="Pat Partner")
    MembershipFactory(user=user, organisation=chamber, role=Membership.Role.MEMBER)
    return user


def scan_url(participant) -> str:
    return url("checkin_scan", participant.event_id, checkin.checkin_token(participant))


def presence(participant) -> tuple:
    participant = Participant.objects.get(pk=participant.pk)
    return participant.checked_in_at, participant.checked_in_by_id


def svg_paths(html: str) -> list[str]:
    return re.findall(r'<path[^>]* d="([^"]+)"', html)


# --- the QR code and its link ---------------------------------------------------------------


def test_the_agenda_shows_a_qr_code_of_the_link_that_checks_its_participant_in(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    placed,  # noqa: F811
    owner,
):
    client.force_login(owner)
    page = client.get(url("agenda", event.pk, vans.pk))

    code = section(page, "checkin-code")
    link = "http://testserver" + scan_url(vans)
    # the drawn code is exactly segno's code of the check-in link (the same modules)
    expected = segno.make(link, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    assert svg_paths(code) == svg_paths(expected)
    assert 'role="img"' in code and "QR code to check in Qingling Motors" in code
    assert "Show this code at the registration desk" in text(code)
    # the printed agenda carries it too, beside the heading: the meetings still start on
    # the first page
    pdf = client.get(url("agenda_pdf", event.pk, vans.pk))
    first_page = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "Check-in: show this code at the registration desk." in first_page
    assert "Tue March 10, 09:20–09:40 Motorway Group" in first_page


def test_an_organiser_opening_the_link_checks_the_participant_in_once(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    organiser,  # noqa: F811
):
    client.force_login(organiser)

    first = client.get(scan_url(vans))

    arrived, by = presence(vans)
    assert first.status_code == 200
    assert arrived is not None and by == organiser.pk
    result = text(section(first, "checkin-result"))
    assert result.startswith("Checked in Qingling Motors 庆铃汽车 Olivia Owner")
    assert "checked in by Orla Organiser" in result
    entry = AuditEntry.objects.filter(target_id=str(vans.pk), action="update").latest("at")
    assert entry.actor == organiser and entry.summary == "Checked in"

    second = client.get(scan_url(vans))
    assert text(section(second, "checkin-result")).startswith("Already checked in")
    assert presence(vans) == (arrived, by)  # the first arrival stays


@pytest.mark.parametrize("who", ["owner", "outsider", "stranger", "regulator", "partner"])
def test_anyone_else_opening_the_link_learns_nothing_and_checks_nobody_in(
    client,
    request,
    event,  # noqa: F811
    vans,  # noqa: F811
    motorway,  # noqa: F811
    logistics,  # noqa: F811
    who,
):
    """The participant's own member, the other side, a third participant, a regulator and a
    partner: the same refusal for a real code and a made-up one, naming nobody."""
    client.force_login(request.getfixturevalue(who))

    real = client.get(scan_url(vans))
    made_up = client.get(url("checkin_scan", event.pk, "1-2:forged"))

    assert real.status_code == made_up.status_code == 403
    assert "Qingling" not in real.content.decode() and "庆铃" not in real.content.decode()
    assert "Show it at the registration desk" in text(real)
    assert text(real) == text(made_up)
    assert presence(vans) == (None, None)


def test_an_anonymous_visitor_is_sent_to_log_in_and_nobody_is_checked_in(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
):
    response = client.get(scan_url(vans))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert presence(vans) == (None, None)


def test_a_forged_or_another_events_code_checks_nobody_in(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    motorway,  # noqa: F811
    organiser,  # noqa: F811
    trade_office,  # noqa: F811
    enterprise,
):
    other_event = make_event(trade_office, title_en="Another Day")
    there = services.participant_add(actor=SYSTEM, event=other_event, organisation=enterprise)
    client.force_login(organiser)
    token = checkin.checkin_token(vans)
    forged = token.replace(f"-{vans.pk}:", f"-{motorway.pk}:")

    assert client.get(url("checkin_scan", event.pk, forged)).status_code == 404
    # a code of the other event opened on this one
    assert (
        client.get(url("checkin_scan", event.pk, checkin.checkin_token(there))).status_code == 404
    )
    # a token signed with another salt (another feature's signature) is not a check-in code
    other = signing.Signer(salt="something.else").sign(f"{event.pk}-{vans.pk}")
    assert client.get(url("checkin_scan", event.pk, other)).status_code == 404
    assert presence(vans) == presence(motorway) == presence(there) == (None, None)


def test_a_cancelled_participant_is_not_checked_in_and_the_page_says_why(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    organiser,  # noqa: F811
):
    Participant.objects.filter(pk=vans.pk).update(status=Participant.Status.CANCELLED)
    client.force_login(organiser)

    response = client.get(scan_url(vans))

    assert response.status_code == 400
    assert "Qingling Motors cancelled their registration, so they cannot be checked in." in text(
        section(response, "checkin-result")
    )
    assert presence(vans) == (None, None)


# --- the desk -------------------------------------------------------------------------------


def test_the_desk_finds_participants_by_either_languages_name_and_checks_in_and_undoes(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    motorway,  # noqa: F811
    logistics,  # noqa: F811
    organiser,  # noqa: F811
):
    client.force_login(organiser)

    def found(query: str) -> list[str]:
        page = client.get(url("checkin_desk", event.pk), {"q": query})
        return re.findall(r'id="participant-(\d+)"', section(page, "participants"))

    assert found("庆铃") == [str(vans.pk)]  # the organisation's Chinese name
    assert found("王主") == [str(vans.pk)]  # its contact person's Chinese name
    assert found("motorway group") == [str(motorway.pk)]
    assert found("狮城") == [str(logistics.pk)]
    assert found("nobody-like-this") == []
    assert len(found("")) == 3

    back = url("checkin_desk", event.pk) + "?q=庆铃"
    response = client.post(
        url("checkin_set", event.pk, vans.pk), {"present": "1", "next": back}, follow=True
    )
    assert "Qingling Motors is checked in." in text(response)
    assert "checked in at" in text(section(response, f"participant-{vans.pk}"))
    assert text(section(response, "present-count")) == "1 checked in"
    assert presence(vans)[1] == organiser.pk

    response = client.post(url("checkin_set", event.pk, vans.pk), {"present": "0"}, follow=True)
    assert "Qingling Motors is no longer checked in." in text(response)
    assert presence(vans) == (None, None)
    assert AuditEntry.objects.filter(target_id=str(vans.pk), summary="Check-in undone").exists()


@pytest.mark.parametrize("who", ["owner", "outsider", "stranger", "regulator"])
def test_only_organisers_use_the_desk_and_the_board(
    client,
    request,
    event,  # noqa: F811
    vans,  # noqa: F811
    motorway,  # noqa: F811
    logistics,  # noqa: F811
    who,
):
    client.force_login(request.getfixturevalue(who))

    assert client.get(url("checkin_desk", event.pk)).status_code == 403
    assert client.get(url("board", event.pk)).status_code == 403
    assert client.post(url("checkin_set", event.pk, vans.pk), {"present": "1"}).status_code == 403
    assert presence(vans) == (None, None)


def test_an_external_next_address_is_not_followed(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    organiser,  # noqa: F811
):
    client.force_login(organiser)

    response = client.post(
        url("checkin_set", event.pk, vans.pk), {"present": "1", "next": "https://evil.example/"}
    )

    assert response["Location"].startswith(url("checkin_desk", event.pk))


def test_the_service_refuses_people_who_do_not_organise_the_event(
    event,  # noqa: F811
    vans,  # noqa: F811
    owner,
):
    for actor in (owner, None):
        with pytest.raises(PermissionDenied):
            checkin.participant_check_in(actor=actor, participant=vans)
    assert presence(vans) == (None, None)


def test_checking_in_a_cancelled_participant_is_refused_by_the_service(
    event,  # noqa: F811
    vans,  # noqa: F811
):
    Participant.objects.filter(pk=vans.pk).update(status=Participant.Status.CANCELLED)
    with pytest.raises(ValidationError):
        checkin.participant_check_in(actor=SYSTEM, participant=vans)


# --- the live board -------------------------------------------------------------------------


def test_the_board_shows_who_is_here_and_both_sides_of_each_meeting(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    motorway,  # noqa: F811
    logistics,  # noqa: F811
    placed,  # noqa: F811
    organiser,  # noqa: F811
):
    checkin.participant_check_in(actor=organiser, participant=vans)
    client.force_login(organiser)

    page = client.get(url("board", event.pk))

    assert text(section(page, "present-list")).startswith("Qingling Motors")
    assert "Motorway Group" in text(section(page, "absent-list"))
    assert "Lion City Logistics" in text(section(page, "absent-list"))
    row = text(section(page, f"board-meeting-{placed.pk}"))
    assert row == "3 Qingling Motors here Motorway Group not arrived"
    # the refreshing script runs under the page's CSP: it carries the request's nonce
    nonce = re.search(r"'nonce-([^']+)'", page["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}">' in page.content.decode()
    assert (
        f'data-source="{reverse("api:check_in_board", args=[event.pk])}"' in page.content.decode()
    )


# --- the API --------------------------------------------------------------------------------


def bearer(user) -> dict:
    _token, raw = api_token_create(actor=user, label="test client")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_api_checks_in_by_code_and_by_id_for_organisers_only(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    motorway,  # noqa: F811
    placed,  # noqa: F811
    organiser,  # noqa: F811
    owner,
    outsider,
):
    base = f"/api/events/{event.pk}"
    token = checkin.checkin_token(vans)
    json = "application/json"

    assert client.post(f"{base}/check-in", {"token": token}, content_type=json).status_code == 401
    for person in (owner, outsider):
        refused = client.post(
            f"{base}/check-in", {"token": token}, content_type=json, **bearer(person)
        )
        assert refused.status_code == 403
        assert "Qingling" not in refused.content.decode()
        by_id = client.post(f"{base}/participants/{vans.pk}/check-in", **bearer(person))
        assert by_id.status_code == 403
        assert client.get(f"{base}/board", **bearer(person)).status_code == 403
    assert presence(vans) == (None, None)

    headers = bearer(organiser)
    forged = client.post(f"{base}/check-in", {"token": "1-2:x"}, content_type=json, **headers)
    assert forged.status_code == 404
    done = client.post(f"{base}/check-in", {"token": token}, content_type=json, **headers)
    assert done.status_code == 200
    body = done.json()
    assert body["participant"]["name_en"] == "Qingling Motors"
    assert body["checked_in_by"]["display_name"] == "Orla Organiser"
    assert body["checked_in_at"] is not None

    board = client.get(f"{base}/board", **headers).json()
    assert [p["participant"]["id"] for p in board["present"]] == [vans.pk]
    assert [p["participant"]["id"] for p in board["absent"]] == [motorway.pk]
    sides = board["slots"][1]["meetings"][0]["sides"]
    assert [(s["participant"]["id"], s["present"]) for s in sides] == [
        (vans.pk, True),
        (motorway.pk, False),
    ]

    client.post(f"{base}/participants/{motorway.pk}/check-in", **headers)
    undone = client.delete(f"{base}/participants/{vans.pk}/check-in", **headers)
    assert undone.status_code == 200 and undone.json()["checked_in_at"] is None
    assert presence(vans) == (None, None)
    assert presence(motorway)[1] == organiser.pk


def test_the_board_and_the_results_ask_the_database_as_often_for_more_people(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    motorway,  # noqa: F811
    placed,  # noqa: F811
    organiser,  # noqa: F811
    third_enterprise,  # noqa: F811
):
    client.force_login(organiser)

    def count() -> tuple[int, int]:
        counts = []
        for page in ("board", "results"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url(page, event.pk)).status_code == 200
            counts.append(len(queries))
        return tuple(counts)

    before = count()
    third = services.participant_add(actor=SYSTEM, event=event, organisation=third_enterprise)
    for side in (vans, motorway, third):
        checkin.participant_check_in(actor=organiser, participant=side)
    more = services.meeting_add(actor=SYSTEM, event=event, requester=vans, requested=third)
    services.meeting_lock(actor=SYSTEM, request=more, slot=2)
    services.outcome_record(
        actor=SYSTEM, meeting=more, participant=third, outcome="agreement", rating=4
    )

    assert count() == before
