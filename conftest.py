"""Fixtures shared by every app's tests: people first (STYLE.md habit 9)."""

import os

import pytest
from django.conf import settings

from corridor.accounts.models import Membership
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory


def pytest_configure():
    """The SQLite test database is a file under var/ (settings.py says why): make sure the
    directory exists on a fresh clone."""
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)


def pytest_collection_modifyitems(config, items):
    """CORRIDOR_SKIP_BROWSER=1 skips the browser tests: CI runs them once, on PostgreSQL, and
    skips them in its SQLite pass (.ci/run)."""
    if os.environ.get("CORRIDOR_SKIP_BROWSER") != "1":
        return
    skip = pytest.mark.skip(reason="CORRIDOR_SKIP_BROWSER=1: browser tests run in another pass")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def administration(db):
    return OrganisationFactory(
        name_en="CCI Administration Bureau",
        name_zh="中新示范项目管理局",
        kind="agency",
        country="CN",
        is_administration=True,
    )


@pytest.fixture
def admin_user(administration):
    user = UserFactory(username="admin", name_en="Ada Admin", name_zh="管理员")
    MembershipFactory(user=user, organisation=administration, role=Membership.Role.ADMINISTRATOR)
    return user


@pytest.fixture
def facilitator(administration):
    user = UserFactory(username="facilitator", name_en="Fay Facilitator", name_zh="协调员")
    MembershipFactory(user=user, organisation=administration, role=Membership.Role.FACILITATOR)
    return user


@pytest.fixture
def enterprise(db):
    return OrganisationFactory(
        name_en="Qingling Motors",
        name_zh="庆铃汽车",
        kind="enterprise",
        country="CN",
        city="Chongqing",
    )


@pytest.fixture
def owner(enterprise):
    """A member of `enterprise`."""
    user = UserFactory(username="owner", name_en="Olivia Owner", name_zh="王主")
    MembershipFactory(user=user, organisation=enterprise, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def colleague(enterprise):
    user = UserFactory(username="colleague", name_en="Colin Colleague", name_zh="李同")
    MembershipFactory(user=user, organisation=enterprise, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def other_enterprise(db):
    return OrganisationFactory(
        name_en="Motorway Group",
        name_zh="摩托威集团",
        kind="enterprise",
        country="SG",
        city="Singapore",
    )


@pytest.fixture
def outsider(other_enterprise):
    """A member of another organisation."""
    user = UserFactory(username="outsider", name_en="Oscar Outsider", name_zh="外人")
    MembershipFactory(user=user, organisation=other_enterprise, role=Membership.Role.MEMBER)
    return user


@pytest.fixture(autouse=True)
def english_between_tests():
    """A request in Chinese leaves Chinese active in the thread (LocaleMiddleware activates
    the request's language and does not switch back): start and end every test in the
    default language so one test's language never leaks into the next."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def signal_handlers_between_tests():
    """A task worker run in-process (`call_command("db_worker", ...)`) installs its
    "shut down gracefully" handlers for SIGTERM and SIGINT and leaves them: put back what
    was there, so a later test's processes (the scheduler's workers fork this one) never
    inherit them."""
    import signal

    kept = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    yield
    for signum, handler in kept.items():
        if signal.getsignal(signum) is not handler and handler is not None:
            signal.signal(signum, handler)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and before it is dropped at the end: on PostgreSQL,
    the sessions still open on it ended. A live server's request thread that kept a
    browser's connection alive (HTTP keep-alive) holds its database session until it notices
    the browser gone, and the drop then failed ("being accessed by other users") and left
    the database behind."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
