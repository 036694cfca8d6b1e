"""Benchmark of the event day's re-plan (corridor/events/scheduling/replan.py), in one process.

On each B2B instance of ../shared/data/b2b (Bofill et al., JAIR 2022): the greedy schedule
stands for the published agenda (the meetings it leaves out are the waiting requests); the
day is a third gone (those slots have begun). Then, seeded, (a) one meeting still to come is
cancelled, (b) one participant is absent for the rest of the day. For each, the meetings
moved (left their slot or lost it; the cancelled one and the absent participant's
aside, which must) and the weight placed by

- the re-plan: most weight, then fewest moves (one HiGHS MIP with a stay weight);
- the baseline: the scheduler's own mode "max" on the same problem (most weight, then
  fewest breaks; it does not count moves).

Target: the same weight as the baseline, and no meeting moved by a cancellation unless a
waiting request takes a slot (then as few as that needs); an absence moves only the absent
participant's meetings.

    .venv/bin/python bench/replan.py                 # about a minute
"""

import argparse
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corridor.events import scheduling  # noqa: E402
from corridor.events.scheduling.replan import replan  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "b2b"


def day_problem(problem, previous, started, *, cancel=None, absent=None):
    """What can still change: meetings not begun (placed or waiting), started slots closed."""
    closed = set(range(started))
    meetings = tuple(
        m
        for m in problem.meetings
        if m.key != cancel and not (m.key in previous and previous[m.key] < started)
    )
    forbidden = {
        p: frozenset(problem.forbidden.get(p, frozenset()) | closed) for p in problem.participants
    }
    if absent is not None:
        forbidden[absent] = frozenset(range(problem.slots))
    keys = {m.key for m in meetings}
    return replace(
        problem,
        meetings=tuple(replace(m, fixed_slot=None) for m in meetings),
        forbidden=forbidden,
        previous={k: t for k, t in previous.items() if k in keys} or None,
        fairness=None,
        mode="max",
        time_limit=20.0,
    )


def moved(previous: dict, slot_of: dict, forced: set) -> int:
    """Meetings that left their slot (or lost it), those that had to aside."""
    return sum(1 for key, t in previous.items() if key not in forced and slot_of.get(key) != t)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    rng = random.Random(15)
    print(
        f"{'instance':<16}{'change':<10}{'re-plan moved':>14}{'weight':>8}{'s':>6}"
        f"{'baseline moved':>16}{'weight':>8}{'s':>6}{'waiting placed':>16}"
    )
    for path in sorted(DATA.glob("*.dzn")):
        name = path.name.split(".")[0]
        if args.only and args.only not in name:
            continue
        problem = scheduling.read_dzn(path.read_text(), time_limit=20.0)
        first = scheduling.greedy(problem)
        previous = dict(first.slot_of)
        started = problem.slots // 3
        coming = sorted(k for k, t in previous.items() if t >= started)
        if not coming:
            continue
        cancel = rng.choice(coming)
        people = sorted({p for m in problem.meetings if m.key in coming for p in (m.a, m.b)})
        absent = rng.choice(people)
        for change, kwargs in (("cancel", {"cancel": cancel}), ("absent", {"absent": absent})):
            sub = day_problem(problem, previous, started, **kwargs)
            held = {k for k, t in previous.items() if t < started}
            forced = (
                {m.key for m in problem.meetings if absent in (m.a, m.b)}
                if change == "absent"
                else set()
            )
            before = {k: t for k, t in (sub.previous or {}).items()}
            began = time.monotonic()
            ours = replan(sub)
            ours_s = time.monotonic() - began
            began = time.monotonic()
            base = scheduling.solve(sub)
            base_s = time.monotonic() - began
            waiting = sum(1 for k in ours.schedule.slot_of if k not in before and k not in held)
            print(
                f"{name:<16}{change:<10}{moved(before, ours.schedule.slot_of, forced):>14}"
                f"{ours.schedule.weight:>8}{ours_s:>6.1f}"
                f"{moved(before, base.slot_of, forced):>16}{base.weight:>8}{base_s:>6.1f}{waiting:>16}"
            )


if __name__ == "__main__":
    main()
