"""The indicator list as a table for CSV and XLSX (`corridor.core.exports.table_response`):
the rows the page lists (the person's visible indicators, narrowed by the page's filters),
each with its current target, latest actual and status by the stated rule."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from corridor.core.bilingual import bilingual
from corridor.core.exports import labels_of, title_cells, title_headers, yes_no
from corridor.results.forms import SCOPE_LABELS, STATUS_LABELS
from corridor.results.models import Indicator
from corridor.results.queries import IndicatorRow


def _scope_name(indicator: Indicator, language: str) -> str:
    record = indicator.project or indicator.case or indicator.event
    return bilingual(record, "title", language) if record else ""


def indicator_table(rows: list[IndicatorRow]):
    """One row per indicator, in the page's order."""
    language = get_language()
    directions = labels_of(Indicator.Direction)
    headers = [
        *title_headers(),
        _("scope code"),
        _("scope"),
        _("measures"),
        _("unit"),
        _("direction"),
        _("baseline"),
        _("baseline date"),
        _("current target"),
        _("target period end"),
        _("latest actual"),
        _("actual period end"),
        _("status code"),
        _("status"),
        _("synthetic"),
    ]

    def lines():
        for row in rows:
            indicator, progress = row.indicator, row.progress
            yield [
                *title_cells(indicator, language),
                indicator.scope,
                str(SCOPE_LABELS[indicator.scope]),
                _scope_name(indicator, language),
                bilingual(indicator, "unit", language),
                directions[indicator.direction],
                indicator.baseline_value,
                indicator.baseline_on,
                progress.target.value if progress.target else None,
                progress.target.end if progress.target else None,
                progress.actual.value if progress.actual else None,
                progress.actual.end if progress.actual else None,
                progress.status,
                str(STATUS_LABELS[progress.status]),
                yes_no(indicator.is_synthetic),
            ]

    return headers, lines()
