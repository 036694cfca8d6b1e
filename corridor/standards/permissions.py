"""Who may do what with readiness assessments and followed products: the predicates that the
services enforce and the pages and the home page ask ("New assessment", "Delete").

Who may see an assessment is a queryset: `queries.assessments_visible_to(user)`.
"""

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.standards.models import ReadinessAssessment, Watch


def assessing_organisation_ids(user) -> set[int]:
    """The organisations the user makes assessments for (`roles.MAKES_ASSESSMENTS`: not a
    regulator's, whose contacts are read-only, nor a chamber's)."""
    return roles.acting_organisation_ids(user, roles.MAKES_ASSESSMENTS)


def can_assess_for(user, organisation: Organisation) -> bool:
    """Members assess for their own organisation; the initiative's facilitators and
    administrators for any organisation they help."""
    return roles.is_facilitator(user) or organisation.pk in assessing_organisation_ids(user)


def can_assess(user) -> bool:
    """May the user make an assessment at all: "New assessment"."""
    return roles.is_facilitator(user) or bool(assessing_organisation_ids(user))


def can_delete_assessment(user, assessment: ReadinessAssessment) -> bool:
    return roles.is_initiative_admin(user) or assessment.organisation_id in roles.organisation_ids(
        user
    )


def can_follow(user) -> bool:
    """Anybody logged in follows products."""
    return getattr(user, "is_authenticated", False)


def can_stop_following(user, watch: Watch) -> bool:
    """Only the person who follows a product stops following it."""
    return can_follow(user) and watch.user_id == user.pk
