"""Notifications: written in both languages when they are made, e-mailed in each person's
own language, listed and marked read only by their recipient."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.translation import gettext as _

from corridor.accounts import services
from corridor.accounts.models import Notification
from corridor.accounts.notifications import Message, notify, people_of
from corridor.core.bilingual import bilingual
from corridor.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "https://corridor.example.org"


def about(organisation):
    """A notification about `organisation`, written in the active language."""
    return lambda: Message(
        # a sentence the catalogue already has, so the test reads real Chinese
        _("Contact persons") + ": " + bilingual(organisation, "name"),
        bilingual(organisation, "name"),
    )


def tell(recipients, *, actor=None, organisation, url="/directory/connections/1/"):
    return notify(recipients=recipients, actor=actor, url=url, write=about(organisation))


def test_a_notification_is_stored_in_both_languages(owner, other_enterprise):
    [notification] = tell([owner], organisation=other_enterprise)

    assert notification.subject_en == "Contact persons: Motorway Group"
    assert notification.subject_zh == "联系人: 摩托威集团"
    assert notification.body_zh == "摩托威集团"
    assert notification.read_at is None


def test_nobody_is_told_of_their_own_action_nor_twice_nor_when_their_account_is_closed(
    owner, colleague, other_enterprise
):
    closed = UserFactory(username="closed", is_active=False)

    made = tell([owner, colleague, colleague, closed], actor=owner, organisation=other_enterprise)

    assert [n.recipient for n in made] == [colleague]
    assert Notification.objects.count() == 1


def test_an_organisation_is_reached_through_its_contact_persons_else_its_members(
    enterprise, owner, colleague, other_enterprise
):
    assert people_of(enterprise.pk, contacts=[colleague]) == [colleague]
    assert people_of(enterprise.pk, contacts=[None]) == [owner, colleague]
    colleague.is_active = False
    colleague.save()
    assert people_of(enterprise.pk, contacts=[colleague]) == [owner]
    assert people_of(other_enterprise.pk) == []


def test_the_email_goes_in_each_recipients_own_language_once_the_write_commits(
    owner, colleague, other_enterprise, immediate_tasks, django_capture_on_commit_callbacks
):
    owner.language = "zh-hans"
    owner.save()
    colleague.language = ""  # no preference: the site's language (English)
    colleague.save()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell([owner, colleague], organisation=other_enterprise)
    assert mail.outbox == []  # nothing is sent before the write commits
    for callback in callbacks:
        callback()

    sent = {message.to[0]: message for message in mail.outbox}
    chinese, english = sent["owner@example.org"], sent["colleague@example.org"]
    assert chinese.subject == "联系人: 摩托威集团"
    assert chinese.body.startswith("王主，您好：\n\n摩托威集团\n")
    assert "https://corridor.example.org/directory/connections/1/" in chinese.body
    assert english.subject == "Contact persons: Motorway Group"
    assert english.body.startswith("Hello Colin Colleague,\n\nMotorway Group\n")


def test_a_person_who_switches_language_reads_the_notification_in_the_new_one(
    client, owner, other_enterprise
):
    tell([owner], organisation=other_enterprise)
    client.force_login(owner)

    english = client.get(reverse("accounts:notifications")).content.decode()
    chinese = client.get(
        reverse("accounts:notifications"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert "Contact persons: Motorway Group" in english
    assert "联系人: 摩托威集团" in chinese and "Motorway Group" not in chinese


def test_emails_already_sent_are_not_sent_again_when_the_task_runs_twice(owner, other_enterprise):
    made = tell([owner], organisation=other_enterprise)
    ids = [n.pk for n in made]

    assert services.notification_emails_send(ids) == 1
    assert services.notification_emails_send(ids) == 0
    assert len(mail.outbox) == 1


# --- the page -------------------------------------------------------------------------------


def test_the_page_lists_only_ones_own_notifications_and_the_header_counts_the_unread(
    client, owner, outsider, enterprise, other_enterprise
):
    tell([owner], organisation=other_enterprise)
    tell([owner], organisation=enterprise)
    tell([outsider], organisation=enterprise, url="/secret/")
    client.force_login(owner)

    page = client.get(reverse("accounts:notifications")).content.decode()

    assert page.count('class="notification unread"') == 2
    assert "/secret/" not in page
    assert "Notifications (2)" in page


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, owner, other_enterprise):
    [notification] = tell([owner], organisation=other_enterprise, url="/directory/")
    client.force_login(owner)

    response = client.post(
        reverse("accounts:notifications_read"), {"notification": notification.pk, "open": "1"}
    )

    assert response.status_code == 302 and response["Location"] == "/directory/"
    notification.refresh_from_db()
    assert notification.is_read
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert "Notifications (" not in page and 'class="notification unread"' not in page


def test_a_link_to_another_site_is_not_followed(client, owner, other_enterprise):
    [notification] = tell([owner], organisation=other_enterprise, url="https://evil.example/")
    client.force_login(owner)

    response = client.post(
        reverse("accounts:notifications_read"), {"notification": notification.pk, "open": "1"}
    )

    assert response["Location"] == reverse("accounts:notifications")


def test_nobody_marks_someone_elses_notification_read(client, owner, outsider, other_enterprise):
    [notification] = tell([owner], organisation=other_enterprise)
    client.force_login(outsider)

    forged = client.post(reverse("accounts:notifications_read"), {"notification": notification.pk})
    every = client.post(reverse("accounts:notifications_read"), {"all": "1"})
    nonsense = client.post(reverse("accounts:notifications_read"), {"notification": "x"})

    assert forged.status_code == 403 and nonsense.status_code == 403
    assert every.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_ones_own(client, owner, other_enterprise, enterprise):
    tell([owner], organisation=other_enterprise)
    tell([owner], organisation=enterprise)
    client.force_login(owner)

    client.post(reverse("accounts:notifications_read"), {"all": "1"})

    assert not Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("accounts:notifications"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
