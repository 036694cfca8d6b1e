"""Meetings in order (corridor/events/scheduling/precedence.py): a meeting that must come
before another takes an earlier slot in every mode of the scheduler, a schedule that breaks
an order is refused by `validate` naming the pair, the optimum is the brute force's on tiny
instances, and an impossible order is explained (which participant, which meetings, before
which slot). The .dzn files under tests/data are synthetic variants written for these tests."""

import dataclasses
import itertools
from pathlib import Path

import pytest

from corridor.events import scheduling
from corridor.events.scheduling import Meeting, Problem, Schedule

HERE = Path(__file__).resolve().parent / "data"


def read(name: str, **options) -> Problem:
    return scheduling.read_dzn((HERE / name).read_text(), **options)


def in_order(problem: Problem, slot_of: dict[str, int]) -> list[tuple[str, str]]:
    """The pairs whose both meetings are placed out of order."""
    return [
        (b, a)
        for b, a in problem.precedences
        if b in slot_of and a in slot_of and slot_of[b] >= slot_of[a]
    ]


def brute_force(problem: Problem) -> int | None:
    """Fewest breaks over every assignment of slots (None: no valid schedule)."""
    forbidden = {p: problem.forbidden.get(p, frozenset()) for p in problem.participants}
    domains = []
    for m in problem.meetings:
        allowed = scheduling.core.session_slots(problem, m.session)
        domains.append([t for t in sorted(allowed) if t not in forbidden[m.a] | forbidden[m.b]])
    best = None
    for choice in itertools.product(*domains):
        slot_of = {m.key: t for m, t in zip(problem.meetings, choice, strict=True)}
        busy = set()
        ok = True
        for m, t in zip(problem.meetings, choice, strict=True):
            for p in (m.a, m.b):
                if (p, t) in busy:
                    ok = False
                busy.add((p, t))
        if not ok or max(list(choice).count(t) for t in set(choice)) > problem.tables:
            continue
        if any(slot_of[b] >= slot_of[a] for b, a in problem.precedences):
            continue
        if scheduling.core.fairness_violations(problem, slot_of):
            continue
        breaks = sum(scheduling.breaks_of(problem, slot_of).values())
        best = breaks if best is None else min(best, breaks)
    return best


def test_the_data_file_reads_each_meetings_predecessors():
    problem = read("tiny-prec.dzn")
    assert set(problem.precedences) == {("1", "2"), ("1", "3"), ("5", "6")}


def test_a_precedence_naming_a_meeting_the_file_lacks_is_refused_with_its_line():
    text = (HERE / "tiny-prec.dzn").read_text().replace("{5}, {}];", "{9}, {}];")
    with pytest.raises(scheduling.DznError) as raised:
        scheduling.read_dzn(text)
    assert (raised.value.code, raised.value.field, raised.value.detail["row"]) == (
        "meeting_out_of_range",
        "precedences",
        6,
    )


@pytest.mark.parametrize("name", ["tiny-prec.dzn", "tiny-prec-tight.dzn"])
def test_the_optimum_with_precedences_is_the_brute_forces(name):
    problem = read(name, time_limit=10)
    expected = brute_force(problem)
    without = brute_force(dataclasses.replace(problem, precedences=()))
    result = scheduling.solve(problem)
    assert scheduling.validate(problem, result) == []
    assert (result.status, result.breaks, result.bound) == ("optimal", expected, expected)
    assert in_order(problem, result.slot_of) == []
    if name == "tiny-prec-tight.dzn":
        assert expected > without  # the order costs breaks: the test would see it ignored


def test_the_benchmark_variant_with_precedences_is_solved_optimally_and_in_order():
    problem = read("tic-12.prec5.dzn", time_limit=30)
    assert len(problem.precedences) == 5
    result = scheduling.solve(problem)
    assert (result.status, result.breaks, result.bound) == ("optimal", 0, 0)
    assert scheduling.validate(problem, result) == []
    assert in_order(problem, result.slot_of) == []


def test_the_greedy_first_schedule_keeps_every_order_it_places():
    for name in ("tiny-prec.dzn", "tiny-prec-tight.dzn", "tic-12.prec5.dzn"):
        problem = read(name, time_limit=5)
        first = scheduling.greedy(problem)
        assert in_order(problem, first.slot_of) == [], name
        for before, after in problem.precedences:
            assert after not in first.slot_of or before in first.slot_of, name


def test_as_many_as_fit_places_a_meeting_only_after_its_predecessor():
    """Mode "max" with one table too few: the follow-up (m2) may only be placed after the
    first meeting (m1), which is placed before it."""
    problem = Problem(
        participants=("delegation", "agency", "firm", "other"),
        slots=2,
        tables=1,
        meetings=(
            Meeting("m1", "delegation", "agency", weight=1),
            Meeting("m2", "delegation", "firm", weight=5),
            Meeting("m3", "firm", "other", weight=3),
        ),
        mode="max",
        fairness=None,
        time_limit=5,
        precedences=(("m1", "m2"),),
    )
    result = scheduling.solve(problem)
    assert scheduling.validate(problem, result) == []
    # without the order m2 and m3 (weight 8) would be placed; with it, m1 then m2 (6)
    assert result.slot_of == {"m1": 0, "m2": 1}
    assert (result.weight, result.optimal) == (6, True)
    unordered = scheduling.solve(dataclasses.replace(problem, precedences=()))
    assert unordered.weight == 8


def test_as_many_as_fit_leaves_out_what_follows_a_meeting_that_cannot_be_placed():
    problem = Problem(
        participants=("a", "b", "c"),
        slots=3,
        tables=2,
        meetings=(Meeting("m1", "a", "b"), Meeting("m2", "a", "c"), Meeting("m3", "b", "c")),
        forbidden={"b": frozenset({0, 1, 2})},
        mode="max",
        fairness=None,
        time_limit=5,
        precedences=(("m1", "m2"),),
    )
    result = scheduling.solve(problem)
    assert result.unplaced == {"m1": "no_common_slot", "m2": "precedence", "m3": "no_common_slot"}
    assert result.slot_of == {}


def test_validate_names_the_pair_a_schedule_breaks():
    problem = read("tiny-prec.dzn", fairness=None)
    good = scheduling.solve(problem)
    slot_of = dict(good.slot_of)
    slot_of["5"], slot_of["6"] = slot_of["6"], slot_of["5"]
    bad = Schedule(
        slot_of=slot_of,
        breaks_of=scheduling.breaks_of(problem, slot_of),
        breaks=sum(scheduling.breaks_of(problem, slot_of).values()),
        weight=good.weight,
        interpreter_of={},
    )
    problems = scheduling.validate(problem, bad)
    assert any(p.startswith("precedence: 5 ") and "before 6" in p for p in problems), problems


def test_a_cycle_is_refused_naming_its_meetings():
    problem = read("tiny-prec.dzn")
    looped = dataclasses.replace(problem, precedences=(*problem.precedences, ("6", "5")))
    result = scheduling.solve(looped)
    assert result.status == "invalid"
    cycles = [e for e in result.errors if e.code == "precedence_cycle"]
    assert len(cycles) == 1 and set(cycles[0].others) == {"5", "6"}


def test_an_impossible_order_is_explained_by_participant_meetings_and_slot():
    """Participant 1 has 8 meetings in 8 slots; 7 of them come before meeting 66, which comes
    before meeting 67 and so cannot take the last slot: 7 meetings, 6 slots before slot 7."""
    problem = read("tic-12.prec-impossible.dzn", time_limit=10)
    result = scheduling.solve(problem)
    assert result.status == "invalid"
    (error,) = [e for e in result.errors if e.participant == "1"]
    assert error.code == "precedence_impossible"
    assert (error.meeting, error.slot, error.count) == ("66", 6, 6)
    assert set(error.others) == {"1", "2", "3", "4", "5", "12", "47"}


def test_an_infeasibility_the_checks_miss_is_proven_by_the_solver_and_explained_if_it_can():
    """Two tables, a chain a<b<c over three slots where every slot is needed by others: the
    checks pass, the exact search proves there is no schedule."""
    problem = Problem(
        participants=("p", "q", "r", "s"),
        slots=2,
        tables=1,
        meetings=(Meeting("m1", "p", "q"), Meeting("m2", "r", "s")),
        fairness=None,
        time_limit=5,
        precedences=(("m1", "m2"), ("m2", "m1")),
    )
    assert scheduling.solve(problem).status == "invalid"  # a cycle, refused up front
    chain = dataclasses.replace(problem, precedences=(("m1", "m2"),), tables=1)
    assert scheduling.solve(chain).slot_of == {"m1": 0, "m2": 1}
    crowded = dataclasses.replace(
        chain,
        meetings=(*chain.meetings, Meeting("m3", "p", "s", fixed_slot=1)),
        tables=2,
    )
    result = scheduling.solve(crowded)
    # m2 must follow m1 (so slot 1) but s is in m3 at slot 1: proven infeasible
    assert result.status == "infeasible"


def _random_event(seed: int, mode: str) -> Problem:
    rng = __import__("random").Random(seed)
    people = [f"p{i}" for i in range(5)]
    pairs = list(itertools.combinations(people, 2))
    rng.shuffle(pairs)
    meetings = tuple(
        Meeting(f"m{i}", a, b, weight=rng.choice([1, 3])) for i, (a, b) in enumerate(pairs[:6])
    )
    keys = [m.key for m in meetings]
    order = set()
    while len(order) < rng.randint(2, 4):
        i, j = sorted(rng.sample(range(len(keys)), 2))
        order.add((keys[i], keys[j]))  # lower number first: never a circle
    return Problem(
        participants=tuple(people),
        slots=4,
        tables=2,
        meetings=meetings,
        forbidden={p: frozenset(t for t in range(4) if rng.random() < 0.15) for p in people},
        fairness=2 if mode == "all" else None,
        mode=mode,
        time_limit=5,
        precedences=tuple(sorted(order)),
    )


def _heaviest_in_order(problem: Problem) -> int:
    """Mode "max" by brute force: a meeting may stay out (None); one placed after another
    it must follow needs that one placed earlier."""
    forbidden = problem.forbidden
    options = [
        [None, *(t for t in range(problem.slots) if t not in forbidden[m.a] | forbidden[m.b])]
        for m in problem.meetings
    ]
    best = 0
    for choice in itertools.product(*options):
        slot_of = {m.key: t for m, t in zip(problem.meetings, choice, strict=True) if t is not None}
        busy, load, ok = set(), {}, True
        for m in problem.meetings:
            t = slot_of.get(m.key)
            if t is None:
                continue
            load[t] = load.get(t, 0) + 1
            for p in (m.a, m.b):
                ok = ok and (p, t) not in busy
                busy.add((p, t))
        if not ok or any(n > problem.tables for n in load.values()):
            continue
        if any(
            a in slot_of and (b not in slot_of or slot_of[b] >= slot_of[a])
            for b, a in problem.precedences
        ):
            continue
        best = max(best, sum(m.weight for m in problem.meetings if m.key in slot_of))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_random_small_events_in_order_match_the_brute_force_in_both_modes(seed):
    every = _random_event(seed, "all")
    result = scheduling.solve(every)
    expected = brute_force(every)
    assert scheduling.validate(every, result) == []
    if expected is None:
        assert result.status in ("invalid", "infeasible")
    else:
        assert (result.status, result.breaks) == ("optimal", expected)

    most = _random_event(seed, "max")
    placed = scheduling.solve(most)
    assert scheduling.validate(most, placed) == []
    assert (placed.weight, placed.optimal) == (_heaviest_in_order(most), True)
