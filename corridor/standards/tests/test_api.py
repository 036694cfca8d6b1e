"""The readiness-assessment API, driven the way a client would: tokens and JSON."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.accounts.services import api_token_create
from corridor.core.models import AuditEntry
from corridor.standards import services
from corridor.standards.models import ReadinessAssessment
from corridor.standards.tests.test_services import (  # noqa: F401
    PORK,
    PORK_ROADMAP,
    VAN,
    VAN_STATUSES,
    story_kb,
)

pytestmark = pytest.mark.django_db

ASSESSMENTS = "/api/standards/assessments"


def bearer(user) -> dict[str, str]:
    _token, raw = api_token_create(actor=user, label="test client")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post_json(client, url, body, **kwargs):
    return client.post(url, json.dumps(body), content_type="application/json", **kwargs)


def body_for(story: dict, organisation, **changes) -> dict:
    return {"organisation_id": organisation.pk, **story, **changes}


def test_create_the_van_assessment(client, story_kb, owner, enterprise):  # noqa: F811
    response = post_json(client, ASSESSMENTS, body_for(VAN, enterprise), **bearer(owner))

    assert response.status_code == 201
    data = response.json()
    assert data["organisation"]["id"] == enterprise.pk
    assert data["product_name"] == "EQ2 electric van"
    assert [(r["id"], r["status"]) for r in data["result"]["requirements"]] == VAN_STATUSES
    first = data["result"]["requirements"][0]
    assert first["title"] == "Vehicle type approval (LTA)"
    assert first["reason_code"] == "held_equivalent"
    assert first["reason"].startswith("Met by a recognised equivalent:")
    assert first["checked_on"] == "2026-11-21"
    assert [s["id"] for s in data["result"]["roadmap"]] == [
        "sg-lta-registration-inspection",
        "sg-tradenet-permit-vehicle",
    ]
    assert data["result"]["duration_days"] == [6, 11, 23]
    assert data["report_url"] == f"{ASSESSMENTS}/{data['id']}/report.pdf"
    assert ReadinessAssessment.objects.get().pk == data["id"]


def test_create_the_pork_assessment_in_chinese(client, story_kb, owner, enterprise):  # noqa: F811
    response = post_json(
        client,
        ASSESSMENTS,
        body_for(PORK, enterprise),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **bearer(owner),
    )
    assert response.status_code == 201
    roadmap = response.json()["result"]["roadmap"]
    assert [s["id"] for s in roadmap] == PORK_ROADMAP
    assert roadmap[0]["title"] == "出口地区认可"
    assert roadmap[-1]["after"] == ["sg-sfa-health-certificate", "sg-sfa-trader-licence"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hs_code": "999999"}, "hs_code"),
        ({"attributes": {"max_laden_weight_kg": "heavy"}}, "attributes.max_laden_weight_kg"),
        ({"attributes": {"wheels": 4}}, "attributes.wheels"),
        ({"destination": "XX"}, "destination"),
        ({"held": ["forged-paper"]}, "held"),
        ({"organisation_id": 999999}, "organisation_id"),
    ],
)
def test_bad_input_answers_400_with_the_field(
    client,
    story_kb,  # noqa: F811
    owner,
    enterprise,
    changes,
    field,
):
    response = post_json(client, ASSESSMENTS, body_for(VAN, enterprise, **changes), **bearer(owner))

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert ReadinessAssessment.objects.count() == 0


def test_an_unknown_market_is_explained(client, story_kb, owner, enterprise):  # noqa: F811
    response = post_json(
        client, ASSESSMENTS, body_for(VAN, enterprise, destination="XX"), **bearer(owner)
    )
    assert response.json()["errors"] == {
        "destination": [
            "Destination market: the knowledge base has no requirements for “XX”; choose one "
            "of CN, SG."
        ]
    }


def test_a_body_of_the_wrong_shape_answers_422(client, story_kb, owner, enterprise):  # noqa: F811
    response = post_json(
        client, ASSESSMENTS, body_for(VAN, enterprise, held="eu-coc"), **bearer(owner)
    )
    assert response.status_code == 422
    assert "held" in response.json()["errors"]
    assert ReadinessAssessment.objects.count() == 0


def test_an_outsider_cannot_create_for_another_organisation(
    client,
    story_kb,  # noqa: F811
    outsider,
    enterprise,
):
    headers = bearer(outsider)
    audit_entries = AuditEntry.objects.count()
    response = post_json(client, ASSESSMENTS, body_for(VAN, enterprise), **headers)
    assert response.status_code == 403
    assert response.json()["detail"] == "You can only make assessments for your own organisation."
    assert ReadinessAssessment.objects.count() == 0
    assert AuditEntry.objects.count() == audit_entries


def test_anonymous_requests_answer_401(client, story_kb, enterprise):  # noqa: F811
    assert post_json(client, ASSESSMENTS, body_for(VAN, enterprise)).status_code == 401
    assert client.get(ASSESSMENTS).status_code == 401
    assert ReadinessAssessment.objects.count() == 0


@pytest.fixture
def van(story_kb, owner, enterprise):  # noqa: F811
    return services.assessment_create(actor=owner, organisation=enterprise, **VAN)


def test_list_shows_only_visible_assessments(
    client,
    van,
    story_kb,  # noqa: F811
    outsider,
    other_enterprise,
    facilitator,  # noqa: F811
):
    theirs = services.assessment_create(actor=outsider, organisation=other_enterprise, **PORK)

    mine = client.get(ASSESSMENTS, **bearer(outsider)).json()
    assert [item["id"] for item in mine["items"]] == [theirs.pk]
    assert mine["count"] == 1
    everyone = client.get(ASSESSMENTS, **bearer(facilitator)).json()
    assert [item["id"] for item in everyone["items"]] == [theirs.pk, van.pk]
    assert everyone["items"][1]["duration_days"] == [6, 11, 23]


def test_list_query_count_does_not_grow_with_rows(client, van, story_kb, owner, enterprise):  # noqa: F811
    headers = bearer(owner)
    with CaptureQueriesContext(connection) as one:
        client.get(ASSESSMENTS, **headers)
    for _ in range(3):
        services.assessment_create(actor=owner, organisation=enterprise, **PORK)
    with CaptureQueriesContext(connection) as four:
        assert len(client.get(ASSESSMENTS, **headers).json()["items"]) == 4
    assert len(four) == len(one)


def test_detail_is_404_for_an_outsider(client, van, outsider, owner):
    assert client.get(f"{ASSESSMENTS}/{van.pk}", **bearer(outsider)).status_code == 404
    assert client.get(f"{ASSESSMENTS}/{van.pk}/report.pdf", **bearer(outsider)).status_code == 404
    assert client.get(f"{ASSESSMENTS}/{van.pk}", **bearer(owner)).status_code == 200


def test_report_pdf(client, van, owner):
    response = client.get(f"{ASSESSMENTS}/{van.pk}/report.pdf?lang=zh-hans", **bearer(owner))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_report_pdf_refuses_an_unknown_language(client, van, owner):
    response = client.get(f"{ASSESSMENTS}/{van.pk}/report.pdf?lang=fr", **bearer(owner))
    assert response.status_code == 422
