"""The activity timeline of a case: every service records what happened here.

Events are stored language-neutral (`kind` + `params`); `corridor/cases/events_text.py`
renders them as translated sentences for pages, e-mails and the API.
"""

from django.utils import timezone

from corridor.cases.models import Case, CaseDocument, CaseEvent, DocumentVersion


def record_event(
    *,
    case: Case,
    actor,
    kind: str,
    params: dict | None = None,
    document: CaseDocument | None = None,
    document_version: DocumentVersion | None = None,
    at=None,
) -> CaseEvent:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=kind,
        params=params or {},
        document=document,
        document_version=document_version,
        at=at or timezone.now(),
    )
