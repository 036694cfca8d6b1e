"""Recommendation reasons quote the other side's line with its version in the reader's language
when the profile wrote the line in both languages, and say which language it is in otherwise."""

import numpy as np
import pytest
from django.utils import translation

from corridor.directory import matching
from corridor.directory.matching import Item, Query, Side, Signals
from corridor.directory.recommendations import reason_text


@pytest.fixture(scope="module")
def encode():
    """The real encoder, loaded once for the module."""
    return matching.encoder().encode


def items(encode, lines):
    return tuple(Item(text, vector) for text, vector in zip(lines, encode(lines), strict=True))


def test_a_line_written_in_both_languages_is_paired_with_its_own_translation(encode):
    offers = items(
        encode,
        [
            "Cross-border RMB/SGD trade finance for exporters and importers",
            "Letters of credit, documentary collections and bank guarantees",
            "面向进出口商的跨境人民币/新元贸易融资",
            "信用证、跟单托收和银行保函",
        ],
    )

    assert matching.counterpart(offers[0], offers) == "面向进出口商的跨境人民币/新元贸易融资"
    assert matching.counterpart(offers[3], offers) == (
        "Letters of credit, documentary collections and bank guarantees"
    )


def test_a_line_without_a_version_in_the_other_language_has_no_counterpart(encode):
    english_only = items(encode, ["Cold-chain warehousing in Chongqing", "Air freight booking"])
    mixed_topics = items(encode, ["Cold-chain warehousing in Chongqing", "英文技术文件翻译"])

    assert matching.counterpart(english_only[0], english_only) == ""
    assert matching.counterpart(mixed_topics[0], mixed_topics) == ""
    assert matching.counterpart(mixed_topics[1], mixed_topics) == ""


def test_the_reason_carries_the_counterpart_of_the_matched_offer(encode):
    me = Side(
        key=0,
        signals=Signals(country="CN"),
        offers=(),
        needs=items(encode, ["进口货物的贸易融资"]),
    )
    partner = Side(
        key=1,
        signals=Signals(country="SG"),
        offers=items(
            encode,
            [
                "Trade finance for imported goods",
                "Hotel bookings for business travellers",
                "进口货物的贸易融资服务",
                "商务差旅酒店预订",
            ],
        ),
        needs=(),
    )
    mean = matching.mean_vector
    query = Query(
        side=me,
        offer=np.zeros(matching.DIMENSIONS, np.float32),
        need=mean(np.array([i.vector for i in me.needs])),
    )
    candidates = matching.Candidates(
        [1],
        np.array([mean(np.array([i.vector for i in partner.offers]))]),
        np.zeros((1, matching.DIMENSIONS), np.float32),
        [partner.signals],
    )

    [recommendation] = matching.recommend(query, candidates, lambda keys: {1: partner})
    [reason] = [r for r in recommendation.reasons if r.kind == matching.THEIR_OFFER_MEETS_YOUR_NEED]

    assert reason.need == "进口货物的贸易融资" and reason.need_counterpart == ""
    assert {reason.offer, reason.offer_counterpart} == {
        "Trade finance for imported goods",
        "进口货物的贸易融资服务",
    }


BILINGUAL_OFFER = matching.Reason(
    kind=matching.THEIR_OFFER_MEETS_YOUR_NEED,
    need="Trade finance in SGD",
    offer="面向进出口商的跨境人民币/新元贸易融资",
    offer_counterpart="Cross-border RMB/SGD trade finance for exporters and importers",
)


def test_an_english_reader_sees_the_chinese_offer_with_its_english_version():
    with translation.override("en"):
        text = reason_text(BILINGUAL_OFFER)

    assert text == (
        "Their offer “面向进出口商的跨境人民币/新元贸易融资” (in English: “Cross-border RMB/SGD "
        "trade finance for exporters and importers”) meets your need “Trade finance in SGD”."
    )


def test_a_chinese_reader_sees_the_english_need_marked_and_the_chinese_offer_as_written():
    with translation.override("zh-hans"):
        text = reason_text(BILINGUAL_OFFER)

    # the offer is in the reader's language: quoted alone, without its English version
    assert "“面向进出口商的跨境人民币/新元贸易融资”" in text
    assert "Cross-border RMB/SGD" not in text
    # the need has no Chinese version: quoted as written, with its language named
    with translation.override("zh-hans"):
        marked = translation.gettext("“%(line)s” (in English)") % {"line": "Trade finance in SGD"}
    assert marked in text


def test_a_line_without_a_version_in_the_readers_language_says_which_language_it_is_in():
    reason = matching.Reason(
        kind=matching.YOUR_OFFER_MEETS_THEIR_NEED,
        need="有经验的国际贸易融资机构",
        offer="Cross-border RMB/SGD trade finance",
    )

    with translation.override("en"):
        text = reason_text(reason)

    assert text == (
        "Your offer “Cross-border RMB/SGD trade finance” meets their need "
        "“有经验的国际贸易融资机构” (in Chinese)."
    )
