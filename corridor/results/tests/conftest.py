"""The shared world (corridor/testing/world.py: a person in every role, and an indicator of
each scope), built once per test module inside a transaction rolled back at its end."""

import pytest
from django.db import transaction
from django.test import override_settings

from corridor.standards import kb as kb_module
from corridor.standards.tests.test_services import story_knowledge_base
from corridor.testing.world import build_world


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
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
