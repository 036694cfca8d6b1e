"""Who may do what with indicators. Services enforce these rules (`require_*` raise
`PermissionDenied` with the reason); pages and the API ask the same `can_*` questions to offer
only what a person may do.

- The initiative as a whole: its staff (administrators and facilitators) define indicators,
  set targets and record actuals.
- A cooperation project: whoever may change the project (its recording organisation's
  members, the initiative's staff) defines indicators and targets; members of any of the
  project's organisations (its recorder and its parties) also record actuals.
- A facilitation case: the parties that manage the case (applicant, facilitator) define
  indicators and targets; the parties that write in it (applicant, facilitator, local
  partner, certification body) record actuals. Regulators' contacts and observers only read.
- A matchmaking event: its organisers.

Reading follows the record: whoever may see the project, case or event sees its indicators
(`Indicator.objects.visible_to`); the initiative's indicators are public. The system
(`SYSTEM`: the demo loader) may do anything; `None` is nobody and may do nothing.
"""

from django.utils.translation import gettext_lazy as _

from corridor.accounts import roles
from corridor.cases import permissions as cases
from corridor.core.actors import is_system
from corridor.core.permissions import require
from corridor.events import permissions as events
from corridor.portfolio import permissions as portfolio
from corridor.portfolio.models import ProjectParty
from corridor.results.models import Indicator

NOT_YOURS_TO_DEFINE = {
    "initiative": _("Only the initiative's staff set the initiative's indicators and targets."),
    "project": _("Only those who may change the project set its indicators and targets."),
    "case": _("Only the applicant and the facilitator of the case set its indicators and targets."),
    "event": _("Only the event's organisers set its indicators and targets."),
}
NOT_YOURS_TO_RECORD = {
    "initiative": _("Only the initiative's staff record the initiative's results."),
    "project": _("Only members of the project's organisations record its results."),
    "case": _(
        "Only the applicant, the facilitator, the local partner and the certification body of "
        "the case record its results."
    ),
    "event": _("Only the event's organisers record its results."),
}


def _project_organisation_ids(project) -> set[int]:
    parties = ProjectParty.objects.filter(project=project).values_list("organisation_id", flat=True)
    return {project.owner_id, *parties}


def can_define_for(user, *, project=None, case=None, event=None) -> bool:
    """May the user add indicators (and their targets) to this scope (none: the initiative)?"""
    if is_system(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if project is not None:
        return portfolio.can_change_project(user, project)
    if case is not None:
        return cases.can_manage_parties(user, case)
    if event is not None:
        return events.can_organise(user, event)
    return roles.is_facilitator(user)


def can_define(user, indicator: Indicator) -> bool:
    """May the user change the indicator and its targets."""
    return can_define_for(
        user, project=indicator.project, case=indicator.case, event=indicator.event
    )


def can_record(user, indicator: Indicator) -> bool:
    """May the user record actuals of the indicator."""
    if is_system(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if indicator.project_id:
        if roles.is_facilitator(user):
            return True
        acting = roles.acting_organisation_ids(user)
        return bool(acting & _project_organisation_ids(indicator.project))
    if indicator.case_id:
        return cases.can_write(user, indicator.case)
    if indicator.event_id:
        return events.can_organise(user, indicator.event)
    return roles.is_facilitator(user)


def require_define_for(user, *, project=None, case=None, event=None) -> None:
    scope = "project" if project else "case" if case else "event" if event else "initiative"
    require(
        can_define_for(user, project=project, case=case, event=event), NOT_YOURS_TO_DEFINE[scope]
    )


def require_define(user, indicator: Indicator) -> None:
    require(can_define(user, indicator), NOT_YOURS_TO_DEFINE[indicator.scope])


def require_record(user, indicator: Indicator) -> None:
    require(can_record(user, indicator), NOT_YOURS_TO_RECORD[indicator.scope])
