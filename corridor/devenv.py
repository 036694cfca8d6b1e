"""The development settings file, var/dev.env, and the one-line start-up error.

`make setup` writes the file (``python -m corridor.devenv --site-url http://HOST:PORT``):
a SECRET_KEY generated once for this checkout, DEBUG=true, and SITE_URL, the address
links in e-mails point at (the address `make run` serves). ``manage.py`` reads it, so
that ``.venv/bin/python manage.py ...`` works on a development machine without exporting
anything.

It is never read in production: only by manage.py (gunicorn loads corridor.wsgi, which
does not read it), only when the file exists, and only when the environment does not set
SECRET_KEY — a configured environment is used as it is, and a variable set in the
environment always wins over the file.

Nothing here imports Django: manage.py loads the file before the settings.
"""

import argparse
import os
import secrets
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FILE_NAME = "dev.env"

HEADER = """\
# Development settings for this checkout, written by `make setup` (python -m corridor.devenv).
# manage.py reads this file when the environment does not set SECRET_KEY; a variable set in
# the environment wins. Production never reads it: set SECRET_KEY and the rest in the
# environment there (README, "Running it for real"). Delete it to get a new key.
"""


def var_dir(environ=os.environ) -> Path:
    return Path(environ.get("CORRIDOR_VAR_DIR") or BASE_DIR / "var")


def path(environ=os.environ) -> Path:
    return var_dir(environ) / FILE_NAME


def parse(text: str) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and lines starting with # are skipped."""
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip()
    return values


def load(environ=os.environ) -> dict[str, str]:
    """Set, in `environ`, each variable of the development file that it does not set yet.
    Returns what was set; nothing when the file is absent or SECRET_KEY is set."""
    if environ.get("SECRET_KEY"):
        return {}
    try:
        text = path(environ).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    added = {k: v for k, v in parse(text).items() if k not in environ}
    environ.update(added)
    return added


def site_url(host: str, port: str | int) -> str:
    """The address people on this machine open for a server listening on host:port."""
    if host in ("", "0.0.0.0", "::", "[::]"):
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def write(target: Path, *, site_url: str) -> dict[str, str]:
    """Write (or update) the development file at `target`. The SECRET_KEY is kept when the
    file has one, so sessions survive `make run`; DEBUG and SITE_URL are rewritten."""
    values = parse(target.read_text(encoding="utf-8")) if target.exists() else {}
    values["SECRET_KEY"] = values.get("SECRET_KEY") or secrets.token_urlsafe(50)
    values["DEBUG"] = "true"
    values["SITE_URL"] = site_url
    target.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"{key}={value}\n" for key, value in values.items())
    target.write_text(HEADER + body, encoding="utf-8")
    target.chmod(0o600)
    return values


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m corridor.devenv",
        description="Write the development settings file var/dev.env (see corridor/devenv.py).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="the address `make run` serves on")
    parser.add_argument("--port", default="8000", help="the port `make run` serves on")
    options = parser.parse_args(argv)
    target = path()
    write(target, site_url=site_url(options.host, options.port))
    print(f"Development settings: {target}")
    return 0


def configuration_error(error: BaseException, *, development_hint: bool = True) -> str:
    """The one line printed instead of a traceback when the settings are refused."""
    line = f"Corridor cannot start: {error}"
    if development_hint and "SECRET_KEY" in str(error) and not path().exists():
        line += " On a development machine, `make setup` writes one to var/dev.env."
    return line


def exit_on_configuration_error(error: BaseException, status: int = 1, **options):
    print(configuration_error(error, **options), file=sys.stderr)
    raise SystemExit(status)


if __name__ == "__main__":
    sys.exit(main())
