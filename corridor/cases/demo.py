"""Demo data for facilitation cases: the two real journeys of the Bridge of Standards, with
their sources, and a few synthetic cases, labelled synthetic, so that every demo person has
work on the "my work" page.

Run after `load_demo` (organisations and users) and `load_standards_demo` (the readiness
assessments the real cases are opened from). Loading is idempotent: a case is keyed by its
English title, and a case that exists is left alone, so a second run writes nothing.

Every write goes through the services (`corridor.cases.services`,
`corridor.cases.documents.services`, `corridor.accounts.services`) as the demo person who would make
it. Two things only the demo does directly, after the service call:

- **backdating**: the services stamp what they write with the current time; the real
  journeys happened in 2024–2025, so the rows a step wrote (events, transitions, issues,
  comments, document versions, parties, the case's status date) get the step's date
  (`DemoCases.backdate`). The audit log keeps the real loading time.
- **labelling**: `Case.is_synthetic` is set on the synthetic cases (the service has no
  parameter for it).

Real facts come from Corridor's research notes (`../shared/research/market-access.md`,
sections 2(a) and 2(b)); each case description names its sources. What the notes mark
unsure, or do not contain (such as the dates of each intermediate step), is said to be
approximate or illustrative. Milestones known only to the month carry
`dates_approximate=True`. Synthetic cases, issues, comments and documents start with
"[Synthetic] " / "【模拟】"; demo people's names say "(synthetic)" / "（模拟）".
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import Membership, Organisation, User
from corridor.accounts.services import membership_add, organisation_create
from corridor.cases import services
from corridor.cases.documents import services as documents
from corridor.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseIssue,
    CaseParty,
    CaseTransition,
    DocumentVersion,
    IssueComment,
    Milestone,
)
from corridor.core.audit import audit_record
from corridor.standards.models import ReadinessAssessment

DEMO_PASSWORD = "corridor-demo"
SYNTHETIC_EN = "[Synthetic] "
SYNTHETIC_ZH = "【模拟】"

BUREAU = "Chongqing Municipal CCI Administration Bureau"
QINGLING = "Qingling Motors"
NUOXIN = "Chongqing Nuoxin"
MOTORWAY = "Motorway Group"
DEJIA = "Chongqing Dejia"
CQAPG = "CQAPG Food Tech"
LTA = "Land Transport Authority"
SFA = "Singapore Food Agency"
CQ_AUTHORITY = "Chongqing competent authority for exported food (name not in the sources)"
OBSERVER_ORG = SYNTHETIC_EN + "Singapore–Chongqing Business Observers"
SYNTHETIC_FOODS = SYNTHETIC_EN + "Chongqing Hilltop Foods Co., Ltd."

VAN_TITLE = "Qingling EQ2 electric van: market access to Singapore"
REGION_TITLE = "Chongqing meat products: regional accreditation by the Singapore Food Agency"
DEJIA_TITLE = "Chongqing Dejia canned pork: establishment and product approval for Singapore"
CQAPG_TITLE = "CQAPG Food Tech canned pork: establishment and product approval for Singapore"

ASIACITY = (
    "https://asiacity.news/china/chongqing-en/"
    "singapore-and-chongqings-soft-connectivity-yields-tangible-results"
)
CQWORLD = "http://www.cqworld.cn/news_show.aspx?id=23317"
CQ_COMMERCE = "http://sww.cq.gov.cn/zymyq/ywxx/dtyw/202503/t20250312_14396055.html"
XINHUA_MIRROR = "https://mimikankan.cc/11/388494.html"
SFA_ACCREDITATION = (
    "https://www.sfa.gov.sg/food-import-export/seeking-accreditation-of-overseas-food-sources"
)

NOTES_SAY = (
    "As reported in Corridor's research notes; the date the sources were checked is not recorded."
)
NOTES_SAY_ZH = "据 Corridor 研究笔记记载；未记录核对来源的日期。"
ILLUSTRATIVE = (
    "The dates of the intermediate steps (milestones, submissions, issues) are not published: "
    "they are illustrative and marked approximate; the issues, comments and documents are "
    "synthetic."
)
ILLUSTRATIVE_ZH = (
    "中间步骤（里程碑、提交、问题）的日期未公开，仅作示意并标为约略；问题、评论和文件均为模拟。"
)


@dataclass(frozen=True)
class OrganisationSpec:
    name_en: str
    name_zh: str
    kind: str
    country: str
    city: str = ""
    is_synthetic: bool = False


@dataclass(frozen=True)
class PersonSpec:
    username: str
    name_en: str
    name_zh: str
    organisations: tuple[str, ...]  # memberships, as member


ORGANISATIONS = [
    OrganisationSpec(LTA, "陆路交通管理局", "regulator", "SG", "Singapore"),
    OrganisationSpec(SFA, "新加坡食品局", "regulator", "SG", "Singapore"),
    OrganisationSpec(CQAPG, "", "enterprise", "CN", "Chongqing"),
    OrganisationSpec(
        CQ_AUTHORITY, "重庆出口食品主管部门（资料未载名称）", "agency", "CN", "Chongqing"
    ),
    OrganisationSpec(
        OBSERVER_ORG, SYNTHETIC_ZH + "新渝商务观察团", "chamber", "SG", "Singapore", True
    ),
    OrganisationSpec(
        SYNTHETIC_FOODS,
        SYNTHETIC_ZH + "重庆山城食品有限公司",
        "enterprise",
        "CN",
        "Chongqing",
        True,
    ),
]

PEOPLE = [
    PersonSpec(
        "regulator", "Demo regulator contact (synthetic)", "演示监管联系人（模拟）", (LTA, SFA)
    ),
    PersonSpec("observer", "Demo observer (synthetic)", "演示观察员（模拟）", (OBSERVER_ORG,)),
]


def _on(year: int, month: int, day: int = 1) -> datetime:
    """Noon, Singapore/Chongqing time (UTC+8), on that day: a backdating stamp."""
    return timezone.make_aware(
        datetime.combine(date(year, month, day), time(12)), timezone.get_fixed_timezone(8 * 60)
    )


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, number: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + number


BACKDATED = [
    (CaseEvent, "at"),
    (CaseTransition, "at"),
    (CaseIssue, "raised_at"),
    (IssueComment, "at"),
    (DocumentVersion, "uploaded_at"),
    (CaseDocument, "created_at"),
    (CaseParty, "added_at"),
]


class DemoCases:
    def __init__(self):
        self.report = DemoReport()
        self.organisations: dict[str, Organisation] = {}
        self.people: dict[str, User] = {}
        self._marks: dict[type, int] = {}

    # --- organisations and people ----------------------------------------------------------

    def prerequisites(self) -> None:
        for username in ("admin", "facilitator", "qingling", "motorway"):
            self.people[username] = User.objects.get(username=username)
        for name in (BUREAU, QINGLING, NUOXIN, MOTORWAY, DEJIA):
            self.organisations[name] = Organisation.objects.get(name_en=name)
        for spec in ORGANISATIONS:
            organisation = Organisation.objects.filter(
                name_en=spec.name_en, country=spec.country
            ).first()
            if organisation is None:
                organisation = organisation_create(
                    actor=None,
                    name_en=spec.name_en,
                    name_zh=spec.name_zh,
                    kind=spec.kind,
                    country=spec.country,
                    city=spec.city,
                    is_synthetic=spec.is_synthetic,
                )
                self.report.count("organisations")
            self.organisations[spec.name_en] = organisation
        for spec in PEOPLE:
            user = User.objects.filter(username=spec.username).first()
            if user is None:
                user = User.objects.create_user(
                    username=spec.username,
                    email=f"{spec.username}@demo.corridor.example",
                    password=DEMO_PASSWORD,
                    name_en=spec.name_en,
                    name_zh=spec.name_zh,
                )
                audit_record(actor=None, action="create", target=user, summary=spec.username)
                self.report.count("users")
            for name in spec.organisations:
                organisation = self.organisations[name]
                if not Membership.objects.filter(user=user, organisation=organisation).exists():
                    membership_add(actor=None, user=user, organisation=organisation, role="member")
                    self.report.count("memberships")
            self.people[spec.username] = user

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

    def resolve_backdated(self, issue: CaseIssue, when: datetime) -> None:
        CaseIssue.objects.filter(pk=issue.pk).update(resolved_at=when)

    # --- steps -----------------------------------------------------------------------------

    def open(
        self, *, actor: str, applicant: str, when: datetime, synthetic: bool = False, **fields
    ) -> Case:
        self.mark()
        case = services.case_open(
            actor=self.people[actor], applicant=self.organisations[applicant], **fields
        )
        Case.objects.filter(pk=case.pk).update(created_at=when, is_synthetic=synthetic)
        self.backdate(when, case)
        self.report.count("synthetic cases" if synthetic else "cases from real facts")
        return case

    def party(
        self,
        case: Case,
        organisation: str,
        role: str,
        contact: str | None,
        when: datetime,
        actor: str = "facilitator",
    ) -> CaseParty:
        party = services.case_add_party(
            actor=self.people[actor],
            case=case,
            organisation=self.organisations[organisation],
            role=role,
            contact=self.people[contact] if contact else None,
        )
        self.backdate(when)
        return party

    def move(
        self, case: Case, to_status: str, reason: str, when: datetime, actor: str = "facilitator"
    ) -> Case:
        case.refresh_from_db()
        case = services.case_transition(
            actor=self.people[actor],
            case=case,
            to_status=to_status,
            reason=reason,
            version=case.version,
        )
        self.backdate(when, case)
        return case

    def milestone(
        self,
        case: Case,
        *,
        when: datetime,
        actor: str = "facilitator",
        milestone: Milestone | None = None,
        **fields,
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
            actor=self.people[actor],
            case=case,
            milestone=milestone,
            version=milestone.version if milestone is not None else None,
            **fields,
        )
        self.backdate(when)
        return saved

    def issue(
        self,
        case: Case,
        *,
        actor: str,
        title: str,
        description: str,
        assignee: str,
        when: datetime,
        due_on: date | None = None,
        comments: list[tuple[str, str, datetime]] = (),
        resolution: tuple[str, str, datetime] | None = None,
    ) -> CaseIssue:
        """Raise an issue; then comments (author, body, date); then the resolution
        (resolver, how, date)."""
        issue = services.issue_raise(
            actor=self.people[actor],
            case=case,
            title=title,
            description=description,
            assigned_to=self.people[assignee],
            due_on=due_on,
        )
        self.backdate(when)
        for author, body, on in comments:
            services.issue_comment(actor=self.people[author], issue=issue, body=body)
            self.backdate(on)
        if resolution is not None:
            resolver, how, on = resolution
            issue.refresh_from_db()
            issue = services.issue_resolve(
                actor=self.people[resolver], issue=issue, version=issue.version, resolution=how
            )
            self.backdate(on)
            self.resolve_backdated(issue, on)
        self.report.count("issues")
        return issue

    def document(
        self,
        case: Case,
        *,
        actor: str,
        title: str,
        document_type: str,
        file_name: str,
        text: str,
        shared_with: list[str],
        when: datetime,
    ) -> DocumentVersion:
        version = documents.document_upload(
            actor=self.people[actor],
            case=case,
            title=title,
            document_type=document_type,
            uploaded_file=ContentFile(text.encode("utf-8"), name=file_name),
            shared_with=shared_with,
        )
        self.backdate(when)
        self.report.count("documents")
        return version

    # --- the van: Qingling EQ2 to Singapore ------------------------------------------------

    def van_case(self) -> None:
        if Case.objects.filter(title_en=VAN_TITLE).exists():
            return
        assessment = ReadinessAssessment.objects.filter(
            organisation=self.organisations[QINGLING], hs_code="870460"
        ).first()
        if assessment is None:
            raise LookupError("load_standards_demo")
        case = self.open(
            actor="facilitator",
            applicant=QINGLING,
            when=_on(2024, 3, 1),
            title_en=VAN_TITLE,
            title_zh="庆铃 EQ2 电动厢式货车：进入新加坡市场",
            target_market="SG",
            hs_code="870460",
            assessment=assessment,
            # the Singapore steps of the roadmap are planned from the EU certification
            # (about September 2025; approximate)
            start_on=date(2025, 9, 1),
            description_en=(
                "In March 2024 Qingling Motors, Chongqing Nuoxin and Singapore's Motorway "
                "partnered, facilitated by the CCI Administration. The EQ2 electric vans "
                "shipped to Singapore in November 2025; Qingling was the second Chinese "
                "commercial-vehicle brand in Singapore after BYD. Source: " + ASIACITY + ". "
                "The EU certification is said to have taken about 18 months; that detail is "
                "unconfirmed (not in the retrieved source), so its date is approximate. "
                + NOTES_SAY
                + " "
                + ILLUSTRATIVE
            ),
            description_zh=(
                "2024年3月，在中新示范项目管理局的协调下，庆铃汽车、重庆诺新与新加坡 Motorway "
                "达成合作。EQ2 电动厢式货车于2025年11月运抵新加坡；庆铃是继比亚迪之后第二个进入"
                "新加坡的中国商用车品牌。来源：" + ASIACITY + "。据称欧盟认证历时约18个月，"
                "此细节未经证实（所检索的来源中没有），因此其日期为约略。"
                + NOTES_SAY_ZH
                + ILLUSTRATIVE_ZH
            ),
        )
        self.party(case, NUOXIN, CaseParty.Role.PARTNER, None, _on(2024, 3, 1))
        self.party(case, MOTORWAY, CaseParty.Role.PARTNER, "motorway", _on(2024, 3, 1))
        self.move(
            case,
            Case.Status.ACTIVE,
            "Qingling Motors, Chongqing Nuoxin and Motorway agreed to cooperate, facilitated by "
            "the CCI Administration (March 2024; day approximate). Source: " + ASIACITY,
            _on(2024, 3, 1),
        )
        eu = self.milestone(
            case,
            when=_on(2024, 3, 1),
            title_en=(
                "EU whole-vehicle type approval and Certificate of Conformity (about 18 months; "
                "unconfirmed)"
            ),
            title_zh="欧盟整车型式认证和合格证书（约18个月；未经证实）",
            planned_start=date(2024, 3, 1),
            planned_end=date(2025, 9, 1),
            owner=case.parties.get(role=CaseParty.Role.APPLICANT),
            dates_approximate=True,
        )
        self.milestone(
            case,
            milestone=eu,
            when=_on(2025, 9, 1),
            actual_start=date(2024, 3, 1),
            actual_end=date(2025, 9, 1),
            dates_approximate=True,
        )
        self.party(case, LTA, CaseParty.Role.REGULATOR, "regulator", _on(2025, 9, 1))
        self.party(case, OBSERVER_ORG, CaseParty.Role.OBSERVER, "observer", _on(2025, 9, 1))
        self.issue(
            case,
            actor="motorway",
            title=SYNTHETIC_EN + "Headlamp installation evidence for UN R48",
            description=(
                "[Synthetic] LTA's checklist asks how the LED headlamps are installed; the EU "
                "file has the approval but not the installation drawing."
            ),
            assignee="qingling",
            when=_on(2025, 9, 15),
            comments=[
                (
                    "qingling",
                    "[Synthetic] Installation drawing added to the technical file.",
                    _on(2025, 9, 22),
                ),
            ],
            resolution=(
                "facilitator",
                "[Synthetic] The drawing answers the question; nothing more is needed.",
                _on(2025, 9, 29),
            ),
        )
        self.issue(
            case,
            actor="facilitator",
            title=SYNTHETIC_EN + "Certificate of Conformity date and the 3-month arrival rule",
            description=(
                "[Synthetic] A brand-new vehicle must arrive within 3 months of its CoC date; "
                "check the shipping plan against it."
            ),
            assignee="motorway",
            when=_on(2025, 9, 20),
            comments=[
                (
                    "motorway",
                    "[Synthetic] Shipment booked for November; CoCs dated October.",
                    _on(2025, 10, 3),
                ),
            ],
            resolution=(
                "facilitator",
                "[Synthetic] Shipping plan is within the 3-month window.",
                _on(2025, 10, 6),
            ),
        )
        self.document(
            case,
            actor="qingling",
            title=SYNTHETIC_EN + "EU type-approval summary for LTA (illustrative)",
            document_type="technical_file",
            file_name="synthetic-eu-type-approval-summary.txt",
            text=(
                "[Synthetic] Illustrative demo document, not a real record.\n"
                "【模拟】演示文件，并非真实记录。\n\n"
                "Vehicle: Qingling EQ2 electric light commercial van (HS 870460)\n"
                "EU whole-vehicle type approval and Certificate of Conformity: held "
                "(date approximate, about 18 months after March 2024; unconfirmed).\n"
            ),
            shared_with=[CaseParty.Role.PARTNER, CaseParty.Role.REGULATOR],
            when=_on(2025, 9, 5),
        )
        for milestone in case.milestones.filter(actual_end=None).order_by("position"):
            start, end = date(2025, 9, 1), date(2025, 10, 1)
            if milestone.requirement_key == "sg-lta-registration-inspection":
                start, end = date(2025, 11, 1), date(2025, 11, 1)
            self.milestone(
                case,
                milestone=milestone,
                when=_on(end.year, end.month),
                actual_start=start,
                actual_end=end,
                dates_approximate=True,
            )
        self.move(
            case,
            Case.Status.SUBMITTED,
            "Type-approval application submitted to LTA with the EU certificate (month "
            "approximate; illustrative).",
            _on(2025, 9, 10),
        )
        self.move(
            case,
            Case.Status.UNDER_VERIFICATION,
            "LTA checking the application (month approximate; illustrative).",
            _on(2025, 10, 1),
        )
        self.milestone(
            case,
            when=_on(2025, 11, 1),
            title_en="First EQ2 vans shipped to Singapore",
            title_zh="首批 EQ2 货车运抵新加坡",
            planned_start=date(2025, 11, 1),
            planned_end=date(2025, 11, 30),
            actual_start=date(2025, 11, 1),
            actual_end=date(2025, 11, 30),
            owner=case.parties.get(organisation=self.organisations[MOTORWAY]),
            dates_approximate=True,
        )
        self.move(
            case,
            Case.Status.APPROVED,
            "The vans met Singapore's rules and shipped in November 2025 (day approximate). "
            "Source: " + ASIACITY,
            _on(2025, 11, 30),
        )

    # --- Chongqing meat: the region, then two plants ---------------------------------------

    def meat_cases(self) -> None:
        if Case.objects.filter(title_en=REGION_TITLE).exists():
            return
        region = self.open(
            actor="facilitator",
            applicant=CQ_AUTHORITY,
            when=_on(2024, 6, 1),
            kind=Case.Kind.REGIONAL,
            title_en=REGION_TITLE,
            title_zh="重庆肉类产品：新加坡食品局区域准入",
            target_market="SG",
            product_name="Meat products (canned pork)",
            hs_code="160249",
            start_on=date(2024, 6, 1),
            description_en=(
                "SFA accredits meat sources at three levels: country or region, establishment, "
                "product (" + SFA_ACCREDITATION + "). Chongqing's regional system passed SFA "
                "access for the first time, then two firms were approved for five canned product "
                "types (Xinhua text on a low-quality mirror: " + XINHUA_MIRROR + "). The "
                "application recognised in September 2024 and the food-safety system "
                "verification in November 2024 are unconfirmed: no source was found, so both "
                "dates are approximate. The competent authority that applied is not named in "
                "the sources. " + NOTES_SAY + " " + ILLUSTRATIVE
            ),
            description_zh=(
                "新加坡食品局按三个层级认可肉类来源：国家或地区、企业、产品（"
                + SFA_ACCREDITATION
                + "）。重庆区域体系首次通过新加坡食品局准入，随后两家企业的五类罐头产品获批"
                "（新华社稿件，见低质量转载：" + XINHUA_MIRROR + "）。2024年9月申请获认可、"
                "2024年11月食品安全体系验证两项未经证实（未找到来源），日期均为约略。"
                "提出申请的主管部门在来源中未具名。" + NOTES_SAY_ZH + ILLUSTRATIVE_ZH
            ),
        )
        self.party(region, SFA, CaseParty.Role.REGULATOR, "regulator", _on(2024, 6, 1))
        self.move(
            region,
            Case.Status.ACTIVE,
            "Preparing the region's dossier for SFA (illustrative date).",
            _on(2024, 6, 1),
        )
        recognised = self.milestone(
            region,
            when=_on(2024, 6, 1),
            title_en="SFA recognises the region's application (September 2024; unconfirmed)",
            title_zh="新加坡食品局认可区域申请（2024年9月；未经证实）",
            planned_start=date(2024, 6, 1),
            planned_end=date(2024, 9, 30),
            owner=region.parties.get(role=CaseParty.Role.APPLICANT),
            dates_approximate=True,
        )
        verified = self.milestone(
            region,
            when=_on(2024, 6, 1),
            title_en=("SFA verifies the region's food-safety system (November 2024; unconfirmed)"),
            title_zh="新加坡食品局验证区域食品安全体系（2024年11月；未经证实）",
            planned_start=date(2024, 10, 1),
            planned_end=date(2024, 11, 30),
            owner=region.parties.get(role=CaseParty.Role.APPLICANT),
            depends_on=[recognised],
            dates_approximate=True,
        )
        self.move(
            region,
            Case.Status.SUBMITTED,
            "Application for regional accreditation lodged with SFA (date approximate; "
            "illustrative).",
            _on(2024, 8, 1),
        )
        self.milestone(
            region,
            milestone=recognised,
            when=_on(2024, 9, 1),
            actual_start=date(2024, 9, 1),
            actual_end=date(2024, 9, 30),
            dates_approximate=True,
        )
        self.move(
            region,
            Case.Status.UNDER_VERIFICATION,
            "SFA recognised the application (September 2024; unconfirmed, date approximate).",
            _on(2024, 9, 1),
        )
        self.milestone(
            region,
            milestone=verified,
            when=_on(2024, 11, 1),
            actual_start=date(2024, 11, 1),
            actual_end=date(2024, 11, 30),
            depends_on=[recognised],
            dates_approximate=True,
        )
        self.move(
            region,
            Case.Status.APPROVED,
            "The region's food-safety system passed SFA verification (November 2024; "
            "unconfirmed, date approximate).",
            _on(2024, 11, 30),
        )
        self.plant_case(
            region,
            applicant=DEJIA,
            title_en=DEJIA_TITLE,
            title_zh="重庆德佳罐头猪肉：新加坡企业和产品准入",
            assessment=ReadinessAssessment.objects.filter(
                organisation=self.organisations[DEJIA], hs_code="160249"
            ).first(),
        )
        self.plant_case(
            region,
            applicant=CQAPG,
            title_en=CQAPG_TITLE,
            title_zh="CQAPG Food Tech 罐头猪肉：新加坡企业和产品准入",
            assessment=None,
        )

    def plant_case(
        self,
        region: Case,
        *,
        applicant: str,
        title_en: str,
        title_zh: str,
        assessment: ReadinessAssessment | None,
    ) -> Case:
        case = self.open(
            actor="facilitator",
            applicant=applicant,
            when=_on(2024, 12, 1),
            title_en=title_en,
            title_zh=title_zh,
            target_market="SG",
            product_name="Canned pork",
            hs_code="160249",
            assessment=assessment,
            region_case=region,
            start_on=date(2024, 12, 1),
            description_en=(
                "After Chongqing's regional system passed SFA access, two firms were approved "
                "for five canned product types (" + XINHUA_MIRROR + "). On 10 March 2025, "
                "19.5 t of canned pork made by Chongqing Dejia and CQAPG Food Tech shipped to "
                "Singapore (" + CQWORLD + "; " + CQ_COMMERCE + "). The approval month (March "
                "2025) is approximate. " + NOTES_SAY + " " + ILLUSTRATIVE
            ),
            description_zh=(
                "重庆区域体系通过新加坡食品局准入后，两家企业的五类罐头产品获批（"
                + XINHUA_MIRROR
                + "）。2025年3月10日，重庆德佳和 CQAPG Food Tech 生产的19.5吨罐头猪肉发往新加坡（"
                + CQWORLD
                + "；"
                + CQ_COMMERCE
                + "）。获批月份（2025年3月）为约略。"
                + NOTES_SAY_ZH
                + ILLUSTRATIVE_ZH
            ),
        )
        self.party(case, SFA, CaseParty.Role.REGULATOR, "regulator", _on(2024, 12, 1))
        self.move(
            case,
            Case.Status.ACTIVE,
            "Plant preparing for SFA establishment approval (illustrative date).",
            _on(2024, 12, 1),
        )
        applicant_party = case.parties.get(role=CaseParty.Role.APPLICANT)
        if not case.milestones.exists():
            for title, title_zh_ in (
                ("SFA approval of the establishment", "新加坡食品局企业注册批准"),
                ("SFA approval of the canned products", "新加坡食品局罐头产品批准"),
            ):
                self.milestone(
                    case,
                    when=_on(2024, 12, 1),
                    title_en=title,
                    title_zh=title_zh_,
                    planned_start=date(2024, 12, 1),
                    planned_end=date(2025, 2, 28),
                    owner=applicant_party,
                    dates_approximate=True,
                )
        self.move(
            case,
            Case.Status.SUBMITTED,
            "Establishment application sent through the "
            "competent authorities to SFA (illustrative date).",
            _on(2025, 1, 1),
        )
        self.move(
            case,
            Case.Status.UNDER_VERIFICATION,
            "SFA reviewing the plant (illustrative date).",
            _on(2025, 2, 1),
        )
        for milestone in case.milestones.order_by("position"):
            if milestone.requirement_key in ("sg-sfa-region-accreditation",):
                start, end = date(2024, 9, 1), date(2024, 11, 30)
            else:
                start, end = date(2025, 1, 1), date(2025, 3, 1)
            self.milestone(
                case,
                milestone=milestone,
                when=_on(end.year, end.month),
                actual_start=start,
                actual_end=end,
                dates_approximate=True,
            )
        self.milestone(
            case,
            when=_on(2025, 3, 10),
            title_en="First shipment: 19.5 t of canned pork (with the other approved plant)",
            title_zh="首批发运：19.5吨罐头猪肉（与另一家获批企业合计）",
            planned_start=date(2025, 3, 10),
            planned_end=date(2025, 3, 10),
            actual_start=date(2025, 3, 10),
            actual_end=date(2025, 3, 10),
            owner=applicant_party,
        )
        self.move(
            case,
            Case.Status.APPROVED,
            "Approved by SFA; first shipment on 10 March 2025 (approval month approximate). "
            "Sources: " + CQWORLD + " ; " + XINHUA_MIRROR,
            _on(2025, 3, 1),
        )
        return case

    # --- synthetic cases -------------------------------------------------------------------

    def synthetic_cases(self) -> None:
        today = timezone.localdate()
        now = timezone.now()
        self._synthetic(
            SYNTHETIC_EN + "Qingling light truck for Singapore (draft)",
            SYNTHETIC_ZH + "庆铃轻型卡车进入新加坡（草稿）",
            actor="qingling",
            applicant=QINGLING,
            hs_code="870421",
            steps=[],
        )

        def overdue_work(case: Case) -> None:
            owner = case.parties.get(role=CaseParty.Role.APPLICANT)
            self.milestone(
                case,
                when=now - timedelta(days=60),
                title_en=SYNTHETIC_EN + "Refrigeration unit test report",
                title_zh=SYNTHETIC_ZH + "冷藏机组测试报告",
                planned_start=today - timedelta(days=60),
                planned_end=today - timedelta(days=7),
                owner=owner,
            )
            self.milestone(
                case,
                when=now - timedelta(days=60),
                title_en=SYNTHETIC_EN + "LTA type-approval application",
                title_zh=SYNTHETIC_ZH + "陆路交通管理局型式认证申请",
                planned_start=today - timedelta(days=7),
                planned_end=today + timedelta(days=30),
                owner=owner,
            )
            self.issue(
                case,
                actor="facilitator",
                title=SYNTHETIC_EN + "Insulation test certificate missing",
                description="[Synthetic] The refrigerated body needs its insulation test "
                "certificate before the application.",
                assignee="qingling",
                when=now - timedelta(days=30),
                due_on=today - timedelta(days=5),
                comments=[
                    (
                        "motorway",
                        "[Synthetic] Our body builder can supply one.",
                        now - timedelta(days=20),
                    )
                ],
            )
            self.issue(
                case,
                actor="qingling",
                title=SYNTHETIC_EN + "Right-hand-drive dashboard labels",
                description="[Synthetic] Confirm the label language for the Singapore market.",
                assignee="motorway",
                when=now - timedelta(days=10),
                due_on=today + timedelta(days=14),
            )

        self._synthetic(
            SYNTHETIC_EN + "Qingling refrigerated van for Singapore",
            SYNTHETIC_ZH + "庆铃冷藏厢式货车进入新加坡",
            actor="facilitator",
            applicant=QINGLING,
            hs_code="870460",
            partner=MOTORWAY,
            partner_contact="motorway",
            steps=[(Case.Status.ACTIVE, "[Synthetic] Work started with the Singapore partner.")],
            then=overdue_work,
        )
        self._synthetic(
            SYNTHETIC_EN + "Hilltop Foods canned beef for Singapore",
            SYNTHETIC_ZH + "山城食品罐头牛肉进入新加坡",
            actor="facilitator",
            applicant=SYNTHETIC_FOODS,
            hs_code="160250",
            steps=[
                (Case.Status.ACTIVE, "[Synthetic] Dossier started."),
                (Case.Status.SUBMITTED, "[Synthetic] Dossier sent to the authority."),
                (
                    Case.Status.REJECTED,
                    "[Synthetic] The establishment application lacked the residue monitoring plan.",
                ),
                (Case.Status.ACTIVE, "[Synthetic] Reopened to add the residue monitoring plan."),
            ],
        )
        self._synthetic(
            SYNTHETIC_EN + "Qingling electric pickup for Singapore (submitted)",
            SYNTHETIC_ZH + "庆铃电动皮卡进入新加坡（已提交）",
            actor="facilitator",
            applicant=QINGLING,
            hs_code="870460",
            steps=[
                (Case.Status.ACTIVE, "[Synthetic] Work started."),
                (
                    Case.Status.SUBMITTED,
                    "[Synthetic] Application ready for the facilitator's review.",
                ),
            ],
        )

    def _synthetic(
        self,
        title_en: str,
        title_zh: str,
        *,
        actor: str,
        applicant: str,
        hs_code: str,
        steps: list[tuple[str, str]],
        partner: str | None = None,
        partner_contact: str | None = None,
        then=None,
    ) -> None:
        if Case.objects.filter(title_en=title_en).exists():
            return
        started = timezone.now() - timedelta(days=90)
        case = self.open(
            actor=actor,
            applicant=applicant,
            when=started,
            synthetic=True,
            title_en=title_en,
            title_zh=title_zh,
            target_market="SG",
            hs_code=hs_code,
            description_en=SYNTHETIC_EN + "A made-up case for the demo; not a real fact.",
            description_zh=SYNTHETIC_ZH + "为演示编造的案件，并非真实信息。",
        )
        if partner:
            self.party(case, partner, CaseParty.Role.PARTNER, partner_contact, started, actor)
        for number, (to_status, reason) in enumerate(steps, start=1):
            case = self.move(
                case, to_status, reason, started + timedelta(days=10 * number), actor="facilitator"
            )
        if then is not None:
            then(case)

    # --- all -------------------------------------------------------------------------------

    def load(self) -> DemoReport:
        with transaction.atomic():
            self.prerequisites()
            self.mark()
            self.van_case()
            self.meat_cases()
            self.synthetic_cases()
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
        "comments": IssueComment.objects.count(),
        "documents": CaseDocument.objects.count(),
        "events": CaseEvent.objects.count(),
    }
