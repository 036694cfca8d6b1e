"""Site-wide middleware, in front of every view.

- RequestSizeLimitMiddleware: the request-size cap (413 before the body is read).
- RefuseNulMiddleware, ApiNotFoundMiddleware: refuse the NUL character in every input,
  once, for pages and the API alike; answer an address under /api/ that names no operation in JSON.

  No database text column stores NUL (PostgreSQL refuses it with an error, which would answer
  500), and no person types it: a request whose path, query string, form body (fields and
  uploaded files' names) or JSON body contains one answers 400 before any view runs, with a
  sentence naming the field. The API answers {"detail": ..., "errors": {field: [...]}}; pages
  answer the site's error page.
- SiteNotFoundPageMiddleware: the site's own 404 page in development too.
"""

import json

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

NUL = "\x00"


def _in_json(value, path: str) -> str | None:
    """The dotted path of the first key or string of a JSON value holding a NUL, if any."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if NUL in key:
                return where
            found = _in_json(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _in_json(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


def _in_query(query) -> str | None:
    for key, values in query.lists():
        if NUL in key or any(NUL in value for value in values):
            return key
    return None


def nul_field(request) -> str | None:
    """Where the request carries a NUL: "path", a field's name, or None when nowhere."""
    if NUL in request.path_info or NUL in request.path:
        return "path"
    found = _in_query(request.GET)
    if found is not None:
        return found
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            found = _in_query(request.POST)
            if found is None:
                for name, uploads in request.FILES.lists():
                    if any(NUL in (upload.name or "") for upload in uploads):
                        found = name
        except (MultiPartParserError, OSError):
            return None  # a broken body: the view answers it as it always does
        return found
    if content_type == "application/json" or content_type.endswith("+json"):
        body = request.body
        if b"\\u0000" not in body:
            return None  # (a raw NUL byte is not JSON: the API answers that itself)
        try:
            return _in_json(json.loads(body), "")
        except ValueError:
            return None  # not JSON: the API answers that itself
    return None


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = nul_field(request)
        if field is None:
            return self.get_response(request)
        if field == "path":
            message = _(
                "The address contains a NUL character (%(code)s), which is never valid; "
                "remove it and try again."
            ) % {"code": "U+0000"}
        else:
            message = _(
                "The field “%(field)s” contains a NUL character (%(code)s), which is not "
                "allowed in text; remove it and try again."
            ) % {"field": field, "code": "U+0000"}
        if request.path_info.startswith("/api/"):
            errors = {"__all__" if field == "path" else field: [message]}
            return JsonResponse({"detail": message, "errors": errors}, status=400)
        return render(request, "core/bad_request.html", {"message": message}, status=400)


class ApiNotFoundMiddleware:
    """An address under /api/ that matches no operation (a negative id, a code with a slash)
    answers 404 in the API's own JSON, as the OpenAPI document promises, not the site's page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path_info.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            message = _("Not found.")
            return JsonResponse({"detail": message, "errors": {}}, status=404)
        return response


class RequestSizeLimitMiddleware:
    """Answers 413 when Content-Length declares more than MAX_REQUEST_BYTES.

    Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE) act while the body is parsed, and file
    uploads are spooled to disk whole before a form can look at their size; this check happens
    first, on the declared length. A body without Content-Length is not read at all by Django.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if limit and declared > limit:
            message = _(
                "The request is too large (%(size)s); this site accepts at most %(limit)s. "
                "Send a smaller file."
            ) % {"size": filesizeformat(declared), "limit": filesizeformat(limit)}
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class SiteNotFoundPageMiddleware:
    """The site's own 404 page in development too.

    With DEBUG=true (`make run`) Django answers a 404 with its technical page: the project's
    URL patterns and settings module, in English, with no way back. A user who may not see
    something (services answer 404 then) should meet the page production shows, so this
    middleware renders 404.html in its place. Django already renders 403.html with DEBUG on.
    Without DEBUG it does nothing: Django's own handler404 renders the same template.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            # No URL pattern matched: Django built its technical page from the Resolver404
            # (and logged it: say so, or the handler logs the replacement a second time).
            page = page_not_found(request, Http404())
            page._has_been_logged = getattr(response, "_has_been_logged", False)
            return page
        return response

    def process_exception(self, request, exception):
        """A view (or the service it called) raised Http404."""
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
