"""The indicator chart's geometry (corridor/results/charts.py), alone: no database."""

from datetime import date
from decimal import Decimal as D

from corridor.results.charts import Value, indicator_chart


def chart(**kwargs):
    return indicator_chart(title="Exports", format_value=lambda v: f"{v:.0f}", **kwargs)


def test_baseline_targets_and_actuals_are_placed_in_time_and_value():
    result = chart(
        baseline=Value(date(2025, 1, 1), date(2025, 1, 1), D(0), "Baseline: 0"),
        targets=[Value(date(2025, 1, 1), date(2026, 12, 31), D(100), "Target: 100")],
        actuals=[
            Value(date(2025, 1, 1), date(2025, 12, 31), D(40), "Actual: 40"),
            Value(date(2025, 1, 1), date(2025, 6, 30), D(20), "Actual: 20"),
        ],
    )
    assert result.baseline.x1 == result.plot_left  # the earliest date is the left edge
    assert result.baseline.y1 == result.plot_bottom  # zero is the bottom
    target = result.targets[0]
    assert (target.x1, target.x2) == (result.plot_left, result.plot_right)
    assert target.y1 < result.plot_bottom
    # actuals are drawn in time order, higher values higher up, and joined by one line
    assert [m.text for m in result.actuals] == ["Actual: 20", "Actual: 40"]
    assert result.actuals[0].x1 < result.actuals[1].x1
    assert result.actuals[1].y1 < result.actuals[0].y1
    assert result.actual_line.count(",") == 2
    # the axis reaches above the target, with round steps and a label per year
    assert [t.label for t in result.y_ticks] == ["0", "50", "100", "150"]
    assert [t.label for t in result.x_ticks] == ["2025-01-01", "2026-12-31"]  # under two years


def test_an_indicator_with_nothing_to_draw_is_empty():
    assert chart(baseline=None, targets=[], actuals=[]).is_empty


def test_over_several_years_each_new_year_is_marked():
    result = chart(
        baseline=Value(date(2023, 6, 1), date(2023, 6, 1), D(3), "Baseline: 3"),
        targets=[Value(date(2024, 1, 1), date(2026, 12, 31), D(10800000), "Target")],
        actuals=[],
    )
    assert [t.label for t in result.x_ticks] == ["2024", "2025", "2026"]
    assert result.y_ticks[-1].label == "15000000"  # above the target, in round steps
