"""Views every app shares: the 403 page, and posting a form to a service.

Pages report a refusal the way the API does: a view (or the service it calls) raises
`PermissionDenied` with the reason, and `permission_denied` (the site's `handler403`) renders
it, with a way back to the list of the part the person was in (from the URL namespace).
"""

from collections.abc import Callable, Sequence

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Where "back" leads from a refused page, by the application namespace of its URL.
WAYS_BACK = {
    "portfolio": ("portfolio:dashboard", gettext_lazy("Back to the dashboard")),
    "standards": ("standards:assessment_list", gettext_lazy("Back to the readiness assessments")),
    "hs": ("standards:assessment_list", gettext_lazy("Back to the readiness assessments")),
    "cases": ("cases:case_list", gettext_lazy("Back to the cases")),
    "case_documents": ("cases:case_list", gettext_lazy("Back to the cases")),
    "directory": ("directory:profile_list", gettext_lazy("Back to the directory")),
    "events": ("events:event_list", gettext_lazy("Back to the events")),
    "results": ("results:indicator_list", gettext_lazy("Back to the indicators")),
    "accounts": ("accounts:notifications", gettext_lazy("Back to your notifications")),
}


# The rows a list page shows at a time (`core/list_page.html` pages through the rest).
PAGE_SIZE = 25


def page_of(request, rows, size: int = PAGE_SIZE) -> Page:
    """The page of `rows` that the request asks for (`?page=`): the first for a page that is
    not a number, the last for one past the end."""
    return Paginator(rows, size).get_page(request.GET.get("page"))


def way_back(request) -> tuple[str, str] | None:
    """(url, label) of the list of the part this request is in, if it is in one."""
    match = getattr(request, "resolver_match", None)
    namespace = match.app_names[0] if match and match.app_names else ""
    if namespace not in WAYS_BACK:
        return None
    url_name, label = WAYS_BACK[namespace]
    try:
        return reverse(url_name), str(label)
    except NoReverseMatch:  # pragma: no cover - every entry above names a real URL
        return None


def permission_denied(request, exception=None):
    """The site's 403 page (`handler403`): the reason the service gave, and a way back."""
    message = str(exception or "") or _("You do not have permission to do this.")
    back = way_back(request)
    context = {
        "message": message,
        "back_url": back[0] if back else "",
        "back_label": back and back[1],
    }
    return render(request, "403.html", context, status=403)


def post_form(
    request,
    form,
    write: Callable,
    *,
    done: Callable[[object], HttpResponse],
    again: Callable[[object], HttpResponse],
    success: str | Callable[[object], str] = "",
    formsets: Sequence = (),
) -> HttpResponse:
    """POST a form → call a service → show its errors on the form.

    `write(cleaned_data)` calls the service. A `ValidationError` it raises is shown beside
    the fields it names (the form's `add_service_errors`); a `PermissionDenied` goes up to the
    403 page. On success the message is flashed and `done(result)` answers (a redirect); on
    any error, "Nothing was saved" is flashed and `again(form)` shows the page with the
    person's values, which should answer 400. `formsets` are posted with the form: all must be
    valid, and each is shown the service's errors too (its own `add_service_errors`).
    """
    if all([form.is_valid(), *(formset.is_valid() for formset in formsets)]):
        try:
            result = write(form.cleaned_data)
        except ValidationError as exc:
            for shown in (form, *formsets):
                shown.add_service_errors(exc)
            form.stale_fields = set(getattr(exc, "error_dict", {}))
        else:
            text = success(result) if callable(success) else success
            if text:
                messages.success(request, text)
            return done(result)
    messages.error(request, _("Nothing was saved: see the reason below the form."))
    return again(form)


def post_action(
    request,
    write: Callable[[], object],
    *,
    back: HttpResponse,
    success: str | Callable[[object], str] = "",
) -> HttpResponse:
    """POST a button (no form to show errors on) → call a service → go `back`.

    `write()` calls the service. A `ValidationError` it raises is flashed as an error; a
    `PermissionDenied` goes up to the 403 page; on success the message is flashed.
    """
    try:
        result = write()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return back
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    return back


def found_or_404(record):
    """The record a visibility-checked lookup found, or the 404 page: the same answer whether
    the record does not exist or the person may not see it."""
    if record is None:
        raise Http404
    return record


def back_to(url: str, anchor: str = "") -> HttpResponse:
    """A redirect to a page, to one of its sections if named."""
    return redirect(url + (f"#{anchor}" if anchor else ""))


def stored_file(name: str, *, filename: str, content_type: str) -> FileResponse:
    """A stored upload as a download under the name it was given (404 if the file is gone);
    never kept by a shared cache."""
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
