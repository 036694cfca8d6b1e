"""The services of the results framework: what they refuse (each error names its field, and
nothing is written), evidence, the feeds that record actuals without retyping, versions and
the history. Permissions are in test_permissions.py."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.cases.models import Case, Milestone
from corridor.core.actors import SYSTEM
from corridor.core.audit import audit_entries_for
from corridor.portfolio.models import Project
from corridor.results import services
from corridor.results.models import Actual, Indicator, Target
from corridor.results.queries import progress_of

pytestmark = pytest.mark.django_db

D = datetime.date


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_an_indicator_needs_a_title_a_unit_and_a_feed_that_fits_its_scope(world):
    admin = world.people["admin"]
    before = Indicator.objects.count()
    errors = errors_of(lambda: services.indicator_create(actor=admin, title_en=" ", unit_en=""))
    assert set(errors) == {"title_en", "unit_en"}
    assert "Title (English)" in errors["title_en"][0]
    errors = errors_of(
        lambda: services.indicator_create(
            actor=admin, title_en="Meetings", unit_en="meetings", feed="meetings_held"
        )
    )
    assert "measures another kind of record" in errors["feed"][0]
    errors = errors_of(
        lambda: services.indicator_create(
            actor=admin,
            title_en="Both",
            unit_en="x",
            project=world.objects["project"],
            event=world.objects["event"],
        )
    )
    assert "scope" in errors
    errors = errors_of(
        lambda: services.indicator_create(
            actor=admin, title_en="Bad\u202eTitle", unit_en="x", baseline_value="lots"
        )
    )
    assert "bidirectional override" in errors["title_en"][0]
    assert "give a number" in errors["baseline_value"][0]
    assert Indicator.objects.count() == before


def test_targets_and_actuals_refuse_bad_periods_values_and_breakdowns(world):
    indicator = world.objects["project_indicator"]  # not broken down by side or sector
    before = (Target.objects.count(), Actual.objects.count())
    errors = errors_of(
        lambda: services.target_add(
            actor=SYSTEM,
            indicator=indicator,
            period_start=D(2026, 12, 31),
            period_end=D(2026, 1, 1),
            value="NaN",
            side="china",
            sector="ict",
        )
    )
    assert "ends before it starts" in errors["period_end"][0]
    assert "give a number" in errors["value"][0]
    assert "not broken down by side" in errors["side"][0]
    assert "not broken down by sector" in errors["sector"][0]
    errors = errors_of(
        lambda: services.actual_record(
            actor=SYSTEM,
            indicator=indicator,
            period_start=D(2026, 1, 1),
            period_end=D(2026, 3, 31),
            value="1e30",
        )
    )
    assert "below 100,000,000,000,000,000" in errors["value"][0]
    assert "give the address of a source, or upload a document" in errors["source_url"][0]
    errors = errors_of(
        lambda: services.actual_record(
            actor=SYSTEM,
            indicator=indicator,
            period_start=D(2026, 1, 1),
            period_end=D(2026, 3, 31),
            value=3,
            source_url="javascript:alert(1)",
        )
    )
    assert "http:// or https://" in errors["source_url"][0]
    # the same period twice
    errors = errors_of(
        lambda: services.target_add(
            actor=SYSTEM,
            indicator=indicator,
            period_start=D(2026, 1, 1),
            period_end=D(2026, 12, 31),
            value=5,
        )
    )
    assert "already has a target for this period" in errors["period_end"][0]
    assert (Target.objects.count(), Actual.objects.count()) == before


def test_a_breakdown_by_side_and_sector_is_kept_and_the_total_counts(world):
    indicator = services.indicator_create(
        actor=SYSTEM, title_en="Exports", unit_en="US$", by_side=True, by_sector=True
    )
    for side, value in (("china", 30), ("singapore", 20)):
        services.actual_record(
            actor=SYSTEM,
            indicator=indicator,
            period_start=D(2026, 1, 1),
            period_end=D(2026, 3, 31),
            value=value,
            side=side,
            source_url="https://example.org/q1",
        )
    services.actual_record(
        actor=SYSTEM,
        indicator=indicator,
        period_start=D(2026, 1, 1),
        period_end=D(2026, 3, 31),
        value=50,
        sector="trade",
        source_url="https://example.org/q1",
    )
    rows = Actual.objects.filter(indicator=indicator)
    assert sorted((a.side, a.sector.code if a.sector else "") for a in rows) == [
        ("", "trade"),
        ("china", ""),
        ("singapore", ""),
    ]
    services.target_add(
        actor=SYSTEM,
        indicator=indicator,
        period_start=D(2026, 1, 1),
        period_end=D(2026, 12, 31),
        value=200,
    )
    assert progress_of(indicator, D(2026, 4, 1)).actual.value == 50  # China + Singapore


def test_evidence_can_be_a_document(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    indicator = world.objects["project_indicator"]
    actual = services.actual_record(
        actor=world.people["member"],
        indicator=indicator,
        period_start=D(2026, 1, 1),
        period_end=D(2026, 3, 31),
        value=12,
        document=SimpleUploadedFile("customs.pdf", b"%PDF-1.4 customs", "application/pdf"),
    )
    assert actual.document_name == "customs.pdf"
    assert actual.document.name.startswith("results/") and actual.document.name.endswith(".pdf")
    assert len(actual.document_sha256) == 64
    errors = errors_of(
        lambda: services.actual_record(
            actor=world.people["member"],
            indicator=indicator,
            period_start=D(2026, 4, 1),
            period_end=D(2026, 6, 30),
            value=12,
            document=SimpleUploadedFile("fake.pdf", b"MZ not a pdf", "application/pdf"),
        )
    )
    assert "is not what its extension" in errors["document"][0]
    assert Actual.objects.filter(indicator=indicator).count() == 1


def test_an_event_feeds_its_actuals_with_a_link_to_the_event(world):
    event = world.objects["event"]
    facilitator = world.people["facilitator"]
    measures = {}
    for feed in ("meetings_held", "follow_ups", "follow_up_projects"):
        indicator = services.indicator_create(
            actor=facilitator, title_en=feed, unit_en="meetings", event=event, feed=feed
        )
        actual = services.actual_record_from_feed(
            actor=facilitator,
            indicator=indicator,
            period_start=D(2026, 3, 10),
            period_end=D(2026, 3, 10),
        )
        measures[feed] = actual.value
        assert actual.from_feed
        assert actual.source_url.endswith(f"/events/{event.pk}/")
        assert actual.recorded_by == facilitator
    # the world's event: one meeting placed, its outcome "follow up", no project from it yet
    assert measures == {"meetings_held": 1, "follow_ups": 1, "follow_up_projects": 0}


def test_a_case_feeds_milestones_met_and_plants_approved(world):
    case = world.objects["case"]
    milestones = services.indicator_create(
        actor=SYSTEM, title_en="Milestones", unit_en="milestones", case=case, feed="milestones_met"
    )
    Milestone.objects.filter(case=case).update(actual_end=D(2026, 4, 30))
    early = services.actual_record_from_feed(
        actor=SYSTEM, indicator=milestones, period_start=D(2026, 1, 1), period_end=D(2026, 3, 31)
    )
    late = services.actual_record_from_feed(
        actor=SYSTEM, indicator=milestones, period_start=D(2026, 1, 1), period_end=D(2026, 6, 30)
    )
    assert (early.value, late.value) == (0, 1)  # met on 30 April
    assert late.source_url.endswith(f"/cases/{case.pk}/")
    plants = services.indicator_create(
        actor=SYSTEM, title_en="Plants", unit_en="plants", case=case, feed="cases_approved"
    )
    child = Case.objects.create(
        reference="T-PLANT",
        title_en="A plant",
        applicant=case.applicant,
        target_market="SG",
        region_case=case,
        status=Case.Status.APPROVED,
    )
    actual = services.actual_record_from_feed(
        actor=SYSTEM, indicator=plants, period_start=D(2026, 1, 1), period_end=D(2026, 6, 30)
    )
    assert actual.value == 1
    child.delete()


def test_the_portfolio_feeds_published_projects_signed(world):
    indicator = services.indicator_create(
        actor=SYSTEM, title_en="Signed", unit_en="projects", feed="projects_signed"
    )
    published = Project.objects.filter(is_published=True, signed_on__lte=D(2030, 1, 1)).count()
    actual = services.actual_record_from_feed(
        actor=SYSTEM, indicator=indicator, period_start=D(2020, 1, 1), period_end=D(2030, 1, 1)
    )
    assert actual.value == published
    assert published < Project.objects.count()  # the unpublished project is not counted


def test_a_hand_recorded_indicator_is_not_measured(world):
    errors = errors_of(
        lambda: services.actual_record_from_feed(
            actor=SYSTEM,
            indicator=world.objects["initiative_indicator"],
            period_start=D(2026, 1, 1),
            period_end=D(2026, 2, 1),
        )
    )
    assert "recorded by hand" in errors["feed"][0]


def test_a_stale_change_writes_nothing_and_every_write_is_in_the_history(world):
    indicator = services.indicator_create(actor=SYSTEM, title_en="Jobs", unit_en="jobs")
    changed = services.indicator_update(
        actor=world.people["admin"], indicator=indicator, version=1, title_zh="就业岗位"
    )
    assert changed.version == 2
    errors = errors_of(
        lambda: services.indicator_update(
            actor=world.people["admin"], indicator=indicator, version=1, title_en="Other"
        )
    )
    assert "Someone changed this indicator" in errors["version"][0]
    assert Indicator.objects.get(pk=indicator.pk).title_en == "Jobs"
    services.target_add(
        actor=SYSTEM,
        indicator=indicator,
        period_start=D(2026, 1, 1),
        period_end=D(2026, 12, 31),
        value="10800000.00",
    )
    summaries = [e.readable_summary() for e in audit_entries_for(indicator)]
    assert summaries == [
        "Target of 10800000 set for 2026-01-01 to 2026-12-31",
        "Jobs",
        "Jobs",
    ]


def test_a_breakdown_in_use_cannot_be_switched_off(world):
    indicator = services.indicator_create(
        actor=SYSTEM, title_en="Trade", unit_en="US$", by_side=True
    )
    services.target_add(
        actor=SYSTEM,
        indicator=indicator,
        period_start=D(2026, 1, 1),
        period_end=D(2026, 12, 31),
        value=10,
        side="singapore",
    )
    errors = errors_of(
        lambda: services.indicator_update(
            actor=SYSTEM, indicator=indicator, version=1, by_side=False
        )
    )
    assert "keep the breakdown" in errors["by_side"][0]
    assert Indicator.objects.get(pk=indicator.pk).by_side
