"""Every rule of corridor.portfolio.services, with a test that tries to break it."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.utils import timezone

from corridor.core.actors import SYSTEM
from corridor.core.audit import audit_entries_for
from corridor.core.models import AuditEntry
from corridor.portfolio import services, workflow
from corridor.portfolio.models import Innovation, Project, ProjectStatusChange, PublishedFigure
from corridor.portfolio.services import PartyInput, ProjectInput
from corridor.testing.factories import (
    FxRateFactory,
    InnovationFactory,
    OrganisationFactory,
    ProjectFactory,
)


def project_input(**changes) -> ProjectInput:
    values = {
        "title_en": "China–Singapore (Chongqing) International Data Channel",
        "title_zh": "中新（重庆）国际互联网数据专用通道",
        "kind": "g2g",
        "sector": "ict",
        "signed_on": datetime.date(2019, 9, 1),
    }
    values.update(changes)
    return ProjectInput(**values)


def input_of(project: Project, **changes) -> ProjectInput:
    """The project as it is, with some changes: what an edit form would send."""
    values = {
        "external_id": project.external_id,
        "title_en": project.title_en,
        "title_zh": project.title_zh,
        "kind": project.kind,
        "status": project.status,
        "sector": project.sector.code,
        "value": project.value,
        "currency": project.currency,
        "signed_on": project.signed_on,
        "parent_external_id": project.parent.external_id if project.parent_id else "",
    }
    values.update(changes)
    return ProjectInput(**values)


def stored(project: Project) -> dict:
    return model_to_dict(Project.objects.get(pk=project.pk))


def audit_count() -> int:
    return AuditEntry.objects.count()


@pytest.fixture
def own_project(owner, enterprise):
    return services.project_create(actor=owner, owner=enterprise, data=project_input())


# --- who may record and change ---------------------------------------------------------------


def test_a_member_cannot_record_a_project_for_another_organisation(outsider, enterprise):
    entries = audit_count()
    with pytest.raises(PermissionDenied, match="only record projects for your own organisation"):
        services.project_create(actor=outsider, owner=enterprise, data=project_input())
    assert Project.objects.count() == 0
    assert audit_count() == entries


def test_an_anonymous_visitor_cannot_record_a_project(enterprise):
    with pytest.raises(PermissionDenied):
        services.project_create(actor=AnonymousUser(), owner=enterprise, data=project_input())
    assert Project.objects.count() == 0


def test_no_actor_is_refused_like_a_stranger(enterprise, own_project):
    """`None` is no one: a forgotten actor never means "allowed everything"."""
    before, entries = stored(own_project), audit_count()
    with pytest.raises(PermissionDenied, match="only record projects for your own organisation"):
        services.project_create(actor=None, owner=enterprise, data=project_input())
    with pytest.raises(PermissionDenied, match="only change projects your organisation recorded"):
        services.project_update(
            actor=None, project=own_project, data=input_of(own_project, title_en="Anyone's")
        )
    with pytest.raises(PermissionDenied):
        services.project_set_parties(
            actor=None,
            project=own_project,
            parties=[PartyInput(organisation=OrganisationFactory(), role="investor")],
        )
    with pytest.raises(PermissionDenied):
        services.project_link_save(actor=None, project=own_project, url="https://example.org/a")
    with pytest.raises(PermissionDenied):
        services.project_transition(
            actor=None, project=own_project, to_status="in_progress", on=None, reason="Why not"
        )
    assert stored(own_project) == before
    assert Project.objects.count() == 1
    assert audit_count() == entries


def test_the_system_records_and_changes_any_project_directly(enterprise):
    project = services.project_create(
        actor=SYSTEM, owner=enterprise, data=project_input(external_id="SYS-1")
    )
    project.is_published = True
    project.save()
    services.project_update(
        actor=SYSTEM, project=project, data=input_of(project, title_en="Changed by the system")
    )
    project.refresh_from_db()
    assert project.title_en == "Changed by the system"  # a published project: not held
    assert not project.revisions.exists()


def test_a_facilitator_records_projects_for_any_organisation(facilitator, enterprise):
    project = services.project_create(actor=facilitator, owner=enterprise, data=project_input())
    assert project.owner == enterprise


def test_a_member_cannot_change_another_organisations_project(outsider, own_project):
    before, entries = stored(own_project), audit_count()
    with pytest.raises(PermissionDenied, match="only change projects your organisation recorded"):
        services.project_update(
            actor=outsider, project=own_project, data=input_of(own_project, title_en="Mine now")
        )
    assert stored(own_project) == before
    assert audit_count() == entries


def test_a_colleague_changes_the_organisations_project(colleague, own_project):
    services.project_update(
        actor=colleague, project=own_project, data=input_of(own_project, title_en="Data Channel")
    )
    assert Project.objects.get(pk=own_project.pk).title_en == "Data Channel"


def test_a_member_cannot_change_another_organisations_parties(outsider, own_project):
    with pytest.raises(PermissionDenied):
        services.project_set_parties(
            actor=outsider,
            project=own_project,
            parties=[PartyInput(organisation=OrganisationFactory(), role="investor")],
        )
    assert own_project.parties.count() == 0


@pytest.mark.parametrize("who", ["owner", "facilitator", "outsider"])
def test_only_administrators_publish(request, own_project, who):
    user = request.getfixturevalue(who)
    before, entries = stored(own_project), audit_count()
    with pytest.raises(PermissionDenied, match="Only the initiative's administrators"):
        services.project_publish(actor=user, project=own_project, published=True)
    assert stored(own_project) == before
    assert audit_count() == entries


def test_an_administrator_publishes_and_the_audit_log_says_who(admin_user, own_project):
    services.project_publish(actor=admin_user, project=own_project, published=True)
    assert Project.objects.get(pk=own_project.pk).is_published is True
    entry = audit_entries_for(own_project).first()
    assert (entry.action, entry.actor, entry.changes) == (
        "publish",
        admin_user,
        {"is_published": [False, True]},
    )
    entries = audit_count()
    services.project_publish(actor=admin_user, project=own_project, published=True)
    assert audit_count() == entries  # nothing changed, nothing to record


def test_members_cannot_record_innovations_or_published_figures(owner, facilitator):
    with pytest.raises(PermissionDenied):
        services.innovation_save(actor=owner, title_en="Single window", category="trade")
    with pytest.raises(PermissionDenied):
        services.published_figure_save(
            actor=facilitator,
            metric="project_count",
            value=Decimal("347"),
            as_of=datetime.date(2025, 11, 7),
            scope_en="All projects",
            publisher="People's Daily",
            source_url="http://en.people.cn/",
        )
    assert Innovation.objects.count() == 0
    assert PublishedFigure.objects.count() == 0


def test_a_facilitator_records_an_innovation_with_its_agencies(facilitator, enterprise):
    innovation = services.innovation_save(
        actor=facilitator,
        title_en="Land-sea corridor bill of lading",
        category="logistics",
        agencies=[enterprise],
    )
    assert list(innovation.agencies.all()) == [enterprise]
    entry = audit_entries_for(innovation).get()
    assert (entry.action, entry.actor) == ("create", facilitator)
    with pytest.raises(ValidationError) as refused:
        services.innovation_save(actor=facilitator, title_en="x", category="magic")
    assert refused.value.message_dict == {"category": ["“magic” is not an innovation category."]}


def test_a_published_figure_needs_its_source(admin_user):
    with pytest.raises(ValidationError) as refused:
        services.published_figure_save(
            actor=admin_user,
            metric="project_count",
            value=Decimal("347"),
            as_of=datetime.date(2025, 11, 7),
            scope_en="All projects",
            publisher="People's Daily",
        )
    assert refused.value.message_dict == {"source_url": ["A published figure needs its source."]}
    assert PublishedFigure.objects.count() == 0


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field, message",
    [
        (
            {"title_en": " ", "title_zh": ""},
            "title_en",
            "Give the project a title in English or Chinese.",
        ),
        ({"kind": "barter"}, "kind", None),
        ({"status": "flying"}, "status", None),
        ({"sector": "space-mining"}, "sector", None),
        ({"value": "abc", "currency": "USD"}, "value", "“abc” is not a number."),
        ({"value": "Infinity", "currency": "USD"}, "value", "“Infinity” is not a number."),
        ({"value": "-1", "currency": "USD"}, "value", "The value cannot be negative."),
        ({"value": "1e17", "currency": "USD"}, "value", None),
        ({"value": "10"}, "currency", None),
        ({"value": "10", "currency": "ABC"}, "currency", "“ABC” is not an ISO 4217 currency code."),
        (
            {"signed_on": datetime.date(2999, 1, 1)},
            "signed_on",
            "The signing date cannot be in the future.",
        ),
        ({"parent_external_id": "NOPE"}, "parent", "No project has the external id “NOPE”."),
        ({"source_url": "ftp:/broken"}, "source_url", "“ftp:/broken” is not a web address."),
        (
            {"title_en": "x" * 301},
            "title_en",
            "The title (English) is too long; shorten it to 300 characters or fewer.",
        ),
        (
            {"location_zh": "重庆\x00"},
            "location_zh",
            "The location (Chinese) contains a null character; remove it and try again.",
        ),
        ({"external_id": "x" * 151}, "external_id", None),
        ({"parties": [PartyInput(organisation=None, role="sponsor")]}, "parties", None),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    owner, enterprise, changes, field, message
):
    entries = audit_count()
    with pytest.raises(ValidationError) as refused:
        services.project_create(actor=owner, owner=enterprise, data=project_input(**changes))
    errors = refused.value.message_dict
    assert field in errors, errors
    if message is not None:
        assert errors[field] == [message]
    assert Project.objects.count() == 0
    assert audit_count() == entries


def test_an_external_id_is_used_once(owner, enterprise):
    services.project_create(actor=owner, owner=enterprise, data=project_input(external_id="CCI-1"))
    with pytest.raises(ValidationError) as refused:
        services.project_create(
            actor=owner, owner=enterprise, data=project_input(external_id="CCI-1")
        )
    assert refused.value.message_dict == {
        "external_id": ["A project with the external id “CCI-1” already exists."]
    }
    assert Project.objects.count() == 1


def test_a_value_is_kept_in_cents(owner, enterprise):
    project = services.project_create(
        actor=owner, owner=enterprise, data=project_input(value="1,234.565", currency="USD")
    )
    assert Project.objects.get(pk=project.pk).value == Decimal("1234.57")


def test_the_status_is_not_changed_by_editing(owner, own_project):
    before, entries = stored(own_project), audit_count()
    with pytest.raises(ValidationError) as refused:
        services.project_update(
            actor=owner, project=own_project, data=input_of(own_project, status="completed")
        )
    assert list(refused.value.message_dict) == ["status"]
    assert stored(own_project) == before
    assert audit_count() == entries


def test_an_import_records_a_changed_status_as_a_dated_change(own_project):
    services.project_update(
        actor=SYSTEM,
        project=own_project,
        data=input_of(own_project, status="completed"),
        audit_action="import",
    )
    change = ProjectStatusChange.objects.filter(project=own_project).last()
    assert (change.from_status, change.to_status, change.on) == (
        "signed",
        "completed",
        timezone.localdate(),
    )


# --- workflow --------------------------------------------------------------------------------

REFUSED_STEPS = [
    (source, target)
    for source in Project.Status.values
    for target in Project.Status.values
    if target not in workflow.allowed_next(source)
]


@pytest.mark.parametrize("source, target", REFUSED_STEPS)
def test_a_transition_the_workflow_does_not_allow_is_refused_with_the_reason(
    owner, enterprise, source, target
):
    project = ProjectFactory(
        owner=enterprise, status=source, status_changed_on=datetime.date(2024, 1, 1)
    )
    before, entries = stored(project), audit_count()
    with pytest.raises(ValidationError) as refused:
        services.project_transition(
            actor=owner,
            project=project,
            to_status=target,
            on=datetime.date(2024, 2, 1),
            reason="Why not",
        )
    labels = dict(Project.Status.choices)
    assert refused.value.message_dict == {
        "to_status": [f"A project that is “{labels[source]}” cannot become “{labels[target]}”."]
    }
    assert stored(project) == before
    assert audit_count() == entries
    assert not ProjectStatusChange.objects.filter(project=project).exists()


@pytest.mark.parametrize(
    "on, reason, field, message",
    [
        (datetime.date(2024, 2, 1), "  ", "reason", "Say why the status changes."),
        (datetime.date(2024, 2, 1), "x" * 501, "reason", None),
        (None, "Started", "on", "Give the date of the change; it cannot be in the future."),
        (
            datetime.date(2999, 1, 1),
            "Started",
            "on",
            "Give the date of the change; it cannot be in the future.",
        ),
        (
            datetime.date(2023, 12, 31),
            "Started",
            "on",
            "The change cannot be dated before the previous one (2024-01-01).",
        ),
    ],
)
def test_a_transition_needs_a_reason_and_a_sensible_date(
    owner, enterprise, on, reason, field, message
):
    project = ProjectFactory(owner=enterprise, status_changed_on=datetime.date(2024, 1, 1))
    before, entries = stored(project), audit_count()
    with pytest.raises(ValidationError) as refused:
        services.project_transition(
            actor=owner, project=project, to_status="in_progress", on=on, reason=reason
        )
    assert field in refused.value.message_dict
    if message is not None:
        assert refused.value.message_dict[field] == [message]
    assert stored(project) == before
    assert audit_count() == entries


def test_an_outsider_cannot_move_another_organisations_project(outsider, own_project):
    before = stored(own_project)
    with pytest.raises(PermissionDenied):
        services.project_transition(
            actor=outsider,
            project=own_project,
            to_status="terminated",
            on=datetime.date(2024, 1, 1),
            reason="Mischief",
        )
    assert stored(own_project) == before


def test_a_transition_is_dated_recorded_and_audited(owner, own_project):
    services.project_transition(
        actor=owner,
        project=own_project,
        to_status="in_progress",
        on=datetime.date(2020, 3, 1),
        reason="Channel opened",
    )
    project = Project.objects.get(pk=own_project.pk)
    assert (project.status, project.status_changed_on) == ("in_progress", datetime.date(2020, 3, 1))
    change = project.status_changes.last()
    assert (change.from_status, change.to_status, change.by, change.reason) == (
        "signed",
        "in_progress",
        owner,
        "Channel opened",
    )
    entry = audit_entries_for(project).first()
    assert (entry.action, entry.actor, entry.summary, entry.changes) == (
        "transition",
        owner,
        "Channel opened",
        {"status": ["signed", "in_progress"]},
    )


# --- money -----------------------------------------------------------------------------------


def test_a_value_is_normalised_to_usd_with_the_rate_in_force_on_the_signing_date(owner, enterprise):
    FxRateFactory(currency="SGD", date=datetime.date(2019, 1, 1), usd_per_unit=Decimal("0.73"))
    in_force = FxRateFactory(
        currency="SGD", date=datetime.date(2019, 8, 1), usd_per_unit=Decimal("0.72")
    )
    FxRateFactory(currency="SGD", date=datetime.date(2019, 10, 1), usd_per_unit=Decimal("0.74"))
    project = services.project_create(
        actor=owner,
        owner=enterprise,
        data=project_input(value="1000000", currency="sgd", signed_on=datetime.date(2019, 9, 1)),
    )
    project = Project.objects.get(pk=project.pk)
    assert project.currency == "SGD"
    assert project.value_usd == Decimal("720000.00")
    assert project.fx_rate == in_force
    assert project.counted_value_usd == Decimal("720000.00")


def test_a_value_without_a_known_rate_has_no_usd_value_rather_than_a_guess(owner, enterprise):
    FxRateFactory(currency="CNY", date=datetime.date(2021, 1, 1), usd_per_unit=Decimal("0.15"))
    project = services.project_create(
        actor=owner,
        owner=enterprise,
        data=project_input(value="1000", currency="CNY", signed_on=datetime.date(2020, 1, 1)),
    )
    project = Project.objects.get(pk=project.pk)
    assert (project.value, project.value_usd, project.fx_rate) == (Decimal("1000.00"), None, None)


def test_a_new_signing_date_converts_again_with_the_rate_of_that_date(owner, enterprise):
    FxRateFactory(currency="SGD", date=datetime.date(2019, 1, 1), usd_per_unit=Decimal("0.70"))
    later = FxRateFactory(
        currency="SGD", date=datetime.date(2022, 1, 1), usd_per_unit=Decimal("0.80")
    )
    project = services.project_create(
        actor=owner, owner=enterprise, data=project_input(value="100", currency="SGD")
    )
    services.project_update(
        actor=owner,
        project=project,
        data=input_of(Project.objects.get(pk=project.pk), signed_on=datetime.date(2023, 5, 1)),
    )
    project = Project.objects.get(pk=project.pk)
    assert (project.value_usd, project.fx_rate) == (Decimal("80.00"), later)


# --- totals never count a value twice --------------------------------------------------------


def _create(owner, enterprise, **changes) -> Project:
    project = services.project_create(actor=owner, owner=enterprise, data=project_input(**changes))
    return Project.objects.get(pk=project.pk)


def test_a_sub_projects_value_is_not_counted_when_its_framework_agreement_has_one(
    owner, enterprise
):
    framework = _create(owner, enterprise, external_id="FA", value="1000", currency="USD")
    child = _create(
        owner, enterprise, external_id="SUB", value="400", currency="USD", parent_external_id="FA"
    )
    assert child.parent == framework
    assert child.counted_value_usd == Decimal("0")
    assert framework.counted_value_usd == Decimal("1000.00")


def test_a_sub_projects_value_counts_when_its_framework_agreement_has_none(owner, enterprise):
    _create(owner, enterprise, external_id="FA")
    child = _create(
        owner, enterprise, external_id="SUB", value="400", currency="USD", parent_external_id="FA"
    )
    assert child.counted_value_usd == Decimal("400.00")


def test_the_counted_value_follows_the_framework_agreements_value(owner, enterprise):
    framework = _create(owner, enterprise, external_id="FA")
    child = _create(
        owner, enterprise, external_id="SUB", value="400", currency="USD", parent_external_id="FA"
    )
    services.project_update(
        actor=owner, project=framework, data=input_of(framework, value="1000", currency="USD")
    )
    assert Project.objects.get(pk=child.pk).counted_value_usd == Decimal("0")
    framework = Project.objects.get(pk=framework.pk)
    services.project_update(
        actor=owner, project=framework, data=input_of(framework, value=None, currency="")
    )
    assert Project.objects.get(pk=child.pk).counted_value_usd == Decimal("400.00")


def test_a_cycle_of_framework_agreements_is_refused(owner, enterprise):
    top = _create(owner, enterprise, external_id="TOP")
    middle = _create(owner, enterprise, external_id="MIDDLE", parent_external_id="TOP")
    _create(owner, enterprise, external_id="BOTTOM", parent_external_id="MIDDLE")
    before, entries = stored(top), audit_count()
    with pytest.raises(ValidationError) as refused:
        services.project_update(
            actor=owner, project=top, data=input_of(top, parent_external_id="BOTTOM")
        )
    assert list(refused.value.message_dict) == ["parent"]
    assert stored(top) == before
    assert audit_count() == entries
    with pytest.raises(ValidationError) as itself:
        services.project_update(
            actor=owner, project=middle, data=input_of(middle, parent_external_id="MIDDLE")
        )
    assert itself.value.message_dict == {
        "parent": ["A project cannot be its own framework agreement."]
    }


# --- the audit log ---------------------------------------------------------------------------


def test_creating_records_the_actor_and_the_fields(owner, enterprise):
    project = services.project_create(
        actor=owner, owner=enterprise, data=project_input(external_id="CCI-DATA")
    )
    entry = audit_entries_for(project).get()
    assert (entry.action, entry.actor) == ("create", owner)
    assert entry.changes["external_id"] == [None, "CCI-DATA"]
    assert entry.changes["title_zh"] == [None, "中新（重庆）国际互联网数据专用通道"]
    assert entry.changes["signed_on"] == [None, "2019-09-01"]


def test_updating_records_only_the_changed_fields(colleague, own_project):
    services.project_update(
        actor=colleague,
        project=own_project,
        data=input_of(own_project, title_en="Data Channel", value="5", currency="USD"),
    )
    entry = audit_entries_for(own_project).first()
    assert (entry.action, entry.actor) == ("update", colleague)
    assert entry.changes == {
        "title_en": ["China–Singapore (Chongqing) International Data Channel", "Data Channel"],
        "value": [None, "5.00"],
        "currency": ["", "USD"],
        "value_usd": [None, "5.00"],
    }


def test_an_update_that_changes_nothing_writes_no_audit_entry(owner, own_project):
    entries = audit_count()
    services.project_update(actor=owner, project=own_project, data=input_of(own_project))
    assert audit_count() == entries


def test_parties_decide_the_side_and_are_audited(owner, own_project, enterprise, other_enterprise):
    services.project_set_parties(
        actor=owner,
        project=own_project,
        parties=[
            PartyInput(organisation=enterprise, role="initiator"),
            PartyInput(organisation=other_enterprise, role="initiator"),
        ],
    )
    assert Project.objects.get(pk=own_project.pk).lead_side == "joint"
    entry = audit_entries_for(own_project).first()
    assert entry.changes == {
        "parties": [[], sorted([f"{enterprise.pk}:initiator", f"{other_enterprise.pk}:initiator"])]
    }
    with pytest.raises(ValidationError):
        services.project_set_parties(
            actor=owner,
            project=own_project,
            parties=[PartyInput(organisation=enterprise, role="sponsor")],
        )
    assert own_project.parties.count() == 2


def test_a_refused_innovation_change_writes_nothing(owner):
    innovation = InnovationFactory(title_en="Single window")
    entries = audit_count()
    with pytest.raises(PermissionDenied):
        services.innovation_save(actor=owner, innovation=innovation, title_en="Taken over")
    assert Innovation.objects.get(pk=innovation.pk).title_en == "Single window"
    assert audit_count() == entries
