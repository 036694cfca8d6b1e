"""The directory demo: 30 Singapore and 60 Chongqing synthetic enterprises, labelled
synthetic, each written in its own language; demo people who log in find their enterprise's
recommendations; a second run changes nothing."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.urls import reverse

from corridor.accounts.models import Membership, Organisation, User
from corridor.core.models import AuditEntry, Sector
from corridor.directory.demo import (
    DEMO_FILE,
    DEMO_PASSWORD,
    SYNTHETIC_EN,
    SYNTHETIC_ZH,
    VERIFIED_AT,
    load_directory_demo,
    read_demo_file,
)
from corridor.directory.models import Profile, Statement
from corridor.directory.recommendations import recommendations_for

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
LATIN = re.compile(r"[A-Za-z]{3,}")
STRAITSBRIDGE = SYNTHETIC_EN + "Straitsbridge Trade Capital Pte. Ltd."
ORCHID_LINE = SYNTHETIC_EN + "Orchid Line Motors Pte. Ltd."


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def synthetic_profiles(country: str):
    return Profile.objects.filter(is_synthetic=True, organisation__country=country)


def texts(profile: Profile) -> list[str]:
    """What a reader of the profile reads, in every field either language could be in."""
    return [
        profile.description_en,
        profile.description_zh,
        *profile.offer_lines(),
        *profile.need_lines(),
    ]


def database_state() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Organisation, Profile, User, Membership, AuditEntry)
    } | {"profiles": sorted(Profile.objects.values_list("pk", "updated_at", "verified_at"))}


def run_command(*args) -> str:
    out = StringIO()
    call_command("load_directory_demo", *args, stdout=out)
    return out.getvalue()


# --- without the main demo ------------------------------------------------------------------


def test_the_demo_loads_30_singapore_and_60_chongqing_synthetic_enterprises(fast_passwords):
    load_directory_demo(embed=False)

    assert synthetic_profiles("SG").count() == 30
    assert synthetic_profiles("CN").count() == 60
    assert Profile.objects.filter(is_synthetic=False).count() == 0
    organisations = Organisation.objects.filter(profile__isnull=False)
    assert organisations.count() == 90
    assert set(organisations.values_list("kind", "is_synthetic")) == {("enterprise", True)}
    assert all(o.name_en.startswith(SYNTHETIC_EN) for o in organisations)
    assert all(o.name_zh.startswith(SYNTHETIC_ZH) for o in organisations)
    assert set(organisations.values_list("country", "city")) == {
        ("SG", "Singapore"),
        ("CN", "Chongqing"),
    }


def test_each_profile_is_written_in_its_own_language(fast_passwords):
    load_directory_demo(embed=False)

    for profile in synthetic_profiles("SG"):
        assert profile.description_en and not profile.description_zh, profile
        assert 2 <= len(profile.offer_lines()) <= 4 and 2 <= len(profile.need_lines()) <= 4
        for text in texts(profile):
            assert not CJK.search(text), (profile, text)
        for text in [profile.description_en, *profile.offer_lines(), *profile.need_lines()]:
            assert LATIN.search(text), (profile, text)
        assert "en" in profile.languages
    for profile in synthetic_profiles("CN"):
        assert profile.description_zh and not profile.description_en, profile
        assert 2 <= len(profile.offer_lines()) <= 4 and 2 <= len(profile.need_lines()) <= 4
        for text in [profile.description_zh, *profile.offer_lines(), *profile.need_lines()]:
            assert CJK.search(text), (profile, text)
        assert "zh" in profile.languages


def test_both_sides_name_the_other_as_their_market():
    synthetic, _demo_users = read_demo_file()
    for spec in synthetic:
        other = "CN" if spec.country == "SG" else "SG"
        assert other in spec.target_markets, spec.key


def test_every_sector_code_is_a_sector_of_the_vocabulary(fast_passwords):
    synthetic, demo_users = read_demo_file()
    known = set(Sector.objects.values_list("code", flat=True))
    for spec in synthetic + demo_users:
        assert spec.sectors and set(spec.sectors) <= known, spec.key

    load_directory_demo(embed=False)
    for profile in Profile.objects.prefetch_related("organisation__sectors"):
        assert profile.organisation.sectors.exists(), profile
    assert Organisation.objects.filter(sectors__code="trade").exists()


def test_loading_twice_creates_no_duplicates_and_changes_nothing(fast_passwords):
    first = load_directory_demo(embed=False)
    assert first["organisations"] == 90 and first["profiles"] == 90
    state = database_state()

    assert load_directory_demo(embed=False) == {}
    assert database_state() == state


def test_members_only_profiles_are_hidden_from_visitors_and_verified_ones_are_dated(
    fast_passwords,
):
    load_directory_demo(embed=False)

    assert Profile.objects.visible_to(AnonymousUser()).count() == 80
    verified = Profile.objects.exclude(verified_at=None)
    assert verified.count() == 60
    assert set(verified.values_list("verified_at", "verified_by")) == {(VERIFIED_AT, None)}


def test_the_singapore_demo_user_logs_in_as_a_contact_of_a_trade_finance_house(
    client, fast_passwords
):
    load_directory_demo(embed=False)

    response = client.post(
        reverse("accounts:login"), {"username": "sgtrade", "password": DEMO_PASSWORD}
    )
    person = User.objects.get(username="sgtrade")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
    assert (person.name_en, person.name_zh) == ("Tan Wei Ming", "陈伟明")
    enterprise = Organisation.objects.get(memberships__user=person)
    assert (enterprise.name_en, enterprise.country) == (STRAITSBRIDGE, "SG")
    assert list(enterprise.profile.contacts.all()) == [person]
    assert "Cross-border RMB/SGD trade finance" in enterprise.profile.offers
    page = client.get(reverse("directory:recommendations", args=[enterprise.profile.pk]))
    assert page.status_code == 200


def test_the_command_says_what_it_created_then_that_nothing_changed(fast_passwords):
    first = run_command("--no-embed")
    assert "Organisations created: 90" in first
    assert "Enterprise profiles created: 90" in first
    assert "Demo users created: 1" in first
    assert "Synthetic enterprise profiles: 90" in first

    second = run_command("--no-embed")
    assert "The directory demo was already loaded; nothing changed." in second
    assert "created" not in second


def test_a_wrong_demo_file_is_refused_naming_the_entry(tmp_path):
    broken = DEMO_FILE.read_text(encoding="utf-8").replace(
        "sectors: [financial-services, trade]", "sectors: [financial-services, banking]", 1
    )
    path = tmp_path / "demo_profiles.yaml"
    path.write_text(broken, encoding="utf-8")

    with pytest.raises(ValueError, match="sg-straitsbridge-trade-capital: unknown sectors"):
        read_demo_file(path)


# --- with the main demo ---------------------------------------------------------------------


@pytest.fixture
def demo(fast_passwords):
    call_command("load_demo", stdout=StringIO())
    return load_directory_demo()  # with embeddings, as `make run` does


def test_the_qingling_demo_user_finds_a_distributor_and_trade_finance_for_its_vans(demo):
    qingling = User.objects.get(username="qingling")
    profile = Profile.objects.get(organisation__memberships__user=qingling)

    assert profile.organisation.name_en == "Qingling Motors"  # the real one, left as it is
    assert not profile.organisation.is_synthetic and profile.is_synthetic
    assert profile.description_zh.startswith(SYNTHETIC_ZH) and not profile.description_en
    assert "新加坡商用车经销商，负责销售和售后服务" in profile.need_lines()
    assert (profile.verified_at, profile.verified_by.username) == (VERIFIED_AT, "admin")
    assert list(profile.contacts.all()) == [qingling]

    top = [r.profile.organisation.name_en for r in recommendations_for(qingling, profile)[:5]]
    assert ORCHID_LINE in top and STRAITSBRIDGE in top


def test_the_demo_is_embedded_once_loaded_and_a_second_run_computes_nothing(demo):
    assert demo["embedded profiles"] == 91
    assert not Profile.objects.filter(embedded_at=None).exists()
    lines = sum(len(p.offer_lines()) + len(p.need_lines()) for p in Profile.objects.all())
    assert Statement.objects.count() == lines

    assert load_directory_demo() == {}
