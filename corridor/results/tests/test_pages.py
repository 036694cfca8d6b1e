"""The results pages as people use them: the list with its filters, progress and status; an
indicator with its chart; the forms; the evidence download; the dashboard's summary."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from corridor.core.actors import SYSTEM
from corridor.results import services
from corridor.results.models import Actual, Indicator, Target

pytestmark = pytest.mark.django_db

D = datetime.date


def client_of(world, role) -> Client:
    client = Client()
    if world.people[role] is not None:
        client.force_login(world.people[role])
    return client


def rows_of(html: str) -> list[str]:
    body = html.split('id="indicator-list"', 1)[1].split("</table>", 1)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("<tr>")[2:]
    ]


@pytest.fixture
def on_track(world):
    """An initiative indicator well on its way: 80 of 100 by late 2026, on a target period
    long enough (2020–2040) for it to stay on track whenever the test runs."""
    indicator = services.indicator_create(
        actor=SYSTEM, title_en="Jobs created", unit_en="jobs", baseline_on=D(2025, 12, 31)
    )
    services.target_add(
        actor=SYSTEM,
        indicator=indicator,
        period_start=D(2020, 1, 1),
        period_end=D(2040, 12, 31),
        value=100,
    )
    services.actual_record(
        actor=SYSTEM,
        indicator=indicator,
        period_start=D(2026, 1, 1),
        period_end=D(2026, 9, 30),
        value=80,
        source_url="https://example.org/jobs",
    )
    return indicator


def test_the_list_shows_progress_and_status_and_filters_by_them(world, on_track):
    page = client_of(world, "admin").get("/results/")
    html = page.content.decode()
    rows = rows_of(html)
    jobs = next(row for row in rows if row.startswith("Jobs created"))
    assert "The initiative as a whole" in jobs
    assert "80 jobs" in jobs and "100 jobs by 2040-12-31" in jobs and "on track" in jobs
    assert '<progress class="indicator-progress" max="100" value="80"' in html
    # three of the world's four indicators have a target and no actual yet
    assert sum("no actual yet" in row for row in rows) == 3
    assert "How the status is decided" in html and "at least 90%" in html

    only_initiative = rows_of(
        client_of(world, "admin").get("/results/?scope=initiative").content.decode()
    )
    assert sorted(r.split(" ")[0] for r in only_initiative) == ["Jobs", "initiative"]
    on_track_only = rows_of(
        client_of(world, "admin").get("/results/?status=on_track").content.decode()
    )
    assert [r.split(" ")[0] for r in on_track_only] == ["Jobs"]
    no_data = rows_of(client_of(world, "admin").get("/results/?status=no_data").content.decode())
    assert len(no_data) == 3 and not any(r.startswith("Jobs") for r in no_data)


def test_an_indicator_page_draws_baseline_targets_and_actuals(world, on_track):
    html = client_of(world, "anon").get(f"/results/{on_track.pk}/").content.decode()
    chart = html.split('id="indicator-chart"', 1)[1].split("</figure>", 1)[0]
    assert chart.count('class="target"') == 1 + 1  # the target, and its legend
    assert chart.count('class="actual"') == 1 + 1
    assert "Target by 2040-12-31: 100 jobs" in chart
    assert "Actual by 2026-09-30: 80 jobs" in chart
    assert "Baseline 2025-12-31: 0 jobs" in chart
    # anonymous visitors read it, and are offered nothing to change
    assert "Record an actual" not in html and "Add a target" not in html
    assert "https://example.org/jobs" in html


def test_staff_add_an_indicator_a_target_and_an_actual_through_the_forms(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    admin = client_of(world, "admin")
    form = admin.get("/results/new/").content.decode()
    assert 'value="initiative"' in form and f'value="event:{world.ids["event"]}"' in form
    answer = admin.post(
        "/results/new/",
        {
            "scope_record": f"event:{world.ids['event']}",
            "title_en": "Meetings held",
            "unit_en": "meetings",
            "direction": "increase",
            "baseline_value": "0",
            "feed": "meetings_held",
        },
    )
    indicator = Indicator.objects.get(title_en="Meetings held")
    assert answer.status_code == 302 and answer["Location"] == f"/results/{indicator.pk}/"
    assert indicator.event_id == world.ids["event"]

    answer = admin.post(
        f"/results/{indicator.pk}/targets/new/",
        {"period_start": "2026-03-10", "period_end": "2026-03-10", "value": "4"},
    )
    assert answer.status_code == 302
    assert Target.objects.get(indicator=indicator).value == 4

    # measured from the event: nothing typed
    answer = admin.post(
        f"/results/{indicator.pk}/actuals/measure/",
        {"period_start": "2026-03-10", "period_end": "2026-03-10"},
    )
    assert answer.status_code == 302
    measured = Actual.objects.get(indicator=indicator)
    assert (measured.value, measured.from_feed) == (1, True)

    # typed, with a document as its evidence, which whoever sees the event may download
    answer = admin.post(
        f"/results/{indicator.pk}/actuals/new/",
        {
            "period_start": "2026-03-10",
            "period_end": "2026-03-11",
            "value": "2",
            "document": SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes", "application/pdf"),
        },
    )
    assert answer.status_code == 302
    typed = Actual.objects.get(indicator=indicator, from_feed=False)
    download = client_of(world, "anon").get(f"/results/actuals/{typed.pk}/document")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 minutes"
    page = admin.get(f"/results/{indicator.pk}/").content.decode()
    assert "measured from Corridor" in page and "minutes.pdf" in page


def test_a_refused_form_says_why_beside_the_field_and_saves_nothing(world):
    admin = client_of(world, "admin")
    indicator = world.objects["initiative_indicator"]
    answer = admin.post(
        f"/results/{indicator.pk}/actuals/new/",
        {"period_start": "2026-03-10", "period_end": "2026-03-01", "value": "2"},
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Nothing was saved" in html
    assert "the period ends before it starts" in html
    assert "give the address of a source, or upload a document" in html
    assert not Actual.objects.filter(indicator=indicator).exists()


def test_a_document_of_an_indicator_one_may_not_see_is_not_found(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    actual = services.actual_record(
        actor=SYSTEM,
        indicator=world.objects["case_indicator"],
        period_start=D(2026, 1, 1),
        period_end=D(2026, 2, 1),
        value=1,
        document=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 letter", "application/pdf"),
    )
    for role, status in (("anon", 404), ("outsider", 404), ("regulator", 200), ("member", 200)):
        assert (
            client_of(world, role).get(f"/results/actuals/{actual.pk}/document").status_code
            == status
        )


def test_the_dashboard_sums_up_the_indicators(world, on_track):
    html = client_of(world, "anon").get("/").content.decode()
    panel = html.split('id="results-summary"', 1)[1].split("</section>", 1)[0]
    assert "Jobs created" in panel  # an initiative indicator, with its progress
    assert (
        '<span class="indicator-status no_data">no actual yet</span> 2' in panel
    )  # those anon sees
    assert "never counted in the dashboard's totals or charts" in panel


@pytest.mark.parametrize("extra", [2, 12])
def test_the_list_and_the_dashboard_ask_as_many_queries_whatever_the_number_of_indicators(
    world, extra, django_assert_num_queries
):
    for number in range(extra):
        indicator = services.indicator_create(
            actor=SYSTEM, title_en=f"Extra {number}", unit_en="x", case=world.objects["case"]
        )
        services.target_add(
            actor=SYSTEM,
            indicator=indicator,
            period_start=D(2026, 1, 1),
            period_end=D(2026, 12, 31),
            value=3,
        )
    client = client_of(world, "member")
    client.get("/results/")  # the session's first queries
    # session, user, memberships, indicators (with the projects, cases and events they
    # measure, and the visibility of each as subqueries), their targets, their actuals,
    # whether the member may add indicators (Qingling records a project), and the unread
    # notifications in the header
    with django_assert_num_queries(8):
        assert client.get("/results/").status_code == 200


def test_a_project_page_shows_its_indicators_and_offers_new_ones_to_who_may(world):
    project = world.ids["project"]
    member = client_of(world, "member").get(f"/projects/{project}/").content.decode()
    panel = member.split('id="project-indicators"', 1)[1].split("</section>", 1)[0]
    assert "project indicator" in panel and "100 things" in panel
    assert f"/results/new/?project={project}" in panel
    partner = client_of(world, "partner").get(f"/projects/{project}/").content.decode()
    assert "project indicator" in partner and f"/results/new/?project={project}" not in partner


def test_the_dashboard_says_its_filters_do_not_narrow_the_indicators(world, on_track):
    """A reader who filters the dashboard by sector must not take the indicator counts for
    the sector's: the panel says they are all the indicators."""
    anon = client_of(world, "anon")
    unfiltered = anon.get("/").content.decode()
    filtered = anon.get("/?sector=transport").content.decode()
    panel = filtered.split('id="results-summary"', 1)[1].split("</section>", 1)[0]
    assert "narrow the projects only" in panel
    assert 'id="results-summary-unfiltered"' not in unfiltered
    assert "Jobs created" in panel  # still every indicator anon may see
