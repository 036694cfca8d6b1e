"""Importing projects from CSV and XLSX: all rows or none, no duplicates, every problem named."""

import datetime
import hashlib
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django_tasks_db.management.commands import db_worker

from corridor.core.models import AuditEntry
from corridor.portfolio import import_jobs, import_store, imports
from corridor.portfolio.models import ImportJob, Project
from corridor.testing.factories import FxRateFactory, ProjectFactory

DATA = Path(__file__).parent / "data"


def data_file(name: str) -> bytes:
    return (DATA / name).read_bytes()


def where(report) -> list[tuple[int | None, str]]:
    return [(e.row, e.field) for e in report.errors]


@pytest.fixture
def sgd_rate(db):
    return FxRateFactory(currency="SGD", date=datetime.date(2021, 1, 1), usd_per_unit="0.74")


@pytest.fixture
def parties(enterprise, other_enterprise):
    """The good file names Qingling Motors and Motorway Group as parties."""
    return enterprise, other_enterprise


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- good files --------------------------------------------------------------------------------


def test_good_csv_creates_exact_projects(owner, enterprise, parties, sgd_rate):
    report = import_store.run_import(
        actor=owner, name="projects_good.csv", content=data_file("projects_good.csv")
    )

    assert report.errors == []
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    framework = Project.objects.get(external_id="FW-1")
    assert framework.title_en == "Logistics framework agreement"
    assert framework.title_zh == "物流框架协议"
    assert framework.kind == "g2g"
    assert framework.sector.code == "transport-logistics"
    assert framework.value == Decimal("1000000000.00")
    assert framework.currency == "SGD"
    assert framework.value_usd == Decimal("740000000.00")
    assert framework.fx_rate == sgd_rate
    assert framework.signed_on == datetime.date(2021, 5, 10)
    assert framework.owner == enterprise
    assert framework.source_url == "https://example.org/fw-1"
    assert framework.is_synthetic is True
    assert sorted((p.organisation.name_en, p.role) for p in framework.parties.all()) == [
        ("Motorway Group", "counterpart"),
        ("Qingling Motors", "initiator"),
    ]
    # The sub-project comes first in the file; it is written after its framework agreement.
    warehouse = Project.objects.get(external_id="SUB-1")
    assert warehouse.parent == framework
    assert warehouse.status == "in_progress"
    assert warehouse.value_usd == Decimal("2500000.00")
    assert warehouse.counted_value_usd == Decimal("0.00")
    assert warehouse.location_en == "Chongqing"
    chinese_only = Project.objects.get(external_id="P-3")
    assert (chinese_only.title_en, chinese_only.title_zh) == ("", "金融合作项目")
    assert chinese_only.status == "signed"
    assert chinese_only.value is None
    assert chinese_only.is_synthetic is False
    assert AuditEntry.objects.filter(action="import", actor=owner).count() == 3


def test_good_xlsx_with_date_and_number_cells(owner, enterprise, sgd_rate):
    content = xlsx(
        [
            ["external_id", "title_en", "kind", "sector", "value", "currency", "signed_on"],
            [
                "X-1",
                "Data channel pilot",
                "g2b",
                "ict",
                2000000,
                "sgd",
                datetime.datetime(2021, 9, 1),
            ],
            [
                "X-2",
                "Flight training school",
                "commercial",
                "aviation",
                1250.5,
                "USD",
                "2020-02-29",
            ],
            [None, None, None, None, None, None, None],  # blank rows are skipped
        ]
    )

    report = import_store.run_import(actor=owner, name="projects.xlsx", content=content)

    assert report.errors == []
    assert (report.rows, report.created) == (2, 2)
    pilot = Project.objects.get(external_id="X-1")
    assert (pilot.value, pilot.currency, pilot.value_usd) == (
        Decimal("2000000.00"),
        "SGD",
        Decimal("1480000.00"),
    )
    assert pilot.signed_on == datetime.date(2021, 9, 1)
    school = Project.objects.get(external_id="X-2")
    assert (school.value, school.value_usd, school.signed_on) == (
        Decimal("1250.50"),
        Decimal("1250.50"),
        datetime.date(2020, 2, 29),
    )


def test_importing_twice_creates_no_duplicates(owner, parties, sgd_rate):
    content = data_file("projects_good.csv")
    import_store.run_import(actor=owner, name="projects_good.csv", content=content)
    entries = AuditEntry.objects.count()

    again = import_store.run_import(actor=owner, name="projects_good.csv", content=content)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Project.objects.count() == 3
    assert AuditEntry.objects.count() == entries

    changed = content.replace(b"Cold-chain warehouse", b"Cold-chain warehouse (phase 1)")
    third = import_store.run_import(actor=owner, name="projects_good.csv", content=changed)

    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert Project.objects.count() == 3
    assert Project.objects.get(external_id="SUB-1").title_en == "Cold-chain warehouse (phase 1)"


def test_the_downloaded_templates_import_their_example_row(client, owner, enterprise):
    csv_template = client.get(reverse("portfolio:import_template", args=["csv"]))
    xlsx_template = client.get(reverse("portfolio:import_template", args=["xlsx"]))

    header = csv_template.content.decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == imports.COLUMN_CODES
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_template.content))
    assert workbook.sheetnames == ["projects", "columns"]
    assert [c.value for c in workbook["projects"][1]] == imports.COLUMN_CODES
    explained = [row[0] for row in workbook["columns"].iter_rows(min_row=2, values_only=True)]
    assert explained == imports.COLUMN_CODES
    kind_row = list(workbook["columns"].iter_rows(min_row=7, max_row=7, values_only=True))[0]
    assert kind_row[0] == "kind"
    assert "g2g" in kind_row[4] and "financing" in kind_row[4]

    first = import_store.run_import(actor=owner, name="t.xlsx", content=xlsx_template.content)
    second = import_store.run_import(actor=owner, name="t.csv", content=csv_template.content)

    assert (first.created, second.unchanged) == (1, 1)
    example = Project.objects.get(external_id="EXAMPLE-0001")
    assert (example.is_synthetic, example.signed_on) == (True, datetime.date(2024, 3, 15))


# --- bad files write nothing -------------------------------------------------------------------


def test_bad_rows_write_nothing_and_name_every_row_and_column(owner):
    report = import_store.run_import(
        actor=owner, name="bad.csv", content=data_file("projects_bad_rows.csv")
    )

    assert where(report) == [(2, "signed_on"), (3, "currency"), (4, "value")]
    assert (report.created, report.updated) == (0, 0)
    assert Project.objects.count() == 0  # not even the good row 5


def test_bad_row_messages_in_english(owner):
    with translation.override("en"):
        report = import_store.run_import(
            actor=owner, name="bad.csv", content=data_file("projects_bad_rows.csv")
        )

    assert [e.message for e in report.errors] == [
        "“2024-13-45” is not a date; write it as YYYY-MM-DD, for example 2024-03-15.",
        "“XYZ” is not an ISO 4217 currency code.",
        "The value cannot be negative.",
    ]


def test_bad_rows_are_reported_in_chinese_too(owner):
    with translation.override("zh-hans"):
        report = import_store.run_import(
            actor=owner, name="bad.csv", content=data_file("projects_bad_rows.csv")
        )

    assert where(report) == [(2, "signed_on"), (3, "currency"), (4, "value")]
    assert Project.objects.count() == 0


def test_wrong_column_is_named(owner):
    report = import_store.run_import(
        actor=owner, name="wrong.csv", content=data_file("projects_wrong_column.csv")
    )

    assert where(report) == [(1, "budget")]
    assert "“budget” is not a column Corridor knows" in report.errors[0].message
    assert Project.objects.count() == 0


def test_missing_required_columns_are_named(owner):
    report = import_store.run_import(
        actor=owner, name="p.csv", content=b"external_id,kind\nA-1,commercial\n"
    )

    assert where(report) == [(1, "sector"), (1, "title_en")]


def test_every_kind_of_bad_row_is_named(owner, enterprise):
    ProjectFactory(external_id="EXISTING", owner=enterprise)
    content = (
        b"external_id,title_en,kind,sector,value,currency,parent_external_id,parties,is_synthetic\n"
        b"D-1,One,commercial,ict,,,,,\n"
        b"D-1,Duplicate id,commercial,ict,,,,,\n"
        b"D-3,Unknown sector,commercial,space,,,,,\n"
        b"D-4,Unknown party,commercial,ict,,,,Nobody Ltd:investor,\n"
        b"D-5,Unknown parent,commercial,ict,,,NOWHERE,,\n"
        b",No id,commercial,ict,,,,,maybe\n"
        b"D-7,Bad number,barter,ict,12abc,USD,,,\n"
        b"D-8,Circle A,commercial,ict,,,D-9,,\n"
        b"D-9,Circle B,commercial,ict,,,D-8,,\n"
        b"D-10,Child of existing,commercial,ict,,,EXISTING,,\n"
    )

    report = import_store.run_import(actor=owner, name="p.csv", content=content)

    assert where(report) == [
        (3, "external_id"),
        (4, "sector"),
        (5, "parties"),
        (6, "parent_external_id"),
        (7, "external_id"),
        (7, "is_synthetic"),
        (8, "kind"),
        (8, "value"),
        (9, "parent_external_id"),
        (10, "parent_external_id"),
    ]
    assert report.errors[0].message == (
        "The external id “D-1” is already used in row 2; each project must appear only once "
        "in the file."
    )
    assert Project.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("projects.txt", b"external_id\nA\n", "is neither a CSV (.csv) nor an Excel workbook"),
        ("projects.csv", b"", "The file is empty."),
        ("projects.csv", "external_id,title_en\nA,Café\n".encode("latin-1"), "not UTF-8"),
        ("projects.xlsx", b"external_id,title_en\n", "not an Excel workbook"),
        ("projects.csv", b"external_id,title_en,kind,sector\n", "no projects"),
    ],
)
def test_unreadable_files_get_a_clear_error(owner, name, content, message):
    report = import_store.run_import(actor=owner, name=name, content=content)

    assert len(report.errors) == 1
    assert report.errors[0].row in (None, 1)
    assert message in report.errors[0].message
    assert Project.objects.count() == 0


def test_too_large_a_file_is_refused(owner, settings):
    settings.IMPORT_MAX_BYTES = 40
    content = data_file("projects_bad_rows.csv")

    report = import_store.run_import(actor=owner, name="big.csv", content=content)

    assert report.errors[0].message == (
        f"The file is {len(content)} bytes; the largest file Corridor imports is 40 bytes. "
        "Split it into smaller files."
    )


def test_utf8_with_bom_and_semicolons_is_read(owner, enterprise):
    content = "external_id;title_zh;kind;sector\nZH-1;重庆项目;g2b;health\n".encode("utf-8-sig")

    report = import_store.run_import(actor=owner, name="p.csv", content=content)

    assert report.created == 1
    assert Project.objects.get(external_id="ZH-1").title_zh == "重庆项目"


# --- permissions -------------------------------------------------------------------------------


def test_a_member_cannot_import_for_another_organisation(outsider, enterprise):
    content = (
        b"external_id,title_en,kind,sector,owner\nO-1,Not mine,commercial,ict,Qingling Motors\n"
    )

    report = import_store.run_import(actor=outsider, name="p.csv", content=content)

    assert where(report) == [(2, "owner")]
    assert Project.objects.count() == 0


def test_a_member_cannot_update_another_organisations_project(outsider, enterprise):
    ProjectFactory(external_id="QL-1", title_en="Electric vans", owner=enterprise)
    content = b"external_id,title_en,kind,sector\nQL-1,Hijacked,commercial,ict\n"

    report = import_store.run_import(actor=outsider, name="p.csv", content=content)

    assert where(report) == [(2, "external_id")]
    assert Project.objects.get(external_id="QL-1").title_en == "Electric vans"


def test_a_facilitator_imports_for_any_organisation(facilitator, enterprise):
    content = (
        b"external_id,title_en,kind,sector,owner\nF-1,For them,commercial,ict,Qingling Motors\n"
    )

    report = import_store.run_import(actor=facilitator, name="p.csv", content=content)

    assert report.created == 1
    assert Project.objects.get(external_id="F-1").owner == enterprise


# --- the import page ---------------------------------------------------------------------------


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("portfolio:import"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_import_page_imports_a_file_for_the_owner(client, owner, enterprise, parties, sgd_rate):
    client.force_login(owner)
    page = client.get(reverse("portfolio:import"))
    assert page.status_code == 200
    assert reverse("portfolio:import_template", args=["xlsx"]).encode() in page.content

    response = client.post(
        reverse("portfolio:import"),
        {"file": upload("projects_good.csv", data_file("projects_good.csv"))},
    )

    assert response.status_code == 200
    assert response.context["report"].created == 3
    assert "“projects_good.csv” is imported" in response.content.decode()
    assert set(Project.objects.values_list("owner__name_en", flat=True)) == {"Qingling Motors"}


def test_the_import_page_lists_every_problem_and_writes_nothing(client, owner):
    client.force_login(owner)

    response = client.post(
        reverse("portfolio:import"),
        {"file": upload("bad.csv", data_file("projects_bad_rows.csv"))},
    )

    html = response.content.decode()
    assert "Nothing was imported: “bad.csv” has 3 problems." in html
    assert "“XYZ” is not an ISO 4217 currency code." in html
    assert Project.objects.count() == 0


def test_an_outsider_cannot_choose_another_organisation_on_the_page(client, outsider, enterprise):
    client.force_login(outsider)
    content = b"external_id,title_en,kind,sector\nO-1,Not mine,commercial,ict\n"

    response = client.post(
        reverse("portfolio:import"),
        {"file": upload("p.csv", content), "owner": enterprise.pk},
    )

    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert Project.objects.count() == 0


def test_a_user_without_organisation_cannot_import(client, django_user_model):
    loner = django_user_model.objects.create_user("loner", password="x" * 12)
    client.force_login(loner)

    response = client.post(
        reverse("portfolio:import"),
        {"file": upload("p.csv", b"external_id,title_en,kind,sector\nL-1,x,commercial,ict\n")},
    )

    assert response.status_code == 403
    assert Project.objects.count() == 0


# --- large files in the background -------------------------------------------------------------


def test_a_large_file_is_imported_in_the_background(
    client,
    owner,
    parties,
    sgd_rate,
    settings,
    immediate_tasks,
    media,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_BACKGROUND_ROWS = 2
    client.force_login(owner)
    content = data_file("projects_good.csv")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portfolio:import"), {"file": upload("projects_good.csv", content)}
        )

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portfolio:import_status", args=[job.pk])
    assert (job.status, job.rows_total, job.rows_done) == ("done", 3, 3)
    assert job.sha256 == hashlib.sha256(content).hexdigest()
    assert default_storage.open(job.stored_file).read() == content
    assert job.report["created"] == 3
    assert Project.objects.count() == 3

    status = client.get(response.url)
    assert 'http-equiv="refresh"' not in status.content.decode()
    assert "Projects created" in status.content.decode()


def test_a_queued_import_runs_in_the_database_worker(
    monkeypatch, owner, parties, sgd_rate, settings, media, django_capture_on_commit_callbacks
):
    # Between tasks the worker closes database connections that are inside a transaction,
    # which would drop the test's own transaction on PostgreSQL; keep it open.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    settings.IMPORT_BACKGROUND_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    with django_capture_on_commit_callbacks(execute=True):
        started = import_jobs.start_import(
            actor=owner, name="projects_good.csv", content=data_file("projects_good.csv")
        )
    job = started.job
    job.refresh_from_db()
    assert (job.status, bool(job.task_id)) == ("queued", True)
    assert Project.objects.count() == 0

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    job.refresh_from_db()
    assert (job.status, job.report["created"]) == ("done", 3)
    assert sorted(Project.objects.values_list("external_id", flat=True)) == ["FW-1", "P-3", "SUB-1"]


def test_the_status_page_refreshes_while_running_and_is_private(client, owner, outsider):
    job = ImportJob.objects.create(
        started_by=owner,
        file_name="big.csv",
        stored_file="imports/x/big.csv",
        sha256="0" * 64,
        status=ImportJob.Status.CHECKING,
        rows_total=800,
        rows_done=300,
    )
    client.force_login(owner)

    page = client.get(reverse("portfolio:import_status", args=[job.pk])).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in page
    assert "300 of 800 rows checked." in page
    client.force_login(outsider)
    assert client.get(reverse("portfolio:import_status", args=[job.pk])).status_code == 404


def test_a_background_import_with_bad_rows_reports_them(
    owner, settings, immediate_tasks, media, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 1

    with django_capture_on_commit_callbacks(execute=True):
        started = import_jobs.start_import(
            actor=owner, name="bad.csv", content=data_file("projects_bad_rows.csv")
        )

    started.job.refresh_from_db()
    report = imports.ImportReport.from_dict(started.job.report)
    assert where(report) == [(2, "signed_on"), (3, "currency"), (4, "value")]
    assert Project.objects.count() == 0


# --- the command -------------------------------------------------------------------------------


def test_the_command_imports_a_file(enterprise, parties, sgd_rate, capsys):
    call_command("portfolio_import", str(DATA / "projects_good.csv"), "--owner", "Qingling Motors")

    assert (
        "projects_good.csv: 3 rows; 3 created, 0 updated, 0 unchanged." in capsys.readouterr().out
    )
    assert Project.objects.filter(owner=enterprise).count() == 3


def test_the_command_as_a_user(owner, parties, sgd_rate, capsys):
    call_command("portfolio_import", str(DATA / "projects_good.csv"), "--as", "owner")

    assert Project.objects.filter(owner__name_en="Qingling Motors").count() == 3


def test_the_command_fails_on_a_bad_file_and_writes_nothing(enterprise, capsys):
    with pytest.raises(CommandError, match="Nothing imported: 3 problem"):
        call_command(
            "portfolio_import", str(DATA / "projects_bad_rows.csv"), "--owner", "Qingling Motors"
        )

    errors = capsys.readouterr().err.splitlines()
    assert [line.split("\t")[:2] for line in errors] == [
        ["row 2", "signed_on"],
        ["row 3", "currency"],
        ["row 4", "value"],
    ]
    assert Project.objects.count() == 0


def test_a_system_import_needs_an_owner(db):
    with pytest.raises(CommandError, match="--owner"):
        call_command("portfolio_import", str(DATA / "projects_good.csv"))
    assert Project.objects.count() == 0
