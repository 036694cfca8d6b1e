"""A lower bound on the breaks of an event that no participant sees alone: the tables.
Part of `corridor.events.scheduling`; no Django import.

`break_floors` (maxsat.py) bounds each participant alone, by its own meetings and
unavailable slots. When tables are scarce that bound is far off: on tic-13crafc (180
meetings, 10 slots, 19 tables, 14 participants booked in every slot) every participant
alone can meet without a break, yet the optimum is 4 breaks, and the SAT ladder spent
seven of its eight seconds refuting "at most 2" and "at most 3".

The relaxation: each participant picks the set of slots it is busy in (a "pattern": as
many slots as it has meetings, its meetings matched into them within their domains), at
a cost of that pattern's breaks, and in each slot at most 2 * tables participants are
busy (a meeting seats two participants at one table). Who meets whom is forgotten, so
every schedule gives a choice of patterns of the same breaks: the least total over the
choices is a lower bound on the breaks of every schedule. Participants alike (as many
meetings, the same slots open to each) share one set of patterns and a count, so the
program is small: on the ten-slot JAIR instances at most 2,000 columns, listed and
solved by HiGHS in 0.01-0.05 s (the linear relaxation; the integer program only when
that already beats the floors). It gives tic-13crafc its optimum, 4.

Kinds with too many patterns to list (long events, about half their slots booked) stay
out of the program with their own floors added: leaving out a participant's row and its
use of the slots only loosens the program, so the sum is still a bound. On the 21- and
22-slot forum instances that leaves most participants out and the bound at the floors;
a flow over (slot, meetings so far) per kind would reach them, not done.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
from highspy import _core as highs_core

from corridor.events.scheduling.core import Index, count_breaks
from corridor.events.scheduling.maxsat import meetings_fit

PATTERNS_PER_KIND = 1_000  # C(open slots, meetings) beyond this: the participants stay out
PATTERNS = 2_000  # all kinds together: about 0.03-0.05 s to list and solve (2026-12-06)


def capacity_floor(ix: Index, floors: list[int], deadline: float) -> int:
    """A lower bound on the total breaks, at least sum(`floors`) (the per-participant
    floors of maxsat.break_floors), computed by the time.monotonic() `deadline`: the
    program's linear relaxation, and when that already beats the floors (the tables do
    bind) the integer program itself."""
    alone = sum(floors)
    capacity = 2 * ix.tables
    # participants alike (the same number of meetings, the same slots open to each) have
    # the same patterns: one kind, with a count of how many choose each pattern
    kinds: dict[tuple, list[int]] = {}
    for p, meetings in enumerate(ix.of_person):
        if meetings:
            key = tuple(sorted(tuple(sorted(ix.domain[m])) for m in meetings))
            kinds.setdefault(key, []).append(p)
    candidates = []
    for key, people in kinds.items():
        allowed = sorted(set().union(*key))
        count = math.comb(len(allowed), len(key))
        if count <= PATTERNS_PER_KIND:
            candidates.append((count, key, allowed, people))
    # the kinds with the fewest patterns first (the most booked participants, who fill
    # the slots), as many as the budget allows
    candidates.sort()
    patterns: list[tuple[int, tuple[int, ...], int]] = []  # (kind, slots, breaks)
    members: list[int] = []  # participants per kind
    inside: set[int] = set()
    could_be_busy = [0] * ix.n_slots  # participants of the program who may be busy in t
    for count, key, allowed, people in candidates:
        if len(patterns) + count > PATTERNS or time.monotonic() >= deadline:
            break
        kind = len(members)
        members.append(len(people))
        everywhere = all(len(domain) == len(allowed) for domain in key)
        meetings = ix.of_person[people[0]]  # alike: one participant's meetings stand for all
        for busy in itertools.combinations(allowed, len(key)):
            if everywhere or meetings_fit(ix, meetings, set(busy)):
                patterns.append((kind, busy, count_breaks(list(busy), ix.day_of)))
        inside.update(people)
        for t in allowed:
            could_be_busy[t] += len(people)
    # where the slots' capacity cannot bind, the program's optimum is the floors' sum
    if all(count <= capacity for count in could_be_busy):
        return alone
    outside = sum(floors[p] for p in range(len(floors)) if p not in inside)
    if time.monotonic() >= deadline or not patterns:
        return alone
    highs = _pattern_program(ix, patterns, members, capacity)
    relaxed = _least_breaks(highs, deadline, integral=False)
    if relaxed is None or outside + relaxed <= alone:
        return alone
    highs.changeColsIntegrality(
        len(patterns),
        np.arange(len(patterns), dtype=np.int32),
        np.full(len(patterns), highs_core.HighsVarType.kInteger, dtype=np.uint8),
    )
    whole = _least_breaks(highs, deadline, integral=True)
    return outside + max(relaxed, whole or 0)


def _pattern_program(
    ix: Index,
    patterns: list[tuple[int, tuple[int, ...], int]],
    members: list[int],
    capacity: int,
):
    """HiGHS holding the program, continuous: one column per (kind, pattern) counting the
    kind's participants who take it, at a cost of its breaks; each kind's `members`
    participants take one pattern each, at most `capacity` participants busy per slot."""
    of_kind: list[list[int]] = [[] for _ in members]
    at_slot: list[list[int]] = [[] for _ in range(ix.n_slots)]
    for i, (kind, busy, _) in enumerate(patterns):
        of_kind[kind].append(i)
        for t in busy:
            at_slot[t].append(i)
    starts, index, lower, upper = [], [], [], []
    for kind, columns in enumerate(of_kind):  # one pattern per participant of the kind
        starts.append(len(index))
        index.extend(columns)
        lower.append(float(members[kind]))
        upper.append(float(members[kind]))
    for columns in at_slot:  # at most `capacity` busy in a slot
        starts.append(len(index))
        index.extend(columns)
        lower.append(0.0)
        upper.append(float(capacity))
    count = len(patterns)
    highs = highs_core._Highs()  # the public subclass prints a banner on stdout
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.addCols(
        count,
        np.array([float(breaks) for _, _, breaks in patterns]),
        np.zeros(count),
        np.array([float(members[kind]) for kind, _, _ in patterns]),
        0,
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.float64),
    )
    highs.addRows(
        len(lower),
        np.array(lower, dtype=np.float64),
        np.array(upper, dtype=np.float64),
        len(index),
        np.array(starts, dtype=np.int32),
        np.array(index, dtype=np.int32),
        np.ones(len(index), dtype=np.float64),
    )
    return highs


def _least_breaks(highs, deadline: float, *, integral: bool) -> int | None:
    """The program's least total breaks, rounded up (the LP's optimum, or with integral
    columns HiGHS's dual bound by the deadline); None when HiGHS proves nothing (no bound
    by then, or no choice fits: the search proves that event infeasible itself)."""
    if time.monotonic() >= deadline:
        return None
    highs.setOptionValue("time_limit", max(0.05, deadline - time.monotonic()))
    highs.run()
    status = highs.getModelStatus()
    if status == highs_core.HighsModelStatus.kInfeasible:
        return None
    info = highs.getInfo()
    if not integral:
        if status != highs_core.HighsModelStatus.kOptimal:
            return None
        return math.ceil(info.objective_function_value - 1e-6)
    bound = float(info.mip_dual_bound)
    if not math.isfinite(bound):
        return None
    return math.ceil(bound - 1e-6)  # the breaks are whole
