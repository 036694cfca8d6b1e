"""Start-up: the development settings file (var/dev.env), one-line refusals of bad settings,
and SITE_URL following the address `make run` serves on."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from corridor import devenv

REPO = Path(__file__).resolve().parents[3]
PYTHON = str(REPO / ".venv/bin/python")
CONFIGURATION = ("SECRET_KEY", "DEBUG", "DATABASE_URL", "CORRIDOR_ALLOW_INSECURE_KEY", "SITE_URL")


def clean_environment(var: Path, **values) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in CONFIGURATION}
    env["CORRIDOR_VAR_DIR"] = str(var)
    env.update(values)
    return env


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


# --- the file ------------------------------------------------------------------------------


def test_the_file_fills_in_what_the_environment_does_not_set(tmp_path):
    devenv.write(tmp_path / "dev.env", site_url="http://127.0.0.1:8018")
    environ = {"CORRIDOR_VAR_DIR": str(tmp_path), "DEBUG": "false"}

    added = devenv.load(environ)

    assert environ["DEBUG"] == "false"  # the environment wins
    assert environ["SITE_URL"] == "http://127.0.0.1:8018"
    assert len(environ["SECRET_KEY"]) >= 50
    assert set(added) == {"SECRET_KEY", "SITE_URL"}


def test_a_configured_environment_never_reads_the_file(tmp_path):
    """Production sets SECRET_KEY: nothing of the development file may leak in then."""
    devenv.write(tmp_path / "dev.env", site_url="http://127.0.0.1:8018")
    environ = {"CORRIDOR_VAR_DIR": str(tmp_path), "SECRET_KEY": "production-key"}

    assert devenv.load(environ) == {}
    assert "DEBUG" not in environ and "SITE_URL" not in environ


def test_without_the_file_nothing_is_set(tmp_path):
    environ = {"CORRIDOR_VAR_DIR": str(tmp_path)}

    assert devenv.load(environ) == {}
    assert environ == {"CORRIDOR_VAR_DIR": str(tmp_path)}


def test_writing_again_keeps_the_key_and_follows_the_port(tmp_path):
    target = tmp_path / "dev.env"
    first = devenv.write(target, site_url="http://127.0.0.1:8000")
    second = devenv.write(target, site_url="http://127.0.0.1:8018")

    assert second["SECRET_KEY"] == first["SECRET_KEY"]  # sessions survive `make run`
    assert devenv.parse(target.read_text())["SITE_URL"] == "http://127.0.0.1:8018"
    assert target.stat().st_mode & 0o077 == 0  # the key is readable by its owner only


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8018"),
        ("0.0.0.0", "http://127.0.0.1:8018"),  # listening everywhere: link to this machine
        ("localhost", "http://localhost:8018"),
        ("::1", "http://[::1]:8018"),
    ],
)
def test_the_site_url_is_the_address_served(host, url):
    assert devenv.site_url(host, 8018) == url


def test_make_run_passes_its_host_and_port_to_the_file():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # -n prints the recipes without running any of them.
    dry_run = subprocess.run(
        ["make", "-n", "run", "HOST=127.0.0.1", "PORT=8018"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert "-m corridor.devenv --host 127.0.0.1 --port 8018" in dry_run.stdout


# --- manage.py and corridor.wsgi -----------------------------------------------------------


def test_manage_py_reads_the_file_and_e_mail_links_use_the_served_address(tmp_path):
    """Links in e-mails (SITE_URL) point at the port `make run` serves on, not 8000."""
    devenv.write(tmp_path / "dev.env", site_url=devenv.site_url("127.0.0.1", 8018))
    code = (
        "from types import SimpleNamespace as S; from django.conf import settings;"
        "from corridor.cases.notifications import case_url;"
        "print(settings.DEBUG, case_url(S(pk=7)))"
    )

    result = manage("shell", "--no-imports", "-c", code, env=clean_environment(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "http://127.0.0.1:8018/cases/7/"]


def test_without_a_key_manage_py_says_so_in_one_line(tmp_path):
    result = manage("check", env=clean_environment(tmp_path))

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "make setup" in result.stderr  # and how to get one on a development machine


def test_a_bad_setting_is_one_line_too(tmp_path):
    result = manage("check", env=clean_environment(tmp_path, DEBUG="maybe", SECRET_KEY="k" * 50))

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Corridor cannot start: DEBUG must be a boolean (true/false), not 'maybe'"
    )


def test_the_wsgi_application_refuses_in_one_line_and_stops_gunicorn(tmp_path):
    result = subprocess.run(
        [PYTHON, "-c", "import corridor.wsgi"],
        cwd=REPO,
        env=clean_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 4  # gunicorn's "App failed to load": the master stops
    assert result.stderr.strip().startswith("Corridor cannot start: SECRET_KEY must be set")
    assert "\n" not in result.stderr.strip()
    assert "make setup" not in result.stderr  # production does not read var/dev.env


def test_an_unknown_database_scheme_is_one_line_without_the_password(tmp_path):
    env = clean_environment(
        tmp_path, SECRET_KEY="k" * 50, DATABASE_URL="postgress://corridor:s3cret@db/corridor"
    )

    result = manage("check", env=env)

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Corridor cannot start: DATABASE_URL must start with a known scheme such as "
        "postgres:// or sqlite:///, not 'postgress'"
    )
