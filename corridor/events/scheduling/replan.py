"""Re-planning the rest of an event day after a no-show or a cancellation, with as little
change as possible. Part of `corridor.events.scheduling`; no Django import.

The caller (events/replan.py) gives a `Problem` in mode "max" that holds only what can still
change: the meetings of slots that have not started (placed ones with their current slot in
`previous`) and the waiting ones (accepted, not placed), with every started slot forbidden
to everyone, and an absent participant's remaining slots of that day forbidden to them.

The objective is lexicographic, solved exactly by one HiGHS MIP (mip.py, `stay`):
first the most placed weight, as the scheduler's mode "max" (must-meet above would-like,
so a freed slot goes to the waiting request of highest priority), then the most meetings
left in their slot. A cancellation therefore moves nothing unless a waiting request gains
by it. Fairness is not re-optimised on the day: a break that a cancellation leaves is
accepted rather than moving other people's meetings to close it.

Tables: a meeting that stays keeps its table; a moved or newly placed one takes its host's
fixed table, else the first free table no host owns, else any free table.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from corridor.events.scheduling.core import Problem, Schedule, build_index, check, schedule_of
from corridor.events.scheduling.mip import maximise_weight
from corridor.events.scheduling.tables import TableError


@dataclass
class Replanned:
    """The new schedule, the meetings it moved (had a slot, now another or none), the
    waiting ones it placed, tables and whether the optimum was proven."""

    schedule: Schedule
    moved: list[str] = field(default_factory=list)
    placed: list[str] = field(default_factory=list)
    table_of: dict[str, int] = field(default_factory=dict)
    optimal: bool = False


def replan(
    problem: Problem,
    *,
    previous_table: dict[str, int] | None = None,
    host_table: dict[str, int] | None = None,
) -> Replanned:
    """The rest of the day re-planned (see the module's docstring). Tables are 0-based."""
    started = time.monotonic()
    errors = check(problem)
    ix = build_index(problem, errors)
    previous = problem.previous or {}
    stay = {
        m: previous[key]
        for m, key in enumerate(ix.meeting_keys)
        if key in previous and previous[key] in ix.domain[m]
    }
    result = maximise_weight(
        ix, cap=None, deadline=started + problem.time_limit, start=stay, stay=stay
    )
    # without an answer from HiGHS, what was placed and still fits stays: a valid schedule
    positions = result.slot_of if result is not None else dict(stay)
    schedule = schedule_of(ix, positions, started)
    schedule.optimal = result is not None and result.optimal
    moved = sorted(key for key, t in previous.items() if schedule.slot_of.get(key) != t)
    placed = sorted(key for key in schedule.slot_of if key not in previous)
    table_of = keep_tables(problem, schedule.slot_of, previous, previous_table or {}, host_table)
    return Replanned(
        schedule=schedule,
        moved=moved,
        placed=placed,
        table_of=table_of,
        optimal=schedule.optimal,
    )


def keep_tables(
    problem: Problem,
    slot_of: dict[str, int],
    previous: dict[str, int],
    previous_table: dict[str, int],
    host_table: dict[str, int] | None = None,
) -> dict[str, int]:
    """A table per placed meeting: the same one when it stays in its slot. Raises
    TableError when a slot cannot seat its meetings."""
    host_table = host_table or {}
    meetings = {m.key: m for m in problem.meetings}
    by_slot: dict[int, list[str]] = defaultdict(list)
    for key, t in slot_of.items():
        by_slot[t].append(key)
    reserved = set(host_table.values())
    table_of: dict[str, int] = {}
    for t, keys in sorted(by_slot.items()):
        taken: set[int] = set()
        rest = []
        for key in sorted(keys):
            table = previous_table.get(key)
            if previous.get(key) == t and table is not None and table not in taken:
                table_of[key] = table
                taken.add(table)
            else:
                rest.append(key)
        for key in rest:
            meeting = meetings[key]
            hosts = [host_table[p] for p in (meeting.a, meeting.b) if p in host_table]
            free = [n for n in range(problem.tables) if n not in taken]
            choice = [n for n in hosts if n in free] or [n for n in free if n not in reserved]
            choice = choice or free
            if not choice:
                raise TableError("no_free_table", slot=t, meeting=key)
            table_of[key] = choice[0]
            taken.add(choice[0])
    return table_of
