"""factory_boy factories for domain objects, shared by all apps' tests and benchmarks."""

import datetime
from decimal import Decimal

import factory

from corridor.accounts.models import Membership, Organisation, User
from corridor.core.models import FxRate, Sector
from corridor.portfolio.models import Innovation, Project, ProjectParty, PublishedFigure


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    name_en = factory.Sequence(lambda n: f"Person {n}")
    name_zh = factory.Sequence(lambda n: f"人员{n}")
    password = factory.django.Password("correct horse battery staple")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name_en = factory.Sequence(lambda n: f"Organisation {n}")
    name_zh = factory.Sequence(lambda n: f"机构{n}")
    kind = Organisation.Kind.ENTERPRISE
    country = "SG"
    city = "Singapore"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER


def sector(code: str = "ict") -> Sector:
    return Sector.objects.get(code=code)


class FxRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FxRate
        django_get_or_create = ("currency", "date")

    currency = "SGD"
    date = datetime.date(2020, 1, 1)
    usd_per_unit = Decimal("0.74")
    source = "Test rate"


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project written straight to the database (for read tests); writes under test
    go through corridor.portfolio.services."""

    class Meta:
        model = Project

    external_id = factory.Sequence(lambda n: f"TEST-{n}")
    title_en = factory.Sequence(lambda n: f"Project {n}")
    title_zh = factory.Sequence(lambda n: f"项目{n}")
    kind = Project.Kind.COMMERCIAL
    status = Project.Status.SIGNED
    sector = factory.LazyFunction(lambda: sector("ict"))
    value = Decimal("1000000")
    currency = "USD"
    value_usd = factory.LazyAttribute(lambda p: p.value)
    counted_value_usd = factory.LazyAttribute(lambda p: p.value)
    signed_on = datetime.date(2020, 6, 1)
    signed_year = factory.LazyAttribute(lambda p: p.signed_on.year if p.signed_on else None)
    owner = factory.SubFactory(OrganisationFactory)
    is_published = True


class ProjectPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectParty

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = ProjectParty.Role.INITIATOR


class InnovationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Innovation

    external_id = factory.Sequence(lambda n: f"INNOV-{n}")
    title_en = factory.Sequence(lambda n: f"Innovation {n}")
    title_zh = factory.Sequence(lambda n: f"创新{n}")
    category = Innovation.Category.TRADE
    adopted_on = datetime.date(2019, 1, 1)
    is_published = True


class PublishedFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublishedFigure

    metric = PublishedFigure.Metric.PROJECT_COUNT
    value = Decimal("347")
    qualifier = PublishedFigure.Qualifier.EXACT
    as_of = datetime.date(2025, 11, 7)
    scope_en = "Government and commercial projects"
    scope_zh = "政府和商业合作项目"
    publisher = "People's Daily"
    source_url = "http://en.people.cn/n3/2025/1107/c90000-20388001.html"
    checked_on = datetime.date(2026, 11, 28)
