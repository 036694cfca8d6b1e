"""A database restart or fail-over costs a reconnect, not a 500 on each worker's next request."""

import io
import sys

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def wsgi_get(app, path):
    """One request through the WSGI handler gunicorn calls, with its request_started and
    request_finished signals (the test client switches off their connection housekeeping)."""
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    statuses = []
    body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        b"".join(body)
    finally:
        body.close()  # sends request_finished, as a WSGI server does
    return int(statuses[0].split()[0])


def terminate_backend(pid):
    import psycopg

    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_requests_after_the_database_dropped_the_connection_succeed(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: pg_terminate_backend ends another session's connection")
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)  # as in production
    connection.close()
    app = WSGIHandler()

    assert wsgi_get(app, "/") == 200
    old_pid = connection.connection.info.backend_pid  # kept open for the next request
    terminate_backend(old_pid)

    assert wsgi_get(app, "/") == 200
    assert connection.connection.info.backend_pid != old_pid
    assert wsgi_get(app, "/") == 200
