"""The JSON API under /api/, with OpenAPI docs at /api/docs.

Authentication: the browser session (with CSRF on unsafe methods) or a personal token sent
as `Authorization: Bearer <token>`. Public reads use AUTH_OR_ANONYMOUS: a request without
credentials passes as the anonymous user (and sees only what is published), but a token
that is wrong or revoked is refused with 401 rather than silently treated as anonymous.

Every app adds its own router here. Errors are JSON 4xx bodies:
{"detail": "...", "errors": {"field": ["reason", ...]}}.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from corridor.accounts.models import ApiToken


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
    the anonymous user, which is truthy, so ninja stops looking and does not answer 401."""

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


api = NinjaAPI(
    title="Corridor API",
    version="1",
    description="Projects, institutional innovations and published figures of the initiative.",
    urls_namespace="api",
    docs_url="/docs",
)


def error_response(request, status: int, detail: str, errors: dict | None = None):
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


def validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errs for m in e.messages]
            for field, errs in exc.error_dict.items()
        }
    return {"__all__": [str(m) for m in exc.messages]}


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    return error_response(request, 400, _("The request has errors."), validation_errors(exc))


# Where ninja says a parameter came from, and the names handlers give to a parameter that
# stands for the whole body or query string: none of them is a field the client sent.
NOT_FIELD_NAMES = {"body", "query", "path", "payload", "filters"}


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        field = ".".join(str(p) for p in error.get("loc", []) if p not in NOT_FIELD_NAMES)
        errors.setdefault(field or "__all__", []).append(str(error.get("msg", "")))
    return error_response(request, 422, _("The request has errors."), errors)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return error_response(request, 403, str(exc) or _("You do not have permission to do this."))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, _("Not found."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return error_response(
        request,
        401,
        _("Authentication required: log in, or send a valid token as “Authorization: Bearer …”."),
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        # ninja's message for a body that is not JSON; say it in the user's language.
        return error_response(
            request, 400, _("The request body is not valid JSON; send a JSON object.")
        )
    return error_response(request, exc.status_code, str(exc))


api.add_router("/portfolio/", "corridor.portfolio.api.router")
api.add_router("/accounts/", "corridor.accounts.api.router")
