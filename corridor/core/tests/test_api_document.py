"""The OpenAPI document at /api/openapi.json tells the truth: every app's schemas keep their
own names (the portfolio's answers are not documented with the cases' shapes), the public
reads say that they need no credentials, errors are documented, and date-times carry their
offset."""

import datetime
import re

import pytest

from corridor.accounts.services import api_token_create
from corridor.api import api
from corridor.events.models import Event, Session
from corridor.testing.factories import (
    InnovationFactory,
    ProjectFactory,
    ProjectPartyFactory,
    PublishedFigureFactory,
)

pytestmark = pytest.mark.django_db

OFFSET = re.compile(r"(Z|[+-]\d\d:\d\d)$")


@pytest.fixture
def document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def resolve(document, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def assert_documented(document, schema: dict, value, where: str = "") -> None:
    """`value` has exactly the fields its documented schema names, all the way down."""
    schema = resolve(document, schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [resolve(document, o) for o in schema[key]]
            if value is None:
                assert any(o.get("type") == "null" for o in options), where
                return
            options = [o for o in options if o.get("type") != "null"]
            assert len(options) == 1, where
            return assert_documented(document, options[0], value, where)
    if "allOf" in schema:
        return assert_documented(document, schema["allOf"][0], value, where)
    if schema.get("type") == "object" and "properties" in schema:
        assert isinstance(value, dict), where
        assert set(value) == set(schema["properties"]), (
            f"{where or 'the answer'}: answers {sorted(value)}, "
            f"documented {sorted(schema['properties'])} ({schema.get('title')})"
        )
        for name, item in value.items():
            assert_documented(document, schema["properties"][name], item, f"{where}.{name}")
    elif schema.get("type") == "array":
        assert isinstance(value, list), where
        for index, item in enumerate(value):
            assert_documented(document, schema["items"], item, f"{where}[{index}]")
    elif schema.get("format") == "date-time":
        assert OFFSET.search(value), f"{where}: {value} has no offset"


def response_schema(document, path: str, method: str = "get", status: str = "200") -> dict:
    return document["paths"][path][method]["responses"][status]["content"]["application/json"][
        "schema"
    ]


def test_no_two_schemas_share_a_name():
    clashes = api.get_openapi_schema().schema_clashes
    assert clashes == {}, f"schemas named alike but shaped differently: {sorted(clashes)}"


def test_published_figures_answer_even_when_a_figure_was_never_checked(client, document):
    """A published figure's `checked_on` may be empty; the list answered 500 for it."""
    PublishedFigureFactory(checked_on=None)
    response = client.get("/api/portfolio/figures")
    assert response.status_code == 200
    assert response.json()[0]["figure"]["checked_on"] is None
    assert_documented(
        document, response_schema(document, "/api/portfolio/figures"), response.json()
    )


def test_the_portfolio_answers_are_documented_with_the_portfolio_shapes(
    client, document, enterprise, other_enterprise
):
    project = ProjectFactory(owner=enterprise, is_published=True)
    ProjectPartyFactory(project=project, organisation=other_enterprise)
    project.milestones.create(title_en="Line opened", title_zh="开通")
    InnovationFactory().agencies.add(enterprise)

    detail = client.get(f"/api/portfolio/projects/{project.pk}").json()
    assert detail["owner"]["kind"] == "enterprise"
    assert detail["parties"][0]["organisation"]["name_en"] == "Motorway Group"
    for path, url in [
        ("/api/portfolio/projects/{project_id}", f"/api/portfolio/projects/{project.pk}"),
        ("/api/portfolio/projects", "/api/portfolio/projects"),
        ("/api/portfolio/innovations", "/api/portfolio/innovations"),
        ("/api/portfolio/dashboard", "/api/portfolio/dashboard"),
        ("/api/portfolio/sectors", "/api/portfolio/sectors"),
    ]:
        answer = client.get(url).json()
        assert_documented(document, response_schema(document, path), answer, path)


def test_each_app_documents_its_own_kinds_and_statuses(document):
    def choices(path: str, name: str) -> list[str]:
        for parameter in document["paths"][path]["get"]["parameters"]:
            if parameter["name"] == name:
                schema = parameter["schema"]
                options = [resolve(document, o) for o in schema.get("anyOf", [schema])]
                return next(o["enum"] for o in options if "enum" in o)
        raise AssertionError(f"{path} has no parameter {name}")

    assert "draft" in choices("/api/cases/cases", "status")
    assert "draft" not in choices("/api/portfolio/projects", "status")
    assert choices("/api/cases/cases", "kind") == ["enterprise", "regional"]
    assert "enterprise" not in choices("/api/portfolio/projects", "kind")


PUBLIC_READS = [
    "/api/portfolio/projects",
    "/api/portfolio/projects/{project_id}",
    "/api/portfolio/innovations",
    "/api/portfolio/innovations/{innovation_id}",
    "/api/portfolio/figures",
    "/api/portfolio/dashboard",
    "/api/portfolio/sectors",
    "/api/standards/hs",
    "/api/standards/hs/{code}",
    "/api/directory/profiles",
    "/api/directory/profiles/{profile_id}",
    "/api/events",
    "/api/events/{event_id}",
    "/api/results/indicators",
    "/api/results/indicators/{indicator_id}",
    "/api/results/indicators/{indicator_id}/targets",
    "/api/results/indicators/{indicator_id}/actuals",
]


def test_public_reads_need_no_credentials_and_the_others_do(client, document):
    public = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            security = operation.get("security", [])
            if {} in security:
                public.add(path)
                assert method == "get", path
            else:
                assert security, f"{method} {path} documents no security at all"
    assert public == set(PUBLIC_READS)
    for path in PUBLIC_READS:
        if "{" not in path:
            assert (
                client.get(path, {"q": "bus"} if path == "/api/standards/hs" else {}).status_code
                == 200
            )


def test_errors_are_documented_and_answered_as_documented(client, document, owner):
    _token, raw = api_token_create(actor=owner, label="test client")
    response = client.get(
        "/api/portfolio/projects/999999", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 404
    schema = document["paths"]["/api/portfolio/projects/{project_id}"]["get"]["responses"]["4XX"]
    assert_documented(document, schema["content"]["application/json"]["schema"], response.json())


def test_meeting_slots_carry_the_events_offset(client, document, enterprise, admin_user):
    event = Event.objects.create(
        organiser=enterprise, title_en="Forum", is_published=True, slot_minutes=20, tables=2
    )
    Session.objects.create(
        event=event,
        date=datetime.date(2026, 3, 10),
        part="am",
        starts_at=datetime.time(9, 0),
        ends_at=datetime.time(10, 0),
    )
    answer = client.get(f"/api/events/{event.pk}").json()
    assert answer["slots"][0] == {
        "index": 1,
        "starts_at": "2026-03-10T09:00:00+08:00",
        "ends_at": "2026-03-10T09:20:00+08:00",
    }
    assert_documented(document, response_schema(document, "/api/events/{event_id}"), answer)
