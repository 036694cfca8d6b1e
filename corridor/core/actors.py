"""The system as an actor.

Services take the person who acts (`actor`). Work that no person does — the demo loaders,
management commands, background tasks acting on what a person already asked for — passes
`SYSTEM`, which services allow explicitly (`is_system(actor)`). `None` is not an actor: a
service that receives it refuses, so a forgotten argument never means "allowed everything".
The audit log records the system's entries without a person ("system").
"""


class SystemActor:
    """Not a user: no memberships, never authenticated, so no role question answers yes for
    it; services that let the system act say so by asking `is_system`."""

    is_authenticated = False
    is_anonymous = False
    is_superuser = False
    is_staff = False
    pk = None
    id = None
    preferred_language = ""

    def __repr__(self) -> str:
        return "SYSTEM"

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    return actor is SYSTEM


def person_of(actor):
    """The person to record as having done something (`created_by`, `recorded_by`): the
    actor, or None when the system acts."""
    return actor if getattr(actor, "is_authenticated", False) else None
