"""A member's change to a published project waits for an initiative administrator: until it
is published, the public (pages, dashboard totals, API, CSV and IATI exports) sees the
published values."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from corridor.accounts.models import Membership
from corridor.accounts.services import api_token_create
from corridor.core.audit import audit_entries_for
from corridor.core.models import AuditEntry
from corridor.portfolio import import_store, services
from corridor.portfolio.models import Project, ProjectParty, ProjectRevision
from corridor.testing.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectPartyFactory,
    UserFactory,
)

PROJECTS = "/api/portfolio/projects"
HUGE = "999999999"


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def project(enterprise):
    return ProjectFactory(
        title_en="International Data Channel",
        kind="g2g",
        owner=enterprise,
        value=Decimal("2500000.00"),
        currency="USD",
        is_published=True,
    )


@pytest.fixture
def partner(db):
    """A member of a partner organisation (a chamber of commerce)."""
    chamber = OrganisationFactory(name_en="Chamber of Commerce", kind="chamber", country="SG")
    user = UserFactory(username="partner")
    MembershipFactory(user=user, organisation=chamber, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def regulator(db):
    agency = OrganisationFactory(name_en="Food Agency", kind="regulator", country="SG")
    user = UserFactory(username="regulator")
    MembershipFactory(user=user, organisation=agency, role=Membership.Role.MEMBER)
    return user


def login(client, user):
    client.force_login(user)
    return client


def bearer(user) -> dict[str, str]:
    _token, raw = api_token_create(actor=user, label="test client")
    return {"Authorization": f"Bearer {raw}"}


def edit_data(project: Project, **changes) -> dict:
    data = {
        "version": project.version,
        "title_en": project.title_en,
        "title_zh": project.title_zh,
        "kind": project.kind,
        "sector": project.sector.code,
        "value": str(project.value),
        "currency": project.currency,
        "signed_on": project.signed_on.isoformat(),
    }
    data.update(changes)
    return data


def public_totals(client) -> str:
    client.logout()
    return client.get("/api/portfolio/dashboard").json()["totals"]["value_usd"]


def propose_huge_value(client, owner, project) -> ProjectRevision:
    response = login(client, owner).post(
        reverse("portfolio:project_edit", args=[project.pk]), edit_data(project, value=HUGE)
    )
    assert response.status_code == 302
    return ProjectRevision.objects.get(project=project, status="pending")


def test_a_members_change_to_a_published_project_does_not_reach_the_public(client, owner, project):
    totals_before = public_totals(client)
    login(client, owner)
    edit_page = client.get(reverse("portfolio:project_edit", args=[project.pk])).text
    assert "your change will wait for an administrator" in edit_page
    response = client.post(
        reverse("portfolio:project_edit", args=[project.pk]), edit_data(project, value=HUGE)
    )
    assert response.status_code == 302
    assert "waiting for an administrator of the initiative" in client.get(response["Location"]).text
    project.refresh_from_db()
    assert project.value == Decimal("2500000.00")
    assert project.value_usd == Decimal("2500000.00")
    revision = ProjectRevision.objects.get(project=project)
    assert (revision.status, revision.author, revision.values["value"]) == (
        "pending",
        owner,
        "999999999.00",
    )

    client.logout()
    assert public_totals(client) == totals_before == "2500000.00"
    page = client.get(reverse("portfolio:project_detail", args=[project.pk])).text
    assert "999,999,999" not in page and "pending-revision" not in page
    detail = client.get(f"{PROJECTS}/{project.pk}").json()
    assert detail["value"] == "2500000.00"
    listed = client.get(PROJECTS).json()["items"]
    assert [item["value"] for item in listed] == ["2500000.00"]
    csv_body = b"".join(
        client.get(reverse("portfolio:project_export_csv")).streaming_content
    ).decode("utf-8-sig")
    assert "2500000.00" in csv_body and HUGE not in csv_body
    xml = client.get(reverse("portfolio:project_export_iati")).content.decode()
    assert HUGE not in xml
    # the audit log on the public page does not carry the proposal either
    assert not audit_entries_for(project).exists()


def test_the_author_their_colleagues_and_the_administration_see_the_pending_change(
    client, owner, colleague, facilitator, admin_user, project
):
    propose_huge_value(client, owner, project)
    for person in (owner, colleague, facilitator, admin_user):
        page = login(client, person).get(reverse("portfolio:project_detail", args=[project.pk]))
        assert 'id="pending-revision"' in page.text, person
        rows = page.context["revision_rows"]
        assert ("value", "2500000.00", "999999999.00") in rows
        api = client.get(f"{PROJECTS}/{project.pk}/revisions", headers=bearer(person)).json()
        assert [(r["status"], r["changes"]["value"]) for r in api] == [
            ("pending", ["2500000.00", "999999999.00"])
        ]
    # only an administrator is offered the decision
    assert (
        login(client, colleague)
        .get(reverse("portfolio:project_detail", args=[project.pk]))
        .context["can_decide"]
        is False
    )


def test_outsiders_do_not_see_the_pending_change(
    client, owner, outsider, partner, regulator, project
):
    revision = propose_huge_value(client, owner, project)
    client.logout()
    assert (
        'id="pending-revision"'
        not in client.get(reverse("portfolio:project_detail", args=[project.pk])).text
    )
    assert client.get(f"{PROJECTS}/{project.pk}/revisions").status_code == 401
    for person in (outsider, partner, regulator):
        page = login(client, person).get(reverse("portfolio:project_detail", args=[project.pk]))
        assert 'id="pending-revision"' not in page.text
        assert HUGE not in page.text
        api = client.get(f"{PROJECTS}/{project.pk}/revisions", headers=bearer(person))
        assert api.json() == []
        assert not ProjectRevision.objects.visible_to(person).filter(pk=revision.pk).exists()


def test_an_administrator_publishes_the_change_and_the_public_sees_it(
    client,
    owner,
    admin_user,
    project,
    immediate_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    revision = propose_huge_value(client, owner, project)
    login(client, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portfolio:project_revision_publish", args=[project.pk, revision.pk])
        )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.value == Decimal("999999999.00")
    assert public_totals(client) == "999999999.00"
    revision.refresh_from_db()
    assert (revision.status, revision.decided_by) == ("published", admin_user)
    applied = audit_entries_for(project).get(action="update")
    assert applied.actor == admin_user
    assert applied.changes["value"] == ["2500000.00", "999999999.00"]
    decision = audit_entries_for(revision).get(action="publish")
    assert decision.actor == admin_user
    assert [m.to for m in mailoutbox] == [[owner.email]]
    assert "is published" in mailoutbox[0].subject


def test_an_administrator_rejects_the_change_and_the_author_is_told_why(
    client,
    owner,
    admin_user,
    project,
    immediate_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    revision = propose_huge_value(client, owner, project)
    login(client, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portfolio:project_revision_reject", args=[project.pk, revision.pk]),
            {"note": "The signed value is 2.5 million."},
        )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.value == Decimal("2500000.00")
    revision.refresh_from_db()
    assert (revision.status, revision.decision_note) == (
        "rejected",
        "The signed value is 2.5 million.",
    )
    assert audit_entries_for(revision).filter(action="update", actor=admin_user).exists()
    assert len(mailoutbox) == 1
    assert "The signed value is 2.5 million." in mailoutbox[0].body
    # a decided change cannot be published afterwards
    again = client.post(
        reverse("portfolio:project_revision_publish", args=[project.pk, revision.pk])
    )
    assert "already decided" in client.get(again["Location"]).text
    project.refresh_from_db()
    assert project.value == Decimal("2500000.00")


@pytest.mark.parametrize("who", ["owner", "colleague", "facilitator"])
def test_the_author_their_colleagues_and_facilitators_cannot_publish(
    client, request, owner, project, who
):
    revision = propose_huge_value(client, owner, project)
    person = request.getfixturevalue(who)
    login(client, person)
    response = client.post(
        reverse("portfolio:project_revision_publish", args=[project.pk, revision.pk])
    )
    assert response.status_code == 403
    response = client.post(
        f"{PROJECTS}/{project.pk}/revisions/{revision.pk}/publish", headers=bearer(person)
    )
    assert response.status_code == 403
    response = client.post(
        reverse("portfolio:project_revision_reject", args=[project.pk, revision.pk])
    )
    assert response.status_code == 403
    project.refresh_from_db()
    revision.refresh_from_db()
    assert (project.value, revision.status) == (Decimal("2500000.00"), "pending")


@pytest.mark.parametrize("who", ["outsider", "partner", "regulator"])
def test_outsiders_cannot_publish_the_change(client, request, owner, project, who):
    revision = propose_huge_value(client, owner, project)
    person = request.getfixturevalue(who)
    login(client, person)
    url = reverse("portfolio:project_revision_publish", args=[project.pk, revision.pk])
    assert client.post(url).status_code == 404
    response = client.post(
        f"{PROJECTS}/{project.pk}/revisions/{revision.pk}/publish", headers=bearer(person)
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.project_revision_publish(actor=person, revision=revision)
    project.refresh_from_db()
    assert project.value == Decimal("2500000.00")


def test_anonymous_cannot_publish_the_change(client, owner, project):
    revision = propose_huge_value(client, owner, project)
    client.logout()
    url = reverse("portfolio:project_revision_publish", args=[project.pk, revision.pk])
    assert client.post(url).status_code == 302  # to the log-in page
    assert (
        client.post(f"{PROJECTS}/{project.pk}/revisions/{revision.pk}/publish").status_code == 401
    )
    project.refresh_from_db()
    assert project.value == Decimal("2500000.00")


def test_an_administrators_change_applies_at_once(client, admin_user, project):
    response = login(client, admin_user).post(
        reverse("portfolio:project_edit", args=[project.pk]), edit_data(project, value="3000000")
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.value == Decimal("3000000.00")
    assert not ProjectRevision.objects.exists()


def test_an_unpublished_project_is_changed_directly(client, owner, project):
    Project.objects.filter(pk=project.pk).update(is_published=False)
    project.refresh_from_db()
    response = login(client, owner).post(
        reverse("portfolio:project_edit", args=[project.pk]), edit_data(project, value="3000000")
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.value == Decimal("3000000.00")
    assert not ProjectRevision.objects.exists()


def test_a_second_change_builds_on_the_pending_one(client, owner, admin_user, project):
    propose_huge_value(client, owner, project)
    project.refresh_from_db()
    form = login(client, owner).get(reverse("portfolio:project_edit", args=[project.pk]))
    assert form.context["form"].initial["value"] == "999999999.00"
    response = client.post(
        reverse("portfolio:project_edit", args=[project.pk]),
        edit_data(project, value="999999999.00", title_en="International Data Channel II"),
    )
    assert response.status_code == 302
    assert list(ProjectRevision.objects.order_by("id").values_list("status", flat=True)) == [
        "superseded",
        "pending",
    ]
    latest = ProjectRevision.objects.get(status="pending")
    services.project_revision_publish(actor=admin_user, revision=latest)
    project.refresh_from_db()
    assert (project.title_en, project.value) == (
        "International Data Channel II",
        Decimal("999999999.00"),
    )


def test_a_change_of_parties_on_a_published_project_is_held(
    client, owner, admin_user, project, enterprise, other_enterprise
):
    ProjectPartyFactory(project=project, organisation=enterprise, role="initiator")
    Project.objects.filter(pk=project.pk).update(lead_side=Project.Side.CHINA)
    project.refresh_from_db()
    data = {
        "version": project.version,
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "1",
        "parties-0-organisation": str(enterprise.pk),
        "parties-0-role": "initiator",
        "parties-1-organisation": str(other_enterprise.pk),
        "parties-1-role": "initiator",
    }
    response = login(client, owner).post(
        reverse("portfolio:project_parties", args=[project.pk]), data
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.lead_side == Project.Side.CHINA
    assert ProjectParty.objects.filter(project=project).count() == 1
    client.logout()
    assert client.get(f"{PROJECTS}/{project.pk}").json()["lead_side"] == "china"

    revision = ProjectRevision.objects.get(status="pending")
    assert "parties" in services.revision_changes(revision)
    services.project_revision_publish(actor=admin_user, revision=revision)
    project.refresh_from_db()
    assert project.lead_side == Project.Side.JOINT
    assert ProjectParty.objects.filter(project=project).count() == 2


def test_api_a_members_patch_is_held_and_an_administrator_publishes_it(
    client, owner, admin_user, project
):
    response = client.patch(
        f"{PROJECTS}/{project.pk}",
        json.dumps({"value": HUGE, "version": project.version}),
        content_type="application/json",
        headers=bearer(owner),
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["changes"]["value"] == ["2500000.00", "999999999.00"]
    client.logout()
    assert client.get(f"{PROJECTS}/{project.pk}").json()["value"] == "2500000.00"
    assert public_totals(client) == "2500000.00"

    response = client.post(
        f"{PROJECTS}/{project.pk}/revisions/{body['id']}/publish", headers=bearer(admin_user)
    )
    assert response.status_code == 200, response.content
    assert response.json()["value"] == "999999999.00"
    assert public_totals(client) == "999999999.00"


def test_a_change_proposed_before_an_administrators_edit_cannot_be_published(
    client, owner, admin_user, project
):
    revision = propose_huge_value(client, owner, project)
    project.refresh_from_db()
    services.project_update(
        actor=admin_user,
        project=project,
        data=services.input_of(project),
        version=project.version,
    )
    response = client.post(
        f"{PROJECTS}/{project.pk}/revisions/{revision.pk}/publish", headers=bearer(admin_user)
    )
    assert response.status_code == 409
    assert "changed since this change was proposed" in response.json()["detail"]
    project.refresh_from_db()
    assert project.value == Decimal("2500000.00")
    assert ProjectRevision.objects.get(pk=revision.pk).status == "pending"
    assert not AuditEntry.objects.filter(action="publish").exists()


def test_the_list_of_waiting_changes_shows_them_to_the_organisation_and_the_administration(
    client, owner, colleague, admin_user, outsider, project
):
    propose_huge_value(client, owner, project)
    for person in (colleague, admin_user):
        login(client, person)
        assert (
            "1 change of a published project is waiting for publication."
            in client.get(reverse("portfolio:project_list")).text
        )
        page = client.get(reverse("portfolio:revision_list"))
        assert [r.project for r in page.context["revisions"]] == [project]
    login(client, outsider)
    assert 'id="pending-changes"' not in client.get(reverse("portfolio:project_list")).text
    assert list(client.get(reverse("portfolio:revision_list")).context["revisions"]) == []
    client.logout()
    assert client.get(reverse("portfolio:revision_list")).status_code == 302


def test_a_members_import_over_a_published_project_is_held_too(owner, admin_user, enterprise):
    """Imports write through the same service: a member's file cannot change public totals."""
    header = "external_id,title_en,kind,sector,value,currency,signed_on\n"
    first = header + "IMP-1,Data channel,g2g,ict,2500000,USD,2020-06-01\n"
    report = import_store.run_import(actor=owner, name="p.csv", content=first.encode())
    assert report.errors == [] and report.created == 1
    imported = Project.objects.get(external_id="IMP-1")
    services.project_publish(actor=admin_user, project=imported, published=True)

    second = header + f"IMP-1,Data channel,g2g,ict,{HUGE},USD,2020-06-01\n"
    report = import_store.run_import(actor=owner, name="p.csv", content=second.encode())
    assert report.errors == []
    imported.refresh_from_db()
    assert imported.value == Decimal("2500000.00")
    revision = ProjectRevision.objects.get(project=imported, status="pending")
    assert revision.values["value"] == "999999999.00"


def test_a_members_status_change_of_a_published_project_is_held(client, owner, admin_user, project):
    login(client, owner)
    response = client.post(
        reverse("portfolio:project_transition", args=[project.pk]),
        {"to_status": "terminated", "on": "2021-01-15", "reason": "Cancelled"},
    )
    assert response.status_code == 302
    # a later edit of the fields keeps the proposed status change
    project.refresh_from_db()
    edit = client.post(
        reverse("portfolio:project_edit", args=[project.pk]), edit_data(project, value=HUGE)
    )
    assert edit.status_code == 302
    project.refresh_from_db()
    assert (project.status, project.value) == ("signed", Decimal("2500000.00"))
    assert not project.status_changes.exists()
    client.logout()
    assert client.get(f"{PROJECTS}/{project.pk}").json()["status"] == "signed"

    page = login(client, admin_user).get(reverse("portfolio:project_detail", args=[project.pk]))
    rows = page.context["revision_rows"]
    assert ("status", "signed", "terminated") in rows
    assert ("reason for the status change", "—", "Cancelled") in rows
    revision = ProjectRevision.objects.get(status="pending")
    services.project_revision_publish(actor=admin_user, revision=revision)
    project.refresh_from_db()
    assert (project.status, project.value) == ("terminated", Decimal("999999999.00"))
    change = project.status_changes.get()
    assert (change.to_status, change.reason, change.on.isoformat()) == (
        "terminated",
        "Cancelled",
        "2021-01-15",
    )
