"""Reads: the "my work" page and the case page, with what each person sees and a number of
queries pinned whatever the amount of data (STYLE.md habit 10)."""

import datetime

import pytest
from django.utils import timezone

from corridor.accounts.models import User
from corridor.cases import queries, services
from corridor.cases.models import Case, CaseDocument, DocumentVersion
from corridor.cases.tests.test_permissions import van_case
from corridor.cases.timeline import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def van(facilitator, owner, enterprise):
    return van_case(facilitator, owner, enterprise)


MY_WORK_QUERIES = 4  # memberships, issues, milestones, cases awaiting action
CASE_PAGE_QUERIES = 9  # memberships, parties, milestones, dependencies, issues, documents,
# versions, events, related cases


def fresh(user) -> User:
    """The user as a new request would load it (nothing cached)."""
    return User.objects.get(pk=user.pk)


def add_document(van, title: str, shared_with: list[str], versions: int = 1) -> CaseDocument:
    document = CaseDocument.objects.create(
        case=van.case, title=title, document_type="test_report", shared_with=shared_with
    )
    for number in range(1, versions + 1):
        DocumentVersion.objects.create(
            document=document,
            number=number,
            file=f"cases/test/{title}-{number}.pdf",
            original_name=f"{title}-{number}.pdf",
            content_type="application/pdf",
            size=1000 + number,
            sha256="0" * 64,
            shared_with=shared_with,  # uploaded by the applicant: shared like the document
            uploaded_by=van.applicant,
        )
        record_event(
            case=van.case,
            actor=van.applicant,
            kind="document_uploaded",
            params={"title": title, "version": number, "file": f"{title}-{number}.pdf"},
            document=document,
        )
    return document


def fill(van, size: int) -> None:
    """`size` milestones in a chain, issues with comments, documents with versions."""
    previous = []
    applicant = van.case.parties.get(role="applicant")
    for n in range(size):
        milestone = services.milestone_save(
            actor=van.facilitator,
            case=van.case,
            milestone=None,
            version=None,
            title_en=f"Step {n}",
            planned_end=datetime.date(2024, 1, 1) + datetime.timedelta(days=30 * n),
            owner=applicant,
            depends_on=previous,
        )
        previous = [milestone]
        issue = services.issue_raise(
            actor=van.applicant,
            case=van.case,
            title=f"Question {n}",
            assigned_to=van.partner,
            due_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=n),
        )
        for k in range(n % 3):
            services.issue_comment(actor=van.partner, issue=issue, body=f"Answer {k}")
        add_document(van, f"Report {n}", ["regulator"] if n % 2 else [], versions=1 + n % 2)


# --- my work -------------------------------------------------------------------------------


def test_my_work_lists_what_waits_for_the_person(van, enterprise):
    applicant = van.case.parties.get(role="applicant")
    today = timezone.localdate()
    late = services.issue_raise(
        actor=van.applicant,
        case=van.case,
        title="Late answer",
        assigned_to=van.partner,
        due_on=today - datetime.timedelta(days=3),
    )
    later = services.issue_raise(
        actor=van.applicant,
        case=van.case,
        title="Later answer",
        assigned_to=van.partner,
        due_on=today + datetime.timedelta(days=3),
    )
    resolved = services.issue_raise(
        actor=van.applicant, case=van.case, title="Done", assigned_to=van.partner
    )
    services.issue_resolve(actor=van.partner, issue=resolved, version=1, resolution="Done")
    second = services.milestone_save(
        actor=van.facilitator,
        case=van.case,
        milestone=None,
        version=None,
        title_en="Second",
        planned_end=today + datetime.timedelta(days=60),
        owner=applicant,
    )
    first = services.milestone_save(
        actor=van.facilitator,
        case=van.case,
        milestone=None,
        version=None,
        title_en="First",
        planned_end=today - datetime.timedelta(days=10),
        owner=applicant,
    )
    services.milestone_save(
        actor=van.facilitator,
        case=van.case,
        milestone=None,
        version=None,
        title_en="Done",
        planned_end=today - datetime.timedelta(days=20),
        actual_end=today - datetime.timedelta(days=21),
        owner=applicant,
    )

    partner_work = queries.my_work(fresh(van.partner))
    applicant_work = queries.my_work(fresh(van.applicant))
    facilitator_work = queries.my_work(fresh(van.facilitator))

    assert partner_work["issues"] == [late, later]
    assert partner_work["overdue_issues"] == [late]
    assert partner_work["issues"][0].is_overdue is True
    assert partner_work["milestones"] == [] and partner_work["awaiting"] == []
    assert applicant_work["milestones"] == [first, second]
    assert applicant_work["milestones"][0].slippage == 10
    assert applicant_work["awaiting"] == [van.case]  # a draft waits for the applicant
    assert facilitator_work["awaiting"] == []
    Case.objects.filter(pk=van.case.pk).update(status="submitted")
    assert queries.my_work(fresh(van.facilitator))["awaiting"] == [van.case]
    assert queries.my_work(fresh(van.applicant))["awaiting"] == []
    assert queries.my_work(fresh(van.regulator))["awaiting"] == []


def test_my_work_shows_nothing_of_other_peoples_cases(van, outsider):
    fill(van, 2)
    assert queries.my_work(fresh(outsider)) == {
        "issues": [],
        "overdue_issues": [],
        "milestones": [],
        "awaiting": [],
    }


@pytest.mark.parametrize("size", [1, 12])
def test_my_work_takes_the_same_number_of_queries_whatever_the_data(
    van, facilitator, owner, enterprise, size, django_assert_num_queries
):
    fill(van, size)
    for n in range(size):
        fill(van_case(facilitator, owner, enterprise, title=f"Van {n}"), 2)

    for person in [van.applicant, van.partner, van.facilitator, van.regulator]:
        person = fresh(person)
        with django_assert_num_queries(MY_WORK_QUERIES):
            work = queries.my_work(person)
            [(i.case.reference, i.is_overdue) for i in work["issues"]]
            [(m.case.reference, m.owner.organisation.name) for m in work["milestones"]]
            [c.applicant.name for c in work["awaiting"]]


# --- the case page -------------------------------------------------------------------------


def test_the_case_page_shows_each_person_what_it_may_see(van):
    fill(van, 3)
    issue = van.case.issues.get(title="Question 2")

    facilitator_page = queries.case_page(fresh(van.facilitator), van.case)
    regulator_page = queries.case_page(fresh(van.regulator), van.case)
    partner_page = queries.case_page(fresh(van.partner), van.case)

    assert (facilitator_page.role, facilitator_page.can_write) == ("facilitator", True)
    assert facilitator_page.transitions == ["active", "withdrawn"]
    assert (regulator_page.role, regulator_page.can_write, regulator_page.transitions) == (
        "regulator",
        False,
        [],
    )
    assert [d.document.title for d in facilitator_page.documents] == [
        "Report 0",
        "Report 1",
        "Report 2",
    ]
    assert [(d.document.title, d.latest.number) for d in regulator_page.documents] == [
        ("Report 1", 2)
    ]
    assert partner_page.documents == []
    document_events = [e for e in partner_page.events if e.kind == "document_uploaded"]
    assert document_events == []
    assert [e.params["title"] for e in regulator_page.events if e.kind == "document_uploaded"] == [
        "Report 1",
        "Report 1",
    ]
    rows = {row.milestone.title_en: row for row in facilitator_page.milestones}
    assert [m.title_en for m in rows["Step 2"].depends_on] == ["Step 1"]
    assert rows["Step 0"].slippage == (timezone.localdate() - datetime.date(2024, 1, 1)).days
    issue_rows = {row.issue.title: row for row in facilitator_page.issues}
    assert (issue_rows["Question 2"].comment_count, issue_rows["Question 2"].is_overdue) == (
        2,
        True,
    )
    assert issue_rows["Question 2"].issue == issue


def test_the_case_page_keeps_the_last_hundred_events(van, settings):
    for n in range(105):
        record_event(
            case=van.case, actor=van.facilitator, kind="issue_commented", params={"title": f"Q{n}"}
        )
    page = queries.case_page(fresh(van.facilitator), van.case)
    assert len(page.events) == 100
    assert page.events[0].params == {"title": "Q104"}


def test_a_regional_case_page_lists_its_enterprise_cases(facilitator, enterprise):
    from corridor.testing.factories import OrganisationFactory

    commission = OrganisationFactory(name_en="Chongqing Commerce Commission", kind="agency")
    region = services.case_open(
        actor=facilitator,
        applicant=commission,
        title_en="Region",
        target_market="SG",
        kind="regional",
    )
    plant = services.case_open(
        actor=facilitator,
        applicant=enterprise,
        title_en="Plant",
        target_market="SG",
        region_case=region,
    )

    assert queries.case_page(fresh(facilitator), region).related_cases == [plant]
    assert queries.case_page(fresh(facilitator), plant).related_cases == [region]


@pytest.mark.parametrize("size", [1, 15])
def test_the_case_page_takes_the_same_number_of_queries_whatever_the_data(
    van, size, django_assert_num_queries
):
    fill(van, size)

    for person in [van.facilitator, van.regulator, van.observer]:
        person = fresh(person)
        case = Case.objects.get(pk=van.case.pk)
        with django_assert_num_queries(CASE_PAGE_QUERIES):
            page = queries.case_page(person, case)
            [(p.organisation.name, p.contact and p.contact.display_name) for p in page.parties]
            [
                (r.milestone.owner and r.milestone.owner.organisation.name, r.depends_on)
                for r in page.milestones
            ]
            [(r.issue.assigned_to and r.issue.assigned_to.display_name) for r in page.issues]
            [(r.latest and r.latest.uploaded_by.display_name) for r in page.documents]
            [(e.actor and e.actor.display_name) for e in page.events]
            [c.applicant.name for c in page.related_cases]


def test_slippage_is_measured_against_the_planned_end():
    from corridor.cases.models import Milestone

    planned = datetime.date(2025, 3, 1)
    today = datetime.date(2025, 3, 11)

    def slippage(**dates):
        return queries.slippage_days(Milestone(planned_end=planned, **dates), today)

    assert slippage(actual_end=datetime.date(2025, 3, 5)) == 4
    assert slippage(actual_end=datetime.date(2025, 2, 20)) == -9
    assert slippage() == 10
    assert queries.slippage_days(Milestone(planned_end=datetime.date(2025, 4, 1)), today) == 0
    assert queries.slippage_days(Milestone(), today) is None
