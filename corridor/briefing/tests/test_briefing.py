"""Briefing packs: the command writes PDF and XLSX in both languages; the page queues a pack
that a task builds, stores and hands out again; only the initiative's staff may; and the
pack's figures are the dashboard's."""

import hashlib
import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from corridor.briefing import services, tasks
from corridor.briefing.contents import SECTIONS, pack_contents, section_title
from corridor.briefing.models import BriefingPack
from corridor.briefing.tests.conftest import SINCE
from corridor.cases import services as cases
from corridor.core.actors import SYSTEM

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squeeze(text: str) -> str:
    """Text without whitespace: PDF extraction breaks lines where the layout wrapped them."""
    return re.sub(r"\s+", "", text)


# --- the command -------------------------------------------------------------------------------


def test_command_writes_an_english_pdf_with_each_section_and_its_figures(story, tmp_path):
    out = tmp_path / "pack.pdf"
    call_command("briefing_pack", since="2025-01-01", lang="en", format="pdf", output=str(out))
    text = pdf_text(out.read_bytes())
    flat = squeeze(text)
    for heading in (
        "Briefing pack",
        "1. Published and registry figures",
        "2. What changed",
        "3. New institutional innovations",
        "4. Facilitation cases",
        "5. Events and outcomes",
        "6. Indicators and targets",
    ):
        assert squeeze(heading) in flat, heading
    # 3 projects, US$17.0 m in all; 1 signed since 2025 (US$5.0 m); 1 completed; 1 stalled
    assert squeeze("Cooperation projects 3") in flat
    assert "US$17.0 m" in text
    assert squeeze("1 project · US$5.0 m") in flat
    assert "Single window for meat" in text and "Old innovation" not in text
    assert "Type approval" in text and "Road test" in text and "Design review" not in text
    assert squeeze("met late (10 days late)") in flat
    assert squeeze("Singapore delegation 2025") in flat
    assert squeeze("EQ2 vans exported") in flat and squeeze("20 vans") in flat
    assert squeeze("off track: 1") in flat and squeeze("on track: 1") in flat


def test_command_writes_a_chinese_pdf(story, tmp_path):
    out = tmp_path / "pack.pdf"
    call_command("briefing_pack", since="2025-01-01", lang="zh", format="pdf", output=str(out))
    flat = squeeze(pdf_text(out.read_bytes()))
    # headings the catalogue already has, names in Chinese, sums in 万美元
    for words in (
        "合作项目",
        "美元金额",
        "制度创新",
        "EQ2电动货车出口新加坡",
        "冷链枢纽",
        "肉类单一窗口",
        "EQ2电动货车进入新加坡",
        "新加坡企业代表团2025",
        "1,700.0万美元",
        "500.0万美元",
    ):
        assert words in flat, words
    assert "US$" not in flat


@pytest.mark.parametrize("lang,language", [("en", "en"), ("zh", "zh-hans")])
def test_command_writes_xlsx_with_one_sheet_per_section_of_raw_rows(
    story, tmp_path, lang, language
):
    out = tmp_path / "pack.xlsx"
    call_command("briefing_pack", since="2025-01-01", lang=lang, format="xlsx", output=str(out))
    workbook = load_workbook(out)
    with translation.override(language):
        titles = [section_title(name) for name in SECTIONS]
    assert workbook.sheetnames == titles
    figures, changes, innovations, case_sheet, events, indicators = (workbook[t] for t in titles)
    registry = {row[0]: row[4] for row in figures.iter_rows(min_row=2, values_only=True)}
    assert list(registry.values())[:3] == [3, 17000000, 2]
    changed = [(row[0], row[3]) for row in changes.iter_rows(min_row=2, values_only=True)]
    assert len(changed) == 3  # vans signed, vans completed, hub suspended
    assert [row[7] for row in changes.iter_rows(min_row=2, values_only=True)][0] == 5000000
    assert innovations.max_row == 2
    states = [row[5] for row in case_sheet.iter_rows(min_row=2, values_only=True)]
    assert len(states) == 2  # the milestone met in 2024 is not news
    event_row = next(events.iter_rows(min_row=2, values_only=True))
    assert event_row[4:6] == (2, 1)  # participants, meetings held
    by_title = {row[0]: row for row in indicators.iter_rows(min_row=2, values_only=True)}
    assert set(by_title) == (
        {"EQ2 vans exported", "Plants approved"}
        if lang == "en"
        else {"EQ2电动货车出口量", "Plants approved"}
    )
    vans = by_title["EQ2 vans exported" if lang == "en" else "EQ2电动货车出口量"]
    assert (vans[4], vans[6], vans[9], vans[11]) == (0, 100, 20, 20)  # baseline, target, actual, %


def test_command_refuses_a_bad_date_naming_the_option(db, tmp_path):
    with pytest.raises(CommandError, match="--since"):
        call_command("briefing_pack", since="1 May", output=str(tmp_path / "x.pdf"))
    future = (timezone.localdate().replace(year=timezone.localdate().year + 1)).isoformat()
    with pytest.raises(CommandError, match="--since: .*future"):
        call_command("briefing_pack", since=future, output=str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


# --- the same numbers as the dashboard ----------------------------------------------------------


def _kpis(html: str) -> dict[str, str]:
    return {
        name: re.search(rf'id="kpi-{name}">([^<]*)<', html).group(1).strip()
        for name in ("projects", "value", "innovations")
    }


def _comparison_cells(html: str) -> list[list[str]]:
    table = re.search(r'<table class="table comparison.*?</table>', html, re.S).group(0)
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S):
        cells = re.findall(r'<td class="num"[^>]*>(.*?)</td>', row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", "", c).split()) for c in cells])
    return rows


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_packs_figures_are_the_dashboards(story, client, admin_user, language):
    client.force_login(admin_user)
    client.cookies["django_language"] = language
    admin_user.language = language
    admin_user.save()
    dashboard = client.get(reverse("portfolio:dashboard")).content.decode()
    since_dashboard = client.get(
        reverse("portfolio:dashboard"), {"signed_from": SINCE.isoformat()}
    ).content.decode()

    content, _ = services.pack_render(actor=admin_user, since=SINCE, language=language, fmt="pdf")
    flat = squeeze(pdf_text(content))
    kpis = _kpis(dashboard)
    assert kpis == {"projects": "3", "value": kpis["value"], "innovations": "2"}
    for text in kpis.values():
        assert squeeze(text) in flat
    # the published figure beside the registry's, as the dashboard's table writes them
    for cells in _comparison_cells(dashboard):
        assert squeeze(" ".join(cells)) in flat, cells
    # what was signed since the date: the dashboard filtered from that date
    since_kpis = _kpis(since_dashboard)
    with translation.override(language):
        contents = pack_contents(admin_user, SINCE, language)
    assert str(contents.changes.signed.totals.projects) == since_kpis["projects"] == "1"
    assert squeeze(since_kpis["value"]) in flat

    # regenerated, the workbook gives the same numbers, raw
    again, _ = services.pack_render(actor=admin_user, since=SINCE, language=language, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(again)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [rows[0][4], rows[1][4], rows[2][4]] == [
        int(kpis["projects"]),
        contents.figures.figures.totals.value_usd,
        int(kpis["innovations"]),
    ]
    assert rows[5][3:6] == (347, 3, -344)  # published, registry, difference

    # the indicators by status, as the dashboard's summary counts them
    panel = re.search(r'<ul class="status-counts".*?</ul>', dashboard, re.S).group(0)
    shown = {
        status: int(count)
        for status, count in re.findall(r'indicator-status (\w+)">[^<]*</span>\s*(\d+)', panel)
    }
    assert shown == contents.indicators.counts
    assert (shown["on_track"], shown["off_track"]) == (1, 1)
    for status, label in contents.indicators.labels.items():
        assert squeeze(f"{label}: {shown[status]}") in flat


def test_a_facilitators_pack_counts_only_what_they_may_see(
    story, admin_user, facilitator, enterprise
):
    """Cases: a facilitator sees the cases assigned to them, not one another staff member
    runs; the administrator (and the command, as the system) sees both."""
    other = cases.case_open(
        actor=admin_user, applicant=enterprise, title_en="Pork to Singapore", target_market="SG"
    )
    cases.case_transition(
        actor=admin_user, case=other, to_status="active", reason="Ready", version=other.version
    )
    with translation.override("en"):
        theirs = pack_contents(facilitator, SINCE, "en")
        everyone = pack_contents(admin_user, SINCE, "en")
        system = pack_contents(SYSTEM, SINCE, "en")
    assert [line.case for line in theirs.cases.cases] == [story["case"]]
    assert {line.case for line in everyone.cases.cases} == {story["case"], other}
    assert {line.case for line in system.cases.cases} == {story["case"], other}
    assert theirs.figures.figures.totals.projects == 3  # staff see every project


# --- the page, the task, the stored file ---------------------------------------------------------


def test_asking_for_a_pack_queues_it_and_the_page_shows_its_progress(
    story, client, admin_user, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    client.force_login(admin_user)
    page = client.get(reverse("briefing:pack_list"))
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("briefing:pack_list"),
            {"since": "2025-01-01", "language": "zh-hans", "format": "pdf"},
        )
    assert response.status_code == 302
    pack = BriefingPack.objects.get()
    assert (pack.status, pack.since, pack.language, pack.format) == (
        "queued",
        SINCE,
        "zh-hans",
        "pdf",
    )
    assert pack.task_id  # the task that builds it
    html = client.get(reverse("briefing:pack_list")).content.decode()
    assert 'http-equiv="refresh"' in html and "waiting to start" in html.lower()
    BriefingPack.objects.filter(pk=pack.pk).update(status="running", steps_done=3, steps_total=6)
    html = client.get(reverse("briefing:pack_list")).content.decode()
    assert '<progress value="3" max="6">' in html and "3 of 6 steps" in html


def test_the_task_stores_the_file_with_its_progress_and_it_downloads_again(
    story, client, admin_user, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    seen = []
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.pack_request(
            actor=admin_user,
            since=SINCE,
            language="en",
            fmt="xlsx",
            enqueue=lambda pack_id: (seen.append(pack_id), tasks.enqueue_build(pack_id))[1],
        )
    pack.refresh_from_db()
    assert seen == [str(pack.pk)]
    assert (pack.status, pack.steps_done, pack.steps_total) == ("done", 7, 7)
    with default_storage.open(pack.stored_file, "rb") as stored:
        content = stored.read()
    assert pack.stored_file.startswith(f"briefing/{pack.pk}/")
    assert (pack.size, pack.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert load_workbook(io.BytesIO(content)).sheetnames[0] == "Published and registry figures"

    client.force_login(admin_user)
    html = client.get(reverse("briefing:pack_list")).content.decode()
    download = reverse("briefing:pack_download", args=[pack.pk])
    assert download in html and 'http-equiv="refresh"' not in html
    response = client.get(download)
    assert b"".join(response.streaming_content) == content
    assert pack.file_name in response["Content-Disposition"]


def test_progress_is_told_after_each_section(story, admin_user):
    steps = []
    with translation.override("en"):
        pack_contents(admin_user, SINCE, "en", progress=lambda done, total: steps.append(done))
    assert steps == [1, 2, 3, 4, 5, 6]  # of 7: the file is the last step


def test_a_pack_dated_in_the_future_is_refused_naming_the_field(client, admin_user):
    client.force_login(admin_user)
    future = timezone.localdate().replace(year=timezone.localdate().year + 1)
    response = client.post(
        reverse("briefing:pack_list"),
        {"since": future.isoformat(), "language": "en", "format": "pdf"},
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert not BriefingPack.objects.exists()


def test_an_interrupted_build_waits_for_the_next_worker_then_fails(admin_user):
    pack = BriefingPack.objects.create(
        requested_by=admin_user,
        since=SINCE,
        format="pdf",
        status="running",
        steps_done=4,
        steps_total=6,
    )
    services.pack_interrupted(str(pack.pk), attempts=1, gave_up=False)
    pack.refresh_from_db()
    assert (pack.status, pack.steps_done, pack.attempts) == ("queued", 0, 1)
    services.pack_interrupted(str(pack.pk), attempts=3, gave_up=True)
    pack.refresh_from_db()
    assert pack.status == "failed" and "after 3 attempts" in pack.failure


# --- who may ----------------------------------------------------------------------------------

OUTSIDERS = ["owner", "partner", "regulator", "observer", "outsider"]


@pytest.fixture
def done_pack(admin_user):
    content = b"PK fake"
    stored = default_storage.save("briefing/x/pack.xlsx", io.BytesIO(content))
    return BriefingPack.objects.create(
        requested_by=admin_user,
        since=SINCE,
        format="xlsx",
        status="done",
        stored_file=stored,
        size=len(content),
        finished_at=timezone.now(),
    )


@pytest.mark.parametrize("role", OUTSIDERS)
def test_only_the_initiatives_staff_make_packs(request, story, client, role, done_pack):
    person = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.pack_request(
            actor=person, since=SINCE, language="en", fmt="pdf", enqueue=tasks.enqueue_build
        )
    with pytest.raises(PermissionDenied):
        services.pack_render(actor=person, since=SINCE, language="en", fmt="pdf")
    with pytest.raises(PermissionDenied):
        services.pack_file(actor=person, pack=done_pack)
    client.force_login(person)
    assert client.get(reverse("briefing:pack_list")).status_code == 403
    response = client.post(
        reverse("briefing:pack_list"), {"since": "2025-01-01", "language": "en", "format": "pdf"}
    )
    assert response.status_code == 403
    assert client.get(reverse("briefing:pack_download", args=[done_pack.pk])).status_code == 403
    assert BriefingPack.objects.count() == 1  # nothing asked for
    dashboard = client.get(reverse("portfolio:dashboard")).content.decode()
    assert reverse("briefing:pack_list") not in dashboard


def test_anonymous_visitors_and_no_one_make_packs(story, client, done_pack):
    for actor in (None,):
        with pytest.raises(PermissionDenied):
            services.pack_request(
                actor=actor, since=SINCE, language="en", fmt="pdf", enqueue=tasks.enqueue_build
            )
        with pytest.raises(PermissionDenied):
            services.pack_file(actor=actor, pack=done_pack)
    response = client.get(reverse("briefing:pack_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.get(reverse("briefing:pack_download", args=[done_pack.pk]))
    assert response.status_code == 302
    assert reverse("briefing:pack_list") not in client.get("/").content.decode()
    assert BriefingPack.objects.count() == 1


def test_a_facilitator_sees_their_own_packs_and_an_administrator_all(
    client, admin_user, facilitator, done_pack
):
    theirs = BriefingPack.objects.create(requested_by=facilitator, since=SINCE, format="pdf")
    client.force_login(facilitator)
    html = client.get(reverse("briefing:pack_list")).content.decode()
    assert f"pack-{theirs.pk}" in html and f"pack-{done_pack.pk}" not in html
    assert client.get(reverse("briefing:pack_download", args=[done_pack.pk])).status_code == 403
    dashboard = client.get(reverse("portfolio:dashboard")).content.decode()
    assert 'id="briefing-link"' in dashboard
    client.force_login(admin_user)
    html = client.get(reverse("briefing:pack_list")).content.decode()
    assert f"pack-{theirs.pk}" in html and f"pack-{done_pack.pk}" in html
    # a pack not built yet has nothing to download
    assert client.get(reverse("briefing:pack_download", args=[theirs.pk])).status_code == 404
