"""Reads that the directory pages and the API share. Every read starts from
`Profile.objects.visible_to(user)`, so members-only profiles never reach outsiders."""

import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.accounts.notifications import people_of
from corridor.core import terms
from corridor.directory import permissions
from corridor.directory.models import Connection, ConnectionMessage, Feedback, Profile

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def search_words(q: str) -> list[str]:
    return [word for word in re.split(r"[\s,;，；、]+", (q or "").lower()) if word][:10]


def _word_filter(profiles: QuerySet, word: str) -> QuerySet:
    """One search word. Chinese has no spaces, so a Chinese word is a substring match on both
    databases; on PostgreSQL a Latin word uses English full-text search (so "logistic" finds
    "logistics"), with a substring match beside it for codes and partial names."""
    if connection.vendor == "postgresql" and not CJK.search(word):
        return profiles.annotate(search=SearchVector("search_document", config="english")).filter(
            Q(search=SearchQuery(word, config="english", search_type="plain"))
            | Q(search_document__contains=word)
        )
    return profiles.filter(search_document__contains=word)


@dataclass(frozen=True)
class DirectoryFilter:
    """What a directory list is filtered by: the page's form and the API's query both
    produce one (`DirectoryFilterForm.filter`, `ProfileFilters.filter`)."""

    q: str = ""
    sector: str = ""
    country: str = ""
    city: str = ""
    verified_only: bool = False


def directory(user, filters: DirectoryFilter = DirectoryFilter()) -> QuerySet:
    """The profiles the user may see, filtered. Every word of `filters.q` must appear (in the names,
    city, description, offers or needs, in either language). A name of goods or a service
    from the bilingual list `core/data/terms.yaml` ("trade finance", "电动货车") counts as
    present when any name of its entry is, in either language: "trade finance" also finds
    "贸易融资", and "electric van" finds "纯电动厢式货车"."""
    profiles = Profile.objects.visible_to(user)
    named, rest = terms.terms_in(filters.q)
    for term in named:
        any_name = Q()
        for name in term.names:
            any_name |= Q(search_document__contains=name)
        profiles = profiles.filter(any_name)
    for word in search_words(rest):
        profiles = _word_filter(profiles, word)
    if filters.sector:
        profiles = profiles.filter(organisation__sectors__code=filters.sector)
    if filters.country:
        profiles = profiles.filter(organisation__country=filters.country.upper())
    if filters.city:
        profiles = profiles.filter(organisation__city__iexact=filters.city.strip())
    if filters.verified_only:
        profiles = profiles.filter(verified_at__isnull=False)
    return (
        profiles.select_related("organisation")
        .prefetch_related("organisation__sectors")
        .order_by("organisation__name_en", "id")
        .distinct()
    )


def profile_visible(user, pk: int) -> Profile | None:
    return (
        Profile.objects.visible_to(user)
        .select_related("organisation", "verified_by")
        .prefetch_related("organisation__sectors", "contacts")
        .filter(pk=pk)
        .first()
    )


def profiles_acted_for(user) -> list[Profile]:
    """The profiles of the organisations the user belongs to (whose recommendations and
    requests they handle)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Profile.objects.filter(organisation_id__in=roles.organisation_ids(user))
        .select_related("organisation")
        .order_by("organisation__name_en")
    )


def countries(user) -> list[str]:
    """The countries of the profiles the user may see."""
    return list(
        Profile.objects.visible_to(user)
        .order_by()
        .values_list("organisation__country", flat=True)
        .distinct()
    )


def organisations_without_profile(user) -> list[Organisation]:
    """The user's organisations (the administration aside) that have no profile yet."""
    return list(
        Organisation.objects.filter(
            pk__in=roles.organisation_ids(user), is_administration=False, profile__isnull=True
        ).order_by("name_en", "id")
    )


def requests_waiting(profiles: list[Profile]) -> int:
    """How many requests to connect these profiles received and have not answered."""
    if not profiles:
        return 0
    return Connection.objects.filter(
        to_profile__in=profiles, status=Connection.Status.PENDING
    ).count()


def own_profiles_beside(user, profile: Profile) -> list[Profile]:
    """The user's other enterprises' profiles, each with `open_connection`: its open request
    with `profile`, either way (None when there is none)."""
    own = [p for p in profiles_acted_for(user) if p.pk != profile.pk]
    for own_profile in own:
        own_profile.open_connection = connection_between(own_profile, profile)
    return own


def open_connections(profile: Profile, others: list[int]) -> dict[int, Connection]:
    """{other profile id: the open request between it and `profile`}, in one query."""
    found = Connection.objects.filter(status__in=Connection.OPEN).filter(
        Q(from_profile=profile, to_profile_id__in=others)
        | Q(to_profile=profile, from_profile_id__in=others)
    )
    return {
        (c.to_profile_id if c.from_profile_id == profile.pk else c.from_profile_id): c
        for c in found
    }


def members_of(organisation: Organisation) -> list:
    """The organisation's members, by name (whom a profile may name as contact persons)."""
    return list(
        get_user_model()
        .objects.filter(memberships__organisation=organisation)
        .order_by("name_en", "username")
    )


def cities(user) -> list[str]:
    return sorted(
        set(
            Profile.objects.visible_to(user)
            .exclude(organisation__city="")
            .values_list("organisation__city", flat=True)
        )
    )


@dataclass
class Connections:
    received: list[Connection]
    sent: list[Connection]


def connections_of(profile: Profile) -> Connections:
    related = ("from_profile__organisation", "to_profile__organisation", "requested_by")
    return Connections(
        received=list(profile.connections_received.select_related(*related)),
        sent=list(profile.connections_sent.select_related(*related)),
    )


def connection_between(profile: Profile, other: Profile) -> Connection | None:
    """The open (pending or accepted) request between two enterprises, either way."""
    return (
        Connection.objects.filter(status__in=Connection.OPEN)
        .filter(
            Q(from_profile=profile, to_profile=other) | Q(from_profile=other, to_profile=profile)
        )
        .first()
    )


def feedback_of(user, profile: Profile) -> dict[int, str]:
    """{candidate profile id: verdict} of this user for this profile."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return dict(
        Feedback.objects.filter(user=user, profile=profile).values_list("candidate_id", "verdict")
    )


def connection_visible(user, pk: int) -> Connection | None:
    """The request, if the user acts for one of its two enterprises (or is the initiative's
    staff); None otherwise, never saying whether it exists."""
    connection = (
        Connection.objects.select_related(
            "from_profile__organisation",
            "to_profile__organisation",
            "requested_by",
            "answered_by",
        )
        .filter(pk=pk)
        .first()
    )
    if connection is None or not permissions.acts_for_either_side(user, connection):
        return None
    return connection


@dataclass
class Side:
    """One enterprise of a connection and the people to talk to there."""

    profile: Profile
    contacts: list
    named: bool  # False: the profile names no contact person, so these are its members


def people_of_profile(profile: Profile) -> list:
    """Whom to tell about a profile's requests, and whom a connected enterprise talks to:
    its contact persons, else its members (`accounts.notifications.people_of`)."""
    return people_of(profile.organisation_id, contacts=profile.contacts.all())


def contacts_of(user, connection: Connection) -> list[Side] | None:
    """Both sides' contact persons (`people_of_profile`), for people in the dialogue
    (permissions.in_dialogue); None for everyone else."""
    if not permissions.in_dialogue(user, connection):
        return None
    sides = []
    for profile in (connection.from_profile, connection.to_profile):
        named = list(profile.contacts.all())
        people = people_of(profile.organisation_id, contacts=named)
        sides.append(Side(profile, people, named=any(person.is_active for person in named)))
    return sides


def messages_of(user, connection: Connection) -> list[ConnectionMessage] | None:
    """The connection's messages, oldest first, for people in the dialogue; None for others."""
    if not permissions.in_dialogue(user, connection):
        return None
    return list(connection.messages.select_related("author", "author_organisation"))


@dataclass
class EnterpriseSummary:
    """One of the user's enterprises on the home page: its directory profile (None: it has
    none yet) and its connection requests."""

    organisation: Organisation
    profile: Profile | None
    awaiting_answer: list[Connection]  # requests it received and has not answered
    accepted: list[Connection]


def enterprises_of(user) -> list[EnterpriseSummary]:
    """The user's enterprises and partner organisations, with their directory profile, the
    connection requests waiting for their answer and the accepted connections. Two queries
    per profile, plus two."""
    if not getattr(user, "is_authenticated", False):
        return []
    kinds = frozenset({Organisation.Kind.ENTERPRISE, Organisation.Kind.PARTNER})
    organisations = list(
        Organisation.objects.filter(pk__in=roles.acting_organisation_ids(user, kinds)).order_by(
            "name_en", "id"
        )
    )
    profiles = {
        p.organisation_id: p
        for p in Profile.objects.filter(organisation__in=organisations).select_related(
            "organisation"
        )
    }
    summaries = []
    for organisation in organisations:
        profile = profiles.get(organisation.pk)
        awaiting, accepted = [], []
        if profile is not None:
            connections = connections_of(profile)
            awaiting = [c for c in connections.received if c.status == Connection.Status.PENDING]
            accepted = [
                c
                for c in connections.received + connections.sent
                if c.status == Connection.Status.ACCEPTED
            ]
        summaries.append(EnterpriseSummary(organisation, profile, awaiting, accepted))
    return summaries
