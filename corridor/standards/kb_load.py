"""Loading the knowledge base into the database: the one write of `kb.py`'s reading.

`kb_load(actor=SYSTEM, directory=...)` (the `kb_load` command, the demo loader) checks the
YAML with `kb.read_knowledge_base`, then in one transaction creates, updates and removes the
Authority and Requirement rows (each with its audit entry), marks stale the assessments that
rest on a changed or removed requirement (`mark_stale_assessments`, audited too) and has
`watching.tell_about_load` send each person concerned one notification.
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from corridor.core.actors import SYSTEM, is_system
from corridor.core.audit import audit_record, diff
from corridor.standards import kb, watching
from corridor.standards.models import Authority, ReadinessAssessment, Requirement


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    authorities_created: int = 0
    authorities_updated: int = 0
    stale_assessments: int = 0
    people_told: int = 0

    def summary(self) -> str:
        return _(
            "Requirements: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
            "%(removed)s removed. Authorities: %(a_created)s created, %(a_updated)s updated. "
            "Assessments marked stale: %(stale)s. People told: %(told)s."
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "a_created": self.authorities_created,
            "a_updated": self.authorities_updated,
            "stale": self.stale_assessments,
            "told": self.people_told,
        }


def kb_load(*, actor, directory: Path = kb.KB_DIR) -> LoadReport:
    """Check the knowledge base, then copy it into the database in one transaction.

    Only the system loads it (`SYSTEM`: the `kb_load` command and the demo loader); anybody
    else is refused with PermissionDenied. Raises KbError (and writes nothing) when the
    knowledge base has a problem. Requirements
    no longer in the YAML are removed; assessments resting on a changed or removed
    requirement are marked stale; each person who follows a touched product or whose
    organisation's assessments went stale gets one notification (`watching.tell_about_load`).
    The process's cached knowledge base (`kb.current()`) is read again afterwards."""
    if not is_system(actor):
        raise PermissionDenied(
            _("Only the system loads the knowledge base: run manage.py kb_load.")
        )
    loaded = kb.read_knowledge_base(directory)
    report = LoadReport()
    with transaction.atomic():
        authorities = {}
        for key, data in loaded.authorities.items():
            values = {
                "country": data.country,
                "name_en": data.name_en,
                "name_zh": data.name_zh,
                "website": data.website,
            }
            authority, created = Authority.objects.get_or_create(key=key, defaults=values)
            if created:
                report.authorities_created += 1
            elif any(getattr(authority, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(authority, name, value)
                authority.save()
                report.authorities_updated += 1
            authorities[key] = authority

        existing = {r.key: r for r in Requirement.objects.select_for_update()}
        changed: dict[str, str | None] = {}
        told: list[watching.RequirementChange] = []
        for rid, requirement in loaded.knowledge_base.requirements.items():
            definition = loaded.definition(rid)
            new_hash = kb.content_hash(definition)
            values = {
                "market": requirement.market,
                "mast": requirement.mast,
                "kind": requirement.kind,
                "title_en": requirement.title_en,
                "title_zh": requirement.title_zh,
                "summary_en": requirement.summary_en,
                "summary_zh": requirement.summary_zh,
                "authority": authorities[requirement.authority],
                "legal_basis": requirement.legal_basis,
                "definition": json.loads(json.dumps(definition)),
                "source_url": requirement.source_url,
                "checked_on": date.fromisoformat(requirement.checked_on),
                "confidence": requirement.confidence,
                "kb_file": loaded.files[rid],
                "content_hash": new_hash,
            }
            row = existing.pop(rid, None)
            if row is None:
                row = Requirement.objects.create(key=rid, **values)
                audit_record(actor=actor, action="import", target=row, summary=rid)
                report.created += 1
                told.append(_change(watching.ADDED, rid, requirement.market, definition, values))
            elif row.content_hash != new_hash or row.kb_file != values["kb_file"]:
                if row.content_hash != new_hash:
                    changed[rid] = new_hash
                    told.append(
                        _change(watching.CHANGED, rid, requirement.market, definition, values)
                    )
                before = {"content_hash": row.content_hash, "kb_file": row.kb_file}
                for name, value in values.items():
                    setattr(row, name, value)
                row.save()
                audit_record(
                    actor=actor,
                    action="update",
                    target=row,
                    summary=rid,
                    changes=diff(before, {"content_hash": new_hash, "kb_file": row.kb_file}),
                )
                report.updated += 1
            else:
                report.unchanged += 1
        for rid, row in existing.items():
            audit_record(actor=actor, action="delete", target=row, summary=rid)
            row.delete()
            report.removed += 1
            changed[rid] = None
            told.append(_change(watching.RETIRED, rid, row.market, row.definition or {}, vars(row)))
        stale = mark_stale_assessments(changed, actor=actor)
        report.stale_assessments = sum(len(items) for items in stale.values())
        report.people_told = watching.tell_about_load(told, stale)
    kb.reset()
    return report


def _change(what: str, rid: str, market: str, definition: dict, values: dict):
    return watching.RequirementChange(
        id=rid,
        what=what,
        market=market,
        hs_prefixes=tuple(definition.get("hs_prefixes") or ()),
        title_en=values["title_en"],
        title_zh=values["title_zh"],
    )


def mark_stale_assessments(
    changed: dict[str, str | None], *, actor=SYSTEM
) -> dict[int, list[tuple[object, list[str]]]]:
    """Mark stale the assessments resting on a changed requirement.

    `changed` maps a requirement id to its new content hash, or None when it was removed. An
    assessment is stale when it recorded one of these ids with another hash. Returns the
    newly stale assessments by organisation id, each with the ids it rested on, for
    `watching.tell_about_load` to tell their members."""
    if not changed:
        return {}
    stale_by_organisation: dict[int, list[tuple[ReadinessAssessment, list[str]]]] = {}
    candidates = ReadinessAssessment.objects.filter(
        is_stale=False, requirement_hashes__has_any_keys=list(changed)
    ).select_related("organisation")
    to_mark = []
    for assessment in candidates:
        hashes = assessment.requirement_hashes or {}
        reasons = sorted(
            rid for rid, new_hash in changed.items() if rid in hashes and hashes[rid] != new_hash
        )
        if reasons:
            to_mark.append(assessment.pk)
            assessment.is_stale = True
            stale_by_organisation.setdefault(assessment.organisation_id, []).append(
                (assessment, reasons)
            )
    if not to_mark:
        return {}
    ReadinessAssessment.objects.filter(pk__in=to_mark).update(is_stale=True)
    for assessments in stale_by_organisation.values():
        for assessment, requirement_ids in assessments:
            audit_record(
                actor=actor,
                action="update",
                target=assessment,
                summary=_("Marked stale: %(ids)s changed.") % {"ids": ", ".join(requirement_ids)},
                changes={"is_stale": [False, True]},
            )
    return stale_by_organisation
