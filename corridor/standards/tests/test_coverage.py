"""Honest answers: coverage on the page, in the API, the PDF and `assess`; an HS code outside
the loaded edition refused everywhere; the coverage page. Against the shipped knowledge base."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from corridor.accounts.services import api_token_create
from corridor.standards import kb, services
from corridor.standards.models import HsCode, ReadinessAssessment

pytestmark = pytest.mark.django_db

ASSESSMENTS = "/api/standards/assessments"
GEAR_BOX = {  # vehicle parts (8708): no market file speaks of them
    "product_name": "Gear box",
    "hs_code": "870840",
    "origin": "CN",
    "destination": "SG",
    "attributes": {},
    "held": [],
}
EQ2 = {
    "product_name": "EQ2",
    "hs_code": "870460",
    "origin": "CN",
    "destination": "SG",
    "attributes": {"powertrain": "electric", "vehicle_condition": "brand_new"},
    "held": ["eu-wvta-certificate", "eu-coc"],
}


@pytest.fixture(autouse=True)
def shipped_kb():
    kb.reset()
    yield
    kb.reset()


def bearer(user) -> dict[str, str]:
    _token, raw = api_token_create(actor=user, label="test client")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def hs2022(*codes: str) -> None:
    for code in codes:
        HsCode.objects.create(code=code, level=len(code), description_en=f"Code {code}")


def test_gear_boxes_say_not_covered_on_the_page_not_ready(client, owner, enterprise):
    client.force_login(owner)
    data = {
        "organisation": enterprise.pk,
        "product_name": "Gear box",
        "hs_code": "870840",
        "origin": "CN",
        "destination": "SG",
    }
    response = client.post(reverse("standards:assessment_create"), data)
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Coverage: not covered" in html
    assert "an empty list means “not known”, not “ready”" in html
    assert "HS/CA Product Code Checker" in html
    assert "nothing stands between the product and the market" not in html
    assert "0 days" not in html
    assert 'id="no-answer"' in html


def test_gear_boxes_say_not_covered_in_the_api_and_the_pdf(client, owner, enterprise):
    response = client.post(
        ASSESSMENTS,
        json.dumps({"organisation_id": enterprise.pk, **GEAR_BOX}),
        content_type="application/json",
        **bearer(owner),
    )
    assert response.status_code == 201
    result = response.json()["result"]
    assert result["coverage"] == "not_covered"
    assert result["coverage_note"].startswith("Not covered:")
    assert {row["status"] for row in result["requirements"]} <= {"not_applicable"}

    client.force_login(owner)
    pdf = client.get(reverse("standards:assessment_report", args=[response.json()["id"]]))
    text = " ".join(pdf_text(pdf.content).split())
    assert "not covered" in text
    assert "Every applicable requirement is met" not in text
    chinese = client.get(
        reverse("standards:assessment_report", args=[response.json()["id"]]) + "?lang=zh-hans"
    )
    assert chinese.content.startswith(b"%PDF")


def test_the_api_gives_authority_confidence_and_coverage_for_the_van(client, owner, enterprise):
    response = client.post(
        ASSESSMENTS,
        json.dumps({"organisation_id": enterprise.pk, **EQ2}),
        content_type="application/json",
        **bearer(owner),
    )
    result = response.json()["result"]
    assert result["coverage"] == "covered"
    rows = {row["id"]: row for row in result["requirements"]}
    assert rows["sg-nea-fuel-economy-emissions-data"]["authority"] == "sg-lta"
    assert rows["sg-lta-ev-unece-standards"]["confidence"] == "unconfirmed"


def test_the_page_and_the_pdf_show_confidence_and_the_quote(client, owner, enterprise):
    assessment = services.assessment_create(actor=owner, organisation=enterprise, **EQ2)
    client.force_login(owner)
    html = client.get(reverse("standards:assessment_detail", args=[assessment.pk])).content
    html = html.decode()
    assert "Coverage: covered" in html
    assert "confidence: unconfirmed" in html
    assert "whichever is later" in html  # the CoC rule, quoted from its source
    pdf = client.get(reverse("standards:assessment_report", args=[assessment.pk]))
    text = " ".join(pdf_text(pdf.content).split())
    assert "confidence: unconfirmed" in text
    assert "Covered: the knowledge base lists the rules it knows" in text


def test_the_assess_command_gives_coverage_authority_and_confidence():
    out = io.StringIO()
    call_command(
        "assess", "--hs", "870840", "--from", "CN", "--to", "SG", "--language", "en", stdout=out
    )
    gear_box = json.loads(out.getvalue())
    assert gear_box["coverage"] == "not_covered"
    assert "Singapore Customs" in gear_box["coverage_note"]
    out = io.StringIO()
    call_command(
        "assess", "--hs", "160249", "--from", "CN", "--to", "SG", "--attr", "meat_species=pork",
        "--attr", "processing_form=canned", stdout=out,
    )  # fmt: skip
    pork = json.loads(out.getvalue())
    assert pork["coverage"] == "covered"
    region = next(r for r in pork["requirements"] if r["id"] == "sg-sfa-region-accreditation")
    assert (region["authority"], region["confidence"]) == ("sg-sfa", "partly confirmed")


# --- an HS code outside the loaded edition --------------------------------------------------


def test_a_code_of_another_edition_only_is_refused_on_the_api_like_the_command(
    client, owner, enterprise
):
    hs2022("87", "8704", "870460")
    HsCode.objects.create(edition="HS2012", code="870490", level=6, description_en="Other")
    body = {"organisation_id": enterprise.pk, **EQ2, "hs_code": "870490"}
    response = client.post(
        ASSESSMENTS, json.dumps(body), content_type="application/json", **bearer(owner)
    )
    assert response.status_code == 400
    assert "“870490” is not in the HS nomenclature" in response.json()["errors"]["hs_code"][0]
    with pytest.raises(Exception, match="is not in the HS nomenclature"):
        call_command("assess", "--hs", "870490", "--from", "CN", "--to", "SG")


def test_a_stored_assessment_whose_code_is_not_in_the_edition_says_so_everywhere(
    client, owner, enterprise
):
    assessment = services.assessment_create(
        actor=owner, organisation=enterprise, **{**EQ2, "hs_code": "870490"}
    )  # made before the nomenclature was loaded
    hs2022("87", "8704", "870460")
    client.force_login(owner)
    message = "HS code: “870490” is not in the HS nomenclature"
    page = client.get(reverse("standards:assessment_detail", args=[assessment.pk])).content
    assert message in page.decode()
    api = client.get(f"{ASSESSMENTS}/{assessment.pk}", **bearer(owner)).json()
    assert api["hs_code_error"].startswith(message)
    pdf = client.get(reverse("standards:assessment_report", args=[assessment.pk]))
    assert message in " ".join(pdf_text(pdf.content).split())
    assert ReadinessAssessment.objects.count() == 1


# --- the coverage page -----------------------------------------------------------------------


def test_the_coverage_page_shows_chapters_by_market_in_both_languages(client):
    response = client.get(reverse("standards:coverage"))
    assert response.status_code == 200
    html = response.content.decode()
    meat = html[html.index('id="chapter-02"') : html.index("</tr>", html.index('id="chapter-02"'))]
    assert 'data-market="SG"' in meat and "cell-covered" in meat
    assert "cell-partial" in meat  # China: only GACC registration is known
    assert "from SG only" in meat
    vehicles = html[html.index('id="chapter-87"') :]
    assert "partly covered" in vehicles[: vehicles.index("</tr>")]  # 8704 only, not all of 87
    cosmetics = html[html.index('id="chapter-33"') :]
    assert "cell-partial" in cosmetics[: cosmetics.index("</tr>")]  # HSA's file declares no scope
    assert 'id="chapter-71"' not in html  # precious stones: among "every other chapter"
    assert "Every other chapter" in html

    chinese = client.get(reverse("standards:coverage"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 200
    assert 'id="chapter-02"' in chinese.content.decode()


def test_the_coverage_page_counts_requirements_per_chapter_and_market(client):
    knowledge_base = kb.current()
    sg_meat = sum(
        1
        for r in knowledge_base.requirements.values()
        if r.market == "SG" and any(p.startswith("02") for p in r.hs_prefixes)
    )
    html = client.get(reverse("standards:coverage")).content.decode()
    row = html[html.index('id="chapter-02"') : html.index("</tr>", html.index('id="chapter-02"'))]
    assert f"{sg_meat} requirements" in row
