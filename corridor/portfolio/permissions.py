"""Who may do what in the portfolio: the questions services ask before they write, and that
pages and the API ask to offer only what the person may do.

The system (`corridor.core.actors.SYSTEM`: the demo loader, imports run from a command) may
record and change any project, and its changes are never held for review. `None` is no one:
every question answers no for it.
"""

from django.db.models import QuerySet

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.core.actors import is_system
from corridor.portfolio.models import ImportJob, Project


def can_change_project(user, project: Project) -> bool:
    """Administrators and the initiative's facilitators change any project; members only
    the projects their own organisation recorded."""
    if is_system(user) or roles.is_facilitator(user):
        return True
    return project.owner_id in roles.organisation_ids(user)


def project_owner_ids(user) -> set[int]:
    """The organisations the user records projects for (not a regulator's, nor a chamber's:
    see `roles.RECORDS_PROJECTS`); the initiative's staff record for any organisation."""
    return roles.acting_organisation_ids(user, roles.RECORDS_PROJECTS)


def project_owners(user) -> QuerySet[Organisation]:
    """The organisations the user may record (or import) projects for, by name."""
    return roles.organisations_to_act_for(user, roles.RECORDS_PROJECTS)


def can_record_for(user, owner: Organisation) -> bool:
    return is_system(user) or roles.is_facilitator(user) or owner.pk in project_owner_ids(user)


def can_record_projects(user) -> bool:
    """May the user record (or import) projects at all: "Record a project" and "Import"."""
    return roles.is_facilitator(user) or bool(project_owner_ids(user))


def can_record_innovations(user) -> bool:
    """Institutional innovations are recorded by the initiative's staff."""
    return roles.is_facilitator(user)


def can_record_figures(user) -> bool:
    """Published figures are recorded by the initiative's administrators."""
    return roles.is_initiative_admin(user)


def changes_are_held(user, project: Project) -> bool:
    """A change to a published project waits for an initiative administrator to publish it,
    unless an administrator (who decides what the public sees) or the system makes it."""
    return not is_system(user) and project.is_published and not roles.is_initiative_admin(user)


def can_publish(user) -> bool:
    """Only the initiative's administrators decide what anonymous visitors see."""
    return roles.is_initiative_admin(user)


def can_decide_revision(user) -> bool:
    """Only the initiative's administrators publish or reject a proposed change."""
    return roles.is_initiative_admin(user)


def import_jobs_visible_to(user) -> QuerySet[ImportJob]:
    """An import's progress and report: seen by the person who started it and by the
    initiative's administrators."""
    return ImportJob.objects.visible_to(user)
