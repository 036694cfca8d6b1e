"""The site's own 404, 403, 500 and CSRF pages, also in development (DEBUG=true, as
`make run` serves): never Django's technical page with the URL patterns."""

import importlib

import pytest
from django.urls import Resolver404, resolve

from corridor.testing.factories import ProjectFactory

pytestmark = pytest.mark.urls("corridor.core.tests.urls_errors")

TECHNICAL = ("Using the URLconf", "DEBUG = True", "corridor.urls")


@pytest.fixture(params=[True, False], ids=["development", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def assert_site_page(response, status: int, title: str):
    page = response.content.decode()
    assert response.status_code == status
    assert f"<h1>{title}</h1>" in page
    assert 'class="main-nav"' in page or 'class="site-header"' in page  # the site's layout
    for text in TECHNICAL:
        assert text not in page
    return page


@pytest.mark.django_db
def test_an_address_that_matches_nothing_shows_the_site_page(client, debug):
    page = assert_site_page(client.get("/no-such-page/"), 404, "Page not found")

    assert "<code>/no-such-page/</code>" in page
    assert 'href="/"' in page  # a way back


@pytest.mark.django_db
def test_a_project_the_visitor_may_not_see_shows_the_site_page_with_a_way_to_log_in(client, debug):
    draft = ProjectFactory(is_published=False)

    page = assert_site_page(client.get(f"/projects/{draft.pk}/"), 404, "Page not found")

    assert f'href="/accounts/login/?next=/projects/{draft.pk}/"' in page


@pytest.mark.django_db
def test_a_member_is_not_sent_to_log_in(client, owner, debug):
    client.force_login(owner)

    page = assert_site_page(client.get("/no-such-page/"), 404, "Page not found")

    assert "/accounts/login/?next=" not in page


@pytest.mark.django_db
def test_the_404_page_is_in_the_visitor_language(client, debug):
    client.cookies["django_language"] = "zh-hans"

    page = client.get("/no-such-page/").content.decode()

    assert '<html lang="zh-hans">' in page


@pytest.mark.django_db
def test_a_refusal_shows_its_reason_on_the_site_page(client, debug):
    page = assert_site_page(client.get("/test-errors/refuse/"), 403, "Not allowed")

    assert "Only the case&#x27;s facilitator can close it." in page


@pytest.mark.django_db
def test_a_refusal_leads_back_to_the_list_of_its_part(client, debug):
    page = assert_site_page(client.get("/test-errors/cases/refuse/"), 403, "Not allowed")

    assert '<a href="/cases/">Back to the cases</a>' in page


@pytest.mark.django_db
def test_a_refusal_without_a_reason_says_so_plainly(client, debug):
    page = assert_site_page(client.get("/test-errors/refuse-silently/"), 403, "Not allowed")

    assert "You do not have permission to do this." in page


@pytest.mark.django_db
def test_a_server_error_shows_the_site_page(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False

    page = assert_site_page(client.get("/test-errors/fail/"), 500, "Something went wrong")

    assert "a bug" not in page


@pytest.mark.django_db
def test_an_expired_form_says_what_to_do(client, settings):
    settings.DEBUG = True
    client.handler.enforce_csrf_checks = True

    page = assert_site_page(
        client.post("/accounts/login/", {"username": "a", "password": "b"}),
        403,
        "The form has expired",
    )

    assert "reload the page" in page


def test_uploaded_files_are_not_served_even_in_development(settings):
    """MEDIA_ROOT holds case documents: only their views, which check who asks, hand
    them out; the development URLs used to serve the whole directory to anyone."""
    import corridor.urls

    settings.DEBUG = True
    try:
        importlib.reload(corridor.urls)
        with pytest.raises(Resolver404):
            resolve("/media/cases/2025/03/contract.pdf", urlconf=corridor.urls)
    finally:
        settings.DEBUG = False
        importlib.reload(corridor.urls)
