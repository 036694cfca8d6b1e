"""Production settings: `check --deploy` is clean, keys are long, pages carry a CSP that they obey."""

import os
import re
import secrets
import subprocess
import sys

from django.conf import settings
from django.urls import reverse

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "HTTPS": "true",
    "ALLOWED_HOSTS": "corridor.example.org",
}


# Set by the test run, not by a deployment: the browser tests allow Django's ORM in
# Playwright's event loop (DJANGO_ALLOW_ASYNC_UNSAFE), which check --deploy rightly flags.
TEST_ONLY = ("CORRIDOR_ALLOW_INSECURE_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")


def run_manage(tmp_path, *args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(CORRIDOR_VAR_DIR=str(tmp_path), **env_overrides)
    return subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_without_https_declared_check_deploy_names_what_is_missing(tmp_path):
    plain_http = {**PRODUCTION, "HTTPS": "false"}
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **plain_http)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_a_short_secret_key_is_refused_in_one_line_when_debug_is_off(tmp_path):
    result = run_manage(tmp_path, "check", **{**PRODUCTION, "SECRET_KEY": "x" * 49})
    assert result.returncode == 1
    assert result.stderr.startswith(
        "Corridor cannot start: SECRET_KEY is 49 characters long; with DEBUG off it must have "
        "at least 50"
    )
    assert result.stderr.count("\n") == 1  # one line, not a traceback


def test_a_short_secret_key_is_allowed_for_development(tmp_path):
    result = run_manage(tmp_path, "check", DEBUG="true", SECRET_KEY="dev")
    assert result.returncode == 0, result.stderr


def test_pages_carry_a_content_security_policy(client, db):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline script on this page: no nonce
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_an_inline_script_carries_the_nonce_the_policy_allows(client, facilitator):
    client.force_login(facilitator)
    response = client.get(reverse("portfolio:innovation_create"))
    assert response.status_code == 200
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", response["Content-Security-Policy"])
    scripts = [
        a for a in re.findall(r"<script([^>]*)>", response.content.decode()) if "src=" not in a
    ]
    assert scripts, "the page has its inline formset script"
    for attributes in scripts:
        assert f'nonce="{nonce.group(1)}"' in attributes


def test_the_api_documentation_loads_its_scripts_from_this_site(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn.jsdelivr.net" not in page
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "<script>" not in page  # no inline script: the CSP would block it
