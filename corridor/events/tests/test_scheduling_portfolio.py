"""The exact scheduler's proof machinery on small events solved by brute force: the
per-participant lower bounds never exceed what a participant really gets, and the
portfolio (strategies raced on one bound, search.py) proves the same optimum as one strategy
alone."""

import gc
import itertools
import multiprocessing
import os
import random
import signal
import time
from collections import Counter

import pytest
from pysat.card import EncType
from pysat.solvers import Solver

from corridor.events import scheduling
from corridor.events.scheduling import Meeting, Problem, search
from corridor.events.scheduling.core import build_index, fairness_violations
from corridor.events.scheduling.exact import _breaks
from corridor.events.scheduling.maxsat import break_floors, build_model
from corridor.events.scheduling.search import Objective, minimise


def _random_event(seed: int, *, fairness: int | None = 2) -> Problem:
    """Five participants, six meetings, five slots, two tables; some slots unavailable so
    that some participants cannot meet back to back."""
    rng = random.Random(seed)
    people = [f"p{i}" for i in range(5)]
    pairs = list(itertools.combinations(people, 2))
    rng.shuffle(pairs)
    while True:  # until every meeting has a slot both sides can attend (a valid input)
        forbidden = {
            p: frozenset(t for t in range(5) if rng.random() < 0.3)
            for p in people
            if rng.random() < 0.7
        }
        problem = Problem(
            participants=tuple(people),
            slots=5,
            tables=2,
            meetings=tuple(Meeting(key=f"m{i}", a=a, b=b) for i, (a, b) in enumerate(pairs[:6])),
            forbidden=forbidden,
            fairness=fairness,
            time_limit=10.0,
        )
        if not scheduling.check(problem):
            return problem


def _valid_schedules(problem: Problem):
    """Every assignment of slots that keeps the rules (tables, one meeting per participant
    and slot, unavailable slots, fairness), as meeting key -> slot."""
    allowed = [
        [
            t
            for t in range(problem.slots)
            if t not in problem.forbidden.get(m.a, ()) and t not in problem.forbidden.get(m.b, ())
        ]
        for m in problem.meetings
    ]
    for choice in itertools.product(*allowed):
        if max(Counter(choice).values()) > problem.tables:
            continue
        busy = Counter(
            (p, t) for m, t in zip(problem.meetings, choice, strict=True) for p in (m.a, m.b)
        )
        if max(busy.values()) > 1:
            continue
        slot_of = {m.key: t for m, t in zip(problem.meetings, choice, strict=True)}
        if fairness_violations(problem, slot_of):
            continue
        yield slot_of


def _optimum(problem: Problem) -> int | None:
    totals = [
        sum(scheduling.breaks_of(problem, slot_of).values())
        for slot_of in _valid_schedules(problem)
    ]
    return min(totals) if totals else None


SEEDS = range(12)


def test_some_small_events_cost_more_than_their_floors():
    """The searches below then prove bounds above the floors (where search._grouped, when
    switched on, writes "cost <= k")."""
    above = 0
    for seed in SEEDS:
        problem = _random_event(seed)
        optimum = _optimum(problem)
        floors = break_floors(build_index(problem), deadline=float("inf"))
        above += optimum is not None and optimum > sum(floors)
    assert above > 0


def test_no_participant_ever_has_fewer_breaks_than_its_lower_bound():
    """In every valid schedule of every small event, each participant has at least the
    breaks its bound promises, and the bounds are not all zero (the test can fail)."""
    positive = 0
    for seed in SEEDS:
        problem = _random_event(seed, fairness=None)
        ix = build_index(problem)
        floors = break_floors(ix, deadline=float("inf"))
        positive += sum(floors)
        for slot_of in _valid_schedules(problem):
            per_person = scheduling.breaks_of(problem, slot_of)
            for p, floor in zip(ix.people, floors, strict=True):
                assert per_person[p] >= floor, (seed, p, slot_of)
    assert positive > 0


def _model(problem: Problem):
    return build_model(
        build_index(problem),
        fairness=problem.fairness,
        fairness_cap=False,
        require_all=True,
        implied_apart=True,
    )


def _minimise(problem: Problem, workers: int, upper: int | None, *, rows: bool = True):
    """The search on the event's model; `rows` False leaves the implied rows out."""
    ix = build_index(problem)
    model = _model(problem)
    objective = Objective(groups=model.holes_of, floors=break_floors(ix, float("inf")))
    return minimise(
        model.hard,
        model.pool.top,
        objective,
        set(model.x.values()),
        lambda true: _breaks(ix, model.slot_of(true)),
        deadline=time.monotonic() + 60,
        upper=upper,
        rows=model.rows if rows else None,
        workers=workers,
    )


@pytest.mark.parametrize("grouped", [True, False])
@pytest.mark.parametrize("seed", SEEDS)
def test_the_portfolio_proves_the_same_optimum_as_one_solver(seed, grouped, monkeypatch):
    """Two workers (two solvers on the lowest bound, or a first model by another solver)
    and one worker alone reach the brute-force optimum, proven; with "cost <= k" above the
    floors written per group (search._grouped) or as one flat constraint."""
    monkeypatch.setattr(search, "GROUPED", grouped)
    problem = _random_event(seed)
    expected = _optimum(problem)
    alone = _minimise(problem, workers=1, upper=None)
    together = _minimise(problem, workers=2, upper=None)
    if expected is None:
        assert alone.infeasible and together.infeasible
        return
    assert (alone.cost, alone.lower) == (expected, expected)
    assert (together.cost, together.lower) == (expected, expected)
    # with a schedule known (as after greedy) both workers go to the lowest bound
    known = _minimise(problem, workers=2, upper=expected + 1)
    assert (known.cost, known.lower) == (expected, expected)


@pytest.mark.parametrize(
    "portfolio",
    [
        search.PORTFOLIO,
        (search.WITHOUT, search.WRITTEN),
        (search.PROBE, search.WRITTEN),
        (search.WRITTEN,),
        (search.WITHOUT,),
        (search.Strategy("cd19", EncType.kmtotalizer),),
    ],
)
def test_every_strategy_of_the_portfolio_alone_proves_the_optimum(portfolio, monkeypatch):
    """Each way of making the calls, the implied rows written or left out, proves the
    brute-force optimum (a strategy that lost solutions would prove a wrong one)."""
    monkeypatch.setattr(search, "PORTFOLIO", portfolio)
    for seed in range(4):
        problem = _random_event(seed)
        # busy rows to write or leave out: the strategies really make different formulas
        assert _model(problem).rows
        expected = _optimum(problem)
        outcome = _minimise(problem, workers=2, upper=None)
        if expected is None:
            assert outcome.infeasible
        else:
            assert (outcome.cost, outcome.lower) == (expected, expected)
            labels = {each.label for each in portfolio} | {search.ABOVE.label}
            assert {label for k, label, _answer, _s in outcome.calls if k is not None} <= labels


class _Finalised:
    """Part of a reference cycle; its finaliser writes the pid of the process that ran it."""

    def __init__(self, path):
        self.path = path
        self.me = self

    def __del__(self):
        with open(self.path, "a") as out:
            out.write(f"{os.getpid()}\n")


def _collect_in_child(connection):
    connection.send(gc.collect())
    connection.close()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_forked_worker_never_finalises_what_the_parent_left_uncollected(tmp_path):
    """A solver worker forked from a process holding unreachable, uncollected objects (a
    PySAT solver, a database connection) must not run their finalisers: the parent still
    owns them. The worker's collector runs here on purpose; nothing inherited is freed."""
    context = multiprocessing.get_context("fork")
    record = tmp_path / "finalised"
    gc.disable()
    try:
        _Finalised(record)  # unreachable at once, kept alive by its cycle
        parent, child = context.Pipe(duplex=False)
        process = context.Process(target=_collect_in_child, args=(child,))
        search.start_child(process)
        child.close()
        parent.recv()
        process.join(timeout=10)
    finally:
        gc.enable()
    gc.collect()  # the parent frees it: once, here
    assert record.read_text().split() == [str(os.getpid())]


def _late_to_own_signals(connection):
    connection.send("forked")
    time.sleep(0.5)  # a SIGTERM now is the one sent right after the fork
    search._own_signals()
    time.sleep(30)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_worker_ended_right_after_the_fork_never_runs_the_parents_sigterm_handler():
    """Under a task worker, SIGTERM raises SystemExit ("shut down gracefully"). A solver
    worker ended before it took its own signals must still just end (killed by SIGTERM),
    not run that handler as a copy of the parent."""
    context = multiprocessing.get_context("fork")

    def graceful(signum, frame):
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, graceful)
    try:
        parent, child = context.Pipe(duplex=False)
        process = context.Process(target=_late_to_own_signals, args=(child,), daemon=True)
        search.start_child(process)
        child.close()
        assert parent.recv() == "forked"
        process.terminate()
        process.join(timeout=10)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert process.exitcode == -signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is previous


@pytest.mark.parametrize("name", ["cd19", "g4", "g3"])
def test_clauses_go_into_the_solver_whole(name):
    """search.add_clauses (straight into CaDiCaL's and Glucose 4's bindings, PySAT's own
    way otherwise): the
    solver sees every clause, the last one that makes the formula unsatisfiable too."""
    clauses = [[1, 2], [-1, 2], [-2, 3], [-3, -4]]
    with Solver(name=name) as solver:
        search.add_clauses(solver, clauses)
        assert solver.solve()
        true = {lit for lit in solver.get_model()}
        assert all(any(lit in true for lit in clause) for clause in clauses)
        assert {2, 3, -4} <= true
        search.add_clauses(solver, [[4]])
        assert not solver.solve()
    with Solver(name=name) as solver:
        search.add_clauses(solver, [[1], []])
        assert not solver.solve()


_real_solve = search._solve


def _probe_out_of_budget(hard, rows, objective, k, top, strategy, *rest):
    """A worker (forked: the patch is inherited) in which every probe runs out of budget
    at once, as a probe does on a hard bound; the other strategies solve for real."""
    connection = rest[-1]
    if strategy.budget:
        connection.send(("unknown", None))
        connection.close()
        return
    _real_solve(hard, rows, objective, k, top, strategy, *rest)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_probe_that_gives_up_proves_nothing(monkeypatch):
    """A probe out of budget answers "unknown": the bound stays open and the next strategy
    of the portfolio settles it. The optimum is the brute-force one, never a bound raised
    or a call lost on a probe's giving up."""
    monkeypatch.setattr(search, "_solve", _probe_out_of_budget)
    gave_up = 0
    for seed in range(6):
        problem = _random_event(seed)
        expected = _optimum(problem)
        outcome = _minimise(problem, workers=2, upper=None)
        answers = [(label, answer) for _k, label, answer, _s in outcome.calls]
        gave_up += (search.PROBE.label, "unknown") in answers
        if expected is None:
            assert outcome.infeasible
            continue
        assert (outcome.cost, outcome.lower) == (expected, expected)
        settled = [label for label, answer in answers if answer in ("sat", "unsat")]
        assert search.PROBE.label not in settled
    assert gave_up > 0


def test_without_implied_rows_no_probe_is_made():
    """Without rows to write, the probe would be Glucose 4 on WITHOUT's formula again."""
    outcome = _minimise(_random_event(1), workers=2, upper=None, rows=False)
    assert outcome.calls
    assert search.PROBE.label not in {label for _k, label, _a, _s in outcome.calls}
