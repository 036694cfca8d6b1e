"""The tables' lower bound on breaks (corridor/events/scheduling/bounds.py): never above
the fewest breaks a schedule can have, and above the per-participant floors where the
tables, not any one participant, force the breaks."""

import itertools
import random
import time
from pathlib import Path

import pytest

from corridor.events import scheduling
from corridor.events.scheduling.bounds import capacity_floor
from corridor.events.scheduling.core import build_index, count_breaks
from corridor.events.scheduling.maxsat import break_floors

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "b2b"
needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason="../shared/data/b2b is absent (CI clones have no shared data)"
)


def bounds(problem):
    ix = build_index(problem)
    floors = break_floors(ix, time.monotonic() + 10)
    return sum(floors), capacity_floor(ix, floors, time.monotonic() + 10)


def fewest_breaks(problem) -> int | None:
    """Every assignment of the meetings to their open slots, by brute force."""
    ix = build_index(problem)
    best = None
    for choice in itertools.product(*(sorted(ix.domain[m]) for m in range(ix.n_meetings))):
        if max(choice.count(t) for t in set(choice)) > ix.tables:
            continue
        slots = [[] for _ in ix.people]
        for m, t in enumerate(choice):
            for p in ix.ends[m]:
                slots[p].append(t)
        if any(len(set(s)) < len(s) for s in slots):
            continue
        breaks = sum(count_breaks(s, ix.day_of) for s in slots)
        best = breaks if best is None else min(best, breaks)
    return best


def test_three_meetings_of_a_triangle_at_one_table_force_a_break_no_one_sees_alone():
    # each participant alone meets twice back to back; but at one table the three meetings
    # take the three slots, and whoever meets in the first and the last slot waits
    problem = scheduling.Problem(
        participants=("a", "b", "c"),
        slots=3,
        tables=1,
        meetings=(
            scheduling.Meeting("ab", "a", "b"),
            scheduling.Meeting("bc", "b", "c"),
            scheduling.Meeting("ca", "c", "a"),
        ),
        fairness=None,
    )
    assert bounds(problem) == (0, 1)
    assert fewest_breaks(problem) == 1


def test_with_tables_enough_the_bound_is_the_participants_own():
    problem = scheduling.Problem(
        participants=("a", "b", "c"),
        slots=3,
        tables=3,
        meetings=(scheduling.Meeting("ab", "a", "b"), scheduling.Meeting("ac", "a", "c")),
        forbidden={"a": frozenset({1})},  # a's two meetings cannot be back to back
        fairness=None,
    )
    assert bounds(problem) == (1, 1)


def tight_event(seed: int) -> scheduling.Problem:
    """Six participants, four slots, two tables, seven or eight meetings: the tables full
    or nearly, some participants unavailable in one slot."""
    rng = random.Random(seed)
    people = [f"p{i}" for i in range(6)]
    pairs = list(itertools.combinations(people, 2))
    rng.shuffle(pairs)
    slots, tables = 4, 2
    return scheduling.Problem(
        participants=tuple(people),
        slots=slots,
        tables=tables,
        meetings=tuple(
            scheduling.Meeting(f"m{i}", a, b)
            for i, (a, b) in enumerate(pairs[: slots * tables - rng.randint(0, 1)])
        ),
        forbidden={p: frozenset({rng.randrange(slots)}) for p in people if rng.random() < 0.2},
        fairness=None,
    )


def test_the_bound_never_passes_the_fewest_breaks_and_the_tables_lift_it():
    lifted = 0
    for seed in range(16):
        problem = tight_event(seed)
        expected = fewest_breaks(problem)
        if expected is None:  # no schedule at all for this draw
            continue
        alone, tables = bounds(problem)
        assert alone <= tables <= expected, seed
        lifted += tables > alone
    assert lifted >= 1  # somewhere the tables force breaks no participant sees alone


@needs_data
def test_the_tables_bound_the_breaks_of_tic_13crafc_where_no_participant_alone_does():
    # 180 meetings in 10 slots at 19 tables: the proven optimum is 4 breaks (Bofill et al.)
    problem = scheduling.read_dzn((DATA / "tic-13crafc.original.dzn").read_text(), fairness=2)
    assert bounds(problem) == (0, 4)
