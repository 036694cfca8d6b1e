"""Moving a case (its status, the one part of the case record people change) carries the
version of the case the person loaded, like milestones and issues: when someone moved the
case in between, the move is refused, nothing is written, the API answers 409 with the
reason and the page shows the reason with what is saved now."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from corridor.cases import services
from corridor.cases.models import Case
from corridor.cases.tests.test_api import bearer, post_json
from corridor.cases.tests.test_permissions import rows, van_case

pytestmark = pytest.mark.django_db

STALE = (
    "Someone else changed this case since you opened it (it is now withdrawn); reload the "
    "page to see their change, then decide again."
)


@pytest.fixture
def van(facilitator, owner, enterprise):
    return van_case(facilitator, owner, enterprise)


def withdrawn_by_the_applicant(van) -> Case:
    """The applicant withdraws the draft while the facilitator still has version 1 open."""
    return services.case_transition(
        actor=van.applicant,
        case=van.case,
        to_status="withdrawn",
        reason="The buyer cancelled the order",
        version=1,
    )


def test_each_move_raises_the_version_of_the_case(van):
    moved = services.case_transition(
        actor=van.applicant, case=van.case, to_status="active", reason="Go", version=1
    )
    assert (moved.version, Case.objects.get(pk=van.case.pk).version) == (2, 2)


def test_a_stale_move_is_refused_and_nothing_is_written(van):
    withdrawn_by_the_applicant(van)
    before = rows()

    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            actor=van.facilitator, case=van.case, to_status="active", reason="Start", version=1
        )

    assert refused.value.message_dict == {"version": [STALE]}
    assert rows() == before


def test_a_move_without_a_version_is_refused(van):
    before = rows()
    with pytest.raises(ValidationError) as refused:
        services.case_transition(
            actor=van.facilitator, case=van.case, to_status="active", reason="Go", version=None
        )
    assert refused.value.message_dict == {
        "version": ["The version of the case you opened is missing; reload the page and try again."]
    }
    assert rows() == before


def test_the_api_answers_409_to_a_stale_move_and_422_without_a_version(client, van):
    withdrawn_by_the_applicant(van)
    bearer(van.facilitator)
    before = rows()
    url = f"/api/cases/cases/{van.case.pk}/transitions"

    stale = post_json(
        client, url, {"to_status": "active", "reason": "Start", "version": 1}, van.facilitator
    )
    missing = post_json(client, url, {"to_status": "active", "reason": "Start"}, van.facilitator)

    assert stale.status_code == 409
    assert stale.json() == {"detail": STALE, "errors": {"version": [STALE]}}
    assert missing.status_code == 422
    assert "version" in missing.json()["errors"]
    assert rows() == before
    detail = client.get(f"/api/cases/cases/{van.case.pk}", headers=bearer(van.facilitator))
    assert (detail.json()["status"], detail.json()["version"]) == ("withdrawn", 2)


def test_the_page_shows_a_stale_move_with_what_is_saved_now_and_keeps_the_reason(client, van):
    client.force_login(van.facilitator)
    page = client.get(reverse("cases:case_detail", args=[van.case.pk])).content.decode()
    assert 'name="t-version" value="1"' in page
    withdrawn_by_the_applicant(van)
    before = rows()

    response = client.post(
        reverse("cases:case_transition", args=[van.case.pk]),
        {"to_status": "active", "t-reason": "Cooperation starts", "t-version": 1},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert rows() == before
    assert STALE in html
    assert "What is saved now (after the other person's change):" in html
    assert "Status: withdrawn" in html
    assert "Moved by: Olivia Owner" in html
    assert "Reason: The buyer cancelled the order" in html


def test_the_page_keeps_the_reason_when_the_person_can_still_move_the_case(client, van):
    services.case_transition(
        actor=van.applicant, case=van.case, to_status="active", reason="Go", version=1
    )
    client.force_login(van.facilitator)

    response = client.post(
        reverse("cases:case_transition", args=[van.case.pk]),
        {"to_status": "withdrawn", "t-reason": "No answer from the applicant", "t-version": 1},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Someone else changed this case since you opened it (it is now active)" in html
    assert "No answer from the applicant</textarea>" in html
    assert Case.objects.get(pk=van.case.pk).status == "active"
