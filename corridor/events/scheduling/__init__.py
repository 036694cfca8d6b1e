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
  exact search of search.py over the CNF of maxsat.py, and reports
  the proven lower bound; `optimal` is True only when the bound meets the schedule.
- "max": more requests than fit. Maximise the placed weight (must-meet above
  would-like), then minimise breaks with that placement kept. Greedy first, then a HiGHS
  MIP on the weight (mip.py) whose dual bound is `bound`, then the break search
  on the placed meetings.

Rescheduling (`Problem.previous`): moves come first. The search first finds the fewest
meetings that must leave their published slot, then the fewest breaks among schedules
with that many moves: an agenda that people already hold is worth more than a break.

Rules on breaks, days and fairness: see core.py. Statuses: "optimal",
"feasible" (valid, not proven optimal), "infeasible" (proven: no schedule meets every
rule), "invalid" (the input is wrong, `errors` says how), "unsolved" (no valid schedule
found in the time limit, nothing proven).

Precedences are part of the problem (precedence.py): `Problem.precedences` pairs (before,
after) of meeting keys, slot(before) < slot(after), in every mode and in `validate`; in
mode "max" a meeting is placed only after its predecessors. `explain` words an event the
precedences make impossible (which participant, which meetings, before which slot).

Interpreters are part of the problem (interpreters.py): a meeting whose sides share no
working language takes only a slot where an interpreter for it is free, the solvers keep
every slot within its interpreters, and `Schedule.interpreter_of` names them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from corridor.events.scheduling import exact
from corridor.events.scheduling.core import (
    ANY,
    Meeting,
    Problem,
    ProblemError,
    Schedule,
    assign_interpreters,
    breaks_of,
    build_index,
    check,
    explain_index,
    schedule_of,
)
from corridor.events.scheduling.dzn import DznError, read_dzn
from corridor.events.scheduling.greedy import first_placement
from corridor.events.scheduling.interpreters import Interpreter
from corridor.events.scheduling.precedence import cycle as precedence_cycle
from corridor.events.scheduling.tables import TableError, assign_tables
from corridor.events.scheduling.validation import validate

__all__ = [
    "ANY",
    "DznError",
    "Interpreter",
    "Meeting",
    "Problem",
    "ProblemError",
    "Schedule",
    "TableError",
    "assign_interpreters",
    "assign_tables",
    "breaks_of",
    "check",
    "explain",
    "greedy",
    "precedence_cycle",
    "read_dzn",
    "solve",
    "validate",
]


def greedy(problem: Problem) -> Schedule:
    """The fast heuristic alone (see greedy.py): the first answer and the benchmark's
    baseline. Status "feasible" when the schedule is valid, else "unsolved" (mode "all"
    with meetings left out or fairness broken) or "invalid"."""
    started = time.monotonic()
    errors = check(problem)
    if problem.mode == "all" and errors:
        return _invalid(errors, started)
    ix = build_index(problem, errors)
    placement = first_placement(ix)
    schedule = schedule_of(ix, placement.slot_of, started, left_out=placement.left_out)
    if schedule.status == "feasible":
        schedule.first_valid_seconds = schedule.seconds
    schedule.method = "greedy"
    return schedule


def solve(problem: Problem, on_progress: Callable[[Schedule], None] | None = None) -> Schedule:
    """The best schedule found within `problem.time_limit` seconds: greedy first, then the
    exact search (exact.py). `on_progress` gets each better valid schedule as it is found."""
    started = time.monotonic()
    errors = check(problem)
    if problem.mode == "all" and errors:
        return _invalid(errors, started)
    ix = build_index(problem, errors)
    schedule = exact.run(ix, started, on_progress)
    if schedule.status == "infeasible" and ix.precedences:
        schedule.errors = explain_index(build_index(problem, errors, trim_order=False))
    return schedule


def explain(problem: Problem) -> list[ProblemError]:
    """Why the precedences leave the problem no schedule, in words the Django side
    translates (code "precedence_impossible"): necessary conditions only, so an empty list
    does not say a schedule exists."""
    errors = check(problem)
    if errors:
        return [e for e in errors if e.code.startswith("precedence")]
    return explain_index(build_index(problem, errors, trim_order=False))


def _invalid(errors: list[ProblemError], started: float) -> Schedule:
    return Schedule(status="invalid", errors=errors, seconds=time.monotonic() - started)
