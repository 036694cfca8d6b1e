"""A pack's contents written as a PDF (an HTML template typeset by WeasyPrint, with the
portfolio's SVG charts) or as an XLSX workbook (one sheet per section, raw rows, every cell
through `core.exports.safe_cell`). Call inside `translation.override(pack language)`."""

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from corridor.briefing.contents import PackContents, section_title
from corridor.core.bilingual import bilingual
from corridor.core.exports import xlsx_workbook
from corridor.core.templatetags.corridor import usd_short
from corridor.portfolio.charts import Chart, ChartItem, column_chart, horizontal_bar_chart
from corridor.portfolio.models import PublishedFigure
from corridor.portfolio.queries import breakdown_items, projects_and_value
from corridor.results.templatetags.results import figure

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# Chinese text in Noto Sans CJK SC (Debian's fonts-noto-cjk); English in DejaVu Sans.
FONTS = {
    "en": "'DejaVu Sans', 'Noto Sans CJK SC', sans-serif",
    "zh": "'Noto Sans CJK SC', 'DejaVu Sans', sans-serif",
}


# --- numbers as the dashboard writes them -------------------------------------------------------


def figure_text(comparison, amount) -> str:
    """A published or registry figure as the dashboard's comparison table writes it."""
    if comparison.is_value:
        return usd_short(amount)
    return f"{amount:.0f}"


def difference_text(comparison) -> str:
    sign = "+" if comparison.difference > 0 else "−" if comparison.difference < 0 else ""
    return sign + figure_text(comparison, comparison.difference_size)


# --- charts ----------------------------------------------------------------------------------


def _count_items(counts: dict[str, int], labels: dict[str, str]) -> list[ChartItem]:
    return [
        ChartItem(
            label=labels[code], value=counts.get(code, 0), value_text=str(counts.get(code, 0))
        )
        for code in labels
    ]


def pack_charts(contents: PackContents) -> dict[str, list[Chart]]:
    """The charts of each section, drawn by `briefing/_chart.html`."""
    figures = contents.figures.figures
    years = [
        ChartItem(label=row.label, value=row.projects, value_text=str(row.projects))
        for row in figures.by_year
    ]
    charts = {
        "figures": [
            column_chart(years, title=_("Projects by signing year"), width=680, height=200),
            horizontal_bar_chart(
                breakdown_items(figures.by_sector), title=_("Projects by sector"), width=680
            ),
            horizontal_bar_chart(
                breakdown_items(figures.by_status), title=_("Projects by status"), width=680
            ),
        ],
        "changes": [],
        "cases": [
            horizontal_bar_chart(
                _count_items(contents.cases.counts, contents.cases.labels),
                title=_("Milestones of these cases"),
                width=680,
            )
        ],
        "events": [],
    }
    signed = contents.changes.signed
    if signed.totals.projects:
        charts["changes"].append(
            horizontal_bar_chart(
                breakdown_items(signed.by_sector),
                title=_("Projects signed since the date, by sector"),
                width=680,
            )
        )
    if contents.events.events:
        totals = {code: contents.events.total(code) for code in contents.events.outcome_labels}
        charts["events"].append(
            horizontal_bar_chart(
                _count_items(totals, contents.events.outcome_labels),
                title=_("What the sides said came of their meetings"),
                width=680,
            )
        )
    if contents.indicators is not None and contents.indicators.rows:
        charts["indicators"] = [
            horizontal_bar_chart(
                _count_items(contents.indicators.counts, contents.indicators.labels),
                title=_("Indicators by status"),
                width=680,
            )
        ]
    return charts


def indicator_measures(indicator) -> str:
    """What an indicator measures, in words."""
    if indicator.project_id:
        return _("Project: %(title)s") % {"title": bilingual(indicator.project, "title")}
    if indicator.case_id:
        return _("Case: %(title)s") % {"title": bilingual(indicator.case, "title")}
    if indicator.event_id:
        return _("Event: %(title)s") % {"title": bilingual(indicator.event, "title")}
    return _("The initiative as a whole")


def indicator_lines(contents: PackContents) -> list[dict]:
    """Each indicator's figures as the results framework's pages write them."""
    lines = []
    for row in contents.indicators.rows if contents.indicators else []:
        indicator, progress = row.indicator, row.progress
        unit = indicator.unit
        lines.append(
            {
                "indicator": indicator,
                "measures": indicator_measures(indicator),
                "baseline": f"{figure(indicator.baseline_value)} {unit}",
                "actual": f"{figure(progress.actual.value)} {unit}" if progress.actual else "—",
                "target": f"{figure(progress.target.value)} {unit}" if progress.target else "—",
                "progress": progress,
                "status": contents.indicators.labels.get(progress.status, progress.status),
            }
        )
    return lines


# --- PDF ----------------------------------------------------------------------------------------


def pack_html(contents: PackContents, *, requested_by: str = "") -> str:
    return render_to_string(
        "briefing/pack_pdf.html",
        {
            "pack": contents,
            "titles": {name: section_title(name) for name in contents.sections},
            "charts": pack_charts(contents),
            "kpi": kpi_texts(contents),
            "comparisons": [
                {
                    "comparison": c,
                    "published": figure_text(c, c.figure.value),
                    "registry": figure_text(c, c.registry),
                    "difference": difference_text(c),
                }
                for c in contents.figures.comparisons
            ],
            "signed_text": projects_and_value(
                contents.changes.signed.totals.projects, contents.changes.value_added_usd
            ),
            "indicators": indicator_lines(contents),
            "requested_by": requested_by,
            "font": FONTS["zh" if contents.language == "zh-hans" else "en"],
        },
    )


def kpi_texts(contents: PackContents) -> dict[str, str]:
    """The three figures at the top of the dashboard, written as it writes them."""
    totals = contents.figures.figures.totals
    return {
        "projects": str(totals.projects),
        "value": usd_short(totals.value_usd),
        "innovations": str(contents.figures.innovations),
    }


def pack_pdf(contents: PackContents, *, requested_by: str = "") -> bytes:
    # WeasyPrint takes about a second to import and only packs and reports need it.
    from weasyprint import HTML  # noqa: PLC0415  slow to import; only PDFs need it

    return HTML(string=pack_html(contents, requested_by=requested_by)).write_pdf()


# --- XLSX ---------------------------------------------------------------------------------------


def _figures_rows(contents: PackContents):
    section = contents.figures
    totals = section.figures.totals
    scope = _("every project the pack's reader may see, published or not, as of %(date)s") % {
        "date": section.as_of.isoformat()
    }
    headers = [
        _("Measure"),
        _("Scope"),
        _("Published: qualifier"),
        _("Published"),
        _("In the registry"),
        _("Difference (registry − published)"),
        _("As of"),
        _("Publisher"),
        _("Source"),
    ]
    registry = [
        (_("Cooperation projects"), totals.projects),
        (_("Value in US dollars"), totals.value_usd),
        (_("Institutional innovations"), section.innovations),
        (_("Projects not yet published"), section.unpublished),
        (_("Changes waiting for publication (not counted)"), section.pending_changes),
    ]
    rows = [
        [label, scope, None, None, value, None, section.as_of, "", ""] for label, value in registry
    ]
    for c in section.comparisons:
        figure: PublishedFigure = c.figure
        rows.append(
            [
                figure.get_metric_display(),
                figure.scope,
                figure.get_qualifier_display(),
                figure.value,
                c.registry,
                c.difference,
                figure.as_of,
                figure.publisher,
                figure.source_url,
            ]
        )
    return headers, rows


def _changes_rows(contents: PackContents):
    section = contents.changes
    headers = [
        _("Change"),
        _("Date"),
        _("External id"),
        _("Project"),
        _("Kind"),
        _("Status now"),
        _("Sector"),
        _("Value counted in totals (US dollars)"),
        _("Reason"),
    ]

    def project_row(change, on, project, reason=""):
        return [
            change,
            on,
            project.external_id,
            bilingual(project, "title"),
            project.get_kind_display(),
            project.get_status_display(),
            bilingual(project.sector, "name"),
            project.counted_value_usd,
            reason,
        ]

    rows = [project_row(_("signed"), p.signed_on, p, "") for p in section.signed_projects]
    for move in section.completed + section.stalled:
        rows.append(project_row(move.to_label, move.on, move.project, move.reason))
    return headers, rows


def _innovations_rows(contents: PackContents):
    headers = [
        _("External id"),
        _("Innovation"),
        _("Category"),
        _("Adopted on"),
        _("Replicated in"),
        _("Published"),
        _("Source"),
    ]
    rows = [
        [
            i.external_id,
            bilingual(i, "title"),
            i.get_category_display(),
            i.adopted_on,
            "; ".join(r.place for r in i.replications.all()),
            _("yes") if i.is_published else _("no"),
            i.source_url,
        ]
        for i in contents.innovations.innovations
    ]
    return headers, rows


def _cases_rows(contents: PackContents):
    headers = [
        _("Case"),
        _("Title"),
        _("Applicant"),
        _("Status"),
        _("Target market"),
        _("Milestone"),
        _("Planned end"),
        _("Actual end"),
        _("Milestone state"),
        _("Days late"),
    ]
    rows = []
    for line in contents.cases.cases:
        case = line.case
        first = [
            case.reference,
            bilingual(case, "title"),
            bilingual(case.applicant, "name"),
            case.get_status_display(),
            case.target_market,
        ]
        if not line.milestones:
            rows.append([*first, None, None, None, None, None])
        for m in line.milestones:
            rows.append(
                [
                    *first,
                    bilingual(m.milestone, "title"),
                    m.milestone.planned_end,
                    m.milestone.actual_end,
                    m.state_label,
                    m.days_late,
                ]
            )
    return headers, rows


def _events_rows(contents: PackContents):
    section = contents.events
    labels = section.outcome_labels
    headers = [
        _("Event"),
        _("First day"),
        _("Last day"),
        _("Organiser"),
        _("Participants"),
        _("Meetings held"),
        *[_("Outcome: %(outcome)s") % {"outcome": label} for label in labels.values()],
        _("Follow-up projects"),
    ]
    rows = [
        [
            bilingual(line.event, "title"),
            line.first_day,
            line.last_day,
            bilingual(line.event.organiser, "name"),
            line.participants,
            line.meetings,
            *[line.outcomes.get(code, 0) for code in labels],
            "; ".join(bilingual(p, "title") for p in line.projects),
        ]
        for line in section.events
    ]
    return headers, rows


def _indicators_rows(contents: PackContents):
    headers = [
        _("Indicator"),
        _("Measures"),
        _("Unit"),
        _("Direction"),
        _("Baseline"),
        _("Baseline date"),
        _("Current target"),
        _("Target period start"),
        _("Target period end"),
        _("Latest actual"),
        _("Actual period end"),
        _("Share of the way achieved (%)"),
        _("Share of the period elapsed (%)"),
        _("Status"),
    ]
    rows = []
    for row in contents.indicators.rows:
        indicator, progress = row.indicator, row.progress
        target, actual = progress.target, progress.actual
        rows.append(
            [
                bilingual(indicator, "title"),
                indicator_measures(indicator),
                indicator.unit,
                indicator.get_direction_display(),
                indicator.baseline_value,
                indicator.baseline_on,
                target.value if target else None,
                target.start if target else None,
                target.end if target else None,
                actual.value if actual else None,
                actual.end if actual else None,
                progress.achieved_percent if progress.achieved is not None else None,
                progress.expected_percent,
                contents.indicators.labels.get(progress.status, progress.status),
            ]
        )
    return headers, rows


SHEETS = {
    "figures": _figures_rows,
    "changes": _changes_rows,
    "innovations": _innovations_rows,
    "cases": _cases_rows,
    "events": _events_rows,
    "indicators": _indicators_rows,
}


def pack_xlsx(contents: PackContents) -> bytes:
    """One worksheet per section, named as the section's heading; headers in bold on a
    frozen first row; numbers and dates stay numbers and dates."""
    return xlsx_workbook(
        [(section_title(name), *SHEETS[name](contents)) for name in contents.sections],
        title=_("Briefing pack"),
        subject=_("Changes since %(date)s") % {"date": contents.since.isoformat()},
    )


def pack_bytes(contents: PackContents, fmt: str, *, requested_by: str = "") -> bytes:
    if fmt == "pdf":
        return pack_pdf(contents, requested_by=requested_by)
    if fmt == "xlsx":
        return pack_xlsx(contents)
    raise ValueError(f"unknown pack format {fmt!r}")
