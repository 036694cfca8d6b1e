"""Measuring the recommender on a JSON-lines file of need/offer pairs.

A plain module with no Django import, shared by `python manage.py match_pairs` and
bench/matching.py so that both measure with the same code.

The file: one JSON object per line. A pair line has a need and the one offer that meets it;
a distractor line has only an offer:

    {"id": "p01", "need": "...", "offer": "...", "need_profile": {...}, "offer_profile": {...}}
    {"id": "d01", "need": null, "offer": "...", "offer_profile": {...}}

A profile is {"country": "SG", "city": "Singapore", "sectors": ["trade"], "target_markets":
["CN"]}; every field may be left out. Every offer becomes a candidate: a `Side` with that one
offer and the offer_profile's signals, no needs. Every need is ranked against all of them;
the relevant offer is the one on its own line.

Rankers:
* "combined": `matching.recommend`, the product's ranking code, with the query built as the
  product builds it: a `Side` with that one need and the need_profile's signals, and
  `across_border` as the product does by default (True), so a candidate of the need's own
  country is never recommended when both countries are known.
* "meaning": the same, without the decisive facets and the language-fair cosines
  (`matching.recommend(..., decisive=False)`): the ranking as it was before them, printed
  beside "combined" by bench/matching.py.
* "encoder": the cosine between the need's vector and each offer's vector, nothing else
  (every offer ranked, no filter): what the sentence encoder alone achieves.
* "bm25": `matching.CharBM25` over all offers, the need as the query: a lexical baseline.

Ties are counted against the relevant offer (an offer scoring the same ranks above it), so a
ranker that cannot tell the offers apart scores at chance, not by file order.

Bad input raises `BadLine` with a problem code and values; `PROBLEMS` holds English
templates for non-Django callers, and the command translates the same codes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corridor.directory import matching

RANKERS = ("combined", "meaning", "encoder", "bm25")
TOP = 10  # nDCG@10: an offer ranked after the 10th counts as not found
FIELDS = {"id", "need", "offer", "need_profile", "offer_profile"}
PROFILE_FIELDS = {"country", "city", "sectors", "target_markets"}
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")

# English templates of the problems `BadLine` reports (the command has translated ones).
PROBLEMS = {
    "unreadable": "Cannot read {path}: {error}.",
    "no_needs": "{path} has no line with a need, so there is nothing to rank.",
    "json": "Line {line} is not valid JSON: {error}.",
    "not_object": "Line {line} is not a JSON object.",
    "unknown_field": "Line {line} has an unknown field “{field}”.",
    "id": "Line {line} has no “id” text.",
    "duplicate_id": "Line {line} repeats the id “{id}” of line {first}.",
    "offer": "Line {line} has no “offer” text.",
    "need": "Line {line} has a “need” that is neither text nor null.",
    "profile": "Line {line}: “{field}” is not a JSON object.",
    "profile_field": "Line {line}: “{field}” has an unknown field “{key}”.",
    "country": "Line {line}: the country in “{field}” is not a two-letter code: {value}.",
    "city": "Line {line}: the city in “{field}” is not text.",
    "sectors": "Line {line}: the sectors in “{field}” are not a list of sector codes.",
    "sector": "Line {line}: “{value}” in “{field}” is not a sector code.",
    "markets": "Line {line}: the target markets in “{field}” are not two-letter codes.",
}


class BadLine(ValueError):
    """A file that cannot be evaluated: `problem` is a key of PROBLEMS, `params` its values
    (always "line", 0 for the file as a whole, and "path")."""

    def __init__(self, problem: str, **params):
        self.problem = problem
        self.params = params
        super().__init__(PROBLEMS[problem].format(**params))


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line number in the file
    id: str
    need: str | None
    offer: str
    need_signals: matching.Signals
    offer_signals: matching.Signals


# --- reading -------------------------------------------------------------------------------


def load(path: str | Path) -> list[Line]:
    """Every line of the file, checked; raises BadLine naming the first bad line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadLine("unreadable", line=0, path=str(path), error=str(error)) from error
    return parse(text.splitlines(), path=str(path))


def parse(rows: Iterable[str], path: str = "") -> list[Line]:
    lines: list[Line] = []
    first_line_of: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        if not row.strip():
            continue
        line = _line(number, row, path)
        if line.id in first_line_of:
            raise BadLine(
                "duplicate_id", line=number, path=path, id=line.id, first=first_line_of[line.id]
            )
        first_line_of[line.id] = number
        lines.append(line)
    if not any(line.need is not None for line in lines):
        raise BadLine("no_needs", line=0, path=path)
    return lines


def _line(number: int, row: str, path: str) -> Line:
    where = {"line": number, "path": path}
    try:
        data = json.loads(row)
    except json.JSONDecodeError as error:
        raise BadLine("json", error=error.msg, **where) from error
    if not isinstance(data, dict):
        raise BadLine("not_object", **where)
    for field in data:
        if field not in FIELDS:
            raise BadLine("unknown_field", field=field, **where)
    if not isinstance(data.get("id"), str) or not data["id"].strip():
        raise BadLine("id", **where)
    if not isinstance(data.get("offer"), str) or not data["offer"].strip():
        raise BadLine("offer", **where)
    need = data.get("need")
    if need is not None and (not isinstance(need, str) or not need.strip()):
        raise BadLine("need", **where)
    return Line(
        number=number,
        id=data["id"],
        need=need,
        offer=data["offer"],
        need_signals=_signals(data, "need_profile", where),
        offer_signals=_signals(data, "offer_profile", where),
    )


def _signals(data: dict, field: str, where: dict) -> matching.Signals:
    """A profile's structured fields; a profile left out has none (all unknown)."""
    profile = data.get(field) or {}
    where = {**where, "field": field}
    if not isinstance(profile, dict):
        raise BadLine("profile", **where)
    for key in profile:
        if key not in PROFILE_FIELDS:
            raise BadLine("profile_field", key=key, **where)
    country = profile.get("country") or ""
    if not isinstance(country, str) or (country and not _COUNTRY.match(country)):
        raise BadLine("country", value=json.dumps(country, ensure_ascii=False), **where)
    city = profile.get("city") or ""
    if not isinstance(city, str):
        raise BadLine("city", **where)
    sectors = profile.get("sectors") or []
    if not isinstance(sectors, list) or not all(isinstance(code, str) for code in sectors):
        raise BadLine("sectors", **where)
    for code in sectors:
        if code not in matching.SECTOR_CODES:
            raise BadLine("sector", value=code, **where)
    markets = profile.get("target_markets") or []
    if not isinstance(markets, list) or not all(
        isinstance(code, str) and _COUNTRY.match(code) for code in markets
    ):
        raise BadLine("markets", **where)
    return matching.Signals(
        country=country.upper(),
        city=city,
        sectors=frozenset(sectors),
        target_markets=frozenset(code.upper() for code in markets),
    )


# --- ranking -------------------------------------------------------------------------------


@dataclass
class Prepared:
    """The lines with their vectors, and every offer as a candidate (key = line position)."""

    lines: list[Line]
    offer_vectors: np.ndarray  # (len(lines), 512)
    need_vectors: dict[int, np.ndarray]  # line position -> (512,), lines with a need only
    candidates: matching.Candidates
    sides: dict[int, matching.Side]

    @property
    def needs(self) -> list[int]:
        return sorted(self.need_vectors)


def prepare(
    lines: Sequence[Line], encode: Callable[[Sequence[str]], np.ndarray] | None = None
) -> Prepared:
    """Encode every offer and need once (one batch each) and build the candidates."""
    encode = encode or matching.encoder().encode
    offer_vectors = np.asarray(encode([line.offer for line in lines]), dtype=np.float32)
    with_need = [i for i, line in enumerate(lines) if line.need is not None]
    need_vectors = np.asarray(encode([lines[i].need for i in with_need]), dtype=np.float32)
    sides = {
        i: matching.Side(
            key=i,
            signals=line.offer_signals,
            offers=(matching.Item(text=line.offer, vector=offer_vectors[i]),),
            needs=(),
        )
        for i, line in enumerate(lines)
    }
    empty = np.zeros_like(offer_vectors)
    candidates = matching.Candidates(
        list(range(len(lines))), offer_vectors, empty, [line.offer_signals for line in lines]
    )
    return Prepared(
        lines=list(lines),
        offer_vectors=offer_vectors,
        need_vectors=dict(zip(with_need, need_vectors, strict=True)),
        candidates=candidates,
        sides=sides,
    )


@dataclass(frozen=True)
class Ranked:
    """Where one need's relevant offer came: rank 1..TOP, or None when not in the top TOP;
    `first` is the line position of the offer ranked first (None when nothing was)."""

    line: int
    rank: int | None
    first: int | None


def query_for(prepared: Prepared, i: int, across_border: bool = True) -> matching.Query:
    """The query the product would build for a profile with this one need."""
    line, vector = prepared.lines[i], prepared.need_vectors[i]
    side = matching.Side(
        key=-1 - i,  # never a candidate's key
        signals=line.need_signals,
        offers=(),
        needs=(matching.Item(text=line.need, vector=vector),),
    )
    return matching.Query(
        side=side,
        offer=np.zeros(matching.DIMENSIONS, dtype=np.float32),
        need=vector,
        across_border=across_border,
    )


def rank(prepared: Prepared, ranker: str = "combined", across_border: bool = True) -> list[Ranked]:
    """Rank every need against all offers with one ranker."""
    if ranker not in RANKERS:
        raise ValueError(f"unknown ranker {ranker!r}; use one of {', '.join(RANKERS)}")
    bm25 = matching.CharBM25([line.offer for line in prepared.lines]) if ranker == "bm25" else None
    results = []
    for i in prepared.needs:
        if ranker in ("combined", "meaning"):
            results.append(_combined_rank(prepared, i, across_border, ranker == "combined"))
        elif ranker == "encoder":
            scores = prepared.offer_vectors @ prepared.need_vectors[i]
            results.append(_rank_from_scores(i, scores))
        else:
            results.append(_rank_from_scores(i, bm25.scores(prepared.lines[i].need)))
    return results


def _combined_rank(prepared: Prepared, i: int, across_border: bool, decisive: bool) -> Ranked:
    recommendations = matching.recommend(
        query_for(prepared, i, across_border),
        prepared.candidates,
        lambda keys: {key: prepared.sides[key] for key in keys},
        limit=TOP,
        decisive=decisive,
    )
    keys = [recommendation.key for recommendation in recommendations]
    position = keys.index(i) + 1 if i in keys else None
    return Ranked(line=i, rank=position, first=keys[0] if keys else None)


def _rank_from_scores(i: int, scores: np.ndarray) -> Ranked:
    """Rank of offer i, ties counted against it (pessimistic)."""
    others = np.delete(scores, i)
    position = 1 + int((others >= scores[i]).sum())
    best = int(np.argmax(scores))
    return Ranked(line=i, rank=position if position <= TOP else None, first=best)


def metrics(ranked: Sequence[Ranked]) -> dict:
    """n, top-1 and top-5 hit rates, nDCG@10 with the single relevant offer (its ideal DCG is
    1, so each need scores 1 / log2(rank + 1))."""
    n = len(ranked)
    if n == 0:
        return {"n": 0, "top1": 0.0, "top5": 0.0, "ndcg10": 0.0}
    ranks = [r.rank for r in ranked]
    return {
        "n": n,
        "top1": round(sum(r == 1 for r in ranks) / n, 4),
        "top5": round(sum(r is not None and r <= 5 for r in ranks) / n, 4),
        "ndcg10": round(sum(1 / math.log2(r + 1) for r in ranks if r is not None) / n, 4),
    }


def evaluate(prepared: Prepared, ranker: str = "combined", across_border: bool = True) -> dict:
    return metrics(rank(prepared, ranker, across_border))
