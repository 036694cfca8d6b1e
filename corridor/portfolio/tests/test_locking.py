"""Optimistic locking: two saves made from the same version of a project, an innovation or a
published figure — the second is refused (409 in the API, a message and the saved values on
the page) and nothing of it is written."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from corridor.accounts.services import api_token_create
from corridor.core.models import AuditEntry
from corridor.portfolio import services
from corridor.portfolio.models import Innovation, Project, PublishedFigure
from corridor.testing.factories import InnovationFactory, ProjectFactory, PublishedFigureFactory

PROJECTS = "/api/portfolio/projects"
STALE = "Someone else changed this project since you opened it, so nothing was saved."


@pytest.fixture
def project(enterprise):
    """A project not yet published: its owner's changes apply at once."""
    return ProjectFactory(
        title_en="International Data Channel",
        kind="g2g",
        owner=enterprise,
        value=Decimal("2500000.00"),
        currency="USD",
        is_published=False,
    )


def bearer(user) -> dict[str, str]:
    _token, raw = api_token_create(actor=user, label="test client")
    return {"Authorization": f"Bearer {raw}"}


def patch(client, project_id, body, user):
    return client.patch(
        f"{PROJECTS}/{project_id}",
        json.dumps(body),
        content_type="application/json",
        headers=bearer(user),
    )


def edit_data(project: Project, version: int, **changes) -> dict:
    data = {
        "version": version,
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


def test_service_refuses_the_second_save_of_the_same_version(owner, colleague, project):
    loaded = project.version
    first = services.input_of(project)
    first.title_en = "Phase 1"
    services.project_update(actor=owner, project=project, data=first, version=loaded)
    second = services.input_of(project)
    second.value = Decimal("7")
    with pytest.raises(ValidationError) as refused:
        services.project_update(actor=colleague, project=project, data=second, version=loaded)
    assert "version" in refused.value.message_dict
    project.refresh_from_db()
    assert (project.title_en, project.value, project.version) == (
        "Phase 1",
        Decimal("2500000.00"),
        loaded + 1,
    )
    assert AuditEntry.objects.filter(actor=colleague).count() == 0


def test_api_answers_409_to_the_second_patch_of_the_same_version(client, owner, colleague, project):
    loaded = client.get(f"{PROJECTS}/{project.pk}", headers=bearer(owner)).json()["version"]
    first = patch(client, project.pk, {"title_en": "Phase 1", "version": loaded}, owner)
    assert first.status_code == 200, first.content
    assert first.json()["version"] == loaded + 1
    second = patch(client, project.pk, {"value": "7", "version": loaded}, colleague)
    assert second.status_code == 409
    body = second.json()
    assert body["detail"] == (
        "Someone else changed this project since you read it, so nothing was saved; it is now "
        f"at version {loaded + 1}. Read it again and send your change with that version."
    )
    assert body["current"]["title_en"] == "Phase 1"
    assert body["current"]["version"] == loaded + 1
    project.refresh_from_db()
    assert (project.title_en, project.value) == ("Phase 1", Decimal("2500000.00"))


def test_api_patch_without_a_version_is_refused(client, owner, project):
    response = patch(client, project.pk, {"title_en": "Phase 1"}, owner)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["version"]
    project.refresh_from_db()
    assert project.title_en == "International Data Channel"


def test_page_refuses_the_second_save_and_shows_the_saved_values(client, owner, colleague, project):
    url = reverse("portfolio:project_edit", args=[project.pk])
    loaded = project.version
    client.force_login(owner)
    assert client.post(url, edit_data(project, loaded, title_en="Phase 1")).status_code == 302
    client.force_login(colleague)
    response = client.post(url, edit_data(project, loaded, value="7"))
    assert response.status_code == 200
    assert STALE in response.text
    assert 'id="saved-values"' in response.text
    assert ("Title (English)", "Phase 1") in response.context["saved_values"]
    # the colleague's values stay in the form; saving again, knowingly, replaces the others'
    assert response.context["form"]["value"].value() == "7"
    assert response.context["form"]["version"].value() == str(loaded + 1)
    project.refresh_from_db()
    assert (project.title_en, project.value) == ("Phase 1", Decimal("2500000.00"))


def test_page_without_a_version_is_refused(client, owner, project):
    data = edit_data(project, 1, title_en="Phase 1")
    del data["version"]
    client.force_login(owner)
    response = client.post(reverse("portfolio:project_edit", args=[project.pk]), data)
    assert response.status_code == 200
    assert "The version of the record you opened is missing" in response.text
    project.refresh_from_db()
    assert project.title_en == "International Data Channel"


def test_parties_page_refuses_the_second_save(
    client, owner, colleague, project, enterprise, other_enterprise
):
    url = reverse("portfolio:project_parties", args=[project.pk])
    loaded = project.version

    def parties(organisation):
        return {
            "version": loaded,
            "parties-TOTAL_FORMS": "1",
            "parties-INITIAL_FORMS": "0",
            "parties-0-organisation": str(organisation.pk),
            "parties-0-role": "initiator",
        }

    client.force_login(owner)
    assert client.post(url, parties(enterprise)).status_code == 302
    client.force_login(colleague)
    response = client.post(url, parties(other_enterprise))
    assert response.status_code == 200
    assert STALE in response.text
    assert 'id="saved-values"' in response.text and "Qingling Motors" in response.text
    assert list(project.parties.values_list("organisation_id", flat=True)) == [enterprise.pk]


def innovation_data(innovation: Innovation, version: int, **changes) -> dict:
    data = {
        "version": version,
        "title_en": innovation.title_en,
        "title_zh": innovation.title_zh,
        "category": innovation.category,
        "replications-TOTAL_FORMS": "0",
        "replications-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_innovation_page_refuses_the_second_save(client, admin_user, facilitator):
    innovation = InnovationFactory(title_en="Single window", category="trade")
    url = reverse("portfolio:innovation_edit", args=[innovation.pk])
    loaded = innovation.version
    client.force_login(admin_user)
    first = client.post(url, innovation_data(innovation, loaded, title_en="Single window 2.0"))
    assert first.status_code == 302
    client.force_login(facilitator)
    response = client.post(url, innovation_data(innovation, loaded, category="finance"))
    assert response.status_code == 200
    assert "Someone else changed this innovation since you opened it" in response.text
    assert ("Title (English)", "Single window 2.0") in response.context["saved_values"]
    innovation.refresh_from_db()
    assert (innovation.title_en, innovation.category) == ("Single window 2.0", "trade")
    assert innovation.version == loaded + 1


def test_innovation_service_refuses_the_second_save(admin_user, facilitator):
    innovation = InnovationFactory(title_en="Single window", category="trade")
    services.innovation_save(actor=admin_user, innovation=innovation, version=1, title_en="A")
    with pytest.raises(ValidationError):
        services.innovation_save(actor=facilitator, innovation=innovation, version=1, title_en="B")
    assert Innovation.objects.get(pk=innovation.pk).title_en == "A"


def test_published_figure_page_refuses_the_second_save(client, admin_user):
    figure = PublishedFigureFactory(value=Decimal("347"))
    url = reverse("portfolio:figure_edit", args=[figure.pk])
    data = {
        "version": figure.version,
        "metric": figure.metric,
        "qualifier": figure.qualifier,
        "as_of": figure.as_of.isoformat(),
        "scope_en": figure.scope_en,
        "publisher": figure.publisher,
        "source_url": figure.source_url,
    }
    client.force_login(admin_user)
    assert client.post(url, {**data, "value": "350"}).status_code == 302
    response = client.post(url, {**data, "value": "360"})
    assert response.status_code == 200
    assert "Someone else changed this published figure since you opened it" in response.text
    assert PublishedFigure.objects.get(pk=figure.pk).value == Decimal("350")
