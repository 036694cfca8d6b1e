"""Who may see and do what in a case, tried through the services: each rule of
corridor/cases/permissions.py has a test that tries to break it, and every refusal leaves
the database as it was."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from corridor.accounts.models import Membership
from corridor.cases import permissions, services
from corridor.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseIssue,
    CaseParty,
    CaseTransition,
    IssueComment,
    Milestone,
)
from corridor.core.actors import SYSTEM
from corridor.core.models import AuditEntry
from corridor.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def member_of(organisation, username: str, role=Membership.Role.MEMBER):
    user = UserFactory(username=username, name_en=username.title(), name_zh="")
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


@dataclass
class VanCase:
    """The van case with one person in every role."""

    case: Case
    applicant: object  # owner, a member of the applicant
    facilitator: object
    partner: object
    certifier: object
    regulator: object
    observer: object


def van_case(facilitator, owner, enterprise, *, title="EQ2 electric van to Singapore") -> VanCase:
    case = services.case_open(
        actor=facilitator,
        applicant=enterprise,
        title_en=title,
        title_zh="EQ2电动货车出口新加坡",
        target_market="SG",
        product_name="EQ2 electric van",
        hs_code="870460",
    )
    people = {}
    for role, kind, name in [
        (CaseParty.Role.PARTNER, "partner", "partner"),
        (CaseParty.Role.CERTIFICATION_BODY, "partner", "certifier"),
        (CaseParty.Role.REGULATOR, "regulator", "regulator"),
        (CaseParty.Role.OBSERVER, "chamber", "observer"),
    ]:
        organisation = OrganisationFactory(name_en=f"{name.title()} Org {case.pk}", kind=kind)
        person = member_of(organisation, f"{name}{case.pk}")
        services.case_add_party(
            actor=facilitator, case=case, organisation=organisation, role=role, contact=person
        )
        people[name] = person
    return VanCase(case=case, applicant=owner, facilitator=facilitator, **people)


@pytest.fixture
def van(facilitator, owner, enterprise):
    return van_case(facilitator, owner, enterprise)


def rows() -> dict[str, list]:
    """Everything a write could change, to compare before and after a refusal."""
    return {
        "cases": list(Case.objects.order_by("pk").values()),
        "parties": list(CaseParty.objects.order_by("pk").values()),
        "milestones": list(Milestone.objects.order_by("pk").values()),
        "issues": list(CaseIssue.objects.order_by("pk").values()),
        "comments": list(IssueComment.objects.order_by("pk").values()),
        "transitions": list(CaseTransition.objects.order_by("pk").values()),
        "events": list(CaseEvent.objects.order_by("pk").values("pk", "kind")),
        "audit": AuditEntry.objects.count(),
    }


def every_write(case: Case, actor):
    """One call of each case write, as `actor`."""
    issue = CaseIssue.objects.filter(case=case).first()
    milestone = Milestone.objects.filter(case=case).first()
    return [
        lambda: services.milestone_save(
            actor=actor, case=case, milestone=None, version=None, title_en="Sneaky step"
        ),
        lambda: services.milestone_save(
            actor=actor,
            case=case,
            milestone=milestone,
            version=milestone.version,
            title_en="Renamed",
        ),
        lambda: services.issue_raise(actor=actor, case=case, title="Sneaky question"),
        lambda: services.issue_comment(actor=actor, issue=issue, body="Sneaky comment"),
        lambda: services.issue_update(
            actor=actor, issue=issue, version=issue.version, title="Renamed"
        ),
        lambda: services.issue_resolve(
            actor=actor, issue=issue, version=issue.version, resolution="Done"
        ),
        lambda: services.case_transition(
            actor=actor, case=case, to_status="active", reason="Let us start", version=case.version
        ),
        lambda: services.case_add_party(
            actor=actor,
            case=case,
            organisation=OrganisationFactory(name_en="Intruder Ltd"),
            role=CaseParty.Role.OBSERVER,
        ),
        lambda: services.case_remove_party(
            actor=actor, party=case.parties.exclude(role=CaseParty.Role.APPLICANT).first()
        ),
    ]


def with_content(van: VanCase) -> None:
    services.milestone_save(
        actor=van.facilitator, case=van.case, milestone=None, version=None, title_en="Type approval"
    )
    services.issue_raise(actor=van.applicant, case=van.case, title="Which test lab?")


# --- visibility ----------------------------------------------------------------------------


def test_each_party_sees_its_case_and_the_outsider_sees_nothing(van, outsider, admin_user):
    for person in [
        van.applicant,
        van.facilitator,
        van.partner,
        van.certifier,
        van.regulator,
        van.observer,
        admin_user,
    ]:
        assert list(Case.objects.visible_to(person)) == [van.case], person
    assert list(Case.objects.visible_to(outsider)) == []
    assert list(Case.objects.visible_to(AnonymousUser())) == []
    assert permissions.party_role(outsider, van.case) is None
    assert permissions.can_write(outsider, van.case) is False


def test_a_facilitator_of_the_administration_sees_only_the_cases_assigned_to_it(
    van, administration, owner, enterprise
):
    other_facilitator = member_of(administration, "felix", role=Membership.Role.FACILITATOR)
    assert list(Case.objects.visible_to(other_facilitator)) == []

    own = services.case_open(
        actor=other_facilitator, applicant=enterprise, title_en="Canned pork", target_market="SG"
    )

    assert list(Case.objects.visible_to(other_facilitator)) == [own]
    assert list(Case.objects.visible_to(van.facilitator)) == [van.case]
    # The applicant's members see both of its cases.
    assert set(Case.objects.visible_to(owner)) == {van.case, own}
    assert permissions.party_role(other_facilitator, van.case) is None


def test_a_party_of_one_case_cannot_touch_another_case(
    facilitator, owner, enterprise, outsider, other_enterprise
):
    mine = van_case(facilitator, owner, enterprise)
    theirs = services.case_open(
        actor=facilitator, applicant=other_enterprise, title_en="Other van", target_market="SG"
    )
    services.milestone_save(
        actor=facilitator, case=theirs, milestone=None, version=None, title_en="Their step"
    )
    services.issue_raise(actor=outsider, case=theirs, title="Their question")

    assert list(Case.objects.visible_to(owner)) == [mine.case]
    assert list(Case.objects.visible_to(mine.partner)) == [mine.case]
    for person in [owner, mine.partner, mine.certifier]:
        before = rows()
        for write in every_write(theirs, person):
            with pytest.raises(PermissionDenied):
                write()
        assert rows() == before


@pytest.mark.parametrize("who", ["regulator", "observer"])
def test_regulator_contacts_and_observers_read_but_never_write(van, who):
    with_content(van)
    person = getattr(van, who)
    assert permissions.party_role(person, van.case) == (
        CaseParty.Role.REGULATOR if who == "regulator" else CaseParty.Role.OBSERVER
    )
    assert permissions.can_see(person, van.case) is True
    assert permissions.can_write(person, van.case) is False
    before = rows()

    for write in every_write(van.case, person):
        with pytest.raises(PermissionDenied):
            write()

    assert rows() == before


def test_an_outsider_cannot_write_anything(van, outsider):
    with_content(van)
    before = rows()

    for write in every_write(van.case, outsider):
        with pytest.raises(PermissionDenied):
            write()

    assert rows() == before


def test_an_anonymous_person_cannot_write_anything(van):
    with_content(van)
    before = rows()

    for write in every_write(van.case, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            write()

    assert rows() == before


@pytest.mark.parametrize("actor", [None, SYSTEM], ids=["None", "SYSTEM"])
def test_no_actor_is_not_allowed_everything(van, actor):
    """A forgotten `actor` (None) is refused like a stranger; the system acts in cases
    only as the demo person it names, never as itself."""
    with_content(van)
    before = rows()

    for write in every_write(van.case, actor):
        with pytest.raises(PermissionDenied):
            write()
    with pytest.raises(PermissionDenied):
        services.case_open(
            actor=actor, applicant=van.case.applicant, title_en="Nobody's", target_market="SG"
        )

    assert rows() == before


@pytest.mark.parametrize("who", ["applicant", "facilitator", "partner", "certifier"])
def test_the_working_parties_write(van, who):
    person = getattr(van, who)

    milestone = services.milestone_save(
        actor=person, case=van.case, milestone=None, version=None, title_en="Lab test"
    )
    issue = services.issue_raise(actor=person, case=van.case, title="Which lab?")
    services.issue_comment(actor=person, issue=issue, body="TÜV SÜD in Chongqing.")

    assert (milestone.title_en, milestone.version) == ("Lab test", 1)
    assert list(van.case.issues.values_list("title", "comments__body")) == [
        ("Which lab?", "TÜV SÜD in Chongqing.")
    ]


def test_only_the_applicant_and_facilitators_change_the_parties(van):
    organisation = OrganisationFactory(name_en="Late Partner")
    before = rows()

    with pytest.raises(PermissionDenied):
        services.case_add_party(
            actor=van.partner, case=van.case, organisation=organisation, role="partner"
        )

    assert rows() == before
    party = services.case_add_party(
        actor=van.applicant, case=van.case, organisation=organisation, role="partner"
    )
    assert (party.organisation, party.role) == (organisation, "partner")


def test_the_administrator_acts_as_facilitator_in_every_case(van, admin_user):
    assert permissions.party_role(admin_user, van.case) == "facilitator"
    assert permissions.can_transition(admin_user, van.case, "active") is True


def test_a_contact_acts_in_the_role_of_the_party_it_is_contact_for(van, enterprise):
    # The regulator's contact is also a member of the applicant: as a contact, it reads only.
    MembershipFactory(user=van.regulator, organisation=enterprise)
    van.regulator._corridor_memberships = None
    del van.regulator._corridor_memberships

    assert permissions.party_role(van.regulator, van.case) == "regulator"
    assert permissions.can_write(van.regulator, van.case) is False


# --- documents -----------------------------------------------------------------------------


def document(case: Case, shared_with: list[str]) -> CaseDocument:
    return CaseDocument.objects.create(
        case=case, title="Test report", document_type="test_report", shared_with=shared_with
    )


def test_applicant_and_facilitator_see_every_document_others_only_shared_ones(
    van, outsider, admin_user
):
    private = document(van.case, [])
    for_regulator = document(van.case, ["regulator"])
    for_observers = document(van.case, ["observer"])

    def seen(person):
        return [
            permissions.can_see_document(person, d) for d in (private, for_regulator, for_observers)
        ]

    assert seen(van.applicant) == [True, True, True]
    assert seen(van.facilitator) == [True, True, True]
    assert seen(admin_user) == [True, True, True]
    assert seen(van.regulator) == [False, True, False]
    assert seen(van.partner) == [False, False, False]
    assert seen(van.observer) == [False, False, True]
    assert seen(outsider) == [False, False, False]
    assert seen(AnonymousUser()) == [False, False, False]


# --- transitions ---------------------------------------------------------------------------


def test_a_transition_needs_a_person_allowed_by_the_workflow(van):
    Case.objects.filter(pk=van.case.pk).update(status=Case.Status.UNDER_VERIFICATION)
    van.case.refresh_from_db()
    before = rows()

    with pytest.raises(PermissionDenied):
        services.case_transition(
            actor=van.applicant,
            case=van.case,
            to_status="approved",
            reason="We are ready",
            version=van.case.version,
        )
    with pytest.raises(PermissionDenied):
        services.case_transition(
            actor=van.partner,
            case=van.case,
            to_status="rejected",
            reason="Go",
            version=van.case.version,
        )

    assert rows() == before
    assert permissions.transitions_for(van.applicant, van.case) == ["withdrawn"]
    assert permissions.transitions_for(van.facilitator, van.case) == [
        "approved",
        "rejected",
        "withdrawn",
    ]
    assert permissions.transitions_for(van.regulator, van.case) == []
