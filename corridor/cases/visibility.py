"""Through which parties a person acts in cases: the one rule behind `Case.objects.visible_to`
and the permission questions of `permissions.py`.

A person acts through a party as its contact person, or as a member of its organisation; the
initiative administration's people act only as contacts. This module imports no other module
of the app, so the models may use it.
"""

from django.db.models import Q

from corridor.accounts import roles


def party_organisation_ids(user) -> set[int]:
    """The user's organisations through which they act in cases: all but the
    initiative administration (its people act only as contacts)."""
    return {
        m.organisation_id
        for m in roles.memberships(user)  # cached on the user: no query after the first
        if not m.organisation.is_administration
    }


def user_party_q(user, prefix: str = "") -> Q:
    """Parties (reached through `prefix`, e.g. "parties__") the user acts for."""
    condition = Q(**{f"{prefix}contact": user})
    organisations = party_organisation_ids(user)
    if organisations:
        condition |= Q(**{f"{prefix}organisation_id__in": organisations})
    return condition
