"""The site's URLs plus views that fail, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path

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
    *site_urlpatterns,
]
