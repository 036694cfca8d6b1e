"""A closed case (approved or withdrawn, `workflow.FINAL`) is a record: no party of it, not
even its facilitator, adds or edits a milestone, an issue, a comment, a party or a document
there, through the services, the pages or the API; the page offers no such form. Who takes
part and sees still changes: a party may be taken out, a document shared. A rejected case is
not closed: its applicant reopens it."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from corridor.accounts.services import api_token_create
from corridor.cases import services
from corridor.cases.documents import services as documents
from corridor.cases.models import Case, CaseParty
from corridor.cases.tests.test_permissions import rows, van_case
from corridor.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

WALKS = {
    "approved": ["active", "submitted", "under_verification", "approved"],
    "withdrawn": ["active", "withdrawn"],
    "rejected": ["active", "submitted", "rejected"],
}


def closed_message(status: str) -> str:
    return (
        f"This case is closed: it was {status}, so its milestones, issues, parties and "
        "documents can no longer change."
    )


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()


def walked(facilitator, owner, enterprise, status: str):
    """The van case with a milestone, an issue and a document, then moved to `status`."""
    van = van_case(facilitator, owner, enterprise)
    van.milestone = services.milestone_save(
        actor=facilitator, case=van.case, milestone=None, version=None, title_en="Type approval"
    )
    van.issue = services.issue_raise(actor=owner, case=van.case, title="Which test lab?")
    van.document = documents.document_upload(
        actor=owner,
        case=van.case,
        title="Test report",
        document_type="test_report",
        uploaded_file=SimpleUploadedFile("report.txt", b"brakes ok\n", "text/plain"),
        shared_with=[],
    ).document
    for to_status in WALKS[status]:
        case = Case.objects.get(pk=van.case.pk)
        services.case_transition(
            actor=facilitator, case=case, to_status=to_status, reason="Step", version=case.version
        )
    van.case = Case.objects.get(pk=van.case.pk)
    van.issue.refresh_from_db()
    van.milestone.refresh_from_db()
    return van


def every_write(van, actor):
    """Each write on the case, as `actor`, as a function of no arguments."""
    case, milestone, issue = van.case, van.milestone, van.issue
    return {
        "add milestone": lambda: services.milestone_save(
            actor=actor, case=case, milestone=None, version=None, title_en="Late step"
        ),
        "edit milestone": lambda: services.milestone_save(
            actor=actor,
            case=case,
            milestone=milestone,
            version=milestone.version,
            title_en="Type approval",
            actual_end=datetime.date(2025, 1, 1),
        ),
        "raise issue": lambda: services.issue_raise(actor=actor, case=case, title="Late issue"),
        "edit issue": lambda: services.issue_update(
            actor=actor, issue=issue, version=issue.version, title="Renamed"
        ),
        "comment": lambda: services.issue_comment(actor=actor, issue=issue, body="Late word"),
        "resolve": lambda: services.issue_resolve(
            actor=actor, issue=issue, version=issue.version, resolution="Done"
        ),
        "add party": lambda: services.case_add_party(
            actor=actor,
            case=case,
            organisation=OrganisationFactory(name_en="Latecomer"),
            role=CaseParty.Role.PARTNER,
        ),
        "upload": lambda: documents.document_upload(
            actor=actor,
            case=case,
            title="Late report",
            document_type="test_report",
            uploaded_file=SimpleUploadedFile("late.txt", b"late\n", "text/plain"),
            shared_with=[],
        ),
    }


@pytest.mark.parametrize("status", ["approved", "withdrawn"])
@pytest.mark.parametrize("who", ["facilitator", "applicant", "partner"])
def test_no_write_reaches_a_closed_case(facilitator, owner, enterprise, status, who):
    van = walked(facilitator, owner, enterprise, status)
    before = rows()

    for name, write in every_write(van, getattr(van, who)).items():
        with pytest.raises(PermissionDenied) as refused:
            write()
        assert str(refused.value) == closed_message(status), name

    assert rows() == before


def test_a_rejected_case_is_not_closed_and_its_applicant_works_on_it(
    facilitator, owner, enterprise
):
    van = walked(facilitator, owner, enterprise, "rejected")

    for name in every_write(van, owner):
        van.issue.refresh_from_db()
        van.milestone.refresh_from_db()
        every_write(van, owner)[name]()

    assert van.case.milestones.count() == 2 and van.case.issues.count() == 2


def test_who_takes_part_and_sees_still_changes_in_a_closed_case(facilitator, owner, enterprise):
    van = walked(facilitator, owner, enterprise, "approved")
    observer = van.case.parties.get(role=CaseParty.Role.OBSERVER)

    documents.document_share(actor=facilitator, document=van.document, shared_with=["partner"])
    services.case_remove_party(actor=facilitator, party=observer)

    van.document.refresh_from_db()
    assert van.document.shared_with == ["partner"]
    assert not van.case.parties.filter(role=CaseParty.Role.OBSERVER).exists()


# --- the page ------------------------------------------------------------------------------


def test_the_page_of_a_closed_case_says_so_and_offers_no_form(
    client, facilitator, owner, enterprise
):
    van = walked(facilitator, owner, enterprise, "approved")
    client.force_login(facilitator)

    html = client.get(reverse("cases:case_detail", args=[van.case.pk])).content.decode()

    assert closed_message("approved") in html
    assert 'id="read-only-note"' not in html
    pk = van.case.pk
    for action in [
        f"/cases/{pk}/milestones/",
        f'/cases/{pk}/parties/"',
        f"/cases/{pk}/issues/",
        f"/cases/documents/case/{pk}/upload/",
        f"/cases/issues/{van.issue.pk}/",
    ]:
        assert f'action="{action}' not in html, action
    assert "?edit=milestone-" not in html and "?edit=issue-" not in html
    # Taking a party out stays possible.
    assert f"/cases/{pk}/parties/" in html and "/remove/" in html


def test_a_post_to_a_closed_case_is_403_with_the_reason(client, facilitator, owner, enterprise):
    van = walked(facilitator, owner, enterprise, "withdrawn")
    client.force_login(owner)
    before = rows()

    answers = [
        client.post(
            reverse("cases:milestone_add", args=[van.case.pk]),
            {"new-milestone-title_en": "Late step"},
        ),
        client.post(reverse("cases:milestone_add", args=[van.case.pk]), {}),  # not even valid
        client.post(reverse("cases:issue_comment", args=[van.issue.pk]), {"body": "Late"}),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403]
    assert all(closed_message("withdrawn") in a.content.decode() for a in answers)
    assert rows() == before


# --- the API -------------------------------------------------------------------------------


def test_the_api_answers_403_with_the_reason_on_a_closed_case(
    client, facilitator, owner, enterprise
):
    van = walked(facilitator, owner, enterprise, "approved")
    _token, raw = api_token_create(actor=facilitator, label="test client")
    headers = {"Authorization": f"Bearer {raw}"}
    pk, before = van.case.pk, rows()

    def send(method, url, body):
        return getattr(client, method)(
            url, json.dumps(body), content_type="application/json", headers=headers
        )

    answers = [
        send("post", f"/api/cases/cases/{pk}/milestones", {"title_en": "Late"}),
        send(
            "patch",
            f"/api/cases/cases/{pk}/milestones/{van.milestone.pk}",
            {"version": van.milestone.version, "title_en": "x"},
        ),
        send("post", f"/api/cases/cases/{pk}/issues", {"title": "Late"}),
        send("patch", f"/api/cases/issues/{van.issue.pk}", {"version": 1, "title": "x"}),
        send("post", f"/api/cases/issues/{van.issue.pk}/comments", {"body": "x"}),
        send(
            "post",
            f"/api/cases/cases/{pk}/parties",
            {"organisation_id": OrganisationFactory().pk, "role": "observer"},
        ),
    ]

    assert [a.status_code for a in answers] == [403] * len(answers)
    assert {a.json()["detail"] for a in answers} == {closed_message("approved")}
    after = rows()
    after["audit"] = before["audit"]  # making the token wrote one audit entry
    assert after == before
