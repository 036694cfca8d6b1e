"""IATI activity XML: export validates against the official 2.03 schema; imports of 2.03 and
2.01 files create or update projects, organisations and links, all or nothing."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from corridor.accounts.models import Organisation
from corridor.core.models import AuditEntry
from corridor.portfolio import iati
from corridor.portfolio.models import Project, ProjectLink, ProjectParty
from corridor.testing.factories import (
    FxRateFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectPartyFactory,
    sector,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_IATI = REPO_ROOT.parent / "shared" / "data" / "iati"
NL_MFA = SHARED_IATI / "nl_mfa_203.xml"
ANNOTATED = SHARED_IATI / "annotated_203.xml"
SHARED_XSD = SHARED_IATI / "xsd" / "iati-activities-schema.xsd"
OWN_DATA = Path(__file__).resolve().parent / "iati_data"

needs_shared_iati = pytest.mark.skipif(
    not NL_MFA.exists(),
    reason="the shared IATI test data (../shared/data/iati/) is not present next to the repository",
)
needs_shared_xsd = pytest.mark.skipif(
    not SHARED_XSD.exists(),
    reason="the official IATI 2.03 schema (../shared/data/iati/xsd/) is not present next to the repository",
)

LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def official_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SHARED_XSD)))


@pytest.fixture
def portfolio(administration, enterprise, other_enterprise):
    """A framework agreement in SGD with a sub-project, and a bare project (no parties,
    description or signing date), recorded by the administration."""
    chamber = OrganisationFactory(
        name_en="Singapore Business Federation", name_zh="新加坡工商联合总会", kind="chamber"
    )
    framework = ProjectFactory(
        external_id="CCI-2024-007",
        title_en="Electric commercial vans for Singapore",
        title_zh="庆铃电动商用车进入新加坡",
        description_en="Align the vans with Singapore's roadworthiness rules.",
        description_zh="使车辆符合新加坡道路安全规定。",
        kind=Project.Kind.COMMERCIAL,
        status=Project.Status.IN_PROGRESS,
        sector=sector("manufacturing"),
        value=Decimal("2500000.00"),
        currency="SGD",
        signed_on=datetime.date(2024, 3, 12),
        location_en="Chongqing",
        location_zh="重庆",
        owner=administration,
    )
    ProjectPartyFactory(project=framework, organisation=enterprise, role="initiator")
    ProjectPartyFactory(project=framework, organisation=other_enterprise, role="counterpart")
    ProjectPartyFactory(project=framework, organisation=administration, role="facilitator")
    ProjectPartyFactory(project=framework, organisation=chamber, role="investor")
    ProjectLink.objects.create(
        project=framework,
        title_zh="合作协议",
        url="https://example.org/qingling/agreement.pdf",
        kind=ProjectLink.Kind.DOCUMENT,
        published_on=datetime.date(2024, 3, 12),
    )
    ProjectLink.objects.create(
        project=framework,
        title_en="Vans arrive in Singapore",
        url="https://example.org/news/vans",
        kind=ProjectLink.Kind.NEWS,
    )
    child = ProjectFactory(
        external_id="CCI-2024-007-A",
        title_en="Type approval testing",
        title_zh="型式认证测试",
        kind=Project.Kind.COMMERCIAL,
        status=Project.Status.COMPLETED,
        sector=sector("transport-logistics"),
        value=Decimal("300000.50"),
        currency="SGD",
        signed_on=datetime.date(2024, 9, 1),
        parent=framework,
        owner=administration,
    )
    ProjectPartyFactory(project=child, organisation=enterprise, role="implementer")
    bare = ProjectFactory(
        external_id="SYN-42",
        title_en="",
        title_zh="数字经济合作",
        sector=sector("digital-economy"),
        status=Project.Status.SIGNED,
        value=None,
        currency="",
        signed_on=None,
        owner=administration,
    )
    return framework, child, bare


def activity(document: etree._Element, identifier: str) -> etree._Element:
    return next(a for a in document if a.findtext("iati-identifier") == identifier)


# --- export --------------------------------------------------------------------------------


@needs_shared_xsd
def test_export_validates_against_the_official_2_03_schema(portfolio):
    xml = iati.export_activities(Project.objects.all())

    document = etree.fromstring(xml)
    schema = official_schema()
    assert schema.validate(document), schema.error_log
    assert document.get("version") == "2.03"
    assert len(document) == 3


def test_export_writes_projects_as_iati_activities(portfolio):
    framework, child, bare = portfolio

    document = etree.fromstring(iati.export_activities(Project.objects.all()))

    agreement = activity(document, "XI-CORRIDOR-CCI-2024-007")
    assert agreement.get("default-currency") == "SGD"
    assert [(n.get(LANG), n.text) for n in agreement.find("title")] == [
        ("en", "Electric commercial vans for Singapore"),
        ("zh", "庆铃电动商用车进入新加坡"),
    ]
    assert agreement.find("reporting-org").get("ref") == "XI-CORRIDOR"
    assert agreement.find("reporting-org/narrative").text == "CCI Administration Bureau"
    assert [
        (o.get("role"), o.get("type"), o.findtext("narrative"))
        for o in agreement.findall("participating-org")
    ] == [
        ("2", "70", "Qingling Motors"),
        ("4", "70", "Motorway Group"),
        ("3", "10", "CCI Administration Bureau"),
        ("1", "90", "Singapore Business Federation"),
    ]
    assert agreement.find("activity-status").get("code") == "2"
    assert agreement.find("activity-date").attrib == {"type": "2", "iso-date": "2024-03-12"}
    assert agreement.find("recipient-country").get("code") == "CN"
    assert [(s.get("vocabulary"), s.get("code")) for s in agreement.findall("sector")] == [
        ("1", "32110"),
        ("99", "manufacturing"),
    ]
    value = agreement.find("transaction/value")
    assert agreement.find("transaction/transaction-type").get("code") == "2"
    assert (value.text, value.get("currency"), value.get("value-date")) == (
        "2500000.00",
        "SGD",
        "2024-03-12",
    )
    links = agreement.findall("document-link")
    assert [(d.get("url"), d.get("format"), d.find("category").get("code")) for d in links] == [
        ("https://example.org/qingling/agreement.pdf", "application/pdf", "A09"),
        ("https://example.org/news/vans", "text/html", "A12"),
    ]
    assert links[0].find("title/narrative").text == "合作协议"
    assert links[0].find("language").get("code") == "zh"
    assert links[0].find("document-date").get("iso-date") == "2024-03-12"
    assert [(r.get("type"), r.get("ref")) for r in agreement.findall("related-activity")] == [
        ("2", "XI-CORRIDOR-CCI-2024-007-A")
    ]

    sub_project = activity(document, "XI-CORRIDOR-CCI-2024-007-A")
    assert sub_project.find("activity-status").get("code") == "4"
    assert [(r.get("type"), r.get("ref")) for r in sub_project.findall("related-activity")] == [
        ("1", "XI-CORRIDOR-CCI-2024-007")
    ]
    assert [(s.get("vocabulary"), s.get("code")) for s in sub_project.findall("sector")] == [
        ("1", "21010"),
        ("99", "transport-logistics"),
    ]


def test_export_never_names_an_unpublished_project_outside_it(portfolio):
    framework, child, _bare = portfolio
    Project.objects.filter(pk=child.pk).update(is_published=False)

    alone = etree.fromstring(iati.export_activities(Project.objects.filter(pk=framework.pk)))
    both = etree.fromstring(
        iati.export_activities(Project.objects.filter(pk__in=[framework.pk, child.pk]))
    )

    assert alone[0].findall("related-activity") == []
    assert [
        r.get("ref") for r in activity(both, "XI-CORRIDOR-CCI-2024-007").iter("related-activity")
    ] == ["XI-CORRIDOR-CCI-2024-007-A"]


def test_export_keeps_an_identifier_that_already_is_an_iati_identifier(administration):
    ProjectFactory(external_id="NL-1-PPR-24706", owner=administration)

    document = etree.fromstring(iati.export_activities(Project.objects.all()))

    assert document[0].findtext("iati-identifier") == "NL-1-PPR-24706"


def test_export_reports_under_the_configured_organisation_identifier(settings, administration):
    settings.IATI_REPORTING_ORG_REF = "CN-USCC-11500000MB1234567X"
    ProjectFactory(external_id="CCI-1", owner=administration)

    document = etree.fromstring(iati.export_activities(Project.objects.all()))

    assert document[0].findtext("iati-identifier") == "CN-USCC-11500000MB1234567X-CCI-1"
    assert document[0].find("reporting-org").get("ref") == "CN-USCC-11500000MB1234567X"


def test_export_fills_what_iati_requires_with_marked_stand_ins(portfolio):
    _framework, _child, bare = portfolio

    document = etree.fromstring(iati.export_activities(Project.objects.filter(pk=bare.pk)))

    bare_activity = document[0]
    placeholder = f"{{{iati.CORRIDOR_NS}}}placeholder"
    description = bare_activity.find("description")
    assert description.get(placeholder) == "1"
    assert description.findtext("narrative") == "数字经济合作"
    organisation = bare_activity.find("participating-org")
    assert (organisation.get(placeholder), organisation.get("role")) == ("1", "2")
    assert organisation.findtext("narrative") == "CCI Administration Bureau"
    start = bare_activity.find("activity-date")
    assert (start.get(placeholder), start.get("type")) == ("1", "1")
    assert bare_activity.find("activity-status").get("code") == "1"
    assert bare_activity.find("transaction") is None
    assert bare_activity.find("default-currency") is None
    # digital economy has no DAC code of its own: ICT, plus our own code
    assert [(s.get("vocabulary"), s.get("code")) for s in bare_activity.findall("sector")] == [
        ("1", "22040"),
        ("99", "digital-economy"),
    ]


def test_export_makes_the_same_number_of_queries_for_one_project_or_many(portfolio):
    framework, _child, _bare = portfolio

    with CaptureQueriesContext(connection) as one:
        iati.export_activities(Project.objects.filter(pk=framework.pk))
    with CaptureQueriesContext(connection) as three:
        iati.export_activities(Project.objects.all())

    # the projects and their related rows, and the projects' indicators (results, lent
    # through portfolio.iati.extensions; none here, so no targets or actuals are asked)
    assert len(one) == len(three) == 6


@needs_shared_xsd
def test_export_drops_control_characters_xml_cannot_carry(administration):
    ProjectFactory(title_en="Data\x0bchannel", description_en="Line\x0cone", owner=administration)

    document = etree.fromstring(iati.export_activities(Project.objects.all()))

    assert official_schema().validate(document)
    assert document[0].find("title/narrative").text == "Datachannel"


@needs_shared_xsd
def test_the_vendored_schema_is_the_official_one():
    for name in ("iati-activities-schema.xsd", "iati-common.xsd", "xml.xsd"):
        vendored = iati.SCHEMA_PATH.parent / name
        assert vendored.read_bytes() == (SHARED_XSD.parent / name).read_bytes(), name


# --- import: real and reference files ------------------------------------------------------


@needs_shared_iati
def test_import_of_the_dutch_ministry_file_creates_its_13_activities(administration):
    report = iati.import_activities(NL_MFA, owner=administration)

    assert report.summary() == (
        "13 activities (13 created, 0 updated), 13 organisations (13 created), 72 transactions"
    )
    assert report.version == "2.03"
    assert Project.objects.count() == 13
    # NL-1-PPR-25275 commits 78,791 then withdraws it, then commits 1,231,800 and 66,948 (EUR,
    # the activity's default currency); it started on 2014-05-01 and is closed (status 4).
    memorial = Project.objects.get(external_id="NL-1-PPR-25275")
    assert memorial.title_en == "SAR POTOCARI MEMORIAL 2"
    assert memorial.title_zh == ""
    assert memorial.description_en.startswith("The Dutch contribution to the Potocari Memorial")
    assert (memorial.value, memorial.currency) == (Decimal("1298748.00"), "EUR")
    assert memorial.status == Project.Status.COMPLETED
    assert memorial.signed_on == datetime.date(2014, 5, 1)
    assert memorial.sector.code == "other"  # DAC 15220, civilian peace-building
    assert memorial.kind == Project.Kind.FINANCING
    assert memorial.owner == administration
    assert sorted((p.organisation.name_en, p.role) for p in memorial.parties.all()) == [
        ("Ministry of Foreign Affairs (DGIS)", "facilitator"),
        ("Ministry of Foreign Affairs (DGIS)", "initiator"),
        ("Ministry of Foreign Affairs (DGIS)", "investor"),
        ("STICHTING VREDESBEWEGING PAX NEDERLAND", "implementer"),
    ]
    pax = Organisation.objects.get(name_en="STICHTING VREDESBEWEGING PAX NEDERLAND")
    assert (pax.kind, pax.country) == ("partner", "NL")  # type 22, ref NL-KVK-30214009
    assert sorted(memorial.links.values_list("url", "kind")) == [
        (
            "http://static.rijksoverheid.nl/bz/bestanden/activity-appraisal-document-25275.pdf",
            "document",
        ),
        ("https://www.openaid.nl/projects/NL-1-PPR-25275", "other"),
    ]
    # DHI DGGF LANDEN: DAC 32130 (SME development) is manufacturing; still in implementation.
    dhi = Project.objects.get(external_id="NL-1-PPR-28385")
    assert (dhi.value, dhi.status, dhi.sector.code) == (
        Decimal("5553265.00"),
        Project.Status.IN_PROGRESS,
        "manufacturing",
    )
    assert AuditEntry.objects.filter(action="import").count() == 13 + 25  # projects + links


@needs_shared_iati
def test_importing_the_same_file_twice_creates_no_duplicates(administration):
    iati.import_activities(NL_MFA, owner=administration)
    organisations = Organisation.objects.count()

    with NL_MFA.open("rb") as upload:  # a file object, as an upload gives
        report = iati.import_activities(upload, owner=administration)

    assert report.summary() == (
        "13 activities (0 created, 13 updated), 13 organisations (0 created), 72 transactions"
    )
    assert Project.objects.count() == 13
    assert Organisation.objects.count() == organisations
    assert ProjectLink.objects.count() == 25
    assert ProjectParty.objects.count() == 13 * 4


@needs_shared_iati
def test_import_of_the_annotated_reference_activity(administration):
    report = iati.import_activities(ANNOTATED, owner=administration)

    project = Project.objects.get()
    assert project.external_id == "AA-AAA-123456789-ABC123"
    assert project.title_en == "Activity title"
    assert project.description_en.startswith("General activity description text.")
    # No commitment: the budget (EUR 3,000) is the value, not the USD default currency.
    assert (project.value, project.currency) == (Decimal("3000.00"), "EUR")
    assert project.status == Project.Status.IN_PROGRESS
    assert project.signed_on == datetime.date(2012, 4, 28)
    assert project.sector.code == "education"  # DAC category 111
    assert sorted((p.organisation.name_en, p.role) for p in project.parties.all()) == [
        ("Name of Agency A", "facilitator"),
        ("Name of Agency B", "investor"),
        ("Name of Agency C", "initiator"),
    ]
    assert project.parent is None
    assert project.links.count() == 0
    assert report.warnings == [
        "Activity “AA-AAA-123456789-ABC123”: its parent activity “AA-AAA-123456789-6789” is "
        "neither in the file nor in Corridor, so it was imported without one.",
        "Activity “AA-AAA-123456789-ABC123”: the document address "
        "“http:www.example.org/docs/report_en.odt” is not a web address and was skipped.",
    ]


# --- import: our own 2.01 file -------------------------------------------------------------


@pytest.fixture
def rates(db):
    FxRateFactory(currency="SGD", date=datetime.date(2015, 1, 1), usd_per_unit=Decimal("0.70"))
    FxRateFactory(currency="CNY", date=datetime.date(2015, 1, 1), usd_per_unit=Decimal("0.15"))


def test_import_of_a_2_01_file_with_chinese_names_and_a_sub_project(administration, rates):
    report = iati.import_activities(OWN_DATA / "activities_201.xml", owner=administration)

    assert report.version == "2.01"
    assert report.summary() == (
        "2 activities (2 created, 0 updated), 3 organisations (3 created), 3 transactions"
    )
    framework = Project.objects.get(external_id="SG-ACRA-T16TEST01A-CQ-001")
    assert (framework.title_en, framework.title_zh) == (
        "Chongqing aviation services framework agreement",
        "重庆航空服务框架协议",
    )
    # No commitment: the revised budget, not the original one.
    assert (framework.value, framework.currency) == (Decimal("6500000.00"), "SGD")
    assert framework.value_usd == Decimal("4550000.00")  # at 0.70 USD per SGD
    assert framework.sector.code == "aviation"  # DAC 21050
    assert sorted((p.organisation.name_en, p.role) for p in framework.parties.all()) == [
        ("Chongqing Aviation Office", "initiator"),
        ("Lion City Aviation Holdings", "investor"),
    ]
    link = framework.links.get()
    assert (link.title_zh, link.kind, link.url) == (
        "框架协议全文",
        "document",
        "https://example.org/cq-aviation/framework-agreement.pdf",
    )

    hangar = Project.objects.get(external_id="SG-ACRA-T16TEST01A-CQ-002")
    assert hangar.parent == framework
    assert (hangar.title_en, hangar.title_zh) == ("Chongqing maintenance hangar", "重庆维修机库")
    assert hangar.description_zh == "第二期：江北机场维修机库。"
    # SGD 1,000,000 (default currency) and CNY 2,000,000 committed: mixed, so stored in USD.
    assert (hangar.value, hangar.currency) == (Decimal("1000000.00"), "USD")
    assert hangar.counted_value_usd == Decimal("0")  # part of the framework agreement's value
    assert hangar.signed_on == datetime.date(2016, 2, 15)
    assert hangar.status == Project.Status.IN_PROGRESS

    office = Organisation.objects.get(name_en="Chongqing Aviation Office")
    assert (office.name_zh, office.kind, office.country) == ("重庆市航空办公室", "agency", "CN")
    airport = Organisation.objects.get(name_zh="重庆江北机场管理处")
    # No IATI ref, so no country to read: left unknown rather than guessed.
    assert (airport.name_en, airport.kind, airport.country) == ("", "agency", "")
    assert office.iati_ref == "CN-USCC-TEST0000000000001"
    lion = Organisation.objects.get(name_en="Lion City Aviation Holdings")
    assert (lion.kind, lion.country) == ("enterprise", "SG")


def test_mixed_currencies_without_a_rate_are_refused_and_nothing_is_written(administration):
    organisations = Organisation.objects.count()

    with pytest.raises(iati.IatiImportError) as refused:
        iati.import_activities(OWN_DATA / "activities_201.xml", owner=administration)

    assert [str(p) for p in refused.value.problems] == [
        "Activity “SG-ACRA-T16TEST01A-CQ-002” (line 5), value: The amounts are in several "
        "currencies and there is no exchange rate for SGD on or before 2016-02-15; add the "
        "rate and import again."
    ]
    assert Project.objects.count() == 0
    assert Organisation.objects.count() == organisations


def test_one_invalid_activity_means_nothing_is_written(administration):
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
  <iati-activity default-currency="EUR">
    <iati-identifier>XX-GOOD-1</iati-identifier>
    <title><narrative>A good activity</narrative></title>
    <participating-org role="1" type="70"><narrative>New Company</narrative></participating-org>
    <activity-status code="2"/>
  </iati-activity>
  <iati-activity default-currency="EUR">
    <iati-identifier>XX-BAD-2</iati-identifier>
    <title><narrative>Withdrawn more than committed</narrative></title>
    <activity-status code="2"/>
    <transaction><transaction-type code="2"/><transaction-date iso-date="2016-01-01"/>
      <value value-date="2016-01-01">100</value></transaction>
    <transaction><transaction-type code="2"/><transaction-date iso-date="2016-02-01"/>
      <value value-date="2016-02-01">-250</value></transaction>
  </iati-activity>
</iati-activities>"""
    organisations = Organisation.objects.count()

    with pytest.raises(iati.IatiImportError) as refused:
        iati.import_activities(xml, owner=administration)

    assert refused.value.message == (
        "The file was not imported because 1 problem was found; nothing was written."
    )
    assert [str(p) for p in refused.value.problems] == [
        "Activity “XX-BAD-2” (line 9), value: The commitments (or budgets) add up to -150 EUR, "
        "a negative value; correct the activity's transactions."
    ]
    assert Project.objects.count() == 0
    assert Organisation.objects.count() == organisations


# --- import: refused files -----------------------------------------------------------------


def test_a_truncated_file_is_refused_with_the_line_of_the_problem(administration):
    organisations = Organisation.objects.count()

    with pytest.raises(iati.IatiImportError) as refused:
        iati.import_activities(OWN_DATA / "truncated_203.xml", owner=administration)

    assert refused.value.line == 15
    assert refused.value.message == (
        "The file is not well-formed XML at line 15, column 71: expected '>'. Correct the file "
        "and import it again; nothing was written."
    )
    assert Project.objects.count() == 0
    assert Organisation.objects.count() == organisations


def test_an_iati_organisation_file_is_not_an_activity_file(administration):
    with pytest.raises(iati.IatiImportError) as refused:
        iati.import_activities(OWN_DATA / "organisation_file.xml", owner=administration)

    assert refused.value.message == (
        "This is not an IATI activity file: its root element is “iati-organisations”, not "
        "“iati-activities”. Choose an IATI activity file (version 2.01 to 2.03)."
    )
    assert Project.objects.count() == 0


def test_a_version_1_file_is_refused(administration):
    xml = b'<iati-activities version="1.05"><iati-activity/></iati-activities>'

    with pytest.raises(iati.IatiImportError) as refused:
        iati.import_activities(xml, owner=administration)

    assert "“1.05” is not supported" in refused.value.message
    assert Project.objects.count() == 0


def test_external_entities_are_not_read(administration):
    with pytest.raises(iati.IatiImportError) as refused:
        iati.import_activities(OWN_DATA / "external_entity.xml", owner=administration)

    assert "root:" not in str(refused.value)
    assert "declares a document type or entities" in refused.value.message
    assert refused.value.problems == []
    assert Project.objects.count() == 0


# --- permissions ---------------------------------------------------------------------------


def test_a_member_cannot_import_projects_for_another_organisation(outsider, enterprise):
    with pytest.raises(PermissionDenied):
        iati.import_activities(OWN_DATA / "activities_201.xml", actor=outsider, owner=enterprise)

    assert Project.objects.count() == 0


def test_a_member_cannot_add_organisations_through_an_import(owner, enterprise, rates):
    organisations = Organisation.objects.count()

    with pytest.raises(iati.IatiImportError) as refused:
        iati.import_activities(OWN_DATA / "activities_201.xml", actor=owner, owner=enterprise)

    assert [p.field for p in refused.value.problems] == ["participating organisations"]
    assert "Lion City Aviation Holdings" in refused.value.problems[0].message
    assert Project.objects.count() == 0
    assert Organisation.objects.count() == organisations


def test_a_facilitator_imports_for_the_administration(facilitator, administration, rates):
    report = iati.import_activities(
        OWN_DATA / "activities_201.xml", actor=facilitator, owner=administration
    )

    assert report.activities_created == 2
    entry = AuditEntry.objects.filter(action="import").order_by("id").first()
    assert entry.actor == facilitator


# --- round trip ----------------------------------------------------------------------------


def _portfolio_facts() -> list[tuple]:
    return sorted(
        (
            p.title_en,
            p.title_zh,
            p.description_en,
            p.value,
            p.currency,
            p.kind,
            p.status,
            p.sector.code,
            p.signed_on,
            p.location_en,
            p.parent.title_en if p.parent else "",
            tuple(sorted((x.organisation.name_en, x.role) for x in p.parties.all())),
            tuple(sorted(p.links.values_list("url", "title_en", "title_zh", "kind"))),
        )
        for p in Project.objects.all()
    )


def test_export_then_import_gives_back_the_same_projects(portfolio, administration):
    xml = iati.export_activities(Project.objects.all())
    before = _portfolio_facts()
    framework, child, bare = portfolio
    child.delete()
    framework.delete()
    bare.delete()

    report = iati.import_activities(xml, owner=administration)

    assert report.summary() == (
        "3 activities (3 created, 0 updated), 4 organisations (0 created), 2 transactions"
    )
    assert _portfolio_facts() == before
    assert sorted(Project.objects.values_list("external_id", flat=True)) == [
        "XI-CORRIDOR-CCI-2024-007",
        "XI-CORRIDOR-CCI-2024-007-A",
        "XI-CORRIDOR-SYN-42",
    ]


def test_importing_our_own_export_updates_the_projects_it_came_from(portfolio, administration):
    xml = iati.export_activities(Project.objects.all())
    before = _portfolio_facts()

    report = iati.import_activities(xml, owner=administration)

    assert (report.activities_created, report.activities_updated) == (0, 3)
    assert sorted(Project.objects.values_list("external_id", flat=True)) == [
        "CCI-2024-007",
        "CCI-2024-007-A",
        "SYN-42",
    ]
    assert _portfolio_facts() == before


# --- commands ------------------------------------------------------------------------------


def test_iati_import_command_prints_what_it_did(administration, rates, capsys):
    call_command("iati_import", str(OWN_DATA / "activities_201.xml"))

    assert capsys.readouterr().out == (
        "2 activities (2 created, 0 updated), 3 organisations (3 created), 3 transactions\n"
    )
    assert Project.objects.filter(owner=administration).count() == 2


def test_iati_import_command_records_for_the_named_owner_and_kind(
    administration, enterprise, rates
):
    call_command(
        "iati_import",
        str(OWN_DATA / "activities_201.xml"),
        "--owner",
        "Qingling Motors",
        "--kind",
        "g2b",
    )

    assert sorted(Project.objects.values_list("owner__name_en", "kind")) == [
        ("Qingling Motors", "g2b"),
        ("Qingling Motors", "g2b"),
    ]


def test_iati_import_command_fails_with_the_line_of_a_malformed_file(administration):
    with pytest.raises(CommandError, match=r"line 15"):
        call_command("iati_import", str(OWN_DATA / "truncated_203.xml"))

    assert Project.objects.count() == 0


def test_iati_export_command_writes_the_filtered_projects(portfolio, tmp_path, capsys):
    path = tmp_path / "projects.xml"

    call_command("iati_export", str(path), "--sector", "manufacturing", "--status", "in_progress")

    assert capsys.readouterr().out == f"1 activities written to {path}\n"
    document = etree.parse(str(path)).getroot()
    assert [a.findtext("iati-identifier") for a in document] == ["XI-CORRIDOR-CCI-2024-007"]


def test_iati_export_command_refuses_an_unknown_status_and_writes_nothing(portfolio, tmp_path):
    path = tmp_path / "projects.xml"

    with pytest.raises(CommandError, match="“done” is not a project status"):
        call_command("iati_export", str(path), "--status", "done")

    assert not path.exists()


def test_activities_that_are_each_others_parent_are_refused(administration):
    xml = b"""<iati-activities version="2.03">
  <iati-activity><iati-identifier>XX-LOOP-1</iati-identifier>
    <title><narrative>One</narrative></title>
    <related-activity ref="XX-LOOP-2" type="1"/></iati-activity>
  <iati-activity><iati-identifier>XX-LOOP-2</iati-identifier>
    <title><narrative>Two</narrative></title>
    <related-activity ref="XX-LOOP-1" type="1"/></iati-activity>
</iati-activities>"""

    with pytest.raises(iati.IatiImportError) as refused:
        iati.import_activities(xml, owner=administration)

    assert [(p.identifier, p.field) for p in refused.value.problems] == [
        ("XX-LOOP-1", "related activity")
    ]
    assert Project.objects.count() == 0


def test_an_organisation_is_matched_on_its_iati_ref_before_its_name(administration, rates):
    renamed = OrganisationFactory(
        name_en="CQ Aviation Office (old spelling)",
        kind="agency",
        country="CN",
        iati_ref="CN-USCC-TEST0000000000001",
    )
    organisations = Organisation.objects.count()

    iati.import_activities(OWN_DATA / "activities_201.xml", owner=administration)

    assert not Organisation.objects.filter(name_en="Chongqing Aviation Office").exists()
    assert Organisation.objects.count() == organisations + 2  # Lion City and the airport office
    assert ProjectParty.objects.filter(organisation=renamed).count() == 1


def test_the_export_names_an_organisations_iati_ref(administration):
    party = ProjectPartyFactory(
        organisation__iati_ref="SG-ACRA-201234567X", project__owner=administration
    )
    root = etree.fromstring(iati.export_activities(Project.objects.filter(pk=party.project_id)))
    refs = [org.get("ref") for org in root.iter("participating-org")]
    assert "SG-ACRA-201234567X" in refs
