"""The timeline's events as translated whole sentences, for pages, e-mails and the API.

Events are stored language-neutral (`CaseEvent.kind` + `params`); `event_text(event)` says
what happened in the active language. Bilingual names are stored as `<name>` (English, or
Chinese when there is no English) and `<name>_zh`; the Chinese one is used in Chinese.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.cases.models import Case, CaseEvent, CaseParty
from corridor.core.bilingual import is_chinese
from corridor.core.text import one_stop

# Every kind the services record, with the sentence that tells it.
SENTENCES = {
    "case_opened": gettext_lazy("%(actor)s opened the case %(reference)s “%(title)s”."),
    "case_opened_from_assessment": gettext_lazy(
        "%(actor)s opened the case %(reference)s “%(title)s” from a readiness assessment; "
        "its roadmap became the milestones."
    ),
    "enterprise_case_added": gettext_lazy(
        "%(actor)s added the enterprise case %(reference)s “%(title)s” to this regional case."
    ),
    "party_added": gettext_lazy("%(actor)s added %(organisation)s as %(role)s."),
    "party_added_with_contact": gettext_lazy(
        "%(actor)s added %(organisation)s as %(role)s, with %(contact)s as contact."
    ),
    "party_removed": gettext_lazy("%(actor)s removed %(organisation)s (%(role)s) from the case."),
    "case_transitioned": gettext_lazy(
        "%(actor)s moved the case from %(from)s to %(to)s. Reason: %(reason)s"
    ),
    "milestone_added": gettext_lazy("%(actor)s added the milestone “%(title)s”."),
    "milestone_changed": gettext_lazy("%(actor)s changed the milestone “%(title)s” (%(fields)s)."),
    "milestone_completed": gettext_lazy(
        "%(actor)s marked the milestone “%(title)s” as done on %(on)s."
    ),
    "issue_raised": gettext_lazy("%(actor)s raised the issue “%(title)s”."),
    "issue_assigned": gettext_lazy("%(actor)s assigned the issue “%(title)s” to %(assignee)s."),
    "issue_changed": gettext_lazy("%(actor)s changed the issue “%(title)s” (%(fields)s)."),
    "issue_commented": gettext_lazy("%(actor)s commented on the issue “%(title)s”."),
    "issue_resolved": gettext_lazy("%(actor)s resolved the issue “%(title)s”: %(resolution)s"),
    "issue_reopened": gettext_lazy("%(actor)s reopened the issue “%(title)s”."),
    "document_uploaded": gettext_lazy(
        "%(actor)s uploaded version %(version)s of the document “%(title)s” (%(file)s)."
    ),
    "document_shared": gettext_lazy("%(actor)s shared the document “%(title)s” with: %(roles)s."),
    "document_unshared": gettext_lazy(
        "%(actor)s made the document “%(title)s” visible only to the applicant and the "
        "facilitators."
    ),
}

FIELD_LABELS = {
    "title_en": gettext_lazy("title (English)"),
    "title_zh": gettext_lazy("title (Chinese)"),
    "title": gettext_lazy("title"),
    "description": gettext_lazy("description"),
    "planned_start": gettext_lazy("planned start"),
    "planned_end": gettext_lazy("planned end"),
    "actual_start": gettext_lazy("actual start"),
    "actual_end": gettext_lazy("actual end"),
    "owner_id": gettext_lazy("owner"),
    "depends_on": gettext_lazy("depends on"),
    "dates_approximate": gettext_lazy("dates approximate"),
    "assigned_to": gettext_lazy("assigned to"),
    "due_on": gettext_lazy("due on"),
}


def _name(params: dict, key: str) -> str:
    if is_chinese() and params.get(f"{key}_zh"):
        return str(params[f"{key}_zh"])
    return str(params.get(key, "") or params.get(f"{key}_zh", ""))


def _status(code: str) -> str:
    try:
        return str(Case.Status(code).label)
    except ValueError:
        return code or _("(none)")


def _role(code: str) -> str:
    try:
        return str(CaseParty.Role(code).label)
    except ValueError:
        return code


def _fields(names) -> str:
    separator = "、" if is_chinese() else ", "
    return separator.join(str(FIELD_LABELS.get(name, name)) for name in names or [])


def _roles(codes) -> str:
    if not codes:
        return _("the applicant and the facilitators only")
    separator = "、" if is_chinese() else ", "
    return separator.join(_role(code) for code in codes)


def render(kind: str, params: dict | None, actor=None) -> str:
    """The sentence for one event in the active language."""
    params = params or {}
    actor_name = actor.display_name if actor is not None else _("Corridor")
    values = {
        "actor": actor_name,
        "reference": params.get("reference", ""),
        "title": _name(params, "title"),
        "organisation": _name(params, "organisation"),
        "role": _role(params.get("role", "")),
        "contact": params.get("contact", ""),
        "from": _status(params.get("from", "")),
        "to": _status(params.get("to", "")),
        "reason": params.get("reason", ""),
        "fields": _fields(params.get("fields")),
        "on": params.get("on", ""),
        "assignee": params.get("assignee", "") or _("nobody"),
        "resolution": params.get("resolution", ""),
        "version": params.get("version", ""),
        "file": params.get("file", ""),
        "roles": _roles(params.get("roles")),
    }
    key = kind
    if kind == "case_opened" and params.get("from_assessment"):
        key = "case_opened_from_assessment"
    elif kind == "party_added" and params.get("contact"):
        key = "party_added_with_contact"
    elif kind == "document_shared" and not params.get("roles"):
        key = "document_unshared"
    sentence = SENTENCES.get(key)
    if sentence is None:
        return _("%(actor)s did something this version of Corridor cannot describe (%(kind)s).") % {
            "actor": actor_name,
            "kind": kind,
        }
    return one_stop(str(sentence) % values)


def event_text(event: CaseEvent) -> str:
    """The sentence for `event` (load it with select_related("actor"))."""
    return render(event.kind, event.params, event.actor)
