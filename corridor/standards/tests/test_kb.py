"""The knowledge base: the shipped YAML, validation with file and line, kb_load, staleness."""

import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from corridor.accounts.models import Notification
from corridor.core.audit import audit_entries_for
from corridor.standards import engine, kb
from corridor.standards.kb_load import mark_stale_assessments
from corridor.standards.models import Authority, ReadinessAssessment, Requirement

# --- the shipped knowledge base ------------------------------------------------------------


def test_the_shipped_knowledge_base_validates_clean():
    assert kb.validate(kb.KB_DIR) == []


def test_every_requirement_has_a_source_a_short_quote_a_check_date_and_a_duration_source():
    loaded = kb.read_knowledge_base(kb.KB_DIR)
    assert len(loaded.knowledge_base.requirements) == 164
    for rid, requirement in loaded.knowledge_base.requirements.items():
        assert requirement.source_url.startswith(("http://", "https://")), rid
        assert requirement.source_quote.strip(), rid
        assert len(requirement.source_quote) <= kb.SOURCE_QUOTE_MAX, rid
        assert date.fromisoformat(requirement.checked_on) <= date(2026, 12, 6), rid
        assert requirement.confidence in kb.CONFIDENCE_LEVELS, rid
        source = loaded.duration_sources[rid]
        assert source == "estimate" or source.startswith("https://"), rid


def test_the_shipped_knowledge_base_is_broad_both_ways():
    # Issue 13: at least 150 requirements and 8 product families in each direction.
    loaded = kb.read_knowledge_base(kb.KB_DIR)
    requirements = loaded.knowledge_base.requirements
    assert len(requirements) >= 150
    for market in ("CN", "SG"):
        families = {loaded.families[rid] for rid, r in requirements.items() if r.market == market}
        families.discard("")
        assert len(families) >= 8, (market, sorted(families))


def test_no_china_market_requirement_rests_on_an_unconfirmed_source():
    # The December 2026 re-check took out every China-market entry whose only source was a
    # consultancy, an agent or a press report; a new one needs a statute, the rule's own text or a
    # government page before it goes in.
    loaded = kb.read_knowledge_base(kb.KB_DIR)
    unconfirmed = sorted(
        rid
        for rid, r in loaded.knowledge_base.requirements.items()
        if r.market == "CN" and r.confidence == "unconfirmed"
    )
    assert unconfirmed == []


def test_no_comment_in_the_knowledge_base_names_a_machine_path():
    for path in kb.KB_DIR.rglob("*"):
        if path.is_file():
            assert "/work/" not in path.read_text(encoding="utf-8"), path


def test_a_requirement_without_a_source_quote_is_rejected(tmp_path):
    write_kb(tmp_path, {"sg/test.yaml": MARKET_HEAD + requirement("r-one", source_quote=None)})
    assert only_problem(tmp_path) == kb.Problem(
        "sg/test.yaml", 7, "Add “source_quote” to the requirement “r-one”; it is required."
    )


def test_the_shipped_knowledge_base_covers_both_markets_and_the_origin_agreements():
    knowledge_base = kb.load_knowledge_base()
    assert knowledge_base.markets == {"SG", "CN"}
    assert knowledge_base.attribute_types["max_laden_weight_kg"] == "number"
    assert knowledge_base.attribute_choices["powertrain"] == (
        "electric",
        "diesel",
        "petrol",
        "hybrid",
    )
    assert knowledge_base.attribute_units == {"max_laden_weight_kg": "kg", "vehicle_length_m": "m"}
    region = knowledge_base.requirements["sg-sfa-region-accreditation"]
    assert (region.mast, region.authority) == ("A120", "sg-sfa")
    rcep = knowledge_base.requirements["cn-rcep-proof-of-origin"]
    assert (rcep.market, rcep.origins, rcep.authority) == ("CN", ("SG",), "cn-gacc")
    gacc = knowledge_base.requirements["cn-gacc-overseas-manufacturer-registration"]
    assert gacc.confidence == "partly confirmed"  # since the Food Safety Law's text was found
    fuel = knowledge_base.requirements["sg-nea-fuel-economy-emissions-data"]
    assert fuel.equivalent_evidence == ("eu-wvta-certificate", "eu-coc")
    scopes = {(s.market, s.family, s.coverage) for s in knowledge_base.scopes}
    assert ("SG", "meat", "covered") in scopes
    assert ("CN", "meat", "partial") in scopes
    assert ("SG", "vehicles", "covered") in scopes


def test_the_electric_van_story_comes_out_of_the_engine():
    """An EU-type-approved electric van from China: the rules accepting EU evidence are met by
    a recognised equivalent, the combustion-engine rules do not apply, the rest is the roadmap."""
    product = engine.Product(
        hs_code="870460",
        origin="CN",
        destination="SG",
        attributes={"vehicle_category": "N2", "powertrain": "electric"},
        held=frozenset({"eu-wvta-certificate", "eu-coc"}),
    )
    assessment = engine.assess(kb.load_knowledge_base(), product)
    status = {r.id: r.status for r in assessment.requirements}
    assert status["sg-nea-fuel-economy-emissions-data"] == engine.MET_BY_EQUIVALENT
    assert status["sg-lta-ev-unece-standards"] == engine.MET_BY_EQUIVALENT
    assert status["sg-lta-exhaust-test"] == engine.NOT_APPLICABLE
    assert status["sg-nea-diesel-heavy-euro-vi"] == engine.NOT_APPLICABLE
    roadmap = [step.id for step in assessment.roadmap]
    assert roadmap[0] == "sg-lta-type-approval"
    assert roadmap[-1] == "sg-lta-registration-inspection"
    assert "sg-nea-fuel-economy-emissions-data" not in roadmap
    assert assessment.coverage == engine.COVERED


def van(held=frozenset(), **attributes) -> engine.Assessment:
    product = engine.Product(
        hs_code="870460",
        origin="CN",
        destination="SG",
        attributes={"powertrain": "electric", "vehicle_condition": "brand_new", **attributes},
        held=frozenset(held),
    )
    return engine.assess(kb.load_knowledge_base(), product)


def test_holding_the_eu_approval_shortens_the_van_s_journey():
    """Without the EU approval the van walks the EU/UNECE conformity route (the EQ2 took about
    18 months), then LTA type approval; with it, only the LTA steps remain."""
    without = van()
    with_eu = van({"eu-wvta-certificate", "eu-coc"})
    assert with_eu.duration_days[1] < without.duration_days[1]
    assert without.critical_path[:2] == ("sg-lta-ev-unece-standards", "sg-lta-type-approval")
    route = kb.read_knowledge_base(kb.KB_DIR)
    assert route.duration_sources["sg-lta-ev-unece-standards"].startswith("https://")
    assert route.knowledge_base.requirements["sg-lta-ev-unece-standards"].duration_days[1] == 548
    # the likely journey without the approval is at least the 18 months of the EQ2's route
    assert without.duration_days[1] >= 548
    assert "sg-lta-ev-unece-standards" not in with_eu.critical_path


def test_the_fuel_economy_data_go_to_lta_with_type_approval_and_only_up_to_3500_kg():
    fuel = kb.load_knowledge_base().requirements["sg-nea-fuel-economy-emissions-data"]
    assert fuel.authority == "sg-lta"
    type_approval = kb.load_knowledge_base().requirements["sg-lta-type-approval"]
    assert "sg-nea-fuel-economy-emissions-data" in type_approval.prerequisites
    status = {r.id: r.status for r in van(max_laden_weight_kg=7500).requirements}
    assert status["sg-nea-fuel-economy-emissions-data"] == engine.NOT_APPLICABLE
    status = {r.id: r.status for r in van(max_laden_weight_kg=3500).requirements}
    assert status["sg-nea-fuel-economy-emissions-data"] == engine.NOT_MET


def test_the_goods_vehicle_checklist_applies_to_light_vans_too():
    status = {r.id: r.status for r in van(max_laden_weight_kg=3000).requirements}
    assert status["sg-lta-goods-vehicle-checklist"] == engine.NOT_MET
    assert status["sg-lta-underrun-sideguards"] == engine.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("weight", "open_deck", "heavy", "open_deck_rule"),
    [
        (3000, "yes", engine.NOT_APPLICABLE, engine.NOT_APPLICABLE),
        (7500, "no", engine.NOT_APPLICABLE, engine.NOT_APPLICABLE),
        (7500, "yes", engine.NOT_APPLICABLE, engine.NOT_MET),
        (12000, "yes", engine.NOT_APPLICABLE, engine.NOT_MET),
        (16000, "no", engine.NOT_MET, engine.NOT_APPLICABLE),
    ],
)
def test_the_speed_limiter_applies_above_12_t_or_with_an_open_deck_carrying_people(
    weight, open_deck, heavy, open_deck_rule
):
    assessment = van(max_laden_weight_kg=weight, open_deck_carries_people=open_deck)
    status = {r.id: r.status for r in assessment.requirements}
    assert status["sg-lta-speed-limiter-heavy"] == heavy
    assert status["sg-lta-speed-limiter-open-deck"] == open_deck_rule


@pytest.mark.parametrize(
    ("length", "expected"),
    [(5.2, engine.NOT_APPLICABLE), (10, engine.NOT_APPLICABLE), (11.5, engine.NOT_MET)],
)
def test_retro_reflective_markings_only_for_goods_vehicles_longer_than_10_m(length, expected):
    status = {r.id: r.status for r in van(vehicle_length_m=length).requirements}
    assert status["sg-lta-retroreflective-markings-un-r104"] == expected


def test_the_brand_new_rule_runs_from_the_later_of_the_coc_and_the_manufacture_date():
    coc = kb.load_knowledge_base().requirements["sg-lta-coc-within-3-months"]
    assert "whichever is later" in coc.source_quote
    assert "later of its CoC/CIC date and its date of manufacture" in coc.title_en
    assert (
        "brand new" in coc.summary_en and "registered as new in a foreign country" in coc.summary_en
    )
    status = {r.id: r.status for r in van(vehicle_condition="used").requirements}
    assert status["sg-lta-coc-within-3-months"] == engine.NOT_APPLICABLE


def pork(hs_code="160249", held=(), **attributes) -> engine.Assessment:
    product = engine.Product(
        hs_code=hs_code,
        origin="CN",
        destination="SG",
        attributes={"meat_species": "pork", "processing_form": "canned", **attributes},
        held=frozenset(held),
    )
    return engine.assess(kb.load_knowledge_base(), product)


def test_the_canned_pork_story_comes_out_of_the_engine_in_prerequisite_order():
    """Since December 2024: region, then the establishment for its commodity form and species
    (no product step), then the per-consignment certificate and permit."""
    assessment = pork()
    roadmap = [step.id for step in assessment.roadmap]
    chain = [
        "sg-sfa-region-accreditation",
        "sg-sfa-establishment-approval",
        "sg-sfa-health-certificate",
        "sg-sfa-tradenet-permit",
    ]
    assert [step for step in roadmap if step in chain] == chain
    assert "sg-sfa-product-approval" not in kb.load_knowledge_base().requirements
    assert roadmap.index("sg-sfa-import-licence") < roadmap.index("sg-sfa-tradenet-permit")
    assert assessment.critical_path[:2] == (
        "sg-sfa-region-accreditation",
        "sg-sfa-establishment-approval",
    )
    # about six months from region accreditation to first shipment (the Chongqing case)
    assert 150 <= assessment.duration_days[1] <= 210
    per_consignment = {r.id for r in assessment.roadmap} & {
        rid for rid, r in kb.load_knowledge_base().requirements.items() if r.per_consignment
    }
    assert "sg-sfa-health-certificate" in per_consignment


def test_frozen_pork_from_a_region_approved_for_processed_pork_is_not_region_approved():
    """Chongqing is accredited for processed (canned) pork: that is what it holds. Frozen
    0203 from there needs the region accreditation for frozen meat, not the canned-pork path."""
    chongqing = {"sfa-region-accreditation-processed"}
    canned = {r.id: r.status for r in pork(held=chongqing).requirements}
    assert canned["sg-sfa-region-accreditation"] == engine.MET
    frozen = pork("020329", held=chongqing, processing_form="frozen")
    status = {r.id: r.status for r in frozen.requirements}
    assert status["sg-sfa-region-accreditation"] == engine.NOT_APPLICABLE
    assert status["sg-sfa-region-accreditation-raw"] == engine.NOT_MET
    assert frozen.critical_path[0] == "sg-sfa-region-accreditation-raw"
    assert status["sg-sfa-frozen-at-most-6-months"] == engine.NOT_MET


@pytest.mark.parametrize(
    ("species", "expected"),
    [("pork", engine.NOT_MET), ("beef", engine.NOT_MET), ("poultry", engine.NOT_APPLICABLE)],
)
def test_the_codex_ractopamine_limits_are_for_beef_and_pork(species, expected):
    status = {r.id: r.status for r in pork("020130", meat_species=species).requirements}
    assert status["sg-sfa-ractopamine-mrl"] == expected
    assert status["sg-sfa-no-other-beta-agonists"] == engine.NOT_MET  # every species


def test_beef_needs_accreditation_whatever_its_content():
    soup = pork("210410", meat_species="beef", processing_form="processed")
    status = {r.id: r.status for r in soup.requirements}
    assert status["sg-sfa-beef-accreditation-any-content"] == engine.NOT_MET
    noodles = pork("190230", meat_species="pork", processing_form="processed")
    status = {r.id: r.status for r in noodles.requirements}
    assert status["sg-sfa-beef-accreditation-any-content"] == engine.NOT_APPLICABLE


def test_gear_boxes_are_not_covered_rather_than_ready():
    # No market file speaks of vehicle parts (8708): nothing applies, and that is "not covered".
    product = engine.Product(hs_code="870840", origin="CN", destination="SG")
    assessment = engine.assess(kb.load_knowledge_base(), product)
    assert assessment.coverage == engine.NOT_COVERED
    assert {r.status for r in assessment.requirements} <= {engine.NOT_APPLICABLE}


@pytest.mark.parametrize(
    ("hs_code", "origin", "destination", "expected"),
    [
        ("160249", "CN", "SG", engine.COVERED),
        ("0203", "CN", "SG", engine.COVERED),
        ("16", "CN", "SG", engine.PARTIAL),  # chapter 16 is wider than 1601 and 1602
        ("160420", "CN", "SG", engine.PARTIAL),  # the seafood file declares no scope
        ("870840", "CN", "SG", engine.NOT_COVERED),  # vehicle parts: no file speaks of them
        ("020329", "SG", "CN", engine.PARTIAL),  # China's file declares only a partial scope
        ("870460", "SG", "CN", engine.PARTIAL),  # only the origin rules are known there
        ("330499", "SG", "CN", engine.PARTIAL),  # NMPA cosmetics file, no declared scope
        ("871200", "SG", "CN", engine.NOT_COVERED),  # bicycles
    ],
)
def test_coverage_follows_the_declared_scopes(hs_code, origin, destination, expected):
    product = engine.Product(hs_code=hs_code, origin=origin, destination=destination)
    assert engine.assess(kb.load_knowledge_base(), product).coverage == expected


def test_a_malformed_scope_is_reported(tmp_path):
    text = MARKET_HEAD.replace(
        "requirements:\n",
        'family: meat\nscope:\n  hs_prefixes: ["16"]\n  coverage: total\nrequirements:\n',
    ) + requirement("r-one")
    write_kb(tmp_path, {"sg/test.yaml": text})
    assert only_problem(tmp_path) == kb.Problem(
        "sg/test.yaml", 9, "The coverage “total” must be one of covered, partial."
    )


# --- validation: each kind of problem, with file and line -----------------------------------

ATTRIBUTES = """\
attributes:
  powertrain:
    type: choice
    values: [electric, diesel]
    label: {en: Powertrain, zh: 动力类型}
  max_laden_weight_kg:
    type: number
    unit: kg
    label: {en: Maximum laden weight, zh: 最大满载质量}
"""

EVIDENCE = """\
evidence:
  - id: approval-a
    title: {en: Approval A, zh: 批准A}
  - id: approval-b
    title: {en: Approval B, zh: 批准B}
"""


def requirement(rid: str, **overrides: str) -> str:
    """One requirement as YAML lines (6 spaces for its keys), with `overrides` replacing keys."""
    fields = {
        "kind": "approval",
        "mast": "A120",
        "title": "{en: Title, zh: 标题}",
        "summary": "{en: Summary, zh: 摘要}",
        "legal_basis": "A law",
        "applicability": '\n        hs_prefixes: ["1602"]',
        "evidence": "[approval-a]",
        "prerequisites": "[]",
        "duration_days": "[1, 2, 3]",
        "duration_source": "estimate",
        "source_url": "https://example.org/rule",
        "checked_on": "2026-11-28",
        "confidence": "confirmed",
        "source_quote": '"The rule, in the words of its source."',
    }
    fields.update(overrides)
    lines = [f"  - id: {rid}"]
    lines += [f"    {key}: {value}" for key, value in fields.items() if value is not None]
    return "\n".join(lines) + "\n"


MARKET_HEAD = """\
market: SG
authority:
  key: sg-test
  country: SG
  name: {en: Test Authority, zh: 测试机构}
requirements:
"""


def write_kb(directory: Path, market_files: dict[str, str]) -> Path:
    (directory / "attributes.yaml").write_text(ATTRIBUTES, encoding="utf-8")
    (directory / "evidence.yaml").write_text(EVIDENCE, encoding="utf-8")
    for name, text in market_files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return directory


def only_problem(directory: Path) -> kb.Problem:
    problems = kb.validate(directory)
    assert len(problems) == 1, problems
    return problems[0]


def test_a_small_valid_knowledge_base_has_no_problems(tmp_path):
    write_kb(tmp_path, {"sg/test.yaml": MARKET_HEAD + requirement("r-one") + requirement("r-two")})
    assert kb.validate(tmp_path) == []


def test_an_unknown_key_is_reported_at_its_line(tmp_path):
    text = MARKET_HEAD + requirement("r-one", colour="red")
    write_kb(tmp_path, {"sg/test.yaml": text})
    problem = only_problem(tmp_path)
    assert (problem.file, problem.line) == ("sg/test.yaml", 23)
    assert problem.message.startswith(
        "The key “colour” is not known in the requirement “r-one”; the known keys are id, kind,"
    )


def test_a_missing_source_is_reported_at_the_requirement(tmp_path):
    text = MARKET_HEAD + requirement("r-one") + requirement("r-two", source_url=None)
    write_kb(tmp_path, {"sg/test.yaml": text})
    assert only_problem(tmp_path) == kb.Problem(
        "sg/test.yaml", 23, "Add “source_url” to the requirement “r-two”; it is required."
    )


def test_a_missing_checked_on_date_is_reported(tmp_path):
    write_kb(tmp_path, {"sg/test.yaml": MARKET_HEAD + requirement("r-one", checked_on=None)})
    assert only_problem(tmp_path) == kb.Problem(
        "sg/test.yaml", 7, "Add “checked_on” to the requirement “r-one”; it is required."
    )


@pytest.mark.parametrize("value", ["2026-02-30", "28/11/2026", "soon"])
def test_a_malformed_date_is_reported_at_its_line(tmp_path, value):
    write_kb(tmp_path, {"sg/test.yaml": MARKET_HEAD + requirement("r-one", checked_on=value)})
    assert only_problem(tmp_path) == kb.Problem(
        "sg/test.yaml",
        20,
        f"The date “{value}” is not a date; write it as YYYY-MM-DD, such as 2026-11-28.",
    )


def test_a_dangling_prerequisite_is_reported_at_its_line(tmp_path):
    text = MARKET_HEAD + requirement("r-one", prerequisites="\n      - r-missing")
    write_kb(tmp_path, {"sg/test.yaml": text})
    assert only_problem(tmp_path) == kb.Problem(
        "sg/test.yaml",
        17,
        "The prerequisite “r-missing” is not a requirement in the knowledge base; correct the "
        "id or remove it.",
    )


def test_a_prerequisite_cycle_is_named(tmp_path):
    text = (
        MARKET_HEAD
        + requirement("r-a", prerequisites="[r-c]")
        + requirement("r-b", prerequisites="[r-a]")
        + requirement("r-c", prerequisites="[r-b]")
        + requirement("r-free")
    )
    write_kb(tmp_path, {"sg/test.yaml": text})
    assert only_problem(tmp_path) == kb.Problem(
        "sg/test.yaml",
        7,
        "The prerequisites form a cycle: r-a → r-c → r-b → r-a. A requirement cannot wait "
        "for itself; remove one of these prerequisites.",
    )


def test_a_requirement_that_waits_for_itself_is_a_cycle(tmp_path):
    write_kb(tmp_path, {"sg/test.yaml": MARKET_HEAD + requirement("r-a", prerequisites="[r-a]")})
    assert "r-a → r-a" in only_problem(tmp_path).message


@pytest.mark.parametrize("prefix", ["160", "1602491", "16O2", "16.02", ""])
def test_a_malformed_hs_prefix_is_reported_at_its_line(tmp_path, prefix):
    applicability = f'\n        hs_prefixes:\n          - "{prefix}"'
    text = MARKET_HEAD + requirement("r-one", applicability=applicability)
    write_kb(tmp_path, {"sg/test.yaml": text})
    problem = only_problem(tmp_path)
    assert (problem.file, problem.line) == ("sg/test.yaml", 15)
    assert problem.message.startswith(f"The HS prefix “{prefix}” must be 2, 4 or 6 digits")


def test_an_unknown_attribute_in_a_condition_is_reported(tmp_path):
    applicability = (
        '\n        hs_prefixes: ["8704"]\n        conditions:\n          - attribute: colour\n'
        "            one_of: [red]"
    )
    write_kb(
        tmp_path, {"sg/test.yaml": MARKET_HEAD + requirement("r-one", applicability=applicability)}
    )
    assert only_problem(tmp_path) == kb.Problem(
        "sg/test.yaml",
        16,
        "The attribute “colour” is not declared in attributes.yaml; declare it there or use one "
        "of max_laden_weight_kg, powertrain.",
    )


@pytest.mark.parametrize(
    ("condition", "line", "message"),
    [
        (
            "- attribute: max_laden_weight_kg\n            greater_than: heavy",
            17,
            "Write the bound greater_than as a number.",
        ),
        (
            "- attribute: powertrain\n            one_of: [steam]",
            17,
            "“steam” is not a value of the attribute “powertrain”; use one of electric, diesel.",
        ),
        (
            "- attribute: powertrain\n            at_least: 3",
            16,
            "The attribute “powertrain” is a choice: the condition needs “one_of” with a list of "
            "its values, and no numeric bounds.",
        ),
        (
            "- attribute: max_laden_weight_kg\n            one_of: [heavy]",
            16,
            "The attribute “max_laden_weight_kg” is a number: the condition needs greater_than, "
            "at_least, less_than or at_most, and no “one_of”.",
        ),
    ],
)
def test_a_condition_value_of_the_wrong_type_is_reported(tmp_path, condition, line, message):
    applicability = f'\n        hs_prefixes: ["8704"]\n        conditions:\n          {condition}'
    write_kb(
        tmp_path, {"sg/test.yaml": MARKET_HEAD + requirement("r-one", applicability=applicability)}
    )
    assert only_problem(tmp_path) == kb.Problem("sg/test.yaml", line, message)


def test_an_unknown_evidence_id_is_reported_at_its_line(tmp_path):
    text = MARKET_HEAD + requirement("r-one", equivalent_evidence="\n      - approval-z")
    write_kb(tmp_path, {"sg/test.yaml": text})
    assert only_problem(tmp_path) == kb.Problem(
        "sg/test.yaml",
        24,
        "The evidence “approval-z” is not declared in evidence.yaml; declare it there or "
        "correct the id.",
    )


def test_a_duplicate_id_across_files_is_reported_in_the_second_file(tmp_path):
    other = MARKET_HEAD.replace("sg-test", "sg-other") + requirement("r-new") + requirement("r-one")
    write_kb(tmp_path, {"sg/a.yaml": MARKET_HEAD + requirement("r-one"), "sg/b.yaml": other})
    assert only_problem(tmp_path) == kb.Problem(
        "sg/b.yaml",
        23,
        "The requirement id “r-one” is already used in sg/a.yaml at line 7; ids must be unique "
        "across the knowledge base.",
    )


@pytest.mark.parametrize(
    ("overrides", "line", "message"),
    [
        (
            {"duration_days": None},
            7,
            "Add “duration_days” to the requirement “r-one”; it is required.",
        ),
        (
            {"duration_days": "[5, 2, 9]"},
            17,
            "duration_days of “r-one” must be in order: optimistic ≤ likely ≤ pessimistic.",
        ),
        (
            {"duration_source": "a guess"},
            18,
            "duration_source must be “estimate” or the http(s) address the durations come from.",
        ),
        (
            {"source_url": "www.sfa.gov.sg"},
            19,
            "The source of “r-one” must be an http or https address.",
        ),
        (
            {"evidence": "[]"},
            15,
            "“r-one” names no evidence; list at least one evidence id that meets it.",
        ),
    ],
)
def test_other_malformed_fields_are_reported(tmp_path, overrides, line, message):
    write_kb(tmp_path, {"sg/test.yaml": MARKET_HEAD + requirement("r-one", **overrides)})
    assert only_problem(tmp_path) == kb.Problem("sg/test.yaml", line, message)


def test_an_unknown_authority_reference_is_reported(tmp_path):
    text = "market: CN\nauthority: cn-nobody\nrequirements:\n" + requirement("r-one")
    write_kb(tmp_path, {"cn/test.yaml": text})
    assert only_problem(tmp_path) == kb.Problem(
        "cn/test.yaml",
        2,
        "No file declares the authority “cn-nobody”; declare it with key, country and name in "
        "the file of that authority.",
    )


def test_a_yaml_syntax_error_is_reported_with_its_line(tmp_path):
    text = MARKET_HEAD + requirement("r-one", title="{en: Title, zh: 标题")
    write_kb(tmp_path, {"sg/test.yaml": text})
    problem = only_problem(tmp_path)
    assert (problem.file, problem.line) == ("sg/test.yaml", 11)
    assert problem.message.startswith("The file is not valid YAML:")


def test_an_unquoted_two_digit_prefix_keeps_its_leading_zero(tmp_path):
    applicability = "\n        hs_prefixes: [02, 1602]"
    write_kb(
        tmp_path, {"sg/test.yaml": MARKET_HEAD + requirement("r-one", applicability=applicability)}
    )
    knowledge_base = kb.load_knowledge_base(tmp_path)
    assert knowledge_base.requirements["r-one"].hs_prefixes == ("02", "1602")


def test_load_knowledge_base_raises_with_the_problems(tmp_path):
    write_kb(tmp_path, {"sg/test.yaml": MARKET_HEAD + requirement("r-one", mast="X12")})
    with pytest.raises(kb.KbError) as caught:
        kb.load_knowledge_base(tmp_path)
    assert [(p.file, p.line) for p in caught.value.problems] == [("sg/test.yaml", 9)]


def test_kb_validate_prints_file_and_line_and_fails(tmp_path, monkeypatch):
    write_kb(tmp_path, {"sg/test.yaml": MARKET_HEAD + requirement("r-one", confidence="sure")})
    monkeypatch.chdir(tmp_path)
    out = StringIO()
    with pytest.raises(CommandError, match="The knowledge base has 1 problem."):
        call_command("kb_validate", str(tmp_path), stdout=out)
    assert out.getvalue() == (
        "sg/test.yaml:21: The confidence “sure” must be one of confirmed, partly confirmed, "
        "unconfirmed.\n"
    )


def test_kb_validate_says_so_when_all_is_well_and_counts_per_family_and_market_in_a_table():
    out = StringIO()
    call_command("kb_validate", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "The knowledge base is valid."
    loaded = kb.read_knowledge_base(kb.KB_DIR)
    requirements = loaded.knowledge_base.requirements
    sg = sum(1 for r in requirements.values() if r.market == "SG")
    meat_sg = sum(
        1 for rid, r in requirements.items() if r.market == "SG" and loaded.families[rid] == "meat"
    )
    meat = sum(1 for rid in loaded.families if loaded.families[rid] == "meat")
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows["Family"] == ["CN", "SG", "Total"]
    assert rows["meat"] == [str(meat - meat_sg), str(meat_sg), str(meat)]
    assert rows["Total"] == [str(len(requirements) - sg), str(sg), str(len(requirements))]
    assert "vehicles" in rows


def test_kb_validate_counts_a_file_without_a_family_apart(tmp_path):
    write_kb(
        tmp_path,
        {
            "sg/test.yaml": MARKET_HEAD + requirement("r-one"),
        },
    )
    out = StringIO()
    call_command("kb_validate", str(tmp_path), stdout=out)
    assert out.getvalue().splitlines()[1:] == [
        "Family       SG  Total",
        "(no family)   1      1",
        "Total         1      1",
    ]


def test_current_is_read_once_and_reset_forgets_it():
    kb.reset()
    first = kb.current()
    assert kb.current() is first
    assert set(kb.current_hashes()) == set(first.requirements)
    kb.reset()
    assert kb.current() is not first


# --- kb_load and staleness -----------------------------------------------------------------


def load(directory: Path | None = None) -> str:
    out = StringIO()
    args = [str(directory)] if directory else []
    call_command("kb_load", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_kb_load_twice_changes_nothing_the_second_time():
    assert load() == (
        "Requirements: 164 created, 0 updated, 0 unchanged, 0 removed. Authorities: 12 created, "
        "0 updated. Assessments marked stale: 0. People told: 0."
    )
    region = Requirement.objects.get(key="sg-sfa-region-accreditation")
    assert (region.authority.key, region.mast, region.kb_file) == (
        "sg-sfa",
        "A120",
        "sg/sfa-meat.yaml",
    )
    assert region.checked_on == date(2026, 12, 5)
    assert region.definition["prerequisites"] == []
    assert region.definition["duration_source"] == "estimate"
    assert region.content_hash == kb.current_hashes()["sg-sfa-region-accreditation"]
    assert load() == (
        "Requirements: 0 created, 0 updated, 164 unchanged, 0 removed. Authorities: 0 created, "
        "0 updated. Assessments marked stale: 0. People told: 0."
    )
    assert Requirement.objects.count() == 164
    assert Authority.objects.count() == 12


def assessment_on(organisation, requirement_ids: list[str], hashes: dict[str, str], **fields):
    return ReadinessAssessment.objects.create(
        organisation=organisation,
        hs_code=fields.get("hs_code", "160249"),
        origin="CN",
        destination="SG",
        product_name=fields.get("product_name", ""),
        requirement_hashes={rid: hashes[rid] for rid in requirement_ids},
    )


@pytest.fixture
def kb_copy(tmp_path):
    directory = tmp_path / "kb"
    shutil.copytree(kb.KB_DIR, directory)
    return directory


@pytest.mark.django_db
def test_a_changed_requirement_marks_exactly_its_assessments_stale_and_tells_each_member_once(
    settings,
    kb_copy,
    enterprise,
    owner,
    colleague,
    other_enterprise,
    outsider,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    load(kb_copy)
    hashes = dict(Requirement.objects.values_list("key", "content_hash"))
    pork = assessment_on(
        enterprise,
        ["sg-sfa-region-accreditation", "sg-sfa-establishment-approval"],
        hashes,
        product_name="Canned pork",
    )
    sausages = assessment_on(
        enterprise,
        ["sg-sfa-region-accreditation"],
        hashes,
        product_name="Sausages",
        hs_code="160100",
    )
    van = assessment_on(
        enterprise, ["sg-lta-type-approval"], hashes, product_name="EQ2 van", hs_code="870460"
    )
    labels = assessment_on(other_enterprise, ["sg-sfa-labelling"], hashes, product_name="Ham")
    fresh_elsewhere = assessment_on(other_enterprise, ["sg-lta-type-approval"], hashes)

    meat = kb_copy / "sg" / "sfa-meat.yaml"
    text = meat.read_text(encoding="utf-8")
    # the first of the two region accreditations (processed meat), only
    changed = text.replace("duration_days: [60, 120, 365]", "duration_days: [90, 150, 365]", 1)
    assert changed != text
    start = changed.index("  - id: sg-sfa-labelling")
    end = changed.index("  - id: sg-sfa-import-licence")
    meat.write_text(changed[:start] + changed[end:], encoding="utf-8")

    with django_capture_on_commit_callbacks(execute=True):
        output = load(kb_copy)

    assert output == (
        "Requirements: 0 created, 1 updated, 162 unchanged, 1 removed. Authorities: 0 created, "
        "0 updated. Assessments marked stale: 3. People told: 3."
    )
    stale = set(ReadinessAssessment.objects.filter(is_stale=True).values_list("id", flat=True))
    assert stale == {pork.id, sausages.id, labels.id}
    assert not ReadinessAssessment.objects.get(id=van.id).is_stale
    assert not ReadinessAssessment.objects.get(id=fresh_elsewhere.id).is_stale
    assert not Requirement.objects.filter(key="sg-sfa-labelling").exists()
    assert [e.summary for e in audit_entries_for(pork)] == [
        "Marked stale: sg-sfa-region-accreditation changed."
    ]

    # one message per person, in the e-mail of each, naming their own organisation's assessments
    assert sorted(m.to[0] for m in mailoutbox) == [
        "colleague@example.org",
        "outsider@example.org",
        "owner@example.org",
    ]
    to_owner = Notification.objects.get(recipient=owner)
    assert to_owner.subject_en == (
        "Corridor: 1 market-access requirement that concerns you changed"
    )
    assert "Canned pork (HS 160249, CN → SG)" in to_owner.body_en
    assert "Sausages (HS 160100, CN → SG)" in to_owner.body_en
    assert "• changed: " in to_owner.body_en
    assert "(SG, sg-sfa-region-accreditation)" in to_owner.body_en
    assert f"/standards/assessments/new/?from={pork.pk}" in to_owner.body_en
    assert "EQ2 van" not in to_owner.body_en
    assert "Ham" not in to_owner.body_en
    to_other = Notification.objects.get(recipient=outsider)
    assert "• retired: " in to_other.body_en
    assert "(SG, sg-sfa-labelling)" in to_other.body_en
    assert "Canned pork" not in to_other.body_en
    assert to_other.url == f"/standards/assessments/new/?from={labels.pk}"


@pytest.mark.django_db
def test_an_assessment_already_stale_is_not_reported_again(
    kb_copy, enterprise, owner, mailoutbox, django_capture_on_commit_callbacks
):
    load(kb_copy)
    hashes = dict(Requirement.objects.values_list("key", "content_hash"))
    assessment = assessment_on(enterprise, ["sg-sfa-import-licence"], hashes)
    assessment.is_stale = True
    assessment.save()
    with django_capture_on_commit_callbacks(execute=True):
        stale = mark_stale_assessments({"sg-sfa-import-licence": "another-hash"})
    assert stale == {}
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_broken_file_loads_nothing(kb_copy):
    load(kb_copy)
    before = dict(Requirement.objects.values_list("key", "content_hash"))
    meat = kb_copy / "sg" / "sfa-meat.yaml"
    meat.write_text(
        meat.read_text(encoding="utf-8").replace(
            "duration_days: [60, 120, 365]", "duration_days: [90, 150, 365]"
        ),
        encoding="utf-8",
    )
    # A file that declares no authority others refer to, so that its error is the only one.
    cars = kb_copy / "sg" / "lta-cars.yaml"
    cars.write_text(cars.read_text(encoding="utf-8") + "  - id: [broken\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="The knowledge base has 1 problem; nothing was loaded."):
        call_command("kb_load", str(kb_copy), stdout=StringIO(), stderr=err)
    assert "lta-cars.yaml:" in err.getvalue()
    assert dict(Requirement.objects.values_list("key", "content_hash")) == before


@pytest.mark.django_db
def test_a_broken_knowledge_base_writes_nothing_into_an_empty_database(kb_copy):
    (kb_copy / "evidence.yaml").write_text("evidence:\n  - id: x\n    title: [\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("kb_load", str(kb_copy), stdout=StringIO(), stderr=StringIO())
    assert Requirement.objects.count() == 0
    assert Authority.objects.count() == 0
