"""Refuse request bodies over settings.MAX_REQUEST_BYTES before any of it is read."""

from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


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
