"""/api/docs works without internet access (Swagger UI from our own static files), and
the OpenAPI description covers every part of the product."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static


@pytest.mark.django_db
def test_the_docs_page_loads_only_our_own_static_files(client):
    response = client.get("/api/docs")
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    scripts_and_styles = [a for a in assets if a.endswith((".js", ".css"))]

    assert response.status_code == 200
    assert not [a for a in assets if "//" in a], "every asset from this site"
    assert static("ninja/swagger-ui-bundle.js") in scripts_and_styles
    assert static("ninja/swagger-ui.css") in scripts_and_styles
    static_url = static("")
    for asset in scripts_and_styles:
        assert asset.startswith(static_url)
        found = finders.find(asset.removeprefix(static_url))
        assert found, f"{asset} is not among the static files"
        assert open(found, "rb").read(200)  # noqa: SIM115 (a non-empty file)


@pytest.mark.django_db
def test_the_docs_page_points_at_the_description(client):
    page = client.get("/api/docs").content.decode()

    assert '"url": "/api/openapi.json"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "prefix",
    [
        "/api/portfolio/",
        "/api/standards/",
        "/api/cases/",
        "/api/directory/",
        "/api/events",
        "/api/accounts/",
    ],
)
def test_the_description_covers_every_part(client, prefix):
    paths = client.get("/api/openapi.json").json()["paths"]

    assert [p for p in paths if p.startswith(prefix)], f"no path under {prefix}"
