from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "corridor.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django_tasks_db.compat import task_finished

        from corridor.core import tasks

        # a task cut short by its worker being stopped is queued again, not failed
        task_finished.connect(tasks.hand_back_stopped_task, dispatch_uid="corridor-hand-back")
        post_migrate.connect(ensure_sectors, sender=self, dispatch_uid="corridor-sectors")


def ensure_sectors(using="default", **kwargs) -> None:
    """The sector vocabulary is always there: migration 0002 seeds it, and this adds any
    sector that is missing after `migrate` or `flush` (tests that flush the database get it
    back, as they get content types back), without touching sectors that exist."""
    from corridor.core.models import Sector
    from corridor.core.sectors import SECTORS

    existing = set(Sector.objects.using(using).values_list("code", flat=True))
    Sector.objects.using(using).bulk_create(
        Sector(code=code, name_en=name_en, name_zh=name_zh, is_priority=priority, position=i)
        for i, (code, name_en, name_zh, priority) in enumerate(SECTORS)
        if code not in existing
    )
