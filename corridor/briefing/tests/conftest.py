"""A small story for briefing packs: projects signed, completed and suspended since the
start of 2025, a new innovation, a published figure, a case with milestones met, late and
met long ago, an event with a follow-up project, and two indicators (one off track, one on
track); and a person in every role."""

import datetime
from decimal import Decimal

import pytest

from corridor.accounts.models import Membership
from corridor.cases import services as cases
from corridor.cases.models import CaseParty
from corridor.core.actors import SYSTEM
from corridor.events.models import (
    Event,
    MeetingOutcome,
    MeetingRequest,
    Participant,
    Session,
)
from corridor.portfolio import services as portfolio
from corridor.portfolio.models import PublishedFigure
from corridor.results import services as results
from corridor.testing.factories import (
    InnovationFactory,
    MembershipFactory,
    OrganisationFactory,
    PublishedFigureFactory,
    UserFactory,
)

SINCE = datetime.date(2025, 1, 1)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _member(organisation, username):
    user = UserFactory(username=username, name_en=username.title(), name_zh="")
    MembershipFactory(user=user, organisation=organisation, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def partner(db):
    return _member(OrganisationFactory(name_en="Motorway Group", kind="partner"), "partner")


@pytest.fixture
def regulator(db):
    return _member(OrganisationFactory(name_en="Land Transport Authority", kind="regulator"), "reg")


@pytest.fixture
def observer_org(db):
    return OrganisationFactory(name_en="Singapore Chamber", kind="chamber")


@pytest.fixture
def observer(observer_org):
    return _member(observer_org, "observer")


def _project(admin, owner, title_en, title_zh, value, signed_on, published=True, sector="ict"):
    project = portfolio.project_create(
        actor=SYSTEM,
        owner=owner,
        data=portfolio.ProjectInput(
            title_en=title_en,
            title_zh=title_zh,
            kind="commercial",
            sector=sector,
            value=Decimal(value),
            currency="USD",
            signed_on=signed_on,
        ),
    )
    if published:
        project = portfolio.project_publish(actor=admin, project=project, published=True)
    return project


@pytest.fixture
def story(administration, admin_user, facilitator, enterprise, observer_org):
    vans = _project(
        admin_user,
        enterprise,
        "EQ2 vans to Singapore",
        "EQ2电动货车出口新加坡",
        "5000000",
        datetime.date(2025, 3, 1),
    )
    portfolio.project_transition(
        actor=SYSTEM,
        project=vans,
        to_status="in_progress",
        on=datetime.date(2025, 4, 1),
        reason="Work started",
    )
    portfolio.project_transition(
        actor=SYSTEM,
        project=vans,
        to_status="completed",
        on=datetime.date(2025, 6, 1),
        reason="First vans delivered",
    )
    hub = _project(
        admin_user,
        enterprise,
        "Cold-chain hub",
        "冷链枢纽",
        "10000000",
        datetime.date(2019, 1, 1),
        sector="transport-logistics",
    )
    portfolio.project_transition(
        actor=SYSTEM,
        project=hub,
        to_status="suspended",
        on=datetime.date(2025, 4, 1),
        reason="Site permit withdrawn",
    )
    _project(
        admin_user,
        enterprise,
        "Data corridor",
        "数据通道",
        "2000000",
        datetime.date(2018, 5, 5),
        published=False,
    )
    InnovationFactory(
        title_en="Single window for meat",
        title_zh="肉类单一窗口",
        adopted_on=datetime.date(2025, 2, 1),
    )
    InnovationFactory(title_en="Old innovation", adopted_on=datetime.date(2019, 1, 1))
    PublishedFigureFactory(
        metric=PublishedFigure.Metric.PROJECT_COUNT,
        value=Decimal("347"),
        as_of=datetime.date(2025, 11, 7),
        scope_en="Projects since the launch",
        scope_zh="自启动以来的项目",
        publisher="People's Daily",
        source_url="https://example.org/figure",
    )
    case = cases.case_open(
        actor=facilitator,
        applicant=enterprise,
        title_en="EQ2 electric van to Singapore",
        title_zh="EQ2电动货车进入新加坡",
        target_market="SG",
    )
    cases.case_add_party(
        actor=admin_user, case=case, organisation=observer_org, role=CaseParty.Role.OBSERVER
    )
    case = cases.case_transition(
        actor=facilitator,
        case=case,
        to_status="active",
        reason="Dossier ready",
        version=case.version,
    )
    for title, planned, actual in (
        ("Type approval", datetime.date(2025, 3, 1), datetime.date(2025, 3, 11)),
        ("Road test", datetime.date(2025, 5, 1), None),
        ("Design review", datetime.date(2024, 1, 1), datetime.date(2024, 1, 1)),
    ):
        cases.milestone_save(
            actor=facilitator,
            case=case,
            milestone=None,
            version=None,
            title_en=title,
            planned_end=planned,
            actual_end=actual,
        )
    event = Event.objects.create(
        title_en="Singapore delegation 2025",
        title_zh="新加坡企业代表团2025",
        organiser=administration,
        is_published=True,
    )
    Session.objects.create(
        event=event,
        date=datetime.date(2025, 3, 18),
        part="am",
        starts_at=datetime.time(9),
        ends_at=datetime.time(12),
    )
    one = Participant.objects.create(event=event, organisation=enterprise)
    two = Participant.objects.create(
        event=event, organisation=OrganisationFactory(name_en="Lion City Trade", country="SG")
    )
    meeting = MeetingRequest.objects.create(
        event=event, requester=one, requested=two, status="accepted", slot=0, table=1
    )
    MeetingOutcome.objects.create(
        meeting=meeting, participant=one, outcome="follow_up", project=vans
    )
    MeetingOutcome.objects.create(meeting=meeting, participant=two, outcome="agreement")
    exports = results.indicator_create(
        actor=admin_user,
        project=vans,
        title_en="EQ2 vans exported",
        title_zh="EQ2电动货车出口量",
        unit_en="vans",
        unit_zh="辆",
        direction="increase",
        baseline_value="0",
        feed="manual",
    )
    results.target_add(
        actor=admin_user,
        indicator=exports,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        value="100",
    )
    results.actual_record(
        actor=admin_user,
        indicator=exports,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
        value="20",
        source_url="https://example.org/vans",
    )
    plants = results.indicator_create(
        actor=admin_user,
        title_en="Plants approved",
        unit_en="plants",
        direction="increase",
        baseline_value="0",
        feed="manual",
    )
    results.target_add(
        actor=admin_user,
        indicator=plants,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        value="2",
    )
    results.actual_record(
        actor=admin_user,
        indicator=plants,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 6, 30),
        value="2",
        source_url="https://example.org/sfa",
    )
    return {"vans": vans, "hub": hub, "case": case, "event": event}
