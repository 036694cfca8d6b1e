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
from corridor.core.exports import coded, labels_of, title_cells, title_headers, yes_no
from corridor.core.vocabularies import country_name


def case_table(cases: QuerySet):
    """One row per case, in the list's order."""
    language = get_language()
    kinds, statuses = labels_of(Case.Kind), labels_of(Case.Status)
    headers = [
        _("reference"),
        *title_headers(),
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
                *title_cells(case, language),
                *coded(case.kind, kinds),
                *coded(case.status, statuses),
                bilingual(case.applicant, "name", language),
                case.product_name,
                case.hs_code,
                case.target_market,
                country_name(case.target_market, language),
                case.region_case.reference if case.region_case else "",
                case.status_changed_at,
                case.created_at,
                case.updated_at,
                yes_no(case.is_synthetic),
            ]

    return headers, rows()
