"""The readiness-assessment engine, its reasons and the `assess` command (no database).

The knowledge base here is a small fixture built in the test, mirroring the two stories of
the issue (an electric van from China to Singapore; canned pork from Chongqing to
Singapore). Its durations are made up for the tests; the real content is in kb/.
"""

import json
import sys
import types
from dataclasses import replace

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

import corridor.standards
from corridor.standards import engine, reasons
from corridor.standards.engine import (
    MET,
    MET_BY_EQUIVALENT,
    NOT_APPLICABLE,
    NOT_MET,
    AssessmentError,
    AttributeCondition,
    Evidence,
    KnowledgeBase,
    Product,
    Requirement,
    assess,
)

SFA_MEAT = ("0203", "1601", "1602")


def requirement(rid: str, market: str = "SG", **values) -> Requirement:
    defaults = {
        "mast": "B810",
        "kind": "approval",
        "title_en": rid,
        "title_zh": "",
        "summary_en": "",
        "summary_zh": "",
        "authority": "lta",
        "legal_basis": "",
        "hs_prefixes": (),
        "source_url": f"https://example.org/{rid}",
        "checked_on": "2026-11-01",
    }
    return Requirement(id=rid, market=market, **{**defaults, **values})


def story_kb() -> KnowledgeBase:
    requirements = [
        # Singapore, goods vehicles
        requirement(
            "sg-lta-type-approval",
            title_en="LTA vehicle type approval",
            title_zh="陆路交通管理局车辆型式认可",
            hs_prefixes=("8704",),
            evidence=("sg-lta-type-approval",),
            equivalent_evidence=("eu-wvta-certificate", "eu-coc"),
            duration_days=(30, 60, 120),
        ),
        requirement(
            "sg-lta-exhaust-emissions",
            hs_prefixes=("8704",),
            conditions=(AttributeCondition("powertrain", one_of=("diesel", "petrol", "hybrid")),),
            evidence=("sg-emissions-test-report",),
            equivalent_evidence=("eu-wvta-certificate",),
            duration_days=(10, 20, 40),
        ),
        requirement(
            "sg-lta-underrun-sideguards",
            hs_prefixes=("8704",),
            conditions=(
                AttributeCondition("max_laden_weight_kg", minimum=3500, minimum_exclusive=True),
            ),
            evidence=("sg-lta-inspection-report",),
            duration_days=(5, 10, 20),
        ),
        requirement(
            "sg-lta-ev-battery-safety",
            hs_prefixes=("870460",),
            evidence=("un-r100-approval",),
            equivalent_evidence=("eu-wvta-certificate",),
            duration_days=(20, 30, 60),
        ),
        requirement(
            "sg-lta-registration-inspection",
            hs_prefixes=("8704",),
            prerequisites=("sg-lta-type-approval",),
            duration_days=(1, 3, 7),
        ),
        requirement(
            "sg-csfta-proof-of-origin",
            mast="F",
            hs_prefixes=("87",),
            origins=("CN",),
            evidence=("csfta-certificate-of-origin",),
            equivalent_evidence=("rcep-proof-of-origin",),
            duration_days=(1, 2, 5),
        ),
        # Singapore, meat
        requirement(
            "sg-sfa-region-accreditation",
            mast="A120",
            authority="sfa",
            hs_prefixes=SFA_MEAT,
            evidence=("sfa-region-accreditation",),
            duration_days=(90, 180, 365),
        ),
        requirement(
            "sg-sfa-establishment-approval",
            mast="A140",
            authority="sfa",
            hs_prefixes=SFA_MEAT,
            prerequisites=("sg-sfa-region-accreditation",),
            evidence=("sfa-establishment-approval",),
            duration_days=(60, 90, 180),
        ),
        requirement(
            "sg-sfa-product-approval",
            mast="A810",
            authority="sfa",
            hs_prefixes=("1601", "1602"),
            conditions=(AttributeCondition("processing_form", one_of=("canned", "processed")),),
            prerequisites=("sg-sfa-establishment-approval",),
            evidence=("sfa-product-approval",),
            duration_days=(30, 45, 90),
        ),
        requirement(
            "sg-sfa-health-certificate",
            mast="A830",
            authority="sfa",
            hs_prefixes=SFA_MEAT,
            prerequisites=("sg-sfa-product-approval", "sg-sfa-establishment-approval"),
            evidence=("health-certificate",),
            duration_days=(3, 5, 10),
            per_consignment=True,
        ),
        requirement(
            "sg-sfa-import-licence",
            mast="A150",
            authority="sfa",
            hs_prefixes=SFA_MEAT,
            evidence=("sfa-import-licence",),
            duration_days=(1, 3, 5),
        ),
        requirement(
            "sg-tradenet-permit",
            mast="E100",
            authority="customs",
            hs_prefixes=SFA_MEAT,
            prerequisites=("sg-sfa-health-certificate", "sg-sfa-import-licence"),
            evidence=("tradenet-permit",),
            duration_days=(1, 1, 2),
            per_consignment=True,
        ),
        requirement(
            "sg-sfa-beef-accreditation",
            authority="sfa",
            hs_prefixes=("0201", "0202", "1602"),
            conditions=(AttributeCondition("meat_species", one_of=("beef",)),),
            evidence=("sfa-region-accreditation",),
        ),
        # China, food from Singapore
        requirement(
            "cn-gacc-overseas-registration",
            market="CN",
            authority="gacc",
            hs_prefixes=("16",),
            evidence=("gacc-export-registration",),
            duration_days=(30, 60, 90),
        ),
        requirement(
            "cn-customs-declaration",
            market="CN",
            authority="gacc",
            evidence=("cn-customs-declaration",),
            duration_days=(1, 1, 2),
            per_consignment=True,
        ),
    ]
    evidence = {
        "eu-wvta-certificate": (
            "EU whole-vehicle type-approval certificate",
            "欧盟整车型式认证证书",
        ),
        "eu-coc": ("EU Certificate of Conformity", "欧盟合格证书"),
        "sg-lta-type-approval": ("LTA type approval", "陆路交通管理局型式认可"),
        "sg-emissions-test-report": ("Exhaust emission test report", ""),
        "sg-lta-inspection-report": ("LTA inspection report", ""),
        "un-r100-approval": ("UN R100 approval", ""),
        "csfta-certificate-of-origin": ("CSFTA certificate of origin", ""),
        "rcep-proof-of-origin": ("RCEP proof of origin", ""),
        "sfa-region-accreditation": ("SFA accreditation of the region", "新加坡食品局地区准入"),
        "sfa-establishment-approval": ("SFA establishment approval", ""),
        "sfa-product-approval": ("SFA product approval", ""),
        "health-certificate": ("Veterinary health certificate", "兽医卫生证书"),
        "sfa-import-licence": ("SFA import licence", ""),
        "tradenet-permit": ("TradeNet import permit", ""),
        "gacc-export-registration": ("GACC registration of the overseas manufacturer", ""),
        "cn-customs-declaration": ("China customs declaration", ""),
    }
    return KnowledgeBase(
        requirements={r.id: r for r in requirements},
        evidence={key: Evidence(key, en, zh) for key, (en, zh) in evidence.items()},
        attribute_types={
            "vehicle_category": "choice",
            "powertrain": "choice",
            "max_laden_weight_kg": "number",
            "meat_species": "choice",
            "processing_form": "choice",
        },
        attribute_choices={
            "vehicle_category": ("M1", "N1", "N2", "N3"),
            "powertrain": ("electric", "diesel", "petrol", "hybrid"),
            "meat_species": ("pork", "beef", "poultry", "mutton"),
            "processing_form": ("fresh_chilled", "frozen", "canned", "processed"),
        },
        attribute_units={"max_laden_weight_kg": "kg"},
        markets={"SG", "CN"},
    )


@pytest.fixture
def kb() -> KnowledgeBase:
    return story_kb()


def van(**changes) -> Product:
    values = {
        "hs_code": "870460",
        "origin": "CN",
        "destination": "SG",
        "attributes": {
            "vehicle_category": "N1",
            "powertrain": "electric",
            "max_laden_weight_kg": 3500,
        },
        "held": frozenset({"eu-wvta-certificate"}),
    }
    return Product(**{**values, **changes})


def canned_pork(**changes) -> Product:
    values = {
        "hs_code": "160249",
        "origin": "CN",
        "destination": "SG",
        "attributes": {"meat_species": "pork", "processing_form": "canned"},
        "held": frozenset(),
    }
    return Product(**{**values, **changes})


def statuses(assessment) -> dict[str, tuple[str, str]]:
    return {s.id: (s.status, s.reason_code) for s in assessment.requirements}


def status_of(assessment, rid: str):
    return next(s for s in assessment.requirements if s.id == rid)


# --- the two stories -----------------------------------------------------------------------


def test_electric_van_with_eu_type_approval(kb):
    assessment = assess(kb, van())

    assert statuses(assessment) == {
        "sg-lta-type-approval": (MET_BY_EQUIVALENT, "held_equivalent"),
        "sg-lta-ev-battery-safety": (MET_BY_EQUIVALENT, "held_equivalent"),
        "sg-csfta-proof-of-origin": (NOT_MET, "evidence_missing"),
        "sg-lta-registration-inspection": (NOT_MET, "no_evidence_defined"),
        "sg-lta-exhaust-emissions": (NOT_APPLICABLE, "attribute_not_one_of"),
        "sg-lta-underrun-sideguards": (NOT_APPLICABLE, "attribute_not_above_minimum"),
    }
    # listed met, met by an equivalent, not met, not applicable; by id within each
    assert [s.id for s in assessment.requirements] == [
        "sg-lta-ev-battery-safety",
        "sg-lta-type-approval",
        "sg-csfta-proof-of-origin",
        "sg-lta-registration-inspection",
        "sg-lta-exhaust-emissions",
        "sg-lta-underrun-sideguards",
    ]
    assert status_of(assessment, "sg-lta-type-approval").reason_params == {
        "evidence": "eu-wvta-certificate",
        "evidence_en": "EU whole-vehicle type-approval certificate",
        "evidence_zh": "欧盟整车型式认证证书",
    }
    # the type approval is met, so the registration inspection waits for nothing
    assert [(s.id, s.after, s.earliest_start) for s in assessment.roadmap] == [
        ("sg-lta-registration-inspection", (), (0, 0, 0)),
        ("sg-csfta-proof-of-origin", (), (0, 0, 0)),
    ]
    assert assessment.critical_path == ("sg-lta-registration-inspection",)
    assert assessment.duration_days == (1, 3, 7)


def test_canned_pork_before_any_approval(kb):
    assessment = assess(kb, canned_pork())

    assert [(s.id, s.mast, s.after) for s in assessment.roadmap] == [
        ("sg-sfa-region-accreditation", "A120", ()),
        ("sg-sfa-establishment-approval", "A140", ("sg-sfa-region-accreditation",)),
        ("sg-sfa-product-approval", "A810", ("sg-sfa-establishment-approval",)),
        (
            "sg-sfa-health-certificate",
            "A830",
            ("sg-sfa-establishment-approval", "sg-sfa-product-approval"),
        ),
        ("sg-sfa-import-licence", "A150", ()),
        ("sg-tradenet-permit", "E100", ("sg-sfa-health-certificate", "sg-sfa-import-licence")),
    ]
    assert [s.earliest_start for s in assessment.roadmap] == [
        (0, 0, 0),
        (90, 180, 365),
        (150, 270, 545),
        (180, 315, 635),
        (0, 0, 0),
        (183, 320, 645),
    ]
    assert assessment.critical_path == (
        "sg-sfa-region-accreditation",
        "sg-sfa-establishment-approval",
        "sg-sfa-product-approval",
        "sg-sfa-health-certificate",
        "sg-tradenet-permit",
    )
    assert [s.on_critical_path for s in assessment.roadmap] == [True, True, True, True, False, True]
    # the durations along the chain add up: 90+60+30+3+1, 180+90+45+5+1, 365+180+90+10+2
    assert assessment.duration_days == (184, 321, 647)
    assert [s.id for s in assessment.roadmap if s.per_consignment] == [
        "sg-sfa-health-certificate",
        "sg-tradenet-permit",
    ]
    # beef rules of the same chapter are listed as not applicable; vehicle rules not at all
    assert statuses(assessment)["sg-sfa-beef-accreditation"] == (
        NOT_APPLICABLE,
        "attribute_not_one_of",
    )
    assert status_of(assessment, "sg-sfa-beef-accreditation").reason_params == {
        "attribute": "meat_species",
        "allowed": ["beef"],
        "value": "pork",
    }
    assert not any(s.id.startswith("sg-lta") for s in assessment.requirements)
    assert not any(s.id.startswith("cn-") for s in assessment.requirements)


def test_a_met_prerequisite_does_not_hold_up_the_next_step(kb):
    assessment = assess(kb, canned_pork(held=frozenset({"sfa-region-accreditation"})))

    assert statuses(assessment)["sg-sfa-region-accreditation"] == (MET, "held_evidence")
    first = assessment.roadmap[0]
    assert (first.id, first.after, first.earliest_start) == (
        "sg-sfa-establishment-approval",
        (),
        (0, 0, 0),
    )
    assert assessment.duration_days == (94, 141, 282)


def test_nothing_unmet_means_no_roadmap_and_zero_days(kb):
    held = frozenset({"eu-wvta-certificate", "rcep-proof-of-origin"})
    kb.requirements["sg-lta-registration-inspection"] = replace(
        kb.requirements["sg-lta-registration-inspection"], evidence=("sg-lta-inspection-report",)
    )
    assessment = assess(kb, van(held=held | {"sg-lta-inspection-report"}))

    assert assessment.roadmap == ()
    assert assessment.critical_path == ()
    assert assessment.duration_days == (0, 0, 0)
    assert statuses(assessment)["sg-csfta-proof-of-origin"] == (
        MET_BY_EQUIVALENT,
        "held_equivalent",
    )


# --- applicability and reasons -------------------------------------------------------------


def test_evidence_missing_lists_what_is_accepted(kb):
    assessment = assess(kb, van(held=frozenset()))

    assert status_of(assessment, "sg-lta-type-approval").reason_params == {
        "accepted": ["sg-lta-type-approval", "eu-wvta-certificate", "eu-coc"],
        "accepted_en": [
            "LTA type approval",
            "EU whole-vehicle type-approval certificate",
            "EU Certificate of Conformity",
        ],
        "accepted_zh": ["陆路交通管理局型式认可", "欧盟整车型式认证证书", "欧盟合格证书"],
    }
    # now the inspection waits for the type approval
    assert [(s.id, s.after) for s in assessment.roadmap] == [
        ("sg-lta-type-approval", ()),
        ("sg-lta-registration-inspection", ("sg-lta-type-approval",)),
        ("sg-csfta-proof-of-origin", ()),
        ("sg-lta-ev-battery-safety", ()),
    ]
    assert assessment.critical_path == ("sg-lta-type-approval", "sg-lta-registration-inspection")
    assert assessment.duration_days == (31, 63, 127)


def test_the_own_evidence_counts_before_an_equivalent(kb):
    assessment = assess(kb, van(held=frozenset({"eu-coc", "sg-lta-type-approval"})))

    assert statuses(assessment)["sg-lta-type-approval"] == (MET, "held_evidence")


def test_a_requirement_for_other_origins_is_not_applicable(kb):
    assessment = assess(kb, van(origin="MY"))

    assert statuses(assessment)["sg-csfta-proof-of-origin"] == (NOT_APPLICABLE, "origin_excluded")
    assert status_of(assessment, "sg-csfta-proof-of-origin").reason_params == {
        "origin": "MY",
        "origins": ["CN"],
    }


def test_a_requirement_for_another_subheading_of_the_chapter_is_not_applicable(kb):
    diesel_truck = van(
        hs_code="870421",
        attributes={"powertrain": "diesel", "max_laden_weight_kg": "12000"},
    )
    assessment = assess(kb, diesel_truck)

    assert statuses(assessment)["sg-lta-ev-battery-safety"] == (NOT_APPLICABLE, "hs_outside")
    assert status_of(assessment, "sg-lta-ev-battery-safety").reason_params == {
        "hs_code": "870421",
        "prefixes": ["870460"],
    }
    # a heavy diesel truck needs sideguards and emission tests
    assert statuses(assessment)["sg-lta-underrun-sideguards"] == (NOT_MET, "evidence_missing")
    assert statuses(assessment)["sg-lta-exhaust-emissions"] == (
        MET_BY_EQUIVALENT,
        "held_equivalent",
    )


@pytest.mark.parametrize(
    ("condition", "value", "code", "limit"),
    [
        (
            AttributeCondition("max_laden_weight_kg", minimum=3500),
            3000,
            "attribute_below_minimum",
            "3500 kg",
        ),
        (
            AttributeCondition("max_laden_weight_kg", minimum=3500, minimum_exclusive=True),
            3500,
            "attribute_not_above_minimum",
            "3500 kg",
        ),
        (
            AttributeCondition("max_laden_weight_kg", maximum=3500),
            3500.5,
            "attribute_above_maximum",
            "3500 kg",
        ),
        (
            AttributeCondition("max_laden_weight_kg", maximum=3500, maximum_exclusive=True),
            3500,
            "attribute_not_below_maximum",
            "3500 kg",
        ),
    ],
)
def test_number_conditions_say_the_limit(kb, condition, value, code, limit):
    kb.requirements["sg-lta-underrun-sideguards"] = replace(
        kb.requirements["sg-lta-underrun-sideguards"], conditions=(condition,)
    )
    assessment = assess(kb, van(attributes={"max_laden_weight_kg": value}))

    status = status_of(assessment, "sg-lta-underrun-sideguards")
    assert (status.status, status.reason_code) == (NOT_APPLICABLE, code)
    assert status.reason_params == {
        "attribute": "max_laden_weight_kg",
        "limit": limit,
        "value": f"{engine._number_text(float(value))} kg",
    }


@pytest.mark.parametrize("value", [3500, 3000.5, 12000])
def test_number_conditions_hold_inside_the_range(kb, value):
    kb.requirements["sg-lta-underrun-sideguards"] = replace(
        kb.requirements["sg-lta-underrun-sideguards"],
        conditions=(AttributeCondition("max_laden_weight_kg", minimum=3000, maximum=12000),),
    )
    assessment = assess(kb, van(attributes={"max_laden_weight_kg": value}))

    assert statuses(assessment)["sg-lta-underrun-sideguards"] == (NOT_MET, "evidence_missing")


def test_a_condition_on_an_unstated_attribute_applies_and_says_so(kb):
    assessment = assess(kb, van(attributes={"vehicle_category": "N1"}))

    status = status_of(assessment, "sg-lta-underrun-sideguards")
    assert (status.status, status.reason_code) == (NOT_MET, "evidence_missing")
    assert status.reason_params["unstated_attributes"] == ["max_laden_weight_kg"]
    assert statuses(assessment)["sg-lta-exhaust-emissions"] == (
        MET_BY_EQUIVALENT,
        "held_equivalent",
    )
    assert status_of(assessment, "sg-lta-exhaust-emissions").reason_params[
        "unstated_attributes"
    ] == ["powertrain"]
    # stated attributes add no such note
    assert "unstated_attributes" not in status_of(assessment, "sg-lta-type-approval").reason_params


def test_a_heading_code_takes_narrower_requirements_as_applicable(kb):
    assessment = assess(kb, van(hs_code="8704"))

    status = status_of(assessment, "sg-lta-ev-battery-safety")
    assert (status.status, status.reason_code) == (MET_BY_EQUIVALENT, "held_equivalent")
    assert status.reason_params["narrower_hs"] == ["870460"]
    assert status.reason_params["hs_code"] == "8704"


def test_canned_pork_given_as_heading_1602_gets_the_same_roadmap(kb):
    by_subheading = assess(kb, canned_pork())
    by_heading = assess(kb, canned_pork(hs_code="1602"))

    assert by_heading.roadmap == by_subheading.roadmap
    assert by_heading.duration_days == (184, 321, 647)


def test_the_hs_code_may_be_written_with_a_dot(kb):
    assert assess(kb, van(hs_code="8704.60")) == assess(kb, van())


def test_requirements_for_every_product_apply_and_other_markets_are_skipped(kb):
    noodles = Product(hs_code="190230", origin="SG", destination="CN")
    assessment = assess(kb, noodles)

    assert statuses(assessment) == {"cn-customs-declaration": (NOT_MET, "evidence_missing")}
    assert assessment.roadmap[0].per_consignment is True


def test_prerequisites_of_another_market_do_not_hold_up_a_step():
    kb = story_kb()
    kb.requirements["sg-sfa-region-accreditation"] = replace(
        kb.requirements["sg-sfa-region-accreditation"],
        prerequisites=("cn-gacc-overseas-registration",),
    )
    assessment = assess(kb, canned_pork())

    assert assessment.roadmap[0].id == "sg-sfa-region-accreditation"
    assert assessment.roadmap[0].after == ()


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("product", "field", "code", "params"),
    [
        (
            van(destination="XX"),
            "destination",
            "unknown_market",
            {"value": "XX", "markets": ["CN", "SG"]},
        ),
        (van(origin="China"), "origin", "invalid_country", {"value": "China"}),
        (van(origin="sg"), "origin", "same_as_destination", {"value": "SG"}),
        (van(hs_code="87046"), "hs_code", "hs_code_format", {"value": "87046"}),
        (van(hs_code="8704601"), "hs_code", "hs_code_format", {"value": "8704601"}),
        (van(hs_code="87046A"), "hs_code", "hs_code_format", {"value": "87046A"}),
        (van(hs_code=""), "hs_code", "hs_code_format", {"value": ""}),
        (
            van(attributes={"colour": "white"}),
            "attributes",
            "unknown_attribute",
            {
                "name": "colour",
                "known": [
                    "max_laden_weight_kg",
                    "meat_species",
                    "powertrain",
                    "processing_form",
                    "vehicle_category",
                ],
            },
        ),
        (
            van(attributes={"max_laden_weight_kg": "heavy"}),
            "attributes",
            "attribute_not_a_number",
            {"name": "max_laden_weight_kg", "value": "heavy"},
        ),
        (
            van(attributes={"max_laden_weight_kg": True}),
            "attributes",
            "attribute_not_a_number",
            {"name": "max_laden_weight_kg", "value": "True"},
        ),
        (
            van(attributes={"max_laden_weight_kg": "nan"}),
            "attributes",
            "attribute_not_a_number",
            {"name": "max_laden_weight_kg", "value": "nan"},
        ),
        (
            van(attributes={"powertrain": "steam"}),
            "attributes",
            "attribute_not_a_choice",
            {
                "name": "powertrain",
                "value": "steam",
                "allowed": ["electric", "diesel", "petrol", "hybrid"],
            },
        ),
        (
            van(held=frozenset({"eu-wvta-certificate", "iso-9001", "ce-mark"})),
            "held",
            "unknown_evidence",
            {"value": ["ce-mark", "iso-9001"]},
        ),
    ],
)
def test_bad_input_names_the_field(kb, product, field, code, params):
    with pytest.raises(AssessmentError) as raised:
        assess(kb, product)

    assert (raised.value.field, raised.value.code, raised.value.params) == (field, code, params)


def test_country_codes_are_read_in_any_case_and_empty_attributes_are_unstated(kb):
    shouted = van(
        origin=" cn",
        destination="sg",
        attributes={"powertrain": "electric", "max_laden_weight_kg": ""},
    )

    assessment = assess(kb, shouted)

    assert status_of(assessment, "sg-lta-underrun-sideguards").reason_params[
        "unstated_attributes"
    ] == ["max_laden_weight_kg"]


def test_a_prerequisite_cycle_is_refused_not_looped_over():
    kb = story_kb()
    kb.requirements["sg-sfa-region-accreditation"] = replace(
        kb.requirements["sg-sfa-region-accreditation"],
        prerequisites=("sg-sfa-product-approval",),
    )

    with pytest.raises(AssessmentError) as raised:
        assess(kb, canned_pork())

    assert (raised.value.field, raised.value.code) == ("kb", "prerequisite_cycle")
    assert raised.value.params["requirements"] == [
        "sg-sfa-establishment-approval",
        "sg-sfa-health-certificate",
        "sg-sfa-product-approval",
        "sg-sfa-region-accreditation",
        "sg-tradenet-permit",
    ]


def test_the_roadmap_refuses_a_cycle_that_slipped_past_the_index():
    a = requirement("a", prerequisites=("b",))
    b = requirement("b", prerequisites=("a",))

    with pytest.raises(AssessmentError) as raised:
        engine._roadmap({"a": a, "b": b})

    assert raised.value.params == {"requirements": ["a", "b"]}


# --- determinism and the index -------------------------------------------------------------


def test_the_same_question_gets_the_same_answer(kb):
    reversed_kb = story_kb()
    reversed_kb.requirements = dict(reversed(list(reversed_kb.requirements.items())))

    first = assess(kb, canned_pork())

    assert assess(kb, canned_pork()) == first
    assert assess(reversed_kb, canned_pork()) == first


def test_the_index_is_rebuilt_when_the_knowledge_base_grows(kb):
    assess(kb, canned_pork())
    kb.requirements["sg-sfa-labelling"] = requirement(
        "sg-sfa-labelling", hs_prefixes=("16",), evidence=("health-certificate",)
    )

    assessment = assess(kb, canned_pork(held=frozenset({"health-certificate"})))

    assert statuses(assessment)["sg-sfa-labelling"] == (MET, "held_evidence")


def test_the_english_fallback_reads_as_a_sentence(kb):
    status = status_of(assess(kb, van()), "sg-lta-type-approval")

    assert engine.reason_text_en(status.reason_code, status.reason_params) == (
        "Met by a recognised equivalent: the product holds "
        "EU whole-vehicle type-approval certificate."
    )
    assert str(AssessmentError("hs_code", "hs_code_format", {"value": "87"})) == (
        "hs_code: 87 is not an HS code; give 6 digits (or 4 for a heading), for example 870460."
    )


# --- reasons in words and the JSON of the issue --------------------------------------------


def test_reasons_read_as_whole_sentences(kb):
    assessment = assess(kb, van(attributes={"powertrain": "electric"}))

    with translation.override("en"):
        assert reasons.reason_text(
            "held_equivalent", status_of(assessment, "sg-lta-type-approval").reason_params
        ) == (
            "Met by a recognised equivalent: the product holds EU whole-vehicle type-approval "
            "certificate, which the authority accepts in its place."
        )
        underrun = status_of(assessment, "sg-lta-underrun-sideguards")
        assert reasons.reason_text(underrun.reason_code, underrun.reason_params) == (
            "Not met: the product does not hold LTA inspection report, which the authority "
            "accepts. It is taken to apply because the product's maximum laden weight was not "
            "given; state it to be sure."
        )
        type_approval = status_of(assess(kb, van(held=frozenset())), "sg-lta-type-approval")
        assert reasons.reason_text(type_approval.reason_code, type_approval.reason_params) == (
            "Not met: the product does not hold LTA type approval, EU whole-vehicle "
            "type-approval certificate or EU Certificate of Conformity, which the authority "
            "accepts."
        )
        diesel = van(attributes={"powertrain": "diesel", "max_laden_weight_kg": 3500})
        underrun = status_of(assess(kb, diesel), "sg-lta-underrun-sideguards")
        assert reasons.reason_text(underrun.reason_code, underrun.reason_params) == (
            "Not applicable: it applies only when the maximum laden weight is more than "
            "3500 kg, and the product's is 3500 kg."
        )
        electric = status_of(assess(kb, van()), "sg-lta-exhaust-emissions")
        assert reasons.reason_text(electric.reason_code, electric.reason_params) == (
            "Not applicable: it applies only when the powertrain is diesel, petrol or hybrid, "
            "and the product's is electric."
        )
    with translation.override("zh-hans"):
        text = reasons.reason_text(
            "held_equivalent", status_of(assessment, "sg-lta-type-approval").reason_params
        )
        assert "欧盟整车型式认证证书" in text


def test_errors_name_the_field_in_a_sentence():
    with translation.override("en"):
        assert reasons.error_text(
            AssessmentError(
                "attributes",
                "attribute_not_a_number",
                {"name": "max_laden_weight_kg", "value": "heavy"},
            )
        ) == (
            "Product attributes: the maximum laden weight takes a number, not “heavy”; give a "
            "number, for example 3500."
        )
        assert reasons.error_text(
            AssessmentError(
                "destination", "unknown_market", {"value": "XX", "markets": ["CN", "SG"]}
            )
        ) == (
            "Destination market: the knowledge base has no requirements for “XX”; choose one of "
            "CN, SG."
        )


def test_the_assessment_as_the_json_of_the_issue(kb):
    with translation.override("en"):
        answer = reasons.assessment_json(assess(kb, van()))

    assert answer["requirements"][1] == {
        "id": "sg-lta-type-approval",
        "mast": "B810",
        "title": "LTA vehicle type approval",
        "status": "met_by_equivalent",
        "reason": "Met by a recognised equivalent: the product holds EU whole-vehicle "
        "type-approval certificate, which the authority accepts in its place.",
        "source": "https://example.org/sg-lta-type-approval",
        "authority": "lta",
        "confidence": "confirmed",
    }
    assert answer["roadmap"][0] == {
        "id": "sg-lta-registration-inspection",
        "mast": "B810",
        "after": [],
        "duration_days": [1, 3, 7],
        "earliest_start": [0, 0, 0],
        "on_critical_path": True,
        "per_consignment": False,
    }
    assert answer["duration_days"] == [1, 3, 7]
    assert answer["critical_path"] == ["sg-lta-registration-inspection"]
    with translation.override("zh-hans"):
        chinese = reasons.assessment_json(assess(kb, van()))
    assert chinese["requirements"][1]["title"] == "陆路交通管理局车辆型式认可"


# --- the command ---------------------------------------------------------------------------


@pytest.fixture
def command_kb(monkeypatch):
    """The command reads `kb.current()` and checks the HS code against the nomenclature;
    both are replaced, so the command runs without a database."""
    try:
        from corridor.standards import kb as kb_module
    except ImportError:  # kb.py not written yet: stand in for it
        kb_module = types.ModuleType("corridor.standards.kb")
        monkeypatch.setitem(sys.modules, "corridor.standards.kb", kb_module)
        monkeypatch.setattr(corridor.standards, "kb", kb_module, raising=False)
    knowledge_base = story_kb()
    monkeypatch.setattr(kb_module, "current", lambda: knowledge_base, raising=False)
    from corridor.standards.management.commands import assess as command

    monkeypatch.setattr(command, "hs_code_is_known", lambda code: code != "999999")
    return knowledge_base


def run_assess(*args) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("assess", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_command_prints_the_canned_pork_roadmap(command_kb):
    answer = run_assess(
        "--hs", "1602", "--from", "CN", "--to", "SG",
        "--attr", "meat_species=pork", "--attr", "processing_form=canned",
        "--language", "en",
    )  # fmt: skip

    assert [(step["id"], step["after"]) for step in answer["roadmap"]][:3] == [
        ("sg-sfa-region-accreditation", []),
        ("sg-sfa-establishment-approval", ["sg-sfa-region-accreditation"]),
        ("sg-sfa-product-approval", ["sg-sfa-establishment-approval"]),
    ]
    assert answer["duration_days"] == [184, 321, 647]


def test_the_command_reads_held_evidence_and_number_attributes(command_kb):
    answer = run_assess(
        "--hs", "870460", "--from", "CN", "--to", "SG",
        "--attr", "max_laden_weight_kg=3500", "--attr", "powertrain=electric",
        "--held", "eu-wvta-certificate",
    )  # fmt: skip

    assert {row["id"]: row["status"] for row in answer["requirements"]} == {
        "sg-lta-ev-battery-safety": "met_by_equivalent",
        "sg-lta-type-approval": "met_by_equivalent",
        "sg-csfta-proof-of-origin": "not_met",
        "sg-lta-registration-inspection": "not_met",
        "sg-lta-exhaust-emissions": "not_applicable",
        "sg-lta-underrun-sideguards": "not_applicable",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--attr", "max_laden_weight_kg=heavy"],
            "Product attributes: the maximum laden weight takes a number, not “heavy”",
        ),
        (["--attr", "powertrain"], "--attr takes KEY=VALUE"),
        (["--held", "iso-9001"], "no certificate or approval iso-9001"),
    ],
)
def test_the_command_refuses_bad_input(command_kb, args, message):
    with translation.override("en"), pytest.raises(CommandError) as raised:
        run_assess("--hs", "870460", "--from", "CN", "--to", "SG", "--language", "en", *args)

    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("hs", "to", "message"),
    [
        ("999999", "SG", "HS code: “999999” is not in the HS nomenclature"),
        ("87", "XX", "Destination market: the knowledge base has no requirements for “XX”"),
    ],
)
def test_the_command_refuses_unknown_codes_and_markets(command_kb, hs, to, message):
    with pytest.raises(CommandError) as raised:
        run_assess("--hs", hs, "--from", "CN", "--to", to, "--language", "en")

    assert message in str(raised.value)
