"""Authentication, pagination and the schemas shared by every app's API router.

Apps import these from here (core sits below every app); `corridor/api.py` builds the
NinjaAPI, its error handlers and mounts the apps' routers.

Schema names are the names of the OpenAPI document's components, one namespace for the whole
API: two apps' schemas never share a name (prefix them by what they describe: `CasePartyOut`,
`ProjectPartyOut`), and a shape several apps answer with is defined once here.

Authentication: the browser session (with CSRF on unsafe methods) or a personal token sent
as `Authorization: Bearer <token>`. Public reads use AUTH_OR_ANONYMOUS: a request without
credentials passes as the anonymous user (and sees only what is published), but a token
that is wrong or revoked is refused with 401 rather than silently treated as anonymous.
"""

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.pagination import PageNumberPagination
from ninja.responses import Status
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import AfterValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from corridor.accounts.models import ApiToken, Organisation
from corridor.core.validators import long_text_problem, name_text_problem


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        api_token = ApiToken.objects.for_raw(token).first()
        if api_token is None:
            # A token was sent but is unknown or revoked: refuse (401), never fall back.
            raise AuthenticationError()
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The Django session; unsafe methods also need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=True)

    def _get_key(self, request):
        if not request.user.is_authenticated:
            # No session: let the next method answer (anonymous read, or 401).
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(
                403,
                _("The CSRF token is missing or wrong; reload the page and try again."),
            )
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return request.user
        return None


class Anonymous:
    """Lets a request through without credentials (public reads): `request.auth` is then
    the anonymous user, which is truthy, so ninja stops looking and does not answer 401.
    The OpenAPI document marks an operation that accepts it as needing no credentials."""

    allows_anonymous = True

    def __call__(self, request):
        return getattr(request, "user", None) or True


token_auth = TokenAuth()
session_auth = SessionAuth()
AUTH = [token_auth, session_auth]
AUTH_OR_ANONYMOUS = [token_auth, session_auth, Anonymous()]


class Pages(PageNumberPagination):
    """ninja's page-number pagination, answering also which page this is and how many
    there are: {"items": [...], "count": 120, "page": 1, "page_size": 50, "pages": 3}."""

    class Input(Schema):
        # bounded, so that the database's OFFSET never overflows
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1)

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int
        pages: int

    def paginate_queryset(self, queryset, pagination, request, **params):
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        count = self._items_count(queryset)
        return {
            "items": queryset[offset : offset + page_size],
            "count": count,
            "page": pagination.page,
            "page_size": page_size,
            "pages": max(1, -(-count // page_size)),
        }


def organisation_by_id(organisation_id: int, field: str):
    """The organisation a payload names by id, or a 400 naming the payload's field."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise ValidationError(
            {field: _("No organisation has the id “%(value)s”.") % {"value": organisation_id}}
        )
    return organisation


def person_by_id(user_id: int | None, field: str):
    """The person a payload names by id (None when it names nobody), or a 400 naming the
    payload's field."""
    if user_id is None:
        return None
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise ValidationError({field: _("No person has the id “%(value)s”.") % {"value": user_id}})
    return user


# --- schemas shared by several apps --------------------------------------------------------


class ErrorOut(Schema):
    """Every 4xx answer: a sentence, and the fields at fault with their reasons."""

    detail: str
    errors: dict[str, list[str]] = Field(
        ..., description='{"field": ["reason", ...]}; "__all__" when no single field is at fault.'
    )


class OrganisationRefOut(Schema):
    """Enough of an organisation to name it."""

    id: int
    name_en: str
    name_zh: str
    country: str


class PersonRefOut(Schema):
    """Enough of a person to name them."""

    id: int
    display_name: str


def _check_name_text(value: str | None, info: ValidationInfo) -> str | None:
    if value:
        problem = name_text_problem(value, info.field_name or "")
        if problem:
            raise PydanticCustomError("name_text", problem)
    return value


# A whole number the databases can store (64 bits): an id, a version, a count. A larger one is
# refused as a field error rather than overflowing in the database (500).
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]


def _on_the_wall_clock(value: time) -> time:
    """A time of day given with an offset, as the initiative's wall clock (UTC+8) shows it."""
    if value.tzinfo is None:
        return value
    moment = datetime.combine(date(2000, 1, 3), value.replace(tzinfo=None)) - value.utcoffset()
    return timezone.localtime(moment.replace(tzinfo=UTC)).time()


# A time of day on the initiative's wall clock (an event's session): "09:00:00", no offset,
# since it belongs to a date given beside it. One sent with an offset is converted.
WallClockTime = Annotated[
    time,
    AfterValidator(_on_the_wall_clock),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$",
            "description": "A local time of day (UTC+8), HH:MM[:SS], without an offset.",
        }
    ),
]

# A name or a title: one line, with no control character and no bidirectional override.
NameText = Annotated[str, AfterValidator(_check_name_text)]


def _check_long_text(value: str | None, info: ValidationInfo) -> str | None:
    if value:
        problem = long_text_problem(value, info.field_name or "")
        if problem:
            raise PydanticCustomError("long_text", problem)
    return value


# A longer text (a message): line breaks allowed; no other control character and no
# bidirectional override.
LongText = Annotated[str, AfterValidator(_check_long_text)]


def choices_of(enum, name: str):
    """A Django choices enum as a query parameter, documented under its own name (two apps'
    `Kind` or `Status` enums would otherwise share one OpenAPI component)."""
    return Annotated[
        enum, WithJsonSchema({"type": "string", "enum": list(enum.values), "title": name})
    ]


def conflict_or_raise(exc: ValidationError, field: str = "status"):
    """A write refused because the record is no longer in the state it needs (the service
    names `field`, e.g. a request already answered) answers 409 with the service's sentence;
    other errors stay 400."""
    errors = getattr(exc, "message_dict", {})
    if field in errors:
        return Status(409, {"detail": errors[field][0], "errors": errors})
    raise exc
