"""The geometry of a case's timeline (a Gantt-style SVG): pure arithmetic, no Django.

`timeline(rows, today=...)` takes one `GanttRow` per milestone and answers where every bar,
dependency line, month tick and the "today" line go. The template
`cases/_gantt.html` only draws what this module computed.
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

LABEL_WIDTH = 260  # the milestone titles, left of the bars
ROW_HEIGHT = 34
TOP = 34  # room for the month labels
BOTTOM = 14
PLANNED_HEIGHT = 10
ACTUAL_HEIGHT = 8
MIN_BAR = 3  # a one-day step stays visible
LABEL_UNITS = 38  # longer titles are cut (the full title is in the row's tooltip)


# The four dates of a row, named as on a milestone.
DATES = ("planned_start", "planned_end", "actual_start", "actual_end")


@dataclass
class GanttRow:
    key: int  # the milestone id
    label: str
    planned_start: date | None = None
    planned_end: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None
    approximate: bool = False
    late: bool = False
    depends_on: list[int] = field(default_factory=list)  # keys of earlier rows
    title: str = ""  # tooltip: the full title and dates, already translated


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float


@dataclass
class DrawnRow:
    key: int
    label: str
    short_label: str
    title: str
    label_y: float
    approximate: bool
    late: bool
    planned: Bar | None
    actual: Bar | None
    actual_open: bool  # started, not finished: the bar runs to today


@dataclass
class Line:
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def points(self) -> str:
        """An elbow: out of the end of the awaited bar, down, into the start of this one."""
        elbow = round(self.x1 + 6, 1)
        return f"{self.x1},{self.y1} {elbow},{self.y1} {elbow},{self.y2} {self.x2},{self.y2}"


@dataclass
class Tick:
    x: float
    label: str
    is_year: bool


@dataclass
class Timeline:
    width: int
    height: int
    label_width: int
    rows: list[DrawnRow]
    links: list[Line]  # dependency: from the end of the awaited step to the start of this one
    ticks: list[Tick]
    today_x: float | None
    grid_bottom: float


def _units(character: str) -> int:
    """Chinese characters are drawn about twice as wide as Latin letters."""
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def _shorten(text: str, limit: int = LABEL_UNITS) -> str:
    """The label cut to fit left of the bars, in English or Chinese alike."""
    if sum(_units(c) for c in text) <= limit:
        return text
    kept, used = [], 0
    for character in text:
        if used + _units(character) > limit - 1:
            break
        kept.append(character)
        used += _units(character)
    return "".join(kept).rstrip() + "…"


def _month_starts(first: date, last: date) -> list[date]:
    months = []
    current = date(first.year, first.month, 1)
    if current < first:
        current = date(current.year + (current.month // 12), current.month % 12 + 1, 1)
    while current <= last:
        months.append(current)
        current = date(current.year + (current.month // 12), current.month % 12 + 1, 1)
    return months


def timeline(rows: list[GanttRow], *, today: date, width: int = 960) -> Timeline | None:
    """Where to draw each milestone's planned bar (outline) and actual bar (filled), with
    lines from each awaited milestone to the one that waits for it, and today's line. None
    when no milestone has a date."""
    dates = [
        d
        for row in rows
        for d in (row.planned_start, row.planned_end, row.actual_start, row.actual_end)
        if d is not None
    ]
    if not dates:
        return None
    # Today belongs on the chart while a milestone is unfinished; a finished journey is
    # drawn over its own dates only.
    if any(row.actual_end is None for row in rows):
        dates.append(today)
    first, last = min(dates), max(dates)
    first = date(first.year, first.month, 1)
    last = last + timedelta(days=10)
    days = max(1, (last - first).days)
    chart_left = LABEL_WIDTH
    chart_width = width - LABEL_WIDTH - 10

    def x_of(day: date) -> float:
        return round(chart_left + chart_width * (day - first).days / days, 1)

    def bar(start: date | None, end: date | None, y: float, height: float) -> Bar | None:
        if start is None and end is None:
            return None
        start = start or end
        end = end or start
        x = x_of(start)
        return Bar(x=x, y=round(y, 1), width=max(MIN_BAR, round(x_of(end) - x, 1)), height=height)

    drawn: list[DrawnRow] = []
    for index, row in enumerate(rows):
        top = TOP + index * ROW_HEIGHT
        planned = bar(row.planned_start, row.planned_end, top + 6, PLANNED_HEIGHT)
        actual_open = row.actual_start is not None and row.actual_end is None
        actual = bar(
            row.actual_start,
            row.actual_end or (max(today, row.actual_start) if actual_open else None),
            top + 6 + PLANNED_HEIGHT + 2,
            ACTUAL_HEIGHT,
        )
        drawn.append(
            DrawnRow(
                key=row.key,
                label=row.label,
                short_label=_shorten(row.label),
                title=row.title or row.label,
                label_y=top + ROW_HEIGHT / 2 + 4,
                approximate=row.approximate,
                late=row.late,
                planned=planned,
                actual=actual,
                actual_open=actual_open,
            )
        )

    by_key = {row.key: drawn[index] for index, row in enumerate(rows)}
    links = []
    for index, row in enumerate(rows):
        target = drawn[index]
        target_bar = target.planned or target.actual
        for key in row.depends_on:
            if key not in by_key:
                continue
            source = by_key[key]
            source_bar = source.planned or source.actual
            if source_bar is None or target_bar is None:
                continue
            links.append(
                Line(
                    x1=round(source_bar.x + source_bar.width, 1),
                    y1=round(source_bar.y + source_bar.height / 2, 1),
                    x2=target_bar.x,
                    y2=round(target_bar.y + target_bar.height / 2, 1),
                )
            )

    months = _month_starts(first, last)
    step = 1 if len(months) <= 14 else 3 if len(months) <= 40 else 12
    ticks: list[Tick] = []
    for i, month in enumerate(months):
        is_year = month.month == 1 or i == 0
        if not (is_year or (month.month - 1) % step == 0):
            continue
        x = x_of(month)
        if ticks and x - ticks[-1].x < 8 + 7 * len(ticks[-1].label):  # labels would touch
            if not is_year:
                continue
            ticks.pop()  # a new year's label wins over the month before it
        label = (
            (str(month.year) if month.month == 1 else f"{month.year}-{month.month:02d}")
            if is_year
            else f"{month.month:02d}"
        )
        ticks.append(Tick(x=x, label=label, is_year=is_year))
    grid_bottom = TOP + len(rows) * ROW_HEIGHT
    return Timeline(
        width=width,
        height=grid_bottom + BOTTOM,
        label_width=LABEL_WIDTH,
        rows=drawn,
        links=links,
        ticks=ticks,
        today_x=x_of(today) if first <= today <= last else None,
        grid_bottom=grid_bottom,
    )
