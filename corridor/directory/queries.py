"""Reads that the directory pages and the API share. Every read starts from
`Profile.objects.visible_to(user)`, so members-only profiles never reach outsiders."""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from corridor.accounts.models import Organisation
from corridor.directory.models import Connection, Feedback, Profile

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
    city, description, offers or needs, in either language)."""
    profiles = Profile.objects.visible_to(user)
    for word in search_words(q):
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
