"""Self-booking: members book a free slot with another participant for their own
organisation, only on self-booking events; the database makes double bookings impossible,
and of two bookings of one slot made at the same moment exactly one wins."""

import threading
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from corridor.accounts.models import Notification
from corridor.core.actors import SYSTEM
from corridor.events import booking, services
from corridor.events.models import BookedSlot, Booking, MeetingRequest
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

DAY = date(2025, 3, 18)
SESSIONS = [(DAY, "am", time(9), time(10))]  # slots 0, 1, 2
BEFORE = datetime(2025, 3, 17, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


def make_event(administration, mode="self", tables=2):
    event = services.event_create(
        actor=SYSTEM,
        organiser=administration,
        title_en="Open networking",
        tables=tables,
        sessions=SESSIONS,
        is_published=True,
    )
    return booking.event_set_booking(actor=SYSTEM, event=event, booking=mode)


@pytest.fixture
def event(administration):
    return make_event(administration)


@pytest.fixture
def people(event, enterprise, other_enterprise):
    """Qingling (the owner's), Motorway (the outsider's), Cedar and Dune (each with a member)."""
    result = []
    for organisation in [enterprise, other_enterprise] + [
        OrganisationFactory(name_en=name) for name in ("Cedar", "Dune")
    ]:
        result.append(
            services.participant_add(actor=SYSTEM, event=event, organisation=organisation)
        )
    for name, p in zip(("cedar", "dune"), result[2:], strict=True):
        MembershipFactory(user=UserFactory(username=name), organisation=p.organisation)
    return result


def state():
    return (
        list(MeetingRequest.objects.order_by("pk").values("pk", "slot", "table", "status")),
        BookedSlot.objects.count(),
        Booking.objects.count(),
    )


def test_a_member_books_a_free_slot_and_both_agendas_have_it(people, owner, outsider):
    q, m, *_ = people
    meeting = booking.meeting_book(actor=owner, requester=q, requested=m, slot=1, now=BEFORE)

    meeting.refresh_from_db()
    assert (meeting.status, meeting.slot, meeting.table, meeting.locked) == ("accepted", 1, 1, True)
    assert sorted(BookedSlot.objects.values_list("participant_id", "slot")) == [
        (q.pk, 1),
        (m.pk, 1),
    ]
    # the other side is told; the one who booked is not
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["outsider"]
    free = booking.slots_with(q.event, q, people[2], now=BEFORE)
    assert [(f.slot.index, f.busy) for f in free] == [(0, ""), (1, "you"), (2, "")]


def test_a_second_pair_in_the_same_slot_gets_the_next_table(people, owner):
    q, m, c, d = people
    booking.meeting_book(actor=owner, requester=q, requested=m, slot=0, now=BEFORE)
    second = booking.meeting_book(actor=SYSTEM, requester=c, requested=d, slot=0, now=BEFORE)

    assert second.table == 2


@pytest.mark.parametrize(
    "change, field",
    [
        ({"slot": 0}, "slot"),  # Motorway is taken in slot 0
        ({"slot": 7}, "slot"),  # no such slot
        ({"requested": "self"}, "requested"),
        ({"requested": "same pair"}, "requested"),
    ],
)
def test_a_taken_or_wrong_slot_is_refused_naming_the_field(people, owner, change, field):
    q, m, c, d = people
    booking.meeting_book(actor=SYSTEM, requester=m, requested=d, slot=0, now=BEFORE)
    booking.meeting_book(actor=SYSTEM, requester=q, requested=c, slot=2, now=BEFORE)
    requested = {"self": q, "same pair": c}.get(change.get("requested"), m)
    before = state()

    with pytest.raises(ValidationError) as refused:
        booking.meeting_book(
            actor=owner, requester=q, requested=requested, slot=change.get("slot", 1), now=BEFORE
        )

    assert field in refused.value.message_dict
    assert state() == before


def test_a_slot_that_has_begun_cannot_be_booked(people, owner):
    q, m, *_ = people
    with pytest.raises(ValidationError) as refused:
        booking.meeting_book(
            actor=owner,
            requester=q,
            requested=m,
            slot=0,
            now=datetime(2025, 3, 18, 9, 5, tzinfo=ZoneInfo("Asia/Shanghai")),
        )
    assert "begun" in refused.value.message_dict["slot"][0]


@pytest.mark.parametrize("who", ["outsider", "anonymous", "none", "organiser_of_nothing"])
def test_members_book_only_for_their_own_organisation(people, who, outsider, facilitator):
    q, m, *_ = people
    actor = {
        "outsider": outsider,  # Motorway's member booking on Qingling's behalf
        "anonymous": AnonymousUser(),
        "none": None,
        "organiser_of_nothing": facilitator,  # staff, but not Qingling's member
    }[who]
    with pytest.raises(PermissionDenied):
        booking.meeting_book(actor=actor, requester=q, requested=m, slot=1, now=BEFORE)
    assert not MeetingRequest.objects.exists()


def test_nobody_books_on_an_organiser_scheduled_event(administration, enterprise, owner):
    event = make_event(administration, mode="organiser")
    q = services.participant_add(actor=SYSTEM, event=event, organisation=enterprise)
    m = services.participant_add(actor=SYSTEM, event=event, organisation=OrganisationFactory())
    with pytest.raises(PermissionDenied) as refused:
        booking.meeting_book(actor=owner, requester=q, requested=m, slot=1, now=BEFORE)
    assert "ask for a meeting" in str(refused.value)
    assert not MeetingRequest.objects.exists()


def test_only_organisers_switch_an_event_to_self_booking(administration, owner, outsider):
    event = make_event(administration, mode="organiser")
    for actor in (owner, outsider, AnonymousUser(), None):
        with pytest.raises(PermissionDenied):
            booking.event_set_booking(actor=actor, event=event, booking="self")
    event.refresh_from_db()
    assert event.booking == "organiser"


def test_the_database_refuses_a_second_booking_of_one_persons_slot(people, owner):
    """Even past the service's checks: the unique constraint holds."""
    q, m, c, _d = people
    first = booking.meeting_book(actor=owner, requester=q, requested=m, slot=1, now=BEFORE)
    other = MeetingRequest.objects.create(
        event=q.event, requester=c, requested=q, status="accepted", slot=1
    )
    extra = Booking.objects.create(event=q.event, meeting=other, slot=1, table=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        BookedSlot.objects.create(event=q.event, participant=q, slot=1, booking=extra)
    pending = MeetingRequest.objects.create(event=q.event, requester=c, requested=m)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(event=q.event, meeting=pending, slot=first.slot, table=first.table)


def test_cancelling_a_booking_frees_both_slots(people, owner, outsider):
    q, m, *_ = people
    meeting = booking.meeting_book(actor=owner, requester=q, requested=m, slot=1, now=BEFORE)
    booking.booking_cancel(actor=outsider, meeting=meeting, now=BEFORE)

    meeting.refresh_from_db()
    assert (meeting.status, meeting.slot, meeting.sequence) == ("cancelled", None, 1)
    assert not BookedSlot.objects.exists()
    again = booking.meeting_book(actor=owner, requester=q, requested=m, slot=1, now=BEFORE)
    assert again.slot == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two connections writing at once need PostgreSQL; SQLite serialises whole files",
)
def test_two_concurrent_bookings_of_one_slot_exactly_one_wins(
    administration, enterprise, monkeypatch
):
    # both pass the service's own check ("is the slot free?") before either commits: what
    # stops the second is the database's unique constraint
    monkeypatch.setattr(booking, "_busy_slots", lambda *args: set())
    event = make_event(administration)
    target = services.participant_add(actor=SYSTEM, event=event, organisation=enterprise)
    bookers = [
        services.participant_add(actor=SYSTEM, event=event, organisation=OrganisationFactory())
        for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def book(requester):
        try:
            barrier.wait()
            booking.meeting_book(
                actor=SYSTEM, requester=requester, requested=target, slot=1, now=BEFORE
            )
            outcomes.append("booked")
        except ValidationError as exc:
            outcomes.append(exc.message_dict["slot"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(p,)) for p in bookers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == 2 and outcomes.count("booked") == 1
    (refusal,) = [text for text in outcomes if text != "booked"]
    assert (
        refusal
        == "Slot: 2025-03-18 09:20 was booked by someone else a moment ago; choose another slot."
    )
    assert MeetingRequest.objects.filter(slot=1, status="accepted").count() == 1
    assert BookedSlot.objects.filter(participant=target).count() == 1


def test_a_pair_without_a_common_language_gets_a_free_interpreter(people, owner):
    q, m, c, d = people
    for side, languages in ((q, ["zh"]), (c, ["zh"]), (m, ["en"]), (d, ["en"])):
        services.participant_update(actor=SYSTEM, participant=side, languages=languages)
    lin = services.interpreter_add(actor=SYSTEM, event=q.event, name_en="Lin")

    first = booking.meeting_book(actor=owner, requester=q, requested=m, slot=1, now=BEFORE)
    assert first.interpreter == lin
    assert [f.busy for f in booking.slots_with(q.event, c, d, now=BEFORE)] == [
        "",
        "interpreter",
        "",
    ]
    with pytest.raises(ValidationError) as refused:
        booking.meeting_book(actor=SYSTEM, requester=c, requested=d, slot=1, now=BEFORE)
    assert "no interpreter" in refused.value.message_dict["slot"][0]
    assert (
        booking.meeting_book(actor=SYSTEM, requester=c, requested=d, slot=2, now=BEFORE).interpreter
        == lin
    )
