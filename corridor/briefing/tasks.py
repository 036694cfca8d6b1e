"""Background work for briefing packs: one thin task that builds a pack (services do the work).

A build may run again after its worker died (corridor/core/tasks.py): it reads every section
again and replaces the stored file, so a repeat leaves one file and the same figures."""

from django_tasks import task

from corridor.briefing import services
from corridor.core.tasks import when_interrupted


@task()
def build_pack(pack_id: str) -> dict:
    """Build a pack asked for with `services.pack_request`."""
    return services.pack_build(pack_id)


@when_interrupted(build_pack)
def build_pack_interrupted(pack_id: str, *, attempts: int, gave_up: bool) -> None:
    services.pack_interrupted(pack_id, attempts=attempts, gave_up=gave_up)


def enqueue_build(pack_id: str) -> str:
    """Queue the build of a committed pack; the task's id."""
    return str(build_pack.enqueue(pack_id).id)
