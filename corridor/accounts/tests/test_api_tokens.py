"""Personal API tokens: stored only as a hash, shown once, refused once revoked."""

import hashlib
import re

from django.urls import reverse

from corridor.accounts.models import ApiToken
from corridor.accounts.services import api_token_create, api_token_revoke
from corridor.core.audit import audit_entries_for

ME = "/api/accounts/me"


def test_a_token_is_stored_only_as_its_hash(owner):
    token, raw = api_token_create(actor=owner, label="reporting script")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored_values = [
        str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()
    ]
    assert not any(raw in value for value in stored_values)
    assert len(raw) >= 40  # 32 random bytes, URL-safe


def test_a_token_authenticates_its_owner(client, owner, enterprise):
    _token, raw = api_token_create(actor=owner, label="reporting script")
    response = client.get(ME, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "owner"
    assert body["memberships"] == [
        {"organisation_id": enterprise.pk, "organisation": "Qingling Motors", "role": "member"}
    ]
    assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_token_is_refused(client, owner):
    token, raw = api_token_create(actor=owner, label="old laptop")
    api_token_revoke(actor=owner, token_id=token.pk)
    response = client.get(ME, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentication required")
    assert [e.action for e in audit_entries_for(token)] == ["delete", "create"]


def test_an_unknown_token_and_no_token_are_refused(client, db):
    assert client.get(ME, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert client.get(ME).status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(client, owner):
    _token, raw = api_token_create(actor=owner, label="script")
    owner.is_active = False
    owner.save()
    assert client.get(ME, headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_nobody_revokes_someone_elses_token(client, owner, outsider):
    token, raw = api_token_create(actor=owner, label="script")
    client.force_login(outsider)
    response = client.post(reverse("accounts:api_tokens"), {"revoke": token.pk})
    assert response.status_code == 200
    assert "You can only revoke your own tokens." in response.content.decode()
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert client.get(ME, headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_the_tokens_page_shows_a_new_token_once(client, owner):
    client.force_login(owner)
    response = client.post(reverse("accounts:api_tokens"), {"label": "reporting script"})
    assert response.status_code == 200
    page = response.content.decode()
    raw = re.search(r"<code class=\"new-token\">([^<]+)</code>", page).group(1)
    assert "it will not be shown again" in page
    token = ApiToken.objects.get()
    assert token.label == "reporting script"
    assert token.key_hash == ApiToken.hash(raw)

    later = client.get(reverse("accounts:api_tokens")).content.decode()
    assert "reporting script" in later
    assert raw not in later

    client.logout()
    assert client.get(ME, headers={"Authorization": f"Bearer {raw}"}).json()["username"] == "owner"


def test_the_tokens_page_revokes_a_token(client, owner):
    token, raw = api_token_create(actor=owner, label="old laptop")
    client.force_login(owner)
    response = client.post(reverse("accounts:api_tokens"), {"revoke": token.pk})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    client.logout()
    assert client.get(ME, headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_a_token_needs_a_label(client, owner):
    client.force_login(owner)
    response = client.post(reverse("accounts:api_tokens"), {"label": "  "})
    assert "Give the token a label so you can recognise it." in response.content.decode()
    assert not ApiToken.objects.exists()
