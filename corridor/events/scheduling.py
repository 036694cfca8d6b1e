"""The meeting scheduler of matchmaking events: give every meeting of an event a time slot
(and later a table) so that nobody is in two places at once, no slot holds more meetings
than there are tables, sessions, unavailable slots and locked meetings are respected, and
participants wait idle between meetings ("breaks") as little as possible, fairly.

A plain module with no Django import (PySAT and HiGHS only), so it can be tested,
profiled and benchmarked alone (bench/scheduling.py). The Django side builds a `Problem`
from an event's accepted meeting requests and stores the `Schedule`; reason and error
codes are stable strings that the Django side translates.

Two modes:

- "all": every meeting must be placed (the B2B Meeting Scheduling Problem of Bofill et al.,
  JAIR 74, 2022). Minimise the total number of breaks subject to fairness d. `solve` runs
  the greedy heuristic (a first valid schedule, usually in well under a second), then the
  exact search of scheduling_search.py over the CNF of scheduling_maxsat.py, and reports
  the proven lower bound; `optimal` is True only when the bound meets the schedule.
- "max": more requests than fit. Maximise the placed weight (must-meet above
  would-like), then minimise breaks with that placement kept. Greedy first, then a HiGHS
  MIP on the weight (scheduling_mip.py) whose dual bound is `bound`, then the break search
  on the placed meetings.

Rescheduling (`Problem.previous`): moves come first. The search first finds the fewest
meetings that must leave their published slot, then the fewest breaks among schedules
with that many moves: an agenda that people already hold is worth more than a break.

Rules on breaks, days and fairness: see scheduling_core.py. Statuses: "optimal",
"feasible" (valid, not proven optimal), "infeasible" (proven: no schedule meets every
rule), "invalid" (the input is wrong, `errors` says how), "unsolved" (no valid schedule
found in the time limit, nothing proven).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable

from corridor.events.scheduling_core import (
    ANY,
    CAPACITY,
    UNSOLVED,
    Index,
    Meeting,
    Problem,
    ProblemError,
    Schedule,
    breaks_of,
    build_index,
    check,
    fairness_violations,
    session_slots,
)
from corridor.events.scheduling_dzn import DznError, read_dzn
from corridor.events.scheduling_greedy import Placement, greedy_best

__all__ = [
    "ANY",
    "DznError",
    "Meeting",
    "Problem",
    "ProblemError",
    "Schedule",
    "TableError",
    "assign_tables",
    "breaks_of",
    "check",
    "greedy",
    "read_dzn",
    "solve",
    "validate",
]

GREEDY_BUDGET = 0.02  # seconds of greedy restarts before the exact search
FLOOR_SHARE = 0.1  # share of the time limit spent on per-participant lower bounds


class TableError(ValueError):
    """Tables cannot be given as asked; `code` says why, `slot` and `meeting` where."""

    def __init__(self, code: str, slot: int | None = None, meeting: str | None = None):
        super().__init__(f"{code} (slot {slot}, meeting {meeting})")
        self.code, self.slot, self.meeting = code, slot, meeting


# --- greedy --------------------------------------------------------------------------------


def greedy(problem: Problem) -> Schedule:
    """The fast heuristic alone (see scheduling_greedy.py): the first answer and the
    benchmark's baseline. Status "feasible" when the schedule is valid, else "unsolved"
    (mode "all" with meetings left out or fairness broken) or "invalid"."""
    started = time.monotonic()
    errors = check(problem)
    if problem.mode == "all" and errors:
        return _invalid(errors, started)
    ix = build_index(problem, errors)
    placement = _greedy(ix, budget=min(GREEDY_BUDGET, problem.time_limit / 4))
    schedule = _schedule(ix, placement.slot_of, started, left_out=placement.left_out)
    if schedule.status == "feasible":
        schedule.first_valid_seconds = schedule.seconds
    schedule.method = "greedy"
    return schedule


def _greedy(ix: Index, budget: float) -> Placement:
    problem = ix.problem
    return greedy_best(ix, maximise=problem.mode == "max", cap=problem.fairness, budget=budget)


# --- solve ---------------------------------------------------------------------------------


def solve(problem: Problem, on_progress: Callable[[Schedule], None] | None = None) -> Schedule:
    """The best schedule found within `problem.time_limit` seconds: greedy first, then the
    exact search. `on_progress` gets each better valid schedule as it is found."""
    from corridor.events import scheduling_exact

    started = time.monotonic()
    errors = check(problem)
    if problem.mode == "all" and errors:
        return _invalid(errors, started)
    ix = build_index(problem, errors)
    return scheduling_exact.run(ix, started, on_progress)


def _invalid(errors: list[ProblemError], started: float) -> Schedule:
    return Schedule(status="invalid", errors=errors, seconds=time.monotonic() - started)


def _schedule(
    ix: Index,
    slot_of: dict[int, int],
    started: float,
    *,
    left_out: list[int] | None = None,
    reason: str = CAPACITY,
) -> Schedule:
    """A Schedule from positions, with its breaks, weight, moves and validity status."""
    problem = ix.problem
    keyed = {ix.meeting_keys[m]: t for m, t in slot_of.items()}
    unplaced = dict(ix.dropped)
    if problem.mode == "all":
        reason = UNSOLVED  # nothing proves it cannot be placed: the search ran out of time
    for m in left_out or [m for m in range(ix.n_meetings) if m not in slot_of]:
        unplaced.setdefault(ix.meeting_keys[m], reason)
    per_person = breaks_of(problem, keyed)
    schedule = Schedule(
        slot_of=keyed,
        unplaced=unplaced,
        breaks=sum(per_person.values()),
        breaks_of=per_person,
        weight=sum(ix.weight[m] for m in slot_of),
        moved=_moved(problem, keyed),
        seconds=time.monotonic() - started,
    )
    complete = problem.mode == "max" or not unplaced
    fair = not fairness_violations(problem, keyed)
    schedule.status = "feasible" if complete and fair else "unsolved"
    return schedule


def _moved(problem: Problem, slot_of: dict[str, int]) -> int:
    if not problem.previous:
        return 0
    return sum(
        1 for key, t in problem.previous.items() if key in slot_of and slot_of[key] != t
    ) + sum(1 for key in problem.previous if key not in slot_of and _exists(problem, key))


def _exists(problem: Problem, key: str) -> bool:
    return any(m.key == key for m in problem.meetings)


# --- validation ----------------------------------------------------------------------------


def validate(problem: Problem, schedule: Schedule) -> list[str]:
    """Every rule the schedule breaks, as readable lines (empty: valid). Independent of the
    solvers: it reads only the problem and the schedule."""
    if schedule.status == "invalid":
        return (
            []
            if schedule.errors and schedule.errors == check(problem)
            else ["invalid without errors"]
        )
    if schedule.status in ("infeasible", "unsolved"):
        return []
    problems: list[str] = []
    meetings = {m.key: m for m in problem.meetings}
    forbidden = {p: frozenset(problem.forbidden.get(p, ())) for p in problem.participants}
    busy: dict[tuple[str, int], str] = {}
    load: dict[int, int] = defaultdict(int)
    for key, t in schedule.slot_of.items():
        meeting = meetings.get(key)
        if meeting is None:
            problems.append(f"{key}: not a meeting of the problem")
            continue
        if not 0 <= t < problem.slots:
            problems.append(f"{key}: slot {t} out of range")
            continue
        if meeting.fixed_slot is not None and t != meeting.fixed_slot:
            problems.append(f"{key}: fixed at {meeting.fixed_slot}, placed at {t}")
        allowed = session_slots(problem, meeting.session)
        if allowed is not None and t not in allowed and meeting.fixed_slot is None:
            problems.append(f"{key}: slot {t} is outside session {meeting.session}")
        for p in (meeting.a, meeting.b):
            if t in forbidden.get(p, ()):
                problems.append(f"{key}: {p} is unavailable in slot {t}")
            other = busy.get((p, t))
            if other is not None:
                problems.append(f"{key}: {p} also meets in {other} in slot {t}")
            busy[(p, t)] = key
        load[t] += 1
    for t, count in sorted(load.items()):
        if count > problem.tables:
            problems.append(f"slot {t}: {count} meetings for {problem.tables} tables")
    for key in schedule.unplaced:
        if key in schedule.slot_of:
            problems.append(f"{key}: both placed and unplaced")
    if problem.mode == "all":
        missing = [key for key in meetings if key not in schedule.slot_of]
        if missing:
            problems.append(f"{len(missing)} meetings not placed, e.g. {missing[0]}")
    else:
        for key in meetings:
            if key not in schedule.slot_of and key not in schedule.unplaced:
                problems.append(f"{key}: neither placed nor reported unplaced")
    per_person = breaks_of(problem, schedule.slot_of)
    if per_person != schedule.breaks_of or sum(per_person.values()) != schedule.breaks:
        problems.append(f"breaks reported {schedule.breaks}, counted {sum(per_person.values())}")
    problems.extend(fairness_violations(problem, schedule.slot_of))
    weight = sum(meetings[key].weight for key in schedule.slot_of if key in meetings)
    if weight != schedule.weight:
        problems.append(f"weight reported {schedule.weight}, counted {weight}")
    if _moved(problem, schedule.slot_of) != schedule.moved:
        problems.append(
            f"moves reported {schedule.moved}, counted {_moved(problem, schedule.slot_of)}"
        )
    if schedule.optimal and problem.mode == "all" and schedule.bound < schedule.breaks:
        problems.append(f"optimal with bound {schedule.bound} below {schedule.breaks} breaks")
    return problems


# --- tables --------------------------------------------------------------------------------


def assign_tables(
    problem: Problem, slot_of: dict[str, int], host_table: dict[str, int] | None = None
) -> dict[str, int]:
    """A table (0-based) per placed meeting. A host with a fixed table (exhibitor booth)
    has all its meetings there; the other meetings take the free tables, keeping a
    participant at the table of their previous meeting when it is free, so people walk
    less. Raises TableError when a slot cannot seat its meetings this way."""
    host_table = host_table or {}
    for host, table in host_table.items():
        if not 0 <= table < problem.tables:
            raise TableError("table_out_of_range", meeting=host)
    meetings = {m.key: m for m in problem.meetings}
    by_slot: dict[int, list[Meeting]] = defaultdict(list)
    for key, t in slot_of.items():
        by_slot[t].append(meetings[key])
    table_of: dict[str, int] = {}
    last_table: dict[str, int] = {}
    for t in sorted(by_slot):
        taken: dict[int, str] = {}
        rest = []
        for meeting in sorted(by_slot[t], key=lambda m: m.key):
            hosts = {host_table[p] for p in (meeting.a, meeting.b) if p in host_table}
            if len(hosts) > 1:
                raise TableError("two_host_tables", slot=t, meeting=meeting.key)
            if not hosts:
                rest.append(meeting)
                continue
            (table,) = hosts
            if table in taken:
                raise TableError("host_table_taken", slot=t, meeting=meeting.key)
            taken[table] = meeting.key
            table_of[meeting.key] = table
        reserved = set(host_table.values())
        for meeting in rest:
            table = _table_for(meeting, taken, last_table, reserved, problem.tables)
            if table is None:
                raise TableError("no_free_table", slot=t, meeting=meeting.key)
            taken[table] = meeting.key
            table_of[meeting.key] = table
        for meeting in by_slot[t]:
            for p in (meeting.a, meeting.b):
                last_table[p] = table_of[meeting.key]
    return table_of


def _table_for(meeting, taken, last_table, reserved, tables) -> int | None:
    """The previous table of one of the two participants if free, else the first free
    table that no host owns, else any free table."""
    for p in (meeting.a, meeting.b):
        table = last_table.get(p)
        if table is not None and table not in taken and table not in reserved:
            return table
    free = [table for table in range(tables) if table not in taken]
    unreserved = [table for table in free if table not in reserved]
    return (unreserved or free or [None])[0]
