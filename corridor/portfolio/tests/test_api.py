"""The portfolio's JSON API, driven the way a client would: tokens, sessions, anonymous reads."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from corridor.accounts.services import api_token_create, api_token_revoke
from corridor.core.audit import audit_entries_for
from corridor.core.models import AuditEntry
from corridor.portfolio.models import Project, ProjectStatusChange
from corridor.testing.factories import (
    FxRateFactory,
    InnovationFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectPartyFactory,
    PublishedFigureFactory,
    sector,
)

PROJECTS = "/api/portfolio/projects"


def bearer(user) -> dict[str, str]:
    _token, raw = api_token_create(actor=user, label="test client")
    return {"Authorization": f"Bearer {raw}"}


def post_json(client, url, body, **kwargs):
    return client.post(url, json.dumps(body), content_type="application/json", **kwargs)


def patch_json(client, url, body, **kwargs):
    return client.patch(url, json.dumps(body), content_type="application/json", **kwargs)


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def row(project: Project) -> dict:
    """Everything stored about a project, to compare before and after a refused request."""
    return model_to_dict(Project.objects.get(pk=project.pk))


def new_project_body(owner_id: int, **changes) -> dict:
    body = {
        "owner_id": owner_id,
        "title_en": "Electric vans for Singapore",
        "title_zh": "新能源商用车出口新加坡",
        "kind": "commercial",
        "sector": "transport-logistics",
        "value": "12500000.00",
        "currency": "SGD",
        "signed_on": "2024-03-15",
        "location_en": "Chongqing",
        "location_zh": "重庆",
    }
    body.update(changes)
    return body


@pytest.fixture
def sgd_rate(db):
    return FxRateFactory(
        currency="SGD",
        date=datetime.date(2024, 1, 2),
        usd_per_unit=Decimal("0.7500000000"),
        source="MAS exchange rates, 2 January 2024",
    )


@pytest.fixture
def own_project(enterprise):
    """An unpublished project recorded by the owner's organisation."""
    return ProjectFactory(owner=enterprise, title_en="Own draft", is_published=False)


# --- reading: anonymous, members, administrators --------------------------------------------


def test_anonymous_visitors_list_only_published_projects(client, enterprise):
    published = ProjectFactory(owner=enterprise, is_published=True)
    ProjectFactory(owner=enterprise, is_published=False)
    response = client.get(PROJECTS)
    assert response.status_code == 200
    assert ids(response) == [published.pk]
    assert response.json()["count"] == 1


def test_an_unpublished_project_answers_404_like_one_that_does_not_exist(client, own_project):
    hidden = client.get(f"{PROJECTS}/{own_project.pk}")
    missing = client.get(f"{PROJECTS}/{own_project.pk + 1000}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == {
        "detail": f"No project has the id “{own_project.pk}”.",
        "errors": {},
    }
    assert missing.json()["detail"] == f"No project has the id “{own_project.pk + 1000}”."


def test_a_member_sees_its_own_unpublished_project_and_an_outsider_does_not(
    client, owner, outsider, own_project
):
    assert ids(client.get(PROJECTS, headers=bearer(owner))) == [own_project.pk]
    assert ids(client.get(PROJECTS, headers=bearer(outsider))) == []
    assert client.get(f"{PROJECTS}/{own_project.pk}", headers=bearer(outsider)).status_code == 404


def test_administrators_see_unpublished_projects(client, admin_user, own_project):
    response = client.get(f"{PROJECTS}/{own_project.pk}", headers=bearer(admin_user))
    assert response.status_code == 200
    assert response.json()["title_en"] == "Own draft"


def test_project_detail_gives_money_with_its_dated_rate_and_both_languages(client, sgd_rate):
    project = ProjectFactory(
        title_en="Raffles City Chongqing",
        title_zh="重庆来福士",
        value=Decimal("2000000.00"),
        currency="SGD",
        value_usd=Decimal("1500000.00"),
        counted_value_usd=Decimal("1500000.00"),
        fx_rate=sgd_rate,
        signed_on=datetime.date(2024, 5, 1),
    )
    party = ProjectPartyFactory(project=project, role="investor")
    body = client.get(f"{PROJECTS}/{project.pk}").json()
    assert body["title_en"] == "Raffles City Chongqing"
    assert body["title_zh"] == "重庆来福士"
    assert body["value"] == "2000000.00"
    assert body["currency"] == "SGD"
    assert body["value_usd"] == "1500000.00"
    assert body["fx_rate"] == {
        "currency": "SGD",
        "date": "2024-01-02",
        "rate": "0.7500000000",
        "source": "MAS exchange rates, 2 January 2024",
    }
    assert body["sector"]["code"] == "ict"
    assert body["parties"] == [
        {
            "organisation": {
                "id": party.organisation.pk,
                "name_en": party.organisation.name_en,
                "name_zh": party.organisation.name_zh,
                "kind": "enterprise",
                "country": "SG",
            },
            "role": "investor",
        }
    ]


# --- authentication ---------------------------------------------------------------------------


def test_a_token_creates_a_project_for_the_members_organisation(
    client, owner, enterprise, sgd_rate
):
    response = post_json(client, PROJECTS, new_project_body(enterprise.pk), headers=bearer(owner))
    assert response.status_code == 201, response.content
    body = response.json()
    project = Project.objects.get(pk=body["id"])
    assert project.owner == enterprise
    assert project.title_zh == "新能源商用车出口新加坡"
    assert body["value"] == "12500000.00"
    assert body["value_usd"] == "9375000.00"
    assert body["fx_rate"]["date"] == "2024-01-02"
    assert body["status"] == "signed"
    assert body["is_published"] is False
    entry = audit_entries_for(project).get(action="create")
    assert entry.actor == owner


def test_anonymous_visitors_cannot_create_a_project(enterprise):
    # A visitor without a session is told to authenticate (401), not about CSRF (403).
    response = post_json(
        Client(enforce_csrf_checks=True), PROJECTS, new_project_body(enterprise.pk)
    )
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]
    assert Project.objects.count() == 0


def test_a_revoked_token_is_refused_even_for_public_reads(client, owner, enterprise):
    token, raw = api_token_create(actor=owner, label="laptop")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(PROJECTS, headers=headers).status_code == 200
    api_token_revoke(actor=owner, token_id=token.pk)
    assert client.get(PROJECTS, headers=headers).status_code == 401
    response = post_json(client, PROJECTS, new_project_body(enterprise.pk), headers=headers)
    assert response.status_code == 401
    assert Project.objects.count() == 0


def test_a_session_write_needs_the_csrf_token(owner, enterprise):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    assert browser.get(PROJECTS).status_code == 200  # reads need no CSRF token

    refused = post_json(browser, PROJECTS, new_project_body(enterprise.pk))
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert Project.objects.count() == 0

    browser.get(reverse("accounts:login"))  # any page with a form sets the CSRF cookie
    csrf_token = browser.cookies["csrftoken"].value
    accepted = post_json(
        browser, PROJECTS, new_project_body(enterprise.pk), headers={"X-CSRFToken": csrf_token}
    )
    assert accepted.status_code == 201
    assert Project.objects.get().owner == enterprise


# --- permissions: changing -------------------------------------------------------------------


def test_an_outsider_cannot_patch_another_organisations_project(client, outsider, enterprise):
    project = ProjectFactory(owner=enterprise, is_published=True)
    before = row(project)
    response = patch_json(
        client,
        f"{PROJECTS}/{project.pk}",
        {"title_en": "Taken over", "version": 1},
        headers=bearer(outsider),
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "You can only change projects your organisation recorded."
    assert row(project) == before
    assert not audit_entries_for(project).exists()


def test_an_outsider_cannot_change_the_status_of_another_organisations_project(
    client, outsider, enterprise
):
    project = ProjectFactory(owner=enterprise, is_published=True)
    before = row(project)
    response = post_json(
        client,
        f"{PROJECTS}/{project.pk}/transitions",
        {"to_status": "terminated", "on": "2024-01-01", "reason": "Sabotage"},
        headers=bearer(outsider),
    )
    assert response.status_code == 403
    assert row(project) == before
    assert not ProjectStatusChange.objects.filter(project=project).exists()


def test_an_outsider_gets_404_for_an_unpublished_project_it_tries_to_change(
    client, outsider, own_project
):
    before = row(own_project)
    response = patch_json(
        client,
        f"{PROJECTS}/{own_project.pk}",
        {"title_en": "x", "version": 1},
        headers=bearer(outsider),
    )
    assert response.status_code == 404
    assert row(own_project) == before


def test_a_member_updates_its_own_project_and_unspecified_fields_keep_their_values(
    client, owner, enterprise, sgd_rate
):
    created = post_json(client, PROJECTS, new_project_body(enterprise.pk), headers=bearer(owner))
    project_id = created.json()["id"]
    response = patch_json(
        client,
        f"{PROJECTS}/{project_id}",
        {"title_en": "Electric vans for Singapore, phase 1", "version": 1},
        headers=bearer(owner),
    )
    assert response.status_code == 200, response.content
    project = Project.objects.get(pk=project_id)
    assert project.title_en == "Electric vans for Singapore, phase 1"
    assert project.title_zh == "新能源商用车出口新加坡"
    assert project.value == Decimal("12500000.00")
    assert project.currency == "SGD"
    assert project.sector.code == "transport-logistics"
    assert project.signed_on == datetime.date(2024, 3, 15)
    assert project.location_zh == "重庆"
    update = audit_entries_for(project).get(action="update")
    assert update.changes == {
        "title_en": ["Electric vans for Singapore", "Electric vans for Singapore, phase 1"]
    }


def test_a_patch_can_clear_the_value_and_set_parties(client, owner, enterprise, other_enterprise):
    project = ProjectFactory(owner=enterprise, is_published=False)
    response = patch_json(
        client,
        f"{PROJECTS}/{project.pk}",
        {
            "version": 1,
            "value": None,
            "currency": "",
            "parties": [
                {"organisation_id": enterprise.pk, "role": "initiator"},
                {"organisation_id": other_enterprise.pk, "role": "counterpart"},
            ],
        },
        headers=bearer(owner),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["value"] is None
    assert body["value_usd"] is None
    assert body["lead_side"] == "china"  # the initiator is in Chongqing
    assert sorted(p["role"] for p in body["parties"]) == ["counterpart", "initiator"]


def test_a_member_moves_its_project_along_the_workflow(client, owner, enterprise):
    """Before the project is published; afterwards the change waits (test_revisions.py)."""
    project = ProjectFactory(
        owner=enterprise, signed_on=datetime.date(2024, 1, 10), is_published=False
    )
    response = post_json(
        client,
        f"{PROJECTS}/{project.pk}/transitions",
        {"to_status": "in_progress", "on": "2024-02-01", "reason": "Construction started"},
        headers=bearer(owner),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "in_progress"
    assert body["status_changed_on"] == "2024-02-01"
    assert body["status_changes"][-1] == {
        "from_status": "signed",
        "to_status": "in_progress",
        "on": "2024-02-01",
        "reason": "Construction started",
    }


def test_an_administrator_publishes_and_anonymous_visitors_then_see_the_project(
    client, admin_user, own_project
):
    response = post_json(
        client,
        f"{PROJECTS}/{own_project.pk}/publish",
        {"published": True},
        headers=bearer(admin_user),
    )
    assert response.status_code == 200
    assert response.json()["is_published"] is True
    assert ids(client.get(PROJECTS)) == [own_project.pk]


def test_a_member_cannot_publish_even_its_own_project(client, owner, own_project):
    before = row(own_project)
    response = post_json(
        client, f"{PROJECTS}/{own_project.pk}/publish", {"published": True}, headers=bearer(owner)
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the initiative's administrators can publish projects."
    assert row(own_project) == before
    assert ids(client.get(PROJECTS)) == []


def test_a_member_cannot_record_a_project_for_another_organisation(client, outsider, enterprise):
    response = post_json(
        client, PROJECTS, new_project_body(enterprise.pk), headers=bearer(outsider)
    )
    assert response.status_code == 403
    assert Project.objects.count() == 0


# --- bad input: 4xx with the field and the reason, never 500 --------------------------------


def test_malformed_json_is_refused_with_a_json_400(client, owner):
    response = client.post(
        PROJECTS, "{title_en: oops", content_type="application/json", headers=bearer(owner)
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body is not valid JSON; send a JSON object.",
        "errors": {},
    }


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"value": "abc"}, "value", "“abc” is not a number."),
        ({"value": "NaN"}, "value", "“NaN” is not a number."),
        ({"value": "-5"}, "value", "The value cannot be negative."),
        (
            {"value": "1e30"},
            "value",
            "The value is too large; give it in units of its currency, "
            "below 100,000,000,000,000,000.",
        ),
        ({"currency": "XYZ"}, "currency", "“XYZ” is not an ISO 4217 currency code."),
        ({"signed_on": "2999-01-01"}, "signed_on", "The signing date cannot be in the future."),
        ({"kind": "barter"}, "kind", None),
        ({"status": "flying"}, "status", None),
        ({"sector": "space-mining"}, "sector", None),
        ({"parent_id": 999999}, "parent_id", "No project has the id “999999”."),
        ({"title_en": "x" * 301}, "title_en", None),
        ({"title_en": "nul\x00byte"}, "title_en", None),
        ({"external_id": "x" * 151}, "external_id", None),
        (
            {"source_url": "not a web address"},
            "source_url",
            "“not a web address” is not a web address.",
        ),
        ({"parties": [{"organisation_id": 999999, "role": "investor"}]}, "parties", None),
        (
            {"parties": [{"organisation_id": None, "role": "sponsor"}]},
            "parties.0.organisation_id",
            None,
        ),
    ],
)
def test_bad_fields_are_named_with_the_reason_and_nothing_is_written(
    client, owner, enterprise, changes, field, message
):
    response = post_json(
        client, PROJECTS, new_project_body(enterprise.pk, **changes), headers=bearer(owner)
    )
    assert response.status_code in (400, 422), response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    if message is not None:
        assert errors[field] == [message]
    assert Project.objects.count() == 0
    assert not AuditEntry.objects.filter(action="create", target_type__model="project").exists()


def test_an_unknown_sector_is_named_in_a_400(client, owner, enterprise):
    response = post_json(
        client,
        PROJECTS,
        new_project_body(enterprise.pk, sector="space-mining"),
        headers=bearer(owner),
    )
    assert response.status_code == 400
    assert response.json()["errors"]["sector"][0].startswith("“space-mining” is not a sector")


def test_a_wrong_type_for_a_date_is_a_422_naming_the_field(client, owner, enterprise):
    response = post_json(
        client,
        PROJECTS,
        new_project_body(enterprise.pk, signed_on="last Tuesday"),
        headers=bearer(owner),
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["signed_on"]


def test_the_status_cannot_be_patched_only_transitioned(client, owner, own_project):
    before = row(own_project)
    response = patch_json(
        client,
        f"{PROJECTS}/{own_project.pk}",
        {"status": "completed", "version": 1},
        headers=bearer(owner),
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["status"]
    assert row(own_project) == before


def test_an_unknown_owner_organisation_is_named(client, owner):
    response = post_json(client, PROJECTS, new_project_body(999999), headers=bearer(owner))
    assert response.status_code == 400
    assert response.json()["errors"] == {"owner_id": ["No organisation has the id “999999”."]}


@pytest.mark.parametrize(
    "body, field, message",
    [
        (
            {"to_status": "in_progress", "on": "2024-02-01", "reason": "Back to work"},
            "to_status",
            "A project that is “completed” cannot become “in progress”.",
        ),
        (
            {"to_status": "teleported", "on": "2024-02-01", "reason": "?"},
            "to_status",
            "A project that is “completed” cannot become “teleported”.",
        ),
        (
            {"to_status": "terminated", "on": "2999-01-01", "reason": "Later"},
            "on",
            "Give the date of the change; it cannot be in the future.",
        ),
        (
            {"to_status": "terminated", "reason": "No date"},
            "on",
            "Give the date of the change; it cannot be in the future.",
        ),
        ({"to_status": "terminated", "on": "2024-02-01"}, "reason", "Say why the status changes."),
    ],
)
def test_a_refused_transition_names_the_reason_and_changes_nothing(
    client, owner, enterprise, body, field, message
):
    project = ProjectFactory(
        owner=enterprise, status="completed", status_changed_on=datetime.date(2024, 1, 1)
    )
    before = row(project)
    response = post_json(
        client, f"{PROJECTS}/{project.pk}/transitions", body, headers=bearer(owner)
    )
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]
    assert row(project) == before
    assert not ProjectStatusChange.objects.filter(project=project).exists()


@pytest.mark.parametrize(
    "query",
    [
        "kind=barter",
        "status=flying",
        "year=abc",
        "page=0",
        "page=abc",
        "page=99999999999999999999",
        "published=maybe",
    ],
)
def test_bad_filters_are_a_422(client, db, query):
    response = client.get(f"{PROJECTS}?{query}")
    assert response.status_code == 422
    assert response.json()["detail"] == "The request has errors."


def test_an_unknown_sector_filter_is_a_400(client, db):
    response = client.get(f"{PROJECTS}?sector=space-mining")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["sector"]


def test_a_huge_project_id_is_a_404(client, db):
    assert client.get(f"{PROJECTS}/99999999999999999999999").status_code == 404


# --- lists: pagination, filters, query count ---------------------------------------------------


def test_pagination_metadata(client, enterprise):
    ProjectFactory.create_batch(55, owner=enterprise)
    first = client.get(PROJECTS).json()
    assert (first["count"], first["page"], first["page_size"], first["pages"]) == (55, 1, 50, 2)
    assert len(first["items"]) == 50
    second = client.get(f"{PROJECTS}?page=2").json()
    assert len(second["items"]) == 5
    assert not set(ids_of(first)) & set(ids_of(second))
    beyond = client.get(f"{PROJECTS}?page=3").json()
    assert beyond["items"] == []


def ids_of(body: dict) -> list[int]:
    return [item["id"] for item in body["items"]]


def test_filters_return_exactly_the_matching_projects(client, admin_user, enterprise):
    china = OrganisationFactory(country="CN")
    vans = ProjectFactory(
        owner=enterprise,
        title_en="Electric vans",
        title_zh="电动货车",
        kind="commercial",
        status="in_progress",
        sector=sector("transport-logistics"),
        lead_side="china",
        signed_on=datetime.date(2024, 3, 1),
    )
    channel = ProjectFactory(
        owner=china,
        title_en="International Data Channel",
        title_zh="国际数据通道",
        kind="g2g",
        status="completed",
        sector=sector("ict"),
        lead_side="joint",
        signed_on=datetime.date(2019, 9, 1),
    )
    draft = ProjectFactory(
        owner=enterprise,
        title_en="Cold-chain pilot",
        kind="g2b",
        sector=sector("agriculture-food"),
        lead_side="singapore",
        signed_on=datetime.date(2024, 6, 1),
        is_published=False,
    )
    headers = bearer(admin_user)

    def found(query: str) -> set[int]:
        response = client.get(f"{PROJECTS}?{query}", headers=headers)
        assert response.status_code == 200, response.content
        return set(ids(response))

    assert found("kind=g2g") == {channel.pk}
    assert found("status=in_progress") == {vans.pk}
    assert found("sector=ict") == {channel.pk}
    assert found("side=singapore") == {draft.pk}
    assert found("year=2024") == {vans.pk, draft.pk}
    assert found("q=data+channel") == {channel.pk}
    assert found("q=电动") == {vans.pk}
    assert found("published=false") == {draft.pk}
    assert found("published=true") == {vans.pk, channel.pk}
    assert found("year=2024&kind=commercial") == {vans.pk}
    assert found("sector=health") == set()
    ordered = client.get(f"{PROJECTS}?sort=signed_on", headers=headers)
    assert ids(ordered) == [channel.pk, vans.pk, draft.pk]


def _list_queries(client, headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PROJECTS, headers=headers)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["anonymous", "owner"])
def test_the_list_runs_a_fixed_number_of_queries(client, request, enterprise, who):
    headers = {} if who == "anonymous" else bearer(request.getfixturevalue("owner"))
    for _ in range(5):
        ProjectPartyFactory(project=ProjectFactory(owner=enterprise), organisation=enterprise)
    few = _list_queries(client, headers)
    for _ in range(25):
        project = ProjectFactory(owner=enterprise, parent=ProjectFactory(owner=enterprise))
        ProjectPartyFactory(project=project)
        ProjectPartyFactory(project=project, role="investor")
    many = _list_queries(client, headers)
    assert few == many
    # count + page + parties; a token adds its lookup, its last-used stamp and the memberships.
    assert many == (3 if who == "anonymous" else 6)


# --- innovations, figures, dashboard, sectors -------------------------------------------------


def test_anonymous_visitors_see_only_published_innovations(client, db):
    published = InnovationFactory(title_en="Land-sea new trade corridor bill of lading")
    hidden = InnovationFactory(is_published=False)
    response = client.get("/api/portfolio/innovations")
    assert [item["id"] for item in response.json()["items"]] == [published.pk]
    assert response.json()["items"][0]["title_zh"] == published.title_zh
    assert client.get(f"/api/portfolio/innovations/{hidden.pk}").status_code == 404
    assert client.get(f"/api/portfolio/innovations/{published.pk}").status_code == 200


def test_published_figures_stand_beside_the_registrys_own(client, enterprise):
    PublishedFigureFactory(value=Decimal("347"), as_of=datetime.date(2025, 11, 7))
    ProjectFactory.create_batch(2, owner=enterprise, signed_on=datetime.date(2020, 1, 1))
    ProjectFactory(owner=enterprise, signed_on=datetime.date(2020, 1, 1), is_published=False)
    [comparison] = client.get("/api/portfolio/figures").json()
    assert comparison["figure"]["value"] == "347.00"
    assert comparison["figure"]["scope_zh"] == "政府和商业合作项目"
    assert Decimal(comparison["registry"]) == 2  # anonymous: published projects only
    assert Decimal(comparison["difference"]) == -345


def test_the_dashboard_counts_a_sub_projects_value_once(client, enterprise):
    framework = ProjectFactory(owner=enterprise, value=Decimal("1000"), kind="g2g")
    ProjectFactory(
        owner=enterprise,
        parent=framework,
        value=Decimal("400"),
        counted_value_usd=Decimal("0"),
        kind="commercial",
    )
    ProjectFactory(owner=enterprise, value=Decimal("999"), is_published=False)
    response = client.get("/api/portfolio/dashboard")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["totals"] == {
        "projects": 2,
        "value_usd": "1000.00",
        "without_value": 0,
        "sub_projects": 1,
    }
    by_kind = {row["code"]: (row["projects"], Decimal(row["value_usd"])) for row in body["by_kind"]}
    assert by_kind["g2g"] == (1, Decimal("1000"))
    assert by_kind["commercial"] == (1, Decimal("0"))
    filtered = client.get("/api/portfolio/dashboard?kind=g2g").json()
    assert filtered["totals"]["projects"] == 1


def test_sectors_list_the_priority_sectors_first(client, db):
    sectors = client.get("/api/portfolio/sectors").json()
    assert [s["code"] for s in sectors[:4]] == [
        "financial-services",
        "aviation",
        "transport-logistics",
        "ict",
    ]
    assert sectors[0]["name_zh"] == "金融服务"
    assert len(sectors) == 13  # twelve, then trade and commerce (core migration 0004)


# --- documentation -----------------------------------------------------------------------------


def test_the_openapi_schema_lists_the_portfolio_paths(client, db):
    schema = client.get("/api/openapi.json").json()
    for path in [
        "/api/portfolio/projects",
        "/api/portfolio/projects/{project_id}",
        "/api/portfolio/projects/{project_id}/transitions",
        "/api/portfolio/projects/{project_id}/publish",
        "/api/portfolio/innovations",
        "/api/portfolio/figures",
        "/api/portfolio/dashboard",
        "/api/portfolio/sectors",
    ]:
        assert path in schema["paths"], path
    assert set(schema["paths"]["/api/portfolio/projects/{project_id}"]) == {"get", "patch"}


def test_the_api_documentation_page_renders(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_dates_in_the_future_are_measured_in_local_time(client, owner, enterprise):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = post_json(
        client,
        PROJECTS,
        new_project_body(enterprise.pk, signed_on=tomorrow.isoformat()),
        headers=bearer(owner),
    )
    assert response.status_code == 400
    today = post_json(
        client,
        PROJECTS,
        new_project_body(enterprise.pk, signed_on=timezone.localdate().isoformat()),
        headers=bearer(owner),
    )
    assert today.status_code == 201
