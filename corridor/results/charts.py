"""Geometry of an indicator's chart: plain functions, no Django (as `portfolio/charts.py`).

The chart puts time across and the indicator's value up: the baseline as a point with a
dotted line to the right, each target as a dashed step over its period, each actual as a dot
at its period's end, joined in time order. The template `results/_indicator_chart.html`
draws it; every mark carries its value as text (hover and screen readers), and the figures
also come as a table beside the chart, so nothing rests on colour or shape alone.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

LEFT, RIGHT, TOP, BOTTOM = 78, 16, 16, 30


@dataclass(frozen=True)
class Mark:
    """A point (actual, baseline) or a horizontal segment (target) with its text."""

    x1: float
    y1: float
    x2: float
    y2: float
    text: str


@dataclass(frozen=True)
class Tick:
    at: float
    label: str
    anchor: str = "middle"  # SVG text-anchor: the first and last dates stay inside the plot


@dataclass
class IndicatorChart:
    title: str
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    baseline: Mark | None = None
    targets: list[Mark] = field(default_factory=list)
    actuals: list[Mark] = field(default_factory=list)
    actual_line: str = ""  # SVG polyline points joining the actuals
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.baseline is None and not self.targets and not self.actuals


@dataclass(frozen=True)
class Value:
    """A value for a period (a baseline is a period of one day)."""

    start: date
    end: date
    value: Decimal
    text: str


def _nice_step(span: float) -> float:
    """A round step (1, 2 or 5 × 10^n) giving about four gridlines over `span`."""
    if span <= 0:
        return 1.0
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if magnitude * factor >= raw:
            return float(magnitude * factor)
    return float(magnitude * 10)


def indicator_chart(
    *,
    title: str,
    baseline: Value | None,
    targets: Sequence[Value],
    actuals: Sequence[Value],
    format_value: Callable[[float], str],
    width: int = 640,
    height: int = 240,
) -> IndicatorChart:
    """Where the baseline, the targets and the actuals go."""
    chart = IndicatorChart(
        title=title,
        width=width,
        height=height,
        plot_left=LEFT,
        plot_right=width - RIGHT,
        plot_top=TOP,
        plot_bottom=height - BOTTOM,
    )
    every = [*([baseline] if baseline else []), *targets, *actuals]
    if not every:
        return chart
    first = min(v.start for v in every)
    last = max(v.end for v in every)
    days = max((last - first).days, 1)
    top_value = max(float(v.value) for v in every)
    low_value = min(0.0, min(float(v.value) for v in every))
    step = _nice_step(top_value - low_value)
    top_value = (int(top_value / step) + 1) * step if top_value > 0 else step
    span = top_value - low_value or 1.0

    def x(day: date) -> float:
        share = (day - first).days / days
        return round(chart.plot_left + share * (chart.plot_right - chart.plot_left), 1)

    def y(value) -> float:
        share = (float(value) - low_value) / span
        return round(chart.plot_bottom - share * (chart.plot_bottom - chart.plot_top), 1)

    if baseline is not None:
        chart.baseline = Mark(
            x(baseline.start), y(baseline.value), chart.plot_right, y(baseline.value), baseline.text
        )
    chart.targets = [Mark(x(t.start), y(t.value), x(t.end), y(t.value), t.text) for t in targets]
    ordered = sorted(actuals, key=lambda a: (a.end, a.start))
    chart.actuals = [Mark(x(a.end), y(a.value), x(a.end), y(a.value), a.text) for a in ordered]
    chart.actual_line = " ".join(f"{m.x1},{m.y1}" for m in chart.actuals)
    tick = low_value
    while tick <= top_value + step / 2:
        chart.y_ticks.append(Tick(y(tick), format_value(tick)))
        tick += step
    if days < 730:
        # under two years: the first and the last day, as dates
        chart.x_ticks = [
            Tick(x(first), first.isoformat(), "start"),
            Tick(x(last), last.isoformat(), "end"),
        ]
        return chart
    for year in range(first.year + (first > date(first.year, 1, 1)), last.year + 1):
        chart.x_ticks.append(Tick(x(date(year, 1, 1)), str(year)))
    return chart
