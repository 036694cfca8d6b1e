"""Who may see and do what in a case. Services ask these questions; pages and the API only
mirror the answers.

A person acts in a case through a party: as its contact person, or as a member of its
organisation. The initiative administration is the exception: its facilitators act only in
the cases where they are the contact of a facilitator party ("the cases assigned to them");
its administrators see and do everything, as facilitators.

Every role is a possible adversary: the applicant manages who takes part in its case, but
only the initiative's staff (its administrators and facilitators, and superusers) bring in
or take out a facilitator or a regulator contact, and only the initiative's own
facilitator approves a case (`workflow.DECISIONS`).
"""

from corridor.accounts import roles
from corridor.cases import workflow
from corridor.cases.models import Case, CaseDocument, CaseParty, DocumentVersion
from corridor.cases.visibility import party_organisation_ids

R = CaseParty.Role

WRITERS: frozenset[str] = frozenset({R.APPLICANT, R.FACILITATOR, R.PARTNER, R.CERTIFICATION_BODY})
# Roles that see every document of the case, shared or not.
DOCUMENT_KEEPERS: frozenset[str] = frozenset({R.APPLICANT, R.FACILITATOR})
# Roles that manage who takes part in the case.
PARTY_MANAGERS: frozenset[str] = frozenset({R.APPLICANT, R.FACILITATOR})
# Parties only the initiative's staff add or remove: the facilitator verifies and approves
# the case, the regulator contact speaks for the authority.
STAFF_MANAGED_ROLES: frozenset[str] = frozenset({R.FACILITATOR, R.REGULATOR})
# When a person belongs to several parties of one case, the first of these roles counts.
ROLE_ORDER: tuple[str, ...] = (
    R.FACILITATOR,
    R.APPLICANT,
    R.PARTNER,
    R.CERTIFICATION_BODY,
    R.REGULATOR,
    R.OBSERVER,
)


def _is_authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def role_among(user, parties) -> str | None:
    """The role the user acts in, given the case's parties (already loaded)."""
    if not _is_authenticated(user):
        return None
    if roles.is_initiative_admin(user):
        return R.FACILITATOR
    as_contact = [p.role for p in parties if p.contact_id == user.pk]
    if as_contact:
        return min(as_contact, key=ROLE_ORDER.index)
    organisations = party_organisation_ids(user)
    as_member = [p.role for p in parties if p.organisation_id in organisations]
    if as_member:
        return min(as_member, key=ROLE_ORDER.index)
    return None


def party_role(user, case: Case) -> str | None:
    """The role the user acts in for this case: as a contact first, else through their
    organisation's party; administrators act as "facilitator"; None if not a party."""
    if not _is_authenticated(user):
        return None
    if roles.is_initiative_admin(user):
        return R.FACILITATOR
    return role_among(user, case.parties.all())


def can_see(user, case: Case) -> bool:
    return party_role(user, case) is not None


def is_closed(case: Case) -> bool:
    """An approved or withdrawn case (`workflow.FINAL`) is a record: nothing in it changes
    any more, except who takes part and sees it: a party may still be taken out, and a
    document shared. A rejected case is not closed:
    its applicant may reopen it, and works on it meanwhile."""
    return workflow.is_final(case.status)


def can_write(user, case: Case) -> bool:
    """Add milestones, issues, comments, documents: not regulator contacts or observers.
    Says nothing about a closed case (`is_closed`): the services refuse every write there."""
    return party_role(user, case) in WRITERS


def can_manage_parties(user, case: Case) -> bool:
    return party_role(user, case) in PARTY_MANAGERS


def is_initiative_staff(user) -> bool:
    """Superusers, and the administrators and facilitators of the initiative administration."""
    return roles.is_facilitator(user)


def manages_party_role_as(acting_role: str | None, user, role: str) -> bool:
    """May a person acting in `acting_role` add (or remove) a party in `role`? Party
    managers may, except for the facilitator and regulator roles, which only the
    initiative's staff manage."""
    if acting_role not in PARTY_MANAGERS:
        return False
    return role not in STAFF_MANAGED_ROLES or is_initiative_staff(user)


def can_manage_party_role(user, case: Case, role: str) -> bool:
    return manages_party_role_as(party_role(user, case), user, role)


def party_roles_for(user, acting_role: str | None) -> list[str]:
    """The roles a person acting in `acting_role` may add a party in (the applicant is
    given when a case opens)."""
    return [
        role
        for role in R.values
        if role != R.APPLICANT and manages_party_role_as(acting_role, user, role)
    ]


def is_initiative_facilitator_among(user, parties) -> bool:
    """Is the user the initiative's own facilitator in this case: an administrator, or a
    member of the initiative's staff who is the contact of one of its facilitator parties?
    An organisation that merely holds the facilitator role is not."""
    if not _is_authenticated(user):
        return False
    if roles.is_initiative_admin(user):
        return True
    return is_initiative_staff(user) and any(
        p.role == R.FACILITATOR and p.contact_id == user.pk for p in parties
    )


def applicant_organisation_ids(user) -> set[int]:
    """The organisations the user opens cases for: their enterprise, agency or partner
    organisation (`roles.OPENS_CASES`); a regulator's contact or a chamber's member opens none."""
    return roles.acting_organisation_ids(user, roles.OPENS_CASES)


def can_open_case_for(user, applicant) -> bool:
    """The initiative's facilitators open cases for anyone; others for their organisation."""
    return roles.is_facilitator(user) or applicant.pk in applicant_organisation_ids(user)


def can_open_cases(user) -> bool:
    """May the user open a case at all: "Open a case"."""
    return roles.is_facilitator(user) or bool(applicant_organisation_ids(user))


def can_see_document_as(role: str | None, document: CaseDocument) -> bool:
    if role is None:
        return False
    return role in DOCUMENT_KEEPERS or role in (document.shared_with or [])


def can_see_version_as(role: str | None, version: DocumentVersion) -> bool:
    """A version is seen by the applicant and facilitators, and by the roles it is shared
    with (a new version is shared only as far as its uploader may share)."""
    if role is None:
        return False
    return role in DOCUMENT_KEEPERS or role in (version.shared_with or [])


def can_see_version(user, version: DocumentVersion) -> bool:
    document = version.document
    role = party_role(user, document.case)
    return can_see_document_as(role, document) and can_see_version_as(role, version)


def can_see_document(user, document: CaseDocument) -> bool:
    """Applicant and facilitators see every document of the case; other roles only the
    documents shared with their role."""
    return can_see_document_as(party_role(user, document.case), document)


def transition_allowed_as(
    role: str | None, case: Case, to_status: str, *, initiative_facilitator: bool = False
) -> bool:
    """Only the roles the workflow names for the move; a decision (`workflow.DECISIONS`)
    made as facilitator only by the initiative's own facilitator."""
    if role is None or role not in workflow.roles_allowed(case.status, to_status):
        return False
    if to_status in workflow.DECISIONS and role == R.FACILITATOR:
        return initiative_facilitator
    return True


def transitions_among(user, case: Case, parties) -> list[str]:
    """The statuses the user may move the case to, in the order of the workflow, given the
    case's parties (already loaded)."""
    role = role_among(user, parties)
    initiative_facilitator = is_initiative_facilitator_among(user, parties)
    return [
        status
        for status in workflow.allowed_next(case.status)
        if transition_allowed_as(role, case, status, initiative_facilitator=initiative_facilitator)
    ]


def can_transition(user, case: Case, to_status: str) -> bool:
    return to_status in transitions_among(user, case, list(case.parties.all()))


def transitions_for(user, case: Case) -> list[str]:
    """The statuses the user may move the case to, in the order of the workflow."""
    return transitions_among(user, case, list(case.parties.all()))
