"""Demo data for the enterprise directory: 90 synthetic enterprise profiles (30 Singapore
enterprises written in English, 60 Chongqing enterprises written in Chinese) from
`demo_profiles.yaml`, whose offers and needs meet across the border, so that the
recommendations have something to find.

Labelling: every organisation and profile the file describes is `is_synthetic`, and the
organisation's names start with "[Synthetic] " / "【模拟】", as in the other demos. Each
profile's description goes to the field of the language it is written in (the first of its
working languages).

Two demo people get an enterprise of their own, so that a logged-in demo user sees
recommendations for it: the organisation the demo user "qingling" belongs to (when `load_demo`
has run) gets a synthetic Chinese-language profile, and a Singapore demo user "sgtrade" is
created as a member of a synthetic Singapore trade-finance house.

Loading is idempotent (get or create): an organisation is found by its English name and
country, a profile by its organisation, a person by username; what exists is left as it is
(people may have edited it in the demo), so a second run writes nothing. Writes go through
the services, so each leaves an audit entry. The one thing only the demo does directly is to
date the verification: `profile_verify` stamps the current time, and the demo profiles count
as verified on a fixed day.

Embeddings are not computed while loading: after the transaction commits, the loader asks
`embeddings.profile_embed_all` for the profiles whose offers or needs have none yet.
"""

from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts.models import Membership, Organisation, User
from corridor.accounts.services import membership_add, organisation_create
from corridor.core.actors import SYSTEM
from corridor.core.audit import audit_record
from corridor.core.demo import DEMO_PASSWORD, SYNTHETIC_EN, SYNTHETIC_ZH
from corridor.core.sectors import SECTORS
from corridor.directory import embeddings, services
from corridor.directory.models import Profile

DEMO_FILE = Path(__file__).with_name("demo_profiles.yaml")
ADMIN_USERNAME = "admin"
# The demo profiles count as verified on this day (noon, UTC+8): fixed, so that a second run
# changes nothing.
VERIFIED_AT = datetime(2025, 10, 1, 12, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))

SECTOR_CODES = frozenset(code for code, *_rest in SECTORS)
WRITTEN_IN = ("en", "zh")


@dataclass(frozen=True)
class DemoPerson:
    username: str
    name_en: str
    name_zh: str
    enterprise: str  # key of the profile whose organisation the person belongs to


# A Singapore demo user, so that someone can log in on the Singapore side too.
SG_TRADE = DemoPerson("sgtrade", "Tan Wei Ming", "陈伟明", "sg-straitsbridge-trade-capital")


@dataclass(frozen=True)
class ProfileSpec:
    """One entry of the demo file. An entry of `profiles` describes a synthetic enterprise
    (names, country, city); an entry of `demo_user_enterprises` names instead the demo user
    (`member`) whose organisation it gives a profile to."""

    key: str
    sectors: tuple[str, ...]
    size: str
    description: str
    offers: tuple[str, ...]
    needs: tuple[str, ...]
    target_markets: tuple[str, ...]
    languages: tuple[str, ...]
    visibility: str
    verified: bool
    name_en: str = ""
    name_zh: str = ""
    country: str = ""
    city: str = ""
    member: str = ""

    @property
    def language(self) -> str:
        """The language the profile is written in: the first of its working languages."""
        return self.languages[0]

    def profile_fields(self) -> dict:
        """The keyword arguments of `services.profile_save` this entry sets."""
        return {
            "description_en": self.description if self.language == "en" else "",
            "description_zh": self.description if self.language == "zh" else "",
            "size": self.size,
            "offers": "\n".join(self.offers),
            "needs": "\n".join(self.needs),
            "target_markets": list(self.target_markets),
            "languages": list(self.languages),
            "visibility": self.visibility,
            "sectors": list(self.sectors),
            "is_synthetic": True,
        }


SPEC_FIELDS = frozenset(f.name for f in fields(ProfileSpec))
LIST_FIELDS = ("sectors", "offers", "needs", "target_markets", "languages")


def _spec(entry: dict) -> ProfileSpec:
    unknown = sorted(set(entry) - SPEC_FIELDS)
    if unknown:
        raise ValueError(f"{entry.get('key')}: unknown fields {unknown}")
    values = {
        name: tuple(str(item).strip() for item in entry[name]) if name in LIST_FIELDS else value
        for name, value in entry.items()
    }
    values["description"] = " ".join(str(entry.get("description", "")).split())
    try:
        return ProfileSpec(**values)
    except TypeError as error:  # a required field is missing
        raise ValueError(f"{entry.get('key')}: {error}") from error


def _problems(spec: ProfileSpec, *, synthetic: bool) -> list[str]:
    """What is wrong with one entry, before anything is written."""
    problems = []
    if bad := sorted(set(spec.sectors) - SECTOR_CODES):
        problems.append(f"unknown sectors {bad}")
    if spec.size not in Profile.Size.values:
        problems.append(f"unknown size {spec.size!r}")
    if spec.visibility not in Profile.Visibility.values:
        problems.append(f"unknown visibility {spec.visibility!r}")
    if not spec.languages or spec.language not in WRITTEN_IN:
        problems.append("the first working language must be en or zh")
    if synthetic and not (spec.name_en and spec.country and spec.city):
        problems.append("a synthetic enterprise needs name_en, country and city")
    if not synthetic and not spec.member:
        problems.append("a demo user's enterprise needs `member`")
    return problems


def read_demo_file(path: Path = DEMO_FILE) -> tuple[list[ProfileSpec], list[ProfileSpec]]:
    """The synthetic enterprises and the demo users' enterprises, checked: a mistake in the
    file is a bug of the demo, reported with every entry it affects."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    synthetic = [_spec(entry) for entry in data.get("profiles") or []]
    demo_users = [_spec(entry) for entry in data.get("demo_user_enterprises") or []]
    problems = [
        f"{spec.key}: {problem}"
        for group, is_synthetic in ((synthetic, True), (demo_users, False))
        for spec in group
        for problem in _problems(spec, synthetic=is_synthetic)
    ]
    keys = [spec.key for spec in synthetic + demo_users]
    problems += [f"{key}: key used twice" for key in sorted({k for k in keys if keys.count(k) > 1})]
    if problems:
        raise ValueError(f"{path.name}: " + "; ".join(problems))
    return synthetic, demo_users


class DirectoryDemo:
    def __init__(self, stdout=None):
        self.stdout = stdout
        self.report: dict[str, int] = {}
        self.admin = User.objects.filter(username=ADMIN_USERNAME).first()

    def count(self, what: str) -> None:
        self.report[what] = self.report.get(what, 0) + 1

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    # --- organisations and people ----------------------------------------------------------

    def organisation(self, spec: ProfileSpec) -> Organisation:
        name_en = SYNTHETIC_EN + spec.name_en
        organisation = Organisation.objects.filter(name_en=name_en, country=spec.country).first()
        if organisation is None:
            organisation = organisation_create(
                actor=SYSTEM,
                name_en=name_en,
                name_zh=SYNTHETIC_ZH + spec.name_zh if spec.name_zh else "",
                kind=Organisation.Kind.ENTERPRISE,
                country=spec.country,
                city=spec.city,
                is_synthetic=True,
            )
            self.count("organisations")
        return organisation

    def person(self, person: DemoPerson, organisation: Organisation) -> User:
        user = User.objects.filter(username=person.username).first()
        if user is None:
            user = User.objects.create_user(
                username=person.username,
                email=f"{person.username}@demo.corridor.example",
                password=DEMO_PASSWORD,
                name_en=person.name_en,
                name_zh=person.name_zh,
            )
            audit_record(actor=SYSTEM, action="create", target=user, summary=person.username)
            self.count("users")
        if not Membership.objects.filter(user=user, organisation=organisation).exists():
            membership_add(
                actor=SYSTEM, user=user, organisation=organisation, role=Membership.Role.MEMBER
            )
            self.count("memberships")
        return user

    def enterprise_of(self, username: str) -> tuple[Organisation, User] | tuple[None, None]:
        """The enterprise a demo user belongs to, when the main demo has been loaded."""
        membership = (
            Membership.objects.filter(
                user__username=username, organisation__kind=Organisation.Kind.ENTERPRISE
            )
            .select_related("organisation", "user")
            .order_by("pk")
            .first()
        )
        if membership is None:
            return None, None
        return membership.organisation, membership.user

    # --- profiles --------------------------------------------------------------------------

    def profile(
        self, spec: ProfileSpec, organisation: Organisation, contacts: list[User], **names
    ) -> Profile:
        profile = Profile.objects.filter(organisation=organisation).first()
        if profile is not None:
            return profile
        profile = services.profile_save(
            actor=SYSTEM,
            organisation=organisation,
            contacts=contacts,
            **names,
            **spec.profile_fields(),
        )
        self.count("profiles")
        if spec.verified:
            self.verify(profile)
        return profile

    def verify(self, profile: Profile) -> None:
        """Verified by the demo administrator (when there is one) on the fixed demo day."""
        services.profile_verify(actor=self.admin or SYSTEM, profile=profile)
        # Demo dating, as the case demo backdates: the service stamps the current time.
        Profile.objects.filter(pk=profile.pk).update(verified_at=VERIFIED_AT)
        self.count("verified profiles")

    # --- all -------------------------------------------------------------------------------

    def load(self, *, embed: bool = True) -> dict[str, int]:
        synthetic, demo_users = read_demo_file()
        with transaction.atomic():
            organisations = {spec.key: self.organisation(spec) for spec in synthetic}
            contacts = {
                SG_TRADE.enterprise: [self.person(SG_TRADE, organisations[SG_TRADE.enterprise])]
            }
            for spec in synthetic:
                self.profile(
                    spec,
                    organisations[spec.key],
                    contacts.get(spec.key, []),
                    name_en=SYNTHETIC_EN + spec.name_en,
                    name_zh=SYNTHETIC_ZH + spec.name_zh if spec.name_zh else "",
                    city=spec.city,
                )
            for spec in demo_users:
                organisation, member = self.enterprise_of(spec.member)
                if organisation is not None:
                    self.profile(spec, organisation, [member])
        if embed:
            self.embed()
        return self.report

    def embed(self) -> None:
        """Compute the embeddings of the profiles that have none (or stale ones) now, after
        the commit, in this process: the demo is ready to recommend when the command ends."""
        self.say(_("Computing the embeddings of the profiles' offers and needs…"))
        embedded = embeddings.profile_embed_all()
        if embedded:
            self.report["embedded profiles"] = embedded


def load_directory_demo(stdout=None, *, embed: bool = True) -> dict[str, int]:
    """Load the directory demo; returns how many of each thing it created (an empty dict
    when everything was there already). `embed=False` leaves the embeddings to
    `directory_embed` or the background tasks."""
    return DirectoryDemo(stdout).load(embed=embed)


def directory_demo_counts() -> dict[str, int]:
    profiles = Profile.objects.all()
    return {
        "profiles": profiles.count(),
        "synthetic profiles": profiles.filter(is_synthetic=True).count(),
        "verified profiles": profiles.exclude(verified_at=None).count(),
        "embedded profiles": profiles.exclude(embedded_at=None).count(),
    }
