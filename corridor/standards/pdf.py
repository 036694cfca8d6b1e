"""The printable readiness report: an HTML template rendered to PDF with WeasyPrint.

Chinese text is set in Noto Sans CJK SC (Debian's fonts-noto-cjk); English in the same
family's Latin glyphs, so both languages print alike.
"""

from django.http import HttpResponse
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
    # WeasyPrint takes about a second to import and only reports need it: not on every page load.
    from weasyprint import HTML  # noqa: PLC0415  slow to import; only reports need it

    return HTML(string=report_html(assessment, language)).write_pdf()


def report_response(assessment: ReadinessAssessment, language: str) -> HttpResponse:
    """The report as an inline PDF download (the page and the API answer alike)."""
    response = HttpResponse(report_pdf(assessment, language), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="readiness-assessment-{assessment.pk}-{language}.pdf"'
    )
    return response
