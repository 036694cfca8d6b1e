"""Each directory test gets its own var directory, so the shared vector index file
(`embeddings.index_path`) of one test never holds another test's profiles."""

import pytest


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
