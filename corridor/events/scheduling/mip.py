"""Mode "max" of the meeting scheduler: which requests to place when they do not all fit,
as a mixed-integer program solved by HiGHS. Part of `corridor.events.scheduling`; no
Django import.

Maximise the placed weight. x(m,t) = 1 when meeting m takes slot t (only slots of its
domain); at most one slot per meeting (exactly one for a fixed meeting), at most one
meeting per participant and slot, at most `tables` meetings per slot, the interpreter
rows of interpreters.py (`Index.rows`), the precedence rows of precedence.py (`after` only
after a placed `before`). Fairness is the cap
"at most d breaks each", linear because a participant's breaks are its block starts minus
its days with a meeting: s(p,t) >= u(p,t) - u(p,t-1) with u(p,t) = sum of p's x(m,t),
h(p,day) <= min(1, meetings of p that day), sum s - sum h <= d. Only participants with
more than d + 1 requests get these rows; the others cannot exceed d breaks.

HiGHS's LP relaxation is tight here (the research note measured 14 s to optimality where
CP-SAT took 51 s on 300 participants / 2,000 requests), and its dual bound is the honest
upper bound the schedule's weight is compared with.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from highspy import _core as highs_core

from corridor.events.scheduling.core import Index
from corridor.events.scheduling.precedence import mip_rows as precedence_rows

# Beyond this HiGHS overruns its time limit: on the 2,000-participant / 20,000-request
# synthetic event (266,794 columns) it spent 59-73 s before the root LP's first iteration
# with a time limit of 35 s, and interrupt callbacks (simplex, IPM, MIP) were not called
# in that time either (2026-12-06). The greedy schedule stands for such events.
MAX_COLUMNS = 100_000


@dataclass
class WeightResult:
    slot_of: dict[int, int]
    weight: int
    bound: float
    optimal: bool


class _Rows:
    """Rows collected in CSR form."""

    def __init__(self):
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.starts: list[int] = []
        self.index: list[int] = []
        self.value: list[float] = []

    def add(self, columns: list[int], values: list[float], lower: float, upper: float) -> None:
        self.starts.append(len(self.index))
        self.index.extend(columns)
        self.value.extend(values)
        self.lower.append(lower)
        self.upper.append(upper)


def maximise_weight(
    ix: Index,
    *,
    cap: int | None,
    deadline: float,
    start: dict[int, int] | None = None,
    stay: dict[int, int] | None = None,
) -> WeightResult | None:
    """The weight-maximal placement under the rules, or the best one found by the
    time.monotonic() `deadline`; None when the model is too large or HiGHS found nothing.

    `stay` (meeting -> its current slot, re-planning the event day) makes the objective
    lexicographic: the most weight first, then the most meetings left where they are. Each
    meeting that stays earns 1 and each unit of weight earns more than all stays together,
    so no number of stays ever buys a unit of weight."""
    columns = [(m, t) for m in range(ix.n_meetings) for t in ix.domain[m]]
    if len(columns) > MAX_COLUMNS or time.monotonic() >= deadline:
        return None
    column_of = {key: i for i, key in enumerate(columns)}
    stay = stay or {}
    scale = len(stay) + 1
    cost = [float(ix.weight[m] * scale + (stay.get(m) == t)) for m, t in columns]
    upper = [1.0] * len(columns)
    integral = len(columns)
    rows = _Rows()
    for m in range(ix.n_meetings):
        lits = [column_of[m, t] for t in ix.domain[m]]
        fixed = 1.0 if ix.fixed[m] is not None and lits else 0.0  # none left: precedence.trim
        rows.add(lits, [1.0] * len(lits), fixed, 1.0)
    for t in range(ix.n_slots):
        lits = [column_of[m, t] for m in range(ix.n_meetings) if (m, t) in column_of]
        if len(lits) > ix.tables:
            rows.add(lits, [1.0] * len(lits), 0.0, float(ix.tables))
    for t, members, cap in ix.rows:  # interpreters: see interpreters.py
        lits = [column_of[m, t] for m in members if (m, t) in column_of]
        rows.add(lits, [1.0] * len(lits), 0.0, float(cap))
    for lits, values, low, high in precedence_rows(ix.precedences, column_of, ix.domain):
        rows.add(lits, values, low, high)  # meetings in order: see precedence.py
    extra_cost, extra_upper = [], []
    for meetings in ix.of_person:
        used = {}
        for t in range(ix.n_slots):
            lits = [column_of[m, t] for m in meetings if (m, t) in column_of]
            used[t] = lits
            if len(lits) > 1:
                rows.add(lits, [1.0] * len(lits), 0.0, 1.0)
        if cap is None or len(meetings) <= cap + 1:
            continue
        starts, days = [], []
        for day in ix.day_runs():
            previous = None
            for t in day:
                s = len(columns) + len(extra_cost)
                extra_cost.append(0.0)
                extra_upper.append(1.0)
                starts.append(s)
                # s >= u(t) - u(t-1)  <=>  s - u(t) + u(t-1) >= 0
                lits = [s, *used[t], *(used[previous] if previous is not None else [])]
                values = [1.0] + [-1.0] * len(used[t])
                values += [1.0] * (len(lits) - len(values))
                rows.add(lits, values, 0.0, float("inf"))
                previous = t
            h = len(columns) + len(extra_cost)
            extra_cost.append(0.0)
            extra_upper.append(1.0)
            days.append(h)
            day_lits = [c for t in day for c in used[t]]
            # h <= sum of the day's u
            rows.add([h, *day_lits], [1.0] + [-1.0] * len(day_lits), float("-inf"), 0.0)
        rows.add(starts + days, [1.0] * len(starts) + [-1.0] * len(days), float("-inf"), float(cap))
    highs = highs_core._Highs()  # the public subclass prints a banner on stdout
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    # the LP relaxations by interior point: on 300 participants / 2,000 requests the root LP
    # took dual simplex 17-23 s (18,336 iterations), so the bound stayed at the counting one;
    # with IPM the MIP reached weight 1,842 and its bound 1,846 within 10 s (2026-12-06)
    highs.setOptionValue("mip_lp_solver", "ipm")
    # with stays the objective must be exact: a gap of 1e-4 would let a move go unproven
    highs.setOptionValue("mip_rel_gap", 0.0 if stay else 1e-4)
    highs.setOptionValue("time_limit", max(0.1, deadline - time.monotonic()))
    all_cost = np.array(cost + extra_cost, dtype=np.float64)
    count = len(all_cost)
    highs.addCols(
        count,
        all_cost,
        np.zeros(count),
        np.array(upper + extra_upper, dtype=np.float64),
        0,
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.float64),
    )
    highs.changeColsIntegrality(
        integral,
        np.arange(integral, dtype=np.int32),
        np.full(integral, highs_core.HighsVarType.kInteger, dtype=np.uint8),
    )
    highs.addRows(
        len(rows.lower),
        np.array(rows.lower, dtype=np.float64),
        np.array(rows.upper, dtype=np.float64),
        len(rows.index),
        np.array(rows.starts, dtype=np.int32),
        np.array(rows.index, dtype=np.int32),
        np.array(rows.value, dtype=np.float64),
    )
    highs.changeObjectiveSense(highs_core.ObjSense.kMaximize)
    if start:
        chosen = [column_of[m, t] for m, t in start.items() if (m, t) in column_of]
        highs.setSolution(
            len(chosen), np.array(chosen, dtype=np.int32), np.ones(len(chosen), dtype=np.float64)
        )
    highs.run()
    info = highs.getInfo()
    solution = highs.getSolution()
    if not solution.value_valid:
        return None
    values = solution.col_value
    slot_of = {m: t for i, (m, t) in enumerate(columns) if values[i] > 0.5}
    bound = float(info.mip_dual_bound)
    weight = sum(ix.weight[m] for m in slot_of)
    if not math.isfinite(bound):  # stopped before HiGHS had a bound
        return WeightResult(slot_of=slot_of, weight=weight, bound=math.inf, optimal=False)
    value = weight * scale + sum(1 for m, t in slot_of.items() if stay.get(m) == t)
    optimal = math.floor(bound + 1e-6) <= value  # the objective is an integer
    return WeightResult(slot_of=slot_of, weight=weight, bound=bound / scale, optimal=optimal)
