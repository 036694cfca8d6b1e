"""Precedences between meetings ("the delegation meets the host agency before the firms"):
meeting `before` ends before meeting `after` starts, i.e. slot(before) < slot(after). Part
of `corridor.events.scheduling` (import from there); no Django import and none of the
package's modules, so that core.py can build on it. Every solver calls the one function
here that speaks its language, so the constraint lives in one place:

- `cnf`: MaxSAT/SAT clauses x(after,t) -> OR_{t'<t} x(before,t') (and, when every meeting
  is placed, the mirror x(before,t) -> OR_{t'>t} x(after,t'), implied, for propagation);
- `mip_rows`: the same as linear rows, cumulated per slot:
  sum_{t'<=t} x(after,t') <= sum_{t'<t} x(before,t');
- `allowed`: the greedy heuristic's test of one (meeting, slot) against what is placed;
- `broken`: the pairs a schedule breaks (validate, schedule_of);
- `trim`: the domains without the slots the order rules out (core.build_index, once for
  all of them).

Semantics in mode "max" (not every meeting placed): `after` may be placed only when
`before` is placed too, in an earlier slot; `before` may be placed without `after`. A
meeting whose predecessor cannot be placed at all is left out with the reason
"precedence".

`cycle` finds a cycle (refused as input); `explain` words why precedences make an event
impossible, per participant: meetings that must all come before a meeting C (directly or
through others) and involve the same participant need that many distinct slots of that
participant before C's last possible slot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable


def cycle(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """The meetings of one cycle of "before -> after" edges, in order; empty when none."""
    after_of: dict[str, list[str]] = defaultdict(list)
    for before, after in pairs:
        after_of[before].append(after)
    state: dict[str, int] = {}  # 1: on the path, 2: done
    for start in sorted(after_of):
        if state.get(start):
            continue
        path, stack = [start], [iter(after_of[start])]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            if state.get(nxt) == 1:
                return path[path.index(nxt) :]
            if not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(after_of[nxt]))
    return []


def cnf(
    pairs: list[tuple[int, int]],
    x: dict[tuple[int, int], int],
    domain: list[tuple[int, ...]],
    *,
    require_all: bool,
) -> list[list[int]]:
    """Hard clauses over x(m,t) for positions (before, after)."""
    clauses: list[list[int]] = []
    for before, after in pairs:
        for t in domain[after]:
            earlier = [x[before, s] for s in domain[before] if s < t]
            clauses.append([-x[after, t], *earlier])
        if require_all:
            for t in domain[before]:
                later = [x[after, s] for s in domain[after] if s > t]
                clauses.append([-x[before, t], *later])
    return clauses


def mip_rows(
    pairs: list[tuple[int, int]],
    column_of: dict[tuple[int, int], int],
    domain: list[tuple[int, ...]],
) -> list[tuple[list[int], list[float], float, float]]:
    """Rows (columns, values, lower, upper): for each slot t of `after`,
    sum_{t'<=t} x(after,t') - sum_{t'<t} x(before,t') <= 0."""
    rows = []
    for before, after in pairs:
        for t in domain[after]:
            mine = [column_of[after, s] for s in domain[after] if s <= t]
            theirs = [column_of[before, s] for s in domain[before] if s < t]
            rows.append(
                (mine + theirs, [1.0] * len(mine) + [-1.0] * len(theirs), float("-inf"), 0.0)
            )
    return rows


def by_meeting(pairs: list[tuple[int, int]]) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """(meetings that must come before m, meetings that must come after m)."""
    before_of: dict[int, list[int]] = defaultdict(list)
    after_of: dict[int, list[int]] = defaultdict(list)
    for before, after in pairs:
        before_of[after].append(before)
        after_of[before].append(after)
    return before_of, after_of


def allowed(
    m: int,
    t: int,
    slot_of: dict[int, int],
    before_of: dict[int, list[int]],
    after_of: dict[int, list[int]],
) -> bool:
    """Meeting m at slot t keeps order with the meetings already placed."""
    return all(slot_of.get(b, -1) < t for b in before_of.get(m, ())) and all(
        slot_of.get(a, t + 1) > t for a in after_of.get(m, ())
    )


def broken(pairs: Iterable[tuple[str, str]], slot_of: dict[str, int], *, all_placed: bool):
    """The pairs (before, after) a schedule breaks: both placed out of order, or `after`
    placed without `before`, or (every meeting placed) either missing."""
    wrong = []
    for before, after in pairs:
        tb, ta = slot_of.get(before), slot_of.get(after)
        if ta is None:
            if all_placed:
                wrong.append((before, after))
            continue
        if tb is None or tb >= ta:
            wrong.append((before, after))
    return wrong


def closure_drop(pairs: list[tuple[str, str]], dropped: set[str]) -> dict[str, str]:
    """Mode "max": the meetings that follow (directly or not) a meeting that cannot be
    placed, with the one that blocks them."""
    out: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for before, after in pairs:
            if (before in dropped or before in out) and after not in dropped and after not in out:
                out[after] = before
                changed = True
    return out


def trim(
    domain: list[tuple[int, ...]], pairs: list[tuple[int, int]], *, all_placed: bool
) -> list[tuple[int, ...]]:
    """Each meeting's domain without the slots the precedences rule out, once for every
    solver: a slot no later than the earliest slot of a meeting it must follow, and (every
    meeting placed) no earlier than the latest slot of a meeting it must precede. Sound:
    every schedule keeping the order keeps its slots. In mode "max" a meeting that must
    come first may stay unplaced, so only the earliest bound holds there."""
    earliest, latest = windows(len(domain), pairs, domain, backward=all_placed)
    return [
        tuple(t for t in slots if earliest[m] <= t and (not all_placed or t <= latest[m]))
        for m, slots in enumerate(domain)
    ]


def windows(
    n_meetings: int,
    pairs: list[tuple[int, int]],
    domain: list[tuple[int, ...]],
    *,
    backward: bool = True,
) -> tuple[list[int], list[int]]:
    """Earliest and latest slot each meeting can take, its domain and precedences
    propagated along chains (a latest below an earliest: no slot). Without `backward`
    only the earliest slots are propagated."""
    earliest = [min(d) if d else 0 for d in domain]
    latest = [max(d) if d else -1 for d in domain]
    for _ in range(n_meetings + 1):
        changed = False
        for before, after in pairs:
            later = [t for t in domain[after] if t > earliest[before]]
            value = min(later) if later else latest[after] + 1
            if value > earliest[after]:
                earliest[after], changed = value, True
            if not backward:
                continue
            sooner = [t for t in domain[before] if t < latest[after]]
            value = max(sooner) if sooner else earliest[before] - 1
            if value < latest[before]:
                latest[before], changed = value, True
        if not changed:
            break
    return earliest, latest


def explain(
    pairs: list[tuple[int, int]],
    domain: list[tuple[int, ...]],
    ends: list[tuple[int, int]],
    make: Callable[..., object],
) -> list[object]:
    """Why the precedences leave no schedule, as `make(participant=, meeting=, slot=,
    others=, count=)` per reason found (positions; slot is the first slot the meeting
    cannot reach, count the participant's usable slots before it). Necessary conditions
    only: empty means nothing was found, not that a schedule exists."""
    n = len(domain)
    if not pairs:
        return []
    earliest, latest = windows(n, pairs, domain)
    before_of, after_of = by_meeting(pairs)
    reach = {c: _reach(c, before_of) for c in range(n)}
    # every (participant, meeting) that fails, then one reason per participant, the most
    # telling: about a meeting the participant attends, naming the most meetings, the
    # earliest deadline
    best: dict[int, tuple] = {}
    for c in range(n):
        ancestors = reach[c]
        if not ancestors:
            continue
        limit = latest[c]  # every ancestor takes a slot below the last slot c can take
        for p in sorted({p for a in ancestors for p in ends[a]}):
            mine = sorted(a for a in ancestors if p in ends[a])
            usable = {t for a in mine for t in domain[a] if t < limit}
            if len(mine) <= len(usable):
                continue
            rank = (p not in ends[c], -len(mine), limit, c)
            if p not in best or rank < best[p][0]:
                best[p] = (rank, c, limit, tuple(mine), len(usable))
    # a side of a single earlier meeting it does not share with c says less than the
    # participant who attends them all: named only when nobody else is
    strong = {p for p, entry in best.items() if not entry[0][0] or len(entry[3]) > 1}
    found = [
        make(participant=p, meeting=c, slot=limit, others=mine, count=count)
        for p, (_rank, c, limit, mine, count) in sorted(best.items())
        if p in strong or not strong
    ]
    if not found:
        for m in range(n):
            if earliest[m] > latest[m] or not any(earliest[m] <= t <= latest[m] for t in domain[m]):
                chain = sorted(_reach(m, before_of) | _reach(m, after_of))
                found.append(
                    make(participant=None, meeting=m, slot=None, others=tuple(chain), count=0)
                )
                break
    return found


def _reach(m: int, edges: dict[int, list[int]]) -> set[int]:
    seen: set[int] = set()
    todo = list(edges.get(m, ()))
    while todo:
        k = todo.pop()
        if k not in seen:
            seen.add(k)
            todo.extend(edges.get(k, ()))
    return seen
