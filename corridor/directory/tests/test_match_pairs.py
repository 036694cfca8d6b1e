"""python manage.py match_pairs: the figures a person reads, and the line a bad file breaks on."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from corridor.directory import matching

SG_TO_CN = {"country": "SG", "city": "Singapore", "sectors": ["trade"], "target_markets": ["CN"]}
CN_TO_SG = {"country": "CN", "city": "Chongqing", "sectors": ["trade"], "target_markets": ["SG"]}

LINES = [
    {
        "id": "p1",
        "need": "需要新加坡的清关代理。",
        "offer": "Customs clearance agent in Singapore.",
        "need_profile": CN_TO_SG,
        "offer_profile": SG_TO_CN,
    },
    {
        "id": "p2",
        "need": "We need Mandarin teachers for our school.",
        "offer": "派遣中文教师到海外学校任教。",
        "need_profile": SG_TO_CN,
        "offer_profile": CN_TO_SG,
    },
    {
        "id": "p3",
        "need": "寻找越南咖啡生豆供应商。",
        "offer": "Green coffee beans from Vietnam.",
        "need_profile": {"country": "CN", "sectors": ["agriculture-food"]},
        "offer_profile": {"country": "VN", "sectors": ["agriculture-food"]},
    },
    # a same-country look-alike of p1's answer: the product never recommends it to a
    # Chinese firm, so it does not count against p1
    {"id": "d1", "need": None, "offer": "新加坡清关代理服务。", "offer_profile": CN_TO_SG},
    {"id": "d2", "need": None, "offer": "Aircraft engine overhaul.", "offer_profile": SG_TO_CN},
]


@pytest.fixture(scope="module", autouse=True)
def warm_encoder():
    """Load the real encoder once for the module."""
    matching.encoder().encode(["warm-up"])


def write(path, lines):
    path.write_text(
        "".join(
            (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
            for line in lines
        ),
        encoding="utf-8",
    )
    return path


def run(*args) -> dict:
    out = StringIO()
    call_command("match_pairs", *args, stdout=out)
    return json.loads(out.getvalue())


def test_prints_the_figures_of_the_product_ranking(tmp_path):
    path = write(tmp_path / "pairs.jsonl", LINES)

    assert run(str(path)) == {"n": 3, "top1": 1.0, "top5": 1.0, "ndcg10": 1.0}


def test_bm25_alone_cannot_match_across_languages(tmp_path):
    path = write(tmp_path / "pairs.jsonl", LINES)

    result = run(str(path), "--ranker", "bm25")

    assert result["n"] == 3
    assert result["top1"] == 0.0


def test_a_malformed_line_is_named_with_its_number(tmp_path):
    path = write(tmp_path / "pairs.jsonl", [LINES[0], '{"id": "p2", "need": "x", ', LINES[2]])

    with pytest.raises(CommandError, match=r"^Line 2 of .*pairs\.jsonl is not valid JSON"):
        run(str(path))


@pytest.mark.parametrize(
    "line, message",
    [
        ({"id": "p9", "need": "x"}, "Line 3 of .* has no “offer” text"),
        (
            {"id": "p1", "need": None, "offer": "y"},
            "Line 3 of .* repeats the id “p1” of line 1",
        ),
        (
            {"id": "p9", "need": None, "offer": "y", "offer_profile": {"sectors": ["fintech"]}},
            "“fintech” in “offer_profile” is not a sector code",
        ),
        (
            {"id": "p9", "need": None, "offer": "y", "offer_profile": {"country": "China"}},
            "the country in “offer_profile” must be a two-letter ISO code",
        ),
    ],
)
def test_a_bad_line_says_what_is_wrong(tmp_path, line, message):
    path = write(tmp_path / "pairs.jsonl", [LINES[0], LINES[1], line])

    with pytest.raises(CommandError, match=message):
        run(str(path))


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "nowhere.jsonl"))
