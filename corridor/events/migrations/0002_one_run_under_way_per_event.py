from django.db import migrations, models
from django.utils import timezone


def fail_extra_runs(apps, schema_editor):
    """Before the constraint: where an event has more than one run under way (the race the
    constraint closes), keep the newest and fail the older ones."""
    ScheduleRun = apps.get_model("events", "ScheduleRun")
    db = schema_editor.connection.alias
    seen = set()
    for run in (
        ScheduleRun.objects.using(db)
        .filter(status__in=["queued", "running"])
        .order_by("-created_at", "-id")
    ):
        if run.event_id in seen:
            run.status = "failed"
            run.finished_at = timezone.now()
            run.errors = [{"code": "superseded"}]
            run.save(update_fields=["status", "finished_at", "errors"])
        seen.add(run.event_id)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(fail_extra_runs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="schedulerun",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["queued", "running"])),
                fields=("event",),
                name="events_one_run_under_way",
            ),
        ),
    ]
