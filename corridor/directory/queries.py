"""Reads that the directory pages and the API share. Every read starts from
`Profile.objects.visible_to(user)`, so members-only profiles never reach outsiders."""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from corridor.accounts.models import Organisation
from corridor.core import terms
from corridor.directory.models import Connection, ConnectionMessage, Feedback, Profile

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def search_words(q: str) -> list[str]:
    return [word for word in re.split(r"[\s,;，；、]+", (q or "").lower()) if word][:10]


def _word_filter(profiles: QuerySet, word: str) -> QuerySet:
    """One search word. Chinese has no spaces, so a Chinese word is a substring match on both
    databases; on PostgreSQL a Latin word uses English full-text search (so "logistic" finds
    "logistics"), with a substring match beside it for codes and partial names."""
    if connection.vendor == "postgresql" and not CJK.search(word):
        from django.contrib.postgres.search import SearchQuery, SearchVector

        return profiles.annotate(search=SearchVector("search_document", config="english")).filter(
            Q(search=SearchQuery(word, config="english", search_type="plain"))
            | Q(search_document__contains=word)
        )
    return profiles.filter(search_document__contains=word)


def directory(
    user,
    *,
    q: str = "",
    sector: str = "",
    country: str = "",
    city: str = "",
    verified_only: bool = False,
) -> QuerySet:
    """The profiles the user may see, filtered. Every word of `q` must appear (in the names,
    city, description, offers or needs, in either language). A name of goods or a service
    from the bilingual list `core/data/terms.yaml` ("trade finance", "电动货车") counts as
    present when any name of its entry is, in either language: "trade finance" also finds
    "贸易融资", and "electric van" finds "纯电动厢式货车"."""
    profiles = Profile.objects.visible_to(user)
    named, rest = terms.terms_in(q)
    for term in named:
        any_name = Q()
        for name in term.names:
            any_name |= Q(search_document__contains=name)
        profiles = profiles.filter(any_name)
    for word in search_words(rest):
        profiles = _word_filter(profiles, word)
    if sector:
        profiles = profiles.filter(organisation__sectors__code=sector)
    if country:
        profiles = profiles.filter(organisation__country=country.upper())
    if city:
        profiles = profiles.filter(organisation__city__iexact=city.strip())
    if verified_only:
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
    from corridor.accounts import roles

    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Profile.objects.filter(organisation_id__in=roles.organisation_ids(user))
        .select_related("organisation")
        .order_by("organisation__name_en")
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
    from corridor.directory.services import acts_for_either_side

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
    if connection is None or not acts_for_either_side(user, connection):
        return None
    return connection


@dataclass
class Side:
    """One enterprise of a connection and the people to talk to there."""

    profile: Profile
    contacts: list
    named: bool  # False: the profile names no contact person, so these are its members


def contacts_of(user, connection: Connection) -> list[Side] | None:
    """Both sides' contact persons (the profile's contacts, else its members), for people in
    the dialogue (services.in_dialogue); None for everyone else."""
    from corridor.accounts.notifications import people_of
    from corridor.directory.services import in_dialogue

    if not in_dialogue(user, connection):
        return None
    sides = []
    for profile in (connection.from_profile, connection.to_profile):
        named = [person for person in profile.contacts.all() if person.is_active]
        sides.append(Side(profile, named or people_of(profile.organisation_id), bool(named)))
    return sides


def messages_of(user, connection: Connection) -> list[ConnectionMessage] | None:
    """The connection's messages, oldest first, for people in the dialogue; None for others."""
    from corridor.directory.services import in_dialogue

    if not in_dialogue(user, connection):
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
    from corridor.accounts import roles

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
