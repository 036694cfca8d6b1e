"""IATI results ⇄ the results framework (corridor/results/iati.py, lent to the portfolio's
IATI import and export): the indicators an import creates, a re-import that creates nothing
twice, Corridor's changes in the export, and whose rights an import runs with."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from lxml import etree

from corridor.accounts.models import Membership
from corridor.portfolio import iati
from corridor.portfolio.models import IatiActivitySource, Project
from corridor.results import services
from corridor.results.models import Actual, Indicator, Target
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

SHARED_IATI = Path(__file__).resolve().parents[4] / "shared" / "data" / "iati"
SAMPLES = ["nl_mfa_203.xml", "annotated_203.xml"]
OWN = Path(__file__).resolve().parent / "iati_data" / "results_zh_203.xml"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
D = datetime.date

needs_samples = pytest.mark.skipif(
    not (SHARED_IATI / SAMPLES[0]).exists(),
    reason="the shared IATI samples (../shared/data/iati/) are not present next to the repository",
)


def _export() -> etree._Element:
    return etree.fromstring(iati.export_activities(Project.objects.order_by("id")))


def _rows(model) -> list[tuple]:
    return sorted(
        model.objects.values_list(
            "indicator__title_en", "period_start", "period_end", "value", "from_iati"
        )
    )


def _shape(element):
    """An element as a comparable value: tag, attributes, words of its text, children (no
    comments or namespace declarations)."""
    return (
        element.tag,
        tuple(sorted(element.attrib.items())),
        " ".join((element.text or "").split()),
        tuple(_shape(child) for child in element if isinstance(child.tag, str)),
    )


def _periods(indicator_element) -> list[tuple]:
    """(start, end, target values, actual values) of each period, as written."""
    return [
        (
            p.find("period-start").get("iso-date"),
            p.find("period-end").get("iso-date"),
            [t.get("value") for t in p.findall("target")],
            [a.get("value") for a in p.findall("actual")],
        )
        for p in indicator_element.findall("period")
    ]


# --- the shared samples --------------------------------------------------------------------


@needs_samples
@pytest.mark.parametrize("sample", SAMPLES)
def test_each_result_indicator_of_a_sample_becomes_an_indicator_with_its_values(
    administration, sample
):
    root = etree.parse(str(SHARED_IATI / sample)).getroot()

    report = iati.import_activities(SHARED_IATI / sample, owner=administration)

    assert len(root.xpath("iati-activity/result/indicator")) == 1
    indicator = Indicator.objects.get()
    assert report.indicators_created == 1
    assert (
        indicator.project.external_id
        == root.xpath("iati-activity[result]/iati-identifier/text()")[0].strip()
    )
    assert (indicator.title_en, indicator.title_zh) == ("Indicator title", "")
    assert indicator.description_en.strip() == "Indicator description text"
    assert (indicator.unit_en, indicator.direction) == ("units", "increase")
    assert (indicator.baseline_value, indicator.baseline_on) == (Decimal(10), D(2012, 1, 1))
    # the period's valued target and actual (the ones without a value are comments only)
    assert _rows(Target) == [("Indicator title", D(2013, 1, 1), D(2013, 3, 31), 10, True)]
    assert _rows(Actual) == [("Indicator title", D(2013, 1, 1), D(2013, 3, 31), 11, True)]
    # the sample's document links are not web addresses ("http:www…"): the evidence is the
    # activity's page by its IATI identifier
    actual = Actual.objects.get()
    assert actual.source_url.startswith("https://d-portal.org/ctrack.html#view=act&aid=")
    assert actual.source_url.endswith(indicator.project.external_id.replace(" ", "%20"))


@needs_samples
@pytest.mark.parametrize("sample", SAMPLES)
def test_importing_a_sample_again_creates_nothing_twice(administration, sample):
    iati.import_activities(SHARED_IATI / sample, owner=administration)
    before = (_rows(Target), _rows(Actual), list(Indicator.objects.values_list("pk", "title_en")))

    report = iati.import_activities(SHARED_IATI / sample, owner=administration)

    assert (report.indicators_created, report.indicators_updated) == (0, 1)
    after = (_rows(Target), _rows(Actual), list(Indicator.objects.values_list("pk", "title_en")))
    assert after == before


@needs_samples
@pytest.mark.parametrize("sample", SAMPLES)
def test_a_sample_exported_and_imported_again_keeps_its_results_and_creates_nothing(
    administration, sample, tmp_path
):
    iati.import_activities(SHARED_IATI / sample, owner=administration)
    original = etree.parse(str(SHARED_IATI / sample)).getroot()
    exported = tmp_path / "out.xml"
    exported.write_bytes(iati.export_activities(Project.objects.order_by("id")))
    counts = (Indicator.objects.count(), Target.objects.count(), Actual.objects.count())

    iati.import_activities(exported, owner=administration)

    assert (Indicator.objects.count(), Target.objects.count(), Actual.objects.count()) == counts
    again = _export()
    assert [_shape(r) for r in again.xpath("//result")] == [
        _shape(r) for r in original.xpath("//result")
    ]


# --- languages, units and direction ---------------------------------------------------------


def test_english_and_chinese_narratives_land_in_their_fields_and_others_stay_in_the_source(
    administration, enterprise
):
    iati.import_activities(OWN, owner=administration)

    assert sorted(Indicator.objects.values_list("iati_key", flat=True)) == [
        "1/#2",
        "1/ref:99:EXP-1",
        "2/#1",
    ]
    by_title = {i.title_en: i for i in Indicator.objects.all()}
    tonnes = by_title["Tonnes of pork exported"]
    assert tonnes.title_zh == "猪肉出口吨数"
    # the first baseline with a value, on its date
    assert (tonnes.baseline_value, tonnes.baseline_on) == (Decimal(0), D(2023, 12, 31))
    returns = Indicator.objects.get(title_zh="退货比例")
    assert returns.title_en == "退货比例"  # no other language: the Chinese fills both
    assert (returns.unit_en, returns.direction) == ("%", "decrease")
    training = by_title["Qualité de la formation"]  # no English: the French fills it
    assert (training.title_zh, training.unit_en) == ("", "qualitative")
    assert not Target.objects.filter(indicator=training).exists()  # a comment, no value
    # French stays in the kept original and goes out again
    source = IatiActivitySource.objects.get().xml
    assert "Tonnes de porc exportées" in source
    assert "Tonnes de porc exportées" in etree.tostring(_export(), encoding="unicode")
    assert _rows(Target) == [
        ("Tonnes of pork exported", D(2024, 1, 1), D(2024, 12, 31), 100, True),
        ("Tonnes of pork exported", D(2025, 1, 1), D(2025, 12, 31), 250, True),
        ("退货比例", D(2024, 1, 1), D(2024, 12, 31), 5, True),
    ]
    assert _rows(Actual) == [
        ("Tonnes of pork exported", D(2024, 1, 1), D(2024, 12, 31), 80, True),
        ("退货比例", D(2024, 1, 1), D(2024, 12, 31), Decimal("3.5"), True),
    ]
    evidence = Actual.objects.get(indicator=tonnes)
    assert (evidence.source_url, evidence.note) == (
        "https://example.org/exports-2024.pdf",
        "Two shipments.",
    )


# --- Corridor's changes in the export -------------------------------------------------------


def _indicator_element(root, title: str):
    (element,) = root.xpath(f"//indicator[title/narrative='{title}']")
    return element


def test_an_actual_and_a_title_changed_in_corridor_go_out_in_the_imported_activity(
    administration, facilitator
):
    iati.import_activities(OWN, owner=administration)
    tonnes = Indicator.objects.get(title_en="Tonnes of pork exported")
    services.actual_record(
        actor=facilitator,
        indicator=tonnes,
        period_start=D(2025, 1, 1),
        period_end=D(2025, 6, 30),
        value="120",
        source_url="https://example.org/exports-2025h1",
    )
    services.actual_record(
        actor=facilitator,
        indicator=tonnes,
        period_start=D(2025, 1, 1),
        period_end=D(2025, 12, 31),
        value="230",
        source_url="https://example.org/exports-2025",
    )
    services.indicator_update(
        actor=facilitator, indicator=tonnes, version=tonnes.version, title_zh="猪肉出口量（吨）"
    )

    exported = _export()  # the export validates against the schema, or raises

    element = _indicator_element(exported, "Tonnes of pork exported")
    titles = {n.get(LANG) or "en": n.text for n in element.find("title").findall("narrative")}
    assert titles == {
        "en": "Tonnes of pork exported",
        "zh": "猪肉出口量（吨）",
        "fr": "Tonnes de porc exportées",
    }
    assert _periods(element) == [
        ("2024-01-01", "2024-12-31", ["100"], ["80"]),
        ("2025-01-01", "2025-12-31", ["250"], ["230"]),  # the actual added to its period
        ("2025-01-01", "2025-06-30", [], ["120"]),  # a period of its own
    ]
    actual = element.xpath("period[period-end/@iso-date='2025-12-31']/actual")[0]
    assert actual.find("document-link").get("url") == "https://example.org/exports-2025"
    # the other indicators go out as they came in
    original = etree.parse(str(OWN)).getroot()
    assert _shape(_indicator_element(exported, "退货比例")) == _shape(
        _indicator_element(original, "退货比例")
    )


def test_an_indicator_added_in_corridor_goes_out_as_a_result_and_reads_back_once(
    administration, facilitator, tmp_path
):
    iati.import_activities(OWN, owner=administration)
    project = Project.objects.get()
    added = services.indicator_create(
        actor=facilitator,
        project=project,
        title_en="Cold-chain trucks in service",
        title_zh="在用冷链货车",
        unit_en="trucks",
        baseline_value="2",
        baseline_on=D(2024, 1, 1),
    )
    services.target_add(
        actor=facilitator,
        indicator=added,
        period_start=D(2025, 1, 1),
        period_end=D(2025, 12, 31),
        value="6",
    )
    path = tmp_path / "out.xml"
    path.write_bytes(iati.export_activities(Project.objects.all()))
    root = etree.parse(str(path)).getroot()
    element = _indicator_element(root, "Cold-chain trucks in service")
    assert _periods(element) == [("2025-01-01", "2025-12-31", ["6"], [])]
    assert element.find("baseline").attrib == {
        "year": "2024",
        "value": "2",
        "iso-date": "2024-01-01",
    }
    counts = (Indicator.objects.count(), Target.objects.count(), Actual.objects.count())

    iati.import_activities(path, owner=administration)

    assert (Indicator.objects.count(), Target.objects.count(), Actual.objects.count()) == counts
    assert len(_export().xpath("//indicator[title/narrative='Cold-chain trucks in service']")) == 1


def test_corridors_own_project_exports_its_indicators_and_reads_them_back_once(
    administration, facilitator, tmp_path
):
    iati.import_activities(OWN, owner=administration)
    IatiActivitySource.objects.all().delete()  # as if Corridor had recorded the project
    project = Project.objects.get()
    tonnes = Indicator.objects.get(title_en="Tonnes of pork exported")
    services.actual_record(
        actor=facilitator,
        indicator=tonnes,
        period_start=D(2025, 1, 1),
        period_end=D(2025, 12, 31),
        value="230",
        source_url="https://example.org/exports-2025",
    )
    path = tmp_path / "own.xml"
    path.write_bytes(iati.export_activities(Project.objects.all()))
    root = etree.parse(str(path)).getroot()
    assert root.find("iati-activity/reporting-org").get("ref") == "XI-CORRIDOR"
    element = _indicator_element(root, "Tonnes of pork exported")
    assert element.get("ascending") == "1"
    assert _periods(element) == [
        ("2024-01-01", "2024-12-31", ["100"], ["80"]),
        ("2025-01-01", "2025-12-31", ["250"], ["230"]),
    ]
    assert _indicator_element(root, "退货比例").get("measure") == "2"
    counts = (_rows(Target), _rows(Actual), Indicator.objects.count())

    iati.import_activities(path, owner=administration)

    assert (_rows(Target), _rows(Actual), Indicator.objects.count()) == counts
    assert Project.objects.get() == project


def test_a_value_the_publisher_revised_updates_the_imported_row_only(
    administration, facilitator, tmp_path
):
    iati.import_activities(OWN, owner=administration)
    revised = tmp_path / "revised.xml"
    revised.write_text(
        OWN.read_text(encoding="utf-8").replace('<actual value="80">', '<actual value="85">'),
        encoding="utf-8",
    )

    iati.import_activities(revised, owner=administration)

    assert ("Tonnes of pork exported", D(2024, 1, 1), D(2024, 12, 31), 85, True) in _rows(Actual)
    assert Actual.objects.count() == 2


# --- whose rights -----------------------------------------------------------------------------


def test_a_member_imports_results_for_their_own_organisation_as_themselves(owner, enterprise):
    iati.import_activities(OWN, actor=owner, owner=enterprise)

    assert Indicator.objects.count() == 3
    assert set(Indicator.objects.values_list("created_by__username", flat=True)) == {"owner"}
    assert set(Actual.objects.values_list("recorded_by__username", flat=True)) == {"owner"}


@pytest.mark.parametrize("who", ["outsider", "regulator", "anonymous", "nobody"])
def test_others_cannot_import_results_into_an_organisations_projects(
    who, enterprise, outsider, owner
):
    regulator = UserFactory(username="regulator")
    MembershipFactory(
        user=regulator,
        organisation=OrganisationFactory(name_en="Food agency", kind="regulator", country="SG"),
        role=Membership.Role.MEMBER,
    )
    actor = {
        "outsider": outsider,
        "regulator": regulator,
        "anonymous": AnonymousUser(),
        "nobody": None,
    }[who]

    with pytest.raises(PermissionDenied):
        iati.import_activities(OWN, actor=actor, owner=enterprise)

    assert (Indicator.objects.count(), Target.objects.count(), Actual.objects.count()) == (0, 0, 0)


def test_an_outsider_cannot_change_imported_results_by_importing_the_file_again(
    owner, enterprise, outsider, other_enterprise
):
    iati.import_activities(OWN, actor=owner, owner=enterprise)
    revised = OWN.read_text(encoding="utf-8").replace('value="80"', 'value="8000"')
    before = (_rows(Target), _rows(Actual))

    with pytest.raises(iati.IatiImportError) as refused:
        iati.import_activities(revised.encode(), actor=outsider, owner=other_enterprise)

    assert "did not record it" in str(refused.value)
    assert (_rows(Target), _rows(Actual)) == before
