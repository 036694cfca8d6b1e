"""The "Briefing packs" page: the form that asks for a pack, and the packs asked for before
with their progress and download links. Thin: the services check who may do what."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus

from corridor.briefing import permissions, services, tasks
from corridor.briefing.forms import PackForm
from corridor.briefing.models import BriefingPack
from corridor.core.views import post_form

LISTED = 50  # past packs shown


def _default_since(packs) -> date:
    """The date of the last finished pack (the previous meeting's), else the year's start."""
    last = packs.filter(status=BriefingPack.Status.DONE).order_by("-created_at").first()
    if last is not None:
        return timezone.localdate(last.created_at)
    return timezone.localdate().replace(month=1, day=1)


def _task_failed(pack: BriefingPack) -> bool:
    """The worker recorded the task as failed before the pack could say so itself."""
    if not pack.task_id:
        return False
    try:
        result = tasks.build_pack.get_result(pack.task_id)
    except Exception:  # the backend keeps no results, or forgot this one
        return False
    return result.status == TaskResultStatus.FAILED


def _page(request, form, *, status=200):
    packs = permissions.packs_visible_to(request.user).select_related("requested_by")
    listed = list(packs[:LISTED])
    for pack in listed:
        pack.lost = pack.is_running and _task_failed(pack)
    context = {
        "form": form,
        "packs": listed,
        "running": any(pack.is_running and not pack.lost for pack in listed),
    }
    return render(request, "briefing/packs.html", context, status=status)


@login_required
def pack_list(request):
    permissions.require_make_packs(request.user)
    if request.method != "POST":
        packs = permissions.packs_visible_to(request.user)
        language = "zh-hans" if translation.get_language() == "zh-hans" else "en"
        form = PackForm(
            initial={"since": _default_since(packs), "language": language, "format": "pdf"}
        )
        return _page(request, form)
    form = PackForm(request.POST)
    return post_form(
        request,
        form,
        lambda data: services.pack_request(
            actor=request.user,
            since=data["since"],
            language=data["language"],
            fmt=data["format"],
            enqueue=tasks.enqueue_build,
        ),
        done=lambda pack: redirect("briefing:pack_list"),
        again=lambda form: _page(request, form, status=400),
        success=_("The briefing pack is being prepared; this page shows its progress."),
    )


@login_required
def pack_download(request, pack_id):
    pack = get_object_or_404(BriefingPack, pk=pack_id)
    try:
        stored = services.pack_file(actor=request.user, pack=pack)
    except ValidationError as exc:  # not ready, or failed: there is no file to give
        raise Http404(" ".join(exc.messages)) from exc
    return FileResponse(
        stored.file, as_attachment=True, filename=stored.name, content_type=stored.content_type
    )
