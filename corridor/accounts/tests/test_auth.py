import re

from django.conf import settings
from django.urls import reverse

from corridor.testing.factories import UserFactory

PASSWORD = "correct horse battery staple"


def log_in(client, username, password):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR="203.0.113.7",
    )


def test_login_page_logs_a_member_in_and_logout_logs_out(client, owner):
    page = client.get(reverse("accounts:login"))
    assert page.status_code == 200
    assert b'name="username"' in page.content

    response = log_in(client, "owner", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home:home")
    assert client.get(reverse("accounts:profile")).status_code == 200

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 302  # back to the login page


def test_a_wrong_password_is_refused_with_a_message(client, owner):
    response = log_in(client, "owner", "wrong password")
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert "_auth_user_id" not in client.session


def test_after_too_many_failures_even_the_right_password_is_refused(client, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "owner", "wrong password")
    response = log_in(client, "owner", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_failure_less_than_the_limit_still_lets_the_right_password_in(client, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "owner", "wrong password")
    response = log_in(client, "owner", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_a_lockout_of_one_address_does_not_lock_another(client, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "owner", "wrong password")
    response = client.post(
        reverse("accounts:login"),
        {"username": "owner", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.20",
    )
    assert response.status_code == 302


def test_password_reset_sends_a_link_that_sets_a_new_password(client, owner, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": owner.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [owner.email]
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert b"new_password1" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "a brand new passphrase 42",
            "new_password2": "a brand new passphrase 42",
        },
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")

    owner.refresh_from_db()
    assert owner.check_password("a brand new passphrase 42")
    assert not owner.check_password(PASSWORD)
    assert client.get(link, follow=True).context["validlink"] is False  # the link works once


def test_password_reset_for_an_unknown_address_sends_nothing(client, db, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302  # the same answer: it does not reveal who has an account
    assert mailoutbox == []


def test_the_language_switch_sticks(client, db):
    response = client.post(
        "/i18n/setlang/", {"language": "zh-hans", "next": reverse("accounts:login")}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    page = client.get(reverse("accounts:login"))
    assert '<html lang="zh-hans">' in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get(reverse("accounts:login")).content.decode()


def test_django_admin_is_for_superusers_only(client, owner):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(owner)
    refused = client.get("/admin/")
    assert refused.status_code == 302
    assert refused["Location"].startswith("/admin/login/")
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/portfolio/project/").status_code == 200
