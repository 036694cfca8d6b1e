"""Views every app shares."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _


def forbidden(request, exc: PermissionDenied, *, back_url: str, back_label: str):
    """The 403 page: the service's reason, and a way back to the app's own list."""
    message = str(exc) or _("You do not have permission to do this.")
    context = {"message": message, "back_url": back_url, "back_label": back_label}
    return render(request, "core/forbidden.html", context, status=403)
