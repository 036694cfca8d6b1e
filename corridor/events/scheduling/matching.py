"""Bipartite matching by augmenting paths, shared by the scheduler's parts (a meeting to a
slot in maxsat.py's lower bounds, a meeting to an interpreter in interpreters.py). Part of
`corridor.events.scheduling`; no Django import."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V", bound=Hashable)


def largest_matching(
    keys: Iterable[K], choices: Callable[[K], Iterable[V]], *, every: bool = False
) -> dict[V, K] | None:
    """A largest matching: each key to one of its `choices` (tried in their order), no
    value twice; keys are taken in the order given. Returns value -> key. With `every`,
    stops at the first key that cannot be matched and returns None."""
    owner: dict[V, K] = {}

    def augment(key: K, seen: set[V]) -> bool:
        for value in choices(key):
            if value not in seen:
                seen.add(value)
                if value not in owner or augment(owner[value], seen):
                    owner[value] = key
                    return True
        return False

    for key in keys:
        if not augment(key, set()) and every:
            return None
    return owner
