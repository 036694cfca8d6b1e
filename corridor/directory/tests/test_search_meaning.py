"""A search in one language also finds profiles written in the other, by meaning, after those
that contain its words; members-only profiles stay out of it for visitors; the page and the
API list the same profiles in the same order."""

import pytest
from django.urls import reverse

from corridor.core.actors import SYSTEM
from corridor.directory import services
from corridor.directory.embeddings import profile_embed_all
from corridor.testing.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def profile(name: str, visibility: str = "public", country: str = "SG", **texts):
    organisation = OrganisationFactory(name_en=name, kind="enterprise", country=country)
    return services.profile_save(
        actor=SYSTEM, organisation=organisation, visibility=visibility, languages=["en"], **texts
    )


def listed(response) -> list[int]:
    return [p.pk for p in response.context["profiles"]]


@pytest.fixture
def both_sides():
    english = profile(
        "Straitline Capital",
        description_en="A trade-finance house.",
        offers="Cross-border trade finance for exporters and importers\nBookkeeping and tax filing",
    )
    chinese = profile(
        "Yuzhou Parts",
        country="CN",
        description_zh="汽车零部件出口企业。",
        offers="纯电动厢式货车的刹车片和离合器片",
        needs="出口订单的贸易融资\n为小企业提供记账和报税服务的会计师事务所",
    )
    unrelated = profile(
        "Orchid Florist",
        description_en="Flowers.",
        offers="Wedding bouquets and table flowers",
    )
    profile_embed_all()
    return english, chinese, unrelated


def test_a_name_in_one_language_finds_profiles_that_wrote_it_in_the_other(client, both_sides):
    english, chinese, unrelated = both_sides

    in_english = client.get(reverse("directory:profile_list"), {"q": "trade finance"})
    in_chinese = client.get(reverse("directory:profile_list"), {"q": "贸易融资"})
    van = client.get(reverse("directory:profile_list"), {"q": "electric van"})

    assert listed(in_english) == listed(in_chinese) == [english.pk, chinese.pk]  # by name
    assert "2 enterprises found." in in_chinese.content.decode()
    assert "Close in meaning" not in in_chinese.content.decode()  # both contain the words
    assert listed(van) == [chinese.pk]


def test_an_english_search_finds_a_chinese_only_profile_by_meaning_after_the_words(
    client, both_sides
):
    english, chinese, unrelated = both_sides

    response = client.get(reverse("directory:profile_list"), {"q": "bookkeeping and tax filing"})

    assert listed(response) == [english.pk, chinese.pk]
    html = response.content.decode()
    assert "2 enterprises found." in html
    assert "1 contains your words; the others say something close in meaning" in html
    assert (
        "Close in meaning:</span> “为小企业提供记账和报税服务的会计师事务所” (in Chinese)" in html
    )
    assert "Orchid Florist" not in html


def test_a_chinese_search_finds_an_english_only_profile_by_meaning(client, both_sides):
    english, chinese, unrelated = both_sides

    response = client.get(reverse("directory:profile_list"), {"q": "婚礼鲜花"})

    assert listed(response) == [unrelated.pk]
    assert "Close in meaning:</span> “Wedding bouquets and table flowers”" in (
        response.content.decode()
    )


def test_an_unrelated_search_finds_nothing_by_meaning(client, both_sides):
    response = client.get(reverse("directory:profile_list"), {"q": "天气预报"})

    assert listed(response) == []
    assert 'id="no-results"' in response.content.decode()


def test_the_other_filters_apply_to_profiles_found_by_meaning(client, both_sides):
    english, chinese, unrelated = both_sides

    in_china = client.get(
        reverse("directory:profile_list"), {"q": "bookkeeping and tax filing", "country": "CN"}
    )

    assert listed(in_china) == [chinese.pk]


def test_the_api_lists_the_same_profiles_in_the_same_order(client, both_sides):
    english, chinese, unrelated = both_sides

    answer = client.get("/api/directory/profiles", {"q": "bookkeeping and tax filing"})

    assert answer.status_code == 200
    assert answer.json()["count"] == 2
    assert [item["id"] for item in answer.json()["items"]] == [english.pk, chinese.pk]


def test_a_chinese_search_by_meaning_never_shows_a_members_only_profile_to_outsiders(client):
    cold = profile(
        "Coldarc Logistics",
        description_en="Refrigerated transport.",
        offers="Cold-chain trucking and refrigerated warehousing for frozen food",
    )
    hidden = profile(
        "Frostline Private",
        visibility="members",
        description_en="Refrigerated transport.",
        offers="Cold-chain logistics and refrigerated storage for chilled food",
    )
    unrelated = profile(
        "Ledgerly Accounting",
        description_en="Bookkeeping.",
        offers="Bookkeeping and tax filing for small companies",
    )
    profile_embed_all()
    outsider = UserFactory()  # logged in, but a member of no organisation of the initiative

    for person in (None, outsider):
        if person is not None:
            client.force_login(person)
        response = client.get(reverse("directory:profile_list"), {"q": "冷链物流"})
        api = client.get("/api/directory/profiles", {"q": "冷链物流"})

        html = response.content.decode()
        assert listed(response)[0] == cold.pk
        assert hidden.pk not in listed(response) and "Frostline" not in html
        assert unrelated.pk not in listed(response)
        assert hidden.pk not in [item["id"] for item in api.json()["items"]]


def test_the_search_page_takes_the_same_queries_for_more_profiles(client, both_sides):
    def page_queries() -> tuple[int, int, int]:
        """(queries, profiles found by words, profiles found by meaning)"""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = client.get(
                reverse("directory:profile_list"), {"q": "bookkeeping and tax filing"}
            )
        words = response.context["found_by_words"]
        return len(captured.captured_queries), words, len(listed(response)) - words

    before, *found_before = page_queries()
    assert found_before == [1, 1]
    for number in range(5):
        profile(
            f"Ledger House {number}",
            description_en="Accountants.",
            offers="Bookkeeping and tax filing for small firms",
        )
        profile(
            f"Chongqing Ledger {number}",
            country="CN",
            description_zh="会计师事务所。",
            offers="小企业记账和报税服务",
        )
    profile_embed_all()

    after, *found_after = page_queries()
    assert found_after == [6, 6] and after == before
