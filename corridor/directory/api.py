"""The enterprise directory's JSON API, mounted at /api/directory/.

Thin: parse, call a query or a service, answer. Every profile is reached through
`Profile.objects.visible_to(request.user)`: a members-only profile answers 404 to anonymous
visitors and to people without a membership, exactly like one that does not exist. Writes go
through corridor.directory.services (a refused write answers 403, a wrong field 400 naming
it; nothing is written either way). Recommendations, their reasons and every message come in
the request's language (Accept-Language, or the language cookie); quoted offer and need lines
stay as their authors wrote them.

Recommendations answer 202 {"status": "computing", ...} while the profile's offers and needs
are still being embedded (right after it was created or changed): the request is fine and
will succeed shortly, so it is neither an error nor a conflict; ask again in a few seconds.
A connection request that was already answered or withdrawn answers 409 with the reason.
"""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import ConfigDict

from corridor.accounts.api import AUTH, AUTH_OR_ANONYMOUS, organisation_by_id
from corridor.accounts.models import Organisation
from corridor.core.api import (
    ErrorOut,
    Int64,
    LongText,
    NameText,
    Pages,
    PersonRefOut,
    conflict_or_raise,
    found_or_404,
)
from corridor.core.models import Sector
from corridor.directory import permissions, queries, search, services
from corridor.directory.models import Connection, ConnectionMessage, Feedback, Profile
from corridor.directory.recommendations import recommendations_for

router = Router(tags=["directory"])

SLUG = r"^[-a-z0-9_]+$"
NO_NULL_CHARACTER = r"^[^\x00]*$"
COUNTRY = r"^[A-Za-z]{2}$"


# --- schemas: out --------------------------------------------------------------------------


class ProfileSectorOut(Schema):
    code: str
    name_en: str
    name_zh: str


class ProfileRefOut(Schema):
    """Enough of a profile to name the enterprise."""

    id: int
    name_en: str = Field(..., alias="organisation.name_en")
    name_zh: str = Field(..., alias="organisation.name_zh")
    country: str = Field(..., alias="organisation.country")
    city: str = Field(..., alias="organisation.city")


class ProfileOut(ProfileRefOut):
    organisation_id: int
    sectors: list[ProfileSectorOut]
    description_en: str
    description_zh: str
    size: str
    offers: str = Field(..., description="One offer per line.")
    needs: str = Field(..., description="One need per line.")
    target_markets: list[str] = Field(..., description="ISO 3166 alpha-2 country codes.")
    languages: list[str] = Field(..., description='Working languages: "en" and/or "zh".')
    visibility: str
    is_verified: bool
    verified_at: datetime | None
    is_synthetic: bool
    updated_at: datetime
    version: int = Field(..., description="Send it back with PUT; a stale version answers 409.")

    @staticmethod
    def resolve_sectors(profile: Profile) -> list[Sector]:
        return list(profile.organisation.sectors.all())


class ProfileDetailOut(ProfileOut):
    contacts: list[PersonRefOut]
    can_edit: bool = Field(
        ..., description="The caller may change the profile and act for the enterprise."
    )

    @staticmethod
    def resolve_contacts(profile: Profile) -> list:
        return list(profile.contacts.all())

    @staticmethod
    def resolve_can_edit(profile: Profile, context) -> bool:
        return permissions.can_edit_profile(context["request"].user, profile.organisation)


class RecommendationOut(Schema):
    """One recommended enterprise (read from recommendations.Recommended)."""

    id: int = Field(..., alias="profile.id")
    name_en: str = Field(..., alias="profile.organisation.name_en")
    name_zh: str = Field(..., alias="profile.organisation.name_zh")
    country: str = Field(..., alias="profile.organisation.country")
    city: str = Field(..., alias="profile.organisation.city")
    score: float
    reasons: list[str] = Field(..., description="Why, strongest first, in the caller's language.")
    verdict: str = Field(..., description='The caller\'s feedback: "", interested or not_relevant.')

    @staticmethod
    def resolve_score(recommended) -> float:
        return round(recommended.score, 4)


class RecommendationsOut(Schema):
    status: str = Field(..., description='"ready", or "computing" (answered with 202).')
    detail: str
    items: list[RecommendationOut]


class FeedbackOut(Schema):
    candidate: int
    verdict: str = Field(..., description='"" when there is no feedback (any more).')


class ConnectionOut(Schema):
    id: int
    from_profile: ProfileRefOut
    to_profile: ProfileRefOut
    requested_by: PersonRefOut | None
    message: str
    status: str
    answer: str
    answered_at: datetime | None
    created_at: datetime


class ContactPersonOut(Schema):
    """A person to talk to at one side of an accepted connection."""

    id: int
    name_en: str
    name_zh: str
    email: str


class ConnectionSideOut(Schema):
    profile: ProfileRefOut
    contacts: list[ContactPersonOut] = Field(
        ..., description="Its contact persons; its members when it names none."
    )


class ConnectionDetailOut(ConnectionOut):
    sides: list[ConnectionSideOut] | None = Field(
        ...,
        description="Both enterprises' contact persons, once the request is accepted; null before.",
    )


class ConnectionMessageOut(Schema):
    id: int
    author: PersonRefOut | None
    organisation_id: int | None = Field(
        ...,
        alias="author_organisation_id",
        description="The side the author wrote for; null for the initiative's staff.",
    )
    text: str
    created_at: datetime


class ConnectionsOut(Schema):
    """The requests of the enterprises the caller belongs to, newest first."""

    received: list[ConnectionOut]
    sent: list[ConnectionOut]


# --- schemas: in ---------------------------------------------------------------------------


class ProfileFilters(Schema):
    q: str | None = Field(
        None,
        max_length=200,
        pattern=NO_NULL_CHARACTER,
        description=(
            "Words of the names, city, description, offers or needs (either language); "
            "profiles whose offers or needs say something close in meaning, in either "
            "language, follow those containing the words."
        ),
    )
    sector: str | None = Field(None, max_length=40, pattern=SLUG, description="A sector code.")
    country: str | None = Field(None, pattern=COUNTRY, description="ISO 3166 alpha-2 code.")
    city: str | None = Field(None, max_length=120, pattern=NO_NULL_CHARACTER)
    verified: bool = Field(False, description="Only profiles the administration verified.")

    def filter(self) -> queries.DirectoryFilter:
        return queries.DirectoryFilter(
            q=self.q or "",
            sector=self.sector or "",
            country=self.country or "",
            city=self.city or "",
            verified_only=self.verified,
        )


class ProfileFields(Schema):
    """The whole profile: its own fields left out become empty. The organisation's names,
    city and sectors, and the contact persons, keep their values when left out."""

    model_config = ConfigDict(extra="forbid")

    description_en: str = ""
    description_zh: str = ""
    size: str = Field("", description="micro, small, medium, large or empty.")
    offers: str = Field("", description="One offer per line, at most 12 lines.")
    needs: str = Field("", description="One need per line, at most 12 lines.")
    target_markets: list[str] = Field([], description="ISO 3166 alpha-2 country codes.")
    languages: list[str] = Field([], description='"en" and/or "zh".')
    visibility: str = Field(Profile.Visibility.PUBLIC.value, description="public or members.")
    name_en: NameText | None = None
    name_zh: NameText | None = None
    city: str | None = None
    sectors: list[str] | None = Field(None, description="Sector codes.")
    contacts: list[Int64] | None = Field(
        None, description="Ids of people of the organisation to contact."
    )


class ProfileIn(ProfileFields):
    organisation_id: int = Field(..., description="The organisation the profile presents.")


class ProfileUpdate(ProfileFields):
    version: int = Field(..., description="The `version` of the profile you read.")


class ProfileConflictOut(ErrorOut):
    """A change made from a version that is no longer the saved one: nothing was written;
    `current` is the profile as it is now."""

    current: ProfileDetailOut


class VerifyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    verified: bool


class RecommendationFilters(Schema):
    limit: int = Field(10, ge=1, le=50)
    across_border: bool = Field(
        True, description="Only enterprises in another country than this one."
    )


class FeedbackIn(Schema):
    model_config = ConfigDict(extra="forbid")

    candidate: int = Field(..., description="The id of the recommended profile.")
    verdict: str = Field(..., description='interested, not_relevant, or "" to take it back.')


class ConnectionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    from_profile: int = Field(..., description="Your enterprise's profile.")
    to_profile: int = Field(..., description="The profile of the enterprise you ask.")
    message: str = ""


class ConnectionMessageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: LongText = Field(..., max_length=ConnectionMessage.MAX_LENGTH)


class ConnectionAnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    accept: bool
    answer: str = ""


# --- helpers -------------------------------------------------------------------------------


def _visible_profile(request, profile_id: int) -> Profile:
    """The profile, if the caller may see it; 404 otherwise, never saying whether it exists."""
    return found_or_404(
        queries.profile_visible(request.user, profile_id),
        _("No enterprise profile has the id “%(value)s”."),
        profile_id,
    )


def _profile_named(request, profile_id: int, field: str) -> Profile:
    """A profile given in the body: one the caller cannot see is a field error."""
    profile = (
        Profile.objects.visible_to(request.user)
        .select_related("organisation")
        .filter(pk=profile_id)
        .first()
    )
    if profile is None:
        raise ValidationError({field: _("That enterprise is not in the directory.")})
    return profile


def _check_sector_code(code: str | None) -> None:
    if code and not Sector.objects.filter(code=code).exists():
        raise ValidationError(
            {
                "sector": _("“%(value)s” is not a sector; see /api/portfolio/sectors.")
                % {"value": code}
            }
        )


def _contacts(ids: list[int] | None):
    """The people named by id, or UNCHANGED; an unknown id is a field error (whether they
    belong to the organisation, the service checks)."""
    if ids is None:
        return services.UNCHANGED
    people = get_user_model().objects.in_bulk(ids)
    missing = [pk for pk in ids if pk not in people]
    if missing:
        raise ValidationError(
            {"contacts": _("No person has the id “%(value)s”.") % {"value": missing[0]}}
        )
    return [people[pk] for pk in dict.fromkeys(ids)]


def _save(
    request, organisation: Organisation, payload: ProfileFields, version: int | None = None
) -> Profile:
    """Save the profile's own fields as sent; the organisation's (names, city, sectors) and
    the contact persons only when sent (None: leave them as they are)."""
    own = {name: getattr(payload, name) for name in services.PROFILE_FIELDS}
    organisations = {
        name: services.UNCHANGED if getattr(payload, name) is None else getattr(payload, name)
        for name in ("name_en", "name_zh", "city", "sectors")
    }
    return services.profile_save(
        actor=request.user,
        organisation=organisation,
        version=version,
        contacts=_contacts(payload.contacts),
        **own,
        **organisations,
    )


def _visible_connection(request, connection_id: int) -> Connection:
    """A request of an enterprise the caller acts for (either side); 404 for the others."""
    return found_or_404(
        queries.connection_visible(request.user, connection_id),
        _("No connection request has the id “%(value)s”."),
        connection_id,
    )


# --- profiles ------------------------------------------------------------------------------


@router.get("/profiles", response=list[ProfileOut], auth=AUTH_OR_ANONYMOUS)
@paginate(Pages)
def profile_list(request, filters: Query[ProfileFilters]):
    """The profiles the caller may see (members-only ones need a membership), by name; with
    `q`, those containing every word first (by name), then those with an offer or need line
    close in meaning to it in either language (closest first)."""
    _check_sector_code(filters.sector)
    return search.directory_search(request.user, filters.filter())


@router.get("/profiles/{int:profile_id}", response=ProfileDetailOut, auth=AUTH_OR_ANONYMOUS)
def profile_detail(request, profile_id: int):
    return _visible_profile(request, profile_id)


@router.post("/profiles", response={201: ProfileDetailOut, 409: ErrorOut}, auth=AUTH)
def profile_create(request, payload: ProfileIn):
    """Create the profile of an organisation you belong to (one per organisation)."""
    organisation = organisation_by_id(payload.organisation_id, "organisation_id")
    existing = Profile.objects.filter(organisation=organisation).first()
    # Only someone who may edit it learns that it exists; the others get the service's 403.
    if existing is not None and permissions.can_edit_profile(request.user, organisation):
        message = _(
            "This organisation already has a profile: change it with PUT "
            "/api/directory/profiles/%(id)s."
        ) % {"id": existing.pk}
        return Status(409, {"detail": message, "errors": {"organisation_id": [message]}})
    profile = _save(request, organisation, payload)
    return Status(201, _visible_profile(request, profile.pk))


@router.put(
    "/profiles/{int:profile_id}",
    response={200: ProfileDetailOut, 409: ProfileConflictOut},
    auth=AUTH,
)
def profile_update(request, profile_id: int, payload: ProfileUpdate):
    """Replace the profile (see the body's description for what fields left out mean), with
    the `version` you read: if someone saved the profile since, the answer is 409 with the
    profile as it is now, and nothing is written."""
    profile = _visible_profile(request, profile_id)
    try:
        _save(request, profile.organisation, payload, version=payload.version)
    except ValidationError as exc:
        if "version" not in getattr(exc, "error_dict", {}):
            raise
        current = _visible_profile(request, profile_id)
        message = _(
            "Someone else changed this profile since you read it, so nothing was saved; it is "
            "now at version %(version)s. Read it again and send your change with that version."
        ) % {"version": current.version}
        return Status(
            409, {"detail": message, "errors": {"version": [message]}, "current": current}
        )
    return _visible_profile(request, profile_id)


@router.post("/profiles/{int:profile_id}/verify", response=ProfileDetailOut, auth=AUTH)
def profile_verify(request, profile_id: int, payload: VerifyIn):
    """Vouch that the enterprise is who it says it is, or withdraw it (administrators only)."""
    profile = _visible_profile(request, profile_id)
    services.profile_verify(actor=request.user, profile=profile, verified=payload.verified)
    return _visible_profile(request, profile_id)


# --- recommendations and feedback ----------------------------------------------------------


@router.get(
    "/profiles/{int:profile_id}/recommendations",
    response={200: RecommendationsOut, 202: RecommendationsOut},
    auth=AUTH,
)
def profile_recommendations(request, profile_id: int, filters: Query[RecommendationFilters]):
    """Counterparts for the enterprise, best first, for people who act for it. 202 with
    status "computing" while its offers and needs are being embedded: ask again shortly."""
    profile = _visible_profile(request, profile_id)
    found = recommendations_for(
        request.user, profile, limit=filters.limit, across_border=filters.across_border
    )
    if found is None:
        return Status(
            202,
            {
                "status": "computing",
                "detail": _(
                    "Recommendations for this profile are being prepared; ask again in a minute."
                ),
                "items": [],
            },
        )
    return {"status": "ready", "detail": "", "items": found}


@router.post("/profiles/{int:profile_id}/feedback", response=FeedbackOut, auth=AUTH)
def profile_feedback(request, profile_id: int, payload: FeedbackIn):
    """Mark a recommended enterprise interested or not relevant for this one; "" takes the
    mark back. It changes only your own recommendations."""
    profile = _visible_profile(request, profile_id)
    candidate = _profile_named(request, payload.candidate, "candidate")
    feedback: Feedback | None = services.feedback_record(
        actor=request.user, profile=profile, candidate=candidate, verdict=payload.verdict
    )
    return {"candidate": candidate.pk, "verdict": feedback.verdict if feedback else ""}


# --- connections ---------------------------------------------------------------------------


@router.get("/connections", response=ConnectionsOut, auth=AUTH)
def connection_list(request):
    """The connection requests of the enterprises you belong to, received and sent."""
    received: dict[int, Connection] = {}
    sent: dict[int, Connection] = {}
    for profile in queries.profiles_acted_for(request.user):
        mine = queries.connections_of(profile)
        received.update((c.pk, c) for c in mine.received)
        sent.update((c.pk, c) for c in mine.sent)

    def newest_first(connections: dict[int, Connection]) -> list[Connection]:
        return sorted(connections.values(), key=lambda c: (c.created_at, c.pk), reverse=True)

    return {"received": newest_first(received), "sent": newest_first(sent)}


@router.post("/connections", response={201: ConnectionOut}, auth=AUTH)
def connection_request(request, payload: ConnectionIn):
    """Ask, for your enterprise (`from_profile`), to connect with another (`to_profile`)."""
    connection = services.connection_request(
        actor=request.user,
        from_profile=_profile_named(request, payload.from_profile, "from_profile"),
        to_profile=_profile_named(request, payload.to_profile, "to_profile"),
        message=payload.message,
    )
    return Status(201, _visible_connection(request, connection.pk))


@router.post(
    "/connections/{int:connection_id}/answer",
    response={200: ConnectionOut, 409: ErrorOut},
    auth=AUTH,
)
def connection_answer(request, connection_id: int, payload: ConnectionAnswerIn):
    """Accept or decline a request your enterprise received."""
    connection = _visible_connection(request, connection_id)
    try:
        services.connection_answer(
            actor=request.user, connection=connection, accept=payload.accept, answer=payload.answer
        )
    except ValidationError as exc:
        return conflict_or_raise(exc)
    return _visible_connection(request, connection_id)


@router.post(
    "/connections/{int:connection_id}/withdraw",
    response={200: ConnectionOut, 409: ErrorOut},
    auth=AUTH,
)
def connection_withdraw(request, connection_id: int):
    """Take back a request your enterprise sent, while it has not been answered."""
    connection = _visible_connection(request, connection_id)
    try:
        services.connection_withdraw(actor=request.user, connection=connection)
    except ValidationError as exc:
        return conflict_or_raise(exc)
    return _visible_connection(request, connection_id)


@router.get("/connections/{int:connection_id}", response=ConnectionDetailOut, auth=AUTH)
def connection_detail(request, connection_id: int):
    """One request of an enterprise you act for; once accepted, with both sides' contact
    persons."""
    connection = _visible_connection(request, connection_id)
    connection.sides = queries.contacts_of(request.user, connection)
    return connection


@router.get(
    "/connections/{int:connection_id}/messages",
    response=list[ConnectionMessageOut],
    auth=AUTH,
)
def connection_messages(request, connection_id: int):
    """The messages between the two enterprises of an accepted connection, oldest first
    (none while the request is not accepted: messages can be written only after)."""
    connection = _visible_connection(request, connection_id)
    return queries.messages_of(request.user, connection) or []


@router.post(
    "/connections/{int:connection_id}/messages",
    response={201: ConnectionMessageOut, 409: ErrorOut},
    auth=AUTH,
)
def connection_message_post(request, connection_id: int, payload: ConnectionMessageIn):
    """Write to the other enterprise of an accepted connection; its people are told (in-app
    and by e-mail). 409 while the request is not accepted."""
    connection = _visible_connection(request, connection_id)
    if connection.status != Connection.Status.ACCEPTED:
        return Status(409, _not_in_dialogue(connection))
    message = services.connection_message_post(
        actor=request.user, connection=connection, text=payload.text
    )
    return Status(201, message)


def _not_in_dialogue(connection: Connection) -> dict:
    detail = _(
        "Messages can be written only once the request to connect is accepted; it is “%(status)s”."
    ) % {"status": connection.get_status_display()}
    return {"detail": detail, "errors": {"status": [detail]}}
