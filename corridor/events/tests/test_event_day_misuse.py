"""The event day's writes, tried by everyone who should not succeed: a participant, a third
participant, another event's organiser, a regulator, a partner, an anonymous visitor. Each is
refused (by the service, and by the page and the API, which ask it), and nothing changes.

Also: a scheduling run is refused on a self-booking event (it would move booked meetings to
other tables), and handing the event back to the organisers ends the bookings, so that a
run may then seat their meetings."""

import json
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from corridor.accounts.models import Membership
from corridor.accounts.services import api_token_create
from corridor.core.actors import SYSTEM
from corridor.events import booking, checkin, planning, replan, services
from corridor.events.models import Absence, BookedSlot, Booking, Event, MeetingRequest, ScheduleRun
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = date(2030, 3, 18)
SESSIONS = [(DAY, "am", time(9), time(10))]  # slots 0, 1, 2
BEFORE = datetime(2030, 3, 17, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


def member_of(organisation, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=organisation, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def world(administration, enterprise, other_enterprise, owner, outsider, facilitator):
    """Event A (the administration's, self-booking): Qingling (owner), Motorway (outsider),
    Cedar (cedar). Event B (a rival agency's, its organiser `rival`): Qingling again, and
    Dune. A regulator and a partner with no part in either."""
    event = services.event_create(
        actor=SYSTEM,
        organiser=administration,
        title_en="Open networking",
        tables=2,
        sessions=SESSIONS,
        is_published=True,
    )
    booking.event_set_booking(actor=SYSTEM, event=event, booking="self")
    cedar = OrganisationFactory(name_en="Cedar")
    q, m, c = (
        services.participant_add(actor=SYSTEM, event=event, organisation=o)
        for o in (enterprise, other_enterprise, cedar)
    )
    agency = OrganisationFactory(name_en="Rival Agency", kind="agency")
    other = services.event_create(
        actor=SYSTEM,
        organiser=agency,
        title_en="Another day",
        tables=2,
        sessions=SESSIONS,
        is_published=True,
    )
    booking.event_set_booking(actor=SYSTEM, event=other, booking="self")
    qb, db = (
        services.participant_add(actor=SYSTEM, event=other, organisation=o)
        for o in (enterprise, OrganisationFactory(name_en="Dune"))
    )
    people = {
        "owner": owner,
        "outsider": outsider,
        "cedar": member_of(cedar, "cedar"),
        "rival": member_of(agency, "rival"),
        "regulator": member_of(OrganisationFactory(kind="regulator"), "regulator"),
        "partner": member_of(OrganisationFactory(kind="partner"), "partner"),
        "organiser": facilitator,
        "anonymous": AnonymousUser(),
        "none": None,
    }
    return {"a": event, "b": other, "q": q, "m": m, "c": c, "qb": qb, "db": db, **people}


def state():
    return (
        list(
            MeetingRequest.objects.order_by("pk").values(
                "pk", "status", "slot", "table", "locked", "sequence"
            )
        ),
        list(Booking.objects.order_by("pk").values()),
        BookedSlot.objects.count(),
        list(Absence.objects.values()),
        list(Event.objects.order_by("pk").values_list("pk", "booking")),
    )


def bearer(user) -> dict:
    _token, raw = api_token_create(actor=user, label="test")
    return {"Authorization": f"Bearer {raw}"}


def api(client, method, path, user, body=None):
    return getattr(client, method)(
        "/api/events" + path,
        json.dumps(body or {}),
        content_type="application/json",
        headers=bearer(user),
    )


# --- booking -------------------------------------------------------------------------------


def test_nobody_books_a_meeting_with_a_participant_of_another_event(client, world):
    """Qingling's member is a participant of both events: still, no booking crosses them."""
    w = world
    before = state()
    for requester, requested in ((w["q"], w["db"]), (w["qb"], w["m"])):
        with pytest.raises(ValidationError) as refused:
            booking.meeting_book(
                actor=w["owner"], requester=requester, requested=requested, slot=1, now=BEFORE
            )
        assert "requested" in refused.value.message_dict

    client.force_login(w["owner"])
    page = client.post(
        reverse("events:booking_book", args=[w["a"].pk]),
        {"as": w["q"].pk, "with": w["db"].pk, "slot": 1},
    )
    through_b = client.post(
        reverse("events:booking_book", args=[w["b"].pk]),
        {"as": w["qb"].pk, "with": w["m"].pk, "slot": 1},
    )
    by_api = api(
        client,
        "post",
        f"/{w['a'].pk}/bookings",
        w["owner"],
        {"participant": w["q"].pk, "meet": w["db"].pk, "slot": 2},
    )

    assert page.status_code == through_b.status_code == by_api.status_code == 404
    assert state() == before


@pytest.mark.parametrize("who", ["cedar", "rival", "regulator", "partner", "anonymous", "none"])
def test_nobody_unbooks_a_meeting_they_are_not_in(client, world, who):
    w = world
    meeting = booking.meeting_book(
        actor=w["owner"], requester=w["q"], requested=w["m"], slot=1, now=BEFORE
    )
    before = state()

    with pytest.raises(PermissionDenied):
        booking.booking_cancel(actor=w[who], meeting=meeting, now=BEFORE)
    if who not in ("anonymous", "none"):
        client.force_login(w[who])
        page = client.post(reverse("events:booking_cancel", args=[w["a"].pk, meeting.pk]))
        by_api = api(client, "post", f"/{w['a'].pk}/bookings/{meeting.pk}/cancel", w[who])
        assert page.status_code in (403, 404) and by_api.status_code in (403, 404)

    assert state() == before


def test_a_side_cannot_unbook_a_meeting_the_organisers_set(world):
    """Unbooking is for booked meetings: an organiser's meeting is theirs to cancel."""
    w = world
    meeting = services.meeting_add(actor=SYSTEM, event=w["a"], requester=w["q"], requested=w["c"])
    services.meeting_lock(actor=SYSTEM, request=meeting, slot=2)
    before = state()

    with pytest.raises(ValidationError) as refused:
        booking.booking_cancel(actor=w["owner"], meeting=meeting, now=BEFORE)

    assert "not a booked meeting" in refused.value.messages[0]
    assert state() == before


@pytest.mark.parametrize("who", ["rival", "regulator", "partner", "cedar"])
def test_only_the_events_organisers_choose_how_meetings_are_set(client, world, who):
    w = world
    before = state()
    with pytest.raises(PermissionDenied):
        booking.event_set_booking(actor=w[who], event=w["a"], booking="organiser")
    client.force_login(w[who])
    page = client.post(reverse("events:booking_mode", args=[w["a"].pk]), {"booking": "organiser"})
    assert page.status_code in (403, 404)
    assert state() == before


# --- a scheduling run on a self-booking event ----------------------------------------------


def test_a_scheduling_run_is_refused_while_participants_book_and_their_tables_stay(client, world):
    w = world
    booked = booking.meeting_book(
        actor=w["owner"], requester=w["q"], requested=w["m"], slot=0, now=BEFORE
    )
    # an accepted meeting the scheduler would seat at table 1 of slot 0, where the booking is
    services.meeting_add(actor=SYSTEM, event=w["a"], requester=w["c"], requested=w["q"])
    before = state()

    with pytest.raises(ValidationError) as refused:
        services.schedule_start(actor=w["organiser"], event=w["a"], mode="max", time_limit=5)
    client.force_login(w["organiser"])
    page = client.post(
        reverse("events:schedule_start", args=[w["a"].pk]), {"mode": "max", "time_limit": 5}
    )

    reason = refused.value.message_dict["mode"][0]
    assert "book their own meetings" in reason and "other tables" in reason
    assert page.status_code == 400 and "book their own meetings" in page.content.decode()
    assert not ScheduleRun.objects.exists()
    assert state() == before
    assert (booked.slot, booked.table) == (0, Booking.objects.get(meeting=booked).table)


def test_handing_the_event_back_to_the_organisers_ends_the_bookings_and_runs_may_seat_them(
    world,
):
    w = world
    booked = booking.meeting_book(
        actor=w["owner"], requester=w["q"], requested=w["m"], slot=0, now=BEFORE
    )
    booking.event_set_booking(actor=w["organiser"], event=w["a"], booking="organiser")

    assert not Booking.objects.filter(event=w["a"]).exists()
    assert not BookedSlot.objects.filter(event=w["a"]).exists()
    booked.refresh_from_db()
    assert (booked.status, booked.slot, booked.locked) == ("accepted", 0, True)
    # the other event's bookings are its own
    other = booking.meeting_book(
        actor=w["owner"], requester=w["qb"], requested=w["db"], slot=1, now=BEFORE
    )
    booking.event_set_booking(actor=w["organiser"], event=w["a"], booking="organiser")
    assert Booking.objects.filter(meeting=other).exists()

    run = services.schedule_start(actor=w["organiser"], event=w["a"], mode="max", time_limit=5)
    planning.run(run.pk)
    booked.refresh_from_db()
    assert booked.slot == 0  # locked: the run keeps its slot
    # the booked meeting can no longer be unbooked by its sides
    with pytest.raises(ValidationError):
        booking.booking_cancel(actor=w["owner"], meeting=booked, now=BEFORE)


# --- late changes (absent, cancel-and-replan) ----------------------------------------------


@pytest.mark.parametrize("who", ["cedar", "owner", "rival", "regulator", "partner"])
def test_nobody_but_the_organisers_marks_absent_or_cancels_and_replans(client, world, who):
    """`owner` is a side of the meeting; `cedar` a participant who is not in it."""
    w = world
    meeting = booking.meeting_book(
        actor=w["owner"], requester=w["q"], requested=w["m"], slot=1, now=BEFORE
    )
    before = state()

    with pytest.raises(PermissionDenied):
        replan.meeting_cancel(actor=w[who], meeting=meeting, now=BEFORE)
    with pytest.raises(PermissionDenied):
        replan.participant_mark_absent(actor=w[who], participant=w["m"], now=BEFORE)
    with pytest.raises(PermissionDenied):
        replan.preview(w["a"], actor=w[who], absent=w["m"], now=BEFORE)
    client.force_login(w[who])
    responses = [
        client.post(reverse("events:meeting_cancel", args=[w["a"].pk, meeting.pk])),
        client.post(reverse("events:participant_absent", args=[w["a"].pk, w["m"].pk])),
        api(client, "post", f"/{w['a'].pk}/requests/{meeting.pk}/cancel-and-replan", w[who]),
        api(client, "post", f"/{w['a'].pk}/participants/{w['m'].pk}/absent", w[who]),
    ]

    assert [r.status_code in (403, 404) for r in responses] == [True] * 4
    assert state() == before


def test_another_events_organiser_reaches_no_participant_or_meeting_of_this_one(client, world):
    """Through their own event's addresses, with this event's ids."""
    w = world
    meeting = booking.meeting_book(
        actor=w["owner"], requester=w["q"], requested=w["m"], slot=1, now=BEFORE
    )
    before = state()
    rival, b = w["rival"], w["b"]

    with pytest.raises(ValidationError) as refused:  # B's organiser, A's participant
        replan.preview(b, actor=rival, absent=w["m"], now=BEFORE)
    assert "participant" in refused.value.message_dict
    client.force_login(rival)
    responses = [
        client.post(reverse("events:meeting_cancel", args=[b.pk, meeting.pk])),
        client.get(reverse("events:participant_absent", args=[b.pk, w["m"].pk])),
        client.post(reverse("events:participant_absent", args=[b.pk, w["m"].pk])),
        api(client, "post", f"/{b.pk}/requests/{meeting.pk}/cancel-and-replan", rival),
        api(client, "post", f"/{b.pk}/participants/{w['m'].pk}/absent", rival),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert state() == before


# --- check-in ------------------------------------------------------------------------------


def presence(participant):
    participant.refresh_from_db()
    return participant.checked_in_at, participant.checked_in_by_id


def test_another_events_organiser_replaying_a_code_checks_nobody_in(client, world):
    w = world
    rival, token = w["rival"], checkin.checkin_token(w["q"])
    client.force_login(rival)

    at_their_event = client.get(reverse("events:checkin_scan", args=[w["b"].pk, token]))
    at_this_event = client.get(reverse("events:checkin_scan", args=[w["a"].pk, token]))
    by_api_there = api(client, "post", f"/{w['b'].pk}/check-in", rival, {"token": token})
    by_api_here = api(client, "post", f"/{w['a'].pk}/check-in", rival, {"token": token})

    # B's code reader finds no participant of B in A's code; A's refuses B's organiser
    assert at_their_event.status_code == by_api_there.status_code == 404
    assert at_this_event.status_code == by_api_here.status_code == 403
    assert presence(w["q"]) == presence(w["qb"]) == (None, None)


@pytest.mark.parametrize("who", ["owner", "cedar", "rival", "regulator", "partner", "none"])
def test_nobody_but_the_organisers_undoes_a_check_in(client, world, who):
    """A participant undoing their own check-in (or someone else's) would empty the board."""
    w = world
    checkin.participant_check_in(actor=w["organiser"], participant=w["q"])
    arrived = presence(w["q"])

    with pytest.raises(PermissionDenied):
        checkin.participant_check_in(actor=w[who], participant=w["q"], present=False)
    if w[who] is not None:
        client.force_login(w[who])
        page = client.post(
            reverse("events:checkin_set", args=[w["a"].pk, w["q"].pk]), {"present": "0"}
        )
        by_api = api(client, "delete", f"/{w['a'].pk}/participants/{w['q'].pk}/check-in", w[who])
        assert page.status_code in (403, 404) and by_api.status_code in (403, 404)

    assert presence(w["q"]) == arrived


# --- the admin site ------------------------------------------------------------------------


def test_the_site_administrators_see_the_event_days_records_and_change_nothing(client, world):
    w = world
    meeting = booking.meeting_book(
        actor=w["owner"], requester=w["q"], requested=w["m"], slot=1, now=BEFORE
    )
    checkin.participant_check_in(actor=w["organiser"], participant=w["c"])
    replan.participant_mark_absent(actor=w["organiser"], participant=w["m"], now=BEFORE)
    again = booking.meeting_book(
        actor=w["owner"], requester=w["q"], requested=w["c"], slot=2, now=BEFORE
    )
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    before = state()

    for model, shown in [
        ("absence", "Motorway"),
        ("booking", "Cedar"),
        ("bookedslot", "Cedar"),
        ("participant", "Cedar"),
    ]:
        listing = client.get(reverse(f"admin:events_{model}_changelist"))
        assert listing.status_code == 200 and shown in listing.content.decode(), model
        assert client.get(reverse(f"admin:events_{model}_add")).status_code == 403, model
    change = reverse("admin:events_booking_change", args=[Booking.objects.get(meeting=again).pk])
    client.post(change, {"table": 2, "slot": 0})

    assert state() == before
    assert MeetingRequest.objects.get(pk=meeting.pk).slot is None  # freed by the absence
