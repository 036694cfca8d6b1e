"""The directory pages, walked by each person: what anonymous visitors, people outside the
initiative and members see (hidden profiles answer 404); search and filters; editing with a
bad value keeps what was typed and saves nothing; refused actions answer 403 and change
nothing; a connection request travels from one enterprise to the other; feedback reshapes
the recommendations page; the list page keeps a fixed number of queries."""

import re

import pytest
from django.urls import reverse

from corridor.accounts.models import Membership
from corridor.core.actors import SYSTEM
from corridor.directory import embeddings, services
from corridor.directory.models import Connection, Feedback, Profile
from corridor.testing.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

VANS = {
    "description_en": "Electric light commercial vans made in Chongqing.",
    "description_zh": "重庆的电动商用车制造商，生产轻型厢式货车。",
    "offers": "Electric light vans\n车队维修培训",
    "needs": "Distributors in Singapore\nTrade finance in SGD",
    "target_markets": ["SG", "MY"],
    "languages": ["en", "zh"],
    "sectors": ["manufacturing"],
}
FINANCE = {
    "description_en": "Trade finance for companies trading between Singapore and China.",
    "offers": "Cross-border trade finance in SGD and RMB",
    "needs": "Chinese manufacturers that export to South-east Asia",
    "target_markets": ["CN"],
    "languages": ["en"],
    "sectors": ["financial-services"],
}


def profile_for(organisation, **fields) -> Profile:
    return services.profile_save(actor=SYSTEM, organisation=organisation, **fields)


@pytest.fixture
def vans(enterprise, owner, colleague):
    return profile_for(enterprise, contacts=[owner], **VANS)


@pytest.fixture
def finance(other_enterprise, outsider):
    return profile_for(other_enterprise, **FINANCE)


@pytest.fixture
def hidden_clinic(db):
    """A members-only profile."""
    clinic = OrganisationFactory(
        name_en="Lion City Clinic", name_zh="狮城诊所", country="SG", city="Singapore"
    )
    return profile_for(
        clinic,
        description_en="Private clinic looking for medical device suppliers.",
        needs="Portable ultrasound scanners",
        sectors=["health"],
        visibility=Profile.Visibility.MEMBERS,
    )


@pytest.fixture
def loner(db):
    """A person with an account but no organisation: outside the initiative."""
    return UserFactory(username="loner")


def get(client, user, url, **params):
    if user is not None:
        client.force_login(user)
    return client.get(url, params)


def listed(response) -> list[str]:
    """The English names of the enterprises on a directory page, in order."""
    return re.findall(
        r'<h2><a href="/directory/\d+/">([^<]+)</a></h2>', section(response, "profile-list")
    )


def section(response, element_id: str) -> str:
    """The inside of the element with this id (nested elements of its kind included)."""
    html = response if isinstance(response, str) else response.content.decode()
    opening = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>', html)
    if opening is None:
        return ""
    tag, depth, start = opening.group(1), 1, opening.end()
    for match in re.finditer(rf"<(/?){tag}\b[^>]*>", html[start:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return html[start : start + match.start()]
    return html[start:]


def rows():
    return (
        list(Profile.objects.order_by("pk").values()),
        list(Connection.objects.order_by("pk").values()),
        list(Feedback.objects.order_by("pk").values()),
        list(Profile.contacts.through.objects.order_by("pk").values()),
    )


# --- who sees what --------------------------------------------------------------------------


def test_anonymous_visitors_see_public_profiles_but_not_members_only_ones(
    client, vans, finance, hidden_clinic
):
    page = get(client, None, reverse("directory:profile_list"))
    assert page.status_code == 200
    assert listed(page) == ["Motorway Group", "Qingling Motors"]
    assert "2 enterprises found." in page.content.decode()

    search = get(client, None, reverse("directory:profile_list"), q="ultrasound")
    assert listed(search) == []
    assert "No enterprise matches this search" in search.content.decode()

    detail = client.get(reverse("directory:profile_detail", args=[hidden_clinic.pk]))
    assert detail.status_code == 404
    assert client.get(reverse("directory:profile_detail", args=[vans.pk])).status_code == 200


def test_a_person_outside_every_organisation_is_treated_like_an_anonymous_visitor(
    client, loner, vans, hidden_clinic
):
    page = get(client, loner, reverse("directory:profile_list"))
    assert listed(page) == ["Qingling Motors"]
    assert listed(get(client, loner, reverse("directory:profile_list"), q="ultrasound")) == []
    detail = client.get(reverse("directory:profile_detail", args=[hidden_clinic.pk]))
    assert detail.status_code == 404


def test_an_initiative_member_sees_members_only_profiles_marked_as_such(
    client, outsider, vans, hidden_clinic
):
    page = get(client, outsider, reverse("directory:profile_list"), q="ultrasound")
    assert listed(page) == ["Lion City Clinic"]
    assert "members only" in section(page, "profile-list")

    detail = client.get(reverse("directory:profile_detail", args=[hidden_clinic.pk]))
    assert detail.status_code == 200
    assert "Portable ultrasound scanners" in detail.content.decode()


def test_the_profile_page_shows_every_field_in_both_languages(client, outsider, vans, owner):
    html = get(client, outsider, reverse("directory:profile_detail", args=[vans.pk])).content
    html = html.decode()
    assert "Electric light commercial vans made in Chongqing." in html
    assert "重庆的电动商用车制造商，生产轻型厢式货车。" in html
    assert re.findall(r"<li>([^<]+)</li>", section(html, "offers")) == [
        "Electric light vans",
        "车队维修培训",
    ]
    assert "Malaysia, Singapore" in section(html, "target-markets")
    assert re.search(r"Working languages</dt><dd>English, Chinese</dd>", html)
    assert "Olivia Owner" in html and "王主" in html
    assert "not verified" in html
    # an outsider does not act for the profile: no edit link, no history
    assert reverse("directory:profile_edit", args=[vans.pk]) not in html
    assert "History" not in html


def test_members_of_the_enterprise_see_its_edit_links_and_history(client, colleague, vans):
    html = get(client, colleague, reverse("directory:profile_detail", args=[vans.pk]))
    html = html.content.decode()
    assert reverse("directory:profile_edit", args=[vans.pk]) in html
    assert reverse("directory:recommendations", args=[vans.pk]) in html
    assert "History" in html
    # nobody asks their own enterprise to connect
    assert reverse("directory:connection_request", args=[vans.pk]) not in html


# --- search and filters ---------------------------------------------------------------------


def test_search_finds_a_chinese_word_inside_chinese_text_and_english_words_in_any_case(
    client, vans, finance
):
    url = reverse("directory:profile_list")
    assert listed(get(client, None, url, q="厢式货车")) == ["Qingling Motors"]
    assert listed(get(client, None, url, q="维修")) == ["Qingling Motors"]
    assert listed(get(client, None, url, q="TRADE Finance")) == [
        "Motorway Group",
        "Qingling Motors",
    ]
    assert listed(get(client, None, url, q="rmb")) == ["Motorway Group"]


def test_filters_by_sector_country_and_city(client, vans, finance):
    url = reverse("directory:profile_list")
    assert listed(get(client, None, url, sector="manufacturing")) == ["Qingling Motors"]
    assert listed(get(client, None, url, sector="financial-services")) == ["Motorway Group"]
    assert listed(get(client, None, url, country="CN")) == ["Qingling Motors"]
    assert listed(get(client, None, url, country="SG")) == ["Motorway Group"]
    assert listed(get(client, None, url, city="Chongqing")) == ["Qingling Motors"]
    assert listed(get(client, None, url, city="Singapore", sector="manufacturing")) == []


def test_verified_only_shows_profiles_the_administration_verified(client, vans, finance):
    services.profile_verify(actor=SYSTEM, profile=finance)
    page = get(client, None, reverse("directory:profile_list"), verified="on")
    assert listed(page) == ["Motorway Group"]
    assert '<span class="badge verified">verified</span>' in section(page, "profile-list")


def test_the_list_page_makes_the_same_number_of_queries_for_3_and_for_20_profiles(
    client, owner, vans, django_assert_num_queries
):
    def add(n):
        for _ in range(n):
            profile_for(
                OrganisationFactory(),
                description_en="A maker of things.",
                offers="Things\nMore things",
                sectors=["ict", "trade"],
            )

    client.force_login(owner)
    url = reverse("directory:profile_list")
    add(2)
    client.get(url)  # the session and the sectors warm up
    with django_assert_num_queries(13):  # 12, and the unread notifications in the header
        page = client.get(url)
    assert len(listed(page)) == 3
    add(17)
    with django_assert_num_queries(13):
        page = client.get(url)
    assert len(listed(page)) == 20


# --- the "my enterprise" box ----------------------------------------------------------------


def test_the_directory_takes_a_member_to_their_profile_or_to_creating_it(
    client, owner, outsider, vans
):
    mine = section(get(client, owner, reverse("directory:profile_list")), "my-enterprise")
    assert reverse("directory:recommendations", args=[vans.pk]) in mine

    theirs = get(client, outsider, reverse("directory:profile_list")).content.decode()
    create = reverse("directory:profile_create") + f"?organisation={outsider_org(outsider)}"
    assert create in theirs


def outsider_org(user) -> int:
    return Membership.objects.get(user=user).organisation_id


# --- creating and editing -------------------------------------------------------------------


def edit_data(**changes) -> dict:
    data = {
        "version": 1,  # the profile as the fixtures save it (0: a new profile)
        "name_en": "Qingling Motors",
        "name_zh": "庆铃汽车",
        "city": "Chongqing",
        "sectors": ["manufacturing"],
        "size": "large",
        "description_en": "Electric light commercial vans made in Chongqing.",
        "description_zh": "",
        "offers": "Electric light vans\nFleet maintenance training",
        "needs": "Distributors in Singapore",
        "target_markets": ["SG"],
        "languages": ["en", "zh"],
        "visibility": "public",
        "contacts": [],
    }
    data.update(changes)
    return data


def test_a_member_edits_the_profile_and_is_told_recommendations_follow(client, owner, vans):
    client.force_login(owner)
    url = reverse("directory:profile_edit", args=[vans.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, edit_data(contacts=[owner.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("directory:profile_detail", args=[vans.pk])
    assert "Recommendations will update in a few minutes" in response.content.decode()
    vans.refresh_from_db()
    assert vans.size == "large"
    assert vans.offer_lines() == ["Electric light vans", "Fleet maintenance training"]
    assert vans.target_markets == ["SG"]
    assert list(vans.contacts.all()) == [owner]


def test_a_bad_target_market_is_named_under_its_field_and_nothing_changes(client, owner, vans):
    client.force_login(owner)
    before = rows()

    response = client.post(
        reverse("directory:profile_edit", args=[vans.pk]),
        edit_data(target_markets=["SG", "ZZ"], offers="Typed offer that must not be lost"),
    )

    assert response.status_code == 400
    html = response.content.decode()
    row = re.search(r'id="row-target_markets"(.*?)</div>', html, re.S).group(1)
    assert "“ZZ” is not a country code" in row
    assert "Typed offer that must not be lost</textarea>" in html
    assert rows() == before


def test_a_member_of_another_enterprise_cannot_edit(client, outsider, vans):
    client.force_login(outsider)
    url = reverse("directory:profile_edit", args=[vans.pk])
    before = rows()

    assert client.get(url).status_code == 403
    response = client.post(url, edit_data(size="micro"))

    assert response.status_code == 403
    assert "can change its profile." in response.content.decode()
    assert rows() == before


def test_a_member_creates_their_enterprise_profile_but_not_another_one(
    client, outsider, other_enterprise, enterprise
):
    client.force_login(outsider)
    url = reverse("directory:profile_create") + f"?organisation={other_enterprise.pk}"
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        edit_data(
            version=0,
            name_en="Motorway Group",
            name_zh="摩托威集团",
            city="Singapore",
            sectors=["trade"],
            offers="Car parts distribution",
        ),
    )

    profile = Profile.objects.get(organisation=other_enterprise)
    assert response.status_code == 302
    assert profile.offer_lines() == ["Car parts distribution"]
    refused = client.get(reverse("directory:profile_create") + f"?organisation={enterprise.pk}")
    assert refused.status_code == 403
    assert not Profile.objects.filter(organisation=enterprise).exists()


# --- verification ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "facilitator", "outsider"])
def test_only_administrators_verify(client, request, who, vans):
    client.force_login(request.getfixturevalue(who))
    before = rows()
    response = client.post(reverse("directory:profile_verify", args=[vans.pk]), {"verified": "1"})
    assert response.status_code == 403
    assert rows() == before


def test_an_administrator_verifies_and_the_page_says_who(client, admin_user, vans):
    client.force_login(admin_user)
    html = client.get(reverse("directory:profile_detail", args=[vans.pk])).content.decode()
    assert "Mark as verified" in html

    response = client.post(
        reverse("directory:profile_verify", args=[vans.pk]), {"verified": "1"}, follow=True
    )

    assert "Verified by Ada Admin on" in response.content.decode()
    assert Profile.objects.get(pk=vans.pk).verified_by == admin_user


# --- connection requests --------------------------------------------------------------------


def test_a_connection_request_is_sent_answered_and_leads_to_a_project(
    client, owner, outsider, vans, finance
):
    client.force_login(outsider)
    detail = client.get(reverse("directory:profile_detail", args=[vans.pk])).content.decode()
    assert reverse("directory:connection_request", args=[vans.pk]) in detail

    client.post(
        reverse("directory:connection_request", args=[vans.pk]),
        {"from_profile": finance.pk, "message": "We finance exports to Singapore."},
    )
    connection = Connection.objects.get()
    assert (connection.from_profile, connection.to_profile) == (finance, vans)
    after = client.get(reverse("directory:profile_detail", args=[vans.pk])).content.decode()
    assert "the answer is awaited" in after
    assert reverse("directory:connection_request", args=[vans.pk]) not in after

    client.force_login(owner)
    received = client.get(reverse("directory:connections")).content.decode()
    assert "We finance exports to Singapore." in received
    response = client.post(
        reverse("directory:connection_answer", args=[connection.pk]),
        {"accept": "1", "answer": "Happy to talk."},
        follow=True,
    )

    connection.refresh_from_db()
    assert (connection.status, connection.answer, connection.answered_by) == (
        "accepted",
        "Happy to talk.",
        owner,
    )
    html = response.content.decode()
    assert "Record a cooperation project" in html
    assert reverse("portfolio:project_create") in html
    client.force_login(outsider)
    sent = client.get(reverse("directory:connections")).content.decode()
    assert "Happy to talk." in sent and "accepted" in sent


def test_asking_twice_shows_why_and_keeps_the_message(client, outsider, vans, finance):
    services.connection_request(actor=outsider, from_profile=finance, to_profile=vans)
    client.force_login(outsider)
    before = rows()

    response = client.post(
        reverse("directory:connection_request", args=[vans.pk]),
        {"from_profile": finance.pk, "message": "Second try"},
    )

    assert response.status_code == 400
    form = section(response, "connect")
    assert "already asked to connect with this one" in form
    assert "Second try</textarea>" in form
    assert rows() == before


def test_a_person_without_an_enterprise_profile_cannot_ask_to_connect(client, loner, vans):
    client.force_login(loner)
    page = client.get(reverse("directory:profile_detail", args=[vans.pk])).content.decode()
    assert reverse("directory:connection_request", args=[vans.pk]) not in page

    response = client.post(
        reverse("directory:connection_request", args=[vans.pk]), {"message": "Hello"}
    )

    assert response.status_code == 403
    assert not Connection.objects.exists()


def test_only_the_asked_enterprise_answers_a_request(client, owner, outsider, loner, vans, finance):
    connection = services.connection_request(actor=outsider, from_profile=finance, to_profile=vans)
    before = rows()
    answer = reverse("directory:connection_answer", args=[connection.pk])

    client.force_login(outsider)  # the asking side may withdraw, not accept
    assert client.post(answer, {"accept": "1"}).status_code == 403
    client.force_login(loner)  # not a side of the request: it does not exist for them
    assert client.post(answer, {"accept": "1"}).status_code == 404
    assert (
        client.post(reverse("directory:connection_withdraw", args=[connection.pk])).status_code
        == 404
    )

    assert rows() == before


def test_the_asking_enterprise_withdraws_its_request(client, outsider, vans, finance):
    connection = services.connection_request(actor=outsider, from_profile=finance, to_profile=vans)
    client.force_login(outsider)
    client.post(reverse("directory:connection_withdraw", args=[connection.pk]))
    connection.refresh_from_db()
    assert connection.status == Connection.Status.WITHDRAWN


# --- recommendations ------------------------------------------------------------------------


@pytest.fixture
def market(vans, finance):
    """Singapore enterprises around the vans maker, embedded with the real encoder."""
    for name, fields in {
        "Lion Distributors": {
            "description_en": "Vehicle distributor in Singapore.",
            "offers": "Distribution of commercial vehicles in Singapore\nDealer network",
            "needs": "Electric vans from Chinese manufacturers",
            "sectors": ["trade"],
        },
        "Orchid Bakery": {
            "description_en": "Bakery chain.",
            "offers": "Fresh bread and pastries",
            "needs": "Flour suppliers",
            "sectors": ["agriculture-food"],
        },
    }.items():
        profile_for(OrganisationFactory(name_en=name, country="SG"), **fields)
    embeddings.profile_embed_all()


def test_recommendations_are_only_for_people_acting_for_the_profile(client, outsider, vans):
    client.force_login(outsider)
    response = client.get(reverse("directory:recommendations", args=[vans.pk]))
    assert response.status_code == 403


def test_recommendations_say_when_they_are_still_being_computed(client, owner, vans):
    client.force_login(owner)
    response = client.get(reverse("directory:recommendations", args=[vans.pk]))
    assert response.status_code == 200
    assert "being computed" in section(response, "computing")


def test_feedback_buttons_change_what_the_recommendations_page_shows(client, owner, vans, market):
    client.force_login(owner)
    url = reverse("directory:recommendations", args=[vans.pk])
    feedback = reverse("directory:feedback", args=[vans.pk])
    distributor = Profile.objects.get(organisation__name_en="Lion Distributors")

    first = client.get(url)
    shown = section(first, "recommendations")
    assert "Lion Distributors" in shown
    assert "Distribution of commercial vehicles in Singapore" in shown  # a quoted reason

    client.post(feedback, {"candidate": distributor.pk, "verdict": "not_relevant"})
    hidden = client.get(url)
    assert "Lion Distributors" not in section(hidden, "recommendations")
    assert "Lion Distributors" in section(hidden, "hidden")

    client.post(feedback, {"candidate": distributor.pk, "verdict": ""})
    back = client.get(url)
    assert "Lion Distributors" in section(back, "recommendations")
    assert "Lion Distributors" not in section(back, "hidden")

    client.post(feedback, {"candidate": distributor.pk, "verdict": "interested"})
    liked = section(client.get(url), "recommendations")
    assert "Marked as interesting" in liked
    assert Feedback.objects.get().verdict == "interested"


def test_own_country_enterprises_appear_only_when_asked_for(client, owner, vans, market):
    neighbour = OrganisationFactory(name_en="Yangtze Logistics", country="CN", city="Chongqing")
    profile_for(
        neighbour,
        description_en="Logistics.",
        offers="Distribution of electric vans in Singapore",
        sectors=["transport-logistics"],
    )
    embeddings.profile_embed_all()
    client.force_login(owner)
    url = reverse("directory:recommendations", args=[vans.pk])

    assert "Yangtze Logistics" not in section(client.get(url), "recommendations")
    assert "Yangtze Logistics" in section(client.get(url, {"own_country": "1"}), "recommendations")


def test_a_member_of_an_unrelated_organisation_cannot_mark_a_recommendation(
    client, outsider, vans, finance
):
    client.force_login(outsider)
    before = rows()
    response = client.post(
        reverse("directory:feedback", args=[vans.pk]),
        {"candidate": finance.pk, "verdict": "not_relevant"},
    )
    assert response.status_code == 403
    assert rows() == before


def test_members_only_profiles_are_not_reachable_for_a_stranger(client, loner, hidden_clinic):
    client.force_login(loner)
    url = reverse("directory:profile_edit", args=[hidden_clinic.pk])
    assert client.get(url).status_code == 404


def test_in_chinese_names_and_country_come_in_chinese_with_the_english_name_beneath(client, vans):
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("directory:profile_list"))
    card = section(page, "profile-list")
    assert f'<a href="/directory/{vans.pk}/">庆铃汽车</a>' in card
    assert '<span lang="en">Qingling Motors</span>' in card
    assert "中国" in card


def test_the_chosen_target_markets_lead_the_country_list(client, owner, vans):
    html = get(client, owner, reverse("directory:profile_edit", args=[vans.pk])).content.decode()

    markets = section(html, "id_target_markets") or html[html.index('name="target_markets"') :]
    codes = re.findall(r'<option value="([A-Z]{2})"', markets)[:3]
    assert codes == ["SG", "CN", "MY"]  # Malaysia, chosen, comes before Afghanistan
