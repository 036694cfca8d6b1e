"""The site's URLs plus views that fail, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import include, path

from corridor.urls import handler403  # noqa: F401 - the site's 403 page, as in production
from corridor.urls import urlpatterns as site_urlpatterns


def refuse(request):
    raise PermissionDenied("Only the case's facilitator can close it.")


def refuse_silently(request):
    raise PermissionDenied


def fail(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("test-errors/refuse/", refuse),
    path("test-errors/refuse-silently/", refuse_silently),
    path("test-errors/fail/", fail),
    # a refusal inside the cases part: its 403 page leads back to the cases
    path(
        "test-errors/cases/", include(([path("refuse/", refuse)], "cases"), namespace="test-cases")
    ),
    *site_urlpatterns,
]
