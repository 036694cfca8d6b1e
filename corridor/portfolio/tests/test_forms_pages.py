"""The portfolio's write pages: a project's parties, institutional innovations and
published figures. Each works for the person allowed, is refused to everyone else with
nothing changed, and shows bad input beside its field without writing anything."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from corridor.core.models import AuditEntry
from corridor.portfolio import services
from corridor.portfolio.models import (
    Innovation,
    InnovationReplication,
    Project,
    ProjectParty,
    PublishedFigure,
)
from corridor.testing.factories import (
    InnovationFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectPartyFactory,
    PublishedFigureFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOGIN_PREFIX = "/accounts/login/"


def login(client, user):
    client.force_login(user)
    return client


def formset_data(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    """POST data of a formset: the management form, then each row's fields."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def audit_count() -> int:
    return AuditEntry.objects.count()


# --- parties of a project ------------------------------------------------------------------


@pytest.fixture
def project(enterprise):
    return ProjectFactory(
        title_en="Electric vans for Singapore",
        title_zh="电动货车出口新加坡",
        owner=enterprise,
        lead_side=Project.Side.CHINA,
        is_published=True,
    )


@pytest.fixture
def distributor(db):
    return OrganisationFactory(name_en="Zenith Distribution", name_zh="天顶分销", country="SG")


def party_rows(project: Project) -> list[tuple[str, str]]:
    return sorted(
        (p.organisation.name_en, p.role)
        for p in ProjectParty.objects.filter(project=project).select_related("organisation")
    )


def test_owner_sets_the_parties_and_the_leading_side_follows(
    client, owner, project, enterprise, other_enterprise
):
    """On a project not yet published, the owner's change applies at once."""
    Project.objects.filter(pk=project.pk).update(is_published=False)
    ProjectPartyFactory(project=project, organisation=enterprise, role="initiator")
    url = reverse("portfolio:project_parties", args=[project.pk])
    login(client, owner)
    data = formset_data(
        "parties",
        [
            {"organisation": str(enterprise.pk), "role": "initiator"},
            {"organisation": str(other_enterprise.pk), "role": "initiator"},
            {"organisation": str(other_enterprise.pk), "role": "investor"},
        ],
        initial=1,
    )
    data["version"] = project.version
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio:project_detail", args=[project.pk])
    assert party_rows(project) == [
        ("Motorway Group", "initiator"),
        ("Motorway Group", "investor"),
        ("Qingling Motors", "initiator"),
    ]
    project.refresh_from_db()
    assert project.lead_side == Project.Side.JOINT
    page = client.get(response["Location"]).text
    assert "The parties were saved." in page
    assert "<dt>Leading side</dt><dd>both sides</dd>" in page
    entry = AuditEntry.objects.filter(summary="Parties changed").get()
    assert entry.actor == owner
    assert entry.changes == {
        "parties": [
            [f"{enterprise.pk}:initiator"],
            sorted(
                [
                    f"{enterprise.pk}:initiator",
                    f"{other_enterprise.pk}:initiator",
                    f"{other_enterprise.pk}:investor",
                ]
            ),
        ]
    }


def test_a_row_marked_remove_is_taken_out(client, admin_user, project, enterprise, distributor):
    ProjectPartyFactory(project=project, organisation=enterprise, role="initiator")
    ProjectPartyFactory(project=project, organisation=distributor, role="counterpart")
    data = formset_data(
        "parties",
        [
            {"organisation": str(enterprise.pk), "role": "initiator", "DELETE": "on"},
            {"organisation": str(distributor.pk), "role": "counterpart"},
            {"organisation": "", "role": ""},  # the blank row: adds nothing
        ],
        initial=2,
    )
    data["version"] = project.version
    response = login(client, admin_user).post(
        reverse("portfolio:project_parties", args=[project.pk]), data
    )
    assert response.status_code == 302
    assert party_rows(project) == [("Zenith Distribution", "counterpart")]
    project.refresh_from_db()
    assert project.lead_side == Project.Side.SINGAPORE


def test_parties_page_lists_organisations_by_name_with_their_country(
    client, owner, project, enterprise, other_enterprise, distributor
):
    ProjectPartyFactory(project=project, organisation=distributor, role="investor")
    response = login(client, owner).get(reverse("portfolio:project_parties", args=[project.pk]))
    assert response.status_code == 200
    page = response.text
    names = [
        "Motorway Group (Singapore)",
        "Qingling Motors (China)",
        "Zenith Distribution (Singapore)",
    ]
    positions = [page.index(f">{name}</option>") for name in names]
    assert positions == sorted(positions)
    assert (
        f'<option value="{distributor.pk}" selected>Zenith Distribution (Singapore)</option>'
        in page
    )
    assert '<option value="investor" selected>investor</option>' in page


def test_chinese_parties_page_shows_chinese_names(client, owner, project, enterprise):
    client.cookies["django_language"] = "zh-hans"
    page = login(client, owner).get(reverse("portfolio:project_parties", args=[project.pk])).text
    option = re.search(rf'<option value="{enterprise.pk}">([^<]*)</option>', page).group(1)
    assert option.startswith("庆铃汽车")
    assert "中国" in option
    assert "Qingling Motors" not in option


def test_duplicate_party_rows_are_refused_naming_the_rows(
    client, owner, project, enterprise, other_enterprise
):
    ProjectPartyFactory(project=project, organisation=enterprise, role="initiator")
    before, entries = party_rows(project), audit_count()
    data = formset_data(
        "parties",
        [
            {"organisation": str(enterprise.pk), "role": "initiator"},
            {"organisation": str(other_enterprise.pk), "role": "investor"},
            {"organisation": str(enterprise.pk), "role": "initiator"},
        ],
        initial=1,
    )
    response = login(client, owner).post(
        reverse("portfolio:project_parties", args=[project.pk]), data
    )
    assert response.status_code == 200
    assert (
        "Rows 1 and 3 both name Qingling Motors as initiator; remove one of the two rows."
        in response.text
    )
    assert party_rows(project) == before
    assert audit_count() == entries
    project.refresh_from_db()
    assert project.lead_side == Project.Side.CHINA


def test_a_party_row_without_a_role_shows_the_field_error(client, owner, project, enterprise):
    data = formset_data("parties", [{"organisation": str(enterprise.pk), "role": ""}])
    response = login(client, owner).post(
        reverse("portfolio:project_parties", args=[project.pk]), data
    )
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert party_rows(project) == []
    assert audit_count() == 0


@pytest.mark.parametrize("person", ["outsider", "member_of_no_organisation"])
def test_others_cannot_set_parties(client, request, person, project, enterprise, other_enterprise):
    """Taking part in a project (the outsider's organisation is a party) does not let a
    member change it: only the organisation that recorded it, and the administration."""
    if person == "outsider":
        user = request.getfixturevalue("outsider")
    else:
        user = UserFactory(username="loner")
    ProjectPartyFactory(project=project, organisation=enterprise, role="initiator")
    ProjectPartyFactory(project=project, organisation=other_enterprise, role="counterpart")
    url = reverse("portfolio:project_parties", args=[project.pk])
    login(client, user)
    assert client.get(url).status_code == 403
    data = formset_data("parties", [{"organisation": str(other_enterprise.pk), "role": "investor"}])
    response = client.post(url, data)
    assert response.status_code == 403
    assert "You can only change projects your organisation recorded." in response.text
    assert party_rows(project) == [
        ("Motorway Group", "counterpart"),
        ("Qingling Motors", "initiator"),
    ]
    project.refresh_from_db()
    assert project.lead_side == Project.Side.CHINA
    assert audit_count() == 0


def test_anonymous_is_sent_to_log_in_to_set_parties(client, project, other_enterprise):
    url = reverse("portfolio:project_parties", args=[project.pk])
    response = client.post(
        url,
        formset_data("parties", [{"organisation": str(other_enterprise.pk), "role": "investor"}]),
    )
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_PREFIX)
    assert party_rows(project) == []


def test_edit_parties_link_only_for_those_who_may_change(client, owner, outsider, project):
    url = reverse("portfolio:project_detail", args=[project.pk])
    link = reverse("portfolio:project_parties", args=[project.pk])
    assert link in login(client, owner).get(url).text
    assert link not in login(client, outsider).get(url).text


# --- institutional innovations -------------------------------------------------------------


def innovation_data(**changes) -> dict:
    data = {
        "title_en": "Cross-border financing for enterprises",
        "title_zh": "跨境融资",
        "description_en": "Enterprises in Chongqing borrow from Singapore banks.",
        "description_zh": "重庆企业向新加坡银行融资。",
        "category": "finance",
        "adopted_on": "2018-05-02",
        "is_published": "on",
        "source_url": "https://example.org/financing",
        "source_checked_on": "2026-11-01",
    }
    data.update(changes)
    return data


def test_facilitator_records_an_innovation_with_replications(
    client, facilitator, administration, other_enterprise
):
    board = OrganisationFactory(name_en="Economic Development Board", kind="agency", country="SG")
    page = login(client, facilitator).get(reverse("portfolio:innovation_create")).text
    assert f'<option value="{board.pk}">Economic Development Board (Singapore)</option>' in page
    assert f'<option value="{other_enterprise.pk}">' not in page  # enterprises are not agencies
    data = innovation_data(agencies=[str(administration.pk), str(board.pk)])
    data.update(
        formset_data(
            "replications",
            [
                {
                    "place_en": "Chengdu",
                    "place_zh": "成都",
                    "country": "CN",
                    "replicated_on": "2019-03-01",
                },
                {"place_en": "", "place_zh": "", "country": "CN", "replicated_on": ""},  # blank row
            ],
        )
    )
    response = login(client, facilitator).post(reverse("portfolio:innovation_create"), data)
    innovation = Innovation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio:innovation_detail", args=[innovation.pk])
    assert (innovation.title_en, innovation.title_zh) == (
        "Cross-border financing for enterprises",
        "跨境融资",
    )
    assert innovation.description_zh == "重庆企业向新加坡银行融资。"
    assert innovation.category == "finance"
    assert innovation.adopted_on == datetime.date(2018, 5, 2)
    assert innovation.is_published is True
    assert innovation.source_url == "https://example.org/financing"
    assert innovation.source_checked_on == datetime.date(2026, 11, 1)
    assert sorted(a.name_en for a in innovation.agencies.all()) == [
        "CCI Administration Bureau",
        "Economic Development Board",
    ]
    assert list(
        innovation.replications.values_list("place_en", "place_zh", "country", "replicated_on")
    ) == [("Chengdu", "成都", "CN", datetime.date(2019, 3, 1))]
    entries = AuditEntry.objects.filter(target_id=str(innovation.pk)).order_by("id")
    assert [(e.action, e.actor) for e in entries] == [
        ("create", facilitator),
        ("update", facilitator),
    ]
    assert entries[0].changes["title_en"] == [None, "Cross-border financing for enterprises"]
    assert entries[1].changes == {"replications": [[], ["Chengdu · 成都 · CN · 2019-03-01"]]}
    page = client.get(response["Location"]).text
    assert "The innovation was saved." in page
    assert '<li>Chengdu <span class="muted">(China, 2019-03-01)</span></li>' in page


def test_admin_edits_an_innovation_and_its_replications(client, admin_user):
    innovation = InnovationFactory(title_en="Single window", title_zh="单一窗口", category="trade")
    InnovationReplication.objects.create(
        innovation=innovation, place_en="Chengdu", place_zh="成都", country="CN"
    )
    InnovationReplication.objects.create(
        innovation=innovation, place_en="Xi'an", place_zh="西安", country="CN"
    )
    url = reverse("portfolio:innovation_edit", args=[innovation.pk])
    login(client, admin_user)
    page = client.get(url).text
    assert 'value="Single window"' in page and 'value="Chengdu"' in page
    data = innovation_data(
        title_en="Single window for trade", title_zh="单一窗口", category="trade"
    )
    data.update(
        formset_data(
            "replications",
            [
                {"place_en": "Chengdu", "place_zh": "成都", "country": "CN", "replicated_on": ""},
                {
                    "place_en": "Xi'an",
                    "place_zh": "西安",
                    "country": "CN",
                    "replicated_on": "",
                    "DELETE": "on",
                },
                {
                    "place_en": "Singapore",
                    "place_zh": "新加坡",
                    "country": "SG",
                    "replicated_on": "2020-01-15",
                },
            ],
            initial=2,
        )
    )
    data["version"] = innovation.version
    response = client.post(url, data)
    assert response.status_code == 302
    innovation.refresh_from_db()
    assert innovation.title_en == "Single window for trade"
    assert list(
        innovation.replications.order_by("place_en").values_list(
            "place_en", "country", "replicated_on"
        )
    ) == [("Chengdu", "CN", None), ("Singapore", "SG", datetime.date(2020, 1, 15))]
    update = AuditEntry.objects.get(target_id=str(innovation.pk), summary="Replications changed")
    assert update.changes == {
        "replications": [
            ["Chengdu · 成都 · CN", "Xi'an · 西安 · CN"],
            ["Chengdu · 成都 · CN", "Singapore · 新加坡 · SG · 2020-01-15"],
        ]
    }
    fields = AuditEntry.objects.get(target_id=str(innovation.pk), summary="Single window for trade")
    assert fields.changes["title_en"] == ["Single window", "Single window for trade"]


def test_an_innovation_without_a_title_shows_the_error_and_writes_nothing(client, facilitator):
    data = innovation_data(title_en="", title_zh="")
    data.update(formset_data("replications", []))
    response = login(client, facilitator).post(reverse("portfolio:innovation_create"), data)
    assert response.status_code == 200
    assert "Give the innovation a title in English or Chinese." in response.text
    assert Innovation.objects.count() == 0
    assert audit_count() == 0


def test_clearing_both_titles_of_an_innovation_is_refused(client, facilitator):
    innovation = InnovationFactory(title_en="Single window", title_zh="单一窗口")
    data = innovation_data(title_en="", title_zh="", version=innovation.version)
    data.update(formset_data("replications", []))
    response = login(client, facilitator).post(
        reverse("portfolio:innovation_edit", args=[innovation.pk]), data
    )
    assert response.status_code == 200
    assert "Give the innovation a title in English or Chinese." in response.text
    innovation.refresh_from_db()
    assert (innovation.title_en, innovation.title_zh) == ("Single window", "单一窗口")


def test_a_bad_replication_writes_neither_the_innovation_nor_its_replications(client, facilitator):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = innovation_data()
    data.update(
        formset_data(
            "replications",
            [
                {
                    "place_en": "Chengdu",
                    "place_zh": "",
                    "country": "CN",
                    "replicated_on": "2019-01-01",
                },
                {
                    "place_en": "Hanoi",
                    "place_zh": "",
                    "country": "VN",
                    "replicated_on": tomorrow.isoformat(),
                },
            ],
        )
    )
    response = login(client, facilitator).post(reverse("portfolio:innovation_create"), data)
    assert response.status_code == 200
    assert "The date of replication 2 cannot be in the future." in response.text
    assert Innovation.objects.count() == 0
    assert InnovationReplication.objects.count() == 0
    assert audit_count() == 0


def test_a_replication_without_a_place_shows_the_field_error(client, facilitator):
    data = innovation_data()
    data.update(
        formset_data(
            "replications",
            [{"place_en": "", "place_zh": "", "country": "SG", "replicated_on": "2020-01-01"}],
        )
    )
    response = login(client, facilitator).post(reverse("portfolio:innovation_create"), data)
    assert response.status_code == 200
    assert "Give the place in English or Chinese." in response.text
    assert Innovation.objects.count() == 0


@pytest.mark.parametrize("person", ["owner", "outsider"])
def test_members_cannot_record_or_edit_innovations(client, request, person):
    innovation = InnovationFactory(title_en="Single window", is_published=True)
    InnovationReplication.objects.create(innovation=innovation, place_en="Chengdu", country="CN")
    login(client, request.getfixturevalue(person))
    data = innovation_data()
    data.update(formset_data("replications", []))
    for url in (
        reverse("portfolio:innovation_create"),
        reverse("portfolio:innovation_edit", args=[innovation.pk]),
    ):
        assert client.get(url).status_code == 403
        response = client.post(url, data)
        assert response.status_code == 403
        assert (
            "Only the initiative&#x27;s administrators and facilitators record innovations."
            in response.text
        )
    innovation.refresh_from_db()
    assert innovation.title_en == "Single window"
    assert Innovation.objects.count() == 1
    assert list(InnovationReplication.objects.values_list("place_en", flat=True)) == ["Chengdu"]
    assert audit_count() == 0


def test_anonymous_is_sent_to_log_in_to_record_an_innovation(client):
    innovation = InnovationFactory(title_en="Single window")
    for url in (
        reverse("portfolio:innovation_create"),
        reverse("portfolio:innovation_edit", args=[innovation.pk]),
    ):
        response = client.post(url, innovation_data())
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_PREFIX)
    innovation.refresh_from_db()
    assert innovation.title_en == "Single window"
    assert Innovation.objects.count() == 1


def test_innovation_links_only_for_administration(client, facilitator, owner):
    innovation = InnovationFactory(is_published=True)
    create = reverse("portfolio:innovation_create")
    edit = reverse("portfolio:innovation_edit", args=[innovation.pk])
    list_url = reverse("portfolio:innovation_list")
    detail_url = reverse("portfolio:innovation_detail", args=[innovation.pk])
    login(client, facilitator)
    assert "Record an innovation" in client.get(list_url).text
    assert edit in client.get(detail_url).text
    login(client, owner)
    assert create not in client.get(list_url).text
    assert edit not in client.get(detail_url).text


def test_replication_service_refuses_members_and_repeated_places(owner, facilitator):
    innovation = InnovationFactory()
    place = services.ReplicationInput(place_en="Chengdu", country="CN")
    with pytest.raises(PermissionDenied):
        services.innovation_set_replications(
            actor=owner, innovation=innovation, replications=[place]
        )
    with pytest.raises(services.ValidationError) as refused:
        services.innovation_set_replications(
            actor=facilitator,
            innovation=innovation,
            replications=[place, services.ReplicationInput(place_en="chengdu ", country="cn")],
        )
    assert refused.value.message_dict == {
        "place_en": ["Replications 1 and 2 name the same place; remove one of them."]
    }
    with pytest.raises(services.ValidationError) as refused:
        services.innovation_set_replications(
            actor=facilitator,
            innovation=innovation,
            replications=[services.ReplicationInput(place_en="Atlantis", country="XX")],
        )
    assert refused.value.message_dict == {
        "country": [
            "The country of replication 1, “XX”, is not an ISO 3166 country code; use a code "
            "such as CN or SG."
        ]
    }
    assert InnovationReplication.objects.count() == 0
    assert audit_count() == 0


# --- published figures ---------------------------------------------------------------------


def figure_data(**changes) -> dict:
    data = {
        "metric": "project_value_usd",
        "qualifier": "at_least",
        "value": "26000000000",
        "as_of": "2025-11-07",
        "kinds": ["g2b", "g2g"],
        "scope_en": "Government and commercial projects",
        "scope_zh": "政府和商业合作项目",
        "publisher": "People's Daily",
        "source_url": "http://en.people.cn/n3/2025/1107/c90000-20388001.html",
        "checked_on": "2026-11-28",
    }
    data.update(changes)
    return data


def test_admin_records_a_published_figure(client, admin_user):
    response = login(client, admin_user).post(reverse("portfolio:figure_create"), figure_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio:figure_list")
    figure = PublishedFigure.objects.get()
    assert figure.metric == "project_value_usd"
    assert figure.qualifier == "at_least"
    assert figure.value == Decimal("26000000000")
    assert figure.as_of == datetime.date(2025, 11, 7)
    assert figure.kinds == ["g2g", "g2b"]  # in the order of the project kinds
    assert (figure.scope_en, figure.scope_zh) == (
        "Government and commercial projects",
        "政府和商业合作项目",
    )
    assert figure.publisher == "People's Daily"
    assert figure.source_url == "http://en.people.cn/n3/2025/1107/c90000-20388001.html"
    assert figure.checked_on == datetime.date(2026, 11, 28)
    entry = AuditEntry.objects.get(target_id=str(figure.pk), action="create")
    assert entry.actor == admin_user
    assert entry.changes["value"] == [None, "26000000000"]
    page = client.get(response["Location"]).text
    assert "The published figure was saved." in page
    assert reverse("portfolio:figure_edit", args=[figure.pk]) in page


def test_admin_edits_a_published_figure_no_kinds_means_all(client, admin_user):
    figure = PublishedFigureFactory(kinds=["commercial"], value=Decimal("347"))
    url = reverse("portfolio:figure_edit", args=[figure.pk])
    login(client, admin_user)
    assert 'value="347.00"' in client.get(url).text or 'value="347"' in client.get(url).text
    data = figure_data(
        metric="project_count", qualifier="exact", value="350", checked_on="", version="1"
    )
    del data["kinds"]
    response = client.post(url, data)
    assert response.status_code == 302
    figure.refresh_from_db()
    assert (figure.value, figure.kinds, figure.checked_on) == (Decimal("350"), [], None)
    entry = AuditEntry.objects.get(target_id=str(figure.pk), action="update")
    assert entry.changes["value"] == ["347.00", "350"]
    assert entry.changes["kinds"] == [["commercial"], []]


def test_a_figure_without_a_source_or_with_a_negative_value_writes_nothing(client, admin_user):
    response = login(client, admin_user).post(
        reverse("portfolio:figure_create"), figure_data(source_url="", value="-5")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["source_url"] == ["This field is required."]
    assert form.errors["value"] == ["Ensure this value is greater than or equal to 0."]
    assert "Ensure this value is greater than or equal to 0." in response.text
    assert PublishedFigure.objects.count() == 0
    assert audit_count() == 0


@pytest.mark.parametrize("person", ["facilitator", "owner", "outsider"])
def test_only_administrators_record_published_figures(client, request, person):
    figure = PublishedFigureFactory(value=Decimal("347"))
    login(client, request.getfixturevalue(person))
    for url in (
        reverse("portfolio:figure_create"),
        reverse("portfolio:figure_edit", args=[figure.pk]),
    ):
        assert client.get(url).status_code == 403
        response = client.post(url, figure_data(value="1"))
        assert response.status_code == 403
        assert (
            "Only the initiative&#x27;s administrators record published figures." in response.text
        )
    figure.refresh_from_db()
    assert figure.value == Decimal("347")
    assert PublishedFigure.objects.count() == 1
    assert audit_count() == 0
    page = client.get(reverse("portfolio:figure_list")).text
    assert "Record a published figure" not in page
    assert reverse("portfolio:figure_edit", args=[figure.pk]) not in page


def test_anonymous_is_sent_to_log_in_to_record_a_figure(client):
    figure = PublishedFigureFactory(value=Decimal("347"))
    for url in (
        reverse("portfolio:figure_create"),
        reverse("portfolio:figure_edit", args=[figure.pk]),
    ):
        response = client.post(url, figure_data(value="1"))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_PREFIX)
    figure.refresh_from_db()
    assert figure.value == Decimal("347")
    assert PublishedFigure.objects.count() == 1


def test_edit_page_lists_the_chosen_agencies_first(client, facilitator, other_enterprise):
    board = OrganisationFactory(name_en="Economic Development Board", kind="agency", country="SG")
    innovation = InnovationFactory()
    innovation.agencies.set([other_enterprise])
    page = (
        login(client, facilitator)
        .get(reverse("portfolio:innovation_edit", args=[innovation.pk]))
        .text
    )
    chosen = f'<option value="{other_enterprise.pk}" selected>Motorway Group (Singapore)</option>'
    assert chosen in page
    assert page.index(chosen) < page.index(f'<option value="{board.pk}">')
