"""Every write of briefing packs: asking for one (queued as a background task once the row is
committed), building it (the task), what an interrupted build means, and handing out the
stored file. Permission is checked here (`permissions.py`), not only in the pages."""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from corridor.briefing import permissions, render
from corridor.briefing.contents import pack_contents
from corridor.briefing.models import BriefingPack
from corridor.core.actors import is_system
from corridor.core.audit import audit_record

EARLIEST = date(2000, 1, 1)
RUNNING = (BriefingPack.Status.QUEUED, BriefingPack.Status.RUNNING)


def validate_request(*, since, language: str, fmt: str) -> dict[str, str]:
    """The fields that are wrong, with the reason (empty: all good)."""
    errors = {}
    if not isinstance(since, date):
        errors["since"] = _("Give the date the pack counts changes from (YYYY-MM-DD).")
    elif since > timezone.localdate():
        errors["since"] = _("The date the pack counts changes from cannot be in the future.")
    elif since < EARLIEST:
        errors["since"] = _("The date the pack counts changes from cannot be before 2000.")
    if language not in BriefingPack.Language.values:
        errors["language"] = _("Choose English or Simplified Chinese.")
    if fmt not in BriefingPack.Format.values:
        errors["format"] = _("Choose PDF or XLSX.")
    return errors


def pack_request(*, actor, since: date, language: str, fmt: str, enqueue) -> BriefingPack:
    """Ask for a pack (the initiative's staff only). `enqueue(pack_id)` is called once the
    pack's row is committed and returns the background task's id."""
    permissions.require_make_packs(actor)
    errors = validate_request(since=since, language=language, fmt=fmt)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        pack = BriefingPack.objects.create(
            requested_by=actor,
            since=since,
            language=language,
            format=fmt,
            steps_total=0,
        )
        audit_record(
            actor=actor,
            action="create",
            target=pack,
            summary=gettext_noop("Briefing pack asked for: changes since %(date)s (%(format)s)"),
            summary_params={"date": since.isoformat(), "format": fmt},
        )
        transaction.on_commit(lambda: _task_set(pack.pk, enqueue(str(pack.pk))))
    return pack


def _task_set(pack_id: uuid.UUID, task_id: str) -> None:
    """Note the background task that builds the pack (once: a retry keeps the first)."""
    BriefingPack.objects.filter(pk=pack_id, task_id="").update(task_id=task_id)


def _update(pack: BriefingPack, **fields) -> None:
    BriefingPack.objects.filter(pk=pack.pk).update(**fields)


def pack_render(*, actor, since: date, language: str, fmt: str, progress=None) -> tuple[bytes, int]:
    """The pack's file as `actor` may see the records, and how many sections it has. The
    initiative's staff, and the system (`manage.py briefing_pack`, which sees every record)."""
    permissions.require_make_packs(actor)
    errors = validate_request(since=since, language=language, fmt=fmt)
    if errors:
        raise ValidationError(errors)
    requested_by = "" if is_system(actor) else actor.display_name
    with translation.override(language):
        contents = pack_contents(actor, since, language, progress=progress)
        return render.pack_bytes(contents, fmt, requested_by=requested_by), len(contents.sections)


def pack_build(pack_id: str) -> dict:
    """Build a queued pack and store its file (called by the task). Safe to run again: a
    finished pack is left alone; a rerun starts from the first section and replaces the file."""
    pack = BriefingPack.objects.select_related("requested_by").get(pk=pack_id)
    if not pack.is_running:
        return {"status": pack.status}
    try:
        if pack.requested_by is None:
            raise PermissionDenied(_("The person who asked for this pack no longer exists."))

        def progress(done: int, total: int) -> None:
            _update(pack, status=BriefingPack.Status.RUNNING, steps_done=done, steps_total=total)

        # The pack shows what its requester may see; someone who left the staff gets none.
        content, sections = pack_render(
            actor=pack.requested_by,
            since=pack.since,
            language=pack.language,
            fmt=pack.format,
            progress=progress,
        )
        name = f"briefing/{pack.pk}/{pack.file_name}"
        if default_storage.exists(name):
            default_storage.delete(name)
        stored = default_storage.save(name, ContentFile(content))
    except Exception as exc:
        _update(
            pack,
            status=BriefingPack.Status.FAILED,
            failure=str(exc)[:2000],
            finished_at=timezone.now(),
        )
        raise
    _update(
        pack,
        status=BriefingPack.Status.DONE,
        steps_done=sections + 1,
        steps_total=sections + 1,
        stored_file=stored,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        finished_at=timezone.now(),
    )
    return {"status": BriefingPack.Status.DONE, "size": len(content)}


def pack_interrupted(pack_id: str, *, attempts: int, gave_up: bool) -> None:
    """The worker building this pack died: the pack waits for the next worker (its line says
    it was interrupted and retried), or, after the last attempt, failed."""
    pack = BriefingPack.objects.filter(pk=pack_id, status__in=RUNNING).first()
    if pack is None:
        return
    if not gave_up:
        _update(pack, status=BriefingPack.Status.QUEUED, steps_done=0, attempts=attempts)
        return
    with translation.override(pack.language):
        failure = ngettext(
            "The background worker preparing this pack stopped, and the pack failed after "
            "%(attempts)d attempt.",
            "The background worker preparing this pack stopped each time, and the pack failed "
            "after %(attempts)d attempts.",
            attempts,
        ) % {"attempts": attempts}
    _update(
        pack,
        status=BriefingPack.Status.FAILED,
        failure=failure,
        attempts=attempts,
        finished_at=timezone.now(),
    )


@dataclass
class PackFile:
    name: str
    content_type: str
    file: object  # an open binary file: the caller closes it (FileResponse does)


def pack_file(*, actor, pack: BriefingPack) -> PackFile:
    """The stored file of a finished pack, for its requester and the administrators."""
    permissions.require_download(actor, pack)
    if pack.status != BriefingPack.Status.DONE or not pack.stored_file:
        raise ValidationError({"pack": _("This briefing pack is not ready yet.")})
    return PackFile(
        name=pack.file_name,
        content_type=render.CONTENT_TYPES[pack.format],
        file=default_storage.open(pack.stored_file, "rb"),
    )
