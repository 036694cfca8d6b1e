"""Benchmark of the readiness-assessment engine (corridor/standards/engine.py).

Builds a synthetic knowledge base of 20,000 requirements (by default) over the whole HS tree:
HS codes from ../shared/data/harmonized-system/harmonized-system.csv when present, else
plausible generated 6-digit codes; HS prefixes at levels 2, 4 and 6; attribute conditions;
evidence and recognised equivalents; acyclic prerequisite chains; durations. Then it assesses
1,000 random products and prints the median and 95th percentile in milliseconds for the
indexed engine and, in the same run, for a naive baseline that checks every requirement of
the knowledge base for every product. Both must give the same answers; the bench checks it.

No Django and no database: the engine is a plain module.

    python bench/assessment.py                      # 20,000 requirements, 1,000 products
    python bench/assessment.py --requirements 5000 --products 200 --seed 7
"""

import argparse
import csv
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corridor.standards import engine  # noqa: E402

HS_CSV = ROOT.parent / "shared" / "data" / "harmonized-system" / "harmonized-system.csv"
TARGET_P95_MS = 20.0
MARKETS = ("SG", "CN", "MY", "TH", "VN")
ORIGINS = ("CN", "SG", "MY", "TH", "VN", "ID", "PH", "JP", "KR", "DE", "US", "AU")
CHOICES = {
    "vehicle_category": ("M1", "N1", "N2", "N3"),
    "powertrain": ("electric", "diesel", "petrol", "hybrid"),
    "meat_species": ("pork", "beef", "poultry", "mutton"),
    "processing_form": ("fresh_chilled", "frozen", "canned", "processed"),
}
NUMBER = "max_laden_weight_kg"
EVIDENCE_COUNT = 400
UNIVERSAL_SHARE = 0.002  # requirements without HS prefixes (apply to every product)


# --- the synthetic knowledge base ----------------------------------------------------------


def hs_codes(rng: random.Random) -> tuple[list[str], str]:
    """Every 6-digit subheading, and where they came from."""
    if HS_CSV.exists():
        with HS_CSV.open(newline="", encoding="utf-8") as handle:
            codes = [row["hscode"] for row in csv.DictReader(handle) if row["level"] == "6"]
        return sorted(codes), f"{len(codes)} subheadings from {HS_CSV}"
    codes = set()
    for chapter in range(1, 98):
        if chapter == 77:  # reserved in the HS
            continue
        for _ in range(rng.randint(10, 110)):
            codes.add(f"{chapter:02d}{rng.randint(1, 99):02d}{rng.randint(0, 99):02d}")
    return sorted(codes), f"{len(codes)} generated subheadings ({HS_CSV} is absent)"


def condition(rng: random.Random) -> engine.AttributeCondition:
    if rng.random() < 0.3:
        limit = rng.choice((3500, 5000, 12000))
        if rng.random() < 0.5:
            return engine.AttributeCondition(NUMBER, minimum=limit, minimum_exclusive=True)
        return engine.AttributeCondition(NUMBER, maximum=limit)
    name = rng.choice(sorted(CHOICES))
    return engine.AttributeCondition(
        name, one_of=tuple(rng.sample(CHOICES[name], rng.randint(1, 3)))
    )


def synthetic_kb(count: int, codes: list[str], rng: random.Random) -> engine.KnowledgeBase:
    evidence_ids = [f"evidence-{n:04d}" for n in range(EVIDENCE_COUNT)]
    earlier: dict[tuple[str, str], list[str]] = {}  # (market, chapter) -> requirement ids
    requirements = {}
    for n in range(count):
        rid = f"req-{n:05d}"
        market = rng.choice(MARKETS)
        if rng.random() < UNIVERSAL_SHARE:
            prefixes: tuple[str, ...] = ()
        else:
            anchor = rng.choice(codes)
            level = rng.choice((2, 4, 6))
            prefixes = tuple(
                sorted(
                    {anchor[:level]}
                    | {rng.choice(codes)[:level] for _ in range(rng.choice((0, 0, 1, 2)))}
                )
            )
        chapter = prefixes[0][:2] if prefixes else ""
        # prerequisites only among earlier requirements of the same market and chapter:
        # acyclic by construction, and in reach of the same products
        pool = earlier.setdefault((market, chapter), [])
        prerequisites = (
            tuple(rng.sample(pool[-20:], min(len(pool[-20:]), rng.randint(1, 2))))
            if pool and rng.random() < 0.4
            else ()
        )
        pool.append(rid)
        optimistic = rng.randint(1, 60)
        likely = optimistic + rng.randint(0, 60)
        requirements[rid] = engine.Requirement(
            id=rid,
            market=market,
            mast=rng.choice(("A120", "A140", "A810", "A830", "B810", "B830", "E100")),
            kind="synthetic",
            title_en=f"Synthetic requirement {n}",
            title_zh=f"合成要求 {n}",
            summary_en="",
            summary_zh="",
            authority="synthetic",
            legal_basis="",
            hs_prefixes=prefixes,
            origins=tuple(rng.sample(ORIGINS, rng.randint(1, 3))) if rng.random() < 0.2 else (),
            conditions=tuple(condition(rng) for _ in range(rng.choice((0, 0, 1, 1, 2)))),
            evidence=tuple(rng.sample(evidence_ids, rng.randint(1, 2))),
            equivalent_evidence=(rng.choice(evidence_ids),) if rng.random() < 0.3 else (),
            prerequisites=prerequisites,
            duration_days=(optimistic, likely, likely + rng.randint(0, 120)),
            per_consignment=rng.random() < 0.1,
            source_url="https://example.org/synthetic",
            checked_on="2026-11-28",
            confidence="unconfirmed",
        )
    return engine.KnowledgeBase(
        requirements=requirements,
        evidence={e: engine.Evidence(e, f"Evidence {e}") for e in evidence_ids},
        attribute_types={**{name: "choice" for name in CHOICES}, NUMBER: "number"},
        attribute_choices=dict(CHOICES),
        attribute_units={NUMBER: "kg"},
        markets=set(MARKETS),
    )


def random_product(codes: list[str], rng: random.Random) -> engine.Product:
    destination = rng.choice(MARKETS)
    attributes: dict[str, str | float] = {
        name: rng.choice(values) for name, values in CHOICES.items() if rng.random() < 0.6
    }
    if rng.random() < 0.6:
        attributes[NUMBER] = float(rng.choice((2500, 3500, 7500, 16000, 32000)))
    return engine.Product(
        hs_code=rng.choice(codes),
        origin=rng.choice([o for o in ORIGINS if o != destination]),
        destination=destination,
        attributes=attributes,
        held=frozenset(f"evidence-{rng.randrange(EVIDENCE_COUNT):04d}" for _ in range(8)),
    )


# --- the naive baseline --------------------------------------------------------------------


def naive_assess(kb: engine.KnowledgeBase, product: engine.Product) -> engine.Assessment:
    """The same answer without the index: every requirement of the knowledge base is checked
    for every product (market, then whether it is considered, then the full judgement)."""
    product = engine._clean_product(kb, engine._index_of(kb), product)
    chapter = product.hs_code[:2]
    judged = []
    for requirement in kb.requirements.values():
        if requirement.market != product.destination:
            continue
        if requirement.hs_prefixes and not any(p[:2] == chapter for p in requirement.hs_prefixes):
            continue
        judged.append(engine._judge(kb, requirement, product))
    rank = {status: n for n, status in enumerate(engine.STATUSES)}
    statuses = tuple(sorted(judged, key=lambda s: (rank[s.status], s.id)))
    unmet = {s.id: kb.requirements[s.id] for s in statuses if s.status == engine.NOT_MET}
    roadmap, critical_path, duration = engine._roadmap(unmet)
    return engine.Assessment(
        statuses, roadmap, critical_path, duration, naive_coverage(kb, product)
    )


def naive_coverage(kb: engine.KnowledgeBase, product: engine.Product) -> str:
    """Coverage without the index (the synthetic knowledge base declares no scopes): partial
    when any requirement of the market is written for the product's HS code."""
    for requirement in kb.requirements.values():
        if requirement.market != product.destination:
            continue
        if requirement.origins and product.origin not in requirement.origins:
            continue
        if any(engine._prefix_matches(p, product.hs_code) for p in requirement.hs_prefixes):
            return engine.PARTIAL
    return engine.NOT_COVERED


# --- timing --------------------------------------------------------------------------------


def timed(function, kb, products) -> tuple[list[float], list[engine.Assessment]]:
    times, answers = [], []
    for product in products:
        began = time.perf_counter()
        answers.append(function(kb, product))
        times.append((time.perf_counter() - began) * 1000)
    return times, answers


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[94]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requirements", type=int, default=20_000)
    parser.add_argument("--products", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    codes, origin_of_codes = hs_codes(rng)
    began = time.perf_counter()
    kb = synthetic_kb(args.requirements, codes, rng)
    built = time.perf_counter() - began
    began = time.perf_counter()
    engine.build_index(kb)
    indexed_in = time.perf_counter() - began
    products = [random_product(codes, rng) for _ in range(args.products)]

    print(f"HS codes: {origin_of_codes}")
    print(
        f"Knowledge base: {len(kb.requirements):,} synthetic requirements in {len(MARKETS)} "
        f"markets, {sum(bool(r.prerequisites) for r in kb.requirements.values()):,} with "
        f"prerequisites (built in {built:.2f} s, indexed in {indexed_in * 1000:.0f} ms)"
    )
    for function in (engine.assess, naive_assess):  # warm-up
        for product in products[:20]:
            function(kb, product)
    indexed_times, indexed_answers = timed(engine.assess, kb, products)
    naive_times, naive_answers = timed(naive_assess, kb, products)
    if indexed_answers != naive_answers:
        print("The indexed engine and the naive baseline disagree: the index is wrong.")
        return 1

    considered = [len(a.requirements) for a in indexed_answers]
    unmet = [len(a.roadmap) for a in indexed_answers]
    print(
        f"Assessments: {len(products):,} random products; per product "
        f"{statistics.mean(considered):.0f} requirements considered on average "
        f"(max {max(considered)}), {statistics.mean(unmet):.0f} on the roadmap "
        f"(max {max(unmet)}); both engines give the same answers."
    )
    print(f"{'':24}{'median ms':>12}{'p95 ms':>10}")
    for label, times in (
        ("indexed engine", indexed_times),
        ("naive linear scan", naive_times),
    ):
        print(f"{label:24}{statistics.median(times):>12.3f}{p95(times):>10.3f}")
    speedup = statistics.median(naive_times) / statistics.median(indexed_times)
    print(f"Speed-up of the median: {speedup:.0f}x")
    met = p95(indexed_times) < TARGET_P95_MS
    print(
        f"Target: p95 < {TARGET_P95_MS:.0f} ms for the indexed engine: "
        f"{'met' if met else 'NOT met'} ({p95(indexed_times):.3f} ms)."
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
