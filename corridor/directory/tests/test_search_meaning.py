"""A search in one language also finds profiles written in the other, by meaning; members-only
profiles stay out of it for visitors."""

import pytest
from django.urls import reverse

from corridor.directory import services
from corridor.directory.tasks import profile_embed_all
from corridor.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def profile(name: str, visibility: str = "public", **texts):
    organisation = OrganisationFactory(name_en=name, kind="enterprise", country="SG")
    return services.profile_save(
        actor=None, organisation=organisation, visibility=visibility, languages=["en"], **texts
    )


def test_a_chinese_search_finds_an_english_profile_by_meaning_but_not_a_members_only_one(client):
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

    response = client.get(reverse("directory:profile_list"), {"q": "冷链物流"})

    html = response.content.decode()
    assert response.context["page_obj"].paginator.count == 0  # no shared characters
    shown = [p.pk for p in response.context["meaning"]]
    assert shown[0] == cold.pk
    assert hidden.pk not in shown and "Frostline" not in html
    assert unrelated.pk not in shown
    assert 'id="close-in-meaning"' in html
