"""Geometry for the dashboard's SVG charts: plain functions, no Django.

They take labels that are already translated and numbers, and return where each bar and
text goes; the template `portfolio/_bar_chart.html` draws them. Every bar carries its
value as text, so no meaning rests on colour alone and the chart reads in print.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

FONT_SIZE = 13
LATIN_WIDTH = 7.2  # average width of a Latin character at FONT_SIZE, in SVG units
WIDE_WIDTH = 13.5  # a Chinese character is about one em wide
MAX_LABEL_WIDTH = 230
VALUE_WIDTH = 170


@dataclass(frozen=True)
class ChartItem:
    """One thing to draw: its label, the number that sets the bar's length, and the text
    written beside the bar (for example "12 · US$1.2 bn")."""

    label: str
    value: float | int | Decimal
    value_text: str
    title: str = ""  # the full description read by screen readers and shown on hover


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    value_text: str
    title: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float


@dataclass
class Chart:
    kind: str  # "horizontal" or "columns"
    title: str
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    axis_y: float = 0  # columns: the baseline; horizontal: the left edge of the bars
    axis_x1: float = 0
    axis_x2: float = 0


def text_width(text: str) -> float:
    """Approximate rendered width: Chinese (wide) characters take twice a Latin one."""
    return sum(
        WIDE_WIDTH if unicodedata.east_asian_width(ch) in ("W", "F") else LATIN_WIDTH for ch in text
    )


def shorten(text: str, width: float) -> str:
    """The text cut with an ellipsis so that it fits in `width`."""
    if text_width(text) <= width:
        return text
    kept = ""
    for ch in text:
        if text_width(kept + ch + "…") > width:
            break
        kept += ch
    return kept + "…"


def _scale(value, largest) -> float:
    if not largest:
        return 0.0
    return float(value) / float(largest)


def _bar(item: ChartItem, label_room: float, **geometry) -> Bar:
    """The bar of `item` at `geometry`: its label (shortened to fit `label_room`), its value
    and its tooltip."""
    return Bar(
        label=item.label,
        short_label=shorten(item.label, label_room),
        value_text=item.value_text,
        title=item.title or f"{item.label}: {item.value_text}",
        **geometry,
    )


def horizontal_bar_chart(
    items: Sequence[ChartItem], *, title: str, width: int = 560, row_height: int = 28
) -> Chart:
    """Labels on the left, bars growing to the right, the value written after each bar."""
    label_width = min(MAX_LABEL_WIDTH, max((text_width(i.label) for i in items), default=0)) + 10
    bar_left = label_width + 4
    bar_room = max(width - bar_left - VALUE_WIDTH, 40)
    largest = max((i.value for i in items), default=0)
    bar_height = row_height - 10
    chart = Chart(
        kind="horizontal",
        title=title,
        width=width,
        height=max(row_height * len(items) + 8, row_height),
        axis_y=bar_left,
        axis_x1=4,
        axis_x2=row_height * len(items) + 4,
    )
    for index, item in enumerate(items):
        top = 4 + index * row_height + (row_height - bar_height) / 2
        bar_width = round(bar_room * _scale(item.value, largest), 1)
        if item.value and bar_width < 2:
            bar_width = 2  # a non-zero value stays visible
        middle = top + bar_height / 2 + FONT_SIZE * 0.35
        chart.bars.append(
            _bar(
                item,
                label_width - 10,
                x=bar_left,
                y=round(top, 1),
                width=bar_width,
                height=bar_height,
                label_x=bar_left - 8,
                label_y=round(middle, 1),
                value_x=round(bar_left + bar_width + 6, 1),
                value_y=round(middle, 1),
            )
        )
    return chart


def column_chart(
    items: Sequence[ChartItem], *, title: str, width: int = 640, height: int = 220
) -> Chart:
    """Columns (one per year, in the order given), the value above, the label below."""
    top_room, bottom_room, side = 22, 26, 8
    plot_height = height - top_room - bottom_room
    slot = (width - 2 * side) / max(len(items), 1)
    column_width = max(min(slot * 0.7, 48), 4)
    largest = max((i.value for i in items), default=0)
    baseline = top_room + plot_height
    chart = Chart(
        kind="columns",
        title=title,
        width=width,
        height=height,
        axis_y=baseline,
        axis_x1=side,
        axis_x2=width - side,
    )
    for index, item in enumerate(items):
        column_height = round(plot_height * _scale(item.value, largest), 1)
        if item.value and column_height < 2:
            column_height = 2
        centre = side + slot * index + slot / 2
        chart.bars.append(
            _bar(
                item,
                slot - 2,
                x=round(centre - column_width / 2, 1),
                y=round(baseline - column_height, 1),
                width=round(column_width, 1),
                height=column_height,
                label_x=round(centre, 1),
                label_y=baseline + 17,
                value_x=round(centre, 1),
                value_y=round(baseline - column_height - 5, 1),
            )
        )
    return chart
