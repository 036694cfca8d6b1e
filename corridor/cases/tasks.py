"""Background work for cases: thin tasks that take ids and send the e-mails. Services
enqueue them with transaction.on_commit."""

from django_tasks import task

from corridor.cases import notifications


@task()
def notify_issue_assigned(issue_id: int) -> int:
    return notifications.send_issue_assigned(issue_id)


@task()
def notify_case_transition(transition_id: int) -> int:
    return notifications.send_case_transition(transition_id)
