"""Benchmark of the meeting scheduler (corridor/events/scheduling/), in one process.

(a) Mode "all" on every B2B instance of ../shared/data/b2b (Bofill et al., JAIR 2022),
    fairness d = 2: breaks found, the proven optimum, whether ours is proven, seconds (wall
    clock, and CPU seconds of this process and its solver workers: the machine is shared,
    so a wall time far above the CPU time means other work took the cores), the paper's
    best time (MaxSAT, 3.1 GHz Xeon), seconds to the first valid schedule, and the greedy
    heuristic's breaks as the baseline. Targets: the optimum, proven, within the paper's
    (wall) time, and a first valid schedule in under 1 s.
(b) Mode "max" on synthetic events (seeded): Zipf-skewed popularity, 20 % of slots
    unavailable per participant, 30 % of participants there only in the morning or only in
    the afternoon, priorities must-meet = 3 / would-like = 1. Scheduled weight against the
    best upper bound (HiGHS's dual bound, or a counting bound), the gap in %, greedy's
    weight, seconds. Targets: 300 participants / 2,000 requests / 16 slots / 60 tables
    within 0.5 % of the bound in under 30 s; 2,000 / 20,000 / 24 / 300 valid in 60 s.
(c) With --shuffled N: each instance of (a) again with its meetings and participants
    listed in N seeded shuffled orders (the same problem; the solvers' times depend on
    the formula's variable numbering). Reported beside the file's order, not a target.

    .venv/bin/python bench/scheduling.py                   # about 3 minutes
    .venv/bin/python bench/scheduling.py --only tic-12 --skip-synthetic
    .venv/bin/python bench/scheduling.py --skip-synthetic --shuffled 5   # (c) too
"""

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corridor.events import scheduling  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "b2b"
# instance: (proven optimum with d = 2, the paper's best time in seconds)
KNOWN = {
    "forum-13": (0, 2.5),
    "forum-13crafc": (1, 2.3),
    "forum-14": (2, 5.1),
    "forumt-14": (5, 0.5),
    "forumt-14crafd": (4, 0.4),
    "tic-12": (0, 0.1),
    "tic-13": (0, 0.4),
    "tic-13crafc": (4, 5.8),
    "tic-14crafa": (0, 1.0),
    "ticf-13crafa": (0, 2.2),
}
FIRST_VALID_TARGET = 1.0
SYNTHETIC = (
    # participants, requests, slots, tables, time limit, target gap % (None: valid only)
    (300, 2_000, 16, 60, 30.0, 0.5),
    (2_000, 20_000, 24, 300, 60.0, None),
)


def load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def cpu_seconds() -> float:
    """CPU seconds of this process and of its ended children (the solver's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def instances(args) -> int:
    if not DATA.is_dir():
        print(f"(a) skipped: {DATA} is absent")
        return 0
    print(f"(a) mode all, fairness 2, time limit {args.time_limit:.0f} s per instance")
    header = (
        f"{'instance':16} {'breaks':>6} {'opt':>4} {'proven':>6} {'bound':>5} {'seconds':>8} {'cpu s':>6} "
        f"{'paper s':>7} {'first s':>7} {'greedy':>6}  targets (opt / proven / paper time / first < 1 s)"
    )
    print(header)
    missed = 0
    for path in sorted(DATA.glob("*.dzn")):
        name = path.name.split(".")[0]
        if args.only and name not in args.only:
            continue
        optimum, paper = KNOWN.get(name, (None, None))
        problem = scheduling.read_dzn(path.read_text(), fairness=2, time_limit=args.time_limit)
        baseline = scheduling.greedy(problem)
        cpu_before = cpu_seconds()
        result = scheduling.solve(problem)
        cpu = cpu_seconds() - cpu_before
        problems = scheduling.validate(problem, result)
        if problems:
            print(f"{name}: INVALID schedule: {problems[:3]}")
            missed += 1
            continue
        valid = result.status in ("optimal", "feasible")
        breaks = result.breaks if valid else None
        greedy_breaks = baseline.breaks if baseline.status == "feasible" else f"({baseline.breaks})"
        checks = [
            optimum is not None and breaks == optimum,
            result.optimal,
            paper is not None and result.seconds <= paper,
            valid and result.first_valid_seconds < FIRST_VALID_TARGET,
        ]
        missed += not all(checks)
        print(
            f"{name:16} {breaks!s:>6} {optimum!s:>4} {'yes' if result.optimal else 'no':>6} "
            f"{result.bound:>5.0f} {result.seconds:>8.2f} {cpu:>6.2f} {paper!s:>7} "
            f"{result.first_valid_seconds:>7.2f} {greedy_breaks!s:>6}  "
            + " / ".join(met(ok) for ok in checks)
        )
    print("    greedy in brackets: its schedule broke fairness or left meetings out (not valid)")
    return missed


def synthetic_event(
    participants: int, requests: int, slots: int, tables: int, seed: int
) -> scheduling.Problem:
    """A seeded event with the features of (b) in the docstring."""
    rng = random.Random(seed)
    people = [f"p{i}" for i in range(participants)]
    popularity = [1.0 / (rank + 1) ** 0.9 for rank in range(participants)]
    rng.shuffle(popularity)
    morning = frozenset(range(slots // 2))
    afternoon = frozenset(range(slots // 2, slots))
    forbidden = {}
    for p in people:
        blocked = {t for t in range(slots) if rng.random() < 0.2}
        draw = rng.random()
        if draw < 0.15:
            blocked |= afternoon
        elif draw < 0.30:
            blocked |= morning
        if blocked:
            forbidden[p] = frozenset(blocked)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < requests:
        a = rng.randrange(participants)
        b = rng.choices(range(participants), weights=popularity)[0]
        if a != b and (b, a) not in pairs:
            pairs.add((a, b))
    meetings = tuple(
        scheduling.Meeting(
            key=f"r{i}", a=people[a], b=people[b], weight=3 if rng.random() < 0.3 else 1
        )
        for i, (a, b) in enumerate(sorted(pairs))
    )
    return scheduling.Problem(
        participants=tuple(people),
        slots=slots,
        tables=tables,
        meetings=meetings,
        sessions={"am": morning, "pm": afternoon},
        forbidden=forbidden,
        fairness=2,
        mode="max",
    )


def synthetic(args) -> int:
    print("\n(b) mode max (more requests than fit), fairness 2, seeded synthetic events")
    print(
        f"{'event':26} {'weight':>7} {'bound':>8} {'gap %':>6} {'greedy':>7} {'greedy gap %':>12} "
        f"{'seconds':>8} {'first s':>7} {'placed':>6} {'breaks':>6}  target"
    )
    missed = 0
    for participants, requests, slots, tables, limit, target in SYNTHETIC:
        base = synthetic_event(participants, requests, slots, tables, seed=args.seed)
        problem = scheduling.Problem(**{**base.__dict__, "time_limit": limit})
        started = time.monotonic()
        baseline = scheduling.greedy(problem)
        result = scheduling.solve(problem)
        seconds = time.monotonic() - started - baseline.seconds
        problems = scheduling.validate(problem, result)
        valid = not problems and result.status in ("optimal", "feasible")
        gap = 100.0 * (result.bound - result.weight) / result.bound if result.bound else 0.0
        greedy_gap = (
            100.0 * (result.bound - baseline.weight) / result.bound if result.bound else 0.0
        )
        if target is None:
            ok = valid and seconds <= limit + 1
            goal = f"valid in {limit:.0f} s: {met(ok)}"
        else:
            ok = valid and gap <= target and seconds <= limit + 1
            goal = f"gap <= {target} % in {limit:.0f} s: {met(ok)}"
        missed += not ok
        label = f"{participants}/{requests}/{slots}/{tables}"
        print(
            f"{label:26} {result.weight:>7} {result.bound:>8.1f} {gap:>6.2f} {baseline.weight:>7} "
            f"{greedy_gap:>12.2f} {seconds:>8.2f} {result.first_valid_seconds:>7.2f} "
            f"{len(result.slot_of):>6} {result.breaks:>6}  {goal}"
        )
        if problems:
            print(f"    INVALID: {problems[:3]}")
    return missed


def shuffled(args) -> None:
    """(c) The same instances listed in other orders: meetings and participants shuffled
    (seeded). The problem is the same, the formula's variable numbering is not, and SAT
    solvers' run times depend on it; reported, not a target."""
    if not DATA.is_dir():
        return
    print(
        f"\n(c) each instance listed in {args.shuffled} shuffled orders, time limit "
        f"{args.time_limit:.0f} s: seconds per order ('!' not proven optimal), file order first"
    )
    for path in sorted(DATA.glob("*.dzn")):
        name = path.name.split(".")[0]
        if args.only and name not in args.only:
            continue
        optimum, paper = KNOWN.get(name, (None, None))
        base = scheduling.read_dzn(path.read_text(), fairness=2, time_limit=args.time_limit)
        times, within = [], 0
        for seed in range(args.shuffled + 1):
            meetings, people = list(base.meetings), list(base.participants)
            if seed:
                rng = random.Random(seed)
                rng.shuffle(meetings)
                rng.shuffle(people)
            problem = scheduling.Problem(
                **{**base.__dict__, "meetings": tuple(meetings), "participants": tuple(people)}
            )
            result = scheduling.solve(problem)
            proven = result.optimal and result.breaks == optimum
            within += seed > 0 and proven and paper is not None and result.seconds <= paper
            times.append(f"{result.seconds:.2f}{'' if proven else '!'}")
        print(
            f"{name:16} paper {paper!s:>4} s  file {times[0]:>6}  shuffled "
            + " ".join(f"{t:>6}" for t in times[1:])
            + f"  within paper time {within}/{args.shuffled}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--time-limit", type=float, default=60.0, help="seconds per instance in (a)"
    )
    parser.add_argument("--only", nargs="*", help="instance names for (a)")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--shuffled", type=int, default=0, help="(c): solve each instance in N shuffled orders"
    )
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, load average {load()} (other work skews the times)")
    missed = instances(args)
    if not args.skip_synthetic:
        missed += synthetic(args)
    if args.shuffled:
        shuffled(args)
    print(f"\nload average at the end: {load()}; targets missed: {missed}")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
