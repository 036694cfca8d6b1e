"""`validate`: every rule a schedule breaks, checked from the problem and the schedule
alone, so that it can judge any solver's answer (the tests and the benchmark use it). Part
of `corridor.events.scheduling`; no Django import."""

from __future__ import annotations

from collections import defaultdict

from corridor.events.scheduling.core import (
    Problem,
    Schedule,
    breaks_of,
    check,
    count_moved,
    fairness_violations,
    serving,
    session_slots,
)
from corridor.events.scheduling.precedence import broken


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
    if count_moved(problem, schedule.slot_of) != schedule.moved:
        problems.append(
            f"moves reported {schedule.moved}, counted {count_moved(problem, schedule.slot_of)}"
        )
    problems.extend(_interpreter_problems(problem, schedule))
    for before, after in broken(
        problem.precedences, schedule.slot_of, all_placed=problem.mode == "all"
    ):
        problems.append(
            f"precedence: {before} (slot {schedule.slot_of.get(before)}) must come before "
            f"{after} (slot {schedule.slot_of.get(after)})"
        )
    if schedule.optimal and problem.mode == "all" and schedule.bound < schedule.breaks:
        problems.append(f"optimal with bound {schedule.bound} below {schedule.breaks} breaks")
    return problems


def _interpreter_problems(problem: Problem, schedule: Schedule) -> list[str]:
    """Every placed meeting that needs an interpreter has one of its own in its slot, who
    speaks a language of each side and is available then."""
    problems: list[str] = []
    position = {person.key: i for i, person in enumerate(problem.interpreters)}
    taken: dict[tuple[str, int], str] = {}
    for meeting in problem.meetings:
        t = schedule.slot_of.get(meeting.key)
        if t is None:
            continue
        who = serving(problem, meeting)
        chosen = schedule.interpreter_of.get(meeting.key)
        if who is None:
            if chosen is not None:
                problems.append(
                    f"{meeting.key}: interpreter {chosen} for sides who share a language"
                )
            continue
        if chosen is None:
            problems.append(f"{meeting.key}: needs an interpreter, has none in slot {t}")
            continue
        i = position.get(chosen)
        if i is None or i not in who:
            problems.append(f"{meeting.key}: interpreter {chosen} cannot serve its two languages")
        elif t in problem.interpreters[i].unavailable:
            problems.append(f"{meeting.key}: interpreter {chosen} is unavailable in slot {t}")
        other = taken.get((chosen, t))
        if other is not None:
            problems.append(f"{meeting.key}: interpreter {chosen} also serves {other} in slot {t}")
        taken[(chosen, t)] = meeting.key
    for key in schedule.interpreter_of:
        if key not in schedule.slot_of:
            problems.append(f"{key}: an interpreter for a meeting not placed")
    return problems
