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
  take: its session's slots, minus both participants' unavailable slots, or only its
  fixed slot.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

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
    slot. `previous` is the published schedule (meeting key -> slot) when rescheduling."""

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


@dataclass(frozen=True)
class ProblemError:
    """One reason why a problem cannot be solved as asked. `code` is stable (the Django
    side translates it); the other fields name what is wrong."""

    code: str
    meeting: str | None = None
    participant: str | None = None
    slot: int | None = None


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
            if len(fixed_at[t]) > problem.tables:
                errors.append(ProblemError(FIXED_CAPACITY, meeting=meeting.key, slot=t))
            required[meeting.a] += 1
            required[meeting.b] += 1
            continue
        if not allowed - forbidden[meeting.a] - forbidden[meeting.b]:
            errors.append(ProblemError(NO_COMMON_SLOT, meeting=meeting.key))
            continue
        required[meeting.a] += 1
        required[meeting.b] += 1
    if problem.mode == "all":
        for p in problem.participants:
            free = problem.slots - len({t for t in forbidden[p] if 0 <= t < problem.slots})
            if required[p] > free:
                errors.append(ProblemError(OVERBOOKED, participant=p))
        if sum(required.values()) // 2 > problem.slots * problem.tables:
            errors.append(ProblemError(CAPACITY))
    return errors


def build_index(problem: Problem, errors: list[ProblemError] | None = None) -> Index:
    """The integer view of the meetings that `check` did not rule out."""
    if errors is None:
        errors = check(problem)
    dropped: dict[str, str] = {}
    for error in errors:
        if error.meeting is not None and error.meeting not in dropped:
            dropped[error.meeting] = error.code
    people = list(problem.participants)
    position = {p: i for i, p in enumerate(people)}
    forbidden = {p: frozenset(problem.forbidden.get(p, ())) for p in people}
    keys, ends, domain, weight, fixed = [], [], [], [], []
    of_person: list[list[int]] = [[] for _ in people]
    seen: set[str] = set()
    for meeting in problem.meetings:
        if meeting.key in dropped or meeting.key in seen:
            continue
        seen.add(meeting.key)
        if meeting.fixed_slot is not None:
            slots: tuple[int, ...] = (meeting.fixed_slot,)
        else:
            allowed = session_slots(problem, meeting.session) or frozenset()
            slots = tuple(sorted(allowed - forbidden[meeting.a] - forbidden[meeting.b]))
        m = len(keys)
        keys.append(meeting.key)
        ends.append((position[meeting.a], position[meeting.b]))
        domain.append(slots)
        weight.append(max(int(meeting.weight), 0))
        fixed.append(meeting.fixed_slot)
        of_person[position[meeting.a]].append(m)
        of_person[position[meeting.b]].append(m)
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
    for m in left_out or [m for m in range(ix.n_meetings) if m not in slot_of]:
        unplaced.setdefault(ix.meeting_keys[m], reason)
    per_person = breaks_of(problem, keyed)
    schedule = Schedule(
        slot_of=keyed,
        unplaced=unplaced,
        breaks=sum(per_person.values()),
        breaks_of=per_person,
        weight=sum(ix.weight[m] for m in slot_of),
        moved=count_moved(problem, keyed),
        seconds=time.monotonic() - started,
    )
    complete = problem.mode == "max" or not unplaced
    fair = not fairness_violations(problem, keyed)
    schedule.status = "feasible" if complete and fair else "unsolved"
    return schedule


def count_moved(problem: Problem, slot_of: dict[str, int]) -> int:
    """Meetings of `problem.previous` that left their published slot (or lost it)."""
    if not problem.previous:
        return 0
    return sum(
        1 for key, t in problem.previous.items() if key in slot_of and slot_of[key] != t
    ) + sum(1 for key in problem.previous if key not in slot_of and _exists(problem, key))


def _exists(problem: Problem, key: str) -> bool:
    return any(m.key == key for m in problem.meetings)
