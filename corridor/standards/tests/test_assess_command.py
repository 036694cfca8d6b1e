"""`manage.py assess` refuses an origin that is no country and a market without
requirements: one sentence naming the field, exit status 1, no traceback."""

import os
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from corridor import devenv

REPO = Path(__file__).resolve().parents[3]
CONFIGURATION = ("SECRET_KEY", "DEBUG", "DATABASE_URL", "CORRIDOR_ALLOW_INSECURE_KEY", "SITE_URL")


def assess_in_a_shell(tmp_path, *args) -> subprocess.CompletedProcess:
    devenv.write(tmp_path / "dev.env", site_url="http://127.0.0.1:8000")
    env = {k: v for k, v in os.environ.items() if k not in CONFIGURATION}
    env["CORRIDOR_VAR_DIR"] = str(tmp_path)
    return subprocess.run(
        [str(REPO / ".venv/bin/python"), "manage.py", "assess", "--language", "en", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("origin", "destination", "message"),
    [
        ("XX", "SG", "Origin: “XX” is not a country code"),
        ("ZZ", "SG", "Origin: “ZZ” is not a country code"),
        ("CN", "XX", "Destination market: the knowledge base has no requirements for “XX”"),
    ],
)
def test_unknown_origins_and_markets_are_refused_in_one_line(
    tmp_path, origin, destination, message
):
    result = assess_in_a_shell(tmp_path, "--hs", "870460", "--from", origin, "--to", destination)

    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert message in result.stderr


@pytest.mark.django_db
def test_a_country_code_in_lower_case_is_still_a_country():
    with pytest.raises(CommandError) as raised:
        call_command("assess", "--hs", "870460", "--from", "xx", "--to", "SG", "--language", "en")
    assert "“xx” is not a country code" in str(raised.value)

    from io import StringIO

    out = StringIO()
    call_command("assess", "--hs", "870460", "--from", "cn", "--to", "SG", stdout=out)
    assert '"requirements"' in out.getvalue()
