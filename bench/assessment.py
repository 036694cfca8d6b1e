"""Benchmark of the readiness-assessment engine (corridor/standards/engine.py).

Synthesises a knowledge base of 20,000 requirements (by default) from the shipped one
(corridor/standards/kb/, read with `corridor.standards.kb`): the shipped knowledge base is
copied again and again, and each copy moves every HS prefix to another place of the same
depth in the HS 2022 nomenclature (corridor/standards/data/hs2022.csv): a chapter to a
random chapter, a heading to a random heading of that chapter, a subheading to a random
subheading of that heading, consistently within the copy, so requirements that share a
product family in the shipped files still share one. A copy may also swap its market (SG and
CN, with the origins swapped too), widen or narrow the origins, and shift number limits and
allowed choices of its conditions; prerequisites and declared coverage scopes are copied
with it (so they stay acyclic and within one market). The last copy is cut short.

Then it assesses many products (by default 2,000; four in five are within the HS prefixes
of a random requirement, one in five is a random subheading; one in twenty is given only
to its heading) and prints the median, 95th percentile and maximum, in milliseconds, of one
`engine.assess` and, in the same run and process, of a naive baseline that scans every
requirement and scope of the knowledge base for every product. Both must give the same
answers; the bench checks it.

Django is set up only to read the shipped YAML; no database is used.

    python bench/assessment.py                      # 20,000 requirements, 2,000 products
    python bench/assessment.py --requirements 5000 --products 200 --seed 7
"""

import argparse
import csv
import dataclasses
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import percentile  # noqa: E402

from corridor.standards import engine  # noqa: E402

HS_CSV = ROOT / "corridor" / "standards" / "data" / "hs2022.csv"
TARGET_P95_MS = 20.0
SWAP = {"SG": "CN", "CN": "SG"}
# Origins a copy may be restricted to instead (ASEAN, RCEP and other trading partners).
ORIGINS = ("CN", "SG", "MY", "TH", "VN", "ID", "PH", "JP", "KR", "AU", "NZ", "DE", "US")


# --- the HS 2022 nomenclature --------------------------------------------------------------


@dataclasses.dataclass
class Nomenclature:
    chapters: list[str]
    headings: dict[str, list[str]]  # chapter -> its headings
    subheadings: dict[str, list[str]]  # heading -> its subheadings
    codes: list[str]  # every subheading


def nomenclature() -> Nomenclature:
    headings: dict[str, list[str]] = {}
    subheadings: dict[str, list[str]] = {}
    with HS_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["hscode"]
            if row["level"] == "2":
                headings.setdefault(code, [])
            elif row["level"] == "4":
                headings.setdefault(code[:2], []).append(code)
                subheadings.setdefault(code, [])
            elif row["level"] == "6":
                subheadings.setdefault(code[:4], []).append(code)
    # a heading without subheadings is its own (only) 6-digit code, e.g. 0409 -> 040900
    for heading, codes in subheadings.items():
        if not codes:
            codes.append(heading + "00")
    chapters = sorted(c for c, h in headings.items() if h)
    codes = sorted(code for codes in subheadings.values() for code in codes)
    return Nomenclature(chapters, headings, subheadings, codes)


# --- the synthetic knowledge base ----------------------------------------------------------


def shipped_kb() -> engine.KnowledgeBase:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
    os.environ.setdefault("CORRIDOR_ALLOW_INSECURE_KEY", "1")
    import django

    django.setup()
    from corridor.standards import kb

    return kb.load_knowledge_base()


class Mover:
    """Moves HS prefixes for one copy: the same template prefix always lands on the same
    place, and a heading lands inside the chapter its chapter landed on."""

    def __init__(self, hs: Nomenclature, rng: random.Random):
        self.hs, self.rng, self.moved = hs, rng, {}

    def __call__(self, prefix: str) -> str:
        if prefix not in self.moved:
            if len(prefix) == 2:
                self.moved[prefix] = self.rng.choice(self.hs.chapters)
            elif len(prefix) == 4:
                self.moved[prefix] = self.rng.choice(self.hs.headings[self(prefix[:2])])
            else:
                self.moved[prefix] = self.rng.choice(self.hs.subheadings[self(prefix[:4])])
        return self.moved[prefix]


def varied_condition(
    condition: engine.AttributeCondition, kb: engine.KnowledgeBase, rng: random.Random
) -> engine.AttributeCondition:
    if rng.random() < 0.5:
        return condition
    if condition.one_of:
        allowed = kb.attribute_choices.get(condition.name) or condition.one_of
        return dataclasses.replace(
            condition,
            one_of=tuple(sorted(rng.sample(allowed, rng.randint(1, max(1, len(allowed) - 1))))),
        )
    factor = rng.choice((0.5, 0.8, 1.25, 2.0))
    return dataclasses.replace(
        condition,
        minimum=None if condition.minimum is None else condition.minimum * factor,
        maximum=None if condition.maximum is None else condition.maximum * factor,
    )


def varied_origins(origins: tuple[str, ...], market: str, rng: random.Random) -> tuple:
    draw = rng.random()
    if draw < 0.15:
        return ()  # every origin
    if draw < 0.3:
        others = [o for o in ORIGINS if o != market]
        return tuple(sorted(rng.sample(others, rng.randint(1, 4))))
    return origins


def synthetic_kb(
    template: engine.KnowledgeBase, count: int, hs: Nomenclature, rng: random.Random
) -> engine.KnowledgeBase:
    requirements: dict[str, engine.Requirement] = {}
    scopes: list[engine.Scope] = []
    shipped = sorted(template.requirements.values(), key=lambda r: r.id)
    copy = 0
    while len(requirements) < count:
        move = Mover(hs, rng)
        swap = rng.random() < 0.5

        def market_of(market: str, swap=swap) -> str:
            return SWAP.get(market, market) if swap else market

        def origins_of(origins: tuple[str, ...], swap=swap) -> tuple[str, ...]:
            return tuple(SWAP.get(o, o) for o in origins) if swap else origins

        def rid(template_id: str, copy=copy) -> str:
            return f"{template_id}~{copy:04d}"

        for requirement in shipped[: count - len(requirements)]:
            market = market_of(requirement.market)
            requirements[rid(requirement.id)] = dataclasses.replace(
                requirement,
                id=rid(requirement.id),
                market=market,
                hs_prefixes=tuple(sorted({move(p) for p in requirement.hs_prefixes})),
                origins=varied_origins(origins_of(requirement.origins), market, rng),
                conditions=tuple(
                    varied_condition(c, template, rng) for c in requirement.conditions
                ),
                prerequisites=tuple(rid(p) for p in requirement.prerequisites),
            )
        for scope in template.scopes:
            scopes.append(
                dataclasses.replace(
                    scope,
                    market=market_of(scope.market),
                    hs_prefixes=tuple(sorted({move(p) for p in scope.hs_prefixes})),
                    origins=origins_of(scope.origins),
                )
            )
        copy += 1
    # the last copy is cut short: drop prerequisites it did not reach
    for key, requirement in requirements.items():
        if any(p not in requirements for p in requirement.prerequisites):
            requirements[key] = dataclasses.replace(
                requirement,
                prerequisites=tuple(p for p in requirement.prerequisites if p in requirements),
            )
    return engine.KnowledgeBase(
        requirements=requirements,
        evidence=dict(template.evidence),
        attribute_types=dict(template.attribute_types),
        markets=set(template.markets) | {"SG", "CN"},
        attribute_choices=dict(template.attribute_choices),
        attribute_units=dict(template.attribute_units),
        scopes=tuple(scopes),
    )


def random_product(
    kb: engine.KnowledgeBase, requirements: list[engine.Requirement], hs: Nomenclature, rng
) -> engine.Product:
    """A product within a random requirement's HS prefixes (four in five) or anywhere."""
    requirement = rng.choice(requirements)
    if requirement.hs_prefixes and rng.random() < 0.8:
        prefix = rng.choice(requirement.hs_prefixes)
        code = rng.choice([c for c in hs.codes if c.startswith(prefix)])
        destination = requirement.market
    else:
        code = rng.choice(hs.codes)
        destination = rng.choice(("SG", "CN"))
    if rng.random() < 0.05:
        code = code[:4]
    if requirement.origins and requirement.market == destination and rng.random() < 0.7:
        origin = rng.choice([o for o in requirement.origins if o != destination] or ["MY"])
    else:
        origin = rng.choice([o for o in ORIGINS if o != destination])
    attributes: dict[str, str | float] = {}
    for name, kind in kb.attribute_types.items():
        if rng.random() < 0.5:
            continue
        if kind == "number":
            attributes[name] = float(rng.choice((2, 7.5, 12, 2500, 3500, 7500, 16000, 32000)))
        elif kb.attribute_choices.get(name):
            attributes[name] = rng.choice(kb.attribute_choices[name])
    evidence = sorted(kb.evidence)
    return engine.Product(
        hs_code=code,
        origin=origin,
        destination=destination,
        attributes=attributes,
        held=frozenset(rng.sample(evidence, rng.randint(0, 12))),
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
    """Coverage without any index: every declared scope, then every requirement."""
    code, best = product.hs_code, engine.NOT_COVERED
    for scope in kb.scopes:
        if scope.market != product.destination:
            continue
        if scope.origins and product.origin not in scope.origins:
            continue
        if any(code.startswith(prefix) for prefix in scope.hs_prefixes):
            if scope.coverage == engine.COVERED:
                return engine.COVERED
            best = engine.PARTIAL
        elif any(prefix.startswith(code) for prefix in scope.hs_prefixes):
            best = engine.PARTIAL
    if best != engine.NOT_COVERED:
        return best
    for requirement in kb.requirements.values():
        if requirement.market != product.destination:
            continue
        if requirement.origins and product.origin not in requirement.origins:
            continue
        if any(engine._prefix_matches(p, code) for p in requirement.hs_prefixes):
            return engine.PARTIAL
    return engine.NOT_COVERED


# --- timing --------------------------------------------------------------------------------


class FullCollections:
    """Counts Python's full (generation 2) garbage collections and their pauses: the rare
    slow assessment is one during which the collector walked the whole heap."""

    def __init__(self):
        self.count, self.pauses, self._began = 0, [], 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.count += 1
            self.pauses.append((time.perf_counter() - self._began) * 1000)


def timed_side_by_side(kb, products, collections: FullCollections):
    """Per product, one indexed assessment then one naive one, timed; the answers are
    compared at once and not kept (a server holds one answer at a time, not thousands)."""
    indexed, naive, with_collection = [], [], []
    considered, applicable, unmet, coverage = [], [], [], {c: 0 for c in engine.COVERAGES}
    for product in products:
        before = collections.count
        began = time.perf_counter()
        answer = engine.assess(kb, product)
        indexed.append((time.perf_counter() - began) * 1000)
        with_collection.append(collections.count > before)
        began = time.perf_counter()
        baseline = naive_assess(kb, product)
        naive.append((time.perf_counter() - began) * 1000)
        if answer != baseline:
            raise SystemExit(f"The indexed engine and the naive baseline disagree on {product}.")
        considered.append(len(answer.requirements))
        applicable.append(sum(s.status != engine.NOT_APPLICABLE for s in answer.requirements))
        unmet.append(len(answer.roadmap))
        coverage[answer.coverage] += 1
    return indexed, naive, with_collection, (considered, applicable, unmet, coverage)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requirements", type=int, default=20_000)
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="cProfile the indexed engine")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    hs = nomenclature()
    template = shipped_kb()
    began = time.perf_counter()
    kb = synthetic_kb(template, args.requirements, hs, rng)
    built = time.perf_counter() - began
    began = time.perf_counter()
    engine.build_index(kb)
    indexed_in = time.perf_counter() - began
    requirements = sorted(kb.requirements.values(), key=lambda r: r.id)
    products = [random_product(kb, requirements, hs, rng) for _ in range(args.products)]

    load = os.getloadavg()
    print(
        f"HS 2022: {len(hs.chapters)} chapters, {sum(map(len, hs.headings.values())):,} "
        f"headings, {len(hs.codes):,} subheadings. Load average {load[0]:.2f} (1 min), "
        f"{load[1]:.2f} (5 min) at the start."
    )
    per_market = {m: sum(r.market == m for r in requirements) for m in sorted(kb.markets)}
    print(
        f"Knowledge base: {len(kb.requirements):,} requirements synthesised from the "
        f"{len(template.requirements)} shipped ones "
        f"({', '.join(f'{m} {n:,}' for m, n in per_market.items())}); "
        f"{sum(bool(r.conditions) for r in requirements):,} with conditions, "
        f"{sum(bool(r.prerequisites) for r in requirements):,} with prerequisites, "
        f"{sum(bool(r.origins) for r in requirements):,} for some origins only; "
        f"{len(kb.scopes):,} coverage scopes (built in {built:.2f} s, indexed in "
        f"{indexed_in * 1000:.0f} ms)"
    )
    for function in (engine.assess, naive_assess):  # warm-up
        for product in products[:20]:
            function(kb, product)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for product in products:
            engine.assess(kb, product)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    collections = FullCollections()
    gc.callbacks.append(collections)
    try:
        indexed_times, naive_times, with_collection, shape = timed_side_by_side(
            kb, products, collections
        )
    finally:
        gc.callbacks.remove(collections)

    considered, applicable, unmet, coverage = shape
    print(
        f"Assessments: {len(products):,} products; per product "
        f"{statistics.mean(considered):.0f} requirements considered on average "
        f"(max {max(considered)}), {statistics.mean(applicable):.1f} applicable "
        f"(max {max(applicable)}), {statistics.mean(unmet):.1f} on the roadmap "
        f"(max {max(unmet)}); coverage "
        f"{', '.join(f'{c} {n:,}' for c, n in coverage.items())}; "
        "both engines give the same answers."
    )
    print(f"{'':24}{'median ms':>12}{'p95 ms':>10}{'max ms':>10}")
    for label, times in (
        ("indexed engine", indexed_times),
        ("naive linear scan", naive_times),
    ):
        print(
            f"{label:24}{statistics.median(times):>12.3f}{percentile(times, 0.95):>10.3f}"
            f"{max(times):>10.3f}"
        )
    quiet = [
        t for t, collected in zip(indexed_times, with_collection, strict=True) if not collected
    ]
    print(
        f"Full garbage collections while timing: {collections.count} (longest pause "
        f"{max(collections.pauses, default=0):.1f} ms); {sum(with_collection)} fell in an "
        f"indexed assessment; its max without them: {max(quiet):.3f} ms."
    )
    speedup = statistics.median(naive_times) / statistics.median(indexed_times)
    print(f"Speed-up of the median: {speedup:.1f}x")
    load = os.getloadavg()
    p95 = percentile(indexed_times, 0.95)
    met = p95 < TARGET_P95_MS
    print(
        f"Target: p95 < {TARGET_P95_MS:.0f} ms for the indexed engine: "
        f"{'met' if met else 'NOT met'} ({p95:.3f} ms). "
        f"Load average {load[0]:.2f} (1 min) at the end."
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
