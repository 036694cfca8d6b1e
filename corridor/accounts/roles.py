"""Who may do what. Services ask these questions; templates only mirror the answers."""

from corridor.accounts.models import Membership, Organisation


def _memberships(user):
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_corridor_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organisation"))
        user._corridor_memberships = cached
    return cached


def is_initiative_admin(user) -> bool:
    """Superusers, and administrators of the initiative's administration, see and change all."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(
        m.organisation.is_administration and m.role == Membership.Role.ADMINISTRATOR
        for m in _memberships(user)
    )


def is_facilitator(user) -> bool:
    return is_initiative_admin(user) or any(
        m.organisation.is_administration and m.role == Membership.Role.FACILITATOR
        for m in _memberships(user)
    )


def organisation_ids(user) -> set[int]:
    """The organisations the user belongs to."""
    return {m.organisation_id for m in _memberships(user)}


def forget(user) -> None:
    """Drop the cached memberships (after a membership change)."""
    if hasattr(user, "_corridor_memberships"):
        del user._corridor_memberships


def is_initiative_member(user) -> bool:
    """People who belong to an organisation of the initiative (and superusers): they see
    what is shared with members only, such as members-only directory profiles."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(_memberships(user))


# What members of each kind of organisation may start for it (the initiative's administrators
# and facilitators start anything for any organisation). Regulators' contact persons are
# read-only; chambers and associations organise delegations and matchmaking events but are
# not signatories of cooperation projects nor applicants of facilitation cases.
_K = Organisation.Kind
RECORDS_PROJECTS: frozenset[str] = frozenset({_K.ENTERPRISE, _K.AGENCY, _K.PARTNER})
OPENS_CASES: frozenset[str] = frozenset({_K.ENTERPRISE, _K.AGENCY, _K.PARTNER})
MAKES_ASSESSMENTS: frozenset[str] = OPENS_CASES  # an assessment is where a case starts
ORGANISES_EVENTS: frozenset[str] = frozenset({_K.ENTERPRISE, _K.AGENCY, _K.PARTNER, _K.CHAMBER})


def acting_organisation_ids(user, kinds: frozenset[str] | None = None) -> set[int]:
    """The organisations of these kinds (any kind: None) the user belongs to, through which
    they act (the initiative administration is never one: its people act as its staff)."""
    return {
        m.organisation_id
        for m in _memberships(user)
        if (kinds is None or m.organisation.kind in kinds) and not m.organisation.is_administration
    }


def organisations_to_act_for(user, kinds: frozenset[str]):
    """The organisations the user may start something for (a case, an assessment, a
    project, an event), by name: any, for the initiative's facilitators; else their own
    organisations of these kinds (`acting_organisation_ids`)."""
    organisations = Organisation.objects.all()
    if not is_facilitator(user):
        organisations = organisations.filter(pk__in=acting_organisation_ids(user, kinds))
    return organisations.order_by("name_en", "id")


def memberships(user) -> list[Membership]:
    """The user's memberships with their organisations (cached on the user)."""
    return list(_memberships(user))


def organisation_kinds(user) -> set[str]:
    """The kinds of the organisations the user belongs to (administration left out)."""
    return {m.organisation.kind for m in _memberships(user) if not m.organisation.is_administration}
