"""Who may do what in the directory. Services check these before they write; queries,
recommendations and pages ask them before they show. `SYSTEM` (demo loader, commands) may
do anything; `None` is no one and may do nothing."""

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.core.actors import is_system
from corridor.directory.models import Connection, Profile


def can_edit_profile(user, organisation: Organisation) -> bool:
    """The organisation's own members, and the initiative's facilitators and administrators."""
    if is_system(user):
        return True
    return roles.is_facilitator(user) or organisation.pk in roles.organisation_ids(user)


def acts_for(user, profile: Profile) -> bool:
    """May the user act on behalf of this profile's enterprise (see its recommendations, give
    feedback, ask to connect, answer requests)?"""
    return can_edit_profile(user, profile.organisation)


def acts_for_either_side(user, connection: Connection) -> bool:
    """May the user see this connection request (its page, its answer)?"""
    return acts_for(user, connection.from_profile) or acts_for(user, connection.to_profile)


def in_dialogue(user, connection: Connection) -> bool:
    """May the user see both sides' contact persons and read and write the connection's
    messages? Only once it is accepted, and only people acting for either side (which
    includes the initiative's facilitators and administrators)."""
    return connection.status == Connection.Status.ACCEPTED and acts_for_either_side(
        user, connection
    )


def can_verify(user) -> bool:
    return is_system(user) or roles.is_initiative_admin(user)
