"""The Bridge of Standards demo tells the two real stories, and loads idempotently."""

import pytest
from django.core.management import call_command

from corridor.standards.models import HsCode, ReadinessAssessment, Requirement


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)
    call_command("load_standards_demo", verbosity=0)


def _statuses(assessment: ReadinessAssessment) -> dict[str, str]:
    return {r["id"]: r["status"] for r in assessment.result["requirements"]}


def test_the_demo_tells_the_van_and_the_canned_pork_stories(demo):
    van = ReadinessAssessment.objects.get(organisation__name_en="Qingling Motors")
    statuses = _statuses(van)
    assert statuses["sg-nea-fuel-economy-emissions-data"] == "met_by_equivalent"
    assert statuses["sg-lta-type-approval"] == "not_met"
    assert statuses["sg-lta-exhaust-test"] == "not_applicable"  # diesel only

    pork = ReadinessAssessment.objects.get(organisation__name_en="Chongqing Dejia")
    roadmap = [step["id"] for step in pork.result["roadmap"]]
    assert roadmap[:2] == ["sg-sfa-region-accreditation", "sg-sfa-establishment-approval"]
    assert roadmap.index("sg-sfa-health-certificate") < roadmap.index("sg-sfa-tradenet-permit")
    assert "sg-sfa-product-approval" not in roadmap  # two levels since December 2024
    assert pork.result["coverage"] == "covered"
    assert van.result["coverage"] == "covered"


def test_loading_the_standards_demo_twice_changes_nothing(demo):
    counts = (
        HsCode.objects.count(),
        Requirement.objects.count(),
        ReadinessAssessment.objects.count(),
    )
    call_command("load_standards_demo", verbosity=0)
    assert (
        (HsCode.objects.count(), Requirement.objects.count(), ReadinessAssessment.objects.count())
        == counts
        == (6960, 164, 2)  # the whole HS 2022 nomenclature
    )
