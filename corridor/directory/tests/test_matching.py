"""The recommender core as a member would notice it: the right counterpart first, across
languages, never one of their own country (unless asked), feedback that changes the list,
reasons that quote their own lines."""

import numpy as np
import pytest

from corridor.directory import matching
from corridor.directory.matching import Item, Query, Side, Signals


@pytest.fixture(scope="module")
def encode():
    """The real encoder, loaded once for the module."""
    return matching.encoder().encode


def side(encode, key, offers=(), needs=(), country="", sectors=(), target_markets=()):
    offer_vectors, need_vectors = encode(list(offers)), encode(list(needs))
    return Side(
        key=key,
        signals=Signals(
            country=country, sectors=frozenset(sectors), target_markets=frozenset(target_markets)
        ),
        offers=tuple(Item(text, v) for text, v in zip(offers, offer_vectors, strict=True)),
        needs=tuple(Item(text, v) for text, v in zip(needs, need_vectors, strict=True)),
    )


def vectors_of(items):
    return matching.mean_vector(np.array([item.vector for item in items]))


def query_for(me, **options):
    return Query(side=me, offer=vectors_of(me.offers), need=vectors_of(me.needs), **options)


def recommend(query, sides, **options):
    candidates = matching.Candidates(
        [s.key for s in sides],
        np.array([vectors_of(s.offers) for s in sides]),
        np.array([vectors_of(s.needs) for s in sides]),
        [s.signals for s in sides],
    )
    by_key = {s.key: s for s in sides}
    return matching.recommend(
        query, candidates, lambda keys: {k: by_key[k] for k in keys}, **options
    )


def keys(recommendations):
    return [r.key for r in recommendations]


def test_a_chinese_need_finds_its_english_offer_among_english_look_alikes(encode):
    me = side(encode, 0, needs=["寻找航空货运代理，把新鲜蔬菜空运到新加坡。"], country="CN")
    sides = [
        side(encode, 1, offers=["Sea freight of building materials to Singapore."], country="SG"),
        side(encode, 2, offers=["Air freight of fresh vegetables into Singapore."], country="SG"),
        side(encode, 3, offers=["Flights and hotels for business travellers."], country="SG"),
        side(encode, 4, offers=["Wholesale of fresh vegetables in Singapore."], country="SG"),
    ]

    recommendations = recommend(query_for(me), sides)

    assert keys(recommendations)[0] == 2
    assert sorted(keys(recommendations)) == [1, 2, 3, 4]


def test_shared_place_names_do_not_outweigh_what_is_offered(encode):
    me = side(encode, 0, needs=["需要重庆到新加坡的冷链运输，运送冷冻食品。"], country="CN")
    sides = [
        side(encode, 1, offers=["Office cleaning in Chongqing and Singapore."], country="SG"),
        side(encode, 2, offers=["Refrigerated shipping of frozen food."], country="SG"),
    ]

    assert keys(recommend(query_for(me), sides)) == [2, 1]


def test_across_border_drops_candidates_of_the_same_country(encode):
    offer = ["Cold-chain trucking of frozen food."]
    me = side(encode, 0, needs=["We need cold-chain transport for frozen food."], country="CN")
    sides = [
        side(encode, 1, offers=offer, country="CN"),
        side(encode, 2, offers=offer, country="SG"),
        side(encode, 3, offers=offer, country=""),  # unknown country: kept
    ]

    assert sorted(keys(recommend(query_for(me), sides))) == [2, 3]
    assert sorted(keys(recommend(query_for(me, across_border=False), sides))) == [1, 2, 3]


def test_excluded_candidates_are_never_recommended(encode):
    me = side(encode, 0, needs=["We need a customs broker in Singapore."], country="CN")
    sides = [
        side(encode, 1, offers=["Customs brokerage in Singapore."], country="SG"),
        side(encode, 2, offers=["Office cleaning services."], country="SG"),
    ]

    assert keys(recommend(query_for(me), sides))[0] == 1
    assert keys(recommend(query_for(me, exclude=frozenset({0, 1})), sides)) == [2]


def test_feedback_raises_candidates_like_the_liked_ones_and_lowers_the_disliked(encode):
    me = side(encode, 0, needs=["We are looking for business partners."], country="CN")
    cold_chain = side(encode, 1, offers=["Cold-chain trucking of frozen food."], country="SG")
    accounting = side(encode, 2, offers=["Accounting and tax filing for firms."], country="SG")
    sides = [cold_chain, accounting]
    refrigerated = encode(["Refrigerated transport of seafood and meat."])

    plain = {r.key: r.score for r in recommend(query_for(me), sides)}
    liked = recommend(query_for(me, liked=refrigerated), sides)
    disliked = recommend(query_for(me, disliked=refrigerated), sides)

    assert keys(liked) == [1, 2]
    assert keys(disliked) == [2, 1]
    assert {r.key: r.score for r in liked}[1] > plain[1]
    assert {r.key: r.score for r in disliked}[1] < plain[1]
    assert matching.LIKE_ONES_YOU_LIKED in [reason.kind for reason in liked[0].reasons]


def test_reasons_quote_the_lines_that_match_exactly_as_stored(encode):
    me = side(
        encode,
        0,
        offers=["  我们提供重庆至新加坡的冷链物流服务", "Chinese-English interpreting"],
        needs=["Office furniture for our new branch", "需要新加坡的清关代理。"],
        country="CN",
        sectors=["transport-logistics"],
        target_markets=["SG"],
    )
    partner = side(
        encode,
        1,
        offers=["Software testing", "Customs clearance agent in Singapore."],
        needs=["We need cold-chain shipping from Chongqing to Singapore.", "Hotel bookings"],
        country="SG",
        sectors=["agriculture-food"],
        target_markets=["CN"],
    )

    [recommendation] = recommend(query_for(me), [partner])
    reasons = {reason.kind: reason for reason in recommendation.reasons}

    theirs = reasons[matching.THEIR_OFFER_MEETS_YOUR_NEED]
    assert (theirs.need, theirs.offer) == (
        "需要新加坡的清关代理。",
        "Customs clearance agent in Singapore.",
    )
    yours = reasons[matching.YOUR_OFFER_MEETS_THEIR_NEED]
    assert (yours.need, yours.offer) == (
        "We need cold-chain shipping from Chongqing to Singapore.",
        "  我们提供重庆至新加坡的冷链物流服务",
    )
    assert reasons[matching.SECTORS_REASON].detail == ("agriculture-food",)
    assert reasons[matching.TARGETS_YOUR_MARKET].detail == ("CN",)
    assert reasons[matching.IN_YOUR_TARGET_MARKET].detail == ("SG",)
    # the quoted pairs explain more than a profile field does, so they come first
    assert recommendation.reasons[0].kind in {
        matching.THEIR_OFFER_MEETS_YOUR_NEED,
        matching.YOUR_OFFER_MEETS_THEIR_NEED,
    }


def test_an_unrelated_candidate_gets_no_quoted_reason(encode):
    me = side(encode, 0, needs=["We need halal certification for our snacks."], country="CN")
    other = side(encode, 1, offers=["Aircraft engine overhaul."], country="SG")

    [recommendation] = recommend(query_for(me), [other])

    assert recommendation.reasons == ()


def test_an_exact_standard_code_ranks_the_offer_that_has_it_first(encode):
    me = side(encode, 0, needs=["We need ISO 13485 certified injection moulding."], country="CN")
    sides = [
        side(encode, 1, offers=["ISO 9001 certified injection moulding."], country="MY"),
        side(encode, 2, offers=["ISO 13485 certified injection moulding."], country="MY"),
    ]

    assert keys(recommend(query_for(me), sides)) == [2, 1]


def test_char_bm25_ranks_the_exact_phrase_first_within_one_language():
    english = matching.CharBM25(
        [
            "Injection moulding for toys and household goods",
            "ISO 9001 certified injection moulding",
            "ISO 13485 certified injection moulding for medical devices",
        ]
    )
    chinese = matching.CharBM25(
        ["食品添加剂的进口代理", "符合GB 2760标准的食品添加剂", "食品包装材料检测"]
    )

    assert int(np.argmax(english.scores("ISO 13485"))) == 2
    assert int(np.argmax(chinese.scores("GB2760 食品添加剂"))) == 1
    # Chinese and English share no characters: no lexical evidence across languages
    assert english.coverage("医疗器械注塑").max() == 0.0


def test_empty_profiles_do_not_crash(encode):
    empty = Side(key=0, signals=Signals(), offers=(), needs=())
    query = Query(side=empty, offer=matching.mean_vector([]), need=matching.mean_vector([]))
    someone = side(encode, 1, offers=["Cold-chain trucking."], country="SG")
    nobody = Side(key=2, signals=Signals(country="SG"), offers=(), needs=())

    assert sorted(keys(recommend(query, [someone, nobody]))) == [1, 2]
    me = side(encode, 3, needs=["We need cold-chain trucking."], country="CN")
    assert keys(recommend(query_for(me), [nobody])) == [2]
    assert recommend(query_for(me), []) == []
    assert encode([]).shape == (0, matching.DIMENSIONS)
    only_a_place = encode(["Singapore"])  # nothing left without the place: encoded as written
    assert np.linalg.norm(only_a_place[0]) == pytest.approx(1.0)


def test_vectors_survive_the_round_trip_through_bytes(encode):
    vector = encode(["Cold-chain trucking."])[0]

    assert np.array_equal(matching.from_bytes(matching.to_bytes(vector)), vector)
    assert len(matching.to_bytes(vector)) == 2048
