"""The audit log: who changed what and when, recorded by services and shown on the record's page."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from corridor.core.audit import audit_entries_for, audit_record, diff, snapshot
from corridor.core.models import AuditEntry
from corridor.portfolio import services
from corridor.portfolio.services import ProjectInput
from corridor.testing.factories import InnovationFactory, ProjectFactory


def test_snapshot_gives_json_friendly_values(enterprise):
    project = ProjectFactory(
        owner=enterprise,
        value=Decimal("10.50"),
        signed_on=datetime.date(2024, 3, 1),
        title_zh="庆铃",
    )
    assert snapshot(project, ["value", "signed_on", "owner", "title_zh", "parent"]) == {
        "value": "10.50",
        "signed_on": "2024-03-01",
        "owner": str(enterprise.pk),
        "title_zh": "庆铃",
        "parent": None,
    }


def test_diff_lists_only_what_changed_with_old_and_new_values():
    before = {"title_en": "Vans", "value": "10.00", "currency": "SGD"}
    after = {"title_en": "Electric vans", "value": "10.00", "currency": "USD"}
    assert diff(before, after) == {
        "title_en": ["Vans", "Electric vans"],
        "currency": ["SGD", "USD"],
    }
    assert diff(before, dict(before)) == {}
    assert diff({}, {"title_en": "New", "parent_id": None}) == {"title_en": [None, "New"]}


def test_audit_record_says_who_when_and_what(owner, enterprise):
    project = ProjectFactory(owner=enterprise)
    started = timezone.now()
    entry = audit_record(
        actor=owner,
        action="update",
        target=project,
        summary="x" * 400,
        changes={"title_en": ["A", "B"]},
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor == owner
    assert stored.target == project
    assert stored.at >= started
    assert stored.changes == {"title_en": ["A", "B"]}
    assert len(stored.summary) == 300


def test_an_anonymous_actor_is_recorded_as_the_system(enterprise):
    project = ProjectFactory(owner=enterprise)
    entry = audit_record(actor=AnonymousUser(), action="import", target=project)
    assert AuditEntry.objects.get(pk=entry.pk).actor is None


def test_entries_for_a_record_are_its_own_newest_first(owner, enterprise):
    project = ProjectFactory(owner=enterprise, pk=7)
    same_id_other_type = InnovationFactory(pk=7)
    first = audit_record(actor=owner, action="create", target=project)
    second = audit_record(actor=owner, action="update", target=project)
    audit_record(actor=owner, action="create", target=same_id_other_type)
    assert list(audit_entries_for(project)) == [second, first]
    assert [e.action for e in audit_entries_for(same_id_other_type)] == ["create"]


def test_a_projects_page_shows_its_history(client, owner, enterprise):
    project = services.project_create(
        actor=owner,
        owner=enterprise,
        data=ProjectInput(
            title_en="Electric vans", kind="commercial", sector="transport-logistics"
        ),
    )
    services.project_update(
        actor=owner,
        project=project,
        data=ProjectInput(
            external_id=project.external_id,
            title_en="Electric vans for Singapore",
            kind="commercial",
            sector="transport-logistics",
        ),
    )
    client.force_login(owner)
    response = client.get(reverse("portfolio:project_detail", args=[project.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    history = page[page.index('class="audit-log"') :]
    assert "Olivia Owner" in history
    assert (
        "<strong>title (English)</strong>: Electric vans → Electric vans for Singapore" in history
    )
    assert history.index("updated") < history.index("created")  # newest first


def test_the_history_shows_field_labels_and_readable_values(owner, enterprise):
    from django.utils import translation

    from corridor.core.audit import audit_record
    from corridor.portfolio.models import Project
    from corridor.testing.factories import ProjectFactory, sector

    project = ProjectFactory(owner=enterprise)
    entry = audit_record(
        actor=owner,
        action="update",
        target=project,
        changes={
            "is_published": [False, True],
            "status": ["signed", "in_progress"],
            "sector_id": [str(sector("ict").pk), str(sector("health").pk)],
            "value": [None, "10.00"],
        },
    )
    with translation.override("en"):
        assert entry.readable_changes() == [
            ("published", "no", "yes"),
            ("status", "signed", "in progress"),
            ("sector", "Information and communications technology", "Health"),
            ("value", "—", "10.00"),
        ]
    assert Project.objects.filter(pk=project.pk).exists()
