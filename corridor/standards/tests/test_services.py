"""Readiness assessments through the service: the two real stories, bad input, who may
assess and see, and what is stored.

The knowledge base here is a small one built in the test (the van and canned pork stories
of issue 3), so that these tests do not move when the real YAML is revised."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from corridor.core.models import AuditEntry
from corridor.standards import engine, queries, services
from corridor.standards import kb as kb_module
from corridor.standards.models import Authority, HsCode, ReadinessAssessment, Requirement
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

SOURCE = "https://www.sfa.gov.sg/food-import-export/seeking-accreditation-of-overseas-food-sources"
LTA = "https://sso.agc.gov.sg/SL/RTA1961-R5/Historical/20240101?ValidDate=20240101&ProvIds=pr3D-"


def _requirement(rid: str, **values) -> engine.Requirement:
    defaults = {
        "market": "SG",
        "mast": "A140",
        "kind": "approval",
        "title_en": rid,
        "title_zh": "",
        "summary_en": "",
        "summary_zh": "",
        "authority": "sg-sfa",
        "legal_basis": "",
        "hs_prefixes": (),
        "source_url": SOURCE,
        "checked_on": "2026-11-20",
    }
    return engine.Requirement(id=rid, **{**defaults, **values})


def story_knowledge_base() -> engine.KnowledgeBase:
    """Singapore's rules for an electric van and for canned pork, as the stories need them."""
    vehicles = {
        "authority": "sg-lta",
        "hs_prefixes": ("8704",),
        "source_url": LTA,
        "checked_on": "2026-11-21",
    }
    requirements = [
        _requirement(
            "sg-lta-type-approval",
            **vehicles,
            mast="B83",
            title_en="Vehicle type approval (LTA)",
            title_zh="车辆型式认可（陆路交通管理局）",
            conditions=(engine.AttributeCondition("vehicle_category", one_of=("N1", "N2", "N3")),),
            evidence=("sg-lta-type-approval",),
            equivalent_evidence=("eu-wvta-certificate", "eu-coc"),
            duration_days=(30, 60, 120),
        ),
        _requirement(
            "sg-lta-euro-vi",
            **vehicles,
            mast="B31",
            title_en="Euro VI exhaust emissions",
            title_zh="欧六排放标准",
            conditions=(engine.AttributeCondition("powertrain", one_of=("diesel",)),),
            evidence=("sg-lta-type-approval",),
            equivalent_evidence=("eu-wvta-certificate",),
            duration_days=(30, 45, 90),
        ),
        _requirement(
            "sg-lta-underrun-sideguards",
            **vehicles,
            mast="B31",
            title_en="Rear underrun device and sideguards",
            title_zh="后下部防护装置和侧面防护",
            conditions=(
                engine.AttributeCondition(
                    "max_laden_weight_kg", minimum=3500, minimum_exclusive=True
                ),
            ),
            equivalent_evidence=("eu-wvta-certificate",),
            duration_days=(10, 20, 40),
        ),
        _requirement(
            "sg-lta-registration-inspection",
            **vehicles,
            mast="B84",
            title_en="Registration inspection",
            title_zh="注册检验",
            prerequisites=("sg-lta-type-approval",),
            duration_days=(5, 10, 20),
            confidence="partly confirmed",
        ),
        _requirement(
            "sg-tradenet-permit-vehicle",
            **{**vehicles, "authority": "sg-customs"},
            mast="E100",
            title_en="TradeNet import permit",
            title_zh="TradeNet 进口准证",
            evidence=("tradenet-permit",),
            prerequisites=("sg-lta-registration-inspection",),
            duration_days=(1, 1, 3),
            per_consignment=True,
        ),
        # canned pork
        _requirement(
            "sg-sfa-region-accreditation",
            mast="A120",
            title_en="Accreditation of the exporting region",
            title_zh="出口地区认可",
            hs_prefixes=("0203", "1602"),
            evidence=("sfa-region-accreditation",),
            duration_days=(90, 180, 365),
            confidence="partly confirmed",
        ),
        _requirement(
            "sg-sfa-establishment-approval",
            title_en="Approval of the establishment",
            title_zh="企业注册批准",
            hs_prefixes=("0203", "1602"),
            evidence=("sfa-establishment-approval",),
            prerequisites=("sg-sfa-region-accreditation",),
            duration_days=(60, 90, 180),
        ),
        _requirement(
            "sg-sfa-product-approval",
            title_en="Approval of the product",
            title_zh="产品准入批准",
            hs_prefixes=("1602",),
            conditions=(
                engine.AttributeCondition("processing_form", one_of=("canned", "processed")),
            ),
            evidence=("sfa-product-approval",),
            prerequisites=("sg-sfa-establishment-approval",),
            duration_days=(30, 60, 90),
            confidence="unconfirmed",
        ),
        _requirement(
            "sg-sfa-chilled-conditions",
            mast="A310",
            title_en="Veterinary conditions for chilled pork",
            title_zh="冰鲜猪肉兽医卫生条件",
            hs_prefixes=("0203", "1602"),
            conditions=(engine.AttributeCondition("processing_form", one_of=("fresh_chilled",)),),
            duration_days=(5, 10, 20),
        ),
        _requirement(
            "sg-sfa-health-certificate",
            mast="A830",
            title_en="Veterinary health certificate",
            title_zh="兽医卫生证书",
            hs_prefixes=("0203", "1602"),
            evidence=("health-certificate",),
            prerequisites=("sg-sfa-product-approval",),
            duration_days=(3, 7, 14),
            per_consignment=True,
        ),
        _requirement(
            "sg-sfa-trader-licence",
            mast="E100",
            title_en="SFA import licence",
            title_zh="新加坡食品局进口执照",
            hs_prefixes=("0203", "1602"),
            evidence=("sfa-import-licence",),
            duration_days=(1, 3, 5),
        ),
        _requirement(
            "sg-tradenet-permit-food",
            authority="sg-customs",
            mast="E100",
            title_en="TradeNet import permit",
            title_zh="TradeNet 进口准证",
            hs_prefixes=("0203", "1602"),
            evidence=("tradenet-permit",),
            prerequisites=("sg-sfa-health-certificate", "sg-sfa-trader-licence"),
            duration_days=(1, 1, 2),
            per_consignment=True,
        ),
        _requirement(
            "cn-gacc-registration",
            market="CN",
            authority="cn-gacc",
            mast="A140",
            title_en="Registration of the overseas food maker",
            title_zh="境外食品生产企业注册",
            hs_prefixes=("1602",),
            evidence=("gacc-export-registration",),
            duration_days=(30, 60, 120),
        ),
    ]
    evidence = [
        engine.Evidence(
            "eu-wvta-certificate",
            "EU whole-vehicle type-approval certificate",
            "欧盟整车型式认证证书",
        ),
        engine.Evidence("eu-coc", "EU Certificate of Conformity", "欧盟合格证"),
        engine.Evidence("sg-lta-type-approval", "LTA type approval", "陆路交通管理局型式认可"),
        engine.Evidence("tradenet-permit", "TradeNet permit", "TradeNet 准证"),
        engine.Evidence(
            "sfa-region-accreditation", "SFA accreditation of the region", "新加坡食品局地区认可"
        ),
        engine.Evidence(
            "sfa-establishment-approval", "SFA establishment approval", "新加坡食品局企业批准"
        ),
        engine.Evidence("sfa-product-approval", "SFA product approval", "新加坡食品局产品批准"),
        engine.Evidence("health-certificate", "Veterinary health certificate", "兽医卫生证书"),
        engine.Evidence("sfa-import-licence", "SFA import licence", "新加坡食品局进口执照"),
        engine.Evidence("gacc-export-registration", "GACC registration", "海关总署注册"),
    ]
    return engine.KnowledgeBase(
        requirements={r.id: r for r in requirements},
        evidence={e.id: e for e in evidence},
        attribute_types={
            "vehicle_category": "choice",
            "powertrain": "choice",
            "max_laden_weight_kg": "number",
            "meat_species": "choice",
            "processing_form": "choice",
        },
        attribute_choices={
            "vehicle_category": ("N1", "N2", "N3"),
            "powertrain": ("electric", "diesel", "petrol", "hybrid"),
            "meat_species": ("pork", "beef", "poultry", "mutton"),
            "processing_form": ("fresh_chilled", "frozen", "canned", "processed"),
        },
        attribute_units={"max_laden_weight_kg": "kg"},
        markets={"SG", "CN"},
    )


VAN = {
    "product_name": "EQ2 electric van",
    "hs_code": "870460",
    "origin": "CN",
    "destination": "SG",
    "attributes": {"vehicle_category": "N1", "powertrain": "electric", "max_laden_weight_kg": 3490},
    "held": ["eu-wvta-certificate"],
}

PORK = {
    "product_name": "Canned luncheon pork",
    "hs_code": "1602",
    "origin": "CN",
    "destination": "SG",
    "attributes": {"meat_species": "pork", "processing_form": "canned"},
    "held": [],
}

VAN_STATUSES = [
    ("sg-lta-type-approval", "met_by_equivalent"),
    ("sg-lta-registration-inspection", "not_met"),
    ("sg-tradenet-permit-vehicle", "not_met"),
    ("sg-lta-euro-vi", "not_applicable"),
    ("sg-lta-underrun-sideguards", "not_applicable"),
]

PORK_ROADMAP = [
    "sg-sfa-region-accreditation",
    "sg-sfa-establishment-approval",
    "sg-sfa-product-approval",
    "sg-sfa-health-certificate",
    "sg-sfa-trader-licence",
    "sg-tradenet-permit-food",
]


@pytest.fixture
def story_kb(monkeypatch, db):
    """The story knowledge base as `kb.current()`, and the HS codes the stories use."""
    knowledge_base = story_knowledge_base()
    monkeypatch.setattr(kb_module, "current", lambda: knowledge_base, raising=False)
    chapter = HsCode.objects.create(code="87", level=2, description_en="Vehicles")
    heading = HsCode.objects.create(
        code="8704", level=4, parent=chapter, description_en="Motor vehicles for goods"
    )
    HsCode.objects.create(
        code="870460", level=6, parent=heading, description_en="Electric goods vehicles"
    )
    chapter = HsCode.objects.create(code="16", level=2, description_en="Meat preparations")
    HsCode.objects.create(
        code="1602", level=4, parent=chapter, description_en="Prepared or preserved meat"
    )
    return knowledge_base


def statuses(assessment: ReadinessAssessment) -> list[tuple[str, str]]:
    return [(row["id"], row["status"]) for row in assessment.result["requirements"]]


def roadmap_ids(assessment: ReadinessAssessment) -> list[str]:
    return [step["id"] for step in assessment.result["roadmap"]]


# --- the two stories -----------------------------------------------------------------------


def test_electric_van_with_eu_approval(story_kb, owner, enterprise):
    assessment = services.assessment_create(actor=owner, organisation=enterprise, **VAN)

    assert statuses(assessment) == VAN_STATUSES
    type_approval = assessment.result["requirements"][0]
    assert type_approval["reason_code"] == "held_equivalent"
    assert type_approval["reason_params"]["evidence"] == "eu-wvta-certificate"
    assert type_approval["checked_on"] == "2026-11-21"
    assert type_approval["source_url"] == LTA
    assert roadmap_ids(assessment) == [
        "sg-lta-registration-inspection",
        "sg-tradenet-permit-vehicle",
    ]
    assert assessment.result["roadmap"][1]["after"] == ["sg-lta-registration-inspection"]
    assert assessment.result["duration_days"] == [6, 11, 23]
    assert assessment.result["critical_path"] == roadmap_ids(assessment)
    assert assessment.organisation == enterprise
    assert assessment.created_by == owner
    assert assessment.attributes == VAN["attributes"]
    assert assessment.held == ["eu-wvta-certificate"]
    assert assessment.is_stale is False


def test_canned_pork_before_any_approval(story_kb, owner, enterprise):
    assessment = services.assessment_create(actor=owner, organisation=enterprise, **PORK)

    assert roadmap_ids(assessment) == PORK_ROADMAP
    after = {step["id"]: step["after"] for step in assessment.result["roadmap"]}
    assert after["sg-sfa-establishment-approval"] == ["sg-sfa-region-accreditation"]
    assert after["sg-tradenet-permit-food"] == [
        "sg-sfa-health-certificate",
        "sg-sfa-trader-licence",
    ]
    assert assessment.result["critical_path"] == [
        "sg-sfa-region-accreditation",
        "sg-sfa-establishment-approval",
        "sg-sfa-product-approval",
        "sg-sfa-health-certificate",
        "sg-tradenet-permit-food",
    ]
    assert assessment.result["duration_days"] == [184, 338, 651]
    assert ("sg-sfa-chilled-conditions", "not_applicable") in statuses(assessment)
    assert {row["status"] for row in assessment.result["requirements"]} == {
        "not_met",
        "not_applicable",
    }


def test_the_stored_result_reads_in_either_language(story_kb, owner, enterprise):
    assessment = services.assessment_create(actor=owner, organisation=enterprise, **VAN)

    english = queries.assessment_report(assessment, "en")
    chinese = queries.assessment_report(assessment, "zh-hans")

    assert english.requirements[0].title == "Vehicle type approval (LTA)"
    assert english.requirements[0].status_label == "met by a recognised equivalent"
    assert "EU whole-vehicle type-approval certificate" in english.requirements[0].reason
    assert chinese.requirements[0].title == "车辆型式认可（陆路交通管理局）"
    assert "欧盟整车型式认证证书" in chinese.requirements[0].reason
    assert [step.title for step in english.roadmap] == [
        "Registration inspection",
        "TradeNet import permit",
    ]
    assert english.roadmap[1].after == ["Registration inspection"]


def test_requirement_hashes_come_from_the_loaded_requirements(story_kb, owner, enterprise):
    authority = Authority.objects.create(key="sg-lta", country="SG", name_en="LTA")
    Requirement.objects.create(
        key="sg-lta-type-approval",
        market="SG",
        mast="B83",
        kind="type approval",
        title_en="Vehicle type approval (LTA)",
        authority=authority,
        source_url=LTA,
        checked_on="2026-11-21",
        confidence="confirmed",
        kb_file="sg/lta-vehicles.yaml",
        content_hash="abc123",
    )

    assessment = services.assessment_create(actor=owner, organisation=enterprise, **VAN)

    assert assessment.requirement_hashes == {
        "sg-lta-type-approval": "abc123",
        "sg-lta-registration-inspection": "",
        "sg-tradenet-permit-vehicle": "",
        "sg-lta-euro-vi": "",
        "sg-lta-underrun-sideguards": "",
    }


def test_creating_records_an_audit_entry(story_kb, owner, enterprise):
    assessment = services.assessment_create(actor=owner, organisation=enterprise, **VAN)

    entry = AuditEntry.objects.get(action="create", target_id=str(assessment.pk))
    assert entry.actor == owner
    assert entry.summary == "Readiness assessment of 870460 from CN to SG"


def test_hs_code_written_with_a_dot_is_understood(story_kb, owner, enterprise):
    assessment = services.assessment_create(
        actor=owner, organisation=enterprise, **{**VAN, "hs_code": "8704.60"}
    )
    assert assessment.hs_code == "870460"


# --- bad input: a field error, nothing saved -----------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"hs_code": "999999"},
            "hs_code",
            "HS code: “999999” is not in the HS nomenclature; search for the product's code "
            "under Standards › HS codes.",
        ),
        (
            {"hs_code": "87A4"},
            "hs_code",
            "HS code: “87A4” is not an HS code; give 6 digits (or 4 for a heading), for example "
            "870460.",
        ),
        (
            {"attributes": {"max_laden_weight_kg": "heavy"}},
            "attributes.max_laden_weight_kg",
            "Product attributes: the maximum laden weight takes a number, not “heavy”; give a "
            "number, for example 3500.",
        ),
        (
            {"attributes": {"powertrain": "steam"}},
            "attributes.powertrain",
            "Product attributes: the powertrain cannot be “steam”; choose one of electric, "
            "diesel, petrol, hybrid.",
        ),
        (
            {"destination": "XX"},
            "destination",
            "Destination market: the knowledge base has no requirements for “XX”; choose one "
            "of CN, SG.",
        ),
        (
            {"origin": "QQ"},
            "origin",
            "Origin: “QQ” is not a country code; give the two-letter ISO code, for example CN.",
        ),
        (
            {"held": ["eu-wvta-certificate", "forged-paper"]},
            "held",
            "Certificates and approvals held: the knowledge base knows no certificate or "
            "approval forged-paper; check the id.",
        ),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    story_kb, owner, enterprise, changes, field, message
):
    before = (ReadinessAssessment.objects.count(), AuditEntry.objects.count())

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.assessment_create(actor=owner, organisation=enterprise, **{**VAN, **changes})

    assert caught.value.message_dict == {field: [message]}
    assert (ReadinessAssessment.objects.count(), AuditEntry.objects.count()) == before


def test_bad_input_is_explained_in_chinese(story_kb, owner, enterprise):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.assessment_create(
            actor=owner, organisation=enterprise, **{**VAN, "destination": "XX"}
        )
    assert list(caught.value.message_dict) == ["destination"]
    assert ReadinessAssessment.objects.count() == 0


# --- who may assess, see and delete --------------------------------------------------------


def test_an_outsider_cannot_assess_for_another_organisation(story_kb, outsider, enterprise):
    with pytest.raises(PermissionDenied):
        services.assessment_create(actor=outsider, organisation=enterprise, **VAN)
    assert ReadinessAssessment.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_a_facilitator_may_assess_for_an_enterprise(story_kb, facilitator, enterprise):
    assessment = services.assessment_create(actor=facilitator, organisation=enterprise, **VAN)
    assert assessment.organisation == enterprise


def test_visibility(story_kb, owner, colleague, outsider, facilitator, admin_user, enterprise):
    mine = services.assessment_create(actor=owner, organisation=enterprise, **VAN)
    unrelated = UserFactory(username="nobody")
    partner = OrganisationFactory(name_en="Chamber", kind="chamber")
    MembershipFactory(user=unrelated, organisation=partner)

    assert list(queries.assessments_visible_to(owner)) == [mine]
    assert list(queries.assessments_visible_to(colleague)) == [mine]
    assert list(queries.assessments_visible_to(facilitator)) == [mine]
    assert list(queries.assessments_visible_to(admin_user)) == [mine]
    assert list(queries.assessments_visible_to(outsider)) == []
    assert list(queries.assessments_visible_to(unrelated)) == []
    assert list(queries.assessments_visible_to(AnonymousUser())) == []


def test_delete_by_owner_organisation(story_kb, owner, colleague, enterprise):
    assessment = services.assessment_create(actor=owner, organisation=enterprise, **VAN)
    pk = assessment.pk
    services.assessment_delete(actor=colleague, assessment=assessment)
    assert ReadinessAssessment.objects.count() == 0
    assert AuditEntry.objects.get(action="delete", target_id=str(pk)).actor == colleague


def test_delete_refused_to_an_outsider_and_a_facilitator(
    story_kb, owner, outsider, facilitator, enterprise
):
    assessment = services.assessment_create(actor=owner, organisation=enterprise, **VAN)
    for person in (outsider, facilitator):
        with pytest.raises(PermissionDenied):
            services.assessment_delete(actor=person, assessment=assessment)
    assert ReadinessAssessment.objects.filter(pk=assessment.pk).exists()


def test_an_administrator_may_delete(story_kb, owner, admin_user, enterprise):
    assessment = services.assessment_create(actor=owner, organisation=enterprise, **VAN)
    services.assessment_delete(actor=admin_user, assessment=assessment)
    assert ReadinessAssessment.objects.count() == 0
