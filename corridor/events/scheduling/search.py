"""Minimising a count of true literals over a CNF, for the meeting scheduler: a ladder of
plain SAT calls "cost <= k" run by a portfolio of SAT solvers (PySAT) in worker
processes. Part of `corridor.events.scheduling`; no Django import.

Why this shape (measured on the JAIR 2022 instances, see bench/scheduling.py):
- The objective's optimum is small (0-6 breaks) and its lower bound is mostly *local*:
  a participant whose own meetings and unavailable slots force a break. `Objective.groups`
  carries one group of literals per participant with a proven lower bound each; at
  k = sum of the group bounds every group is capped at its own bound, which propagates far
  better than one global cardinality constraint, and is still exact (a schedule with that
  total must meet every group's bound exactly).
- A fresh solver per bound without assumptions simplifies the formula with the bound's
  unit clauses and was 3-6 times faster than the same calls under assumptions (RC2).
- The run time of one call differs by up to 20 times between solvers, and as much between
  ways of writing the implied rows of the model (see `Strategy`), with no way that wins
  everywhere. PySAT's bindings cannot be interrupted nor do they release the GIL in their
  limited mode, so the calls run in child processes: two at a time on a 2-core machine,
  ended by the parent when an answer makes them moot or the time is up. Both work on the
  lowest open bound, each with another strategy of `PORTFOLIO` (the first answer wins and
  the other call is ended). The first of them is a probe (`PROBE`): a third strategy
  given a small budget, which answers "unknown" when it runs out and leaves the bound to
  the next strategy (a short run first, then the long ones: an algorithm schedule).
  While no solution is known one worker looks for any solution with `FIRST`, the
  quickest to a first model. While the gap to the best schedule is wide
  (more than `WIDE_GAP`) and a bound has been refuted, or after `HALVING_SHARE` of the time,
  one worker proves upwards with the strategy that answered first last time, and the
  other halves the gap from above (sat calls find the better schedules of large events
  sooner than the proofs from below reach them).
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pysolvers
from pysat.card import CardEnc, EncType, ITotalizer
from pysat.formula import IDPool
from pysat.solvers import Cadical195, Glucose4, Solver

NATIVE = -1  # a Strategy's rows given to the solver as cardinality constraints


@dataclass(frozen=True)
class Strategy:
    """How one SAT call is made: the solver, and how the implied rows (`minimise`'s `rows`,
    e.g. "at most 2 * tables participants busy per slot") are written: a PySAT
    cardinality encoding, or None to leave them out."""

    solver: str
    rows: int | None = EncType.seqcounter
    # a probe: the call gives up ("unknown") after this many unit propagations
    budget: int | None = None

    @property
    def label(self) -> str:
        if self.rows is None:
            name = f"{self.solver}-rows"
        elif self.rows == EncType.seqcounter:
            name = self.solver
        else:
            name = f"{self.solver}/{self.rows}"
        return f"{name}~" if self.budget else name


# One formula can take one solver 10 times longer than another, and the same formula with
# the implied rows written another way or left out again 10 times longer or shorter, with
# no way that wins everywhere. CPU seconds of single calls (2026-12-06, three CaDiCaL
# seeds): "cost <= 1" on forum-13crafc took CaDiCaL with the busy rows as sequential
# counters more than 35 s, Glucose 4 without the rows 1.7 s; "cost <= 2" on forum-14
# 1.4-1.6 s and 7.8 s; the refutation of "cost <= 3" on tic-13crafc 4.7-7.6 s and more than
# 35 s. So the two workers race two strategies on the lowest open bound:
WRITTEN = Strategy("cd19", EncType.seqcounter)
WITHOUT = Strategy("g4", None)
# and first, a short try of a third (an algorithm schedule: short runs first, then the
# long ones): Gluecard 4 (Glucose 4 with native "at most" constraints) with the rows given
# as such. Alone it can be far slower than the other two where they do well (forum-13
# "cost <= 0": 15.8 s against 0.14 s) but it is fast where both do badly ("cost <= 4" on
# forumt-14crafd: 0.06-0.12 s of search against 0.36-0.86 s and 0.14-1.5 s, by variable
# order). Its budget, 3 million propagations, costs the others 0.2-0.4 s where it gives up.
PROBE = Strategy("gc4", NATIVE, budget=3_000_000)
PORTFOLIO: tuple[Strategy, ...] = (PROBE, WITHOUT, WRITTEN)
# above the lowest open bound (looking for better schedules from above)
ABOVE = WRITTEN
# Any model at all (no cost bound): CaDiCaL started from a near-solution (`hint`, the
# greedy schedule). CPU seconds over the ten JAIR instances (2026-12-06): at most 0.60
# (forum-13; 0.10-0.48 on the others), against Glucose 3 without a hint at most 1.29
# (tic-14crafa), Glucose 3 with it 1.07 (forum-14), CaDiCaL without it 5.02 (forum-14).
FIRST = WRITTEN
# After this share of the time, while the best schedule is further than WIDE_GAP above
# the lower bound, the second worker halves the gap (better schedules for large events).
HALVING_SHARE = 0.25
WIDE_GAP = 8
# "cost <= k" a little above the sum of the floors, capped per group (see _grouped): off.
# CaDiCaL's CPU seconds: the refutation of k = 3 on tic-13crafc 4.7 s against 6.0 s flat,
# but the model of k = 1 on forum-13crafc 45.6 s against 19.4 s flat.
GROUPED = False
GROUPED_UP_TO = 8
# Not done: starting later calls from the best model's phases made the calls at the
# optimum slower (forumt-14: 1.3 s against 0.26 s; forum-13: 2.6 s against 0.35 s;
# Glucose 4 on forumt-14crafd 2.2-2.6 s against 1.3-1.6 s).


@dataclass
class Objective:
    """Minimise the number of true literals of `groups` (lists of literals), knowing that
    group g has at least `floors[g]` true literals in any solution."""

    groups: list[list[int]]
    floors: list[int]

    @property
    def floor(self) -> int:
        return sum(self.floors)

    def literals(self) -> list[int]:
        return [lit for group in self.groups for lit in group]


@dataclass
class Outcome:
    """What the ladder proved and found: the best model (true literals of `keep`), its
    cost, the proven lower bound, and whether the hard clauses alone are unsatisfiable.
    `calls` lists the answered calls as (bound, solver, answer, seconds)."""

    model: set[int] | None = None
    cost: int | None = None
    lower: int = 0
    infeasible: bool = False
    seconds_to_first: float | None = None
    calls: list[tuple[int | None, str, str, float]] = field(default_factory=list)


def bound_clauses(objective: Objective, k: int | None, top: int) -> tuple[list[list[int]], int]:
    """Clauses for "cost <= k" (none for k None), with fresh variables above `top`."""
    if k is None:
        return [], top
    pool = IDPool(start_from=top + 1)
    clauses: list[list[int]] = []
    if k <= objective.floor:
        for group, floor in zip(objective.groups, objective.floors, strict=True):
            clauses.extend(_at_most(group, floor, pool))
    elif GROUPED and k - objective.floor <= GROUPED_UP_TO:
        clauses.extend(_grouped(objective, k - objective.floor, pool))
    else:
        clauses.extend(_at_most(objective.literals(), k, pool))
    return clauses, max(top, pool.top)


def _grouped(objective: Objective, spare: int, pool: IDPool) -> list[list[int]]:
    """ "cost <= floor + spare" as "the groups exceed their floors by at most `spare` in
    all": a unary counter per group (true from floor + 1 on are its excess literals) and
    one cardinality constraint over the excess literals of every group. The same models
    as the flat constraint, since no group is ever below its floor."""
    clauses: list[list[int]] = []
    excess: list[int] = []
    for group, floor in zip(objective.groups, objective.floors, strict=True):
        if len(group) <= floor:
            continue
        if len(group) == 1:  # floor 0: the literal itself is the excess
            excess.append(group[0])
            continue
        ubound = min(len(group), floor + spare + 1)
        counter = ITotalizer(lits=group, ubound=ubound, top_id=pool.top)
        pool.occupy(pool.top + 1, counter.top_id)
        pool.top = max(pool.top, counter.top_id)
        clauses.extend(counter.cnf.clauses)
        outputs = list(counter.rhs)  # outputs[i]: at least i + 1 true
        if len(outputs) > floor + spare:
            clauses.append([-outputs[floor + spare]])
        excess.extend(outputs[floor : floor + spare])
        counter.delete()
    clauses.extend(_at_most(excess, spare, pool))
    return clauses


def _at_most(lits: list[int], k: int, pool: IDPool) -> list[list[int]]:
    if len(lits) <= k:
        return []
    if k == 0:
        return [[-lit] for lit in lits]
    # the sequential counter did better than the totalizer for the small bounds (k = 1 on
    # forum-13crafc: 7-36 s against 25-39 s over four seeds); it grows as n * k
    encoding = EncType.seqcounter if k <= 16 else EncType.totalizer
    return CardEnc.atmost(lits, k, vpool=pool, encoding=encoding).clauses


def implied_clauses(
    rows: list[tuple[list[int], int]], encoding: int | None, top: int
) -> list[list[int]]:
    """The implied rows "at most `bound` of `literals`" in `encoding` (none for None), with
    fresh variables above `top`."""
    if encoding is None or encoding == NATIVE:
        return []
    pool = IDPool(start_from=top + 1)
    clauses: list[list[int]] = []
    for literals, bound in rows:
        clauses.extend(CardEnc.atmost(literals, bound, vpool=pool, encoding=encoding).clauses)
    return clauses


# the bindings' own "add a clause" for the solvers of the portfolio: PySAT's wrappers ask
# of every clause whether it is an "at most" row first (see `add_clauses`)
_ADD_CLAUSE = {
    Cadical195: ("cadical", "cadical195_add_cl"),
    Glucose4: ("glucose", "glucose41_add_cl"),
}


def add_clauses(solver: Solver, clauses: list[list[int]]) -> None:
    """`solver.append_formula(clauses)`, but for CaDiCaL 1.9.5 and Glucose 4 straight into
    the binding: PySAT's wrapper checks every clause, 0.22-0.39 s against 0.16-0.32 s for
    the 353,510 clauses of forum-14 (CaDiCaL, three loads each), 0.035 s against 0.028 s
    for tic-12's 51,727 (Glucose 4), paid by every call."""
    backend = solver.solver
    handle, name = _ADD_CLAUSE.get(type(backend), (None, None))
    add = getattr(pysolvers, name, None) if name else None
    if add is None:
        solver.append_formula(clauses)
        return
    native = getattr(backend, handle)
    for clause in clauses:
        if add(native, clause) is False:
            backend.status = False


def _solve(hard, rows, objective, k, top, strategy, seed, phases, keep, connection) -> None:
    """A child process: one SAT call "cost <= k" made by `strategy`; sends (status, true
    literals of keep)."""
    _own_signals()
    gc.disable()  # a short life: nothing of its own to collect, nothing inherited to touch
    try:
        extra, top = bound_clauses(objective, k, top)
        with Solver(name=strategy.solver) as solver:
            if strategy.solver.startswith("cd"):
                solver.configure({"seed": seed})
            for clauses in (hard, extra, implied_clauses(rows, strategy.rows, top)):
                add_clauses(solver, clauses)
            if strategy.rows == NATIVE:  # Gluecard / Minicard: "at most" as a constraint
                for literals, bound in rows:
                    solver.add_atmost(literals, bound)
            if phases:
                solver.set_phases(phases)
            if strategy.budget:
                solver.prop_budget(strategy.budget)
                answer = solver.solve_limited()
            else:
                answer = solver.solve()
            if answer:
                true = {lit for lit in solver.get_model() if lit > 0 and lit in keep}
                connection.send(("sat", true))
            elif answer is None:
                connection.send(("unknown", None))
            else:
                connection.send(("unsat", None))
    except Exception as error:  # noqa: BLE001 - reported to the parent, which falls back
        connection.send(("error", repr(error)))
    finally:
        connection.close()


@dataclass
class _Run:
    k: int | None
    strategy: Strategy
    seed: int
    process: multiprocessing.process.BaseProcess
    connection: object
    started: float


def _context():
    """fork when this process has no other thread (cheap: the formula is inherited), else
    forkserver (a clean process; the formula is pickled). A forked child is started by
    `start_child`, never by `Process.start` alone."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def start_child(process: multiprocessing.process.BaseProcess) -> None:
    """Start `process`; when it is forked, with every object this process holds frozen out
    of the garbage collector's reach until the fork is done. A forked child inherits this
    process's unreachable but uncollected objects; had its collector freed them, their
    finalisers would have run in the child: a PySAT solver's `__del__` freeing a solver the
    parent still owned a copy of (a segmentation fault in a worker, seen once in the test
    suite) or a database connection's closing its server's session. Frozen objects are
    never collected in the child; the parent unfreezes them right after the fork.

    SIGTERM is blocked meanwhile: a forked child inherits this process's handlers (a task
    worker's "shut down gracefully" raises SystemExit), and a child ended right after the
    fork would have raised it inside the parent's copied stack and run on as a copy of
    the parent (seen once in the test suite: a stray pytest worker locking SQLite). The
    child takes the default handler back and unblocks it first thing (`_own_signals`)."""
    gc.freeze()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        gc.unfreeze()


def _own_signals() -> None:
    """In a child of `start_child`: SIGTERM ends it (the default), and is no longer
    blocked; one sent before now is delivered here."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})


def workers_available() -> int:
    """Two calls at a time on a machine with two or more cores, else one."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def minimise(
    hard: list[list[int]],
    top: int,
    objective: Objective,
    keep: set[int],
    cost_of: Callable[[set[int]], int],
    *,
    deadline: float,
    upper: int | None = None,
    phases: list[int] | None = None,
    hint: list[int] | None = None,
    rows: list[tuple[list[int], int]] | None = None,
    on_model: Callable[[set[int], int, int], None] | None = None,
    lower_bound: Callable[[], int] | None = None,
    workers: int | None = None,
    started: float | None = None,
) -> Outcome:
    """Find a model of `hard` with the fewest true objective literals, by the time.monotonic()
    `deadline`. Models are passed around as their true variables among `keep`, and
    `cost_of` gives a model's real cost (it may be below the count of true objective
    literals, which the solver may set true without need). `upper` is the cost of a
    solution already known (the search only looks for better ones), `phases` a solution or
    near-solution to start from, `hint` the phases of the call that looks for any solution
    (a near-solution, e.g. a greedy one; `phases` when None), `rows` implied cardinality
    rows (literals, bound) each call writes as its `Strategy` says. `on_model(true, cost, lower)`
    is called with each better model. `lower_bound()` is a lower bound on the cost that
    this process computes while the first calls run (in their child processes): it may
    stand above the objective's floor, and the ladder then starts from it. Returns what
    was proven by then."""
    workers = workers or workers_available()
    phases = list(phases or [])
    started = started if started is not None else time.monotonic()
    outcome = Outcome(lower=objective.floor)
    best = upper
    context = _context()
    running: list[_Run] = []
    seeds = iter(range(1, 1_000_000))
    refuted = False  # a call has proven a bound impossible: the optimum lies higher
    # (bound, strategy) of the probes that gave up; without rows a probe is WITHOUT again
    gave_up: set[tuple[int | None, Strategy]] = set()
    portfolio = [each for each in PORTFOLIO if rows or not each.budget]
    leader = portfolio[0]  # the strategy that last answered first on the lowest bound
    halving_from = time.monotonic() + HALVING_SHARE * max(0.0, deadline - time.monotonic())

    def finished() -> bool:
        return outcome.infeasible or (best is not None and outcome.lower >= best)

    def next_bounds() -> list[int | None]:
        """The bounds to work on: any solution and the lowest bound while none is known;
        else the lowest open bound twice (two strategies), but the lowest and the middle of
        the gap while it is wide and a bound has been refuted (or late in the search)."""
        if best is None and outcome.model is None and upper is None:
            first: list[int | None] = [None]  # any solution at all, to have one
            return first + [outcome.lower]
        ceiling = best - 1 if best is not None else None
        low = outcome.lower
        if ceiling is not None and low > ceiling:
            return []
        wide = ceiling is not None and ceiling - low > WIDE_GAP
        if wide and (refuted or time.monotonic() >= halving_from):
            return [low, (low + ceiling) // 2]  # one proves upwards, one works from above
        return [low, low]

    def strategy_for(k: int | None) -> Strategy:
        """FIRST for any solution, ABOVE above the lowest open bound, and on it the first
        strategy not already on it (all busy: the first again) of PORTFOLIO, the last
        answer's strategy put first (it proves upwards alone while the other worker
        halves the gap), leaving out a probe that gave up on that bound."""
        if k is None:
            return FIRST
        if k > outcome.lower:
            return ABOVE
        order = [leader, *(each for each in portfolio if each != leader)]
        order = [each for each in order if (k, each) not in gave_up]
        busy = {run.strategy for run in running if run.k == k}
        return next((each for each in order if each not in busy), order[0])

    def phases_for(k: int | None) -> list[int]:
        """Where a call starts: the hint when it looks for any solution, else `phases`."""
        return (hint or phases) if k is None else phases

    def start(k: int | None) -> None:
        parent, child = context.Pipe(duplex=False)
        strategy = strategy_for(k)
        # the same solver on the same formula twice: another seed makes the runs differ
        same = any(
            run.k == k
            and run.strategy.solver == strategy.solver
            and (run.strategy == strategy or not rows)
            for run in running
        )
        seed = next(seeds) if same else 0
        process = context.Process(
            target=_solve,
            args=(
                hard,
                rows or [],
                objective,
                k,
                top,
                strategy,
                seed,
                phases_for(k),
                keep,
                child,
            ),
            daemon=True,
        )
        start_child(process)
        child.close()
        running.append(_Run(k, strategy, seed, process, parent, time.monotonic()))

    def stop(run: _Run) -> None:
        if run.process.is_alive():
            run.process.terminate()
        run.process.join(timeout=1)
        run.connection.close()
        running.remove(run)

    try:
        while not finished() and time.monotonic() < deadline:
            wanted = next_bounds()
            # end the runs that no longer matter
            for run in list(running):
                moot = run.k is not None and (
                    run.k < outcome.lower or (best is not None and run.k >= best)
                )
                if moot or (run.k is None and (best is not None or outcome.model is not None)):
                    stop(run)
            # more runs on a bound than wanted (the second worker turns to halving): end
            # the latest started
            for run in list(reversed(running)):
                if 0 < wanted.count(run.k) < sum(1 for other in running if other.k == run.k):
                    stop(run)
            for k in wanted:
                if len(running) >= workers:
                    break
                busy = [run.k for run in running]
                if k in busy and wanted.count(k) <= busy.count(k):
                    continue
                start(k)
            if not running:
                break
            if lower_bound is not None:
                outcome.lower = max(outcome.lower, lower_bound())
                lower_bound = None
                continue  # the runs below the new bound are moot
            now = time.monotonic()
            wake = deadline if now >= halving_from else min(deadline, halving_from)
            ready = multiprocessing.connection.wait(
                [run.connection for run in running], timeout=max(0.0, wake - now)
            )
            for run in list(running):
                if run.connection not in ready:
                    continue
                try:
                    status, payload = run.connection.recv()
                except EOFError:
                    status, payload = "error", "worker ended"
                seconds = time.monotonic() - run.started
                outcome.calls.append((run.k, run.strategy.label, status, round(seconds, 3)))
                stop(run)
                if status == "unknown":  # a probe's budget ran out
                    gave_up.add((run.k, run.strategy))
                    continue
                if run.k is not None and run.k <= outcome.lower and run.strategy in portfolio:
                    leader = run.strategy  # first to answer on the lowest bound
                if status == "sat":
                    cost = cost_of(payload)
                    if best is None or cost < best:
                        best = cost
                        outcome.model, outcome.cost = payload, cost
                        if outcome.seconds_to_first is None:
                            outcome.seconds_to_first = time.monotonic() - started
                        if on_model is not None:
                            on_model(payload, cost, outcome.lower)
                elif status == "unsat":
                    if run.k is None:
                        outcome.infeasible = True
                    else:
                        outcome.lower = max(outcome.lower, run.k + 1)
                        refuted = True
                else:
                    raise RuntimeError(f"SAT worker failed: {payload}")
    finally:
        for run in list(running):
            stop(run)
    if best is not None and outcome.lower > best:
        outcome.lower = best
    return outcome
