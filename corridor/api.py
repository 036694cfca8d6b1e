"""The JSON API under /api/, with OpenAPI docs at /api/docs.

Authentication: the browser session (with CSRF) or a personal token sent as
`Authorization: Bearer <token>`. Every app adds its own router here. Errors are JSON
4xx bodies: {"detail": "...", "errors": {"field": ["reason", ...]}}.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from corridor.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        api_token = ApiToken.objects.for_raw(token).first()
        if api_token is None:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The Django session; unsafe methods also need the CSRF token."""

    param_name = "sessionid"

    def __init__(self):
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return request.user
        return None


class Anonymous:
    """Lets a request through without credentials (public reads)."""

    def __call__(self, request):
        return getattr(request, "user", None) or True


token_auth = TokenAuth()
session_auth = SessionAuth()
AUTH = [token_auth, session_auth]
AUTH_OR_ANONYMOUS = [token_auth, session_auth, Anonymous()]

api = NinjaAPI(
    title="Corridor API",
    version="1",
    description="Projects, institutional innovations and published figures of the initiative.",
    urls_namespace="api",
    docs_url="/docs",
)


def validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errs for m in e.messages]
            for field, errs in exc.error_dict.items()
        }
    return {"__all__": [str(m) for m in exc.messages]}


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    return api.create_response(
        request,
        {"detail": _("The request has errors."), "errors": validation_errors(exc)},
        status=400,
    )


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        field = ".".join(str(p) for p in error.get("loc", []) if p not in ("body", "query", "path"))
        errors.setdefault(field or "__all__", []).append(str(error.get("msg", "")))
    return api.create_response(
        request, {"detail": _("The request has errors."), "errors": errors}, status=422
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    message = str(exc) or _("You do not have permission to do this.")
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(request, {"detail": _("Authentication required.")}, status=401)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


api.add_router("/portfolio/", "corridor.portfolio.api.router")
api.add_router("/accounts/", "corridor.accounts.api.router")
