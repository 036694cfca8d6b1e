"""The results framework's demo: indicators of the initiative, of the Dejia export agreement,
of the regional accreditation case and of the demo delegation event, with their targets and
actuals measured from the other demos' records. The data is `demo_results.yaml` (its header
says how it is laid out); this module loads it through the services as `SYSTEM`.

Run it after the other demos (it measures their records). Loading is idempotent: an indicator
is known by its English title and what it measures, a target by its period, a measured actual
by its period; a second run writes nothing.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from corridor.cases.demo import REGION_TITLE
from corridor.cases.models import Case
from corridor.core.actors import SYSTEM
from corridor.core.demo import SYNTHETIC_EN, SYNTHETIC_ZH
from corridor.events.demo import TITLE_EN as EVENT_TITLE
from corridor.events.models import Event
from corridor.portfolio.models import Project
from corridor.results import queries, services
from corridor.results.models import Actual, Indicator, Target

DEMO_FILE = Path(__file__).with_name("demo_results.yaml")


def demo_file() -> dict:
    return yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1


def _scope(entry: dict) -> dict:
    """The record the indicator measures; LookupError when its demo is not loaded."""
    try:
        if "project" in entry:
            return {"project": Project.objects.get(external_id=entry["project"])}
        if entry.get("case") == "region":
            return {"case": Case.objects.get(title_en=REGION_TITLE)}
        if entry.get("event") == "delegation":
            return {"event": Event.objects.get(title_en=EVENT_TITLE)}
    except (Project.DoesNotExist, Case.DoesNotExist, Event.DoesNotExist) as error:
        raise LookupError(str(error)) from error
    return {}


def _check_labels(entry: dict) -> None:
    if entry.get("synthetic") and not (
        entry["title_en"].startswith(SYNTHETIC_EN) and entry["title_zh"].startswith(SYNTHETIC_ZH)
    ):
        raise ValueError(f"demo_results.yaml: {entry['title_en']!r} is synthetic but not labelled")


def _indicator(entry: dict, report: DemoReport) -> Indicator:
    _check_labels(entry)
    scope = _scope(entry)
    existing = Indicator.objects.filter(
        title_en=entry["title_en"],
        project=scope.get("project"),
        case=scope.get("case"),
        event=scope.get("event"),
    ).first()
    if existing is not None:
        return existing
    feed = entry.get("feed", Indicator.Feed.MANUAL)
    baseline = entry["baseline"]
    if baseline.get("measure"):
        probe = Indicator(feed=feed, **{f"{k}_id": v.pk for k, v in scope.items()})
        baseline_value = queries.feed_value(probe, baseline["on"])
    else:
        baseline_value = Decimal(baseline["value"])
    indicator = services.indicator_create(
        actor=SYSTEM,
        is_synthetic=bool(entry.get("synthetic")),
        title_en=entry["title_en"],
        title_zh=entry["title_zh"],
        description_en=entry.get("description_en", ""),
        description_zh=entry.get("description_zh", ""),
        unit_en=entry["unit_en"],
        unit_zh=entry["unit_zh"],
        baseline_value=baseline_value,
        baseline_on=baseline["on"],
        feed=feed,
        source_url=entry.get("source_url", ""),
        **scope,
    )
    report.count("indicators")
    return indicator


def _loaded_before(model, indicator: Indicator, spec: dict) -> bool:
    """The indicator already has a target (or an actual) for the period: loaded before."""
    return model.objects.filter(
        indicator=indicator, period_start=spec["start"], period_end=spec["end"]
    ).exists()


def _targets(indicator: Indicator, entry: dict, report: DemoReport) -> None:
    for spec in entry.get("targets", []):
        if _loaded_before(Target, indicator, spec):
            continue
        if "value_over_baseline" in spec:
            value = indicator.baseline_value + Decimal(spec["value_over_baseline"])
        else:
            value = Decimal(spec["value"])
        services.target_add(
            actor=SYSTEM,
            indicator=indicator,
            period_start=spec["start"],
            period_end=spec["end"],
            value=value,
            source_url=spec.get("source_url", ""),
        )
        report.count("targets")


def _measured(indicator: Indicator, entry: dict, report: DemoReport) -> None:
    for spec in entry.get("measure", []):
        if _loaded_before(Actual, indicator, spec):
            continue
        services.actual_record_from_feed(
            actor=SYSTEM, indicator=indicator, period_start=spec["start"], period_end=spec["end"]
        )
        report.count("actuals")


def load_results_demo(only: set[str] | None = None) -> dict[str, int]:
    """Load the demo (or `only` the indicators of these keys); {kind: number created}.
    LookupError when a record an indicator measures is missing (its demo is not loaded)."""
    report = DemoReport()
    for entry in demo_file()["indicators"]:
        if only is not None and entry["key"] not in only:
            continue
        indicator = _indicator(entry, report)
        _targets(indicator, entry, report)
        _measured(indicator, entry, report)
    return report.created
