"""The event day's re-plan: a cancellation or a no-show moves only what it must, held
meetings stay, freed slots go to waiting requests by priority, everyone whose agenda changed
is told once (and their calendar SEQUENCE grows), and only organisers may do it."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from corridor.accounts.models import Notification
from corridor.core.actors import SYSTEM
from corridor.core.models import AuditEntry
from corridor.events import planning, replan, scheduling, services
from corridor.events.models import Absence, MeetingRequest
from corridor.events.scheduling.replan import replan as solve_replan
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

DAY = date(2025, 3, 18)
# 09:00-10:20 and 14:00-15:20: four 20-minute slots each (0-3, 4-7)
SESSIONS = [(DAY, "am", time(9), time(10, 20)), (DAY, "pm", time(14), time(15, 20))]
TZ = ZoneInfo("Asia/Shanghai")
BEFORE = datetime(2025, 3, 17, 12, tzinfo=TZ)


# --- the pure model ------------------------------------------------------------------------


def problem(meetings, previous, forbidden=None, slots=2, tables=2):
    return scheduling.Problem(
        participants=("a", "b", "c", "d", "e", "f"),
        slots=slots,
        tables=tables,
        meetings=tuple(meetings),
        forbidden=forbidden or {},
        fairness=None,
        mode="max",
        previous=previous,
        time_limit=5,
    )


def test_a_waiting_must_meet_gets_in_even_if_a_meeting_moves_for_it():
    # a-c can only be in slot 0 (c is away in slot 1), where a meets b: a-b moves to slot 1
    meetings = [
        scheduling.Meeting("ab", "a", "b"),
        scheduling.Meeting("ac", "a", "c", weight=3),
        scheduling.Meeting("de", "d", "e"),
    ]
    result = solve_replan(
        problem(meetings, {"ab": 0, "de": 1}, forbidden={"c": frozenset({1})}),
        previous_table={"ab": 0, "de": 0},
    )

    assert result.schedule.slot_of == {"ab": 1, "ac": 0, "de": 1}
    assert result.moved == ["ab"]
    assert result.placed == ["ac"]
    assert result.optimal
    # d-e stayed and kept table 0; a-b moved into slot 1 and took the free table
    assert result.table_of == {"ab": 1, "ac": 0, "de": 0}


def test_nothing_moves_when_no_waiting_request_gains_by_it():
    # a-b could as well be in slot 1; it stays in slot 0
    meetings = [scheduling.Meeting("ab", "a", "b"), scheduling.Meeting("cd", "c", "d")]
    result = solve_replan(problem(meetings, {"ab": 0, "cd": 0}, tables=2))

    assert result.schedule.slot_of == {"ab": 0, "cd": 0}
    assert result.moved == [] and result.placed == []


# --- the Django side -----------------------------------------------------------------------


@pytest.fixture
def event(administration):
    return services.event_create(
        actor=SYSTEM,
        organiser=administration,
        title_en="Delegation day",
        tables=2,
        sessions=SESSIONS,
        is_published=True,
    )


@pytest.fixture
def people(event, enterprise, other_enterprise):
    """Six participants: Qingling (the owner's), Motorway (the outsider's), and four more."""
    organisations = [enterprise, other_enterprise] + [
        OrganisationFactory(name_en=name) for name in ("Cedar", "Dune", "Elm", "Fjord")
    ]
    return [
        services.participant_add(actor=SYSTEM, event=event, organisation=o) for o in organisations
    ]


def schedule(event):
    run = services.schedule_start(actor=SYSTEM, event=event, mode="max", time_limit=5)
    planning.run(run.pk)
    services.agendas_publish(actor=SYSTEM, event=event)


def placed(event):
    return dict(
        MeetingRequest.objects.filter(event=event, status="accepted").values_list("pk", "slot")
    )


@pytest.fixture
def day(event, people):
    """Seven meetings placed by the scheduler."""
    q, m, c, d, e, f = people
    pairs = [(q, m), (q, c), (q, d), (m, c), (d, e), (e, f), (c, f)]
    meetings = [
        services.meeting_add(actor=SYSTEM, event=event, requester=a, requested=b) for a, b in pairs
    ]
    schedule(event)
    return meetings


def test_a_cancellation_moves_no_other_meeting(event, day, facilitator, owner, outsider):
    before = placed(event)
    cancelled = MeetingRequest.objects.get(pk=day[0].pk)

    plan = replan.meeting_cancel(actor=facilitator, meeting=cancelled, now=BEFORE)

    after = placed(event)
    assert {pk: slot for pk, slot in before.items() if pk != cancelled.pk} == after
    assert [c.meeting.pk for c in plan.changes] == [cancelled.pk]
    cancelled.refresh_from_db()
    assert (cancelled.status, cancelled.slot, cancelled.sequence) == ("cancelled", None, 1)
    # both sides of the cancelled meeting are told, nobody else
    told = Notification.objects.values_list("recipient__username", flat=True)
    assert sorted(told) == ["outsider", "owner"]
    assert AuditEntry.objects.filter(summary_params__told=2).count() == 1


def test_a_waiting_request_takes_a_free_slot_and_nothing_else_moves(event, day, people):
    m = people[1]
    before = placed(event)
    waiting = services.meeting_add(
        actor=SYSTEM, event=event, requester=m, requested=people[4], priority="would_like"
    )
    cancelled = MeetingRequest.objects.get(pk=day[1].pk)  # Qingling and Cedar

    replan.meeting_cancel(actor=SYSTEM, meeting=cancelled, now=BEFORE)

    after = placed(event)
    waiting.refresh_from_db()
    assert waiting.slot is not None
    unchanged = {pk: s for pk, s in before.items() if pk != cancelled.pk}
    assert {pk: after[pk] for pk in unchanged} == unchanged


def test_an_absent_participant_frees_only_their_meetings(event, day, people, facilitator):
    q = people[0]
    before = placed(event)
    theirs = {m.pk for m in day if q.pk in (m.requester_id, m.requested_id)}

    plan = replan.participant_mark_absent(actor=facilitator, participant=q, now=BEFORE)

    after = placed(event)
    assert {pk for pk, slot in after.items() if slot is None} == theirs
    assert {pk: s for pk, s in after.items() if pk not in theirs} == {
        pk: s for pk, s in before.items() if pk not in theirs
    }
    assert {c.meeting.pk for c in plan.moved} == theirs
    assert set(MeetingRequest.objects.filter(pk__in=theirs).values_list("sequence", flat=True)) == {
        1
    }
    assert Absence.objects.get().from_slot == 0
    # a second time the same day is refused, naming the participant
    with pytest.raises(ValidationError) as refused:
        replan.participant_mark_absent(actor=facilitator, participant=q, now=BEFORE)
    assert "participant" in refused.value.message_dict


def test_held_meetings_stay_and_nothing_moves_into_the_past(event, day, people, facilitator):
    """At 14:10 the morning and the first afternoon slot have started."""
    now = datetime(2025, 3, 18, 14, 10, tzinfo=TZ)
    before = placed(event)
    q = people[0]

    replan.participant_mark_absent(actor=facilitator, participant=q, now=now)

    after = placed(event)
    for pk, slot in before.items():
        if slot is not None and slot <= 4:
            assert after[pk] == slot  # held or under way
    assert all(slot is None or slot >= 5 or before[pk] == slot for pk, slot in after.items())
    assert Absence.objects.get().from_slot == 5


def test_a_held_meeting_cannot_be_cancelled(event, day, facilitator):
    meeting = MeetingRequest.objects.filter(event=event).order_by("slot").first()
    with pytest.raises(ValidationError):
        replan.meeting_cancel(
            actor=facilitator, meeting=meeting, now=datetime(2025, 3, 18, 23, tzinfo=TZ)
        )
    meeting.refresh_from_db()
    assert meeting.status == "accepted"


def test_moved_people_are_told_in_their_language(
    event, day, people, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    q = people[0]
    reader = UserFactory(username="zhreader", language="zh-hans")
    MembershipFactory(user=reader, organisation=people[2].organisation)

    with django_capture_on_commit_callbacks(execute=True):
        replan.participant_mark_absent(actor=SYSTEM, participant=q, now=BEFORE)

    note = Notification.objects.get(recipient=reader)
    assert "庆铃汽车" in note.body_zh and "Qingling Motors" in note.body_en
    (mail,) = [m for m in mailoutbox if m.to == [reader.email]]
    assert "庆铃汽车" in mail.body


@pytest.mark.parametrize("who", ["owner", "outsider", "anonymous", "stranger_organiser"])
def test_only_the_organisers_mark_absent_or_cancel(event, day, people, who, owner, outsider):
    actors = {
        "owner": owner,  # a participant
        "outsider": outsider,  # the other side of the meeting
        "anonymous": AnonymousUser(),
    }
    if who == "stranger_organiser":
        other = OrganisationFactory(kind="agency")
        actors[who] = UserFactory(username="stranger")
        MembershipFactory(user=actors[who], organisation=other)
    actor = actors[who]
    before = placed(event)
    with pytest.raises(PermissionDenied):
        replan.participant_mark_absent(actor=actor, participant=people[0], now=BEFORE)
    with pytest.raises(PermissionDenied):
        replan.meeting_cancel(actor=actor, meeting=day[0], now=BEFORE)
    with pytest.raises(PermissionDenied):
        replan.meeting_cancel(actor=None, meeting=day[0], now=BEFORE)
    assert placed(event) == before
    assert not Absence.objects.exists() and not Notification.objects.exists()


def test_a_later_scheduling_run_keeps_the_absent_participant_out(event, day, people):
    q = people[0]
    replan.participant_mark_absent(actor=SYSTEM, participant=q, now=BEFORE)

    run = services.schedule_start(actor=SYSTEM, event=event, mode="max", time_limit=5)
    planning.run(run.pk)

    theirs = MeetingRequest.objects.filter(event=event, status="accepted").filter(
        pk__in=[m.pk for m in day if q.pk in (m.requester_id, m.requested_id)]
    )
    assert list(theirs.values_list("slot", flat=True)) == [None, None, None]
    assert MeetingRequest.objects.filter(slot__isnull=False).count() == 4
