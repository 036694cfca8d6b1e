"""One scheduling run under way per event is a database guarantee, not only a check: two
requests that both pass the service's check still end with one run, and the other one gets
the same message the check gives."""

import threading
from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.db.models.signals import pre_save

from corridor.core.actors import SYSTEM
from corridor.events import services
from corridor.events.models import ScheduleRun

UNDER_WAY = "A scheduling run for this event is already under way; wait for it."
DAY = date(2025, 3, 18)


def make_event(administration):
    return services.event_create(
        actor=SYSTEM,
        organiser=administration,
        title_en="Delegation day",
        tables=2,
        sessions=[(DAY, "am", time(9), time(10))],
        is_published=True,
    )


@pytest.mark.django_db
def test_the_database_refuses_a_second_run_under_way(administration):
    event = make_event(administration)
    ScheduleRun.objects.create(event=event, status=ScheduleRun.Status.RUNNING)

    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduleRun.objects.create(event=event)

    # finished runs are history: any number of them may sit beside the one under way
    ScheduleRun.objects.create(event=event, status=ScheduleRun.Status.DONE)
    ScheduleRun.objects.create(event=event, status=ScheduleRun.Status.FAILED)
    assert ScheduleRun.objects.filter(event=event).count() == 3


@pytest.mark.django_db
def test_a_run_started_between_the_check_and_the_insert_gives_the_usual_message(
    administration, settings, monkeypatch
):
    """What a second app server does: its run is committed just after this request checked
    that none was under way (the check sees the database as it was)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    event = make_event(administration)
    other_server = ScheduleRun.objects.create(event=event)
    real_exists = QuerySet.exists
    checks = []

    def exists_before_the_other_commit(queryset):
        checks.append(queryset.model)
        if queryset.model is ScheduleRun and checks.count(ScheduleRun) == 1:
            return False
        return real_exists(queryset)

    monkeypatch.setattr(QuerySet, "exists", exists_before_the_other_commit)

    with pytest.raises(ValidationError) as refused:
        services.schedule_start(actor=SYSTEM, event=event)

    assert refused.value.message_dict == {"mode": [UNDER_WAY]}
    assert list(ScheduleRun.objects.filter(event=event)) == [other_server]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two concurrent write transactions; SQLite runs one writer at a time",
)
@pytest.mark.django_db(transaction=True)
def test_two_servers_starting_the_scheduler_at_once_make_one_run(administration, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    event = make_event(administration)
    both_checked = threading.Barrier(2, timeout=20)
    outcomes = []

    def wait_for_the_other(sender, instance, **kwargs):
        both_checked.wait()  # both requests have passed the service's check

    def request():
        try:
            services.schedule_start(actor=SYSTEM, event=event)
            outcomes.append("started")
        except ValidationError as exc:
            outcomes.append(exc.message_dict)
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
            outcomes.append(repr(exc))
        finally:
            connection.close()

    pre_save.connect(wait_for_the_other, sender=ScheduleRun)
    try:
        threads = [threading.Thread(target=request) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        pre_save.disconnect(wait_for_the_other, sender=ScheduleRun)

    assert sorted(outcomes, key=str) == sorted(["started", {"mode": [UNDER_WAY]}], key=str)
    assert ScheduleRun.objects.filter(event=event).count() == 1


@pytest.mark.django_db
def test_a_run_that_crashes_before_solving_fails_and_frees_the_event(
    administration, settings, monkeypatch
):
    """Not only the solver: a crash while reading the event's meetings must not leave the
    run "running" (which would block the event's scheduling for good)."""
    from corridor.events import planning

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    event = make_event(administration)
    run = services.schedule_start(actor=SYSTEM, event=event)

    def broken(*args, **kwargs):
        raise RuntimeError("the meetings could not be read")

    monkeypatch.setattr(planning, "build_problem", broken)
    with pytest.raises(RuntimeError):
        planning.run(run.pk)

    run.refresh_from_db()
    assert (run.status, run.errors) == (
        "failed",
        [{"code": "crash", "detail": "the meetings could not be read"}],
    )
    assert services.schedule_start(actor=SYSTEM, event=event).status == "queued"
