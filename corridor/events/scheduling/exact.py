"""What `scheduling.solve` runs after the checks: greedy, then the exact search, keeping
the best valid schedule and reporting it as it improves. Part of
`corridor.events.scheduling`; no Django import. See the package's docstring for the modes
and search.py for the search itself."""

from __future__ import annotations

import time
from collections.abc import Callable

from pysat.card import CardEnc, EncType
from pysat.formula import IDPool

from corridor.events.scheduling.bounds import capacity_floor
from corridor.events.scheduling.core import Index, Schedule, count_breaks, schedule_of
from corridor.events.scheduling.greedy import first_placement
from corridor.events.scheduling.maxsat import BreakModel, break_floors, build_model
from corridor.events.scheduling.mip import maximise_weight
from corridor.events.scheduling.search import Objective, minimise

FLOOR_SHARE = 0.1  # share of the time limit spent on per-participant lower bounds
BOUND_SHARE = 0.1  # and on the tables' bound (bounds.py), while the first SAT calls run
MIP_SHARE = 0.6  # mode "max": share of the remaining time for the weight
BREAK_PHASE_MAX_LITERALS = 60_000  # mode "max": larger placements keep their greedy slots


class _Best:
    """The best valid schedule so far, in the order of the mode: fewest (moves, breaks) in
    mode "all", most weight then fewest breaks in mode "max"."""

    def __init__(self, ix: Index, started: float, on_progress: Callable[[Schedule], None] | None):
        self.ix = ix
        self.started = started
        self.on_progress = on_progress
        self.schedule: Schedule | None = None
        self.positions: dict[int, int] = {}
        self.fallback: Schedule | None = None
        self.first_valid: float | None = None
        self.bound: float = 0.0
        self.optimal = False
        self.infeasible = False
        self.method = ""
        self.moves_optimal = False
        self.moves_floor: int | None = None

    def key(self, schedule: Schedule) -> tuple:
        if self.ix.problem.mode == "max":
            return (-schedule.weight, schedule.breaks)
        return (schedule.moved, schedule.breaks)

    def offer(self, positions: dict[int, int], method: str) -> bool:
        schedule = schedule_of(self.ix, positions, self.started)
        if schedule.status != "feasible":
            if self.fallback is None:
                self.fallback = schedule
            return False
        if self.schedule is not None and self.key(schedule) >= self.key(self.schedule):
            return False
        if self.first_valid is None:
            self.first_valid = schedule.seconds
        schedule.first_valid_seconds = self.first_valid
        schedule.method = method
        self.schedule, self.positions, self.method = schedule, dict(positions), method
        if self.on_progress is not None:
            self.on_progress(self._finish(schedule))
        return True

    def _finish(self, schedule: Schedule) -> Schedule:
        copy = Schedule(**{**schedule.__dict__})
        copy.bound = self.bound
        copy.optimal = self.optimal
        copy.status = "optimal" if self.optimal else "feasible"
        copy.seconds = time.monotonic() - self.started
        return copy

    def result(self) -> Schedule:
        if self.schedule is not None:
            return self._finish(self.schedule)
        seconds = time.monotonic() - self.started
        if self.infeasible:
            return Schedule(status="infeasible", seconds=seconds, bound=self.bound)
        fallback = self.fallback or Schedule()
        fallback.status, fallback.seconds = "unsolved", seconds
        return fallback


def run(ix: Index, started: float, on_progress: Callable[[Schedule], None] | None) -> Schedule:
    problem = ix.problem
    # stop searching a little early: building models and ending workers take time too
    deadline = started + max(problem.time_limit - min(0.5, 0.05 * problem.time_limit), 0.05)
    best = _Best(ix, started, on_progress)
    placement = first_placement(ix)
    best.offer(placement.slot_of, "greedy")
    if problem.mode == "max":
        _maximise(ix, best, deadline)
    elif ix.n_meetings:
        _place_all(ix, best, deadline, placement.slot_of)
    else:
        best.optimal = True
    return best.result()


def _phases(model: BreakModel, positions: dict[int, int]) -> list[int]:
    return [var if positions.get(m) == t else -var for (m, t), var in model.x.items()]


def _place_all(ix: Index, best: _Best, deadline: float, hint: dict[int, int]) -> None:
    """Mode "all": (moves, then) breaks by the SAT ladder."""
    problem = ix.problem
    model = build_model(
        ix,
        fairness=problem.fairness,
        fairness_cap=False,
        require_all=True,
        symmetry=not problem.previous,  # a mirrored schedule would move every meeting
        implied_apart=True,  # each call writes the busy rows its own way (search.Strategy)
    )
    keep = set(model.x.values())
    hard, top = model.hard, model.pool.top
    # No phases from the greedy schedule for the bounded calls: CaDiCaL found the optimum
    # 3-7 times sooner without them (forumt-14, forum-13, forum-14); the call that looks
    # for any schedule starts from it (search.FIRST).
    phases: list[int] = []

    def offer(true: set[int], cost: int, lower: int) -> None:
        best.offer(model.slot_of(true), "sat")

    if problem.previous:
        hard, top, hint = _fewest_moves(ix, model, best, deadline, hint, offer)
    remaining = max(0.0, deadline - time.monotonic())
    floors = break_floors(ix, time.monotonic() + FLOOR_SHARE * remaining)
    objective = Objective(groups=model.holes_of, floors=floors)
    moves = best.schedule.moved if best.schedule is not None else None
    upper = None
    if best.schedule is not None and (not problem.previous or moves == best.moves_floor):
        upper = best.schedule.breaks

    def breaks(true: set[int]) -> int:
        return _breaks(ix, model.slot_of(true))

    def tables_bound() -> int:
        remaining = max(0.0, deadline - time.monotonic())
        return capacity_floor(ix, floors, time.monotonic() + BOUND_SHARE * remaining)

    best.bound = objective.floor
    outcome = minimise(
        hard,
        top,
        objective,
        keep,
        breaks,
        deadline=deadline,
        upper=upper,
        phases=phases,
        hint=_phases(model, hint),
        rows=model.rows,
        on_model=offer,
        lower_bound=tables_bound,
        started=best.started,
    )
    best.bound = outcome.lower
    best.infeasible = outcome.infeasible and best.schedule is None
    if best.schedule is not None and not problem.previous:
        best.optimal = best.schedule.breaks <= outcome.lower
    elif best.schedule is not None:
        best.optimal = best.moves_optimal and best.schedule.breaks <= outcome.lower


def _fewest_moves(ix, model, best, deadline, hint, offer):
    """Rescheduling, first stage: the fewest meetings that leave their published slot.
    Returns the hard clauses with "at most that many moves" added, and a hint."""
    problem = ix.problem
    stay = []
    start = dict(hint)
    for m, key in enumerate(ix.meeting_keys):
        t = problem.previous.get(key)
        if t is not None and (m, t) in model.x:
            stay.append(model.x[m, t])
            start[m] = t
    objective = Objective(groups=[[-var] for var in stay], floors=[0] * len(stay))

    def moved(true: set[int]) -> int:
        return sum(1 for var in stay if var not in true)

    middle = time.monotonic() + 0.5 * max(0.0, deadline - time.monotonic())
    outcome = minimise(
        model.hard,
        model.pool.top,
        objective,
        set(model.x.values()),
        moved,
        deadline=middle,
        phases=_phases(model, start),
        rows=model.rows,
        on_model=offer,
        started=best.started,
    )
    best.moves_optimal = outcome.model is not None and outcome.cost <= outcome.lower
    if outcome.model is None:
        best.moves_floor = None
        return model.hard, model.pool.top, best.positions
    limit = outcome.cost
    pool = IDPool(start_from=model.pool.top + 1)
    extra = CardEnc.atmost([-var for var in stay], limit, vpool=pool, encoding=EncType.totalizer)
    forced = sum(1 for key, t in problem.previous.items() if key in ix.meeting_keys) - len(stay)
    best.moves_floor = limit + forced
    return model.hard + extra.clauses, max(model.pool.top, pool.top), model.slot_of(outcome.model)


def _breaks(ix: Index, positions: dict[int, int]) -> int:
    slots: list[list[int]] = [[] for _ in ix.people]
    for m, t in positions.items():
        a, b = ix.ends[m]
        slots[a].append(t)
        slots[b].append(t)
    return sum(count_breaks(s, ix.day_of) for s in slots)


def _maximise(ix: Index, best: _Best, deadline: float) -> None:
    """Mode "max": the weight by HiGHS, then the breaks of the placed meetings."""
    problem = ix.problem
    best.bound = float(_weight_ceiling(ix))
    now = time.monotonic()
    result = maximise_weight(
        ix,
        cap=problem.fairness,
        deadline=now + MIP_SHARE * max(0.0, deadline - now),
        start=best.positions,
    )
    weight_optimal = False
    if result is not None:
        best.offer(result.slot_of, "mip")
        best.bound = min(best.bound, result.bound)
        weight_optimal = result.optimal
    if best.schedule is not None and best.schedule.weight >= best.bound - 1e-6:
        weight_optimal = True
    best.optimal = weight_optimal
    if best.schedule is None:
        return
    placed = sorted(best.positions)
    sub = ix.subset(placed)
    if sum(len(sub.domain[i]) for i in range(len(placed))) > BREAK_PHASE_MAX_LITERALS:
        return
    model = build_model(sub, fairness=problem.fairness, fairness_cap=True, require_all=True)
    if time.monotonic() >= deadline:
        return
    start = {i: best.positions[m] for i, m in enumerate(placed)}

    def back(true: set[int]) -> dict[int, int]:
        return {placed[i]: t for i, t in model.slot_of(true).items()}

    def offer(true: set[int], cost: int, lower: int) -> None:
        best.offer(back(true), "sat")

    objective = Objective(groups=model.holes_of, floors=[0] * len(model.holes_of))
    minimise(
        model.hard,
        model.pool.top,
        objective,
        set(model.x.values()),
        lambda true: _breaks(ix, back(true)),
        deadline=deadline,
        upper=best.schedule.breaks,
        phases=_phases(model, start),
        on_model=offer,
        started=best.started,
    )


def _weight_ceiling(ix: Index) -> int:
    """A quick upper bound on the placed weight: all placeable meetings, or the heaviest
    slots x tables of them, whichever is less."""
    weights = sorted(ix.weight, reverse=True)
    return sum(weights[: ix.n_slots * ix.tables])
