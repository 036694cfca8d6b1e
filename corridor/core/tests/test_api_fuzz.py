"""The proof that the whole API keeps its OpenAPI document's promises: schemathesis generates
requests for every operation from /api/openapi.json and sends them to the WSGI application,
as an anonymous visitor, as a member of an enterprise and as the administrator, over
demo-like data (projects, innovations, figures, a case, directory profiles, an event with
its meetings, an assessment). A response fails the test when it is a 5xx, when its status is
not documented, or when its body does not match the schema documented for it.

Bounded so that it stays in the normal suite: a few examples per operation, derandomized
(the same requests on every run), no shrinking. Half the generated requests name existing
records (ids in the path and the body), the other half whatever was generated.
Select or leave it out with `-m api_fuzz` / `-m "not api_fuzz"`; CORRIDOR_FUZZ_ONLY=text runs
only the operations whose label ("PATCH /api/portfolio/projects/{project_id}") contains it."""

import datetime
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from corridor.accounts.services import api_token_create
from corridor.cases import services as case_services
from corridor.cases.tests.test_permissions import van_case
from corridor.core.actors import SYSTEM
from corridor.directory import services as directory_services
from corridor.events import services as event_services
from corridor.events.models import MeetingRequest
from corridor.portfolio.models import ProjectLink, ProjectMilestone
from corridor.results import services as results_services
from corridor.standards import services as standards_services
from corridor.standards.tests.test_services import VAN, story_kb  # noqa: F401
from corridor.testing.factories import (
    InnovationFactory,
    ProjectFactory,
    ProjectPartyFactory,
    PublishedFigureFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.api_fuzz]

EXAMPLES = 8  # per operation and role
STATUSES: dict[str, list[int]] = {}
ONLY = os.environ.get("CORRIDOR_FUZZ_ONLY", "")  # e.g. "PATCH /api/portfolio", to debug one
FEW_EXAMPLES = {"GET /api/standards/assessments/{assessment_id}/report.pdf": 2}  # a PDF each
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Names of path and body fields that hold the id of a record, and the record they name.
BODY_REFERENCES = {
    "owner_id": "enterprise",
    "organisation_id": "enterprise",
    "applicant_id": "enterprise",
    "organiser": "enterprise",
    "organisation": "enterprise",
    "parent_id": "project_id",
    "region_case_id": "case_id",
    "assessment_id": "assessment_id",
    "contact": "member",
    "contact_id": "member",
    "assigned_to_id": "member",
    "candidate": "other_profile",
    "from_profile": "profile_id",
    "to_profile": "other_profile",
    "requester": "participant_id",
    "requested": "other_participant",
    "participant": "participant_id",
    "meeting": "request_id",
}


@pytest.fixture
def wsgi_app():
    """Django's own WSGI application, in the test's database transaction: it must not close
    the connection between requests as it does in production."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def demo(story_kb, admin_user, facilitator, owner, enterprise, outsider, other_enterprise):  # noqa: F811
    """One of everything, with the ids that the generated requests may name."""
    project = ProjectFactory(owner=enterprise, is_published=True, value=None, currency="")
    ProjectPartyFactory(project=project, organisation=other_enterprise)
    ProjectMilestone.objects.create(project=project, title_en="Line opened", title_zh="开通")
    ProjectLink.objects.create(
        project=project, title_en="Announcement", url="https://example.org/news", kind="news"
    )
    ProjectFactory(owner=enterprise, parent=project, is_published=False)
    innovation = InnovationFactory()
    innovation.agencies.add(enterprise)
    PublishedFigureFactory(checked_on=None)
    PublishedFigureFactory()

    van = van_case(facilitator, owner, enterprise)
    milestone = case_services.milestone_save(
        actor=facilitator,
        case=van.case,
        milestone=None,
        version=None,
        title_en="Type approval",
        title_zh="型式认可",
        planned_start=datetime.date(2026, 1, 5),
        planned_end=datetime.date(2026, 2, 5),
        actual_start=None,
        actual_end=None,
        owner=None,
        depends_on=[],
        dates_approximate=False,
    )
    issue = case_services.issue_raise(
        actor=owner, case=van.case, title="Missing test report", description="", due_on=None
    )
    case_services.issue_comment(actor=facilitator, issue=issue, body="Asked the lab.")

    profile = directory_services.profile_save(
        actor=SYSTEM,
        organisation=enterprise,
        description_en="Electric vans.",
        offers="Electric delivery vans",
        needs="Cold-chain logistics in Singapore",
        target_markets=["SG"],
    )
    other_profile = directory_services.profile_save(
        actor=SYSTEM,
        organisation=other_enterprise,
        description_en="Cold-chain logistics.",
        offers="Refrigerated warehousing",
        needs="Electric vans",
    )
    connection = directory_services.connection_request(
        actor=owner, from_profile=profile, to_profile=other_profile, message="Shall we talk?"
    )

    day = datetime.date(2026, 3, 10)
    event = event_services.event_create(
        actor=SYSTEM,
        organiser=enterprise,
        title_en="Corridor Matchmaking Day",
        title_zh="走廊对接日",
        tables=2,
        is_published=True,
        sessions=[(day, "am", datetime.time(9, 0), datetime.time(10, 0))],
    )
    ours = event_services.participant_add(
        actor=SYSTEM, event=event, organisation=enterprise, languages=["zh"]
    )
    theirs = event_services.participant_add(
        actor=SYSTEM, event=event, organisation=other_enterprise, languages=["en"]
    )
    meeting = event_services.meeting_add(
        actor=SYSTEM, event=event, requester=ours, requested=theirs
    )
    MeetingRequest.objects.filter(pk=meeting.pk).update(slot=0, table=1)
    run = event_services.schedule_start(actor=admin_user, event=event, mode="all", time_limit=5)

    assessment = standards_services.assessment_create(actor=owner, organisation=enterprise, **VAN)
    watch = standards_services.watch_add(actor=owner, hs_prefix="8704", market="SG")
    indicator = results_services.indicator_create(
        actor=SYSTEM, title_en="Vans exported", unit_en="vans", project=project
    )
    return {
        "project_id": project.pk,
        "innovation_id": innovation.pk,
        "case_id": van.case.pk,
        "milestone_id": milestone.pk,
        "issue_id": issue.pk,
        "profile_id": profile.pk,
        "other_profile": other_profile.pk,
        "connection_id": connection.pk,
        "event_id": event.pk,
        "participant_id": ours.pk,
        "other_participant": theirs.pk,
        "request_id": meeting.pk,
        "run_id": run.pk,
        "assessment_id": assessment.pk,
        "watch_id": watch.pk,
        "code": "870460",
        "enterprise": enterprise.pk,
        "member": owner.pk,
        "indicator_id": indicator.pk,
    }


def name_existing_records(case, ids: dict) -> None:
    for name in list(case.path_parameters or {}):
        if name in ids:
            case.path_parameters[name] = ids[name]
    if isinstance(case.body, dict):
        for name, record in BODY_REFERENCES.items():
            if name in case.body and isinstance(case.body[name], int):
                case.body[name] = ids[record]


def fuzz(schema, ids: dict, headers: dict) -> list[str]:
    """Every operation, a few examples each; the failures, one paragraph per operation."""
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        label = operation.label
        if ONLY and ONLY not in label:
            continue

        @settings(
            max_examples=FEW_EXAMPLES.get(label, EXAMPLES),
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), existing=st.booleans())
        def run(case, existing):
            if existing:
                name_existing_records(case, ids)
            # Each request in a savepoint rolled back after it: every example starts from the
            # same data, and a database error cannot poison the ones after it.
            with transaction.atomic():
                try:
                    response = case.call(headers=headers)
                    STATUSES.setdefault(case.operation.label, []).append(response.status_code)
                    case.validate_response(response, checks=CHECKS, headers=headers)
                finally:
                    transaction.set_rollback(True)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # reported with the other operations'
            failures.append(f"{label}:\n{exc}")
    return failures


@pytest.mark.parametrize("role", ["anonymous", "member", "administrator"])
def test_every_operation_keeps_its_documented_promises(role, demo, wsgi_app, owner, admin_user):
    headers = {}
    if role != "anonymous":
        user = owner if role == "member" else admin_user
        _token, raw = api_token_create(actor=user, label="schemathesis")
        headers = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    STATUSES.clear()
    failures = fuzz(schema, demo, headers)
    if os.environ.get("CORRIDOR_FUZZ_REPORT"):
        for label, codes in sorted(STATUSES.items()):
            print(role, label, sorted(codes))
    assert not failures, f"{len(failures)} operations failed as {role}:\n\n" + "\n\n".join(failures)
    if role == "administrator" and not ONLY:
        # The requests reached the data, not only 404s: every read answered at least once.
        unanswered = [
            label
            for label, codes in STATUSES.items()
            if label.startswith("GET ") and not any(200 <= code < 300 for code in codes)
        ]
        assert unanswered == []
