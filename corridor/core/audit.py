"""The audit log: every write made through a service records who, when and what changed."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext

from corridor.core.models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The current values of `fields`, in a JSON-friendly form, for a later `diff`."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model,
    summary: str = "",
    summary_params: dict | None = None,
    changes: dict | None = None,
) -> AuditEntry:
    """Record a write. `summary` is plain text (a title, a reason) unless `summary_params` is
    given: then it is a message marked with gettext_noop, kept untranslated with its
    placeholders' values and translated when a reader sees it (`{}` when it has none)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
        summary=str(summary)[:300],
        summary_params=summary_params,
        changes=changes or {},
    )


def audit_entries_for(target: models.Model):
    return (
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
            target_id=str(target.pk),
        )
        .select_related("actor", "target_type")
        .prefetch_related("actor__memberships__organisation")
        .order_by("-at", "-id")
    )


@dataclass(frozen=True)
class HistoryRow:
    """One entry of a record's history, as a reader sees it."""

    at: datetime
    who: str
    what: str
    summary: str
    changes: list[tuple[str, str, str]]


def actor_label(actor, viewer) -> str:
    """Who made a change, for this reader: the person's name (in the reader's language) for
    people who are logged in; for anonymous visitors never a person's name, but "initiative
    staff" or the person's organisation (`public_label`, see accounts.models.User)."""
    if actor is None:
        return gettext("system")
    if getattr(viewer, "is_authenticated", False):
        return actor.display_name
    public_label = getattr(actor, "public_label", None)
    return public_label() if public_label is not None else gettext("a registered user")


def history(entries, viewer) -> list[HistoryRow]:
    """The rows of a history (`audit_entries_for(...)`) in the reader's language."""
    return [
        HistoryRow(
            at=entry.at,
            who=actor_label(entry.actor, viewer),
            what=str(entry.get_action_display()),
            summary=entry.readable_summary(),
            changes=entry.readable_changes(),
        )
        for entry in entries
    ]
