"""Text that no person types is refused before it reaches a database: a NUL character
anywhere in a request (address, query string, form, JSON body) answers 400 naming where it
was, never 500, on pages and API alike; a control character or a bidirectional override in
a name or a title is refused beside the field, with a sentence naming it; nothing is saved."""

import json

import pytest

from corridor.accounts.services import api_token_create
from corridor.directory.models import Profile
from corridor.events.models import Event
from corridor.portfolio.models import Project
from corridor.testing.factories import ProjectFactory

pytestmark = pytest.mark.django_db

NUL = "\x00"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "exe.txt" shows as "txt.exe"


def bearer(user) -> dict[str, str]:
    _token, raw = api_token_create(actor=user, label="test client")
    return {"Authorization": f"Bearer {raw}"}


def api_error(response) -> dict:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    return response.json()


# --- NUL: the API --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/standards/hs/87%0004",
        "/api/standards/hs/8704%00",
    ],
)
def test_a_nul_in_an_api_address_answers_400(client, url):
    body = api_error(client.get(url))
    assert "address contains a NUL character" in body["detail"]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/portfolio/projects?q=a%00b", "q"),
        ("/api/portfolio/innovations?q=%00", "q"),
        ("/api/portfolio/dashboard?q=%00", "q"),
        ("/api/directory/profiles?city=Chong%00qing", "city"),
        ("/api/standards/hs?q=engine%00", "q"),
        ("/api/standards/hs?q=8704&edition=HS%002022", "edition"),
        ("/api/events?page=%00", "page"),
    ],
)
def test_a_nul_in_an_api_query_answers_400_naming_the_parameter(client, url, field):
    body = api_error(client.get(url))
    assert body["errors"] == {field: [body["detail"]]}
    assert f"“{field}” contains a NUL character" in body["detail"]


@pytest.mark.parametrize(
    ("url", "payload", "field"),
    [
        ("/api/portfolio/projects", {"owner_id": 1, "title_en": "Bus\x00"}, "title_en"),
        (
            "/api/cases/cases",
            {"applicant_id": 1, "target_market": "SG", "title_en": NUL},
            "title_en",
        ),
        ("/api/cases/issues/1/comments", {"body": "see\x00"}, "body"),
        (
            "/api/directory/connections",
            {"from_profile": 1, "to_profile": 2, "message": NUL},
            "message",
        ),
        ("/api/events", {"organiser": 1, "sessions": [{"part": "a\x00m"}]}, "sessions.0.part"),
        ("/api/standards/assessments", {"attributes": {"power\x00": "x"}}, "attributes.power\x00"),
    ],
)
def test_a_nul_in_a_json_body_answers_400_naming_the_field(client, owner, url, payload, field):
    response = client.post(
        url, json.dumps(payload), content_type="application/json", headers=bearer(owner)
    )
    body = api_error(response)
    assert list(body["errors"]) == [field]
    assert "contains a NUL character" in body["detail"]


def test_an_escaped_backslash_is_not_a_nul(client, owner, enterprise):
    """`"\\\\u0000"` in JSON is a backslash and five characters: text, accepted as such."""
    payload = {"owner_id": enterprise.pk, "title_en": "C:\\u0000", "kind": "commercial"}
    response = client.post(
        "/api/portfolio/projects",
        json.dumps({**payload, "sector": "ict", "currency": "USD", "value": "1"}),
        content_type="application/json",
        headers=bearer(owner),
    )
    assert response.status_code == 201, response.content
    assert response.json()["title_en"] == "C:\\u0000"


def test_a_nul_in_a_patch_changes_nothing(client, admin_user, enterprise):
    project = ProjectFactory(owner=enterprise, title_en="Electric buses")
    response = client.patch(
        f"/api/portfolio/projects/{project.pk}",
        json.dumps({"title_en": "Electric\x00buses"}),
        content_type="application/json",
        headers=bearer(admin_user),
    )
    assert api_error(response)["errors"].keys() == {"title_en"}
    assert Project.objects.get(pk=project.pk).title_en == "Electric buses"


# --- NUL: the pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/standards/hs/87%0004/",
        "/projects/?q=%00",
        "/directory/?q=%00",
        "/events/?page=%00",
        "/cases/?status=%00",
        "/standards/hs/search/?q=%00",
    ],
)
def test_a_nul_in_a_page_address_or_query_answers_the_error_page(client, owner, url):
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "contains a NUL character" in response.content.decode()


def test_a_nul_in_a_form_answers_the_error_page_naming_the_field(client, owner, enterprise):
    client.force_login(owner)
    response = client.post(
        "/projects/new/", {"owner": enterprise.pk, "title_en": "Bus", "description_en": "a\x00"}
    )
    assert response.status_code == 400
    assert "The field “description_en” contains a NUL character" in response.content.decode()
    assert not Project.objects.exists()


def test_a_nul_in_a_form_of_every_app_is_refused(client, owner, enterprise):
    client.force_login(owner)
    for url, data in [
        ("/cases/open/", {"title_en": NUL}),
        ("/directory/new/", {"name_en": NUL}),
        ("/events/new/", {"title_en": NUL}),
        ("/standards/assessments/new/", {"product_name": NUL}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 400, url
    assert not Event.objects.exists()
    assert not Profile.objects.exists()


# --- names and titles ----------------------------------------------------------------------


def test_a_bidirectional_override_in_a_project_title_is_refused_through_the_api(
    client, owner, enterprise
):
    response = client.post(
        "/api/portfolio/projects",
        json.dumps(
            {
                "owner_id": enterprise.pk,
                "title_en": f"Invoice {RLO}fdp.exe",
                "kind": "commercial",
                "sector": "ict",
            }
        ),
        content_type="application/json",
        headers=bearer(owner),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "title_en": [
            "“title_en” contains a bidirectional override (U+202E), which can disguise the "
            "text around it; remove it."
        ]
    }
    assert not Project.objects.exists()


def test_a_control_character_in_a_profile_name_is_refused_through_the_api(
    client, owner, enterprise
):
    response = client.post(
        "/api/directory/profiles",
        json.dumps({"organisation_id": enterprise.pk, "name_en": "Qingling\x1bMotors"}),
        content_type="application/json",
        headers=bearer(owner),
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "name_en": [
            "“name_en” contains a control character (U+001B); a name or a title is one line "
            "of plain text."
        ]
    }
    assert not Profile.objects.exists()


@pytest.mark.parametrize("character", ["\u202a", "\u202e", "\u2066", "\u2069", "\n", "\t"])
def test_every_bidirectional_control_and_line_break_is_refused_in_an_event_title(
    client, owner, enterprise, character
):
    response = client.post(
        "/api/events",
        json.dumps({"organiser": enterprise.pk, "title_en": f"Forum{character}2026"}),
        content_type="application/json",
        headers=bearer(owner),
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["title_en"]
    assert not Event.objects.exists()


def test_a_bidirectional_override_in_a_project_title_is_refused_on_the_form(
    client, owner, enterprise
):
    client.force_login(owner)
    response = client.post(
        "/projects/new/",
        {"owner": enterprise.pk, "title_en": f"Invoice {RLO}fdp.exe", "kind": "commercial"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["title_en"] == [
        "“Title (English)” contains a bidirectional override (U+202E), which can disguise "
        "the text around it; remove it."
    ]
    assert not Project.objects.exists()


def test_a_bidirectional_override_in_a_profile_name_is_refused_on_the_form(
    client, owner, enterprise
):
    client.force_login(owner)
    response = client.post(
        f"/directory/new/?organisation={enterprise.pk}",
        {"name_en": f"Qingling{RLO}", "visibility": "public"},
    )
    assert response.status_code == 400  # the form again, with the reason beside the field
    assert response.context["form"].errors["name_en"] == [
        "“Name (English)” contains a bidirectional override (U+202E), which can disguise "
        "the text around it; remove it."
    ]
    assert not Profile.objects.exists()


def test_chinese_and_accented_names_are_accepted():
    from corridor.core.validators import name_text_problem

    for name in ["庆铃汽车", "Société Générale", "O'Brien & Co.", "מוטורוויי", "شركة"]:
        assert name_text_problem(name, "name_en") == ""


# --- numbers and addresses the database or the router cannot take --------------------------


def test_an_organisation_id_too_large_for_the_database_is_a_field_error(
    client, admin_user, enterprise
):
    project = ProjectFactory(owner=enterprise)
    response = client.patch(
        f"/api/portfolio/projects/{project.pk}",
        json.dumps(
            {
                "parties": [{"organisation_id": 2**70, "role": "partner"}],
                "version": project.version,
            }
        ),
        content_type="application/json",
        headers=bearer(admin_user),
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["parties.0.organisation_id"]


@pytest.mark.parametrize(
    "url", ["/api/portfolio/projects/-1", "/api/standards/hs/87/04", "/api/nothing-here"]
)
def test_an_api_address_that_names_no_operation_answers_404_in_json(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


def test_a_page_address_that_names_nothing_keeps_the_sites_page(client):
    response = client.get("/projects/-1/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_session_time_sent_with_an_offset_is_read_on_the_initiatives_clock(
    client, owner, enterprise
):
    response = client.post(
        "/api/events",
        json.dumps(
            {
                "organiser": enterprise.pk,
                "title_en": "Forum",
                "sessions": [
                    {
                        "date": "2026-03-10",
                        "part": "am",
                        "starts_at": "01:00:00Z",
                        "ends_at": "10:00:00+08:00",
                    }
                ],
            }
        ),
        content_type="application/json",
        headers=bearer(owner),
    )
    assert response.status_code == 201, response.content
    session = response.json()["sessions"][0]
    assert (session["starts_at"], session["ends_at"]) == ("09:00:00", "10:00:00")
