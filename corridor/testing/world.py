"""One small world with a person in every role, for tests that walk every route as each of
them (corridor/core/tests/test_access_matrix.py).

Cases, assessments, profiles, connections and events are made through the services, so they
are what real use leaves behind; people, organisations, the portfolio's records, the import
job and the scheduling run come from factories or plain creates:

- the initiative administration, with an administrator (`admin`) and a facilitator
  (`facilitator`);
- Qingling Motors, an enterprise (`member`), which owns an unpublished project, an import
  job, a readiness assessment, a public directory profile, and is the applicant of a case;
- Motorway Group, its Singapore partner (`partner`): a party of the project, the partner party
  of the case (its contact), a members-only directory profile that asked Qingling to
  connect, and a participant of the event that asked Qingling to meet;
- the Land Transport Authority (`regulator`): the regulator party of the case (its contact);
- Lion City Trade (`outsider`), an enterprise with a public profile and no part in anything
  else; `loner`, a person with an account and no organisation;
- the case (a draft, opened by the facilitator) with a milestone, an open issue and a resolved
  one, a document shared with the partner and one shared with nobody, and an observer party
  that may be removed;
- an indicator of each scope of the results framework (the initiative, the project, the case
  and the event: its meetings held, measured), each with a 2026 target; the case's has an
  actual with a document as its evidence;
- a published event organised by the administration, with three participants, a meeting
  placed in slot 1 (Qingling and Lion City Logistics), a pending request (Motorway to
  Qingling), a finished scheduling run, published agendas and Qingling's follow-up outcome;
  Motorway and Lion City Logistics are connected in the directory (Motorway asked); an
  unpublished event is being prepared by the administration;
- a finished briefing pack the administrator asked for (a facilitator may not download it).
"""

import dataclasses
import datetime
from dataclasses import dataclass, field
from functools import partial

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from corridor.accounts.models import Membership, Notification
from corridor.briefing.models import BriefingPack
from corridor.cases import services as cases
from corridor.cases.documents.services import document_upload
from corridor.cases.models import CaseParty
from corridor.core.actors import SYSTEM
from corridor.directory import services as directory
from corridor.directory.models import Profile
from corridor.events import services as events
from corridor.events.models import ScheduleRun
from corridor.portfolio import services as portfolio
from corridor.portfolio.models import ImportJob, ProjectParty, ProjectRevision
from corridor.results import services as results
from corridor.standards import services as standards
from corridor.standards.models import HsCode
from corridor.testing.factories import (
    InnovationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProjectFactory,
    ProjectPartyFactory,
    PublishedFigureFactory,
    UserFactory,
)

ROLES = ("anon", "loner", "outsider", "member", "partner", "regulator", "facilitator", "admin")

VAN = {
    "product_name": "EQ2 electric van",
    "hs_code": "870460",
    "origin": "CN",
    "destination": "SG",
    "attributes": {"vehicle_category": "N1", "powertrain": "electric", "max_laden_weight_kg": 3490},
    "held": ["eu-wvta-certificate"],
}


@dataclass
class World:
    people: dict = field(default_factory=dict)  # role -> user (None for anonymous)
    ids: dict = field(default_factory=dict)  # name -> primary key, for URLs and payloads
    objects: dict = field(default_factory=dict)  # name -> object


def _person(organisation, username: str, role=Membership.Role.MEMBER):
    user = UserFactory(username=username, name_en=username.title(), name_zh="")
    if organisation is not None:
        MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def _pdf(name: str, words: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 " + words, "application/pdf")


def _profile(organisation, **fields) -> Profile:
    """A directory profile, in English, of an enterprise in manufacturing that looks to
    Singapore, unless `fields` say otherwise."""
    defaults = {"target_markets": ["SG"], "languages": ["en"], "sectors": ["manufacturing"]}
    return directory.profile_save(actor=SYSTEM, organisation=organisation, **(defaults | fields))


def _hs_codes() -> None:
    chapter = HsCode.objects.create(code="87", level=2, description_en="Vehicles")
    heading = HsCode.objects.create(
        code="8704", level=4, parent=chapter, description_en="Motor vehicles for goods"
    )
    HsCode.objects.create(
        code="870460", level=6, parent=heading, description_en="Electric goods vehicles"
    )


def build_world() -> World:
    """Make the world (the knowledge base must be the story one: see the test module)."""
    w = World()
    administration = OrganisationFactory(
        name_en="CCI Administration Bureau", kind="agency", country="CN", is_administration=True
    )
    qingling = OrganisationFactory(name_en="Qingling Motors", country="CN", city="Chongqing")
    motorway = OrganisationFactory(name_en="Motorway Group", country="SG", kind="partner")
    authority = OrganisationFactory(name_en="Land Transport Authority", kind="regulator")
    lion_trade = OrganisationFactory(name_en="Lion City Trade", country="SG")
    logistics = OrganisationFactory(name_en="Lion City Logistics", country="SG")
    chamber = OrganisationFactory(name_en="Singapore Chamber", kind="chamber")

    p = w.people
    p["anon"] = None
    p["loner"] = _person(None, "loner")
    p["outsider"] = _person(lion_trade, "outsider")
    p["member"] = _person(qingling, "member")
    p["partner"] = _person(motorway, "partner")
    p["regulator"] = _person(authority, "regulator")
    p["facilitator"] = _person(administration, "facilitator", Membership.Role.FACILITATOR)
    p["admin"] = _person(administration, "admin", Membership.Role.ADMINISTRATOR)
    fac, member = p["facilitator"], p["member"]

    # --- portfolio ---------------------------------------------------------------------
    project = ProjectFactory(owner=qingling, is_published=False, title_en="EQ2 vans to Singapore")
    ProjectPartyFactory(project=project, organisation=qingling, role=ProjectParty.Role.INITIATOR)
    ProjectPartyFactory(project=project, organisation=motorway, role=ProjectParty.Role.COUNTERPART)
    innovation = InnovationFactory(is_published=False)
    figure = PublishedFigureFactory()
    # a published project of Qingling's, with a change its member proposed (held)
    published = ProjectFactory(owner=qingling, is_published=True, title_en="Cold-chain hub")
    portfolio.project_update(
        actor=member,
        project=published,
        data=dataclasses.replace(portfolio.input_of(published), title_en="Cold-chain hub II"),
        version=published.version,
    )
    revision = ProjectRevision.objects.get(project=published)
    job = ImportJob.objects.create(
        started_by=member,
        owner=qingling,
        file_name="projects.csv",
        stored_file="imports/x/projects.csv",
        sha256="0" * 64,
        status=ImportJob.Status.CHECKING,
        rows_total=800,
        rows_done=300,
    )

    # --- standards -----------------------------------------------------------------------
    _hs_codes()
    assessment = standards.assessment_create(actor=member, organisation=qingling, **VAN)
    watch = standards.watch_add(actor=member, hs_prefix="8704", market="SG")

    # --- cases ---------------------------------------------------------------------------
    case = cases.case_open(
        actor=fac,
        applicant=qingling,
        title_en="EQ2 electric van to Singapore",
        target_market="SG",
        product_name="EQ2 electric van",
        hs_code="870460",
    )
    add_party = partial(cases.case_add_party, actor=fac, case=case)
    partner_party = add_party(
        organisation=motorway, role=CaseParty.Role.PARTNER, contact=p["partner"]
    )
    regulator_party = add_party(
        organisation=authority, role=CaseParty.Role.REGULATOR, contact=p["regulator"]
    )
    observer_party = add_party(organisation=chamber, role=CaseParty.Role.OBSERVER)
    milestone = cases.milestone_save(
        actor=fac,
        case=case,
        milestone=None,
        version=None,
        title_en="Type approval",
        planned_start=datetime.date(2026, 3, 1),
        planned_end=datetime.date(2026, 9, 30),
    )
    issue = cases.issue_raise(actor=member, case=case, title="Which test lab?", assigned_to=fac)
    answered = cases.issue_raise(actor=member, case=case, title="Which port?", assigned_to=fac)
    answered = cases.issue_resolve(
        actor=fac, issue=answered, version=answered.version, resolution="Jurong Port"
    )
    upload = partial(document_upload, actor=fac, case=case)
    version = upload(
        title="Test report",
        document_type="test_report",
        uploaded_file=_pdf("report.pdf", b"report"),
        shared_with=[CaseParty.Role.PARTNER],
    )
    kept = upload(
        title="Price calculation",
        document_type="other",
        uploaded_file=_pdf("prices.pdf", b"prices"),
        shared_with=[],
    )

    # --- directory -----------------------------------------------------------------------
    vans = _profile(
        qingling,
        description_en="Electric light commercial vans made in Chongqing.",
        offers="Electric light vans",
        needs="Distributors in Singapore",
        languages=["en", "zh"],
        contacts=[member],
    )
    motorway_profile = _profile(
        motorway,
        description_en="Vehicle distribution in Singapore.",
        offers="Vehicle distribution in Singapore",
        needs="Electric vans from China",
        visibility=Profile.Visibility.MEMBERS,
    )
    lion_profile = _profile(
        lion_trade,
        description_en="Trade finance.",
        offers="Trade finance in SGD",
        needs="Chinese exporters",
        target_markets=["CN"],
        sectors=["financial-services"],
    )
    logistics_profile = _profile(
        logistics,
        description_en="Warehousing and last-mile delivery in Singapore.",
        offers="Warehousing in Singapore",
        needs="Vehicle distributors",
        sectors=["transport-logistics"],
    )
    connection = directory.connection_request(
        actor=p["partner"], from_profile=motorway_profile, to_profile=vans, message="Let us talk"
    )
    accepted = directory.connection_request(
        actor=p["partner"], from_profile=motorway_profile, to_profile=logistics_profile
    )
    directory.connection_answer(
        actor=_person(logistics, "logistics"), connection=accepted, accept=True
    )
    # the notifications these made: one of the member's (Qingling was asked to connect)
    notification = Notification.objects.filter(recipient=member).first()

    # --- events --------------------------------------------------------------------------
    event = events.event_create(
        actor=SYSTEM,
        organiser=administration,
        title_en="Chongqing–Singapore Matchmaking Day",
        slot_minutes=20,
        tables=4,
        sessions=[
            (datetime.date(2026, 3, 10), "am", datetime.time(9, 0), datetime.time(10, 0)),
        ],
        is_published=True,
    )
    qingling_at = events.participant_add(
        actor=SYSTEM, event=event, organisation=qingling, contact=member, languages=["zh"]
    )
    motorway_at = events.participant_add(
        actor=SYSTEM, event=event, organisation=motorway, contact=p["partner"], languages=["en"]
    )
    logistics_at = events.participant_add(
        actor=SYSTEM, event=event, organisation=logistics, languages=["en"]
    )
    meeting = events.meeting_add(
        actor=SYSTEM, event=event, requester=qingling_at, requested=logistics_at
    )
    events.meeting_lock(actor=SYSTEM, request=meeting, slot=0)
    pending = events.request_create(
        actor=SYSTEM, event=event, requester=motorway_at, requested=qingling_at, message="Vans?"
    )
    run = ScheduleRun.objects.create(event=event, status=ScheduleRun.Status.DONE)
    events.agendas_publish(actor=SYSTEM, event=event)
    outcome = events.outcome_record(
        actor=SYSTEM, meeting=meeting, participant=qingling_at, outcome="follow_up"
    )

    interpreter = events.interpreter_add(actor=SYSTEM, event=event, name_en="Lim Wei")
    draft_event = events.event_create(
        actor=SYSTEM, organiser=administration, title_en="Next year's forum", is_published=False
    )

    # --- results ---------------------------------------------------------------------------
    scopes = {"initiative": {}, "project": {"project": project}, "case": {"case": case}}
    scopes["event"] = {"event": event, "feed": "meetings_held"}
    for name, scope in scopes.items():
        indicator = results.indicator_create(
            actor=SYSTEM, title_en=f"{name} indicator", unit_en="things", **scope
        )
        results.target_add(
            actor=SYSTEM,
            indicator=indicator,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 12, 31),
            value=100,
        )
        w.objects[f"{name}_indicator"] = indicator
        w.ids[f"{name}_indicator"] = indicator.pk
    evidence = results.actual_record(
        actor=SYSTEM,
        indicator=w.objects["case_indicator"],
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        value=1,
        document=_pdf("minutes.pdf", b"minutes"),
    )
    w.ids["evidence"] = evidence.pk

    w.objects.update(
        project=project,
        case=case,
        issue=issue,
        milestone=milestone,
        event=event,
        assessment=assessment,
        vans=vans,
    )
    # --- briefing ------------------------------------------------------------------------
    briefing_pack = BriefingPack.objects.create(
        requested_by=p["admin"],
        since=datetime.date(2025, 1, 1),
        format=BriefingPack.Format.XLSX,
        status=BriefingPack.Status.DONE,
        stored_file=default_storage.save("briefing/world/pack.xlsx", ContentFile(b"PK pack")),
        size=7,
        finished_at=timezone.now(),
    )

    w.ids.update(
        briefing_pack=briefing_pack.pk,
        administration=administration.pk,
        qingling=qingling.pk,
        motorway=motorway.pk,
        authority=authority.pk,
        lion_trade=lion_trade.pk,
        logistics=logistics.pk,
        chamber=chamber.pk,
        project=project.pk,
        project_version=project.version,
        published=published.pk,
        revision=revision.pk,
        innovation=innovation.pk,
        figure=figure.pk,
        figure_version=figure.version,
        job=job.pk,
        assessment=assessment.pk,
        watch=watch.pk,
        case=case.pk,
        case_version=case.version,
        partner_party=partner_party.pk,
        regulator_party=regulator_party.pk,
        observer_party=observer_party.pk,
        facilitator_party=case.parties.get(role=CaseParty.Role.FACILITATOR).pk,
        milestone=milestone.pk,
        milestone_version=milestone.version,
        issue=issue.pk,
        issue_version=issue.version,
        answered=answered.pk,
        answered_version=answered.version,
        document=version.document_id,
        document_version=version.pk,
        kept_version=kept.pk,
        vans=vans.pk,
        vans_version=vans.version,
        motorway_profile=motorway_profile.pk,
        lion_profile=lion_profile.pk,
        connection=connection.pk,
        accepted=accepted.pk,
        notification=notification.pk,
        logistics_profile=logistics_profile.pk,
        draft_event=draft_event.pk,
        event=event.pk,
        qingling_at=qingling_at.pk,
        qingling_at_version=qingling_at.version,
        motorway_at=motorway_at.pk,
        logistics_at=logistics_at.pk,
        meeting=meeting.pk,
        meeting_version=meeting.version,
        interpreter=interpreter.pk,
        outcome_version=outcome.version,
        pending=pending.pk,
        pending_version=pending.version,
        run=run.pk,
        member=member.pk,
        partner=p["partner"].pk,
        facilitator=fac.pk,
    )
    return w
