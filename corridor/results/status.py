"""The status rule of an indicator: pure, no Django, so it is stated and tested alone.

An indicator's targets and actuals are *levels*: the value the indicator stands at by the end
of a period (a running total, for counts). The current period is the target period that holds
today (else the next one to start, else the last one). Progress toward its target starts from
the level before it — the previous target's value, or the baseline for the first target:

    achieved = (latest actual − start) / (target − start)      (both "the other way" for a
    expected = share of the target's period elapsed today       'decrease' indicator: the
                                                                 sign of target − start says)
    on track   achieved ≥ 90 % of expected
    at risk    achieved ≥ 60 % of expected
    off track  below that

Before the period starts nothing is expected yet (on track if no actual falls short of the
start). The actual counted is the latest one ending by the end of the current target's period.
An indicator without targets has no status ("no target"); one without an actual up to the
current period's end has none either ("no data yet").
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ON_TRACK_SHARE = Decimal("0.9")
AT_RISK_SHARE = Decimal("0.6")

ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"
NO_TARGET, NO_DATA = "no_target", "no_data"
INCREASE, DECREASE = "increase", "decrease"


@dataclass(frozen=True)
class Period:
    """A target or an actual: a value for a period (both ends included)."""

    start: date
    end: date
    value: Decimal


@dataclass(frozen=True)
class Progress:
    status: str
    target: Period | None  # the current period's target
    actual: Period | None  # the latest actual counted against it
    start_value: Decimal  # where the period's progress starts from
    achieved: (
        Decimal | None
    )  # share of the way from start_value to the target, 0..1+ (None: no data)
    expected: Decimal  # share of the target's period elapsed, 0..1

    @property
    def achieved_percent(self) -> int:
        """The share achieved, for a progress bar: 0 to 100."""
        if self.achieved is None:
            return 0
        return int(max(Decimal(0), min(Decimal(1), self.achieved)) * 100)

    @property
    def expected_percent(self) -> int:
        return int(self.expected * 100)


def elapsed_share(start: date, end: date, today: date) -> Decimal:
    """How much of the period [start, end] has passed on `today`, 0 to 1."""
    if today < start:
        return Decimal(0)
    if today >= end:
        return Decimal(1)
    return Decimal((today - start).days) / Decimal((end - start).days)


def current_target(targets: Sequence[Period], today: date) -> Period | None:
    """The target whose period holds today; else the next one to start; else the last one."""
    ordered = sorted(targets, key=lambda t: (t.end, t.start))
    for target in ordered:
        if target.start <= today <= target.end:
            return target
    upcoming = [t for t in ordered if t.start > today]
    if upcoming:
        return upcoming[0]
    return ordered[-1] if ordered else None


def status_of(
    *,
    baseline: Decimal,
    direction: str,
    targets: Sequence[Period],
    actuals: Sequence[Period],
    today: date,
) -> Progress:
    """The status of an indicator on `today` (see the module's docstring for the rule)."""
    target = current_target(targets, today)
    if target is None:
        return Progress(NO_TARGET, None, None, baseline, None, Decimal(0))
    earlier = [t for t in targets if t.end < target.end and t != target]
    start_value = max(earlier, key=lambda t: t.end).value if earlier else baseline
    expected = elapsed_share(target.start, target.end, today)
    counted = [a for a in actuals if a.end <= target.end]
    if not counted:
        return Progress(NO_DATA, target, None, start_value, None, expected)
    actual = max(counted, key=lambda a: (a.end, a.start))
    sign = Decimal(1) if direction != DECREASE else Decimal(-1)
    gained = (actual.value - start_value) * sign
    needed = (target.value - start_value) * sign
    if needed <= 0:
        # nothing to gain: holding the level (or doing better) is on track
        achieved = Decimal(1) if gained >= needed else Decimal(0)
    else:
        achieved = gained / needed
    if expected == 0:
        status = ON_TRACK if gained >= 0 else AT_RISK
    elif achieved >= ON_TRACK_SHARE * expected:
        status = ON_TRACK
    elif achieved >= AT_RISK_SHARE * expected:
        status = AT_RISK
    else:
        status = OFF_TRACK
    return Progress(status, target, actual, start_value, achieved, expected)


def total_of(rows: Sequence[tuple[str, object, Decimal]]) -> Decimal | None:
    """The total of one period's values given as (side, sector, value) rows: the row without
    side or sector when there is one; else the sum of the rows by side; else by sector."""
    whole = [v for side, sector, v in rows if not side and sector is None]
    if whole:
        return sum(whole, Decimal(0))
    by_side = [v for side, sector, v in rows if side and sector is None]
    if by_side:
        return sum(by_side, Decimal(0))
    by_sector = [v for side, sector, v in rows if not side and sector is not None]
    if by_sector:
        return sum(by_sector, Decimal(0))
    return None
