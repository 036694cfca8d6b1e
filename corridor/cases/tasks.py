"""Background work for cases: thin tasks that take ids and send the e-mails. Services
enqueue them with transaction.on_commit.

After their worker died they run again (corridor/core/tasks.py): the e-mails are sent at least
once (a worker killed while sending may leave some people to get the same e-mail twice);
there is no "running" record to clear."""

from django_tasks import task

from corridor.cases import notifications


@task()
def notify_issue_assigned(issue_id: int) -> int:
    return notifications.send_issue_assigned(issue_id)


@task()
def notify_case_transition(transition_id: int) -> int:
    return notifications.send_case_transition(transition_id)
