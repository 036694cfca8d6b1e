"""Case document pages: upload, new version, sharing (POST handlers that go back to the case
page) and download.

A document the user may not see answers 404, exactly like one that does not exist: its case
must be visible (`Case.objects.visible_to`) and the document shared with the user's role.
Every write goes through `corridor.cases.documents.services`, which checks permission again; a refused
write raises `PermissionDenied`, which the site's 403 page shows with the service's reason.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from corridor.cases import permissions
from corridor.cases.documents import services as documents
from corridor.cases.models import Case, CaseDocument, DocumentVersion
from corridor.core import views as core_views


def _visible_case(request, case_pk: int) -> Case:
    return get_object_or_404(Case.objects.visible_to(request.user), pk=case_pk)


def _visible_document(request, document_pk: int) -> CaseDocument:
    document = get_object_or_404(
        CaseDocument.objects.select_related("case").filter(
            case__in=Case.objects.visible_to(request.user)
        ),
        pk=document_pk,
    )
    if not permissions.can_see_document(request.user, document):
        raise Http404
    return document


def _back_to_case(case: Case):
    return redirect(reverse("cases:case_detail", args=[case.pk]) + "#documents")


def _report_errors(request, exc: ValidationError) -> None:
    for field_messages in exc.message_dict.values():
        for message in field_messages:
            messages.error(request, message)


@require_POST
@login_required
def document_upload(request, case_pk: int):
    case = _visible_case(request, case_pk)
    try:
        version = documents.document_upload(
            actor=request.user,
            case=case,
            title=request.POST.get("title", ""),
            document_type=request.POST.get("document_type", ""),
            uploaded_file=request.FILES.get("file"),
            shared_with=request.POST.getlist("shared_with"),
        )
    except ValidationError as exc:
        _report_errors(request, exc)
    else:
        messages.success(
            request,
            _("The document “%(title)s” was uploaded.") % {"title": version.document.title},
        )
    return _back_to_case(case)


@require_POST
@login_required
def document_version_upload(request, document_pk: int):
    document = _visible_document(request, document_pk)
    case = document.case
    try:
        version = documents.document_upload(
            actor=request.user,
            case=case,
            title=document.title,
            document_type=document.document_type,
            uploaded_file=request.FILES.get("file"),
            shared_with=document.shared_with,
            document=document,
        )
    except ValidationError as exc:
        _report_errors(request, exc)
    else:
        messages.success(
            request,
            _("Version %(version)s of “%(title)s” was uploaded.")
            % {"version": version.number, "title": document.title},
        )
    return _back_to_case(case)


@require_POST
@login_required
def document_share(request, document_pk: int):
    document = _visible_document(request, document_pk)
    case = document.case
    try:
        documents.document_share(
            actor=request.user, document=document, shared_with=request.POST.getlist("shared_with")
        )
    except ValidationError as exc:
        _report_errors(request, exc)
    else:
        messages.success(request, _("Who sees “%(title)s” was saved.") % {"title": document.title})
    return _back_to_case(case)


@require_GET
@login_required
def document_download(request, version_pk: int):
    """The file of one version, as an attachment under the name it was uploaded with."""
    version = get_object_or_404(
        DocumentVersion.objects.select_related("document__case").filter(
            document__case__in=Case.objects.visible_to(request.user)
        ),
        pk=version_pk,
    )
    if not permissions.can_see_version(request.user, version):
        raise Http404
    return core_views.stored_file(
        version.file.name, filename=version.original_name, content_type=version.content_type
    )
