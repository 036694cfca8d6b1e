"""The cases' JSON API: only the cases the caller takes part in (404 for the others, like a
missing id), writes through the services (403 for regulator contacts and observers, nothing
changed), stale edits answered 409 with the reason, errors as JSON and never 500."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from corridor.accounts.services import api_token_create
from corridor.cases import services
from corridor.cases.documents.services import document_upload
from corridor.cases.models import Case, CaseIssue, Milestone
from corridor.cases.tests.test_permissions import rows, van_case
from corridor.cases.timeline import record_event
from corridor.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

CASES = "/api/cases/cases"
ISSUES = "/api/cases/issues"
STALE_MILESTONE = (
    "Someone else changed this milestone since you opened it; reload the page to see their "
    "change, then make yours again."
)


def bearer(user) -> dict[str, str]:
    """A token for `user`, made once (making one writes an audit entry)."""
    if not hasattr(user, "test_bearer"):
        _token, raw = api_token_create(actor=user, label="test client")
        user.test_bearer = {"Authorization": f"Bearer {raw}"}
    return user.test_bearer


def post_json(client, url, body, user):
    return client.post(url, json.dumps(body), content_type="application/json", headers=bearer(user))


def patch_json(client, url, body, user):
    return client.patch(
        url, json.dumps(body), content_type="application/json", headers=bearer(user)
    )


def get(client, url, user, **params):
    return client.get(url, params, headers=bearer(user))


@pytest.fixture
def van(facilitator, owner, enterprise):
    van = van_case(facilitator, owner, enterprise)
    services.milestone_save(
        actor=facilitator,
        case=van.case,
        milestone=None,
        version=None,
        title_en="Type approval",
        planned_start=datetime.date(2024, 3, 1),
        planned_end=datetime.date(2024, 9, 30),
    )
    services.issue_raise(
        actor=owner, case=van.case, title="Which test lab?", assigned_to=facilitator
    )
    return van


@pytest.fixture
def elsewhere(facilitator, other_enterprise):
    case = services.case_open(
        actor=facilitator, applicant=other_enterprise, title_en="Elsewhere", target_market="SG"
    )
    services.milestone_save(
        actor=facilitator, case=case, milestone=None, version=None, title_en="Hidden step"
    )
    services.issue_raise(actor=facilitator, case=case, title="Hidden issue")
    return case


# --- reads ---------------------------------------------------------------------------------


def test_the_list_holds_only_the_cases_the_caller_takes_part_in(client, van, elsewhere, outsider):
    mine = get(client, CASES, van.applicant).json()
    facilitators = get(client, CASES, van.facilitator).json()
    outsiders = get(client, CASES, outsider).json()

    assert [c["reference"] for c in mine["items"]] == [van.case.reference]
    assert (mine["count"], mine["page"], mine["pages"]) == (1, 1, 1)
    assert sorted(c["reference"] for c in facilitators["items"]) == sorted(
        [van.case.reference, elsewhere.reference]
    )
    # the outsider works for the applicant of the other case only
    assert [c["reference"] for c in outsiders["items"]] == [elsewhere.reference]


def test_the_list_is_filtered_and_needs_credentials(client, van):
    assert get(client, CASES, van.applicant, status="approved").json()["count"] == 0
    assert get(client, CASES, van.applicant, status="draft").json()["count"] == 1
    bad = get(client, CASES, van.applicant, status="nonsense")
    assert bad.status_code == 422 and "status" in bad.json()["errors"]
    assert client.get(CASES).status_code == 401


def test_the_role_filter_gives_the_cases_the_page_gives(client, van, facilitator, enterprise):
    services.case_open(
        actor=facilitator, applicant=enterprise, title_en="Vans to Thailand", target_market="TH"
    )
    for person in (van.applicant, van.partner):
        for role in ("partner", "applicant"):
            api = get(client, CASES, person, role=role).json()["items"]
            client.force_login(person)
            page = client.get(reverse("cases:case_list"), {"role": role}).context["cases"]
            assert [c["reference"] for c in api] == [c.reference for c in page]
    as_partner = get(client, CASES, van.partner, role="partner").json()["items"]
    assert [c["reference"] for c in as_partner] == [van.case.reference]
    assert get(client, CASES, van.applicant, role="partner").json()["count"] == 0
    assert get(client, CASES, van.applicant, role="applicant").json()["count"] == 2
    bad = get(client, CASES, van.applicant, role="nonsense")
    assert bad.status_code == 422 and "role" in bad.json()["errors"]


def test_the_detail_carries_parties_milestones_issues_and_the_last_events(client, van):
    response = get(client, f"{CASES}/{van.case.pk}", van.applicant)

    body = response.json()
    assert response.status_code == 200
    assert (body["reference"], body["status"], body["your_role"]) == (
        van.case.reference,
        "draft",
        "applicant",
    )
    assert body["allowed_transitions"] == ["active", "withdrawn"]
    assert sorted(p["role"] for p in body["parties"]) == [
        "applicant",
        "certification_body",
        "facilitator",
        "observer",
        "partner",
        "regulator",
    ]
    assert [(m["title_en"], m["version"], m["depends_on"]) for m in body["milestones"]] == [
        ("Type approval", 1, [])
    ]
    assert [(i["title"], i["assigned_to"]["username"]) for i in body["issues"]] == [
        ("Which test lab?", "facilitator")
    ]
    assert body["last_events"][0]["text"] == (
        "Olivia Owner assigned the issue “Which test lab?” to Fay Facilitator."
    )


def test_ids_of_another_case_answer_404_and_change_nothing(client, van, elsewhere):
    milestone = elsewhere.milestones.get()
    issue = elsewhere.issues.get()
    user = van.applicant
    bearer(user)
    before = rows()

    answers = [
        get(client, f"{CASES}/{elsewhere.pk}", user),
        get(client, f"{CASES}/{elsewhere.pk}/documents", user),
        post_json(
            client,
            f"{CASES}/{elsewhere.pk}/transitions",
            {"to_status": "active", "reason": "x", "version": 1},
            user,
        ),
        post_json(client, f"{CASES}/{elsewhere.pk}/issues", {"title": "x"}, user),
        post_json(client, f"{CASES}/{elsewhere.pk}/milestones", {"title_en": "x"}, user),
        # another case's milestone through my own case's URL
        patch_json(
            client,
            f"{CASES}/{van.case.pk}/milestones/{milestone.pk}",
            {"version": 1, "title_en": "x"},
            user,
        ),
        patch_json(client, f"{ISSUES}/{issue.pk}", {"version": 1, "title": "x"}, user),
        post_json(client, f"{ISSUES}/{issue.pk}/comments", {"body": "x"}, user),
        post_json(client, f"{ISSUES}/{issue.pk}/resolve", {"version": 1, "resolution": "x"}, user),
    ]

    assert [a.status_code for a in answers] == [404] * len(answers)
    assert answers[0].json() == {"detail": f"No case has the id “{elsewhere.pk}”.", "errors": {}}
    assert rows() == before


# --- writes --------------------------------------------------------------------------------


def test_a_case_is_opened_moved_and_given_a_party(client, van, facilitator, enterprise):
    created = post_json(
        client,
        CASES,
        {"applicant_id": enterprise.pk, "title_en": "Vans to Thailand", "target_market": "th"},
        van.applicant,
    )
    case_id = created.json()["id"]
    moved = post_json(
        client,
        f"{CASES}/{case_id}/transitions",
        {"to_status": "active", "reason": "Documents gathered", "version": 1},
        van.applicant,
    )
    chamber = OrganisationFactory(name_en="Chamber of Commerce")
    added = post_json(
        client,
        f"{CASES}/{case_id}/parties",
        {"organisation_id": chamber.pk, "role": "observer"},
        van.applicant,
    )

    assert created.status_code == 201
    assert (created.json()["target_market"], created.json()["status"]) == ("TH", "draft")
    assert moved.status_code == 200 and moved.json()["status"] == "active"
    assert added.status_code == 201
    assert (added.json()["role"], added.json()["organisation"]["name_en"]) == (
        "observer",
        "Chamber of Commerce",
    )


def test_a_transition_without_a_reason_is_a_400_with_the_field(client, van):
    response = post_json(
        client,
        f"{CASES}/{van.case.pk}/transitions",
        {"to_status": "active", "version": 1},
        van.applicant,
    )
    van.case.refresh_from_db()
    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": ["Give the reason for this change of status."]}
    assert van.case.status == "draft"


@pytest.mark.parametrize("who", ["regulator", "observer"])
def test_every_write_by_a_reader_is_403_and_changes_nothing(client, van, who):
    user = getattr(van, who)
    milestone = van.case.milestones.get()
    issue = van.case.issues.get()
    pk = van.case.pk
    intruder = OrganisationFactory()
    bearer(user)
    before = rows()

    answers = [
        post_json(
            client,
            f"{CASES}/{pk}/transitions",
            {"to_status": "active", "reason": "Go", "version": 1},
            user,
        ),
        post_json(client, f"{CASES}/{pk}/milestones", {"title_en": "Sneaky"}, user),
        patch_json(
            client, f"{CASES}/{pk}/milestones/{milestone.pk}", {"version": 1, "title_en": "x"}, user
        ),
        post_json(client, f"{CASES}/{pk}/issues", {"title": "Sneaky"}, user),
        patch_json(client, f"{ISSUES}/{issue.pk}", {"version": 1, "title": "x"}, user),
        post_json(client, f"{ISSUES}/{issue.pk}/comments", {"body": "x"}, user),
        post_json(client, f"{ISSUES}/{issue.pk}/resolve", {"version": 1, "resolution": "x"}, user),
        post_json(
            client,
            f"{CASES}/{pk}/parties",
            {"organisation_id": intruder.pk, "role": "observer"},
            user,
        ),
    ]

    assert [a.status_code for a in answers] == [403] * len(answers)
    assert answers[1].json()["detail"] == (
        "You can only read this case: regulator contacts, observers and people outside the "
        "case cannot change it."
    )
    assert rows() == before


def test_a_stale_milestone_patch_is_409_with_the_message_and_nothing_is_lost(client, van):
    milestone = van.case.milestones.get()
    url = f"{CASES}/{van.case.pk}/milestones/{milestone.pk}"
    first = patch_json(client, url, {"version": 1, "planned_end": "2024-10-31"}, van.facilitator)
    second = patch_json(
        client, url, {"version": 1, "title_en": "Type approval, my wording"}, van.applicant
    )

    milestone.refresh_from_db()
    assert first.status_code == 200
    assert (first.json()["version"], first.json()["planned_end"], first.json()["title_en"]) == (
        2,
        "2024-10-31",
        "Type approval",
    )
    assert second.status_code == 409
    assert second.json() == {"detail": STALE_MILESTONE, "errors": {"version": [STALE_MILESTONE]}}
    assert (milestone.title_en, milestone.planned_end, milestone.version) == (
        "Type approval",
        datetime.date(2024, 10, 31),
        2,
    )


def test_a_milestone_is_added_with_a_dependency_and_a_patch_needs_the_version(client, van):
    first = van.case.milestones.get()
    applicant_party = van.case.parties.get(role="applicant")
    added = post_json(
        client,
        f"{CASES}/{van.case.pk}/milestones",
        {
            "title_en": "EU certificate",
            "planned_start": "2024-10-01",
            "planned_end": "2025-08-31",
            "owner_party_id": applicant_party.pk,
            "depends_on": [first.pk],
            "dates_approximate": True,
        },
        van.partner,
    )
    without_version = patch_json(
        client, f"{CASES}/{van.case.pk}/milestones/{first.pk}", {"title_en": "x"}, van.partner
    )
    detail = get(client, f"{CASES}/{van.case.pk}", van.partner).json()

    assert added.status_code == 201
    assert (added.json()["owner_party_id"], added.json()["dates_approximate"]) == (
        applicant_party.pk,
        True,
    )
    assert detail["milestones"][1]["depends_on"] == [first.pk]
    assert without_version.status_code == 422
    assert "version" in without_version.json()["errors"]
    assert Milestone.objects.get(pk=first.pk).title_en == "Type approval"


def test_an_issue_is_patched_commented_and_resolved_and_a_stale_patch_is_409(client, van):
    issue = van.case.issues.get()
    url = f"{ISSUES}/{issue.pk}"

    patched = patch_json(client, url, {"version": 1, "due_on": "2025-01-31"}, van.partner)
    stale = patch_json(client, url, {"version": 1, "title": "Mine"}, van.applicant)
    commented = post_json(client, f"{url}/comments", {"body": "TÜV can do it"}, van.partner)
    resolved = post_json(
        client, f"{url}/resolve", {"version": 2, "resolution": "Booked TÜV"}, van.applicant
    )

    issue.refresh_from_db()
    assert patched.status_code == 200 and patched.json()["due_on"] == "2025-01-31"
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith("Someone else changed this issue since you opened it")
    assert commented.status_code == 201 and commented.json()["body"] == "TÜV can do it"
    assert resolved.status_code == 200
    assert (issue.title, issue.status, issue.resolution, issue.version) == (
        "Which test lab?",
        "resolved",
        "Booked TÜV",
        3,
    )


def test_malformed_bodies_are_4xx_json_never_500(client, van):
    pk = van.case.pk
    user = van.applicant
    answers = [
        client.post(
            f"{CASES}/{pk}/issues", "{oops", content_type="application/json", headers=bearer(user)
        ),
        post_json(client, f"{CASES}/{pk}/issues", {"title": "x", "unknown": 1}, user),
        post_json(client, f"{CASES}/{pk}/milestones", {"depends_on": ["a"]}, user),
        post_json(
            client, f"{CASES}/{pk}/milestones", {"title_en": "x", "depends_on": [999999]}, user
        ),
        post_json(client, f"{CASES}/{pk}/issues", {"title": "x", "assigned_to_id": 999999}, user),
        post_json(client, CASES, {"applicant_id": 999999, "target_market": "SG"}, user),
        post_json(
            client,
            f"{CASES}/{pk}/transitions",
            {"to_status": "approved", "reason": "x", "version": 1},
            user,
        ),
    ]
    assert [a.status_code for a in answers] == [400, 422, 422, 400, 400, 400, 400]
    assert all(set(a.json()) == {"detail", "errors"} for a in answers)
    assert CaseIssue.objects.filter(case=van.case).count() == 1


# --- documents -----------------------------------------------------------------------------


def test_documents_are_listed_as_each_role_may_see_them(client, van):
    document_upload(
        actor=van.facilitator,
        case=van.case,
        title="Crash test report",
        document_type="test_report",
        uploaded_file=SimpleUploadedFile("crash.txt", b"all good\n", content_type="text/plain"),
        shared_with=["regulator"],
    )
    url = f"{CASES}/{van.case.pk}/documents"

    regulator = get(client, url, van.regulator).json()
    observer = get(client, url, van.observer).json()

    assert [d["title"] for d in regulator] == ["Crash test report"]
    version = regulator[0]["versions"][0]
    assert (version["number"], version["original_name"], version["size"]) == (1, "crash.txt", 9)
    assert version["download_url"].startswith("/cases/documents/versions/")
    assert observer == []
    assert get(client, f"{CASES}/{van.case.pk}", van.observer).json()["documents"] == []


# --- query counts --------------------------------------------------------------------------


def test_the_detail_and_the_list_make_the_same_number_of_queries_with_more_events(
    client, van, facilitator, enterprise
):
    headers = bearer(van.facilitator)

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, headers=headers).status_code == 200
        return len(captured)

    few = (count(f"{CASES}/{van.case.pk}"), count(CASES))
    for n in range(60):
        record_event(
            case=van.case, actor=facilitator, kind="issue_commented", params={"title": f"Q{n}"}
        )
    for n in range(3):
        services.case_open(
            actor=facilitator, applicant=enterprise, title_en=f"Case {n}", target_market="SG"
        )
    many = (count(f"{CASES}/{van.case.pk}"), count(CASES))
    assert few == many
    assert Case.objects.count() == 4
