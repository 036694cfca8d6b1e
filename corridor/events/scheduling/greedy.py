"""The scheduler's fast heuristic: place meetings one by one in the slot that adds the
fewest breaks. Part of `corridor.events.scheduling`; no Django import.

It gives the first valid answer within a fraction of a second, the starting point and
fallback of the exact solvers, and the baseline the benchmark compares them with.
Meetings are taken most constrained first (mode "all": fewest allowed slots, busiest
participants; mode "max": highest weight first). A meeting goes to the free slot that adds
the fewest breaks to its two participants, then next to their other meetings, then the
earliest. In mode "all" a meeting that finds no slot may move one meeting out of its way;
in both modes a few reordered passes run while time allows and the best pass is kept.
In mode "all" a pass that left meetings out or someone over the fairness cap is then
repaired by local search (`repair`): meetings moved or swapped into place, and ejection
chains for meetings that no short move can place.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from corridor.events.scheduling.core import Index
from corridor.events.scheduling.precedence import allowed, by_meeting, windows

GREEDY_BUDGET = 0.02  # seconds of greedy restarts before the exact search
# and of restarts and repair together: the repair made the greedy schedule valid on five
# of the ten JAIR instances where it was not (forum-14 in 0.005 s); with ejection chains
# (session 10) on the sixth, forumt-14crafd, too
REPAIR_BUDGET = 0.05


@dataclass
class Placement:
    """A greedy pass's result in positions: meeting -> slot, and meetings left out."""

    slot_of: dict[int, int]
    left_out: list[int]
    breaks: int
    weight: int
    fair: bool


class _Calendar:
    """Who is busy when, as bit masks, with the break count of a mask in O(1) big-int ops."""

    def __init__(self, ix: Index, cap: int | None):
        self.ix = ix
        self.cap = cap
        self.busy = [0] * len(ix.people)
        self.load = [0] * ix.n_slots
        self.at: list[dict[int, int]] = [{} for _ in ix.people]  # person -> slot -> meeting
        self.slot_of: dict[int, int] = {}
        # bit t of `joined` is set when slot t continues the day of slot t-1
        self.joined = sum(1 << t for t in range(1, ix.n_slots) if ix.day_of[t] == ix.day_of[t - 1])
        self.day_masks = []
        for day in ix.day_runs():
            self.day_masks.append(sum(1 << t for t in day))
        # interpreters (core.Index.rows): the rows each (meeting, slot) counts in
        self.row_load = [0] * len(ix.rows)
        self.rows_at: dict[tuple[int, int], list[int]] = {}
        for r, (t, members, _cap) in enumerate(ix.rows):
            for m in members:
                self.rows_at.setdefault((m, t), []).append(r)
        # precedences (precedence.py): slots out of a meeting's window are never tried
        self.before_of, self.after_of = by_meeting(ix.precedences)
        self.window = windows(ix.n_meetings, ix.precedences, ix.domain) if ix.precedences else None

    def breaks(self, mask: int) -> int:
        if not mask:
            return 0
        starts = mask & ~((mask << 1) & self.joined)
        days = sum(1 for day in self.day_masks if mask & day)
        return starts.bit_count() - days

    def free(self, m: int, t: int) -> bool:
        a, b = self.ix.ends[m]
        bit = 1 << t
        if self.busy[a] & bit or self.busy[b] & bit or self.load[t] >= self.ix.tables:
            return False
        rows = self.rows_at.get((m, t)) if self.rows_at else None
        if rows and not all(self.row_load[r] < self.ix.rows[r][2] for r in rows):
            return False
        return self.window is None or self.in_order(m, t)

    def in_order(self, m: int, t: int) -> bool:
        earliest, latest = self.window
        if not earliest[m] <= t <= latest[m]:
            return False
        return allowed(m, t, self.slot_of, self.before_of, self.after_of)

    def drop_out_of_order(self) -> list[int]:
        """Remove the meetings whose predecessor stayed unplaced (mode "max" semantics)."""
        removed: list[int] = []
        changed = self.window is not None
        while changed:
            changed = False
            for before, after in self.ix.precedences:
                if after in self.slot_of and before not in self.slot_of:
                    self.remove(after)
                    removed.append(after)
                    changed = True
        return removed

    def score(self, m: int, t: int) -> tuple[int, int, int] | None:
        """(added breaks, -neighbours, distance) of m at t; None if unfair."""
        a, b = self.ix.ends[m]
        bit = 1 << t
        added, neighbours, distance = 0, 0, 0
        for p in (a, b):
            mask = self.busy[p]
            after = self.breaks(mask | bit)
            if self.cap is not None and after > self.cap:
                return None
            added += after - self.breaks(mask)
            if mask & ((bit << 1) | (bit >> 1)):
                neighbours += 1
            elif mask:
                distance += min(abs(t - s) for s in self.at[p])
        return (added, -neighbours, distance)

    def place(self, m: int, t: int) -> None:
        a, b = self.ix.ends[m]
        for p in (a, b):
            self.busy[p] |= 1 << t
            self.at[p][t] = m
        self.load[t] += 1
        self.slot_of[m] = t
        for r in self.rows_at.get((m, t), ()):
            self.row_load[r] += 1

    def remove(self, m: int) -> int:
        t = self.slot_of.pop(m)
        for p in self.ix.ends[m]:
            self.busy[p] &= ~(1 << t)
            del self.at[p][t]
        self.load[t] -= 1
        for r in self.rows_at.get((m, t), ()):
            self.row_load[r] -= 1
        return t

    def restore(self, slot_of: dict[int, int]) -> None:
        """Back to the placement `slot_of` (an earlier copy of `self.slot_of`)."""
        for m in [m for m, t in self.slot_of.items() if slot_of.get(m) != t]:
            self.remove(m)
        for m, t in slot_of.items():
            if m not in self.slot_of:
                self.place(m, t)

    def best_slot(self, m: int, unfair_ok: bool) -> int | None:
        best, best_score = None, None
        for t in self.ix.domain[m]:
            if not self.free(m, t):
                continue
            score = self.score(m, t)
            if score is None:
                if not unfair_ok:
                    continue
                score = (1000, 0, 0)
            if best_score is None or score < best_score:
                best, best_score = t, score
        return best

    def make_room(self, m: int) -> bool:
        """Place m by moving one meeting that blocks one of its slots elsewhere."""
        a, b = self.ix.ends[m]
        for t in self.ix.domain[m]:
            blockers = {self.at[p][t] for p in (a, b) if t in self.at[p]}
            if not blockers and self.load[t] >= self.ix.tables:
                blockers = {next(iter(k for k, s in self.slot_of.items() if s == t))}
            if len(blockers) != 1:
                continue
            (other,) = blockers
            if self.ix.fixed[other] is not None:
                continue
            old = self.remove(other)
            if self.free(m, t):
                self.place(m, t)
                target = next(
                    (s for s in self.ix.domain[other] if s != old and self.free(other, s)), None
                )
                if target is not None:
                    self.place(other, target)
                    return True
                self.remove(m)
            self.place(other, old)
        return False


def _order(ix: Index, maximise: bool, rng: random.Random | None) -> list[int]:
    degree = [len(ms) for ms in ix.of_person]

    def key(m: int) -> tuple:
        a, b = ix.ends[m]
        noise = rng.random() if rng else 0.0
        fixed = 0 if ix.fixed[m] is not None else 1
        if maximise:
            return (fixed, -ix.weight[m], len(ix.domain[m]), -(degree[a] + degree[b]), noise, m)
        return (fixed, len(ix.domain[m]) + noise * 3, -(degree[a] + degree[b]), m)

    return sorted(range(ix.n_meetings), key=key)


def greedy_pass(
    ix: Index, *, maximise: bool, cap: int | None, rng: random.Random | None = None
) -> Placement:
    """One pass in the order of `_order`; `cap` is the most breaks anyone may get."""
    calendar = _Calendar(ix, cap)
    left_out: list[int] = []
    for m in _order(ix, maximise, rng):
        t = calendar.best_slot(m, unfair_ok=False)
        if t is None and not maximise:
            if calendar.make_room(m):
                continue
            t = calendar.best_slot(m, unfair_ok=True)
        if t is None:
            left_out.append(m)
            continue
        calendar.place(m, t)
    left_out.extend(calendar.drop_out_of_order())
    per_person = [calendar.breaks(mask) for mask in calendar.busy]
    fair = cap is None or max(per_person, default=0) <= cap
    return Placement(
        slot_of=dict(calendar.slot_of),
        left_out=left_out,
        breaks=sum(per_person),
        weight=sum(ix.weight[m] for m in calendar.slot_of),
        fair=fair,
    )


def greedy_best(
    ix: Index, *, maximise: bool, cap: int | None, budget: float, seed: int = 0
) -> Placement:
    """Greedy passes (the plain order, then shuffled ones) for `budget` seconds; the best
    pass: all placed and fair first, then most weight, then fewest breaks. In mode "all"
    an invalid plain pass is repaired first, and the restarts run only if that fails."""
    started = time.monotonic()
    rng = random.Random(seed)
    best = greedy_pass(ix, maximise=maximise, cap=cap)

    def rank(p: Placement) -> tuple:
        return (len(p.left_out) if not maximise else 0, not p.fair, -p.weight, p.breaks)

    if not maximise and not best.left_out and best.fair:
        return best  # valid: the exact search does the rest, every millisecond counts
    if not maximise:  # mode "all": a repaired first pass saves the restarts' time
        repaired = repair(ix, best, started + budget)
        if not repaired.left_out and repaired.fair:
            return repaired
    spent = time.monotonic() - started
    while time.monotonic() - started + spent < budget:
        candidate = greedy_pass(ix, maximise=maximise, cap=cap, rng=rng)
        if rank(candidate) < rank(best):
            best = candidate
    return best


def first_placement(ix: Index) -> Placement:
    """The greedy answer that `solve` starts from (and `greedy` returns): restarts for
    GREEDY_BUDGET seconds, or a quarter of the time limit when that is shorter."""
    problem = ix.problem
    started = time.monotonic()
    placement = greedy_best(
        ix,
        maximise=problem.mode == "max",
        cap=problem.fairness,
        budget=min(GREEDY_BUDGET, problem.time_limit / 4),
    )
    if problem.mode == "all" and (placement.left_out or not placement.fair):
        placement = repair(ix, placement, started + min(REPAIR_BUDGET, problem.time_limit / 4))
    return placement


def repair(ix: Index, placement: Placement, deadline: float) -> Placement:
    """Mode "all": local search on a greedy placement that is not valid yet, until the
    time.monotonic() `deadline`. A left-out meeting goes into a slot whose one or two
    blockers find other slots; a participant over the fairness cap has one of its meetings
    moved to a free slot or swapped with another meeting's slot, whenever that lowers the
    breaks over the cap (then the breaks) of the participants it touches."""
    calendar = _Calendar(ix, ix.problem.fairness)
    for m, t in placement.slot_of.items():
        calendar.place(m, t)
    left_out = list(placement.left_out)
    _settle(calendar, left_out, deadline)
    if left_out and time.monotonic() < deadline:
        left_out = _chain(calendar, left_out, deadline)
        _settle(calendar, left_out, deadline)
    cap = calendar.cap
    per_person = [calendar.breaks(mask) for mask in calendar.busy]
    return Placement(
        slot_of=dict(calendar.slot_of),
        left_out=left_out,
        breaks=sum(per_person),
        weight=sum(ix.weight[m] for m in calendar.slot_of),
        fair=cap is None or max(per_person, default=0) <= cap,
    )


def _settle(calendar: _Calendar, left_out: list[int], deadline: float) -> None:
    """Left-out meetings put in (`_put_in`), participants over the cap eased (`_ease`),
    until neither changes anything or the deadline."""
    ix, cap = calendar.ix, calendar.cap
    changed = True
    while changed and time.monotonic() < deadline:
        changed = False
        for m in list(left_out):
            if _put_in(calendar, m):
                left_out.remove(m)
                changed = True
        if cap is None:
            continue
        for p in range(len(ix.people)):
            while calendar.breaks(calendar.busy[p]) > cap and time.monotonic() < deadline:
                if not _ease(calendar, p, cap):
                    break
                changed = True


CHAIN_TABU = 7  # steps during which an evicted meeting may not go back to its slot


def _chain(calendar: _Calendar, left_out: list[int], deadline: float) -> list[int]:
    """Ejection chains, for meetings `_put_in` could not place (a full event): a left-out
    meeting takes the slot of its domain that evicts the fewest meetings (its
    participants' meetings there, and one more when every table is taken; ties at random),
    and the evicted wait their turn, none going back to the slot it just left for
    CHAIN_TABU steps. Until nothing is left out or the deadline; the calendar is left in
    the best state seen (fewest left out), whose left-out meetings it returns."""
    rng = random.Random(len(left_out))
    queue = list(left_out)
    best = (len(queue), dict(calendar.slot_of), list(queue))
    tabu: dict[tuple[int, int], int] = {}
    step = 0
    while queue and time.monotonic() < deadline:
        step += 1
        m = queue.pop(0)
        t = calendar.best_slot(m, unfair_ok=True)
        if t is not None:
            calendar.place(m, t)
        else:
            evicted = _evict_for(
                calendar, m, rng, {key for key, until in tabu.items() if until >= step}
            )
            if evicted is None:  # every slot of m held by a locked meeting: m stays out
                queue.append(m)
                if all(_stuck(calendar, other) for other in queue):
                    break
                continue
            for b, s in evicted:
                tabu[b, s] = step + CHAIN_TABU
                queue.append(b)
        if len(queue) < best[0]:
            best = (len(queue), dict(calendar.slot_of), list(queue))
    if len(queue) <= best[0]:
        return queue
    calendar.restore(best[1])
    return best[2]


def _stuck(calendar: _Calendar, m: int) -> bool:
    """Every slot of m holds a locked meeting of one of its participants."""
    ix = calendar.ix
    return all(
        any(t in calendar.at[p] and ix.fixed[calendar.at[p][t]] is not None for p in ix.ends[m])
        for t in ix.domain[m]
    )


def _evict_for(
    calendar: _Calendar, m: int, rng: random.Random, tabu: set[tuple[int, int]]
) -> list[tuple[int, int]] | None:
    """Place m in the slot that evicts the fewest movable meetings (never a meeting from
    a slot it was just evicted from: (meeting, slot) in `tabu`), ties at random; returns
    the evicted (meeting, slot) pairs, or None when no slot can be cleared."""
    ix = calendar.ix
    options = []
    for t in ix.domain[m]:
        blockers = {calendar.at[p][t] for p in ix.ends[m] if t in calendar.at[p]}
        if any(ix.fixed[b] is not None or (b, t) in tabu for b in blockers):
            continue
        extras = [None]
        if calendar.load[t] - len(blockers) >= ix.tables:
            extras = [
                b
                for b, s in calendar.slot_of.items()
                if s == t and b not in blockers and ix.fixed[b] is None and (b, t) not in tabu
            ]
        for extra in extras:
            out = blockers | ({extra} if extra is not None else set())
            options.append((len(out), rng.random(), t, out))
    for _, _, t, out in sorted(options, key=lambda option: option[:2]):
        for b in out:
            calendar.remove(b)
        if calendar.free(m, t):
            calendar.place(m, t)
            return [(b, t) for b in out]
        for b in out:
            calendar.place(b, t)
    return None


def _put_in(calendar: _Calendar, m: int) -> bool:
    """Place the left-out meeting m by moving the meetings in its way (its participants'
    meetings of a slot, and one more meeting when the slot's tables are all taken) to
    other slots, each directly or by moving one meeting out of its way in turn."""
    ix = calendar.ix
    t = calendar.best_slot(m, unfair_ok=True)
    if t is not None:
        calendar.place(m, t)
        return True
    for t in ix.domain[m]:
        blockers = {calendar.at[p][t] for p in ix.ends[m] if t in calendar.at[p]}
        if any(ix.fixed[b] is not None for b in blockers):
            continue
        if blockers or calendar.load[t] < ix.tables:
            if _clear(calendar, m, t, blockers):
                return True
            continue
        for extra in [b for b, s in calendar.slot_of.items() if s == t]:
            if ix.fixed[extra] is None and _clear(calendar, m, t, {extra}):
                return True
    return False


def _clear(calendar: _Calendar, m: int, t: int, blockers: set[int]) -> bool:
    """Move `blockers` out of slot t and m into it; undone unless every blocker lands."""
    before = dict(calendar.slot_of)
    old = {b: calendar.remove(b) for b in blockers}
    if calendar.free(m, t):
        calendar.place(m, t)
        for b in blockers:
            target = calendar.best_slot(b, unfair_ok=True)
            if target is not None and target != old[b]:
                calendar.place(b, target)
            elif not calendar.make_room(b):
                break
        else:
            return True
    # undone as a whole: make_room may have moved a third meeting into a blocker's old slot
    calendar.restore(before)
    return False


def _ease(calendar: _Calendar, p: int, cap: int) -> bool:
    """One move or swap of a meeting of p that lowers (breaks over the cap, breaks) of the
    participants it touches; False when there is none."""
    ix = calendar.ix

    def cost(people) -> tuple[int, int]:
        counts = [calendar.breaks(calendar.busy[q]) for q in people]
        return (sum(max(0, c - cap) for c in counts), sum(counts))

    for m, t in sorted((m, t) for t, m in calendar.at[p].items()):
        if ix.fixed[m] is not None:
            continue
        touched = set(ix.ends[m])
        before = cost(touched)
        calendar.remove(m)
        for s in ix.domain[m]:
            if s != t and calendar.free(m, s):
                calendar.place(m, s)
                if cost(touched) < before:
                    return True
                calendar.remove(m)
        # swap with the meeting one of its participants has in another slot: the slots'
        # loads stay as they are
        for s in ix.domain[m]:
            others = {calendar.at[q][s] for q in ix.ends[m] if s in calendar.at[q]}
            if s == t or len(others) != 1:
                continue
            (other,) = others
            if ix.fixed[other] is not None or t not in ix.domain[other]:
                continue
            both = touched | set(ix.ends[other])
            calendar.place(m, t)
            before_swap = cost(both)
            calendar.remove(m)
            calendar.remove(other)
            if calendar.free(m, s):
                calendar.place(m, s)
                if calendar.free(other, t):
                    calendar.place(other, t)
                    if cost(both) < before_swap:
                        return True
                    calendar.remove(other)
                calendar.remove(m)
            calendar.place(other, s)
        calendar.place(m, t)
    return False
