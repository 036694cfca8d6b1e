"""Corridor settings: one module, driven by environment variables.

SQLite under var/ by default; PostgreSQL (or any database) through DATABASE_URL.
Bad values are refused at start-up rather than silently ignored.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CORRIDOR_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
SECRET_KEY_MIN_LENGTH = 50  # what `check --deploy` asks for (security.W009)
if not SECRET_KEY:
    if DEBUG or os.environ.get("CORRIDOR_ALLOW_INSECURE_KEY"):
        # The "django-insecure-" prefix makes `check --deploy` flag this key if it ever ships.
        SECRET_KEY = "django-insecure-corridor-development-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set (or DEBUG=true for development).")
elif not DEBUG and len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH:
    raise ImproperlyConfigured(
        f"SECRET_KEY is {len(SECRET_KEY)} characters long; with DEBUG off it must have at least "
        f"{SECRET_KEY_MIN_LENGTH} (generate one with: python -c 'import secrets; "
        f"print(secrets.token_urlsafe(64))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "corridor.core",
    "corridor.accounts",
    "corridor.portfolio",
    "corridor.standards",
    "corridor.cases",
    "corridor.directory",
    "corridor.events",
    "corridor.results",
    "corridor.home",
    "corridor.briefing",
    # /api/docs serves Swagger UI from ninja's static files, not a CDN (last: core overrides
    # its page template).
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body: refuses requests over MAX_REQUEST_BYTES with 413.
    "corridor.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a logged-in person's stored language wins over the cookie.
    "corridor.accounts.middleware.UserLanguageMiddleware",
    "corridor.core.middleware.RefuseNulMiddleware",  # 400, not 500, for a NUL in any input
    "corridor.core.middleware.ApiNotFoundMiddleware",  # JSON 404 for any unknown /api/ address
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # The site's 404 page with DEBUG=true too, not Django's technical one (make run).
    "corridor.core.middleware.SiteNotFoundPageMiddleware",
]

ROOT_URLCONF = "corridor.urls"
WSGI_APPLICATION = "corridor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "corridor.accounts.context_processors.notifications",
                "corridor.home.context_processors.actions",
                "corridor.briefing.context_processors.briefing",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'corridor.sqlite3'}")
# Persistent connections (CONN_MAX_AGE seconds) are checked before reuse, so a database restart
# or fail-over costs a reconnect rather than a 500 on the next request of every worker.
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("CONN_MAX_AGE", 60),
            conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
        )
    }
except ValueError as exc:  # an unknown scheme: refused in one line (manage.py, wsgi)
    scheme = DATABASE_URL.partition("://")[0]  # not the whole URL: it may hold a password
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with a known scheme such as postgres:// or sqlite:///, "
        f"not {scheme!r}"
    ) from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
    # Tests use a file as well, not SQLite's shared in-memory database: its locks fail at once
    # instead of waiting, so concurrent writers would not behave as in the embedded
    # deployment. One file per test process (each pytest-xdist worker is one).
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-corridor-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "portfolio:dashboard"

# Reverse proxies whose X-Forwarded-For is believed: addresses or networks, comma-separated
# (e.g. "127.0.0.1,10.0.0.0/8"). Empty (the default): the connecting address is the client's,
# and X-Forwarded-For is ignored, since any client can write it.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network."
        ) from exc

# Login throttling (django-axes): lock a username+address after 5 failures for one hour.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Attempts made while locked out are refused but do not restart the hour.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The client's address, read through TRUSTED_PROXIES (see corridor/accounts/client_ip.py).
AXES_CLIENT_IP_CALLABLE = "corridor.accounts.client_ip.client_ip_address"

# Sessions live in the database so app servers stay stateless.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# HTTPS=true declares that the site is served over HTTPS (usually TLS ends at the proxy);
# it switches on secure cookies, the redirect to https:// and HSTS, each of which can
# still be set on its own.
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# Browsers remember to use https:// only for this many seconds (0: no HSTS header).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
# Asking to be on browsers' built-in HSTS list is a commitment that is slow to undo: opt in.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]  # "SECURE_HSTS_PRELOAD is not True"
# Believe the proxy's X-Forwarded-Proto: only when a proxy always sets (or strips) it.
# gunicorn already does this for proxies in its FORWARDED_ALLOW_IPS (127.0.0.1 by default).
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp 4): our own scripts and styles only. The few inline
# <script> blocks carry the per-request nonce (`nonce="{{ request.csp_nonce }}"`); styles are
# inline in many templates (style attributes and <style> blocks), hence 'unsafe-inline' for
# style-src only. CSP_REPORT_ONLY=true sends the policy as report-only, CSP=false drops it.
_CSP_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}
if os.environ.get("CSP_REPORT_URI"):
    _CSP_DIRECTIVES["report-uri"] = [os.environ["CSP_REPORT_URI"]]
if env_bool("CSP", True):
    if env_bool("CSP_REPORT_ONLY", False):
        CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES}
    else:
        CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Asia/Singapore"  # Singapore and Chongqing are both UTC+8; storage is UTC.
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# The largest document a case party may upload (bytes).
CASE_DOCUMENT_MAX_BYTES = env_int("CASE_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
# The largest request body accepted at all (bytes), judged from Content-Length before any of it
# is read: larger requests get 413. By default the largest upload plus 1 MiB for the form
# around it. Keep the proxy's limit (nginx client_max_body_size) at least as high.
MAX_REQUEST_BYTES = env_int(
    "MAX_REQUEST_BYTES", max(IMPORT_MAX_BYTES, CASE_DOCUMENT_MAX_BYTES) + 1024 * 1024
)
# Imports larger than this many rows run as a background task.
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 500)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "corridor@localhost")

# Background work: Django's tasks API (django-tasks backport) with the database backend,
# so the embedded default needs no broker. Run workers with `python manage.py corridor_worker`
# (db_worker plus a heartbeat and a reaper, corridor/core/tasks.py).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A worker writes its heartbeat this often (seconds) ...
TASKS_HEARTBEAT_SECONDS = env_int("TASKS_HEARTBEAT_SECONDS", 10)
# ... and one silent for this long is taken for dead: its running task is queued again ...
TASKS_WORKER_STALE_SECONDS = env_int("TASKS_WORKER_STALE_SECONDS", 60)
# ... until this many workers have died on it; then the task fails for good.
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 3)
if not 0 < TASKS_HEARTBEAT_SECONDS < TASKS_WORKER_STALE_SECONDS:
    raise ImproperlyConfigured(
        "TASKS_HEARTBEAT_SECONDS must be positive and shorter than TASKS_WORKER_STALE_SECONDS"
    )
if TASKS_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured("TASKS_MAX_ATTEMPTS must be at least 1")

# `manage.py backup` writes rows in this format: JSON Lines with times to the microsecond.
SERIALIZATION_MODULES = {"backup_jsonl": "corridor.core.backup_serializer"}

# IATI exports name this reporting organisation; set the initiative's registered identifier.
IATI_REPORTING_ORG_REF = os.environ.get("IATI_REPORTING_ORG_REF", "XI-CORRIDOR")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
