"""Lossless IATI 2.03: what the shared samples bring in goes out again, element family by
element family and activity by activity, with Corridor's own changes applied."""

import datetime
import json
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from corridor.accounts.models import Organisation
from corridor.portfolio import iati, services
from corridor.portfolio.models import IatiActivitySource, Project
from corridor.testing.factories import ProjectFactory

SHARED_IATI = Path(__file__).resolve().parents[4] / "shared" / "data" / "iati"
SAMPLES = ["nl_mfa_203.xml", "annotated_203.xml"]
RULESETS = SHARED_IATI / "rulesets" / "standard.json"
SHARED_XSD = SHARED_IATI / "xsd" / "iati-activities-schema.xsd"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"

pytestmark = pytest.mark.skipif(
    not (SHARED_IATI / SAMPLES[0]).exists(),
    reason="the shared IATI samples (../shared/data/iati/) are not present next to the repository",
)

# Each element family: its path from the activity. Every element of a family must come out
# with the same attributes, text and children (narratives with their own language).
FAMILIES = {
    "transactions": "transaction",
    "budgets": "budget",
    "planned disbursements": "planned-disbursement",
    "activity dates": "activity-date",
    "sectors": "sector",
    "recipient countries": "recipient-country",
    "recipient regions": "recipient-region",
    "locations": "location",
    "document links": "document-link",
    "results": "result",
    "contact info": "contact-info",
    "policy markers": "policy-marker",
    "tags": "tag",
    "other identifiers": "other-identifier",
    "participating organisations": "participating-org",
    "related activities": "related-activity",
    "defaults": "collaboration-type|default-flow-type|default-finance-type|default-aid-type"
    "|default-tied-status",
    "reporting organisation": "reporting-org",
    "titles and descriptions": "title|description",
}
DEFAULT_ATTRIBUTES = (
    "default-currency",
    "hierarchy",
    "humanitarian",
    "budget-not-provided",
    "last-updated-datetime",
)


def _shape(element, language: str):
    """An element as a comparable value: tag, attributes, text, children; a narrative's
    language is resolved (its own, else the activity's)."""
    attributes = dict(element.attrib)
    if element.tag == "narrative":
        attributes[LANG] = element.get(LANG) or language
    return (
        element.tag,
        tuple(sorted(attributes.items())),
        " ".join((element.text or "").split()),
        tuple(_shape(child, language) for child in element if isinstance(child.tag, str)),
    )


def _activities(root) -> dict[str, etree._Element]:
    return {a.findtext("iati-identifier").strip(): a for a in root.findall("iati-activity")}


def _language(activity, root) -> str:
    return activity.get(LANG) or root.get(LANG) or "en"


@pytest.fixture(params=SAMPLES)
def round_trip(request, administration):
    """(the sample's root, the export's root) after importing the sample."""
    path = SHARED_IATI / request.param
    iati.import_activities(path, owner=administration)
    exported = iati.export_activities(Project.objects.order_by("id"))
    return etree.parse(str(path)).getroot(), etree.fromstring(exported)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_element_of_each_family_comes_out_as_it_went_in(round_trip, family):
    original, exported = round_trip
    out = _activities(exported)
    ins = _activities(original)
    assert set(out) == set(ins)
    for identifier, activity in ins.items():
        path = FAMILIES[family]
        before = [_shape(e, _language(activity, original)) for e in activity.xpath(path)]
        after = [
            _shape(e, _language(out[identifier], exported)) for e in out[identifier].xpath(path)
        ]
        assert len(after) == len(before), (identifier, family)
        assert after == before, (identifier, family)


def test_the_counts_of_the_money_and_dates_are_kept(round_trip):
    original, exported = round_trip
    for path in ("transaction", "budget", "planned-disbursement", "activity-date", "result"):
        assert len(exported.xpath(f"iati-activity/{path}")) == len(
            original.xpath(f"iati-activity/{path}")
        )


def test_transactions_keep_type_dates_currency_and_organisations(round_trip):
    original, exported = round_trip

    def facts(root):
        return sorted(
            (
                t.getparent().findtext("iati-identifier"),
                t.find("transaction-type").get("code"),
                t.find("transaction-date").get("iso-date"),
                t.find("value").get("value-date"),
                t.find("value").get("currency") or t.getparent().get("default-currency"),
                t.findtext("value").strip(),
                [_shape(org, "en") for org in t.findall("provider-org")],
                [_shape(org, "en") for org in t.findall("receiver-org")],
            )
            for t in root.xpath("iati-activity/transaction")
        )

    assert facts(exported) == facts(original)


def test_default_attributes_and_narrative_languages_are_kept(round_trip):
    original, exported = round_trip
    out = _activities(exported)
    for identifier, activity in _activities(original).items():
        after = out[identifier]
        for name in DEFAULT_ATTRIBUTES:
            assert after.get(name) == activity.get(name), (identifier, name)
        assert _language(after, exported) == _language(activity, original)

        def languages(element, root):
            language = _language(element, root)
            return Counter(n.get(LANG) or language for n in element.iter("narrative"))

        assert languages(after, exported) == languages(activity, original), identifier


def test_the_export_validates_against_the_official_schema(round_trip):
    _original, exported = round_trip
    schema = etree.XMLSchema(etree.parse(str(SHARED_XSD)))
    assert schema.validate(exported), schema.error_log.last_error


def test_the_reporting_organisation_of_an_imported_activity_is_not_ours(administration):
    iati.import_activities(SHARED_IATI / SAMPLES[0], owner=administration)
    exported = etree.fromstring(iati.export_activities(Project.objects.all()))

    refs = {a.find("reporting-org").get("ref") for a in exported.findall("iati-activity")}
    assert refs == {"XM-DAC-7"}  # the Dutch Ministry of Foreign Affairs, not XI-CORRIDOR
    assert set(IatiActivitySource.objects.values_list("reporting_org_ref", flat=True)) == {
        "XM-DAC-7"
    }


def _edit(actor, project: Project, **changes) -> Project:
    data = services.input_of(project)
    for name, value in changes.items():
        setattr(data, name, value)
    return services.project_update(actor=actor, project=project, data=data)


def test_a_change_made_in_corridor_is_applied_to_the_original(administration, facilitator):
    iati.import_activities(SHARED_IATI / SAMPLES[1], owner=administration)
    project = Project.objects.get()
    original = etree.fromstring(IatiActivitySource.objects.get().xml.encode())

    project = _edit(
        facilitator,
        project,
        title_en="Activity title, as corrected",
        title_zh="活动名称",
        signed_on=datetime.date(2012, 5, 2),
    )
    services.project_transition(
        actor=facilitator,
        project=project,
        to_status=Project.Status.COMPLETED,
        on=datetime.date(2014, 1, 1),
        reason="Finished.",
    )
    activity = etree.fromstring(iati.export_activities(Project.objects.all())).find("iati-activity")

    title = {(n.get(LANG) or "en"): n.text for n in activity.find("title").findall("narrative")}
    before = {(n.get(LANG) or "en"): n.text for n in original.find("title").findall("narrative")}
    assert title == {**before, "en": "Activity title, as corrected", "zh": "活动名称"}
    assert title["fr"] == before["fr"]  # other languages stay as they were
    assert activity.find("activity-status").get("code") == "4"
    assert activity.find("activity-date[@type='2']").get("iso-date") == "2012-05-02"
    assert len(activity.findall("transaction")) == len(original.findall("transaction"))
    assert activity.get("last-updated-datetime") != original.get("last-updated-datetime")


def test_a_party_added_in_corridor_is_added_in_schema_order(
    administration, enterprise, facilitator
):
    iati.import_activities(SHARED_IATI / SAMPLES[1], owner=administration)
    project = Project.objects.get()
    parties = [
        services.PartyInput(organisation=p.organisation, role=p.role) for p in project.parties.all()
    ]
    _edit(
        facilitator,
        project,
        parties=[*parties, services.PartyInput(organisation=enterprise, role="implementer")],
    )

    activity = etree.fromstring(iati.export_activities(Project.objects.all())).find(
        "iati-activity"
    )  # the export validates against the schema, so the new element is in its place

    names = [o.findtext("narrative") for o in activity.findall("participating-org")]
    assert len(names) == 4
    assert enterprise.name_en in names


def test_our_own_activities_are_written_from_the_project(portfolio_of_one, administration):
    exported = etree.fromstring(iati.export_activities(Project.objects.all()))
    assert exported.find("iati-activity/reporting-org").get("ref") == "XI-CORRIDOR"
    assert not IatiActivitySource.objects.exists()
    iati.import_activities(etree.tostring(exported), owner=administration)
    assert not IatiActivitySource.objects.exists()  # our own export: nothing to keep


@pytest.fixture
def portfolio_of_one(administration):
    return ProjectFactory(external_id="SYN-1", owner=administration)


# --- IATI-Rulesets (the rules the IATI Validator applies) ---------------------------------


def _if_then_failures(root) -> set[tuple[str, str]]:
    """(activity, rule id) for every `if_then` rule of the standard ruleset on activities
    that the activity breaks; rules whose XPath lxml cannot evaluate are left out."""
    rules = json.loads(RULESETS.read_text())["/iati-activities/iati-activity"]["if_then"]["cases"]
    failures = set()
    for activity in root.findall("iati-activity"):
        for rule in rules:
            try:
                if activity.xpath(f"boolean({rule['if']})") and not activity.xpath(
                    f"boolean({rule['then']})"
                ):
                    failures.add((activity.findtext("iati-identifier"), rule["ruleInfo"]["id"]))
            except etree.XPathError:
                continue
    return failures


@pytest.mark.skipif(not RULESETS.exists(), reason="the IATI-Rulesets copy is not present")
def test_the_export_breaks_no_standard_rule_the_original_did_not(round_trip):
    original, exported = round_trip

    assert _if_then_failures(exported) <= _if_then_failures(original)
    assert not {f for f in _if_then_failures(exported) if f[1] == "3.7.2"}


# --- a fresh installation -----------------------------------------------------------------


def test_import_into_a_fresh_installation_says_how_to_name_the_owner(db):
    with pytest.raises(CommandError, match="--create-administration"):
        call_command("iati_import", str(SHARED_IATI / SAMPLES[0]))
    assert not Project.objects.exists()


def test_import_into_a_fresh_installation_creates_the_administration(db, capsys):
    call_command(
        "iati_import",
        str(SHARED_IATI / SAMPLES[0]),
        "--create-administration",
        "Corridor Administration Office",
        "--country",
        "SG",
    )

    administration = Organisation.objects.get(is_administration=True)
    assert (administration.name_en, administration.country) == (
        "Corridor Administration Office",
        "SG",
    )
    assert Project.objects.filter(owner=administration).count() == 13
    assert "13 activities (13 created, 0 updated)" in capsys.readouterr().out


def test_an_activity_not_changed_in_corridor_comes_out_exactly_as_it_went_in(round_trip):
    original, exported = round_trip
    out = _activities(exported)
    for identifier, activity in _activities(original).items():
        after = out[identifier]
        # (comments are not kept: the import reads none)
        assert [_shape(c, _language(after, exported)) for c in after] == [
            _shape(c, _language(activity, original)) for c in activity if isinstance(c.tag, str)
        ], identifier
        assert {k: v for k, v in after.attrib.items() if k != LANG} == {
            k: v for k, v in activity.attrib.items() if k != LANG
        }


def test_a_new_location_and_description_are_written_in_both_languages(administration, facilitator):
    iati.import_activities(SHARED_IATI / SAMPLES[0], owner=administration)
    project = Project.objects.get(external_id="NL-1-PPR-25275")
    _edit(
        facilitator,
        project,
        location_en="Srebrenica",
        location_zh="斯雷布雷尼察",
        description_zh="对波托查里纪念馆的荷兰捐款。",
    )

    exported = etree.fromstring(iati.export_activities(Project.objects.all()))
    activity = _activities(exported)["NL-1-PPR-25275"]

    names = [
        {n.get(LANG): n.text for n in location.findall("name/narrative")}
        for location in activity.findall("location")
    ]
    assert names == [{"en": "Srebrenica", "zh": "斯雷布雷尼察"}]  # it had no location
    description = activity.find("description")
    assert description.find("narrative[@{http://www.w3.org/XML/1998/namespace}lang='zh']").text == (
        "对波托查里纪念馆的荷兰捐款。"
    )
    assert description.findtext("narrative").startswith("The Dutch contribution")


def test_an_activity_that_is_not_valid_2_03_is_written_from_the_project(administration):
    root = etree.parse(str(SHARED_IATI / SAMPLES[1])).getroot()
    activity = root.find("iati-activity")
    for element in activity.findall("activity-date"):
        activity.remove(element)  # the schema wants at least one

    report = iati.import_activities(etree.tostring(root), owner=administration)

    assert any("is not valid IATI 2.03 as it stands" in w for w in report.warnings)
    assert not IatiActivitySource.objects.exists()
    exported = etree.fromstring(iati.export_activities(Project.objects.all()))
    assert exported.find("iati-activity/reporting-org").get("ref") == "XI-CORRIDOR"


def test_the_administration_is_not_created_twice(administration):
    with pytest.raises(CommandError, match="already has its administration organisation"):
        call_command(
            "iati_import", str(SHARED_IATI / SAMPLES[1]), "--create-administration", "Another"
        )
    assert Organisation.objects.filter(is_administration=True).count() == 1


def test_a_text_cleared_in_corridor_removes_its_narrative_but_not_the_last(
    administration, facilitator
):
    root = etree.parse(str(SHARED_IATI / SAMPLES[1])).getroot()
    general = root.find("iati-activity/description[@type='1']")
    general.remove(general.find(f"narrative[@{LANG}='fr']"))  # English only now
    iati.import_activities(etree.tostring(root), owner=administration)
    project = Project.objects.get()

    project = _edit(facilitator, project, description_en="", description_zh="新的说明。")
    exported = etree.fromstring(iati.export_activities(Project.objects.all()))  # valid
    general = exported.find("iati-activity/description[@type='1']")
    assert [n.get(LANG) for n in general.findall("narrative")] == ["zh"]

    _edit(facilitator, project, title_en="", title_zh="活动名称")
    exported = etree.fromstring(iati.export_activities(Project.objects.all()))
    title = exported.find("iati-activity/title")
    assert [n.get(LANG) for n in title.findall("narrative")] == ["fr", "es", "zh"]
