"""Demo data for facilitation cases, from `demo_cases.yaml`: the two real journeys of the
Bridge of Standards, with their sources, and a few synthetic cases, labelled synthetic, so
that every demo person has work on the "my work" page.

Run after `load_demo` (organisations and users) and `load_standards_demo` (the readiness
assessments the real cases are opened from). Loading is idempotent: a case is keyed by its
English title, and a case that exists is left alone, so a second run writes nothing.

Every write goes through the services (`corridor.cases.services`,
`corridor.cases.documents.services`, `corridor.accounts.services`): a step of a case as the
demo person the file names, the organisations and people as `SYSTEM`. Two things only the
demo does directly, after the service call:

- **backdating**: the services stamp what they write with the current time; the real
  journeys happened in 2024–2025, so the rows a step wrote (events, transitions, issues,
  comments, document versions, parties, the case's status date) get the step's date
  (`DemoCases.backdate`). The audit log keeps the real loading time.
- **labelling**: `Case.is_synthetic` is set on the synthetic cases (the service has no
  parameter for it).
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

import yaml
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import Membership, Organisation, User
from corridor.accounts.services import membership_add, organisation_create
from corridor.cases import models as case_models
from corridor.cases import services
from corridor.cases.documents import services as documents
from corridor.cases.models import Case, CaseIssue, CaseParty, Milestone
from corridor.core.actors import SYSTEM
from corridor.core.audit import audit_record
from corridor.core.demo import DEMO_PASSWORD, SYNTHETIC_EN, SYNTHETIC_ZH
from corridor.standards.models import ReadinessAssessment

DEMO_FILE = Path(__file__).with_name("demo_cases.yaml")
UTC_8 = timezone.get_fixed_timezone(8 * 60)
RELATIVE = re.compile(r"^(now|today)([+-]\d+)d$")  # "now-90d", "today+30d"
MILESTONE_DATES = ("planned_start", "planned_end", "actual_start", "actual_end")

# The rows a step writes, by the field the services stamp with the current time.
BACKDATED = [
    (case_models.CaseEvent, "at"),
    (case_models.CaseTransition, "at"),
    (CaseIssue, "raised_at"),
    (case_models.IssueComment, "at"),
    (case_models.DocumentVersion, "uploaded_at"),
    (case_models.CaseDocument, "created_at"),
    (CaseParty, "added_at"),
]


@cache
def demo_file() -> dict:
    with DEMO_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _case_titles() -> dict[str, str]:
    return {case["key"]: case["title_en"] for case in demo_file()["cases"] if "key" in case}


SOURCES = demo_file()["sources"]
ASIACITY = SOURCES["asiacity"]
CQWORLD = SOURCES["cqworld"]
VAN_TITLE, REGION_TITLE, DEJIA_TITLE, CQAPG_TITLE = (
    _case_titles()[key] for key in ("van", "region", "dejia", "cqapg")
)


def _on(day: date) -> datetime:
    """Noon, Singapore/Chongqing time (UTC+8), on that day: a backdating stamp."""
    return timezone.make_aware(datetime.combine(day, time(12)), UTC_8)


def _when(value) -> datetime:
    """When a step happened: a day of the file, or "now-90d"."""
    if isinstance(value, date):
        return _on(value)
    base, days = RELATIVE.match(value).groups()
    assert base == "now", value
    return timezone.now() + timedelta(days=int(days))


def _day(value) -> date | None:
    """A date of the file: a day, or "today-7d"."""
    if value is None or isinstance(value, date):
        return value
    base, days = RELATIVE.match(value).groups()
    assert base == "today", value
    return timezone.localdate() + timedelta(days=int(days))


def _text(value: str) -> str:
    """A text of the file, with the sources and notes it names filled in."""
    return value.format_map({**demo_file()["sources"], **demo_file()["notes"]})


def _labelled(entry: dict, *names: str) -> None:
    """A synthetic record says so in its names ("[Synthetic] " / "【模拟】")."""
    for name in names:
        label = SYNTHETIC_ZH if name.endswith("_zh") else SYNTHETIC_EN
        if not entry.get(name, label).startswith(label):
            raise ValueError(f"demo_cases.yaml: {entry[name]!r} is synthetic but not labelled so")


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, number: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + number


class DemoCases:
    def __init__(self):
        self.report = DemoReport()
        self.organisations: dict[str, Organisation] = {}
        self.people: dict[str, User] = {}
        self.cases: dict[str, Case] = {}
        self._marks: dict[type, int] = {}

    # --- organisations and people ----------------------------------------------------------

    def prerequisites(self) -> None:
        data = demo_file()
        for username in data["existing"]["people"]:
            self.people[username] = User.objects.get(username=username)
        for name in data["existing"]["organisations"]:
            self.organisations[name] = Organisation.objects.get(name_en=name)
        for spec in data["organisations"]:
            if spec.get("synthetic"):
                _labelled(spec, "name_en", "name_zh")
            organisation = Organisation.objects.filter(
                name_en=spec["name_en"], country=spec["country"]
            ).first()
            if organisation is None:
                organisation = organisation_create(
                    actor=SYSTEM,
                    name_en=spec["name_en"],
                    name_zh=spec["name_zh"],
                    kind=spec["kind"],
                    country=spec["country"],
                    city=spec.get("city", ""),
                    is_synthetic=spec.get("synthetic", False),
                )
                self.report.count("organisations")
            self.organisations[spec["name_en"]] = organisation
        for spec in data["people"]:
            username = spec["username"]
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username=username,
                    email=f"{username}@demo.corridor.example",
                    password=DEMO_PASSWORD,
                    name_en=spec["name_en"],
                    name_zh=spec["name_zh"],
                )
                audit_record(actor=SYSTEM, action="create", target=user, summary=username)
                self.report.count("users")
            for name in spec["organisations"]:
                organisation = self.organisations[name]
                if not Membership.objects.filter(user=user, organisation=organisation).exists():
                    membership_add(
                        actor=SYSTEM, user=user, organisation=organisation, role="member"
                    )
                    self.report.count("memberships")
            self.people[username] = user

    # --- backdating ------------------------------------------------------------------------

    def mark(self) -> None:
        """Remember the last row of each backdated table: `backdate` moves what comes after."""
        for model, _field in BACKDATED:
            self._marks[model] = (
                model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            )

    def backdate(self, when: datetime, case: Case | None = None) -> None:
        """Demo backdating: give the rows written since `mark()` the date `when` (the
        services stamp them with the current time), then mark again."""
        for model, field_name in BACKDATED:
            model.objects.filter(pk__gt=self._marks.get(model, 0)).update(**{field_name: when})
        CaseIssue.objects.filter(pk__gt=self._marks.get(CaseIssue, 0)).exclude(
            resolved_at=None
        ).update(resolved_at=when)
        if case is not None:
            Case.objects.filter(pk=case.pk).update(status_changed_at=when)
        self.mark()

    # --- a case and its steps --------------------------------------------------------------

    def case(self, entry: dict) -> None:
        """Open the case the entry describes (unless its English title exists), then take
        its steps in order."""
        entry = {**demo_file()["templates"].get(entry.get("like"), {}), **entry}
        if Case.objects.filter(title_en=entry["title_en"]).exists():
            return
        synthetic = entry.get("synthetic", False)
        if synthetic:
            _labelled(entry, "title_en", "title_zh", "description_en", "description_zh")
        when = _when(entry["on"])
        self.mark()
        case = services.case_open(
            actor=self.people[entry["actor"]],
            applicant=self.organisations[entry["applicant"]],
            kind=entry.get("kind", Case.Kind.ENTERPRISE),
            title_en=entry["title_en"],
            title_zh=entry["title_zh"],
            target_market=entry["target_market"],
            product_name=entry.get("product_name", ""),
            hs_code=entry["hs_code"],
            assessment=self.assessment(entry.get("assessment")),
            region_case=self.cases.get(entry.get("region_case")),
            start_on=entry.get("start_on"),
            description_en=_text(entry["description_en"]),
            description_zh=_text(entry["description_zh"]),
        )
        Case.objects.filter(pk=case.pk).update(created_at=when, is_synthetic=synthetic)
        self.backdate(when, case)
        self.report.count("synthetic cases" if synthetic else "cases from real facts")
        if "key" in entry:
            self.cases[entry["key"]] = case
        milestones: dict[str, Milestone] = {}
        for step in entry["steps"]:
            case = self.step(case, step, milestones) or case

    def assessment(self, spec: dict | None) -> ReadinessAssessment | None:
        if spec is None:
            return None
        assessment = ReadinessAssessment.objects.filter(
            organisation=self.organisations[spec["organisation"]], hs_code=spec["hs_code"]
        ).first()
        if assessment is None and spec.get("required"):
            raise LookupError("load_standards_demo")
        return assessment

    def step(self, case: Case, step: dict, milestones: dict[str, Milestone]) -> Case | None:
        (kind, spec), *rest = step.items()
        assert not rest, step
        if kind == "party":
            self.party(case, spec)
        elif kind == "move":
            return self.move(case, spec)
        elif kind == "milestone":
            self.milestone(case, spec, milestones)
        elif kind == "if_no_milestones":
            if not case.milestones.exists():
                for inner in spec:
                    self.step(case, inner, milestones)
        elif kind == "finish_milestones":
            self.finish_milestones(case, spec)
        elif kind == "issue":
            self.issue(case, spec)
        elif kind == "document":
            self.document(case, spec)
        else:
            raise ValueError(f"demo_cases.yaml: unknown step {kind!r}")
        return None

    def party(self, case: Case, spec: dict) -> None:
        contact = spec.get("contact")
        services.case_add_party(
            actor=self.people[spec.get("actor", "facilitator")],
            case=case,
            organisation=self.organisations[spec["organisation"]],
            role=spec["role"],
            contact=self.people[contact] if contact else None,
        )
        self.backdate(_when(spec["on"]))

    def move(self, case: Case, spec: dict) -> Case:
        case.refresh_from_db()
        case = services.case_transition(
            actor=self.people[spec.get("actor", "facilitator")],
            case=case,
            to_status=spec["to"],
            reason=_text(spec["reason"]),
            version=case.version,
        )
        self.backdate(_when(spec["on"]), case)
        return case

    def _owner(self, case: Case, owner: str) -> CaseParty:
        """A party of the case: by its role, or by its organisation's English name."""
        if owner in CaseParty.Role.values:
            return case.parties.get(role=owner)
        return case.parties.get(organisation=self.organisations[owner])

    def milestone(self, case: Case, spec: dict, milestones: dict[str, Milestone]) -> None:
        """A new milestone, or (`of`) new values for one made before."""
        if spec.get("synthetic"):
            _labelled(spec, "title_en", "title_zh")
        fields = {name: _day(spec[name]) for name in MILESTONE_DATES if name in spec}
        for name in ("title_en", "title_zh", "dates_approximate"):
            if name in spec:
                fields[name] = spec[name]
        if "owner" in spec:
            fields["owner"] = self._owner(case, spec["owner"])
        if "depends_on" in spec:
            fields["depends_on"] = [milestones[name] for name in spec["depends_on"]]
        saved = self.save_milestone(
            case, milestones.get(spec.get("of")), _when(spec["on"]), spec.get("actor"), fields
        )
        if "name" in spec:
            milestones[spec["name"]] = saved

    def save_milestone(
        self,
        case: Case,
        milestone: Milestone | None,
        when: datetime,
        actor,
        fields: dict,
    ) -> Milestone:
        if milestone is not None:
            milestone.refresh_from_db()
            fields.setdefault("title_en", milestone.title_en)
            fields.setdefault("title_zh", milestone.title_zh)
            fields.setdefault("planned_start", milestone.planned_start)
            fields.setdefault("planned_end", milestone.planned_end)
            fields.setdefault("owner", milestone.owner)
            fields.setdefault("depends_on", list(milestone.depends_on.all()))
        saved = services.milestone_save(
            actor=self.people[actor or "facilitator"],
            case=case,
            milestone=milestone,
            version=milestone.version if milestone is not None else None,
            **fields,
        )
        self.backdate(when)
        return saved

    def finish_milestones(self, case: Case, spec: dict) -> None:
        """The case's milestones (`unfinished_only`: those not finished yet), done on the
        `actual` dates, or those given for their requirement; the backdating stamp is the
        first of the month they end in."""
        chosen = case.milestones.order_by("position")
        if spec.get("unfinished_only"):
            chosen = chosen.filter(actual_end=None)
        for milestone in chosen:
            start, end = spec.get("by_requirement", {}).get(
                milestone.requirement_key, spec["actual"]
            )
            self.save_milestone(
                case,
                milestone,
                _on(end.replace(day=1)),
                None,
                {"actual_start": start, "actual_end": end, "dates_approximate": True},
            )

    def issue(self, case: Case, spec: dict) -> None:
        """Raise an issue; then its comments; then its resolution."""
        if spec.get("synthetic"):
            _labelled(spec, "title")
        issue = services.issue_raise(
            actor=self.people[spec["actor"]],
            case=case,
            title=spec["title"],
            description=spec["description"],
            assigned_to=self.people[spec["assignee"]],
            due_on=_day(spec.get("due_on")),
        )
        self.backdate(_when(spec["on"]))
        for comment in spec.get("comments", []):
            services.issue_comment(
                actor=self.people[comment["author"]], issue=issue, body=comment["body"]
            )
            self.backdate(_when(comment["on"]))
        resolution = spec.get("resolution")
        if resolution is not None:
            when = _when(resolution["on"])
            issue.refresh_from_db()
            issue = services.issue_resolve(
                actor=self.people[resolution["by"]],
                issue=issue,
                version=issue.version,
                resolution=resolution["how"],
            )
            self.backdate(when)
            CaseIssue.objects.filter(pk=issue.pk).update(resolved_at=when)
        self.report.count("issues")

    def document(self, case: Case, spec: dict) -> None:
        if spec.get("synthetic"):
            _labelled(spec, "title")
        documents.document_upload(
            actor=self.people[spec["actor"]],
            case=case,
            title=spec["title"],
            document_type=spec["document_type"],
            uploaded_file=ContentFile(spec["text"].encode("utf-8"), name=spec["file_name"]),
            shared_with=spec["shared_with"],
        )
        self.backdate(_when(spec["on"]))
        self.report.count("documents")

    # --- all -------------------------------------------------------------------------------

    def load(self) -> DemoReport:
        with transaction.atomic():
            self.prerequisites()
            self.mark()
            for entry in demo_file()["cases"]:
                self.case(entry)
        return self.report


def load_cases_demo() -> DemoReport:
    return DemoCases().load()


def cases_demo_counts() -> dict[str, int]:
    return {
        "cases": Case.objects.count(),
        "synthetic cases": Case.objects.filter(is_synthetic=True).count(),
        "case parties": CaseParty.objects.count(),
        "milestones": Milestone.objects.count(),
        "issues": CaseIssue.objects.count(),
        "comments": case_models.IssueComment.objects.count(),
        "documents": case_models.CaseDocument.objects.count(),
        "events": case_models.CaseEvent.objects.count(),
    }
