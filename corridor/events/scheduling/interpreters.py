"""Interpreters as part of the scheduling problem. Part of `corridor.events.scheduling`
(import from there); no Django import, and none of the package's modules but matching.py,
so that core.py can build on it.

A meeting *needs an interpreter* when both sides state their working languages and share
none. An interpreter can serve it when the interpreter speaks a language of each side, and
only in the slots the interpreter is available. One interpreter serves one meeting at a time.

How the solvers see it (exact, and no new variables): in a slot, the meetings needing an
interpreter can all be served exactly when the bipartite graph meetings → available
interpreters has a matching covering them (Hall's theorem). Meetings that the same
interpreters can serve form a *class* (in practice one per language pair), and Hall's
condition then only needs checking on sets of whole classes: for every set S of classes
and every slot t,

    meetings of S placed at t  <=  interpreters available at t who can serve some class of S.

These are cardinality rows of the same shape as "at most `tables` meetings per slot", so
the MaxSAT and MIP encodings, the greedy heuristic and the search respect them exactly and
optimality is proven with them. An interpreter covering several pairs counts once per slot
(the right side is the size of a union). Only rows that can bind are kept: a set S is
skipped when its meetings that could take slot t are no more than its interpreters, or
when another class whose interpreters all lie in that union could join it (the larger set's
row implies the smaller's). With up to MAX_CLASSES classes every set is enumerated; beyond
that only sets of up to three classes are, a necessary condition, and `schedule_of` (which
assigns the interpreters by matching) then rejects a schedule that would leave a meeting
unserved. After the solve, `assign` names an interpreter per meeting by the same matching.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

from corridor.events.scheduling.matching import largest_matching

MAX_CLASSES = 12


@dataclass(frozen=True)
class Interpreter:
    """An interpreter at the event: working languages and unavailable slots."""

    key: str
    languages: frozenset[str]
    unavailable: frozenset[int] = frozenset()


def needs(first: Iterable[str], second: Iterable[str]) -> bool:
    """The two sides state their languages and share none."""
    first, second = set(first), set(second)
    return bool(first and second and not first & second)


def eligible(
    first: Iterable[str], second: Iterable[str], interpreters: tuple[Interpreter, ...]
) -> frozenset[int] | None:
    """Positions of the interpreters who can serve a meeting between sides speaking
    `first` and `second`; None when the meeting needs no interpreter."""
    first, second = frozenset(first), frozenset(second)
    if not needs(first, second):
        return None
    return frozenset(
        i
        for i, person in enumerate(interpreters)
        if person.languages & first and person.languages & second
    )


def free_slots(
    serving: frozenset[int], interpreters: tuple[Interpreter, ...], slots: int
) -> frozenset[int]:
    """The slots in which at least one of the `serving` interpreters is available."""
    return frozenset(
        t for t in range(slots) if any(t not in interpreters[i].unavailable for i in serving)
    )


def match(
    wanting: Mapping[str, frozenset[int]],
    available: set[int] | frozenset[int],
    prefer: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """A largest matching of meetings (key -> interpreters who can serve it) to the
    `available` interpreters, by augmenting paths: meeting -> interpreter position. A
    meeting tries its `prefer`red interpreter (the one it had) first, so that a new run
    changes few interpreters."""
    prefer = prefer or {}
    owner = largest_matching(
        sorted(wanting, key=lambda k: (k not in prefer, len(wanting[k]), k)),
        lambda key: sorted(wanting[key] & available, key=lambda i: (i != prefer.get(key), i)),
    )
    return {key: i for i, key in (owner or {}).items()}


def available_at(interpreters: tuple[Interpreter, ...], t: int) -> frozenset[int]:
    return frozenset(i for i, person in enumerate(interpreters) if t not in person.unavailable)


def hall_rows(
    serving: list[frozenset[int] | None],
    domain: list[tuple[int, ...]],
    interpreters: tuple[Interpreter, ...],
    slots: int,
) -> list[tuple[int, tuple[int, ...], int]]:
    """The binding rows (slot, meeting positions, most of them in that slot) of the module's
    docstring, for meetings whose `serving` interpreters are given (None: no need)."""
    classes: dict[frozenset[int], list[int]] = {}
    for m, who in enumerate(serving):
        if who is not None:
            classes.setdefault(who, []).append(m)
    if not classes:
        return []
    kinds = list(classes)
    exhaustive = len(kinds) <= MAX_CLASSES
    largest = len(kinds) if exhaustive else 3
    rows = []
    for t in range(slots):
        free = available_at(interpreters, t)
        here = {
            c: [m for m in classes[kind] if t in domain[m]]
            for c, kind in enumerate(kinds)
            if any(t in domain[m] for m in classes[kind])
        }
        reach = {c: kinds[c] & free for c in here}
        for size in range(1, min(largest, len(here)) + 1):
            for chosen in combinations(sorted(here), size):
                union = frozenset().union(*(reach[c] for c in chosen))
                members = [m for c in chosen for m in here[c]]
                if len(members) <= len(union):
                    continue
                if exhaustive and any(c not in chosen and reach[c] <= union for c in here):
                    continue  # a larger set of classes has the same interpreters
                rows.append((t, tuple(sorted(members)), len(union)))
    return rows
