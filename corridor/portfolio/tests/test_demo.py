"""The demo data that `make run` loads: real facts with their sources, a synthetic set
labelled synthetic, demo logins that work, and a second run that changes nothing."""

from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from corridor.accounts import roles
from corridor.accounts.models import Membership, Organisation, User
from corridor.core.models import AuditEntry, FxRate
from corridor.portfolio.demo import (
    DEMO_PASSWORD,
    FX_SOURCE,
    SECTOR_WEIGHTS,
    SYNTHETIC_EN,
    SYNTHETIC_ZH,
    demo_counts,
)
from corridor.portfolio.models import (
    Innovation,
    Project,
    ProjectParty,
    ProjectStatusChange,
    PublishedFigure,
)

REAL_PROJECTS = {
    "CCI-DEMO-REAL-2015-FRAMEWORK",
    "CCI-DEMO-REAL-2017-LOGISTICS-PLATFORM",
    "CCI-DEMO-REAL-2019-DATA-CHANNEL",
    "CCI-DEMO-REAL-2024-QINGLING-EV-VANS",
    "CCI-DEMO-REAL-2025-DEJIA-MEAT-EXPORTS",
    "CCI-DEMO-REAL-NUS-CHONGQING-RESEARCH-INSTITUTE",
    "CCI-DEMO-REAL-RAFFLES-CITY-CHONGQING",
}


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def database_state() -> dict:
    """Counts of every table the demo writes, and the rows that people read."""
    models = [
        User,
        Organisation,
        Membership,
        FxRate,
        Project,
        ProjectParty,
        ProjectStatusChange,
        Innovation,
        PublishedFigure,
        AuditEntry,
    ]
    state: dict = {model.__name__: model.objects.count() for model in models}
    state["projects"] = list(
        Project.objects.order_by("external_id").values_list(
            "external_id", "title_en", "status", "value", "value_usd", "is_published", "updated_at"
        )
    )
    state["parties"] = sorted(
        ProjectParty.objects.values_list("project__external_id", "organisation__name_en", "role")
    )
    return state


@pytest.mark.django_db
def test_loading_the_demo_twice_changes_nothing(fast_passwords):
    load_demo()
    first = database_state()

    output = load_demo()

    assert "The demo data was already loaded; nothing changed." in output
    assert database_state() == first
    assert first["Project"] == 307
    assert first["Organisation"] == 52
    assert first["User"] == 4
    assert first["FxRate"] == 22
    assert first["PublishedFigure"] == 20


@pytest.mark.django_db
def test_real_facts_carry_sources_and_synthetic_records_are_labelled(fast_passwords):
    load_demo()

    real = Project.objects.filter(is_synthetic=False)
    assert set(real.values_list("external_id", flat=True)) == REAL_PROJECTS
    assert [p.external_id for p in real if not p.source_url.startswith("http")] == []
    real_innovations = Innovation.objects.filter(is_synthetic=False)
    assert real_innovations.count() == 4
    assert [i.external_id for i in real_innovations if not i.source_url.startswith("http")] == []

    synthetic = Project.objects.filter(is_synthetic=True)
    assert synthetic.count() == 300
    assert synthetic.exclude(title_en__startswith=SYNTHETIC_EN).count() == 0
    assert synthetic.exclude(title_zh__startswith=SYNTHETIC_ZH).count() == 0
    assert (
        Project.objects.filter(title_en__startswith=SYNTHETIC_EN, is_synthetic=False).count() == 0
    )
    synthetic_organisations = Organisation.objects.filter(is_synthetic=True)
    assert synthetic_organisations.count() == 40
    assert synthetic_organisations.exclude(name_en__startswith=SYNTHETIC_EN).count() == 0
    assert synthetic_organisations.exclude(name_zh__startswith=SYNTHETIC_ZH).count() == 0
    assert set(synthetic_organisations.values_list("country", flat=True)) == {"CN", "SG"}
    assert (
        Innovation.objects.filter(is_synthetic=True)
        .exclude(title_en__startswith=SYNTHETIC_EN)
        .count()
        == 0
    )
    # Synthetic projects never name a real organisation as a party.
    assert (
        ProjectParty.objects.filter(
            project__is_synthetic=True, organisation__is_synthetic=False
        ).count()
        == 0
    )


@pytest.mark.django_db
def test_the_synthetic_set_covers_years_kinds_statuses_and_currencies(fast_passwords):
    load_demo()
    synthetic = Project.objects.filter(is_synthetic=True)

    assert set(synthetic.values_list("signed_year", flat=True)) == set(range(2016, 2026))
    assert set(synthetic.values_list("kind", flat=True)) == set(Project.Kind.values)
    assert set(synthetic.values_list("status", flat=True)) == set(Project.Status.values)
    assert set(synthetic.values_list("currency", flat=True)) == {"", "USD", "SGD", "CNY"}
    assert synthetic.values("sector").distinct().count() == len(
        SECTOR_WEIGHTS
    )  # every sector the generator draws from
    # A sub-project whose framework agreement states a value is not counted again.
    children_of_valued = synthetic.filter(parent__value_usd__isnull=False, value_usd__isnull=False)
    assert children_of_valued.exists()
    assert children_of_valued.exclude(counted_value_usd=Decimal("0")).count() == 0


@pytest.mark.django_db
def test_unpublished_demo_projects_are_seen_only_by_administrators(fast_passwords):
    load_demo()
    unpublished = Project.objects.filter(is_published=False)
    admin = User.objects.get(username="admin")

    assert unpublished.count() > 0
    assert Project.objects.visible_to(AnonymousUser()).filter(is_published=False).count() == 0
    assert Project.objects.visible_to(admin).count() == Project.objects.count() == 307


@pytest.mark.django_db
def test_demo_logins_work_with_the_demo_password(client, fast_passwords):
    load_demo()

    for username in ["admin", "facilitator", "qingling", "motorway"]:
        response = client.post(
            reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
        client.logout()

    assert roles.is_initiative_admin(User.objects.get(username="admin"))
    facilitator = User.objects.get(username="facilitator")
    assert roles.is_facilitator(facilitator) and not roles.is_initiative_admin(facilitator)
    qingling = User.objects.get(username="qingling")
    assert [m.organisation.name_en for m in qingling.memberships.all()] == ["Qingling Motors"]
    assert qingling.name_en == "Demo Qingling Member"
    assert not roles.is_facilitator(qingling)


@pytest.mark.django_db
def test_published_figures_of_november_2025_with_their_source(fast_passwords):
    load_demo()

    projects = PublishedFigure.objects.get(metric="project_count", as_of=date(2025, 11, 7))
    assert projects.value == Decimal("347")
    assert projects.qualifier == "exact"
    assert projects.kinds == ["g2g", "g2b", "commercial"]
    assert projects.source_url == "http://en.people.cn/n3/2025/1107/c90000-20388001.html"
    value = PublishedFigure.objects.get(
        metric="project_value_usd", as_of=date(2025, 11, 7), kinds=["g2g", "g2b", "commercial"]
    )
    assert (value.value, value.qualifier) == (Decimal("26000000000"), "at_least")
    innovations = PublishedFigure.objects.get(metric="innovation_count")
    assert innovations.value == Decimal("33")
    published_years = set(PublishedFigure.objects.values_list("as_of__year", flat=True))
    assert published_years == {2018, 2019, 2020, 2021, 2023, 2025}
    assert PublishedFigure.objects.filter(source_url="").count() == 0


@pytest.mark.django_db
def test_a_value_in_yuan_says_which_synthetic_rate_it_used(fast_passwords):
    load_demo()

    raffles = Project.objects.get(external_id="CCI-DEMO-REAL-RAFFLES-CITY-CHONGQING")
    assert (raffles.value, raffles.currency) == (Decimal("24000000000.00"), "CNY")
    assert raffles.signed_on is None
    assert raffles.fx_rate.date == date(2025, 1, 1)
    assert raffles.fx_rate.source == FX_SOURCE
    assert raffles.value_usd == Decimal("3336000000.00")
    assert FxRate.objects.exclude(source=FX_SOURCE).count() == 0


@pytest.mark.django_db
def test_the_demo_database_holds_the_same_records_and_totals(fast_passwords):
    """The demo file and its loader give this database, to the record and to the dollar: a
    change to the file, or to the order the generator reads it in, shows here."""
    load_demo()

    assert demo_counts() == {
        "real projects": 7,
        "synthetic projects": 300,
        "published projects": 283,
        "sub-projects": 39,
        "project parties": 701,
        "status changes": 555,
        "real innovations": 4,
        "synthetic innovations": 12,
        "organisations": 52,
        "synthetic organisations": 40,
        "users": 4,
        "exchange rates": 22,
        "published figures": 20,
    }
    totals = Project.objects.aggregate(value=Sum("value_usd"), counted=Sum("counted_value_usd"))
    # without the Dejia agreement's US$10.8 million, an export target (see corridor/results)
    assert totals == {"value": Decimal("23255685331.00"), "counted": Decimal("22350961631.00")}
    assert dict(Counter(Project.objects.values_list("kind", flat=True))) == {
        "commercial": 137,
        "financing": 91,
        "g2b": 59,
        "g2g": 20,
    }
    assert dict(Counter(Project.objects.values_list("status", flat=True))) == {
        "signed": 136,
        "in_progress": 86,
        "completed": 60,
        "terminated": 20,
        "suspended": 5,
    }
    assert AuditEntry.objects.count() == 956
