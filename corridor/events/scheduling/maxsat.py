"""The exact part of the meeting scheduler: the problem as weighted MaxSAT (PySAT), after
Bofill, Coll, Garcia, Giráldez-Cru, Pesant, Suy and Villaret, "Constraint solving
approaches to the business-to-business meeting scheduling problem", JAIR 74 (2022).
Part of `corridor.events.scheduling`; no Django import.

Variables: x(m,t) meeting m takes slot t (only slots of its domain); used(p,t) participant
p meets someone in slot t; held(p,t) p has met someone earlier that day (at or before t);
hole(p,t) slot t is the last idle slot of a break of p (idle at t, met before, meets at
t+1). Every break of p makes exactly one hole(p,t) true, so "minimise the true holes" is
"minimise breaks": each ¬hole(p,t) is a soft clause of weight 1. Interpreters are hard
cardinality rows over the x(m,t) of one slot (`Index.rows`, see interpreters.py), so the
optimum is proven with them; precedences are hard clauses (precedence.cnf).

Implied constraints (they change no solution, they make the solver prove bounds sooner;
the paper needed them to solve its hard instances):
- p uses exactly |M_p| slots (mode "all");
- at most 2 * tables participants are busy in a slot (with `implied_apart`, left to each
  SAT call: search.py's strategies write these rows or leave them out, which made single
  calls up to 20 times faster or slower depending on the instance);
- windows: if p meets at t and at t' >= t + |M_p|, some break of p lies between;
- reversal symmetry: when the problem reads the same backwards (no sessions, forbidden
  slots, fixed meetings, precedences or days to tell the directions apart, no previous schedule), one
  meeting is put in the first half.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from pysat.card import CardEnc, EncType, ITotalizer
from pysat.examples.rc2 import RC2
from pysat.formula import WCNF, IDPool

from corridor.events.scheduling.core import Index
from corridor.events.scheduling.matching import largest_matching
from corridor.events.scheduling.precedence import cnf as precedence_cnf

PAIRWISE_UP_TO = 6


@dataclass
class BreakModel:
    """The CNF of one problem; `soft` pairs a literal to keep true with its weight."""

    ix: Index
    pool: IDPool = field(default_factory=IDPool)
    hard: list[list[int]] = field(default_factory=list)
    soft: list[tuple[int, int]] = field(default_factory=list)
    x: dict[tuple[int, int], int] = field(default_factory=dict)
    placed: dict[int, int] = field(default_factory=dict)
    used: dict[tuple[int, int], int] = field(default_factory=dict)
    holes_of: list[list[int]] = field(default_factory=list)
    # implied "at most" rows (literals, bound) left for the caller to write, each SAT call
    # of search.py in its own encoding or not at all (build_model's `implied_apart`)
    rows: list[tuple[list[int], int]] = field(default_factory=list)

    def new(self) -> int:
        return self.pool.id()

    def at_most(self, lits: list[int], bound: int, encoding: int = EncType.seqcounter) -> None:
        if len(lits) <= bound:
            return
        if bound == 0:
            self.hard.extend([-lit] for lit in lits)
            return
        if bound == 1 and len(lits) <= PAIRWISE_UP_TO:
            encoding = EncType.pairwise
        self.hard.extend(CardEnc.atmost(lits, bound, vpool=self.pool, encoding=encoding).clauses)

    def exactly(self, lits: list[int], bound: int, encoding: int = EncType.seqcounter) -> None:
        if bound == 1 and len(lits) <= PAIRWISE_UP_TO:
            encoding = EncType.pairwise
        self.hard.extend(CardEnc.equals(lits, bound, vpool=self.pool, encoding=encoding).clauses)

    def slot_of(self, model: list[int] | set[int]) -> dict[int, int]:
        """Meeting position -> slot in a solver model."""
        true = model if isinstance(model, set) else {lit for lit in model if lit > 0}
        return {m: t for (m, t), var in self.x.items() if var in true}


def build_model(
    ix: Index,
    *,
    fairness: int | None,
    fairness_cap: bool,
    require_all: bool,
    previous_slot: dict[int, int] | None = None,
    move_weight: int = 1,
    windows: bool = True,
    intervals: bool = True,
    symmetry: bool = True,
    card: int = EncType.seqcounter,
    placed_weights: dict[int, int] | None = None,
    implied_apart: bool = False,
) -> BreakModel:
    """The CNF. `require_all`: every meeting takes a slot (mode "all"); otherwise a meeting
    may stay unplaced. `fairness_cap`: fairness is "at most d breaks each" rather than
    "max - min <= d". `previous_slot` adds one soft clause per meeting "stay where you
    were", of weight `move_weight`. `placed_weights` adds a soft clause "placed" per
    meeting with that weight (mode "max"). `implied_apart`: the implied "at most 2 * tables
    busy" rows go to `model.rows` instead of the clauses."""
    model = BreakModel(ix=ix)
    n_slots = ix.n_slots
    for m, domain in enumerate(ix.domain):
        lits = [model.x.setdefault((m, t), model.new()) for t in domain]
        if require_all:
            model.hard.append(lits)
            model.at_most(lits, 1)
        else:
            placed = model.placed[m] = model.new()
            model.hard.append([-placed, *lits])
            model.hard.extend([-lit, placed] for lit in lits)
            model.at_most(lits, 1)
    for p, meetings in enumerate(ix.of_person):
        _participant(
            model,
            p,
            meetings,
            require_all=require_all,
            windows=windows,
            intervals=intervals,
            card=card,
        )
    for t in range(n_slots):
        lits = [model.x[m, t] for m in range(ix.n_meetings) if (m, t) in model.x]
        model.at_most(lits, ix.tables, card)
        busy = [model.used[p, t] for p in range(len(ix.people)) if (p, t) in model.used]
        if implied_apart:
            if len(busy) > 2 * ix.tables:
                model.rows.append((busy, 2 * ix.tables))
        else:
            model.at_most(busy, 2 * ix.tables, card)
    for t, members, cap in ix.rows:  # interpreters: see interpreters.py
        model.at_most([model.x[m, t] for m in members if (m, t) in model.x], cap, card)
    if ix.precedences:  # meetings in order: see precedence.py
        model.hard.extend(
            precedence_cnf(ix.precedences, model.x, ix.domain, require_all=require_all)
        )
    if fairness is not None:
        _fairness(model, fairness, cap=fairness_cap)
    if symmetry and previous_slot is None and _reads_backwards(ix):
        _first_half(model)
    for holes in model.holes_of:
        model.soft.extend((-hole, 1) for hole in holes)
    if previous_slot:
        for m, t in previous_slot.items():
            if (m, t) in model.x:
                model.soft.append((model.x[m, t], move_weight))
    if placed_weights:
        for m, weight in placed_weights.items():
            if weight > 0:
                model.soft.append((model.placed[m], weight))
    return model


def _participant(
    model: BreakModel,
    p: int,
    meetings: list[int],
    *,
    require_all: bool,
    windows: bool,
    intervals: bool,
    card: int,
) -> None:
    """used(p,t), one meeting per slot, the implied slot count, held and holes of p."""
    ix = model.ix
    holes: list[int] = []
    model.holes_of.append(holes)
    if not meetings:
        return
    used_lits = []
    for t in range(ix.n_slots):
        lits = [model.x[m, t] for m in meetings if (m, t) in model.x]
        if not lits:
            continue
        used = model.used[p, t] = model.new()
        used_lits.append(used)
        model.hard.extend([-lit, used] for lit in lits)
        model.hard.append([-used, *lits])
        model.at_most(lits, 1)
    if require_all and len(used_lits) > len(meetings):
        model.exactly(used_lits, len(meetings), card)
    if len(meetings) < 2:
        return
    held_of: dict[int, int] = {}
    hole_at: dict[int, int] = {}
    for day in ix.day_runs():
        previous = None
        for t in day:
            held = held_of[t] = model.new()
            used = model.used.get((p, t))
            if used is not None:
                model.hard.append([-used, held])
            if previous is not None:
                model.hard.append([-previous, held])
            model.hard.append([-held, *([used] if used else []), *([previous] if previous else [])])
            previous = held
        for t, after in zip(day, day[1:], strict=False):
            used_after = model.used.get((p, after))
            if used_after is None:
                continue
            hole = model.new()
            used = model.used.get((p, t))
            model.hard.append([hole, -held_of[t], -used_after, *([used] if used else [])])
            if used is not None:
                model.hard.append([-hole, -used])
            model.hard.append([-hole, used_after])
            model.hard.append([-hole, held_of[t]])
            holes.append(hole)
            hole_at[t] = hole
        if windows and require_all:
            _windows(model, p, day, len(meetings), hole_at)
    if intervals and require_all and len(ix.day_runs()) == 1:
        _interval(model, p, len(meetings), holes)


def _windows(model: BreakModel, p: int, day: list[int], span: int, hole_at: dict[int, int]) -> None:
    """used(p,t) and used(p,t') with t' >= t + |M_p| imply a break of p in between."""
    for i, t in enumerate(day):
        if (p, t) not in model.used:
            continue
        for later in day[i + span :]:
            if (p, later) not in model.used:
                continue
            between = [hole_at[s] for s in day if t < s < later and s in hole_at]
            model.hard.append([-model.used[p, t], -model.used[p, later], *between])


def _interval(model: BreakModel, p: int, span: int, holes: list[int]) -> None:
    """A participant without breaks meets in one run of |M_p| consecutive slots: calm(p)
    (no hole of p) implies one start(p,s), and start(p,s) fixes used(p,.) to the run from
    s. The solver can then decide where a participant's run lies, one decision instead of
    |M_p|, which made the calls at the optimum 3-8 times faster (tic-13crafc, forumt-14)."""
    ix = model.ix
    used = model.used
    calm = model.new()
    model.hard.extend([-calm, -hole] for hole in holes)
    model.hard.append([*holes, calm])
    starts = []
    for first in range(ix.n_slots - span + 1):
        run = range(first, first + span)
        if not all((p, t) in used for t in run):
            continue
        start = model.new()
        starts.append((first, start))
        for t in range(ix.n_slots):
            if (p, t) in used:
                model.hard.append([-start, used[p, t]] if t in run else [-start, -used[p, t]])
    model.hard.append([-calm, *(start for _, start in starts)])
    for t in range(ix.n_slots):
        if (p, t) in used:
            covering = [start for first, start in starts if first <= t < first + span]
            model.hard.append([-used[p, t], -calm, *covering])


def _fairness(model: BreakModel, d: int, *, cap: bool) -> None:
    """max - min <= d over participants with meetings, or a plain cap of d breaks each."""
    ix = model.ix
    counters = []
    for p, holes in enumerate(model.holes_of):
        if not ix.of_person[p]:
            continue
        if cap:
            model.at_most(holes, d)
            continue
        counters.append(holes)
    if cap or not counters:
        return
    top = max(len(h) for h in counters)
    if top <= d:
        return
    outputs = []
    for holes in counters:
        if not holes:
            outputs.append([])
            continue
        tot = ITotalizer(lits=holes, ubound=len(holes), top_id=model.pool.top)
        model.pool.occupy(model.pool.top + 1, tot.top_id)
        model.pool.top = max(model.pool.top, tot.top_id)
        model.hard.extend(tot.cnf.clauses)
        outputs.append(list(tot.rhs))
    # at_least[k]: every participant has at least k breaks.
    for k in range(1, top - d + 1):
        at_least = model.new()
        for rhs in outputs:
            model.hard.append([-at_least, rhs[k - 1]] if len(rhs) >= k else [-at_least])
        for rhs in outputs:
            if len(rhs) >= k + d:
                model.hard.append([-rhs[k + d - 1], at_least])


def _reads_backwards(ix: Index) -> bool:
    """True when reversing the slots maps every solution onto a solution."""
    n = ix.n_slots
    if any(f is not None for f in ix.fixed) or len(set(ix.day_of)) > 1 or ix.precedences:
        return False
    if ix.rows and {(n - 1 - t, ms, cap) for t, ms, cap in ix.rows} != set(ix.rows):
        return False
    return all(tuple(sorted(n - 1 - t for t in dom)) == dom for dom in ix.domain)


def _first_half(model: BreakModel) -> None:
    """Break the reversal symmetry: the busiest participant's first meeting takes a slot in
    the first half (any schedule or its mirror image does that, with the same breaks)."""
    ix = model.ix
    if not ix.n_meetings:
        return
    m = max(
        range(ix.n_meetings),
        key=lambda i: len(ix.of_person[ix.ends[i][0]]) + len(ix.of_person[ix.ends[i][1]]),
    )
    late = [model.x[m, t] for t in ix.domain[m] if t > (ix.n_slots - 1) // 2]
    model.hard.extend([-lit] for lit in late)


def break_floors(ix: Index, deadline: float) -> list[int]:
    """Per participant, the fewest breaks that participant's own meetings and unavailable
    slots allow, everyone else ignored: a proven lower bound per participant, whose sum
    bounds the total. Participants not reached by the time.monotonic() `deadline` get 0."""
    floors = [0] * len(ix.people)
    for p, meetings in enumerate(ix.of_person):
        if len(meetings) < 2 or time.monotonic() > deadline:
            continue
        if _fits_one_block(ix, meetings):
            continue
        floors[p] = _alone_optimum(ix, p, meetings)
    return floors


def _fits_one_block(ix: Index, meetings: list[int]) -> bool:
    """Can these meetings take consecutive slots of one day, each in its domain?"""
    span = len(meetings)
    for day in ix.day_runs():
        for first in range(len(day) - span + 1):
            window = set(day[first : first + span])
            if meetings_fit(ix, meetings, window):
                return True
    return False


def meetings_fit(ix: Index, meetings: list[int], slots: set[int]) -> bool:
    """A slot of `slots` for every meeting (within its domain), all different."""
    matched = largest_matching(
        meetings, lambda m: (t for t in ix.domain[m] if t in slots), every=True
    )
    return matched is not None


def _alone_optimum(ix: Index, p: int, meetings: list[int]) -> int:
    """Fewest breaks of participant p when only p's own meetings count (small MaxSAT)."""
    others = sorted({q for m in meetings for q in ix.ends[m]})
    position = {q: i for i, q in enumerate(others)}
    sub = Index(
        problem=ix.problem,
        n_slots=ix.n_slots,
        tables=len(meetings),
        people=[ix.people[q] for q in others],
        meeting_keys=[ix.meeting_keys[m] for m in meetings],
        ends=[(position[ix.ends[m][0]], position[ix.ends[m][1]]) for m in meetings],
        domain=[ix.domain[m] for m in meetings],
        weight=[1] * len(meetings),
        fixed=[ix.fixed[m] for m in meetings],
        of_person=[[] for _ in others],
        day_of=ix.day_of,
        dropped={},
    )
    for i, (a, b) in enumerate(sub.ends):
        sub.of_person[a].append(i)
        sub.of_person[b].append(i)
    model = build_model(sub, fairness=None, fairness_cap=True, require_all=True, symmetry=False)
    formula = WCNF()
    for clause in model.hard:
        formula.append(clause)
    for hole in model.holes_of[position[p]]:
        formula.append([-hole], weight=1)
    with RC2(formula, solver="g4") as rc2:
        return 0 if rc2.compute() is None else rc2.cost
