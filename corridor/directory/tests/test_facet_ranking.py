"""Same-sector look-alikes, as a member would notice them: the offer that meets the need on
its decisive points (route, role, product, exclusions) comes first even when look-alikes in
the need's own language share its words, and the reasons say what matched and what differs,
on the page and in the API, in the reader's language. Real encoder; the cases were written
for these tests (not taken from the benchmark sets)."""

import json

import numpy as np
import pytest
from django.urls import reverse

from corridor.core.actors import SYSTEM
from corridor.directory import embeddings, matching, services
from corridor.directory.matching import Item, Query, Side, Signals
from corridor.testing.factories import OrganisationFactory


@pytest.fixture(scope="module")
def encode():
    return matching.encoder().encode


def side(encode, key, country, offers=(), needs=()):
    def items(lines):
        return tuple(Item(t, v) for t, v in zip(lines, encode(list(lines)), strict=True))

    return Side(key=key, signals=Signals(country=country), offers=items(offers), needs=items(needs))


def ranked(encode, need, need_country, offers, decisive=True):
    """Keys 1.. of `offers` ((country, line) pairs) in the order recommended for `need`."""
    me = side(encode, 0, need_country, needs=[need])
    sides = [side(encode, k, country, offers=[line]) for k, (country, line) in enumerate(offers, 1)]
    candidates = matching.Candidates(
        [s.key for s in sides],
        np.array([s.offers[0].vector for s in sides]),
        np.zeros((len(sides), matching.DIMENSIONS), np.float32),
        [s.signals for s in sides],
    )
    query = Query(side=me, offer=np.zeros(matching.DIMENSIONS, np.float32), need=me.needs[0].vector)
    by_key = {s.key: s for s in sides}
    return matching.recommend(
        query, candidates, lambda keys: {k: by_key[k] for k in keys}, decisive=decisive
    )


ROUTE = (
    "We need sea-rail freight for our machinery exports from Singapore to Chongqing, "
    "full containers.",
    "SG",
    [
        ("CN", "我们承运新加坡至重庆的海铁联运整柜货物，包括机械设备。"),
        ("CN", "Sea-rail freight of full containers from Chongqing to Singapore for machinery."),
        ("CN", "We offer LCL consolidation from Singapore to Chongqing, no full containers."),
    ],
)
ROLE = (
    "寻找新加坡的茶叶进口商，购买我们四川产的绿茶。",
    "CN",
    [
        ("SG", "We import Chinese green tea into Singapore, buying from growers in Sichuan."),
        ("SG", "我们是新加坡的茶叶生产商，寻找中国买家。"),
        ("SG", "我们向中国出口新加坡调配茶。"),
    ],
)
VEHICLE = (
    "We need a Chinese maker of electric trucks for Singapore, LTA-approved.",
    "SG",
    [
        ("CN", "我们生产纯电动卡车，可取得新加坡陆路交通管理局认可，出口新加坡。"),
        ("CN", "We make chargers for electric trucks, LTA-compliant, for export to Singapore."),
        ("CN", "We make electric trucks for the domestic market only, no exports."),
    ],
)


@pytest.mark.parametrize("case", [ROUTE, ROLE, VEHICLE], ids=["route", "role", "vehicle"])
def test_the_offer_that_meets_the_decisive_points_comes_first(encode, case):
    need, country, offers = case

    recommendations = ranked(encode, need, country, offers)

    assert recommendations[0].key == 1
    right = recommendations[0].reasons[0]
    assert right.matches and not right.differs
    for look_alike in recommendations[1:]:
        quoted = [r for r in look_alike.reasons if r.kind == matching.THEIR_OFFER_MEETS_YOUR_NEED]
        assert not quoted or quoted[0].differs


def test_without_the_facets_a_look_alike_in_the_needs_own_language_came_first(encode):
    """What the facets and the language-fair cosines change: on meaning alone the reversed
    route in the need's own language wins."""
    need, country, offers = ROUTE

    assert ranked(encode, need, country, offers, decisive=False)[0].key != 1
    assert ranked(encode, need, country, offers)[0].key == 1


# --- the page and the API ---------------------------------------------------------------------


@pytest.fixture
def cold_chain(db, enterprise, owner):
    """A Chongqing enterprise that needs frozen goods moved from Singapore to China, and two
    Singapore look-alikes: the right one, and one shipping the other way at 2-8 °C."""
    own = services.profile_save(
        actor=SYSTEM,
        organisation=enterprise,
        description_en="Frozen food importer.",
        needs="我们需要从新加坡到中国的冷冻食品冷链运输，零下18度。",
        sectors=["agriculture-food"],
    )
    for name, offer in {
        "Lion Reefers": "Reefer transport of frozen food from Singapore to China at -18 °C.",
        "Merlion Chill": "Chilled transport at 2–8 °C from China to Singapore.",
    }.items():
        services.profile_save(
            actor=SYSTEM,
            organisation=OrganisationFactory(name_en=name, country="SG", city="Singapore"),
            description_en=f"{name}.",
            offers=offer,
            sectors=["transport-logistics"],
        )
    embeddings.profile_embed_all()
    return own


def test_the_page_shows_what_matches_and_what_differs_in_each_language(client, owner, cold_chain):
    client.force_login(owner)
    url = reverse("directory:recommendations", args=[cold_chain.pk])

    english = client.get(url).content.decode()
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(url, headers={"accept-language": "zh-hans"}).content.decode()

    assert english.index("Lion Reefers") < english.index("Merlion Chill")
    assert "Matches: Singapore → China, frozen −18 °C." in english
    assert "Differs: China → Singapore, not Singapore → China, chilled 2–8 °C, not frozen" in (
        english
    )
    assert chinese.index("Lion Reefers") < chinese.index("Merlion Chill")
    assert "新加坡 → 中国" in chinese  # places in the reader's language


def test_the_api_gives_the_same_reasons(client, owner, cold_chain):
    token = services_token(owner)
    response = client.get(
        f"/api/directory/profiles/{cold_chain.pk}/recommendations",
        headers={"authorization": f"Bearer {token}"},
    )

    items = json.loads(response.content)["items"]
    names = [item["name_en"] for item in items]
    assert names.index("Lion Reefers") < names.index("Merlion Chill")
    first = " ".join(items[0]["reasons"])
    second = " ".join(items[names.index("Merlion Chill")]["reasons"])
    assert "Matches: Singapore → China" in first
    assert "Differs: China → Singapore, not Singapore → China" in second


def services_token(user) -> str:
    from corridor.directory.tests.test_api import bearer  # noqa: PLC0415 (a test helper)

    return bearer(user)["Authorization"].split(" ", 1)[1]
