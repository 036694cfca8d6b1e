"""Case writes through the services: opening (from scratch, from a readiness assessment,
in a region), the lifecycle exactly as workflow.TRANSITIONS says, milestones and issues with
optimistic locking, the timeline, and the e-mails."""

import datetime
import itertools

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from corridor.accounts.models import Membership
from corridor.cases import events_text, services, workflow
from corridor.cases.models import Case, CaseEvent, CaseIssue, CaseParty, CaseTransition, Milestone
from corridor.cases.tests.test_permissions import member_of, rows, van_case
from corridor.core.models import AuditEntry
from corridor.standards import services as standards_services
from corridor.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PORK = {
    "product_name": "Canned luncheon pork",
    "hs_code": "160249",
    "origin": "CN",
    "destination": "SG",
    "attributes": {"meat_species": "pork", "processing_form": "canned"},
    "held": [],
}


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def van(facilitator, owner, enterprise):
    return van_case(facilitator, owner, enterprise)


def error_of(excinfo, field: str) -> list[str]:
    return excinfo.value.message_dict[field]


# --- opening -------------------------------------------------------------------------------


def test_open_a_case_from_scratch(facilitator, administration, enterprise):
    case = services.case_open(
        actor=facilitator,
        applicant=enterprise,
        title_en=" EQ2 electric van to Singapore ",
        title_zh="EQ2电动货车出口新加坡",
        target_market="sg",
        product_name="EQ2 electric van",
        hs_code="8704.60",
    )

    year = timezone.localdate().year
    assert case.reference == f"CASE-{year}-0001"
    assert (case.title_en, case.target_market, case.hs_code, case.status, case.kind) == (
        "EQ2 electric van to Singapore",
        "SG",
        "870460",
        "draft",
        "enterprise",
    )
    assert list(case.parties.order_by("role").values_list("organisation", "role", "contact")) == [
        (enterprise.pk, "applicant", None),
        (administration.pk, "facilitator", facilitator.pk),
    ]
    assert list(case.events.values_list("kind", "params")) == [
        (
            "case_opened",
            {
                "reference": case.reference,
                "title": "EQ2 electric van to Singapore",
                "title_zh": "EQ2电动货车出口新加坡",
                "from_assessment": False,
            },
        )
    ]
    assert AuditEntry.objects.filter(action="create", target_id=str(case.pk)).count() == 1
    second = services.case_open(
        actor=facilitator, applicant=enterprise, title_en="Second", target_market="SG"
    )
    assert second.reference == f"CASE-{year}-0002"


def test_a_member_opens_a_case_for_its_own_organisation_only(owner, enterprise, other_enterprise):
    case = services.case_open(actor=owner, applicant=enterprise, title_en="Van", target_market="SG")
    assert list(case.parties.values_list("organisation", "role")) == [(enterprise.pk, "applicant")]

    with pytest.raises(PermissionDenied):
        services.case_open(
            actor=owner, applicant=other_enterprise, title_en="Not mine", target_market="SG"
        )
    assert Case.objects.count() == 1


def test_opening_with_bad_input_names_each_field_and_saves_nothing(facilitator, enterprise):
    with pytest.raises(ValidationError) as excinfo:
        services.case_open(
            actor=facilitator,
            applicant=enterprise,
            title_en=" ",
            target_market="XX",
            hs_code="16a2",
            kind="national",
        )

    assert excinfo.value.message_dict == {
        "title_en": ["Give the case a title in English or Chinese."],
        "target_market": [
            "“XX” is not an ISO 3166 country code; give the target market as a two-letter "
            "code such as SG."
        ],
        "hs_code": ["“16a2” is not an HS code; give 2 to 10 digits, for example 160249."],
        "kind": ["“national” is not a kind of case; use one of: enterprise, regional."],
    }
    assert (Case.objects.count(), CaseParty.objects.count(), CaseEvent.objects.count()) == (0, 0, 0)


def test_opening_from_the_canned_pork_assessment_turns_its_roadmap_into_milestones(
    facilitator, owner, enterprise
):
    assessment = standards_services.assessment_create(actor=owner, organisation=enterprise, **PORK)

    case = services.case_open(
        actor=facilitator,
        applicant=enterprise,
        title_en="Canned pork to Singapore",
        target_market="SG",
        assessment=assessment,
        start_on=datetime.date(2024, 9, 1),
    )

    applicant = case.parties.get(role="applicant")
    milestones = list(case.milestones.order_by("position"))
    d = datetime.date
    assert [
        (m.position, m.requirement_key, m.planned_start, m.planned_end, m.owner_id)
        for m in milestones
    ] == [
        (1, "sg-sfa-region-accreditation", d(2024, 9, 1), d(2024, 12, 30), applicant.pk),
        (2, "sg-sfa-establishment-approval", d(2024, 12, 30), d(2025, 2, 28), applicant.pk),
        (3, "sg-sfa-health-certificate", d(2025, 2, 28), d(2025, 3, 3), applicant.pk),
        (4, "sg-sfa-import-licence", d(2024, 9, 1), d(2024, 9, 6), applicant.pk),
        (5, "sg-sfa-labelling", d(2025, 2, 28), d(2025, 3, 7), applicant.pk),
        (6, "sg-sfa-no-other-beta-agonists", d(2024, 9, 1), d(2024, 9, 8), applicant.pk),
        (7, "sg-sfa-ractopamine-mrl", d(2024, 9, 1), d(2024, 9, 8), applicant.pk),
        (8, "sg-sfa-tradenet-permit", d(2025, 3, 3), d(2025, 3, 4), applicant.pk),
    ]
    depends = {
        m.requirement_key: sorted(m.depends_on.values_list("requirement_key", flat=True))
        for m in milestones
    }
    assert depends == {
        "sg-sfa-region-accreditation": [],
        "sg-sfa-establishment-approval": ["sg-sfa-region-accreditation"],
        "sg-sfa-health-certificate": ["sg-sfa-establishment-approval"],
        "sg-sfa-import-licence": [],
        "sg-sfa-tradenet-permit": ["sg-sfa-health-certificate", "sg-sfa-import-licence"],
        "sg-sfa-labelling": ["sg-sfa-establishment-approval"],
        "sg-sfa-no-other-beta-agonists": [],
        "sg-sfa-ractopamine-mrl": [],
    }
    assert milestones[0].title_en == (
        "SFA accreditation of the exporting country or region, for processed meat products"
    )
    assert milestones[0].title_zh == "新加坡食品局对出口国家或地区的准入认可（加工肉制品）"
    assert (case.assessment, case.product_name, case.hs_code) == (
        assessment,
        "Canned luncheon pork",
        "160249",
    )
    assert case.events.get().params["from_assessment"] is True


def test_an_assessment_of_another_organisation_is_refused(
    facilitator, owner, enterprise, other_enterprise
):
    assessment = standards_services.assessment_create(actor=owner, organisation=enterprise, **PORK)

    with pytest.raises(ValidationError) as excinfo:
        services.case_open(
            actor=facilitator,
            applicant=other_enterprise,
            title_en="Pork",
            target_market="SG",
            assessment=assessment,
        )

    assert error_of(excinfo, "assessment") == [
        "This readiness assessment was made for another organisation; choose one made for "
        "the applicant."
    ]
    assert (Case.objects.count(), Milestone.objects.count()) == (0, 0)


def test_a_regional_case_groups_the_enterprise_cases_of_its_plants(
    facilitator, enterprise, other_enterprise
):
    commission = OrganisationFactory(name_en="Chongqing Commerce Commission", kind="agency")
    region = services.case_open(
        actor=facilitator,
        applicant=commission,
        title_en="Chongqing meat: accreditation of the region",
        target_market="SG",
        kind="regional",
    )

    plants = [
        services.case_open(
            actor=facilitator,
            applicant=plant,
            title_en=f"Plant {n}",
            target_market="SG",
            region_case=region,
        )
        for n, plant in enumerate([enterprise, other_enterprise], start=1)
    ]

    assert list(region.enterprise_cases.order_by("reference")) == plants
    assert [e.params["title"] for e in region.events.filter(kind="enterprise_case_added")] == [
        "Plant 2",
        "Plant 1",
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.case_open(
            actor=facilitator,
            applicant=enterprise,
            title_en="Plant in a plant",
            target_market="SG",
            region_case=plants[0],
        )
    assert error_of(excinfo, "region_case") == [
        f"Case {plants[0].reference} is not a regional case; choose a regional case."
    ]
    assert Case.objects.count() == 3


def test_only_a_party_of_the_region_opens_a_case_in_it(facilitator, owner, enterprise):
    commission = OrganisationFactory(name_en="Chongqing Commerce Commission", kind="agency")
    region = services.case_open(
        actor=facilitator,
        applicant=commission,
        title_en="Region",
        target_market="SG",
        kind="regional",
    )

    with pytest.raises(ValidationError) as excinfo:
        services.case_open(
            actor=owner,
            applicant=enterprise,
            title_en="Plant",
            target_market="SG",
            region_case=region,
        )

    assert error_of(excinfo, "region_case") == [
        f"You do not take part in case {region.reference}; choose a regional case you take part in."
    ]
    assert Case.objects.count() == 1


@pytest.mark.parametrize("role", ["regulator", "observer"])
def test_a_reader_of_the_region_cannot_add_its_own_case_to_it(facilitator, role):
    """A regulator contact or observer of a regional case reads it; opening a case of its
    own organisation inside it would write to the region's timeline and list."""
    commission = OrganisationFactory(name_en="Chongqing Commerce Commission", kind="agency")
    region = services.case_open(
        actor=facilitator,
        applicant=commission,
        title_en="Region",
        target_market="SG",
        kind="regional",
    )
    reader_org = OrganisationFactory(name_en="Reader Org")
    reader = member_of(reader_org, "reader")
    services.case_add_party(actor=facilitator, case=region, organisation=reader_org, role=role)
    before = rows()

    with pytest.raises(ValidationError) as excinfo:
        services.case_open(
            actor=reader,
            applicant=reader_org,
            title_en="My own plant",
            target_market="SG",
            region_case=region,
        )

    assert error_of(excinfo, "region_case") == [
        f"You can only read case {region.reference}, so you cannot add a case to it; ask its "
        "applicant or facilitator."
    ]
    assert rows() == before


# --- parties -------------------------------------------------------------------------------


def test_add_and_remove_a_party(van):
    distributor = OrganisationFactory(name_en="Lion City Vans", name_zh="狮城货车")
    contact = member_of(distributor, "lee")

    party = services.case_add_party(
        actor=van.applicant,
        case=van.case,
        organisation=distributor,
        role="partner",
        contact=contact,
    )
    assert list(Case.objects.visible_to(contact)) == [van.case]

    services.case_remove_party(actor=van.facilitator, party=party)

    assert list(Case.objects.visible_to(contact)) == []
    assert [e.kind for e in van.case.events.order_by("-at", "-id")[:2]] == [
        "party_removed",
        "party_added",
    ]


def test_a_party_is_added_once_and_its_contact_is_one_of_its_members(van, outsider, enterprise):
    distributor = OrganisationFactory(name_en="Lion City Vans")
    before = rows()

    with pytest.raises(ValidationError) as excinfo:
        services.case_add_party(
            actor=van.facilitator, case=van.case, organisation=enterprise, role="partner"
        )
    assert error_of(excinfo, "organisation") == [
        "Qingling Motors already takes part in this case; remove it first to change its role."
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.case_add_party(
            actor=van.facilitator,
            case=van.case,
            organisation=distributor,
            role="partner",
            contact=outsider,
        )
    assert error_of(excinfo, "contact") == [
        "Oscar Outsider is not a member of Lion City Vans; choose one of its members as contact."
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.case_remove_party(
            actor=van.facilitator, party=van.case.parties.get(role="applicant")
        )
    assert error_of(excinfo, "party") == ["The applicant cannot be removed from its own case."]
    assert rows() == before


# --- the lifecycle -------------------------------------------------------------------------

STATUSES = list(Case.Status.values)
ROLES = {
    "applicant": "applicant",
    "facilitator": "facilitator",
    "partner": "partner",
    "certifier": "certification_body",
    "regulator": "regulator",
    "observer": "observer",
}


@pytest.mark.parametrize(("from_status", "to_status"), list(itertools.product(STATUSES, STATUSES)))
def test_transitions_are_exactly_those_of_the_workflow(van, from_status, to_status):
    allowed_roles = workflow.TRANSITIONS[from_status].get(to_status, frozenset())
    for who, role in ROLES.items():
        Case.objects.filter(pk=van.case.pk).update(status=from_status)
        CaseTransition.objects.all().delete()
        case = Case.objects.get(pk=van.case.pk)
        person = getattr(van, who)

        if role in allowed_roles:
            moved = services.case_transition(
                actor=person,
                case=case,
                to_status=to_status,
                reason="Per the plan",
                version=case.version,
            )
            assert Case.objects.get(pk=case.pk).status == to_status == moved.status
            assert list(CaseTransition.objects.values_list("from_status", "to_status", "by")) == [
                (from_status, to_status, person.pk)
            ]
            continue
        expected = PermissionDenied
        if to_status not in workflow.TRANSITIONS[from_status] and role not in (
            "regulator",
            "observer",
        ):
            expected = ValidationError
        with pytest.raises(expected):
            services.case_transition(
                actor=person,
                case=case,
                to_status=to_status,
                reason="Per the plan",
                version=case.version,
            )
        assert Case.objects.get(pk=case.pk).status == from_status
        assert CaseTransition.objects.count() == 0


def test_the_workflow_is_the_one_agreed():
    assert workflow.describe().splitlines() == [
        "draft -> active: applicant, facilitator",
        "draft -> withdrawn: applicant, facilitator",
        "active -> submitted: applicant, facilitator",
        "active -> withdrawn: applicant, facilitator",
        "submitted -> under_verification: facilitator",
        "submitted -> rejected: facilitator",
        "submitted -> withdrawn: applicant, facilitator",
        "under_verification -> approved: facilitator",
        "under_verification -> rejected: facilitator",
        "under_verification -> withdrawn: applicant, facilitator",
        "rejected -> active: applicant, facilitator",
        "approved -> (final)",
        "withdrawn -> (final)",
    ]


def test_every_transition_needs_a_reason(van):
    before = rows()

    with pytest.raises(ValidationError) as excinfo:
        services.case_transition(
            actor=van.facilitator, case=van.case, to_status="active", reason="  ", version=1
        )

    assert error_of(excinfo, "reason") == ["Give the reason for this change of status."]
    assert rows() == before


def test_a_refused_move_says_where_the_case_can_go(van):
    with pytest.raises(ValidationError) as excinfo:
        services.case_transition(
            actor=van.facilitator,
            case=van.case,
            to_status="approved",
            reason="Skip ahead",
            version=van.case.version,
        )
    assert error_of(excinfo, "to_status") == [
        "A case that is draft cannot become approved; it can become: active, withdrawn."
    ]


def test_a_rejected_case_is_reopened_and_walks_to_approval(van):
    steps = [
        (van.applicant, "active", "Cooperation starts (March 2024)"),
        (van.applicant, "submitted", "Application filed with the authority"),
        (van.facilitator, "rejected", "Brake test report missing"),
        (van.applicant, "active", "Reopened: brake test booked"),
        (van.facilitator, "submitted", "Resubmitted with the brake test"),
        (van.facilitator, "under_verification", "The authority is inspecting"),
        (van.facilitator, "approved", "Approved"),
    ]
    for person, status, reason in steps:
        case = Case.objects.get(pk=van.case.pk)
        services.case_transition(
            actor=person, case=case, to_status=status, reason=reason, version=case.version
        )

    van.case.refresh_from_db()
    assert van.case.status == "approved"
    assert list(van.case.transitions.values_list("from_status", "to_status", "reason")) == [
        ("draft", "active", "Cooperation starts (March 2024)"),
        ("active", "submitted", "Application filed with the authority"),
        ("submitted", "rejected", "Brake test report missing"),
        ("rejected", "active", "Reopened: brake test booked"),
        ("active", "submitted", "Resubmitted with the brake test"),
        ("submitted", "under_verification", "The authority is inspecting"),
        ("under_verification", "approved", "Approved"),
    ]
    event = van.case.events.filter(kind="case_transitioned").first()
    assert events_text.event_text(event) == (
        "Fay Facilitator moved the case from under verification to approved. Reason: Approved"
    )
    with translation.override("zh-hans"):
        assert events_text.event_text(event).startswith("协调员")


# --- milestones ----------------------------------------------------------------------------


def test_add_and_change_a_milestone(van):
    lab = services.milestone_save(
        actor=van.facilitator, case=van.case, milestone=None, version=None, title_en="Lab test"
    )
    applicant = van.case.parties.get(role="applicant")

    approval = services.milestone_save(
        actor=van.partner,
        case=van.case,
        milestone=None,
        version=None,
        title_en="EU type approval",
        title_zh="欧盟型式认证",
        planned_start=datetime.date(2024, 3, 1),
        planned_end=datetime.date(2025, 9, 1),
        owner=applicant,
        depends_on=[lab],
        dates_approximate=True,
    )
    changed = services.milestone_save(
        actor=van.applicant,
        case=van.case,
        milestone=approval,
        version=1,
        title_en="EU type approval",
        title_zh="欧盟型式认证",
        planned_start=datetime.date(2024, 3, 1),
        planned_end=datetime.date(2025, 9, 1),
        actual_start=datetime.date(2024, 3, 15),
        actual_end=datetime.date(2025, 9, 20),
        owner=applicant,
        depends_on=[lab],
        dates_approximate=True,
    )

    stored = Milestone.objects.get(pk=approval.pk)
    assert (stored.position, stored.version, stored.actual_end, stored.owner) == (
        2,
        2,
        datetime.date(2025, 9, 20),
        applicant,
    )
    assert list(stored.depends_on.all()) == [lab]
    assert changed.version == 2
    assert [e.kind for e in van.case.events.order_by("-at", "-id")[:3]] == [
        "milestone_completed",
        "milestone_added",
        "milestone_added",
    ]


def test_a_stale_milestone_edit_is_refused_and_the_first_change_is_kept(van):
    milestone = services.milestone_save(
        actor=van.facilitator, case=van.case, milestone=None, version=None, title_en="Lab test"
    )
    # Both open the milestone at version 1.
    seen_by_applicant = Milestone.objects.get(pk=milestone.pk)
    seen_by_partner = Milestone.objects.get(pk=milestone.pk)

    services.milestone_save(
        actor=van.applicant,
        case=van.case,
        milestone=seen_by_applicant,
        version=seen_by_applicant.version,
        title_en="Lab test at TÜV SÜD",
        planned_end=datetime.date(2024, 6, 30),
    )
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        services.milestone_save(
            actor=van.partner,
            case=van.case,
            milestone=seen_by_partner,
            version=seen_by_partner.version,
            title_en="Lab test in Singapore",
        )

    assert error_of(excinfo, "version") == [
        "Someone else changed this milestone since you opened it; reload the page to see "
        "their change, then make yours again."
    ]
    assert rows() == before
    stored = Milestone.objects.get(pk=milestone.pk)
    assert (stored.title_en, stored.planned_end, stored.version) == (
        "Lab test at TÜV SÜD",
        datetime.date(2024, 6, 30),
        2,
    )


def test_milestone_dependencies_stay_in_the_case_and_never_loop(
    van, facilitator, owner, enterprise
):
    def add(title, depends_on=()):
        return services.milestone_save(
            actor=van.facilitator,
            case=van.case,
            milestone=None,
            version=None,
            title_en=title,
            depends_on=list(depends_on),
        )

    first = add("Design")
    second = add("Test", [first])
    third = add("Certify", [second])
    other = van_case(facilitator, owner, enterprise, title="Another van")
    elsewhere = services.milestone_save(
        actor=facilitator, case=other.case, milestone=None, version=None, title_en="Elsewhere"
    )
    before = rows()

    def change(milestone, depends_on):
        return services.milestone_save(
            actor=van.facilitator,
            case=van.case,
            milestone=milestone,
            version=milestone.version,
            title_en=milestone.title_en,
            depends_on=depends_on,
        )

    with pytest.raises(ValidationError) as excinfo:
        change(first, [third])
    assert error_of(excinfo, "depends_on") == [
        "These dependencies would make a loop (a milestone waiting, through others, for "
        "itself); remove one of them."
    ]
    with pytest.raises(ValidationError) as excinfo:
        change(first, [first])
    assert error_of(excinfo, "depends_on") == [
        "A milestone cannot depend on itself; remove it from the list."
    ]
    with pytest.raises(ValidationError) as excinfo:
        change(first, [elsewhere])
    assert error_of(excinfo, "depends_on") == [
        "A milestone can only depend on milestones of the same case; remove the others."
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.milestone_save(
            actor=van.facilitator,
            case=van.case,
            milestone=None,
            version=None,
            title_en="Owned elsewhere",
            owner=other.case.parties.get(role="applicant"),
        )
    assert error_of(excinfo, "owner") == [
        "The owner must be a party of this case; choose one of its parties."
    ]
    with pytest.raises(PermissionDenied):
        services.milestone_save(
            actor=van.facilitator,
            case=van.case,
            milestone=elsewhere,
            version=elsewhere.version,
            title_en="Moved",
        )
    assert rows() == before


def test_milestone_dates_must_make_sense(van):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as excinfo:
        services.milestone_save(
            actor=van.facilitator,
            case=van.case,
            milestone=None,
            version=None,
            title_en="",
            planned_start=datetime.date(2024, 5, 1),
            planned_end=datetime.date(2024, 4, 1),
            actual_end=today + datetime.timedelta(days=1),
        )
    assert excinfo.value.message_dict == {
        "title_en": ["Give the milestone a title in English or Chinese."],
        "planned_end": [
            "The planned end is before the planned start; give an end on or after the start."
        ],
        "actual_end": [
            "The actual end cannot be in the future; leave it empty until the milestone is done."
        ],
    }
    assert Milestone.objects.count() == 0


# --- issues --------------------------------------------------------------------------------


def test_raise_assign_comment_resolve_and_reopen_an_issue(van):
    issue = services.issue_raise(
        actor=van.applicant,
        case=van.case,
        title="Which brake test does LTA accept?",
        assigned_to=van.partner,
        due_on=datetime.date(2024, 5, 1),
    )
    services.issue_comment(actor=van.partner, issue=issue, body="The EU R13 report.")
    issue = services.issue_update(
        actor=van.facilitator, issue=issue, version=1, assigned_to=van.certifier
    )
    issue = services.issue_resolve(
        actor=van.certifier, issue=issue, version=2, resolution="EU R13 report accepted."
    )
    assert (issue.status, issue.resolution, issue.version) == (
        "resolved",
        "EU R13 report accepted.",
        3,
    )
    issue = services.issue_reopen(actor=van.applicant, issue=issue, version=3)

    stored = CaseIssue.objects.get(pk=issue.pk)
    assert (stored.status, stored.assigned_to, stored.version, stored.resolved_at) == (
        "open",
        van.certifier,
        4,
        None,
    )
    assert list(stored.comments.values_list("body", "author")) == [
        ("The EU R13 report.", van.partner.pk)
    ]
    kinds = list(van.case.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds[-6:] == [
        "issue_raised",
        "issue_assigned",
        "issue_commented",
        "issue_assigned",
        "issue_resolved",
        "issue_reopened",
    ]


def test_a_stale_issue_edit_is_refused_and_the_first_change_is_kept(van):
    issue = services.issue_raise(actor=van.applicant, case=van.case, title="Lab?")
    seen_by_applicant = CaseIssue.objects.get(pk=issue.pk)
    seen_by_partner = CaseIssue.objects.get(pk=issue.pk)

    services.issue_update(
        actor=van.applicant,
        issue=seen_by_applicant,
        version=seen_by_applicant.version,
        title="Which lab for the brake test?",
    )
    before = rows()
    for stale in [
        lambda: services.issue_update(
            actor=van.partner, issue=seen_by_partner, version=seen_by_partner.version, title="X"
        ),
        lambda: services.issue_resolve(
            actor=van.partner,
            issue=seen_by_partner,
            version=seen_by_partner.version,
            resolution="Done",
        ),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            stale()
        assert error_of(excinfo, "version") == [
            "Someone else changed this issue since you opened it; reload the page to see "
            "their change, then make yours again."
        ]
    assert rows() == before
    assert CaseIssue.objects.get(pk=issue.pk).title == "Which lab for the brake test?"


def test_an_issue_is_assigned_only_to_someone_in_the_case(van, outsider):
    before = rows()
    with pytest.raises(ValidationError) as excinfo:
        services.issue_raise(actor=van.applicant, case=van.case, title="Q", assigned_to=outsider)
    assert error_of(excinfo, "assigned_to") == [
        "Oscar Outsider does not take part in this case; assign the issue to someone who does."
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.issue_raise(actor=van.applicant, case=van.case, title=" ")
    assert error_of(excinfo, "title") == ["Give the issue a title that says what the problem is."]
    assert rows() == before


# --- e-mails -------------------------------------------------------------------------------


def test_the_assignee_gets_an_email(
    van, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issue = services.issue_raise(
            actor=van.applicant,
            case=van.case,
            title="Which brake test does LTA accept?",
            assigned_to=van.partner,
            due_on=datetime.date(2024, 5, 1),
        )

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [van.partner.email]
    assert mail.subject == (
        f"[{van.case.reference}] Issue assigned to you: Which brake test does LTA accept?"
    )
    assert (
        f"The issue “Which brake test does LTA accept?” in the case {van.case.reference} "
        "“EQ2 electric van to Singapore” is assigned to you." in mail.body
    )
    assert "It is due on 2024-05-01." in mail.body
    assert f"Open the case: {settings.SITE_URL}/cases/{van.case.pk}/" in mail.body
    assert issue.assigned_to == van.partner


def test_nobody_is_emailed_when_the_write_is_refused(
    van, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(PermissionDenied):
            services.issue_raise(
                actor=van.regulator, case=van.case, title="Q", assigned_to=van.partner
            )
    assert mailoutbox == []


def test_everyone_in_the_case_hears_of_a_transition_but_not_the_mover(
    van, colleague, administration, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    # Another facilitator of the administration is not in the case and hears nothing.
    member_of(administration, "felix", role=Membership.Role.FACILITATOR)

    with django_capture_on_commit_callbacks(execute=True):
        services.case_transition(
            actor=van.facilitator,
            case=van.case,
            to_status="active",
            reason="Cooperation starts",
            version=van.case.version,
        )

    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        u.email
        for u in [
            van.applicant,
            colleague,
            van.partner,
            van.certifier,
            van.regulator,
            van.observer,
        ]
    )
    mail = mailoutbox[0]
    assert mail.subject == f"[{van.case.reference}] The case is now active"
    assert (
        f"Fay Facilitator moved the case {van.case.reference} “EQ2 electric van to Singapore” "
        "from draft to active." in mail.body
    )
    assert "Reason: Cooperation starts" in mail.body


def test_the_overdue_command_emails_assignees_and_milestone_owners(
    van, colleague, immediate_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    today = datetime.date(2025, 3, 1)
    services.issue_raise(
        actor=van.applicant,
        case=van.case,
        title="Late answer",
        assigned_to=van.partner,
        due_on=datetime.date(2025, 2, 20),
    )
    services.issue_raise(
        actor=van.applicant,
        case=van.case,
        title="Not yet due",
        assigned_to=van.partner,
        due_on=datetime.date(2025, 3, 1),
    )
    resolved = services.issue_raise(
        actor=van.applicant,
        case=van.case,
        title="Done already",
        assigned_to=van.partner,
        due_on=datetime.date(2025, 1, 1),
    )
    services.issue_resolve(actor=van.partner, issue=resolved, version=1, resolution="Done")
    services.milestone_save(
        actor=van.facilitator,
        case=van.case,
        milestone=None,
        version=None,
        title_en="Brake test",
        planned_end=datetime.date(2025, 2, 1),
        owner=van.case.parties.get(role="applicant"),
    )
    mailoutbox.clear()

    call_command("cases_notify_overdue", "--date", today.isoformat(), stdout=open("/dev/null", "w"))

    by_person = {m.to[0]: m for m in mailoutbox}
    assert sorted(by_person) == sorted([van.partner.email, van.applicant.email, colleague.email])
    partner_mail = by_person[van.partner.email].body
    assert (
        f"- [{van.case.reference}] “Late answer”, due on 2025-02-20 (9 days late)" in partner_mail
    )
    assert "Not yet due" not in partner_mail and "Done already" not in partner_mail
    assert (
        f"- [{van.case.reference}] “Brake test”, planned to end on 2025-02-01 (28 days late)"
        in by_person[van.applicant.email].body
    )
    assert by_person[van.applicant.email].subject == "Corridor: 1 overdue item in your cases"


# --- the timeline in words -----------------------------------------------------------------


def test_every_event_kind_reads_as_a_sentence_in_both_languages(van):
    case = van.case
    d = datetime.date
    milestone = services.milestone_save(
        actor=van.facilitator,
        case=case,
        milestone=None,
        version=None,
        title_en="Brake test",
        title_zh="制动试验",
    )
    services.milestone_save(
        actor=van.facilitator,
        case=case,
        milestone=milestone,
        version=1,
        title_en="Brake test",
        title_zh="制动试验",
        planned_end=d(2024, 6, 1),
    )
    services.milestone_save(
        actor=van.facilitator,
        case=case,
        milestone=milestone,
        version=2,
        title_en="Brake test",
        title_zh="制动试验",
        planned_end=d(2024, 6, 1),
        actual_end=d(2024, 6, 3),
    )
    issue = services.issue_raise(
        actor=van.applicant, case=case, title="Lab?", assigned_to=van.partner
    )
    services.issue_update(actor=van.applicant, issue=issue, version=1, due_on=d(2024, 5, 1))
    services.issue_comment(actor=van.partner, issue=issue, body="TÜV")
    services.issue_resolve(actor=van.partner, issue=issue, version=2, resolution="TÜV SÜD.")
    services.issue_reopen(actor=van.applicant, issue=issue, version=3)
    services.case_remove_party(actor=van.facilitator, party=case.parties.get(role="observer"))
    services.case_transition(
        actor=van.applicant, case=case, to_status="active", reason="Go", version=case.version
    )
    from corridor.cases.timeline import record_event

    record_event(
        case=case,
        actor=van.applicant,
        kind="document_uploaded",
        params={"title": "EU R13 report", "version": 2, "file": "r13.pdf"},
    )
    record_event(
        case=case,
        actor=van.applicant,
        kind="document_shared",
        params={"title": "EU R13 report", "roles": ["regulator", "partner"]},
    )
    record_event(
        case=case,
        actor=None,
        kind="document_shared",
        params={"title": "EU R13 report", "roles": []},
    )

    events = list(case.events.select_related("actor").order_by("at", "id"))
    english = [events_text.event_text(e) for e in events]
    with translation.override("zh-hans"):
        chinese = [events_text.event_text(e) for e in events]

    reference, n = case.reference, case.pk
    assert english == [
        f"Fay Facilitator opened the case {reference} “EQ2 electric van to Singapore”.",
        f"Fay Facilitator added Partner Org {n} as local partner, with Partner{n} as contact.",
        f"Fay Facilitator added Certifier Org {n} as certification body, with Certifier{n} "
        "as contact.",
        f"Fay Facilitator added Regulator Org {n} as regulator contact, with Regulator{n} "
        "as contact.",
        f"Fay Facilitator added Observer Org {n} as observer, with Observer{n} as contact.",
        "Fay Facilitator added the milestone “Brake test”.",
        "Fay Facilitator changed the milestone “Brake test” (planned end).",
        "Fay Facilitator marked the milestone “Brake test” as done on 2024-06-03.",
        "Olivia Owner raised the issue “Lab?”.",
        f"Olivia Owner assigned the issue “Lab?” to {van.partner.display_name}.",
        "Olivia Owner changed the issue “Lab?” (due on).",
        f"{van.partner.display_name} commented on the issue “Lab?”.",
        f"{van.partner.display_name} resolved the issue “Lab?”: TÜV SÜD.",
        "Olivia Owner reopened the issue “Lab?”.",
        f"Fay Facilitator removed Observer Org {n} (observer) from the case.",
        "Olivia Owner moved the case from draft to active. Reason: Go",
        "Olivia Owner uploaded version 2 of the document “EU R13 report” (r13.pdf).",
        "Olivia Owner shared the document “EU R13 report” with: regulator contact, local partner.",
        "Corridor made the document “EU R13 report” visible only to the applicant and the "
        "facilitators.",
    ]
    assert "协调员" in chinese[0] and "EQ2电动货车出口新加坡" in chinese[0]
    assert "制动试验" in chinese[5]
    assert all("cannot describe" not in text for text in english)
    assert events_text.render("something_new", {}, None) == (
        "Corridor did something this version of Corridor cannot describe (something_new)."
    )
