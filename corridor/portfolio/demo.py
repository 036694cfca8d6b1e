"""Demo data for `make run`: the initiative's real facts, each with its source, and a
synthetic set, labelled synthetic, large enough for the dashboard to mean something.

The facts are data, in `demo_portfolio.yaml` (its header says where they come from and how
the file is laid out); this module reads it and loads it through the services, as the
system (`SYSTEM`), so each write leaves an audit entry.

Loading is idempotent. Every record has a stable key (a project's or innovation's external
id, a username, an organisation's English name and country, a rate's currency and date, a
published figure's metric, date and scope), and a second run writes nothing when nothing
changed.

Synthetic records carry `is_synthetic=True`, and their names and titles start with
"[Synthetic] " in English and "【模拟】" in Chinese. They are generated from the file's
words and weights by `random.Random(seed)`, so every run generates the same records.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction

from corridor.accounts.models import Membership, Organisation, User
from corridor.accounts.services import membership_add, organisation_create
from corridor.core.actors import SYSTEM
from corridor.core.audit import audit_record
from corridor.core.demo import DEMO_PASSWORD, SYNTHETIC_EN, SYNTHETIC_ZH
from corridor.core.models import FxRate, Sector
from corridor.portfolio.models import (
    Innovation,
    Project,
    ProjectParty,
    ProjectStatusChange,
    PublishedFigure,
)
from corridor.portfolio.services import (
    PartyInput,
    ProjectInput,
    innovation_save,
    project_create,
    project_publish,
    project_set_parties,
    project_transition,
    project_update,
    published_figure_save,
    validate_project_input,
)

DEMO_FILE = Path(__file__).with_name("demo_portfolio.yaml")
FACTS = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
SYNTHETIC = FACTS["synthetic"]

DEMO_ID_PREFIX = "CCI-DEMO-"
SYNTHETIC_ID_PREFIX = DEMO_ID_PREFIX + "SYN-"
SEED = SYNTHETIC["seed"]
# Synthetic projects are signed, and change status, no later than this date.
SYNTHETIC_UNTIL: date = SYNTHETIC["until"]
FX_SOURCE = FACTS["exchange_rates"]["source"]
SECTOR_WEIGHTS: dict[str, int] = SYNTHETIC["sector_weights"]
KIND_WEIGHTS: dict[str, int] = SYNTHETIC["kind_weights"]
CURRENCY_WEIGHTS: dict[str, int] = SYNTHETIC["currency_weights"]
APPROXIMATE_USD_PER_UNIT: dict[str, float] = SYNTHETIC["approximate_usd_per_unit"]
TITLE_PHRASES: dict[str, list[list[str]]] = SYNTHETIC["title_phrases"]
SYNTHETIC_NOTE, SYNTHETIC_NOTE_ZH = SYNTHETIC["note"]["en"], SYNTHETIC["note"]["zh"]
TRANSITION_REASONS = {
    status: SYNTHETIC_EN + reason for status, reason in SYNTHETIC["transition_reasons"].items()
}


# --- the plan ------------------------------------------------------------------------------


# What `organisation_create` takes of an organisation's entry.
ORGANISATION_FIELDS = "name_en name_zh kind country city is_synthetic is_administration".split()


@dataclass(frozen=True)
class OrganisationSpec:
    name_en: str
    name_zh: str
    kind: str
    country: str
    city: str = ""
    is_administration: bool = False
    is_synthetic: bool = False
    industry: str = ""  # sector code the synthetic generator matches projects to
    short_en: str = ""  # how synthetic project titles name the organisation
    short_zh: str = ""

    def organisation_fields(self) -> dict:
        """The keyword arguments of `organisation_create` this entry sets."""
        return {name: getattr(self, name) for name in ORGANISATION_FIELDS}


@dataclass(frozen=True)
class UserSpec:
    username: str
    name_en: str
    name_zh: str
    organisation: str  # OrganisationSpec.name_en
    role: str
    is_superuser: bool = False

    def account_fields(self) -> dict:
        """The demo login's own fields (a superuser may use the admin site)."""
        return {
            "email": f"{self.username}@demo.corridor.example",
            "name_en": self.name_en,
            "name_zh": self.name_zh,
            "is_staff": self.is_superuser,
            "is_superuser": self.is_superuser,
        }


@dataclass
class ProjectSpec:
    external_id: str
    owner: str  # OrganisationSpec.name_en
    data: ProjectInput
    parties: list[tuple[str, str]] = field(default_factory=list)  # (organisation, role)
    transitions: list[tuple[str, date, str]] = field(default_factory=list)
    published: bool = True


@dataclass
class InnovationSpec:
    external_id: str
    fields: dict
    agencies: list[str] = field(default_factory=list)


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1


# --- the real facts, read from the file ------------------------------------------------------


def _with_sources_note(entry: dict) -> dict:
    """The entry's fields, its descriptions followed by the research notes' caveat when it
    says `from_notes`."""
    fields = dict(entry)
    if fields.pop("from_notes", False):
        fields["description_en"] += " " + FACTS["notes_say"]["en"]
        fields["description_zh"] += FACTS["notes_say"]["zh"]
    return fields


def real_organisations() -> list[OrganisationSpec]:
    return [OrganisationSpec(**entry) for entry in FACTS["organisations"]]


def demo_users() -> list[UserSpec]:
    return [UserSpec(**entry) for entry in FACTS["users"]]


def real_projects() -> list[ProjectSpec]:
    specs = []
    for entry in FACTS["projects"]:
        fields = _with_sources_note(entry)
        external_id, owner = fields.pop("external_id"), fields.pop("owner")
        parties = [(name, role) for name, role in fields.pop("parties", [])]
        transitions = [(t["status"], t["date"], t["reason"]) for t in fields.pop("transitions", [])]
        if "value" in fields:
            fields["value"] = Decimal(fields["value"])
        specs.append(ProjectSpec(external_id, owner, ProjectInput(**fields), parties, transitions))
    return specs


def real_innovations() -> list[InnovationSpec]:
    specs = []
    for entry in FACTS["innovations"]:
        fields = _with_sources_note(entry)
        external_id, agencies = fields.pop("external_id"), fields.pop("agencies", [])
        specs.append(InnovationSpec(external_id, fields, agencies))
    return specs


def published_figures() -> list[dict]:
    """The counts authorities published over the years, each with its scope and source."""
    return [
        {"qualifier": "exact", **entry, "value": Decimal(entry["value"]), "checked_on": None}
        for entry in FACTS["published_figures"]
    ]


# --- the synthetic set ---------------------------------------------------------------------


def synthetic_organisations() -> list[OrganisationSpec]:
    """The synthetic firms (each Chongqing and Singapore name with an industry in turn), then
    the synthetic agencies and chambers."""
    industries = SYNTHETIC["industries"]
    specs = []
    for index, (english, chinese) in enumerate(SYNTHETIC["chinese_firms"]):
        sector, industry_en, industry_zh, _sg = industries[index % len(industries)]
        specs.append(
            OrganisationSpec(
                f"{SYNTHETIC_EN}Chongqing {english} {industry_en} Co., Ltd.",
                f"{SYNTHETIC_ZH}重庆{chinese}{industry_zh}有限公司",
                "enterprise",
                "CN",
                "Chongqing",
                is_synthetic=True,
                industry=sector,
                short_en=english,
                short_zh=chinese,
            )
        )
    for index, (english, chinese) in enumerate(SYNTHETIC["singapore_firms"]):
        sector, _cn, industry_zh, industry_en = industries[(index + 3) % len(industries)]
        specs.append(
            OrganisationSpec(
                f"{SYNTHETIC_EN}{english} {industry_en} Pte. Ltd.",
                f"{SYNTHETIC_ZH}{chinese}{industry_zh}私人有限公司",
                "enterprise",
                "SG",
                "Singapore",
                is_synthetic=True,
                industry=sector,
                short_en=english,
                short_zh=chinese,
            )
        )
    agencies = [
        OrganisationSpec(
            **{
                **entry,
                "name_en": SYNTHETIC_EN + entry["name_en"],
                "name_zh": SYNTHETIC_ZH + entry["name_zh"],
            },
            is_synthetic=True,
        )
        for entry in SYNTHETIC["agencies"]
    ]
    return specs + agencies


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _round_value(amount: float) -> Decimal:
    """Three significant figures, as signing ceremonies announce them."""
    digits = len(str(int(amount))) - 3
    return Decimal(round(amount / 10**digits) * 10**digits) if digits > 0 else Decimal(int(amount))


class _SyntheticPortfolio:
    """Generates the synthetic projects and innovations from one seeded random stream."""

    def __init__(self, organisations: list[OrganisationSpec]):
        self.rng = random.Random(SEED)
        self.chinese = [o for o in organisations if o.country == "CN" and o.kind == "enterprise"]
        self.singaporean = [
            o for o in organisations if o.country == "SG" and o.kind == "enterprise"
        ]
        self.agencies = {
            country: [o for o in organisations if o.country == country and o.kind == "agency"]
            for country in ("CN", "SG")
        }
        self.administration = next(o.name_en for o in real_organisations() if o.is_administration)
        self.number = 0

    def _firm(self, firms: list[OrganisationSpec], sector: str) -> OrganisationSpec:
        matching = [o for o in firms if o.industry == sector]
        return self.rng.choice(matching if matching and self.rng.random() < 0.7 else firms)

    def _value(self) -> tuple[Decimal | None, str]:
        if self.rng.random() < 0.08:
            return None, ""
        currency = _pick(self.rng, CURRENCY_WEIGHTS)
        usd = 10 ** self.rng.uniform(6.0, 8.7)
        return _round_value(usd / APPROXIMATE_USD_PER_UNIT[currency]), currency

    def _transitions(self, signed_on: date) -> list[tuple[str, date, str]]:
        transitions = []
        roll = self.rng.random()
        if roll < 0.04:
            path = ["terminated"]
        elif roll < 0.62:
            path = ["in_progress"]
            second = self.rng.random()
            if second < 0.45:
                path.append("completed")
            elif second < 0.55:
                path.append("suspended")
                if self.rng.random() < 0.5:
                    path.append("in_progress")
        else:
            path = []
        on = signed_on
        for status in path:
            on = on + timedelta(days=self.rng.randint(30, 600))
            if on > SYNTHETIC_UNTIL:
                break
            transitions.append((status, on, TRANSITION_REASONS[status]))
        return transitions

    def _project(
        self,
        *,
        kind: str,
        sector: str,
        signed_on: date,
        parent: str = "",
        phrase: tuple[str, str] | None = None,
        with_value: bool = True,
    ) -> ProjectSpec:
        self.number += 1
        external_id = f"{SYNTHETIC_ID_PREFIX}{self.number:04d}"
        chinese = self._firm(self.chinese, sector)
        singaporean = self._firm(self.singaporean, sector)
        if kind in ("g2g", "g2b"):
            chinese_agency = self.rng.choice(self.agencies["CN"])
            if kind == "g2g":
                chinese, singaporean = chinese_agency, self.rng.choice(self.agencies["SG"])
            else:
                chinese = chinese_agency
        english, chinese_phrase = phrase or self.rng.choice(TITLE_PHRASES[sector])
        value, currency = self._value() if with_value else (None, "")
        place_en, place_zh = (
            ("Singapore", "新加坡")
            if self.rng.random() < 0.2
            else self.rng.choice(SYNTHETIC["chongqing_places"])
        )
        initiator_first = self.rng.random() < 0.6
        parties = [
            (chinese.name_en, "initiator" if initiator_first else "counterpart"),
            (singaporean.name_en, "counterpart" if initiator_first else "initiator"),
        ]
        if kind == "financing":
            parties.append((singaporean.name_en, "investor"))
        return ProjectSpec(
            external_id=external_id,
            owner=self.administration if kind in ("g2g", "g2b") else chinese.name_en,
            data=ProjectInput(
                title_en=f"{SYNTHETIC_EN}{chinese.short_en}–{singaporean.short_en} {english}",
                title_zh=f"{SYNTHETIC_ZH}{chinese.short_zh}—{singaporean.short_zh}{chinese_phrase}",
                description_en=SYNTHETIC_NOTE,
                description_zh=SYNTHETIC_NOTE_ZH,
                kind=kind,
                sector=sector,
                value=value,
                currency=currency,
                signed_on=signed_on,
                location_en=place_en,
                location_zh=place_zh,
                parent_external_id=parent,
                is_synthetic=True,
            ),
            parties=parties,
            transitions=self._transitions(signed_on),
            published=self.rng.random() >= 0.06,
        )

    def projects(self, count: int = 300, frameworks: int = 10) -> list[ProjectSpec]:
        specs: list[ProjectSpec] = []
        for _ in range(frameworks):
            sector = _pick(self.rng, SECTOR_WEIGHTS)
            signed_on = _random_day(self.rng, date(2016, 1, 1), date(2022, 12, 31))
            framework = self._project(
                kind=self.rng.choice(["g2g", "g2b"]),
                sector=sector,
                signed_on=signed_on,
                phrase=self.rng.choice(SYNTHETIC["framework_phrases"]),
                with_value=self.rng.random() < 0.5,
            )
            specs.append(framework)
            for _child in range(self.rng.randint(2, 5)):
                specs.append(
                    self._project(
                        kind=self.rng.choice(["commercial", "financing"]),
                        sector=sector,
                        signed_on=_random_day(
                            self.rng,
                            signed_on,
                            min(signed_on + timedelta(days=900), SYNTHETIC_UNTIL),
                        ),
                        parent=framework.external_id,
                    )
                )
        while len(specs) < count:
            year = self.rng.randint(2016, 2025)
            end = min(date(year, 12, 31), SYNTHETIC_UNTIL)
            specs.append(
                self._project(
                    kind=_pick(self.rng, KIND_WEIGHTS),
                    sector=_pick(self.rng, SECTOR_WEIGHTS),
                    signed_on=_random_day(self.rng, date(year, 1, 1), end),
                )
            )
        return specs

    def innovations(self, count: int = 12) -> list[InnovationSpec]:
        topics = SYNTHETIC["innovation_topics"]
        specs = []
        for number, (english, chinese, category) in enumerate(topics[:count], start=1):
            agencies = [self.rng.choice(self.agencies["CN"]), self.rng.choice(self.agencies["SG"])]
            specs.append(
                InnovationSpec(
                    external_id=f"{SYNTHETIC_ID_PREFIX}INNOVATION-{number:02d}",
                    fields={
                        "title_en": SYNTHETIC_EN + english[0].upper() + english[1:],
                        "title_zh": SYNTHETIC_ZH + chinese,
                        "description_en": SYNTHETIC_NOTE,
                        "description_zh": SYNTHETIC_NOTE_ZH,
                        "category": category,
                        "adopted_on": _random_day(self.rng, date(2016, 6, 1), SYNTHETIC_UNTIL),
                        "is_synthetic": True,
                        "is_published": self.rng.random() >= 0.1,
                        "source_url": "",
                    },
                    agencies=[a.name_en for a in agencies],
                )
            )
        return specs


# --- loading -------------------------------------------------------------------------------


class DemoLoader:
    def __init__(self):
        self.report = DemoReport()
        self.organisations: dict[str, Organisation] = {}
        self.sectors = {s.code: s for s in Sector.objects.all()}
        self.admin: User | None = None

    # organisations and people

    def organisation(self, spec: OrganisationSpec) -> Organisation:
        organisation = Organisation.objects.filter(
            name_en=spec.name_en, country=spec.country
        ).first()
        if organisation is None:
            organisation = organisation_create(actor=SYSTEM, **spec.organisation_fields())
            self.report.count("organisations", created=True)
        self.organisations[spec.name_en] = organisation
        return organisation

    def user(self, spec: UserSpec) -> User:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User.objects.create_user(
                username=spec.username, password=DEMO_PASSWORD, **spec.account_fields()
            )
            audit_record(actor=SYSTEM, action="create", target=user, summary=spec.username)
            self.report.count("users", created=True)
        elif not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            audit_record(
                actor=SYSTEM, action="update", target=user, summary="Demo password restored"
            )
            self.report.count("users", created=False)
        organisation = self.organisations[spec.organisation]
        if not Membership.objects.filter(
            user=user, organisation=organisation, role=spec.role
        ).exists():
            membership_add(actor=SYSTEM, user=user, organisation=organisation, role=spec.role)
            self.report.count("memberships", created=True)
        return user

    # exchange rates

    def fx_rates(self) -> None:
        rates_file = FACTS["exchange_rates"]
        for currency, rates in rates_file["usd_per_unit"].items():
            for offset, rate in enumerate(rates):
                on = date(rates_file["first_year"] + offset, 1, 1)
                usd_per_unit = Decimal(rate)
                existing = FxRate.objects.filter(currency=currency, date=on).first()
                if existing is None:
                    created = FxRate.objects.create(
                        currency=currency, date=on, usd_per_unit=usd_per_unit, source=FX_SOURCE
                    )
                    audit_record(
                        actor=SYSTEM, action="create", target=created, summary=str(created)
                    )
                    self.report.count("exchange rates", created=True)
                elif existing.usd_per_unit != usd_per_unit or existing.source != FX_SOURCE:
                    before = {"usd_per_unit": str(existing.usd_per_unit), "source": existing.source}
                    existing.usd_per_unit, existing.source = usd_per_unit, FX_SOURCE
                    existing.save(update_fields=["usd_per_unit", "source"])
                    audit_record(
                        actor=SYSTEM,
                        action="update",
                        target=existing,
                        summary=str(existing),
                        changes={
                            name: [before[name], str(getattr(existing, name))] for name in before
                        },
                    )
                    self.report.count("exchange rates", created=False)

    # projects

    def _parties(self, spec: ProjectSpec) -> list[PartyInput]:
        return [
            PartyInput(organisation=self.organisations[name], role=role)
            for name, role in spec.parties
        ]

    def _matches(self, project: Project, spec: ProjectSpec) -> bool:
        _errors, clean = validate_project_input(spec.data, sectors=self.sectors)
        clean["sector_id"] = clean.pop("sector").pk
        parent = project.parent.external_id if project.parent_id else ""
        if parent != clean.pop("parent_external_id"):
            return False
        clean.pop("status")  # the status moves only through dated transitions
        return all(getattr(project, name) == value for name, value in clean.items())

    def project(self, spec: ProjectSpec, existing: Project | None) -> Project:
        spec.data.external_id = spec.external_id
        parties = self._parties(spec)
        if existing is None:
            spec.data.parties = parties
            project = project_create(
                actor=SYSTEM, owner=self.organisations[spec.owner], data=spec.data
            )
            self.report.count("projects", created=True)
            history: set[tuple[str, date]] = set()
        else:
            project = existing
            history = {(c.to_status, c.on) for c in project.status_changes.all()}
            wanted_parties = {(p.organisation.pk, p.role) for p in parties}
            current_parties = {(p.organisation_id, p.role) for p in project.parties.all()}
            if not self._matches(project, spec):
                spec.data.status = project.status  # the status moves only by transitions
                spec.data.parties = parties
                project = project_update(actor=SYSTEM, project=project, data=spec.data)
                self.report.count("projects", created=False)
            elif wanted_parties != current_parties:
                project = project_set_parties(actor=SYSTEM, project=project, parties=parties)
                self.report.count("projects", created=False)
        for to_status, on, reason in spec.transitions:
            if (to_status, on) not in history:
                project = project_transition(
                    actor=self.admin, project=project, to_status=to_status, on=on, reason=reason
                )
                self.report.count("status changes", created=True)
        if project.is_published != spec.published:
            project = project_publish(actor=self.admin, project=project, published=spec.published)
        return project

    def projects(self, specs: list[ProjectSpec]) -> None:
        existing = {
            p.external_id: p
            for p in Project.objects.filter(external_id__startswith="CCI-DEMO-")
            .select_related("parent")
            .prefetch_related("parties", "status_changes")
        }
        for spec in specs:
            self.project(spec, existing.get(spec.external_id))

    # innovations and published figures

    def innovation(self, spec: InnovationSpec) -> Innovation:
        fields = {"is_published": True, **spec.fields}
        agencies = [self.organisations[name] for name in spec.agencies]
        innovation = Innovation.objects.filter(external_id=spec.external_id).first()
        if innovation is None:
            self.report.count("innovations", created=True)
            return innovation_save(
                actor=self.admin, external_id=spec.external_id, agencies=agencies, **fields
            )
        same_fields = all(getattr(innovation, name) == value for name, value in fields.items())
        same_agencies = {a.pk for a in innovation.agencies.all()} == {a.pk for a in agencies}
        if same_fields and same_agencies:
            return innovation
        self.report.count("innovations", created=False)
        return innovation_save(actor=self.admin, innovation=innovation, agencies=agencies, **fields)

    def published_figure(self, fields: dict) -> PublishedFigure:
        figure = PublishedFigure.objects.filter(
            metric=fields["metric"], as_of=fields["as_of"], scope_en=fields["scope_en"]
        ).first()
        if figure is None:
            self.report.count("published figures", created=True)
            return published_figure_save(actor=self.admin, **fields)
        if all(getattr(figure, name) == value for name, value in fields.items()):
            return figure
        self.report.count("published figures", created=False)
        return published_figure_save(actor=self.admin, figure=figure, **fields)

    # everything

    def load(self) -> DemoReport:
        synthetic_orgs = synthetic_organisations()
        generator = _SyntheticPortfolio(synthetic_orgs)
        synthetic_projects = generator.projects()
        synthetic_innovations = generator.innovations()
        with transaction.atomic():
            for spec in real_organisations() + synthetic_orgs:
                self.organisation(spec)
            users = {spec.username: self.user(spec) for spec in demo_users()}
            self.admin = users["admin"]
            self.fx_rates()
            self.projects(real_projects() + synthetic_projects)
            for spec in real_innovations() + synthetic_innovations:
                self.innovation(spec)
            for fields in published_figures():
                self.published_figure(fields)
        return self.report


def load_demo() -> DemoReport:
    """Load (or bring up to date) the demo data; a second run writes nothing."""
    return DemoLoader().load()


def demo_counts() -> dict[str, int]:
    """How many demo records of each kind the database holds."""
    projects = Project.objects.filter(external_id__startswith="CCI-DEMO-")
    innovations = Innovation.objects.filter(external_id__startswith="CCI-DEMO-")
    return {
        "real projects": projects.filter(is_synthetic=False).count(),
        "synthetic projects": projects.filter(is_synthetic=True).count(),
        "published projects": projects.filter(is_published=True).count(),
        "sub-projects": projects.filter(parent__isnull=False).count(),
        "project parties": ProjectParty.objects.filter(project__in=projects).count(),
        "status changes": ProjectStatusChange.objects.filter(project__in=projects).count(),
        "real innovations": innovations.filter(is_synthetic=False).count(),
        "synthetic innovations": innovations.filter(is_synthetic=True).count(),
        "organisations": Organisation.objects.count(),
        "synthetic organisations": Organisation.objects.filter(is_synthetic=True).count(),
        "users": User.objects.count(),
        "exchange rates": FxRate.objects.count(),
        "published figures": PublishedFigure.objects.count(),
    }
