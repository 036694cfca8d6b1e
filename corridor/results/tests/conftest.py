"""The shared world (corridor/testing/world.py: a person in every role) with an indicator of
each scope, built once per test module inside a transaction rolled back at its end."""

import datetime

import pytest
from django.db import transaction
from django.test import override_settings

from corridor.core.actors import SYSTEM
from corridor.results import services
from corridor.standards import kb as kb_module
from corridor.standards.tests.test_services import story_knowledge_base
from corridor.testing.world import build_world


def add_indicators(world) -> None:
    scopes = {
        "initiative": {},
        "project": {"project": world.objects["project"]},
        "case": {"case": world.objects["case"]},
        "event": {"event": world.objects["event"]},
    }
    for name, scope in scopes.items():
        indicator = services.indicator_create(
            actor=SYSTEM, title_en=f"{name} indicator", unit_en="things", **scope
        )
        services.target_add(
            actor=SYSTEM,
            indicator=indicator,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 12, 31),
            value=100,
        )
        world.objects[f"{name}_indicator"] = indicator
        world.ids[f"{name}_indicator"] = indicator.pk


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as patch,
        override_settings(MEDIA_ROOT=str(media)),
    ):
        knowledge_base = story_knowledge_base()
        patch.setattr(kb_module, "current", lambda: knowledge_base, raising=False)
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            add_indicators(built)
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
