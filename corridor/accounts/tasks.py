"""Background work for accounts: the e-mails that go with in-app notifications.

Safe to run again after its worker died (corridor/core/tasks.py): a notification is marked
e-mailed right after its e-mail is sent, and a second run sends only those not marked, so
at most the one being sent when the worker died goes twice."""

from django_tasks import task

from corridor.accounts import services


@task()
def notification_emails_send(notification_ids: list[int]) -> int:
    return services.notification_emails_send(notification_ids)
