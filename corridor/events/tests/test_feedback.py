"""After each meeting: both sides rate it (1 to 5), say whether they want a follow-up and add
a note, each side only through its own members; the organisers see the event's results (page
and API)."""

from datetime import time, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from corridor.accounts.services import api_token_create
from corridor.core.actors import SYSTEM
from corridor.core.models import AuditEntry
from corridor.events import services
from corridor.events.models import MeetingOutcome
from corridor.events.tests.test_agendas import placed  # noqa: F401 (fixture)
from corridor.events.tests.test_checkin import partner, regulator  # noqa: F401 (fixtures)
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

pytestmark = pytest.mark.django_db


def feedback(held, *, rating="", follow_up="", outcome="follow_up", note="", version=0):
    """The feedback form of one meeting (`held`) as a browser posts it."""
    prefix = f"outcome-{held.pk}"
    return {
        f"{prefix}-rating": rating,
        f"{prefix}-wants_follow_up": follow_up,
        f"{prefix}-outcome": outcome,
        f"{prefix}-note": note,
        f"{prefix}-version": str(version),
    }


def saved() -> list[tuple]:
    return list(
        MeetingOutcome.objects.order_by("pk").values_list(
            "participant_id", "outcome", "rating", "wants_follow_up", "note"
        )
    )


# --- a side gives its feedback --------------------------------------------------------------


def test_a_member_rates_a_held_meeting_wants_a_follow_up_and_adds_a_note(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    placed,  # noqa: F811
    owner,
):
    client.force_login(owner)
    page = client.get(url("outcomes", event.pk, vans.pk))
    form = section(page, f"meeting-{placed.pk}")
    assert "How useful was the meeting? 1: not at all, 5: very" in text(form)
    assert "Do you want a follow-up?" in text(form)

    response = client.post(
        url("outcome_record", event.pk, vans.pk, placed.pk),
        feedback(placed, rating="4", follow_up="yes", outcome="agreement", note="Samples in May."),
        follow=True,
    )

    assert saved() == [(vans.pk, "agreement", 4, True, "Samples in May.")]
    shown = text(section(response, f"meeting-{placed.pk}"))
    assert "Recorded outcome: agreement reached. Rated 4 of 5. Follow-up wanted." in shown
    outcome = MeetingOutcome.objects.get()
    assert outcome.recorded_by == owner


@pytest.mark.parametrize("who", ["outsider", "stranger", "regulator", "partner"])
def test_nobody_else_gives_a_sides_feedback(
    client,
    request,
    event,  # noqa: F811
    vans,  # noqa: F811
    logistics,  # noqa: F811
    placed,  # noqa: F811
    who,
):
    """The other side of the meeting (Motorway's member), a third participant, a regulator
    and a partner organisation: refused, nothing written."""
    person = request.getfixturevalue(who)
    client.force_login(person)

    response = client.post(
        url("outcome_record", event.pk, vans.pk, placed.pk),
        feedback(placed, rating="1", follow_up="no", outcome="nothing"),
    )

    assert response.status_code == 403
    assert saved() == []
    with pytest.raises(PermissionDenied):
        services.outcome_record(
            actor=person, meeting=placed, participant=vans, outcome="nothing", rating=1
        )
    assert saved() == []


def test_an_anonymous_visitor_gives_no_feedback(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    placed,  # noqa: F811
):
    response = client.post(
        url("outcome_record", event.pk, vans.pk, placed.pk), feedback(placed, rating="5")
    )

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    with pytest.raises(PermissionDenied):
        services.outcome_record(
            actor=None, meeting=placed, participant=vans, outcome="nothing", rating=5
        )
    assert saved() == []


def test_an_organiser_records_an_outcome_but_not_the_sides_rating(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    placed,  # noqa: F811
    owner,
    organiser,  # noqa: F811
):
    services.outcome_record(
        actor=owner,
        meeting=placed,
        participant=vans,
        outcome="agreement",
        rating=5,
        wants_follow_up=True,
        version=0,
    )
    client.force_login(organiser)
    form = section(client.get(url("outcomes", event.pk, vans.pk)), f"meeting-{placed.pk}")
    assert "How useful" not in text(form) and "Record the outcome" in text(form)

    # the organiser's form has no rating: what the side said stays
    client.post(
        url("outcome_record", event.pk, vans.pk, placed.pk),
        feedback(
            placed, rating="1", follow_up="no", outcome="nothing", note="Left early.", version=1
        ),
    )
    assert saved() == [(vans.pk, "nothing", 5, True, "Left early.")]
    with pytest.raises(PermissionDenied):
        services.outcome_record(
            actor=organiser,
            meeting=placed,
            participant=vans,
            outcome="nothing",
            rating=1,
            version=2,
        )
    assert saved() == [(vans.pk, "nothing", 5, True, "Left early.")]


def test_a_meeting_not_over_yet_takes_no_feedback(
    client,
    trade_office,  # noqa: F811
    enterprise,
    other_enterprise,
    owner,
):
    later = timezone.localdate() + timedelta(days=30)
    upcoming = make_event(trade_office, sessions=[(later, "am", time(9, 0), time(10, 0))])
    ours = services.participant_add(actor=SYSTEM, event=upcoming, organisation=enterprise)
    theirs = services.participant_add(actor=SYSTEM, event=upcoming, organisation=other_enterprise)
    meeting = services.meeting_add(actor=SYSTEM, event=upcoming, requester=ours, requested=theirs)  # noqa: F811
    services.meeting_lock(actor=SYSTEM, request=meeting, slot=0)
    client.force_login(owner)

    page = client.get(url("outcomes", upcoming.pk, ours.pk))
    response = client.post(
        url("outcome_record", upcoming.pk, ours.pk, meeting.pk), feedback(meeting, rating="5")
    )

    assert "The meeting is not over yet." in text(section(page, f"meeting-{meeting.pk}"))
    assert "<form" not in section(page, f"meeting-{meeting.pk}")
    assert response.status_code == 400
    assert "This meeting is not over yet" in text(response)
    assert saved() == []


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"rating": 0}, "rating", "Rating: give a number from 1 (not useful) to 5 (very useful)."),
        ({"rating": 6}, "rating", "Rating: give a number from 1 (not useful) to 5 (very useful)."),
        (
            {"rating": 3, "outcome": "no_show"},
            "rating",
            "Rating: the other side did not come, so there is no meeting to rate. "
            "Leave the rating empty.",
        ),
        (
            {"wants_follow_up": False, "outcome": "follow_up"},
            "wants_follow_up",
            "Follow-up: you chose “follow up” as the outcome. Answer yes, or choose another "
            "outcome.",
        ),
    ],
)
def test_feedback_that_contradicts_itself_is_refused_naming_the_field(
    event,  # noqa: F811
    vans,  # noqa: F811
    placed,  # noqa: F811
    owner,
    answers,
    field,
    message,
):
    arguments = {"outcome": "agreement"} | answers
    with pytest.raises(ValidationError) as refused:
        services.outcome_record(actor=owner, meeting=placed, participant=vans, **arguments)
    assert refused.value.message_dict == {field: [message]}
    assert saved() == []


def test_the_database_refuses_a_rating_outside_1_to_5(
    event,  # noqa: F811
    vans,  # noqa: F811
    placed,  # noqa: F811
    owner,
):
    outcome = services.outcome_record(
        actor=owner, meeting=placed, participant=vans, outcome="agreement", rating=2
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingOutcome.objects.filter(pk=outcome.pk).update(rating=9)
    assert saved()[0][2] == 2


def test_the_page_shows_a_bad_answer_beside_its_question(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    placed,  # noqa: F811
    owner,
):
    client.force_login(owner)

    response = client.post(
        url("outcome_record", event.pk, vans.pk, placed.pk),
        feedback(placed, follow_up="no", outcome="follow_up"),
    )

    assert response.status_code == 400
    assert "Follow-up: you chose “follow up” as the outcome." in text(
        section(response, f"meeting-{placed.pk}")
    )
    assert saved() == []


# --- the results ----------------------------------------------------------------------------


@pytest.fixture
def both_sides_said(event, vans, motorway, placed, owner, outsider):  # noqa: F811
    services.outcome_record(
        actor=owner,
        meeting=placed,
        participant=vans,
        outcome="agreement",
        rating=5,
        wants_follow_up=True,
        note="Contract draft next week.",
    )
    services.outcome_record(
        actor=outsider,
        meeting=placed,
        participant=motorway,
        outcome="nothing",
        rating=2,
        wants_follow_up=False,
    )
    services.follow_up_to_project(
        actor=owner, meeting=placed, participant=vans, title_en="Vans for Motorway"
    )


def test_the_organisers_see_the_results_of_the_meetings(
    client,
    event,  # noqa: F811
    placed,  # noqa: F811
    both_sides_said,
    organiser,  # noqa: F811
    facilitator,
):
    client.force_login(facilitator)  # the initiative's staff see every project

    page = client.get(url("results", event.pk))

    assert page.status_code == 200
    assert text(section(page, "kpi-rating")) == "3.5 average rating, of 5 (2 ratings)"
    assert text(section(page, "kpi-follow-ups")) == "1 sides want a follow-up"
    assert text(section(page, "kpi-agreements")) == "1 meetings reached an agreement"
    assert text(section(page, "kpi-projects")) == "1 cooperation projects"
    assert "Vans for Motorway" in text(section(page, "projects"))
    rows = text(section(page, f"result-{placed.pk}"))
    assert "Qingling Motors 5 / 5 wanted agreement reached Contract draft next week." in rows
    assert "Motorway Group 2 / 5 not wanted no further interest —" in rows

    # an organiser who may not see the unpublished project is told it exists, not its title
    client.force_login(organiser)
    page = client.get(url("results", event.pk))
    assert "Vans for Motorway" not in page.content.decode()
    assert "1 more project is not yet visible to you." in text(section(page, "projects"))


@pytest.mark.parametrize("who", ["owner", "outsider", "stranger", "regulator"])
def test_only_organisers_see_the_results(
    client,
    request,
    event,  # noqa: F811
    logistics,  # noqa: F811
    both_sides_said,
    who,
):
    person = request.getfixturevalue(who)
    client.force_login(person)
    assert client.get(url("results", event.pk)).status_code == 403
    _token, raw = api_token_create(actor=person, label="test")
    api = client.get(f"/api/events/{event.pk}/results", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 403


def test_an_anonymous_visitor_sees_no_results(client, event, both_sides_said):  # noqa: F811
    assert client.get(url("results", event.pk))["Location"].startswith("/accounts/login/")
    assert client.get(f"/api/events/{event.pk}/results").status_code == 401


# --- the API --------------------------------------------------------------------------------


def test_the_api_takes_a_sides_rating_from_its_members_only(
    client,
    event,  # noqa: F811
    vans,  # noqa: F811
    motorway,  # noqa: F811
    placed,  # noqa: F811
    owner,
    outsider,
    organiser,  # noqa: F811
    facilitator,
):
    def post(person, body):
        _token, raw = api_token_create(actor=person, label="test")
        return client.post(
            f"/api/events/{event.pk}/outcomes",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )

    ours = {"meeting": placed.pk, "participant": vans.pk, "outcome": "agreement"}
    assert post(outsider, {**ours, "rating": 5}).status_code == 403
    assert post(organiser, {**ours, "rating": 5}).status_code == 403
    bad = post(owner, {**ours, "rating": 9})
    assert bad.status_code == 400
    assert bad.json()["errors"] == {
        "rating": ["Rating: give a number from 1 (not useful) to 5 (very useful)."]
    }
    assert saved() == []

    done = post(owner, {**ours, "rating": 4, "wants_follow_up": True, "note": "Good."})
    assert done.status_code == 200
    assert (done.json()["rating"], done.json()["wants_follow_up"]) == (4, True)
    # an organiser's outcome without a rating leaves the side's own alone
    again = post(organiser, {**ours, "outcome": "nothing", "version": 1})
    assert again.status_code == 200
    assert (again.json()["outcome"], again.json()["rating"]) == ("nothing", 4)

    _token, raw = api_token_create(actor=facilitator, label="test")
    results = client.get(
        f"/api/events/{event.pk}/results", HTTP_AUTHORIZATION=f"Bearer {raw}"
    ).json()
    assert results["average_rating"] == 4.0
    assert results["follow_ups_wanted"] == 1
    assert results["meetings_held"] == 1
    sides = results["meetings"][0]["sides"]
    assert [(s["participant"]["id"], s["rating"]) for s in sides] == [
        (vans.pk, 4),
        (motorway.pk, None),
    ]


def test_follow_up_as_the_outcome_says_the_side_wants_one(
    event,  # noqa: F811
    vans,  # noqa: F811
    placed,  # noqa: F811
):
    outcome = services.outcome_record(
        actor=SYSTEM, meeting=placed, participant=vans, outcome="follow_up"
    )
    assert (outcome.wants_follow_up, outcome.rating) == (True, None)


def test_making_a_follow_up_a_project_leaves_a_history_entry_on_the_outcome(
    both_sides_said,
    vans,  # noqa: F811
    owner,
):
    outcome = MeetingOutcome.objects.get(participant=vans)

    [entry] = AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(MeetingOutcome),
        target_id=str(outcome.pk),
        changes__has_key="project_id",
    )

    assert (entry.actor, entry.action) == (owner, "update")
    assert entry.changes["project_id"] == [None, outcome.project_id]
