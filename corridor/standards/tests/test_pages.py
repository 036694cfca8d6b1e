"""The readiness-assessment pages and the PDF report, as people use them."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from corridor.core.models import AuditEntry
from corridor.standards import services
from corridor.standards.models import ReadinessAssessment
from corridor.standards.tests.test_services import PORK, PORK_ROADMAP, VAN, story_kb  # noqa: F401

pytestmark = pytest.mark.django_db

NEW = reverse("standards:assessment_create")
LIST = reverse("standards:assessment_list")


def form_data(story: dict, organisation, **changes) -> dict:
    """The form as a person fills it in for a story."""
    data = {
        "organisation": organisation.pk,
        "product_name": story["product_name"],
        "hs_code": story["hs_code"],
        "origin": story["origin"],
        "destination": story["destination"],
        "held": story["held"],
    }
    for name, value in story["attributes"].items():
        data[f"attr_{name}"] = value
    data.update(changes)
    return data


def cells(html: str, table_id: str) -> list[list[str]]:
    """The text of each row of a table, tags removed."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def van(story_kb, owner, enterprise):  # noqa: F811
    return services.assessment_create(actor=owner, organisation=enterprise, **VAN)


# --- the form ------------------------------------------------------------------------------


def test_the_form_offers_the_knowledge_base(client, story_kb, owner):  # noqa: F811
    client.force_login(owner)
    response = client.get(NEW)

    assert response.status_code == 200
    form = response.context["form"]
    assert [c[0] for c in form.fields["destination"].choices] == ["", "CN", "SG"]
    assert form.fields["origin"].initial == "CN"
    assert [c[0] for c in form.fields["attr_powertrain"].choices] == [
        "",
        "electric",
        "diesel",
        "petrol",
        "hybrid",
    ]
    assert "EU whole-vehicle type-approval certificate" in response.text
    assert "Maximum laden weight (kg)" in response.text
    assert 'href="/standards/hs/' in response.text
    for step in ("The product", "The route", "What the product is", "What you already hold"):
        assert step in response.text


def test_the_form_in_chinese_shows_evidence_titles_in_chinese(client, story_kb, owner):  # noqa: F811
    client.force_login(owner)
    response = client.get(NEW, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "欧盟整车型式认证证书" in response.text


def test_the_van_story_through_the_page(client, story_kb, owner, enterprise):  # noqa: F811
    client.force_login(owner)
    response = client.post(NEW, form_data(VAN, enterprise))

    assessment = ReadinessAssessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("standards:assessment_detail", args=[assessment.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    requirements = cells(page.text, "requirements")
    assert [row[1] for row in requirements] == [
        "met by a recognised equivalent",
        "not met",
        "not met",
        "not applicable",
        "not applicable",
    ]
    assert requirements[0][0].startswith("Vehicle type approval (LTA)")
    assert "EU whole-vehicle type-approval certificate" in requirements[0][2]
    assert "checked 2026-11-21" in requirements[0][3]
    assert "confidence: confirmed" in requirements[0][3]
    roadmap = cells(page.text, "roadmap")
    assert [row[:3] for row in roadmap] == [
        ["1", "Registration inspection B84 critical path", "can start now"],
        ["2", "TradeNet import permit E100 critical path", "Registration inspection"],
    ]
    assert [row[3] for row in roadmap] == ["5 / 10 / 20", "1 / 1 / 3"]
    assert "6 days" in page.text and "11 days" in page.text and "23 days" in page.text


def test_the_pork_story_through_the_page(client, story_kb, owner, enterprise):  # noqa: F811
    client.force_login(owner)
    response = client.post(NEW, form_data(PORK, enterprise))
    page = client.get(response["Location"])

    roadmap = cells(page.text, "roadmap")
    assert [row[1].split(" A")[0].split(" E")[0] for row in roadmap] == [
        "Accreditation of the exporting region",
        "Approval of the establishment",
        "Approval of the product",
        "Veterinary health certificate",
        "SFA import licence",
        "TradeNet import permit",
    ]
    assert [row[2] for row in roadmap] == [
        "can start now",
        "Accreditation of the exporting region",
        "Approval of the establishment",
        "Approval of the product",
        "can start now",
        "Veterinary health certificate; SFA import licence",
    ]
    critical = re.findall(r'<tr id="step-([^"]+)" class="critical"', page.text)
    assert critical == [step for step in PORK_ROADMAP if step != "sg-sfa-trader-licence"]
    assert "184 days" in page.text and "338 days" in page.text and "651 days" in page.text


def test_the_result_page_in_chinese(client, van, owner):
    client.force_login(owner)
    page = client.get(
        reverse("standards:assessment_detail", args=[van.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "车辆型式认可（陆路交通管理局）" in page.text
    assert "欧盟整车型式认证证书" in page.text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"hs_code": "999999"}, "hs_code", "“999999” is not in the HS nomenclature"),
        ({"attr_max_laden_weight_kg": "heavy"}, "attr_max_laden_weight_kg", "Enter a number."),
        ({"destination": "XX"}, "destination", "Select a valid choice."),
    ],
)
def test_bad_input_shows_the_error_and_saves_nothing(
    client,
    story_kb,  # noqa: F811
    owner,
    enterprise,
    changes,
    field,
    message,
):
    client.force_login(owner)
    response = client.post(NEW, form_data(VAN, enterprise, **changes))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert ReadinessAssessment.objects.count() == 0


def test_an_error_from_the_engine_lands_on_its_field(client, story_kb, owner, enterprise):  # noqa: F811
    client.force_login(owner)
    response = client.post(NEW, form_data(VAN, enterprise, origin="SG"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "origin": [
            "Origin: the product already is in SG; choose a destination market in another country."
        ]
    }
    assert "Some answers need correcting" in response.text
    assert ReadinessAssessment.objects.count() == 0


# --- who may see what ----------------------------------------------------------------------


def test_the_list_shows_my_organisation_only(client, van, story_kb, outsider, other_enterprise):  # noqa: F811
    services.assessment_create(
        actor=outsider, organisation=other_enterprise, **{**PORK, "product_name": "Their pork"}
    )
    client.force_login(outsider)
    response = client.get(LIST)
    assert [a.product_name for a in response.context["assessments"]] == ["Their pork"]
    assert "EQ2 electric van" not in response.text


def test_an_outsider_gets_404_for_another_organisations_assessment(client, van, outsider):
    client.force_login(outsider)
    assert client.get(reverse("standards:assessment_detail", args=[van.pk])).status_code == 404
    assert client.get(reverse("standards:assessment_report", args=[van.pk])).status_code == 404
    assert client.post(reverse("standards:assessment_delete", args=[van.pk])).status_code == 404
    assert ReadinessAssessment.objects.filter(pk=van.pk).exists()


def test_an_outsider_cannot_create_for_another_organisation(
    client,
    story_kb,  # noqa: F811
    outsider,
    enterprise,
):
    client.force_login(outsider)
    response = client.post(NEW, form_data(VAN, enterprise))
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert ReadinessAssessment.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_anonymous_visitors_are_sent_to_log_in(client, van):
    for url in (LIST, NEW, reverse("standards:assessment_detail", args=[van.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_facilitator_sees_every_assessment(client, van, facilitator):
    client.force_login(facilitator)
    assert client.get(reverse("standards:assessment_detail", args=[van.pk])).status_code == 200


def test_the_owner_deletes_an_assessment(client, van, colleague):
    client.force_login(colleague)
    response = client.post(reverse("standards:assessment_delete", args=[van.pk]))
    assert response.status_code == 302
    assert ReadinessAssessment.objects.count() == 0


def test_a_stale_assessment_says_so(client, van, owner):
    ReadinessAssessment.objects.filter(pk=van.pk).update(is_stale=True)
    client.force_login(owner)
    page = client.get(reverse("standards:assessment_detail", args=[van.pk]))
    assert "The knowledge base changed after this assessment was made" in page.text


# --- the PDF report ------------------------------------------------------------------------


def test_the_pdf_report_in_english(client, van, owner):
    client.force_login(owner)
    response = client.get(reverse("standards:assessment_report", args=[van.pk]) + "?lang=en")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "EQ2 electric van" in text
    assert "Readiness assessment" in text
    assert "Sources" in text
    assert "sso.agc.gov.sg" in text


def test_the_pdf_report_in_chinese(client, van, owner):
    client.force_login(owner)
    response = client.get(reverse("standards:assessment_report", args=[van.pk]) + "?lang=zh-hans")

    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "EQ2 electric van" in text
    assert "车辆型式认可" in text
    assert "新加坡" in text  # the destination, named in Chinese


def test_the_list_query_count_does_not_grow_with_rows(client, van, story_kb, owner, enterprise):  # noqa: F811
    client.force_login(owner)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(LIST).context["assessments"]) == 1
    for _ in range(3):
        services.assessment_create(actor=owner, organisation=enterprise, **PORK)
    with CaptureQueriesContext(connection) as four:
        assert len(client.get(LIST).context["assessments"]) == 4
    assert len(four) == len(one)
