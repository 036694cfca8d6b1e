"""Who may do what. Services ask these questions; templates only mirror the answers."""

from corridor.accounts.models import Membership


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
