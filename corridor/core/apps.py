from django.apps import AppConfig
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
