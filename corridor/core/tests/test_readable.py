"""Everything readable, in both languages: histories name people and organisations (never
ids), in the reader's language and date format, and never name staff to anonymous visitors;
cities and currencies in Chinese on Chinese pages; only real currencies offered; names that
end with a stop end a sentence with one stop."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from corridor.core.actors import SYSTEM
from corridor.core.models import AuditEntry
from corridor.core.text import one_stop
from corridor.directory import services as directory
from corridor.events import services as events
from corridor.portfolio import services
from corridor.portfolio.forms import ProjectForm
from corridor.portfolio.services import PartyInput
from corridor.testing.factories import OrganisationFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

AT = timezone.make_aware(datetime.datetime(2026, 3, 9, 14, 5))


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def history_of(response) -> str:
    page = response.content.decode()
    section = page[page.index('<section class="audit-log"') :]
    text = re.sub(r"<[^>]+>", " ", section[: section.index("</section>")])
    return unescape(re.sub(r"\s+", " ", text)).replace(" :", ":")


def in_chinese(client):
    client.cookies["django_language"] = "zh-hans"
    return client


@pytest.fixture
def project_with_parties(enterprise, other_enterprise, owner, admin_user):
    """An unpublished project whose owner changed its parties, then published by an
    administrator: two entries, by a member and by the initiative's staff."""
    project = ProjectFactory(owner=enterprise, is_published=False, title_en="Electric vans")
    services.project_set_parties(
        actor=owner, project=project, parties=[PartyInput(enterprise, "initiator")]
    )
    project.refresh_from_db()
    services.project_set_parties(
        actor=owner,
        project=project,
        parties=[PartyInput(enterprise, "initiator"), PartyInput(other_enterprise, "investor")],
    )
    project.refresh_from_db()
    services.project_publish(actor=admin_user, project=project, published=True)
    AuditEntry.objects.update(at=AT)
    return project


def test_a_history_names_the_parties_and_their_roles_not_ids(
    client, project_with_parties, owner, enterprise, other_enterprise
):
    client.force_login(owner)
    url = reverse("portfolio:project_detail", args=[project_with_parties.pk])
    history = history_of(client.get(url))
    assert "project parties: — → Qingling Motors (initiator)" in history
    assert "project parties: — → Motorway Group (investor)" in history
    assert f"{enterprise.pk}:initiator" not in history
    assert f"{other_enterprise.pk}:investor" not in history
    assert "updated — Parties changed" in history
    assert "March 9, 2026, 2:05 p.m." in history
    assert "Olivia Owner" in history and "Ada Admin" in history

    chinese = history_of(in_chinese(client).get(url))
    assert "项目参与方: — → 摩托威集团 (投资方)" in chinese
    assert "参与方已变更" in chinese and "Parties changed" not in chinese
    assert "2026年3月9日 14:05" in chinese
    assert "王主" in chinese and "Olivia Owner" not in chinese


def test_anonymous_visitors_see_organisations_and_initiative_staff_never_names(
    client, project_with_parties
):
    url = reverse("portfolio:project_detail", args=[project_with_parties.pk])
    page = text_of(client.get(url))
    history = history_of(client.get(url))
    assert "Olivia Owner" not in page and "Ada Admin" not in page
    assert "Qingling Motors updated — Parties changed" in history
    assert "initiative staff changed publication" in history
    chinese = history_of(in_chinese(client).get(url))
    assert "王主" not in chinese and "管理员" not in chinese
    assert "庆铃汽车" in chinese


def test_the_status_history_does_not_name_staff_to_anonymous_visitors(
    client, enterprise, admin_user
):
    project = ProjectFactory(owner=enterprise, is_published=True, status="signed")
    services.project_transition(
        actor=admin_user,
        project=project,
        to_status="in_progress",
        on=datetime.date(2026, 1, 5),
        reason="Works started",
    )
    url = reverse("portfolio:project_detail", args=[project.pk])
    anonymous = text_of(client.get(url))
    assert "Ada Admin" not in anonymous
    assert "Works started initiative staff" in anonymous
    client.force_login(admin_user)
    assert "Works started Ada Admin" in text_of(client.get(url))


def test_currency_choices_are_real_currencies_and_keep_a_stored_one(enterprise):
    codes = {code for code, _label in ProjectForm(owners=[enterprise]).fields["currency"].choices}
    assert {"CNY", "SGD", "USD", "EUR"} <= codes
    for fund_or_metal in ("BOV", "CLF", "CHE", "USN", "UYI", "XAU", "XAG", "XDR", "XTS", "XXX"):
        assert fund_or_metal not in codes
    gold = ProjectFactory(owner=enterprise, currency="XAU")
    kept = ProjectForm(project=gold, initial={"currency": "XAU"}).fields["currency"].choices
    assert ("XAU", "XAU — Gold") in kept


def test_a_chinese_project_page_names_the_currency_in_chinese(client, enterprise):
    yuan = ProjectFactory(owner=enterprise, currency="CNY", value=1000, value_usd=None)
    dollars = ProjectFactory(owner=enterprise, currency="SGD", value=1000, value_usd=None)
    in_chinese(client)
    assert "人民币" in text_of(client.get(reverse("portfolio:project_detail", args=[yuan.pk])))
    assert "新加坡元" in text_of(client.get(reverse("portfolio:project_detail", args=[dollars.pk])))


def test_cities_read_in_chinese_on_chinese_pages(client, enterprise, other_enterprise):
    for organisation in (enterprise, other_enterprise):
        directory.profile_save(
            actor=SYSTEM, organisation=organisation, description_en="Vans", offers="Vans"
        )
    chongqing = reverse("directory:profile_detail", args=[enterprise.profile.pk])
    assert "Chongqing" in text_of(client.get(chongqing))
    in_chinese(client)
    assert "城市 重庆" in text_of(client.get(chongqing))
    listing = text_of(client.get(reverse("directory:profile_list")))
    assert "新加坡" in listing and "重庆" in listing
    assert "Chongqing" not in listing


def test_a_name_ending_with_a_stop_ends_a_sentence_with_one_stop(client, owner):
    ltd = OrganisationFactory(name_en="Orchid Line Motors Pte. Ltd.", country="SG")
    owner.memberships.create(organisation=ltd)
    client.force_login(owner)
    page = text_of(client.get(reverse("directory:profile_create") + f"?organisation={ltd.pk}"))
    assert "Ltd.." not in page
    assert one_stop("You declined to meet Orchid Line Motors Pte. Ltd..") == (
        "You declined to meet Orchid Line Motors Pte. Ltd."
    )
    assert one_stop("Wait... then go.") == "Wait... then go."


def test_a_message_naming_a_company_ending_in_a_stop_has_one_stop(client, owner, enterprise):
    ltd = OrganisationFactory(name_en="Orchid Line Motors Pte. Ltd.", country="SG")
    for organisation in (enterprise, ltd):
        directory.profile_save(
            actor=SYSTEM, organisation=organisation, description_en="Vans", offers="Vans"
        )
    client.force_login(owner)
    response = client.post(
        reverse("directory:connection_request", args=[ltd.profile.pk]),
        {"from_profile": enterprise.profile.pk, "message": "Hello"},
        follow=True,
    )
    page = text_of(response)
    assert "Your request was sent to Orchid Line Motors Pte. Ltd. Their answer" in page
    assert "Ltd.." not in page


def test_anonymous_visitors_do_not_see_when_participants_cannot_meet(
    client, enterprise, other_enterprise, owner
):
    event = events.event_create(
        actor=SYSTEM,
        organiser=other_enterprise,
        title_en="Matchmaking Day",
        title_zh="对接洽谈日",
        venue_en="",
        venue_zh="",
        slot_minutes=20,
        tables=2,
        sessions=[(datetime.date(2026, 3, 10), "am", datetime.time(9), datetime.time(10))],
        is_published=True,
    )
    events.participant_add(actor=SYSTEM, event=event, organisation=enterprise, blocked_slots=[1])
    url = reverse("events:event_detail", args=[event.pk])
    anonymous = text_of(client.get(url))
    assert "Qingling Motors" in anonymous
    assert "Unavailable" not in anonymous and "09:20" not in anonymous
    outsider = UserFactory(username="outsider", name_en="Otto Outsider")
    outsider.memberships.create(organisation=OrganisationFactory(name_en="Third Co"))
    client.force_login(outsider)
    assert "Unavailable" not in text_of(client.get(url))
    api = client.get(f"/api/events/{event.pk}/participants").json()
    assert [p["unavailable_slots"] for p in api] == [None]
    client.force_login(owner)
    member = text_of(client.get(url))
    assert "Unavailable" in member and "09:20–09:40" in member
    assert [
        p["unavailable_slots"] for p in client.get(f"/api/events/{event.pk}/participants").json()
    ] == [[2]]
