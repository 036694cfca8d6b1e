"""Optimistic locking of enterprise profiles: two saves made from the same version — the
second is refused (409 in the API, a message and the saved values on the page) and nothing of
it is written."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from corridor.accounts.services import api_token_create
from corridor.core.actors import SYSTEM
from corridor.directory import services
from corridor.directory.models import Profile

PROFILES = "/api/directory/profiles"
ABOUT = "Electric light commercial vans made in Chongqing."


@pytest.fixture
def vans(enterprise, owner, colleague):
    return services.profile_save(
        actor=SYSTEM,
        organisation=enterprise,
        description_en=ABOUT,
        offers="Electric light vans",
        needs="Distributors in Singapore",
        sectors=["manufacturing"],
        contacts=[owner],
    )


def bearer(user) -> dict[str, str]:
    _token, raw = api_token_create(actor=user, label="test client")
    return {"Authorization": f"Bearer {raw}"}


def put(client, profile, body, user):
    return client.put(
        f"{PROFILES}/{profile.pk}",
        json.dumps(body),
        content_type="application/json",
        headers=bearer(user),
    )


def form_data(version, **changes) -> dict:
    data = {
        "version": version,
        "name_en": "Qingling Motors",
        "name_zh": "庆铃汽车",
        "city": "Chongqing",
        "description_en": ABOUT,
        "sectors": ["manufacturing"],
        "offers": "Electric light vans",
        "needs": "Distributors in Singapore",
        "visibility": "public",
    }
    data.update(changes)
    return data


def test_service_refuses_the_second_save_of_the_same_version(owner, colleague, enterprise, vans):
    services.profile_save(
        actor=owner, organisation=enterprise, description_en=ABOUT, offers="Vans", version=1
    )
    with pytest.raises(ValidationError) as refused:
        services.profile_save(
            actor=colleague, organisation=enterprise, description_en=ABOUT, needs="Cash", version=1
        )
    assert "version" in refused.value.message_dict
    vans.refresh_from_db()
    assert (vans.offers, vans.needs, vans.version) == ("Vans", "", 2)


def test_two_people_creating_the_same_profile_cannot_overwrite_each_other(
    owner, colleague, other_enterprise, outsider
):
    services.profile_save(
        actor=outsider, organisation=other_enterprise, description_en=ABOUT, offers="A", version=0
    )
    with pytest.raises(ValidationError):
        services.profile_save(
            actor=outsider,
            organisation=other_enterprise,
            description_en=ABOUT,
            offers="B",
            version=0,
        )
    assert Profile.objects.get(organisation=other_enterprise).offers == "A"


def test_api_answers_409_to_the_second_put_of_the_same_version(client, owner, colleague, vans):
    loaded = client.get(f"{PROFILES}/{vans.pk}", headers=bearer(owner)).json()["version"]
    first = put(client, vans, {"description_en": ABOUT, "offers": "Vans", "version": loaded}, owner)
    assert first.status_code == 200, first.content
    assert first.json()["version"] == loaded + 1
    second = put(
        client, vans, {"description_en": ABOUT, "needs": "Cash", "version": loaded}, colleague
    )
    assert second.status_code == 409
    body = second.json()
    assert body["detail"] == (
        "Someone else changed this profile since you read it, so nothing was saved; it is now "
        f"at version {loaded + 1}. Read it again and send your change with that version."
    )
    assert body["current"]["offers"] == "Vans"
    vans.refresh_from_db()
    assert (vans.offers, vans.needs) == ("Vans", "")


def test_api_put_without_a_version_is_refused(client, owner, vans):
    response = put(client, vans, {"description_en": ABOUT, "offers": "Vans"}, owner)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["version"]
    vans.refresh_from_db()
    assert vans.offers == "Electric light vans"


def test_page_refuses_the_second_save_and_shows_the_saved_values(client, owner, colleague, vans):
    url = reverse("directory:profile_edit", args=[vans.pk])
    client.force_login(owner)
    assert client.post(url, form_data(1, offers="Vans")).status_code == 302
    client.force_login(colleague)
    response = client.post(url, form_data(1, needs="Cash"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else changed this profile since you opened it" in html
    assert 'id="saved-values"' in html
    assert ("What it offers", "Vans") in response.context["saved_values"]
    assert response.context["form"]["version"].value() == "2"
    vans.refresh_from_db()
    assert (vans.offers, vans.needs) == ("Vans", "Distributors in Singapore")


def test_page_without_a_version_is_refused(client, owner, vans):
    data = form_data(1, offers="Vans")
    del data["version"]
    client.force_login(owner)
    response = client.post(reverse("directory:profile_edit", args=[vans.pk]), data)
    assert response.status_code == 400
    assert "The version of the profile you opened is missing" in response.content.decode()
    vans.refresh_from_db()
    assert vans.offers == "Electric light vans"
