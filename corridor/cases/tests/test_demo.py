"""The case demo tells the van and the Chongqing meat journeys, gives every demo person the
cases they should see (and no more), and loads idempotently."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from corridor.accounts.models import Membership, Organisation, User
from corridor.cases import permissions, queries, services
from corridor.cases.demo import (
    ASIACITY,
    CQAPG_TITLE,
    CQWORLD,
    DEJIA_TITLE,
    REGION_TITLE,
    VAN_TITLE,
    cases_demo_counts,
)
from corridor.cases.documents.services import document_share
from corridor.cases.models import Case, CaseDocument, CaseIssue, DocumentVersion

SYNTHETIC_DRAFT = "[Synthetic] Qingling light truck for Singapore (draft)"
SYNTHETIC_ACTIVE = "[Synthetic] Qingling refrigerated van for Singapore"
SYNTHETIC_REOPENED = "[Synthetic] Hilltop Foods canned beef for Singapore"
SYNTHETIC_SUBMITTED = "[Synthetic] Qingling electric pickup for Singapore (submitted)"


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", verbosity=0)
    call_command("load_standards_demo", verbosity=0)
    call_command("load_cases_demo", verbosity=0)


def person(username: str) -> User:
    return User.objects.get(username=username)


def titles(cases) -> set[str]:
    return {case.title_en for case in cases}


def everything() -> dict[str, int]:
    return {
        **cases_demo_counts(),
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "document versions": DocumentVersion.objects.count(),
    }


@pytest.mark.django_db
def test_the_case_demo_without_the_other_demos_says_what_to_run_and_writes_nothing():
    with pytest.raises(CommandError) as refused:
        call_command("load_cases_demo", verbosity=0)
    assert "python manage.py load_demo" in str(refused.value)
    assert (Case.objects.count(), Organisation.objects.count(), User.objects.count()) == (0, 0, 0)


def test_loading_the_case_demo_twice_changes_nothing(demo):
    before = everything()
    call_command("load_cases_demo", verbosity=0)
    assert everything() == before
    assert {key: before[key] for key in ("cases", "synthetic cases", "documents", "issues")} == {
        "cases": 8,
        "synthetic cases": 4,
        "documents": 1,
        "issues": 4,
    }


def test_the_van_case_is_approved_with_its_parties_roles_and_history(demo):
    van = Case.objects.get(title_en=VAN_TITLE)
    assert (van.status, van.target_market, van.hs_code) == ("approved", "SG", "870460")
    assert van.assessment.organisation.name_en == "Qingling Motors"
    assert {
        (p.organisation.name_en, p.role, p.contact.username if p.contact else None)
        for p in van.parties.all()
    } == {
        ("Qingling Motors", "applicant", None),
        ("Chongqing Municipal CCI Administration Bureau", "facilitator", "facilitator"),
        ("Chongqing Nuoxin", "partner", None),
        ("Motorway Group", "partner", "motorway"),
        ("Land Transport Authority", "regulator", "regulator"),
        ("[Synthetic] Singapore–Chongqing Business Observers", "observer", "observer"),
    }
    assert [
        (t.from_status, t.to_status, t.at.date()) for t in van.transitions.order_by("at", "id")
    ] == [
        ("draft", "active", date(2024, 3, 1)),
        ("active", "submitted", date(2025, 9, 10)),
        ("submitted", "under_verification", date(2025, 10, 1)),
        ("under_verification", "approved", date(2025, 11, 30)),
    ]
    assert ASIACITY in van.description_en and "unconfirmed" in van.description_en
    eu = van.milestones.get(title_en__startswith="EU whole-vehicle type approval")
    assert (eu.actual_start, eu.actual_end, eu.dates_approximate) == (
        date(2024, 3, 1),
        date(2025, 9, 1),
        True,
    )
    assert "unconfirmed" in eu.title_en
    shipped = van.milestones.get(title_en="First EQ2 vans shipped to Singapore")
    assert (shipped.actual_end, shipped.dates_approximate) == (date(2025, 11, 30), True)
    assert not van.milestones.filter(actual_end=None).exists()
    issues = list(van.issues.order_by("id"))
    assert [(i.status, i.title.startswith("[Synthetic] "), i.comments.count()) for i in issues] == [
        ("resolved", True, 1),
        ("resolved", True, 1),
    ]
    document = van.documents.get()
    assert document.title.startswith("[Synthetic] ")
    assert document.shared_with == ["partner", "regulator"]
    version = document.versions.get()
    assert version.original_name == "synthetic-eu-type-approval-summary.txt"
    assert version.file.read().startswith(b"[Synthetic] Illustrative demo document")


def test_the_regional_meat_case_groups_two_approved_plants(demo):
    region = Case.objects.get(title_en=REGION_TITLE)
    assert (region.kind, region.status) == ("regional", "approved")
    assert "unconfirmed" in region.description_en
    assert [
        (m.actual_end, m.dates_approximate, "unconfirmed" in m.title_en)
        for m in region.milestones.order_by("position")
    ] == [(date(2024, 9, 30), True, True), (date(2024, 11, 30), True, True)]
    plants = region.enterprise_cases.order_by("title_en")
    assert [(c.title_en, c.applicant.name_en, c.status) for c in plants] == [
        (CQAPG_TITLE, "CQAPG Food Tech", "approved"),
        (DEJIA_TITLE, "Chongqing Dejia", "approved"),
    ]
    for plant in plants:
        assert CQWORLD in plant.description_en
        assert plant.parties.get(role="regulator").organisation.name_en == "Singapore Food Agency"
        shipment = plant.milestones.get(title_en__startswith="First shipment")
        assert (shipment.actual_end, shipment.dates_approximate) == (date(2025, 3, 10), False)
        assert plant.transitions.get(to_status="approved").at.date() == date(2025, 3, 1)


def test_each_demo_person_sees_exactly_their_cases(demo):
    real = {VAN_TITLE, REGION_TITLE, DEJIA_TITLE, CQAPG_TITLE}
    synthetic = {SYNTHETIC_DRAFT, SYNTHETIC_ACTIVE, SYNTHETIC_REOPENED, SYNTHETIC_SUBMITTED}
    expected = {
        "admin": real | synthetic,
        # the draft was opened by Qingling itself: no facilitator is assigned to it yet
        "facilitator": real | synthetic - {SYNTHETIC_DRAFT},
        "qingling": {VAN_TITLE, SYNTHETIC_DRAFT, SYNTHETIC_ACTIVE, SYNTHETIC_SUBMITTED},
        "motorway": {VAN_TITLE, SYNTHETIC_ACTIVE},
        "regulator": real,
        "observer": {VAN_TITLE},
    }
    for username, cases in expected.items():
        assert titles(Case.objects.visible_to(person(username))) == cases, username
    assert {c.title_en for c in Case.objects.filter(is_synthetic=True)} == synthetic
    assert "synthetic" in person("regulator").name_en
    assert "synthetic" in person("observer").name_en


def test_my_work_has_content_for_qingling_and_the_facilitator(demo):
    work = queries.my_work(person("qingling"))
    assert [(i.title, i.case.title_en) for i in work["overdue_issues"]] == [
        ("[Synthetic] Insulation test certificate missing", SYNTHETIC_ACTIVE)
    ]
    assert titles(work["awaiting"]) == {SYNTHETIC_DRAFT, SYNTHETIC_ACTIVE}
    assert [m.title_en for m in work["milestones"]] == [
        "[Synthetic] Refrigeration unit test report",
        "[Synthetic] LTA type-approval application",
    ]
    assert titles(queries.my_work(person("facilitator"))["awaiting"]) == {SYNTHETIC_SUBMITTED}
    reopened = Case.objects.get(title_en=SYNTHETIC_REOPENED)
    assert [(t.from_status, t.to_status) for t in reopened.transitions.order_by("at", "id")] == [
        ("draft", "active"),
        ("active", "submitted"),
        ("submitted", "rejected"),
        ("rejected", "active"),
    ]


def test_the_regulator_reads_the_van_case_but_cannot_change_it(demo):
    regulator = person("regulator")
    van = Case.objects.visible_to(regulator).get(title_en=VAN_TITLE)
    assert permissions.party_role(regulator, van) == "regulator"
    assert permissions.can_write(regulator, van) is False
    assert permissions.transitions_for(regulator, van) == []
    page = queries.case_page(regulator, van)
    assert [row.document.title for row in page.documents] == [
        "[Synthetic] EU type-approval summary for LTA (illustrative)"
    ]
    before = (CaseIssue.objects.count(), van.events.count())
    with pytest.raises(PermissionDenied):
        services.issue_raise(actor=regulator, case=van, title="Missing test report")
    assert (CaseIssue.objects.count(), van.events.count()) == before


def test_the_observer_sees_no_document_until_it_is_shared_with_observers(demo):
    observer = person("observer")
    van = Case.objects.visible_to(observer).get(title_en=VAN_TITLE)
    document = CaseDocument.objects.get(case=van)
    assert permissions.can_see_document(observer, document) is False
    page = queries.case_page(observer, van)
    assert page.documents == []
    assert [e.kind for e in page.events if e.document_id is not None] == []
    assert permissions.can_write(observer, van) is False

    document_share(
        actor=person("facilitator"),
        document=document,
        shared_with=["partner", "regulator", "observer"],
    )
    document.refresh_from_db()
    assert permissions.can_see_document(observer, document) is True
    page = queries.case_page(observer, van)
    assert [row.document.title for row in page.documents] == [document.title]
