"""The portfolio's lists as tables for CSV and XLSX (`corridor.core.exports.table_response`):
each function takes the queryset its page lists (already narrowed to what the person may see
and to the page's filters) and returns `(headers, rows)`.

Headers and labels are in the active language, names in the reader's language with both
languages beside them; codes stand beside their labels so that a spreadsheet can filter on
either. Rows are generated lazily (the CSV streams them); call these under the export's
language (`table_response` reads the rows in it).
"""

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from corridor.core.bilingual import bilingual
from corridor.core.exports import coded, labels_of, title_cells, title_headers, yes_no
from corridor.portfolio import queries
from corridor.portfolio.models import Innovation, Project


def _title_columns() -> list[str]:
    return [_("external id"), *title_headers()]


def _title_cells(record, language: str) -> list[str]:
    return [record.external_id, *title_cells(record, language)]


def project_table(projects: QuerySet):
    """The projects of the list page (filtered and sorted as it is), one row each."""
    language = get_language()
    kinds, statuses, sides = (
        labels_of(Project.Kind),
        labels_of(Project.Status),
        labels_of(Project.Side),
    )
    headers = [
        *_title_columns(),
        _("kind code"),
        _("kind"),
        _("status code"),
        _("status"),
        _("sector code"),
        _("sector"),
        _("side code"),
        _("side"),
        _("signing date"),
        _("value"),
        _("currency"),
        _("value in US dollars"),
        _("value counted in totals (US dollars)"),
        _("exchange rate date"),
        _("exchange rate source"),
        _("framework agreement (external id)"),
        _("recorded by"),
        _("location"),
        _("published"),
        _("synthetic"),
    ]

    def rows():
        for p in queries.project_list_rows(projects).iterator(chunk_size=2000):
            yield [
                *_title_cells(p, language),
                *coded(p.kind, kinds),
                *coded(p.status, statuses),
                p.sector.code,
                bilingual(p.sector, "name", language),
                *coded(p.lead_side, sides),
                p.signed_on,
                p.value,
                p.currency,
                p.value_usd,
                p.counted_value_usd,
                p.fx_rate.date if p.fx_rate else None,
                p.fx_rate.source if p.fx_rate else "",
                p.parent.external_id if p.parent else "",
                bilingual(p.owner, "name", language),
                bilingual(p, "location", language),
                yes_no(p.is_published),
                yes_no(p.is_synthetic),
            ]

    return headers, rows()


def innovation_table(innovations: QuerySet):
    """The institutional innovations of the list page, one row each."""
    innovations = innovations.prefetch_related("agencies", "replications")
    language = get_language()
    categories = labels_of(Innovation.Category)
    headers = [
        *_title_columns(),
        _("category code"),
        _("category"),
        _("adopted on"),
        _("agencies involved"),
        _("replicated to"),
        _("source"),
        _("published"),
        _("synthetic"),
    ]

    def rows():
        for i in innovations.iterator(chunk_size=500):
            yield [
                *_title_cells(i, language),
                *coded(i.category, categories),
                i.adopted_on,
                "; ".join(bilingual(a, "name", language) for a in i.agencies.all()),
                "; ".join(bilingual(r, "place", language) for r in i.replications.all()),
                i.source_url,
                yes_no(i.is_published),
                yes_no(i.is_synthetic),
            ]

    return headers, rows()
