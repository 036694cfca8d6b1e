"""Site-wide middleware: the request-size cap, and the site's own 404 page in development."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found


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
