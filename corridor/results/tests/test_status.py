"""The status rule (corridor/results/status.py), alone: no database."""

from datetime import date
from decimal import Decimal as D

import pytest

from corridor.results.status import (
    AT_RISK,
    NO_DATA,
    NO_TARGET,
    OFF_TRACK,
    ON_TRACK,
    Period,
    current_target,
    elapsed_share,
    status_of,
    total_of,
)

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31), D(100))  # reach 100 by the end of 2026
MID_YEAR = date(2026, 7, 2)  # half the year elapsed (182 of 364 days)


def status(actual_value, *, baseline=D(0), direction="increase", targets=(YEAR,), today=MID_YEAR):
    actuals = (
        []
        if actual_value is None
        else [Period(date(2026, 1, 1), date(2026, 6, 30), D(actual_value))]
    )
    return status_of(
        baseline=baseline, direction=direction, targets=targets, actuals=actuals, today=today
    )


def test_half_the_period_elapsed():
    assert elapsed_share(YEAR.start, YEAR.end, MID_YEAR) == D(182) / D(364)
    assert elapsed_share(YEAR.start, YEAR.end, date(2025, 5, 1)) == 0
    assert elapsed_share(YEAR.start, YEAR.end, date(2027, 5, 1)) == 1


@pytest.mark.parametrize(
    "actual, expected",
    [
        (50, ON_TRACK),  # all that is expected by mid-year
        (45, ON_TRACK),  # exactly 90 % of the expected 50
        (44, AT_RISK),  # just under 90 %
        (30, AT_RISK),  # exactly 60 %
        (29, OFF_TRACK),  # just under 60 %
        (0, OFF_TRACK),
        (120, ON_TRACK),  # beyond the target
    ],
)
def test_progress_is_compared_with_the_share_of_the_period_elapsed(actual, expected):
    assert status(actual).status == expected


def test_a_decrease_indicator_is_measured_the_other_way():
    # from 200 days down to 100 days by the end of the year; half-way is 150
    target = Period(YEAR.start, YEAR.end, D(100))
    kwargs = {"baseline": D(200), "direction": "decrease", "targets": (target,)}
    assert status(150, **kwargs).status == ON_TRACK
    assert status(165, **kwargs).status == AT_RISK  # 35 of the 50 days expected by now: 70 %
    assert status(182, **kwargs).status == OFF_TRACK  # 18 of 50: 36 %
    assert status(200, **kwargs).status == OFF_TRACK  # no gain at all
    assert status(260, **kwargs).status == OFF_TRACK  # worse than the baseline
    assert status(90, **kwargs).achieved_percent == 100


def test_the_next_period_starts_from_the_previous_target():
    first = Period(date(2025, 1, 1), date(2025, 12, 31), D(100))
    second = Period(date(2026, 1, 1), date(2026, 12, 31), D(200))
    progress = status(150, targets=(first, second))
    assert progress.target == second
    assert progress.start_value == 100
    assert progress.achieved == D("0.5")
    assert progress.status == ON_TRACK


def test_no_target_and_no_actual_have_no_status():
    assert status(50, targets=()).status == NO_TARGET
    progress = status(None)
    assert progress.status == NO_DATA
    assert progress.achieved_percent == 0


def test_before_its_period_starts_nothing_is_expected_yet():
    progress = status(0, today=date(2025, 12, 1))
    assert progress.expected == 0
    assert progress.status == ON_TRACK


def test_the_current_target_is_the_one_whose_period_holds_today():
    first = Period(date(2025, 1, 1), date(2025, 12, 31), D(1))
    second = Period(date(2026, 1, 1), date(2026, 12, 31), D(2))
    assert current_target([second, first], date(2025, 6, 1)) == first
    assert current_target([second, first], date(2024, 6, 1)) == first  # the next to start
    assert current_target([second, first], date(2027, 6, 1)) == second  # the last one
    assert current_target([], date(2027, 6, 1)) is None


def test_actuals_after_the_current_period_are_not_counted_against_it():
    later = Period(date(2027, 1, 1), date(2027, 3, 31), D(500))
    on_time = Period(date(2026, 1, 1), date(2026, 6, 30), D(10))
    progress = status_of(
        baseline=D(0),
        direction="increase",
        targets=[YEAR],
        actuals=[on_time, later],
        today=MID_YEAR,
    )
    assert progress.actual == on_time
    assert progress.status == OFF_TRACK


def test_a_period_total_is_the_total_row_else_the_sum_by_side_else_by_sector():
    assert total_of([("", None, D(7)), ("china", None, D(3))]) == 7
    assert total_of([("china", None, D(3)), ("singapore", None, D(4))]) == 7
    assert total_of([("", 1, D(2)), ("", 2, D(5))]) == 7
    assert total_of([]) is None
