"""The case lifecycle as data: which status may follow which, and which party roles may
move a case along each step. Every transition needs a reason.

Print it with
`python manage.py shell -c "from corridor.cases.workflow import describe; print(describe())"`.
"""

from corridor.cases.models import Case, CaseParty

S = Case.Status
R = CaseParty.Role

# {from status: {to status: party roles allowed to make the move}}
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    S.DRAFT: {
        S.ACTIVE: frozenset({R.APPLICANT, R.FACILITATOR}),
        S.WITHDRAWN: frozenset({R.APPLICANT, R.FACILITATOR}),
    },
    S.ACTIVE: {
        S.SUBMITTED: frozenset({R.APPLICANT, R.FACILITATOR}),
        S.WITHDRAWN: frozenset({R.APPLICANT, R.FACILITATOR}),
    },
    S.SUBMITTED: {
        S.UNDER_VERIFICATION: frozenset({R.FACILITATOR}),
        S.REJECTED: frozenset({R.FACILITATOR}),
        S.WITHDRAWN: frozenset({R.APPLICANT, R.FACILITATOR}),
    },
    S.UNDER_VERIFICATION: {
        S.APPROVED: frozenset({R.FACILITATOR}),
        S.REJECTED: frozenset({R.FACILITATOR}),
        S.WITHDRAWN: frozenset({R.APPLICANT, R.FACILITATOR}),
    },
    S.REJECTED: {
        S.ACTIVE: frozenset({R.APPLICANT, R.FACILITATOR}),  # reopen
    },
    S.APPROVED: {},
    S.WITHDRAWN: {},
}

# Moves that decide the case. Where the workflow names the facilitator for one, only the
# initiative's own facilitator makes it (its administrators, or its staff who are the contact
# of the case's facilitator party), never an organisation merely added in that role.
DECISIONS: frozenset[str] = frozenset({S.APPROVED})

FINAL: frozenset[str] = frozenset(status for status, moves in TRANSITIONS.items() if not moves)

# The statuses in which a case waits for a party in this role to act (the "my work" page).
AWAITING: dict[str, frozenset[str]] = {
    R.APPLICANT: frozenset({S.DRAFT, S.ACTIVE, S.REJECTED}),
    R.FACILITATOR: frozenset({S.SUBMITTED, S.UNDER_VERIFICATION}),
}


def allowed_next(status: str) -> tuple[str, ...]:
    """Every status that may follow `status`, whoever makes the move."""
    return tuple(TRANSITIONS.get(status, {}))


def roles_allowed(from_status: str, to_status: str) -> frozenset[str]:
    return TRANSITIONS.get(from_status, {}).get(to_status, frozenset())


def is_final(status: str) -> bool:
    return status in FINAL


def describe() -> str:
    lines = []
    for source, moves in TRANSITIONS.items():
        if not moves:
            lines.append(f"{source} -> (final)")
        for target, allowed in moves.items():
            lines.append(f"{source} -> {target}: {', '.join(sorted(allowed))}")
    return "\n".join(lines)
