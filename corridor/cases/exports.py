"""The list of cases as a table for CSV and XLSX (`corridor.core.exports.table_response`):
`case_table` takes the queryset the list page shows (`queries.case_list`: the cases the
person takes part in, narrowed by the page's `CaseFilter`) and returns `(headers, rows)`.

Headers and labels are in the active language, names in the reader's language; codes stand
beside their labels. Call it under the export's language.
"""

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from corridor.cases.models import Case
from corridor.core.bilingual import bilingual
from corridor.core.vocabularies import country_name


def case_table(cases: QuerySet):
    """One row per case, in the list's order."""
    language = get_language()
    kinds = {code: str(label) for code, label in Case.Kind.choices}
    statuses = {code: str(label) for code, label in Case.Status.choices}
    yes, no = _("yes"), _("no")
    headers = [
        _("reference"),
        _("title"),
        _("title (English)"),
        _("title (Chinese)"),
        _("kind code"),
        _("kind"),
        _("status code"),
        _("status"),
        _("applicant"),
        _("product"),
        _("HS code"),
        _("target market code"),
        _("target market"),
        _("regional case"),
        _("status changed at"),
        _("opened at"),
        _("updated at"),
        _("synthetic"),
    ]

    def rows():
        for case in cases.select_related("applicant", "region_case").iterator(chunk_size=1000):
            yield [
                case.reference,
                bilingual(case, "title", language),
                case.title_en,
                case.title_zh,
                case.kind,
                kinds.get(case.kind, case.kind),
                case.status,
                statuses.get(case.status, case.status),
                bilingual(case.applicant, "name", language),
                case.product_name,
                case.hs_code,
                case.target_market,
                country_name(case.target_market, language),
                case.region_case.reference if case.region_case else "",
                case.status_changed_at,
                case.created_at,
                case.updated_at,
                yes if case.is_synthetic else no,
            ]

    return headers, rows()
