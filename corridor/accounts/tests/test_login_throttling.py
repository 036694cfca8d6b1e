"""Login throttling behind a reverse proxy: whose address counts, how long a lockout lasts,
and the way out of one by e-mail."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from corridor.accounts.client_ip import client_ip_address
from corridor.core.models import AuditEntry

PASSWORD = "correct horse battery staple"
PROXY = "10.0.0.5"
ATTACKER = "203.0.113.7"
VICTIM = "198.51.100.20"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


def log_in(client, password, remote_addr, forwarded_for=None, username="owner"):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **headers
    )


def lock_out(client, remote_addr, forwarded_for=None):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong password", remote_addr, forwarded_for)
    assert log_in(client, PASSWORD, remote_addr, forwarded_for).status_code == 429


def address_of(remote_addr, forwarded_for=None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client_ip_address(RequestFactory().get("/", **headers))


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert address_of(ATTACKER, forwarded_for=VICTIM) == ATTACKER
    assert address_of(PROXY, forwarded_for=ATTACKER) == PROXY


def test_only_a_trusted_proxy_is_believed_and_only_for_the_address_it_saw(behind_proxy):
    assert address_of(PROXY, forwarded_for=ATTACKER) == ATTACKER
    # a client that talks to the app directly cannot claim another address
    assert address_of(ATTACKER, forwarded_for=VICTIM) == ATTACKER
    # nor by writing the header itself before the proxy appends the address it saw
    assert address_of(PROXY, forwarded_for=f"{VICTIM}, {ATTACKER}") == ATTACKER
    # two of our proxies in a row: the first untrusted address from the right
    assert address_of(PROXY, forwarded_for=f"{VICTIM}, {ATTACKER}, 10.0.0.9") == ATTACKER
    # garbage in the header is not an address
    assert address_of(PROXY, forwarded_for="not-an-address") == PROXY
    assert address_of(PROXY, forwarded_for="2001:db8::1") == "2001:db8::1"


def test_behind_the_proxy_an_attacker_cannot_lock_out_someone_else(client, owner, behind_proxy):
    lock_out(client, PROXY, forwarded_for=ATTACKER)
    response = log_in(client, PASSWORD, PROXY, forwarded_for=VICTIM)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_a_forged_x_forwarded_for_does_not_lock_out_the_address_it_names(
    client, owner, behind_proxy
):
    # Through the proxy, claiming to be the victim: the proxy appends the attacker's address.
    lock_out(client, PROXY, forwarded_for=f"{VICTIM}, {ATTACKER}")
    # Straight to the app server, claiming to be the victim.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong password", ATTACKER, forwarded_for=VICTIM)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}

    assert log_in(client, PASSWORD, PROXY, forwarded_for=VICTIM).status_code == 302


def age_attempts(minutes):
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


def test_attempts_during_a_lockout_do_not_extend_it(client, owner):
    lock_out(client, ATTACKER)
    age_attempts(50)
    # ten minutes before the end, more guesses: refused, and the hour still runs from the start
    assert log_in(client, "wrong password", ATTACKER).status_code == 429
    assert log_in(client, PASSWORD, ATTACKER).status_code == 429
    age_attempts(11)  # 61 minutes after the lockout, 11 after the last guess
    response = log_in(client, PASSWORD, ATTACKER)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_a_locked_out_member_can_reset_the_password_and_that_lifts_the_lockout(
    client, owner, mailoutbox
):
    lock_out(client, ATTACKER)

    response = client.post(
        reverse("accounts:password_reset"), {"email": owner.email}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 302
    link = re.search(r"https?://[^/\s]+(/\S+)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True, REMOTE_ADDR=ATTACKER)
    new_password = "a brand new passphrase 42"
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        REMOTE_ADDR=ATTACKER,
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")

    assert not AccessAttempt.objects.filter(username="owner").exists()
    entry = AuditEntry.objects.get(target_id=str(owner.pk))
    assert entry.actor == owner
    assert entry.summary == "Password reset by e-mail; failed log-in attempts cleared."
    response = log_in(client, new_password, ATTACKER)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_a_password_reset_of_one_member_leaves_another_locked_out(
    client, owner, colleague, mailoutbox
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong password", ATTACKER, username="colleague")
    lock_out(client, ATTACKER)
    client.post(reverse("accounts:password_reset"), {"email": owner.email})
    link = re.search(r"https?://[^/\s]+(/\S+)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "another passphrase 7", "new_password2": "another passphrase 7"},
    )
    assert log_in(client, PASSWORD, ATTACKER, username="colleague").status_code == 429
