"""The meeting scheduler's data: the problem and schedule dataclasses, input checks, the
index every solver works on, and the Schedule a solver's positions make (`schedule_of`).
Part of `corridor.events.scheduling` (import from there); no Django import.

Rules that every part of the scheduler shares, written down once:

- A *break* is a maximal run of idle slots between two meetings of one participant on the
  same day. Idle time before a participant's first meeting, after the last one, or across
  a day start (`Problem.day_starts`) is not a break. The morning/afternoon change is not a
  day start: the JAIR 2022 paper counts an idle run over lunch as a break, and the proven
  optima of its instances hold under that rule (`read_dzn` sets no day starts). An
  organiser who does not want lunch counted adds the afternoon's first slot to
  `day_starts`.
- *Fairness d*: in mode "all", among the participants who have at least one meeting, the
  most breaks and the fewest breaks differ by at most d (the paper's rule; a participant
  with a single meeting has none, so in practice nobody gets more than d). In mode "max"
  the set of participants with a placed meeting is itself decided by the solver, so the
  rule is the plain cap it becomes in practice: nobody gets more than d breaks.
- Slots are 0-based and in time order; a meeting's *domain* is the set of slots it may
  take: its session's slots, minus both participants' unavailable slots, minus the slots
  in which no interpreter who can serve it is available (when it needs one), or only its
  fixed slot.
- Precedences (precedence.py): `Problem.precedences` holds pairs (before, after) of meeting
  keys: before takes an earlier slot than after. In mode "max" after is placed only with
  before placed earlier. `Index.precedences` holds them as positions.
- Interpreters (interpreters.py): a meeting whose sides share no working language needs
  an interpreter who speaks a language of each side; in every slot the meetings needing
  one are served by different available interpreters. `Index.rows` holds this as
  cardinality rows that every solver respects; `schedule_of` names the interpreters.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from corridor.events.scheduling.interpreters import (
    Interpreter,
    available_at,
    eligible,
    free_slots,
    hall_rows,
    match,
)
from corridor.events.scheduling.precedence import broken, closure_drop, cycle, explain, trim

ANY = "any"
MODES = ("all", "max")


@dataclass(frozen=True)
class Meeting:
    """A meeting to schedule between participants `a` and `b` (keys of `Problem.participants`)."""

    key: str
    a: str
    b: str
    session: str = ANY
    weight: int = 1
    fixed_slot: int | None = None


@dataclass(frozen=True)
class Problem:
    """What the organiser asks for. `sessions` maps a session name to its slots; a meeting
    whose session is "any" (or a name not in `sessions`, reported by `check`) may take any
    slot. `previous` is the published schedule (meeting key -> slot) when rescheduling.
    `languages` maps a participant to its working languages (none stated: it needs no
    interpreter); `interpreters` are the event's interpreters; `previous_interpreter`
    (meeting key -> interpreter key) the ones meetings had, kept when the matching can."""

    participants: tuple[str, ...]
    slots: int
    tables: int
    meetings: tuple[Meeting, ...]
    sessions: dict[str, frozenset[int]] = field(default_factory=dict)
    day_starts: frozenset[int] = frozenset()
    forbidden: dict[str, frozenset[int]] = field(default_factory=dict)
    fairness: int | None = 2
    mode: str = "all"
    previous: dict[str, int] | None = None
    time_limit: float = 30.0
    languages: dict[str, frozenset[str]] = field(default_factory=dict)
    interpreters: tuple[Interpreter, ...] = ()
    previous_interpreter: dict[str, str] | None = None
    precedences: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ProblemError:
    """One reason why a problem cannot be solved as asked. `code` is stable (the Django
    side translates it); the other fields name what is wrong. Precedence errors name the
    meetings involved in `others` and, for "precedence_impossible", the participant's
    usable slots before `slot` in `count`."""

    code: str
    meeting: str | None = None
    participant: str | None = None
    slot: int | None = None
    others: tuple[str, ...] = ()
    count: int | None = None


@dataclass
class Schedule:
    """A solver's answer. `bound` is a lower bound on breaks in mode "all" and an upper
    bound on the placed weight in mode "max"; `optimal` is True only when proven."""

    slot_of: dict[str, int] = field(default_factory=dict)
    unplaced: dict[str, str] = field(default_factory=dict)
    breaks: int = 0
    breaks_of: dict[str, int] = field(default_factory=dict)
    status: str = "feasible"
    optimal: bool = False
    bound: float = 0.0
    weight: int = 0
    moved: int = 0
    seconds: float = 0.0
    first_valid_seconds: float = 0.0
    errors: list[ProblemError] = field(default_factory=list)
    method: str = ""
    interpreter_of: dict[str, str] = field(default_factory=dict)


# Reason codes of Schedule.unplaced and codes of ProblemError.
UNKNOWN_PARTICIPANT = "unknown_participant"
SAME_PARTICIPANT = "same_participant"
DUPLICATE_MEETING = "duplicate_meeting"
UNKNOWN_SESSION = "unknown_session"
SLOT_OUT_OF_RANGE = "slot_out_of_range"
FIXED_UNAVAILABLE = "fixed_unavailable"
FIXED_OVERLAP = "fixed_overlap"
FIXED_CAPACITY = "fixed_capacity"
NO_COMMON_SLOT = "no_common_slot"
OVERBOOKED = "participant_overbooked"
CAPACITY = "capacity"
FIXED_CONFLICT = "fixed_conflict"
UNSOLVED = "not_scheduled"
BAD_PROBLEM = "bad_problem"
NO_INTERPRETER = "no_interpreter"
INTERPRETER_BUSY = "interpreter_busy"
INTERPRETER_CAPACITY = "interpreter_capacity"
UNKNOWN_PRECEDENCE = "unknown_precedence"
PRECEDENCE_CYCLE = "precedence_cycle"
PRECEDENCE_IMPOSSIBLE = "precedence_impossible"
PRECEDENCE = "precedence"  # mode "max": a meeting that must come first cannot be placed


@dataclass
class Index:
    """The problem in integers, for the solvers: participants and meetings by position,
    each meeting's domain, and which participants' day each slot belongs to. Only the
    meetings that can be scheduled at all are here (`meeting_keys`); `dropped` holds the
    others with their reason."""

    problem: Problem
    n_slots: int
    tables: int
    people: list[str]
    meeting_keys: list[str]
    ends: list[tuple[int, int]]
    domain: list[tuple[int, ...]]
    weight: list[int]
    fixed: list[int | None]
    of_person: list[list[int]]
    day_of: list[int]
    dropped: dict[str, str]
    # (slot, meeting positions, most of them in that slot): interpreters.py
    rows: list[tuple[int, tuple[int, ...], int]] = field(default_factory=list)
    # (before, after) meeting positions: precedence.py
    precedences: list[tuple[int, int]] = field(default_factory=list)

    @property
    def n_meetings(self) -> int:
        return len(self.meeting_keys)

    def subset(self, meetings: list[int], tables: int | None = None) -> Index:
        """The same problem restricted to some meetings (positions renumbered in the
        order given; `meeting_keys` keep the real keys)."""
        of_person: list[list[int]] = [[] for _ in self.people]
        for i, m in enumerate(meetings):
            a, b = self.ends[m]
            of_person[a].append(i)
            of_person[b].append(i)
        position = {m: i for i, m in enumerate(meetings)}
        rows = []
        for t, members, cap in self.rows:
            kept = tuple(sorted(position[m] for m in members if m in position))
            if len(kept) > cap:
                rows.append((t, kept, cap))
        return Index(
            problem=self.problem,
            n_slots=self.n_slots,
            tables=self.tables if tables is None else tables,
            people=self.people,
            meeting_keys=[self.meeting_keys[m] for m in meetings],
            ends=[self.ends[m] for m in meetings],
            domain=[self.domain[m] for m in meetings],
            weight=[self.weight[m] for m in meetings],
            fixed=[self.fixed[m] for m in meetings],
            of_person=of_person,
            day_of=self.day_of,
            dropped={},
            rows=rows,
            precedences=[
                (position[b], position[a])
                for b, a in self.precedences
                if b in position and a in position
            ],
        )

    def day_runs(self) -> list[list[int]]:
        """The slots of each day, in order."""
        runs: dict[int, list[int]] = defaultdict(list)
        for t, day in enumerate(self.day_of):
            runs[day].append(t)
        return [runs[day] for day in sorted(runs)]


def session_slots(problem: Problem, session: str) -> frozenset[int] | None:
    """The slots of a session; None for a session name the problem does not define."""
    if session in problem.sessions:
        return frozenset(t for t in problem.sessions[session] if 0 <= t < problem.slots)
    if session == ANY:
        return frozenset(range(problem.slots))
    return None


def serving(problem: Problem, meeting: Meeting) -> frozenset[int] | None:
    """Positions of the interpreters who can serve the meeting; None: it needs none."""
    if not problem.languages:
        return None
    return eligible(
        problem.languages.get(meeting.a, ()),
        problem.languages.get(meeting.b, ()),
        problem.interpreters,
    )


def assign_interpreters(
    problem: Problem, slot_of: dict[str, int]
) -> tuple[dict[str, str], list[str]]:
    """An interpreter (key) for every placed meeting that needs one, by a matching per
    slot; and the placed meetings that needing one get none (empty for a valid schedule)."""
    if not problem.languages:
        return {}, []
    wanting: dict[int, dict[str, frozenset[int]]] = defaultdict(dict)
    for meeting in problem.meetings:
        t = slot_of.get(meeting.key)
        who = serving(problem, meeting) if t is not None else None
        if who is not None:
            wanting[t][meeting.key] = who
    position = {person.key: i for i, person in enumerate(problem.interpreters)}
    prefer = {
        key: position[who]
        for key, who in (problem.previous_interpreter or {}).items()
        if who in position
    }
    chosen: dict[str, str] = {}
    unserved: list[str] = []
    for t, keys in sorted(wanting.items()):
        matched = match(keys, available_at(problem.interpreters, t), prefer)
        chosen.update({key: problem.interpreters[i].key for key, i in matched.items()})
        unserved.extend(sorted(set(keys) - set(matched)))
    return chosen, unserved


def check(problem: Problem) -> list[ProblemError]:
    """Everything that makes the problem unsolvable as asked, each error named precisely.

    In mode "all" any error makes the problem invalid; in mode "max" the meetings named
    here are left unplaced with the error's code and the rest is scheduled."""
    errors: list[ProblemError] = []
    if problem.mode not in MODES or problem.slots < 1 or problem.tables < 1:
        errors.append(ProblemError(BAD_PROBLEM))
        return errors
    known = set(problem.participants)
    forbidden = {p: frozenset(problem.forbidden.get(p, ())) for p in problem.participants}
    seen: set[str] = set()
    fixed_at: dict[int, list[Meeting]] = defaultdict(list)
    fixed_of: dict[tuple[str, int], Meeting] = {}
    required = defaultdict(int)
    fixed_wanting: dict[int, dict[str, frozenset[int]]] = defaultdict(dict)
    for meeting in problem.meetings:
        if meeting.key in seen:
            errors.append(ProblemError(DUPLICATE_MEETING, meeting=meeting.key))
            continue
        seen.add(meeting.key)
        unknown = [p for p in (meeting.a, meeting.b) if p not in known]
        for p in unknown:
            errors.append(ProblemError(UNKNOWN_PARTICIPANT, meeting=meeting.key, participant=p))
        if unknown:
            continue
        if meeting.a == meeting.b:
            errors.append(
                ProblemError(SAME_PARTICIPANT, meeting=meeting.key, participant=meeting.a)
            )
            continue
        allowed = session_slots(problem, meeting.session)
        if allowed is None:
            errors.append(ProblemError(UNKNOWN_SESSION, meeting=meeting.key))
            continue
        if meeting.fixed_slot is not None:
            t = meeting.fixed_slot
            if not 0 <= t < problem.slots:
                errors.append(ProblemError(SLOT_OUT_OF_RANGE, meeting=meeting.key, slot=t))
                continue
            busy = [p for p in (meeting.a, meeting.b) if t in forbidden[p]]
            for p in busy:
                errors.append(
                    ProblemError(FIXED_UNAVAILABLE, meeting=meeting.key, participant=p, slot=t)
                )
            if busy:
                continue
            who = serving(problem, meeting)
            if who is not None and t not in free_slots(who, problem.interpreters, problem.slots):
                errors.append(ProblemError(NO_INTERPRETER, meeting=meeting.key, slot=t))
                continue
            clash = False
            for p in (meeting.a, meeting.b):
                other = fixed_of.get((p, t))
                if other is not None:
                    errors.append(
                        ProblemError(FIXED_OVERLAP, meeting=meeting.key, participant=p, slot=t)
                    )
                    clash = True
            if clash:
                continue
            fixed_of[(meeting.a, t)] = fixed_of[(meeting.b, t)] = meeting
            fixed_at[t].append(meeting)
            if who is not None:
                fixed_wanting[t][meeting.key] = who
            if len(fixed_at[t]) > problem.tables:
                errors.append(ProblemError(FIXED_CAPACITY, meeting=meeting.key, slot=t))
            required[meeting.a] += 1
            required[meeting.b] += 1
            continue
        free = allowed - forbidden[meeting.a] - forbidden[meeting.b]
        if not free:
            errors.append(ProblemError(NO_COMMON_SLOT, meeting=meeting.key))
            continue
        who = serving(problem, meeting)
        if who is not None and not free & free_slots(who, problem.interpreters, problem.slots):
            errors.append(ProblemError(NO_INTERPRETER, meeting=meeting.key))
            continue
        required[meeting.a] += 1
        required[meeting.b] += 1
    for t, wanting in sorted(fixed_wanting.items()):
        matched = match(wanting, available_at(problem.interpreters, t))
        errors.extend(
            ProblemError(NO_INTERPRETER, meeting=key, slot=t)
            for key in sorted(set(wanting) - set(matched))
        )
    errors.extend(_precedence_errors(problem, seen))
    if problem.mode == "all":
        for p in problem.participants:
            free = problem.slots - len({t for t in forbidden[p] if 0 <= t < problem.slots})
            if required[p] > free:
                errors.append(ProblemError(OVERBOOKED, participant=p))
        if sum(required.values()) // 2 > problem.slots * problem.tables:
            errors.append(ProblemError(CAPACITY))
        errors.extend(_interpreter_capacity(problem, errors))
        if problem.precedences and not errors:
            errors.extend(_precedence_impossible(problem))
    return errors


def _precedence_errors(problem: Problem, known: set[str]) -> list[ProblemError]:
    """Pairs naming a meeting the problem lacks or a meeting twice, and cycles."""
    errors = []
    for before, after in problem.precedences:
        for key in (before, after):
            if key not in known:
                errors.append(ProblemError(UNKNOWN_PRECEDENCE, others=(before, after)))
        if before == after and before in known:
            errors.append(ProblemError(PRECEDENCE_CYCLE, meeting=before, others=(before,)))
    loop = cycle((b, a) for b, a in problem.precedences if b != a)
    if loop:
        errors.append(ProblemError(PRECEDENCE_CYCLE, meeting=loop[0], others=tuple(loop)))
    return errors


def _precedence_impossible(problem: Problem) -> list[ProblemError]:
    """Mode "all": a participant who must meet more people before a meeting than it has
    usable slots before that meeting's last possible slot (precedence.explain)."""
    ix = build_index(problem, [], trim_order=False)
    return explain_index(ix)


def explain_index(ix: Index) -> list[ProblemError]:
    """precedence.explain in the problem's keys."""

    def make(*, participant, meeting, slot, others, count):
        return ProblemError(
            PRECEDENCE_IMPOSSIBLE,
            meeting=ix.meeting_keys[meeting],
            participant=ix.people[participant] if participant is not None else None,
            slot=slot,
            others=tuple(ix.meeting_keys[m] for m in others),
            count=count,
        )

    return explain(ix.precedences, ix.domain, ix.ends, make)


def _interpreter_capacity(problem: Problem, errors: list[ProblemError]) -> list[ProblemError]:
    """Mode "all": for the meetings that the same interpreters serve, more of them than
    those interpreters have free slots in all (a necessary condition, named at once)."""
    if not problem.interpreters or not problem.languages:
        return []
    wrong = {error.meeting for error in errors if error.meeting is not None}
    groups: dict[frozenset[int], int] = defaultdict(int)
    for meeting in problem.meetings:
        who = serving(problem, meeting) if meeting.key not in wrong else None
        if who:
            groups[who] += 1
    for who, count in groups.items():
        free = sum(
            1
            for t in range(problem.slots)
            for i in who
            if t not in problem.interpreters[i].unavailable
        )
        if count > free:
            return [ProblemError(INTERPRETER_CAPACITY)]
    return []


def build_index(
    problem: Problem, errors: list[ProblemError] | None = None, *, trim_order: bool = True
) -> Index:
    """The integer view of the meetings that `check` did not rule out. With precedences,
    the domains lose the slots the order rules out (precedence.trim) unless `trim_order`
    is False (the explanation counts the slots as the organiser sees them)."""
    if errors is None:
        errors = check(problem)
    dropped: dict[str, str] = {}
    for error in errors:
        if error.meeting is not None and error.meeting not in dropped:
            dropped[error.meeting] = error.code
    if problem.precedences:
        pairs = list(problem.precedences)
        for key in closure_drop(pairs, set(dropped)):
            dropped[key] = PRECEDENCE
    people = list(problem.participants)
    position = {p: i for i, p in enumerate(people)}
    forbidden = {p: frozenset(problem.forbidden.get(p, ())) for p in people}
    keys, ends, domain, weight, fixed = [], [], [], [], []
    served: list[frozenset[int] | None] = []
    of_person: list[list[int]] = [[] for _ in people]
    seen: set[str] = set()

    # meetings grouped by the participant who asked for them, in participant order, however
    # they were listed: the solvers break ties by variable number, and requests listed as
    # they came (interleaved) left forum-13crafc unproven in 30 s on five orders of five,
    # against 0.8-1.4 s grouped (bench/scheduling.py --shuffled)
    def grouped(meeting: Meeting) -> tuple[int, int]:  # unknown participants: dropped below
        return position.get(meeting.a, -1), position.get(meeting.b, -1)

    for meeting in sorted(problem.meetings, key=grouped):
        if meeting.key in dropped or meeting.key in seen:
            continue
        seen.add(meeting.key)
        if meeting.fixed_slot is not None:
            slots: tuple[int, ...] = (meeting.fixed_slot,)
        else:
            allowed = session_slots(problem, meeting.session) or frozenset()
            slots = tuple(sorted(allowed - forbidden[meeting.a] - forbidden[meeting.b]))
        who = serving(problem, meeting)
        if who is not None and meeting.fixed_slot is None:
            open_slots = free_slots(who, problem.interpreters, problem.slots)
            slots = tuple(t for t in slots if t in open_slots)
        served.append(who)
        m = len(keys)
        keys.append(meeting.key)
        ends.append((position[meeting.a], position[meeting.b]))
        domain.append(slots)
        weight.append(max(int(meeting.weight), 0))
        fixed.append(meeting.fixed_slot)
        of_person[position[meeting.a]].append(m)
        of_person[position[meeting.b]].append(m)
    pairs = _precedence_positions(problem, keys)
    if pairs and trim_order:
        domain = trim(domain, pairs, all_placed=problem.mode == "all")
    return Index(
        problem=problem,
        n_slots=problem.slots,
        tables=problem.tables,
        people=people,
        meeting_keys=keys,
        ends=ends,
        domain=domain,
        weight=weight,
        fixed=fixed,
        of_person=of_person,
        day_of=day_of_slots(problem),
        dropped=dropped,
        rows=hall_rows(served, domain, problem.interpreters, problem.slots),
        precedences=pairs,
    )


def _precedence_positions(problem: Problem, keys: list[str]) -> list[tuple[int, int]]:
    position = {key: m for m, key in enumerate(keys)}
    return sorted(
        {
            (position[b], position[a])
            for b, a in problem.precedences
            if b in position and a in position and a != b
        }
    )


def count_breaks(slots: list[int], day_of: list[int]) -> int:
    """Breaks of one participant whose meetings take `slots` (see the module's rules)."""
    ordered = sorted(slots)
    return sum(
        1
        for before, after in zip(ordered, ordered[1:], strict=False)
        if after > before + 1 and day_of[before] == day_of[after]
    )


def day_of_slots(problem: Problem) -> list[int]:
    """Which day each slot belongs to, counting `day_starts`."""
    day, days = 0, []
    for t in range(problem.slots):
        if t in problem.day_starts and t > 0:
            day += 1
        days.append(day)
    return days


def breaks_of(problem: Problem, slot_of: dict[str, int]) -> dict[str, int]:
    """Breaks per participant (every participant listed) of the placed meetings `slot_of`."""
    day_of = day_of_slots(problem)
    taken: dict[str, list[int]] = {p: [] for p in problem.participants}
    for meeting in problem.meetings:
        t = slot_of.get(meeting.key)
        if t is None or not 0 <= t < problem.slots:
            continue
        for p in (meeting.a, meeting.b):
            if p in taken:
                taken[p].append(t)
    return {p: count_breaks(slots, day_of) for p, slots in taken.items()}


def fairness_violations(problem: Problem, slot_of: dict[str, int]) -> list[str]:
    """Who breaks the fairness rule of the module docstring, as readable lines."""
    if problem.fairness is None:
        return []
    per_person = breaks_of(problem, slot_of)
    if problem.mode == "max":
        return [
            f"fairness: {p} has {n} breaks, more than {problem.fairness}"
            for p, n in per_person.items()
            if n > problem.fairness
        ]
    busy = {m.a for m in problem.meetings if m.key in slot_of} | {
        m.b for m in problem.meetings if m.key in slot_of
    }
    counts = [per_person[p] for p in problem.participants if p in busy]
    if counts and max(counts) - min(counts) > problem.fairness:
        return [f"fairness: breaks range from {min(counts)} to {max(counts)}"]
    return []


def schedule_of(
    ix: Index,
    slot_of: dict[int, int],
    started: float,
    *,
    left_out: list[int] | None = None,
    reason: str = CAPACITY,
) -> Schedule:
    """A Schedule from positions (meeting -> slot of the Index), with its breaks, weight,
    moves and validity status: "feasible" when valid, else "unsolved"."""
    problem = ix.problem
    keyed = {ix.meeting_keys[m]: t for m, t in slot_of.items()}
    unplaced = dict(ix.dropped)
    if problem.mode == "all":
        reason = UNSOLVED  # nothing proves it cannot be placed: the search ran out of time
    left = left_out or [m for m in range(ix.n_meetings) if m not in slot_of]
    busy_interpreters = _left_for_interpreters(ix, slot_of, left) if reason == CAPACITY else set()
    for m in left:
        unplaced.setdefault(
            ix.meeting_keys[m], INTERPRETER_BUSY if m in busy_interpreters else reason
        )
    per_person = breaks_of(problem, keyed)
    interpreter_of, unserved = assign_interpreters(problem, keyed)
    schedule = Schedule(
        slot_of=keyed,
        unplaced=unplaced,
        breaks=sum(per_person.values()),
        breaks_of=per_person,
        weight=sum(ix.weight[m] for m in slot_of),
        moved=count_moved(problem, keyed),
        seconds=time.monotonic() - started,
        interpreter_of=interpreter_of,
    )
    complete = (problem.mode == "max" or not unplaced) and not unserved
    fair = not fairness_violations(problem, keyed)
    ordered = not broken(problem.precedences, keyed, all_placed=problem.mode == "all")
    schedule.status = "feasible" if complete and fair and ordered else "unsolved"
    return schedule


def _left_for_interpreters(ix: Index, slot_of: dict[int, int], left: list[int]) -> set[int]:
    """The meetings left out (mode "max") that had a slot where both sides and a table were
    free: what kept them out was the interpreters, all taken."""
    if not ix.rows or not left:
        return set()
    needing = {m for _t, members, _cap in ix.rows for m in members}
    busy = {(p, t) for m, t in slot_of.items() for p in ix.ends[m]}
    load: dict[int, int] = defaultdict(int)
    for t in slot_of.values():
        load[t] += 1
    return {
        m
        for m in left
        if m in needing
        and any(
            load[t] < ix.tables and not {(p, t) for p in ix.ends[m]} & busy for t in ix.domain[m]
        )
    }


def count_moved(problem: Problem, slot_of: dict[str, int]) -> int:
    """Meetings of `problem.previous` that left their published slot (or lost it)."""
    if not problem.previous:
        return 0
    return sum(
        1 for key, t in problem.previous.items() if key in slot_of and slot_of[key] != t
    ) + sum(1 for key in problem.previous if key not in slot_of and _exists(problem, key))


def _exists(problem: Problem, key: str) -> bool:
    return any(m.key == key for m in problem.meetings)
