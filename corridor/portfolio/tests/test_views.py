"""The portfolio's pages: what people see, what they may do, and the exports."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from corridor.core.models import AuditEntry
from corridor.portfolio import services
from corridor.portfolio.models import Project, ProjectStatusChange
from corridor.testing.factories import (
    FxRateFactory,
    InnovationFactory,
    ProjectFactory,
    ProjectPartyFactory,
    sector,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(enterprise):
    return ProjectFactory(
        title_en="International Data Channel",
        title_zh="国际数据通道",
        kind="g2g",
        sector=sector("ict"),
        signed_on=datetime.date(2019, 9, 1),
        value=Decimal("2500000"),
        owner=enterprise,
        is_published=True,
    )


@pytest.fixture
def draft(enterprise):
    return ProjectFactory(
        title_en="Unannounced deal",
        title_zh="未公布的协议",
        owner=enterprise,
        value=Decimal("700000"),
        is_published=False,
    )


def login(client, user):
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


# --- what anonymous visitors see -----------------------------------------------------------


def test_anonymous_list_shows_only_published_projects(client, published, draft):
    response = client.get(reverse("portfolio:project_list"))
    assert response.status_code == 200
    assert "International Data Channel" in response.text
    assert "Unannounced deal" not in response.text
    assert "1 project matches." in response.text


def test_anonymous_gets_404_for_an_unpublished_project(client, draft, published):
    assert client.get(reverse("portfolio:project_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("portfolio:project_detail", args=[published.pk])).status_code == 200


def test_anonymous_dashboard_totals_count_only_published(client, published, draft):
    response = client.get(reverse("portfolio:dashboard"))
    figures = response.context["figures"]
    assert figures.totals.projects == 1
    assert figures.totals.value_usd == Decimal("2500000")
    assert "US$2.5 m" in response.text


def test_anonymous_csv_contains_only_published(client, published, draft):
    rows = csv_rows(client.get(reverse("portfolio:project_export_csv")))
    assert [row[0] for row in rows[1:]] == [published.external_id]


def test_owner_sees_its_own_draft(client, owner, published, draft):
    response = login(client, owner).get(reverse("portfolio:project_list"))
    assert "Unannounced deal" in response.text
    assert "2 projects match." in response.text


def test_party_sees_a_draft_it_takes_part_in(client, outsider, other_enterprise, draft):
    ProjectPartyFactory(project=draft, organisation=other_enterprise, role="investor")
    response = login(client, outsider).get(reverse("portfolio:project_detail", args=[draft.pk]))
    assert response.status_code == 200
    assert "Motorway Group" in response.text
    assert "investor" in response.text
    assert "Edit" not in response.text  # a party sees the project but may not change it


# --- list page -----------------------------------------------------------------------------


def test_list_filters_and_keeps_them_in_the_export_links(client, published, enterprise):
    ProjectFactory(title_en="Aviation hub", sector=sector("aviation"), owner=enterprise)
    response = client.get(reverse("portfolio:project_list"), {"sector": "ict", "year": "2019"})
    assert "International Data Channel" in response.text
    assert "Aviation hub" not in response.text
    assert 'href="/projects/export.csv?sector=ict&amp;year=2019"' in response.text
    assert 'href="/projects/export.xml?sector=ict&amp;year=2019"' in response.text


def test_list_is_paginated_by_25(client, enterprise):
    for day in range(1, 28):
        ProjectFactory(
            title_en=f"Deal {day:02d}", signed_on=datetime.date(2020, 1, day), owner=enterprise
        )
    first = client.get(reverse("portfolio:project_list"))
    assert len(first.context["projects"]) == 25
    assert "Page 1 of 2" in first.text
    second = client.get(reverse("portfolio:project_list"), {"page": "2"})
    assert [p.title_en for p in second.context["projects"]] == ["Deal 02", "Deal 01"]


def test_list_sorts_by_value(client, enterprise):
    ProjectFactory(title_en="Small", value=Decimal("10"), owner=enterprise)
    ProjectFactory(title_en="Large", value=Decimal("1000"), owner=enterprise)
    response = client.get(reverse("portfolio:project_list"), {"sort": "-value"})
    assert [p.title_en for p in response.context["projects"]] == ["Large", "Small"]


# --- detail page ---------------------------------------------------------------------------


def test_detail_shows_value_rate_parties_history_and_audit(
    client, admin_user, enterprise, other_enterprise
):
    FxRateFactory(
        currency="SGD",
        date=datetime.date(2024, 1, 2),
        usd_per_unit=Decimal("0.75"),
        source="Monetary Authority of Singapore",
    )
    framework = services.project_create(
        actor=admin_user,
        owner=enterprise,
        data=services.ProjectInput(
            title_en="Framework agreement",
            kind="g2g",
            sector="ict",
            value=Decimal("2000000"),
            currency="SGD",
            signed_on=datetime.date(2024, 3, 1),
            is_synthetic=True,
            parties=[services.PartyInput(organisation=other_enterprise, role="investor")],
        ),
    )
    services.project_create(
        actor=admin_user,
        owner=enterprise,
        data=services.ProjectInput(
            title_en="Sub-project",
            kind="g2g",
            sector="ict",
            value=Decimal("100"),
            currency="USD",
            signed_on=datetime.date(2024, 4, 1),
            parent_external_id=framework.external_id,
        ),
    )
    response = login(client, admin_user).get(
        reverse("portfolio:project_detail", args=[framework.pk])
    )
    text = response.text
    assert "SGD 2,000,000" in text
    assert "USD 1,500,000" in text
    assert (
        "Converted with the rate of 2024-01-02: 1 SGD = 0.75 US dollars "
        "(source: Monetary Authority of Singapore)." in text
    )
    assert "Motorway Group" in text and "Singapore" in text
    assert "Sub-project" in text
    assert "synthetic" in text
    assert "Ada Admin" in text  # the audit log names who recorded it
    assert f'action="/projects/{framework.pk}/publish/"' in text


def test_sub_project_detail_says_its_value_is_not_counted_twice(client, enterprise):
    parent = ProjectFactory(title_en="Framework", owner=enterprise)
    child = ProjectFactory(
        title_en="Child", parent=parent, counted_value_usd=Decimal("0"), owner=enterprise
    )
    text = client.get(reverse("portfolio:project_detail", args=[child.pk])).text
    assert "This value is part of the framework agreement's value" in text
    assert f'href="/projects/{parent.pk}/"' in text


def test_chinese_language_cookie_shows_chinese_titles(client, published):
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse("portfolio:project_detail", args=[published.pk]))
    assert "<h1>国际数据通道" in response.text
    assert '<html lang="zh-hans">' in response.text
    listing = client.get(reverse("portfolio:project_list"))
    assert "国际数据通道" in listing.text
    assert "信息通信技术" in listing.text  # the sector's Chinese name


# --- edit, status, publish: permissions ----------------------------------------------------


def test_outsider_cannot_edit_another_organisations_project(client, outsider, published):
    login(client, outsider)
    url = reverse("portfolio:project_edit", args=[published.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"title_en": "Hijacked", "kind": "g2g", "sector": "ict"})
    assert response.status_code == 403
    assert "You can only change projects your organisation recorded." in response.text
    published.refresh_from_db()
    assert published.title_en == "International Data Channel"
    assert not AuditEntry.objects.exists()


def test_outsider_cannot_change_the_status(client, outsider, published):
    login(client, outsider)
    response = client.post(
        reverse("portfolio:project_transition", args=[published.pk]),
        {"to_status": "terminated", "on": "2024-01-01", "reason": "Because"},
    )
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.status == "signed"
    assert not ProjectStatusChange.objects.filter(project=published).exists()


def test_outsider_sees_no_edit_buttons(client, outsider, published):
    response = login(client, outsider).get(reverse("portfolio:project_detail", args=[published.pk]))
    assert response.status_code == 200
    text = response.text
    assert "International Data Channel" in text  # the page itself, not an error page
    assert "/edit/" not in text and "/status/" not in text and "/publish/" not in text


def test_anonymous_is_sent_to_log_in_to_edit(client, published):
    response = client.get(reverse("portfolio:project_edit", args=[published.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_owner_edits_its_project_before_it_is_published(client, owner, published):
    Project.objects.filter(pk=published.pk).update(is_published=False)
    login(client, owner)
    url = reverse("portfolio:project_edit", args=[published.pk])
    assert 'value="International Data Channel"' in client.get(url).text
    response = client.post(
        url,
        {
            "title_en": "International Data Channel (phase 2)",
            "title_zh": "国际数据通道二期",
            "kind": "g2g",
            "sector": "ict",
            "value": "3000000",
            "currency": "USD",
            "signed_on": "2019-09-01",
            "version": published.version,
        },
    )
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.title_zh == "国际数据通道二期"
    assert published.value_usd == Decimal("3000000.00")
    entry = AuditEntry.objects.get()
    assert entry.actor == owner
    assert entry.changes["value"] == ["2500000.00", "3000000.00"]


def test_edit_shows_the_services_errors_beside_the_fields(client, owner, published):
    response = login(client, owner).post(
        reverse("portfolio:project_edit", args=[published.pk]),
        {
            "title_en": "X",
            "kind": "g2g",
            "sector": "ict",
            "value": "5",
            "currency": "",
            "parent_external_id": "NO-SUCH-ID",
            "version": published.version,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["currency"] == [
        "Give the currency of the value (an ISO 4217 code such as USD, SGD or CNY)."
    ]
    published.refresh_from_db()
    assert published.title_en == "International Data Channel"


def test_owner_changes_the_status_with_a_reason(client, owner, published):
    """Before the project is published; afterwards the change waits (test_revisions.py)."""
    Project.objects.filter(pk=published.pk).update(is_published=False)
    login(client, owner)
    url = reverse("portfolio:project_transition", args=[published.pk])
    page = client.get(url).text
    assert 'value="in_progress"' in page and 'value="completed"' in page
    response = client.post(
        url, {"to_status": "in_progress", "on": "2020-01-15", "reason": "Work started"}
    )
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == "in_progress"
    assert published.status_changed_on == datetime.date(2020, 1, 15)
    detail = client.get(reverse("portfolio:project_detail", args=[published.pk])).text
    assert "Work started" in detail


def test_transition_refuses_a_status_that_cannot_follow(client, owner, published):
    published.status = "completed"
    published.save()
    response = login(client, owner).post(
        reverse("portfolio:project_transition", args=[published.pk]),
        {"to_status": "in_progress", "on": "2020-01-15", "reason": "Reopen"},
    )
    assert response.status_code == 200
    assert "This status is final" in response.text
    published.refresh_from_db()
    assert published.status == "completed"


def test_owner_records_a_project(client, owner, enterprise):
    response = login(client, owner).post(
        reverse("portfolio:project_create"),
        {
            "owner": str(enterprise.pk),
            "title_en": "Cold chain hub",
            "title_zh": "冷链枢纽",
            "kind": "commercial",
            "status": "signed",
            "sector": "agriculture-food",
            "value": "10800000",
            "currency": "USD",
            "signed_on": "2025-03-01",
        },
    )
    project = Project.objects.get(title_en="Cold chain hub")
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio:project_detail", args=[project.pk])
    assert project.owner == enterprise
    assert project.counted_value_usd == Decimal("10800000.00")
    assert not project.is_published


def test_a_project_started_from_a_connection_names_both_enterprises_as_initiators(
    client, owner, enterprise, other_enterprise
):
    start = reverse("portfolio:project_create") + (
        f"?party={enterprise.pk}&party={other_enterprise.pk}"
    )
    page = login(client, owner).get(start)
    response = client.post(
        start,
        {
            "owner": str(enterprise.pk),
            "party": [str(enterprise.pk), str(other_enterprise.pk)],
            "title_en": "EV van distribution in Singapore",
            "kind": "commercial",
            "status": "signed",
            "sector": "manufacturing",
        },
    )

    assert 'id="initiators"' in page.text and "Motorway Group" in page.text
    assert response.status_code == 302
    project = Project.objects.get(title_en="EV van distribution in Singapore")
    assert sorted(project.parties.values_list("organisation__name_en", "role")) == [
        ("Motorway Group", "initiator"),
        ("Qingling Motors", "initiator"),
    ]


def test_owner_cannot_record_for_another_organisation(client, owner, other_enterprise):
    response = login(client, owner).post(
        reverse("portfolio:project_create"),
        {
            "owner": str(other_enterprise.pk),
            "title_en": "Not mine",
            "kind": "commercial",
            "status": "signed",
            "sector": "ict",
        },
    )
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not Project.objects.exists()


def test_member_cannot_publish(client, owner, draft):
    response = login(client, owner).post(
        reverse("portfolio:project_publish", args=[draft.pk]), {"published": "1"}
    )
    assert response.status_code == 403
    assert "Only the initiative&#x27;s administrators can publish projects." in response.text
    draft.refresh_from_db()
    assert draft.is_published is False


def test_administrator_publishes_and_anonymous_then_sees_it(client, admin_user, draft):
    login(client, admin_user).post(
        reverse("portfolio:project_publish", args=[draft.pk]), {"published": "1"}
    )
    draft.refresh_from_db()
    assert draft.is_published is True
    client.logout()
    assert client.get(reverse("portfolio:project_detail", args=[draft.pk])).status_code == 200


# --- CSV ----------------------------------------------------------------------------------


def test_csv_in_english_has_labels_and_codes(client, published):
    rows = csv_rows(client.get(reverse("portfolio:project_export_csv"), {"kind": "g2g"}))
    header, row = rows
    record = dict(zip(header, row, strict=True))
    assert record["title"] == "International Data Channel"
    assert record["title (Chinese)"] == "国际数据通道"
    assert record["kind code"] == "g2g"
    assert record["kind"] == "government-to-government"
    assert record["sector"] == "Information and communications technology"
    assert record["value in US dollars"] == "2500000.00"
    assert record["published"] == "yes"


def test_csv_in_chinese_uses_chinese_titles_and_names(client, published):
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse("portfolio:project_export_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="corridor-projects-')
    header, row = csv_rows(response)
    assert row[1] == "国际数据通道"
    assert row[4] == "g2g"
    assert row[9] == "信息通信技术"


def test_csv_follows_the_filters(client, published, enterprise):
    ProjectFactory(title_en="Aviation hub", sector=sector("aviation"), owner=enterprise)
    rows = csv_rows(client.get(reverse("portfolio:project_export_csv"), {"sector": "aviation"}))
    assert [row[1] for row in rows[1:]] == ["Aviation hub"]


def test_iati_export_returns_xml_of_the_filtered_projects(client, published, monkeypatch):
    pytest.importorskip("corridor.portfolio.iati", reason="the IATI writer is not there yet")
    response = client.get(reverse("portfolio:project_export_iati"), {"kind": "g2g"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"].startswith('attachment; filename="corridor-iati-')
    assert published.external_id.encode() in response.content


# --- innovations and published figures -----------------------------------------------------


def test_innovation_list_detail_and_csv(client, administration):
    innovation = InnovationFactory(
        title_en="Single window",
        title_zh="国际贸易单一窗口",
        category="trade",
        adopted_on=datetime.date(2019, 4, 1),
    )
    innovation.agencies.add(administration)
    innovation.replications.create(place_en="Chengdu", place_zh="成都", country="CN")
    InnovationFactory(title_en="Draft innovation", is_published=False)

    listing = client.get(reverse("portfolio:innovation_list"), {"category": "trade"})
    assert "Single window" in listing.text and "Draft innovation" not in listing.text
    detail = client.get(reverse("portfolio:innovation_detail", args=[innovation.pk]))
    assert "CCI Administration Bureau" in detail.text and "Chengdu" in detail.text
    client.cookies["django_language"] = "zh-hans"
    header, row = csv_rows(client.get(reverse("portfolio:innovation_export_csv")))
    assert row[1] == "国际贸易单一窗口"
    assert row[4] == "trade"
    assert row[7] == "中新示范项目管理局"
    assert row[8] == "成都"


def test_unpublished_innovation_is_404_for_anonymous(client):
    draft = InnovationFactory(is_published=False)
    assert client.get(reverse("portfolio:innovation_detail", args=[draft.pk])).status_code == 404


def test_recorded_by_filter_lists_only_organisations_of_visible_projects(
    client, published, other_enterprise
):
    ProjectFactory(title_en="Hidden draft", owner=other_enterprise, is_published=False)
    choices = dict(
        client.get(reverse("portfolio:project_list")).context["filter_form"].fields["owner"].choices
    )
    assert choices == {"": "any organisation", str(published.owner_id): "Qingling Motors"}
