"""The JSON API under /api/, with OpenAPI docs at /api/docs.

Authentication (`corridor/accounts/api.py`): the browser session (with CSRF on unsafe
methods) or a personal token sent as `Authorization: Bearer <token>`. Public reads use
AUTH_OR_ANONYMOUS: a request without credentials passes as the anonymous user (and sees only
what is published), but a token that is wrong or revoked is refused with 401 rather than
silently treated as anonymous. Pagination and the shared schemas: `corridor/core/api.py`.

Every app adds its own router here. Errors are JSON 4xx bodies:
{"detail": "...", "errors": {"field": ["reason", ...]}}.

The OpenAPI document (/api/openapi.json) says so too: every operation documents its 4xx
answers as `ErrorOut`, and an operation open to anonymous visitors lists "no credentials"
(`{}`) among its security requirements. Its schemas share one namespace; `schema_clashes`
names any two different schemas given the same name (the test suite keeps it empty).
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema

from corridor.core.api import ErrorOut

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


class CorridorOpenAPISchema(OpenAPISchema):
    """ninja's document, with the public operations, the error answers and a record of
    schema-name clashes (ninja generates each operation's schemas apart and keeps the last
    definition it sees of a name)."""

    def __init__(self, api, path_prefix: str) -> None:
        self.schema_clashes: dict[str, list[dict]] = {}
        super().__init__(api, path_prefix)
        self.schemas["ErrorOut"] = ErrorOut.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )

    def add_schema_definitions(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != definition:
                self.schema_clashes.setdefault(name, [known]).append(definition)
        super().add_schema_definitions(definitions)

    def operation_parameters(self, operation):
        parameters = super().operation_parameters(operation)
        # `{int:id}` in a path matches digits only: say so, as the document's minimum.
        whole_numbers = set(re.findall(r"{int:(\w+)}", operation.path))
        for parameter in parameters:
            if parameter["in"] == "path" and parameter["name"] in whole_numbers:
                parameter["schema"] = {**parameter["schema"], "minimum": 0}
        return parameters

    def operation_security(self, operation):
        security = super().operation_security(operation)
        if security and any(
            getattr(a, "allows_anonymous", False) for a in operation.auth_callbacks
        ):
            # OpenAPI's way of saying that credentials are optional: an empty requirement.
            return [{}, *security]
        return security

    def responses(self, operation):
        result = super().responses(operation)
        error = {"content": {"application/json": {"schema": ERROR_REF}}}
        result.setdefault(
            "4XX", {"description": "The request was refused; `detail` says why.", **error}
        )
        return result


class CorridorAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None) -> CorridorOpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return CorridorOpenAPISchema(self, path_prefix)


api = CorridorAPI(
    title="Corridor API",
    version="1",
    description=(
        "Every part of Corridor: the portfolio (projects, institutional innovations, published "
        "figures), the Bridge of Standards (HS codes, readiness assessments), facilitation "
        "cases, the enterprise directory, matchmaking events, and who you are (accounts/me).\n\n"
        "Authenticate with the browser session (send the CSRF token on writes) or a personal "
        "token, created on “My account”, sent as `Authorization: Bearer <token>`. Errors are "
        'JSON: `{"detail": "...", "errors": {"field": ["reason", ...]}}`. Texts come in the '
        "language of the `Accept-Language` header (`en` or `zh-hans`)."
    ),
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
api.add_router("/standards/", "corridor.standards.hs.api.router")
api.add_router("/standards/", "corridor.standards.api.router")
api.add_router("/cases/", "corridor.cases.api.router")
api.add_router("/directory/", "corridor.directory.api.router")
# No trailing slash: the events' own list is /api/events itself (and /api/events/{id} below).
api.add_router("/events", "corridor.events.api.router")
# The event day: late changes and self-booking; check-in, the live board and the results.
api.add_router("/events", "corridor.events.api_changes.router")
api.add_router("/events", "corridor.events.api_checkin.router")
api.add_router("/results/", "corridor.results.api.router")
