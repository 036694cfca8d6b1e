"""The printable readiness report: an HTML template rendered to PDF with WeasyPrint.

Chinese text is set in Noto Sans CJK SC (Debian's fonts-noto-cjk); English in the same
family's Latin glyphs, so both languages print alike.
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from corridor.standards import queries
from corridor.standards.models import ReadinessAssessment


def report_html(assessment: ReadinessAssessment, language: str) -> str:
    with translation.override(language):
        report = queries.assessment_report(assessment, language)
        return render_to_string(
            "standards/report_pdf.html",
            {
                "assessment": assessment,
                "report": report,
                "summary": queries.status_summary(report),
                "language": language,
                "printed_on": timezone.localdate(),
            },
        )


def report_pdf(assessment: ReadinessAssessment, language: str) -> bytes:
    """The report as PDF bytes, in `language` ("en" or "zh-hans")."""
    from weasyprint import HTML  # imported here: it is slow to import and only reports need it

    return HTML(string=report_html(assessment, language)).write_pdf()
