"""Every write to the portfolio: validate, check permission, write in one transaction, audit.

Views, the API, imports and tasks call these functions; none of them writes models directly.
"""

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import gettext_noop

from corridor.accounts.models import Organisation
from corridor.core.audit import audit_record, diff, snapshot
from corridor.core.models import Sector
from corridor.core.money import to_usd
from corridor.core.permissions import require
from corridor.core.vocabularies import is_country, is_currency
from corridor.portfolio import notifications, workflow
from corridor.portfolio.models import (
    Innovation,
    InnovationReplication,
    Project,
    ProjectLink,
    ProjectParty,
    ProjectRevision,
    ProjectStatusChange,
    PublishedFigure,
)
from corridor.portfolio.permissions import (  # noqa: F401 (asked through services by imports)
    can_change_project,
    can_decide_revision,
    can_publish,
    can_record_figures,
    can_record_for,
    can_record_innovations,
    can_record_projects,
    changes_are_held,
    project_owner_ids,
)

# Values are stored with 20 digits, 2 of them decimals; the bound leaves room for the
# conversion to US dollars.
MAX_VALUE = Decimal(10**17)

AUDITED_FIELDS = (
    "external_id title_en title_zh description_en description_zh kind status sector_id value "
    "currency value_usd signed_on location_en location_zh parent_id owner_id lead_side "
    "is_published source_url"
).split()


# --- permissions ---------------------------------------------------------------------------


def _stale(message: str) -> ValidationError:
    """A save made from a version that is no longer the saved one; the API answers 409."""
    return ValidationError({"version": message})


def _check_version(current: int, given: int | None, message: str) -> None:
    if given is not None and int(given) != current:
        raise _stale(str(message))


# A stale save: nothing was written. The page shows the saved values beside the person's.
STALE_INNOVATION = _lazy(
    "Someone else changed this innovation since you opened it, so nothing was saved. Compare "
    "your values with theirs, shown above the form, and save again to replace them."
)
STALE_FIGURE = _lazy(
    "Someone else changed this published figure since you opened it, so nothing was saved. "
    "Compare your values with theirs, shown above the form, and save again to replace them."
)
STALE_PROJECT = _lazy(
    "Someone else changed this project since you opened it, so nothing was saved. Compare "
    "your values with theirs, shown above the form, and save again to replace them."
)


# --- input ---------------------------------------------------------------------------------


@dataclass
class PartyInput:
    organisation: Organisation
    role: str


@dataclass
class ProjectInput:
    """What a person (or an import row) gives to create or update a project."""

    title_en: str = ""
    title_zh: str = ""
    description_en: str = ""
    description_zh: str = ""
    kind: str = ""
    status: str = Project.Status.SIGNED
    sector: str = ""  # sector code
    value: Decimal | str | None = None
    currency: str = ""
    signed_on: date | None = None
    location_en: str = ""
    location_zh: str = ""
    parent_external_id: str = ""
    external_id: str = ""
    is_synthetic: bool = False
    source_url: str = ""
    parties: list[PartyInput] | None = None
    extra_errors: dict[str, str] = field(default_factory=dict)


def parse_decimal(raw) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, Decimal):
        return raw
    try:
        return Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValueError(raw) from exc


def validate_project_input(
    data: ProjectInput,
    *,
    sectors: dict[str, Sector] | None = None,
    known_parents: set[str] | None = None,
    self_external_id: str = "",
) -> tuple[dict[str, str], dict]:
    """Check a project's input. Returns (errors by field, cleaned values).

    Each error is a whole, translated sentence naming what is wrong and what to do.
    """
    errors: dict[str, str] = dict(data.extra_errors)
    clean: dict = {}
    title_en, title_zh = data.title_en.strip(), data.title_zh.strip()
    if not title_en and not title_zh:
        errors["title_en"] = _("Give the project a title in English or Chinese.")
    clean["title_en"], clean["title_zh"] = title_en, title_zh
    clean["description_en"] = data.description_en.strip()
    clean["description_zh"] = data.description_zh.strip()
    if data.kind not in Project.Kind.values:
        errors["kind"] = _("“%(value)s” is not a project kind; use one of: %(choices)s.") % {
            "value": data.kind,
            "choices": ", ".join(Project.Kind.values),
        }
    clean["kind"] = data.kind
    if data.status not in Project.Status.values:
        errors["status"] = _("“%(value)s” is not a project status; use one of: %(choices)s.") % {
            "value": data.status,
            "choices": ", ".join(Project.Status.values),
        }
    clean["status"] = data.status
    if sectors is None:
        sectors = {s.code: s for s in Sector.objects.all()}
    sector = sectors.get((data.sector or "").strip())
    if sector is None:
        errors["sector"] = _("“%(value)s” is not a sector; use one of: %(choices)s.") % {
            "value": data.sector,
            "choices": ", ".join(sectors),
        }
    clean["sector"] = sector
    try:
        value = parse_decimal(data.value)
    except ValueError:
        errors["value"] = _("“%(value)s” is not a number.") % {"value": data.value}
        value = None
    if value is not None and not value.is_finite():
        errors["value"] = _("“%(value)s” is not a number.") % {"value": data.value}
        value = None
    elif value is not None and value < 0:
        errors["value"] = _("The value cannot be negative.")
    elif value is not None and value >= MAX_VALUE:
        errors["value"] = _(
            "The value is too large; give it in units of its currency, below %(limit)s."
        ) % {"limit": f"{MAX_VALUE:,}"}
    elif value is not None:
        value = value.quantize(Decimal("0.01"), ROUND_HALF_UP)  # the model keeps cents
    currency = (data.currency or "").strip().upper()
    if value is not None and not currency:
        errors["currency"] = _(
            "Give the currency of the value (an ISO 4217 code such as USD, SGD or CNY)."
        )
    elif currency and not is_currency(currency):
        errors["currency"] = _("“%(value)s” is not an ISO 4217 currency code.") % {
            "value": currency
        }
    clean["value"], clean["currency"] = value, currency
    if data.signed_on is not None and not isinstance(data.signed_on, date):
        errors["signed_on"] = _("The signing date must be a date (YYYY-MM-DD).")
    elif data.signed_on is not None and data.signed_on > timezone.localdate():
        errors["signed_on"] = _("The signing date cannot be in the future.")
    clean["signed_on"] = data.signed_on
    clean["location_en"], clean["location_zh"] = data.location_en.strip(), data.location_zh.strip()
    parent_id = (data.parent_external_id or "").strip()
    if parent_id and self_external_id and parent_id == self_external_id:
        errors["parent"] = _("A project cannot be its own framework agreement.")
    elif parent_id and known_parents is not None and parent_id not in known_parents:
        errors["parent"] = _("No project has the external id “%(value)s”.") % {"value": parent_id}
    clean["parent_external_id"] = parent_id
    source_url = (data.source_url or "").strip()
    if source_url:
        try:
            URLValidator()(source_url)
        except ValidationError:
            errors["source_url"] = _("“%(value)s” is not a web address.") % {"value": source_url}
    clean["source_url"] = source_url
    clean["is_synthetic"] = bool(data.is_synthetic)
    _check_text_limits(errors, {**clean, "external_id": (data.external_id or "").strip()})
    if data.parties is not None:
        for party in data.parties:
            if party.role not in ProjectParty.Role.values:
                errors["parties"] = _(
                    "“%(value)s” is not a party role; use one of: %(choices)s."
                ) % {"value": party.role, "choices": ", ".join(ProjectParty.Role.values)}
    return errors, clean


def _check_text_limits(errors: dict[str, str], values: dict) -> None:
    """Refuse what the database would refuse: text longer than its column, and the null
    character (PostgreSQL cannot store it)."""
    for name, value in values.items():
        if name == "parent_external_id":
            name, model_field = "parent", Project._meta.get_field("external_id")
        elif isinstance(value, str):
            model_field = Project._meta.get_field(name)
        else:
            continue
        if name in errors:
            continue
        if "\x00" in value:
            errors[name] = _(
                "The %(field)s contains a null character; remove it and try again."
            ) % {"field": model_field.verbose_name}
        elif model_field.max_length and len(value) > model_field.max_length:
            errors[name] = _(
                "The %(field)s is too long; shorten it to %(limit)d characters or fewer."
            ) % {"field": model_field.verbose_name, "limit": model_field.max_length}


# --- derived values ------------------------------------------------------------------------


def _apply_value(project: Project) -> None:
    """Normalise the value to US dollars with the dated rate in force on the signing date."""
    project.value_usd = None
    project.fx_rate = None
    if project.value is None or not project.currency:
        return
    conversion = to_usd(project.value, project.currency, project.signed_on or timezone.localdate())
    if conversion is not None:
        project.value_usd = conversion.amount_usd
        project.fx_rate = conversion.rate


def _counted_value(project: Project, parent_value_usd: Decimal | None) -> Decimal | None:
    """A sub-project's value is part of its framework agreement's value: count it only when
    the framework agreement itself states no value. Totals never count a value twice."""
    if project.value_usd is None:
        return None
    if project.parent_id is not None and parent_value_usd is not None:
        return Decimal("0")
    return project.value_usd


def _refresh_children(project: Project) -> None:
    for child in project.children.all():
        counted = _counted_value(child, project.value_usd)
        if child.counted_value_usd != counted:
            Project.objects.filter(pk=child.pk).update(counted_value_usd=counted)


def _lead_side(parties: list[tuple[Organisation, str]]) -> str:
    initiators = {org.country for org, role in parties if role == ProjectParty.Role.INITIATOR}
    countries = initiators or {org.country for org, _role in parties}
    has_cn, has_sg = "CN" in countries, "SG" in countries
    if has_cn and has_sg:
        return Project.Side.JOINT
    if has_cn:
        return Project.Side.CHINA
    if has_sg:
        return Project.Side.SINGAPORE
    return Project.Side.OTHER


def _next_external_id() -> str:
    return f"CORRIDOR-{timezone.now():%Y%m%d%H%M%S%f}"


# --- writes --------------------------------------------------------------------------------


def _resolve_parent(external_id: str) -> Project | None:
    if not external_id:
        return None
    parent = Project.objects.filter(external_id=external_id).first()
    if parent is None:
        raise ValidationError(
            {"parent": _("No project has the external id “%(value)s”.") % {"value": external_id}}
        )
    return parent


def _check_no_cycle(project: Project, parent: Project | None) -> None:
    seen = set()
    node = parent
    while node is not None:
        if node.pk == project.pk or node.pk in seen:
            raise ValidationError(
                {
                    "parent": _(
                        "That framework agreement is already under this project; a project cannot be "
                        "inside itself."
                    )
                }
            )
        seen.add(node.pk)
        node = node.parent


def project_create(
    *, actor, owner: Organisation, data: ProjectInput, audit_action: str = "create"
) -> Project:
    require(
        can_record_for(actor, owner),
        _("You can only record projects for your own organisation."),
    )
    errors, clean = validate_project_input(data, known_parents=None)
    if errors:
        raise ValidationError(errors)
    external_id = data.external_id.strip() or _next_external_id()
    if Project.objects.filter(external_id=external_id).exists():
        raise ValidationError(
            {
                "external_id": _("A project with the external id “%(value)s” already exists.")
                % {"value": external_id}
            }
        )
    with transaction.atomic():
        parent = _resolve_parent(clean.pop("parent_external_id"))
        project = Project(owner=owner, external_id=external_id, parent=parent, **clean)
        project.signed_year = project.signed_on.year if project.signed_on else None
        project.status_changed_on = project.signed_on
        _apply_value(project)
        project.counted_value_usd = _counted_value(project, parent.value_usd if parent else None)
        project.save()
        ProjectStatusChange.objects.create(
            project=project,
            from_status="",
            to_status=project.status,
            on=project.signed_on or timezone.localdate(),
            by=actor if _is_user(actor) else None,
            reason="",  # the page says "Recorded" in the reader's language
        )
        if data.parties is not None:
            _write_parties(project, data.parties)
        audit_record(
            actor=actor,
            action=audit_action,
            target=project,
            summary=project.title_en,
            changes=diff({}, snapshot(project, AUDITED_FIELDS)),
        )
    return project


def project_update(
    *,
    actor,
    project: Project,
    data: ProjectInput,
    version: int | None = None,
    audit_action: str = "update",
) -> Project:
    """Change a project's fields. The status changes only through `project_transition`,
    except in imports, which record the imported status as a dated transition.

    `version` is the project's version the person loaded (pages and the API always give it;
    imports, which match by external id, do not): if someone saved since, the change is
    refused and nothing is written. A change to a published project by anyone but an
    initiative administrator is held as a pending revision (see `changes_are_held`); the
    project, and everything the public sees, keeps its published values until an
    administrator publishes the revision."""
    require(
        can_change_project(actor, project),
        _("You can only change projects your organisation recorded."),
    )
    errors, clean = validate_project_input(data, self_external_id=project.external_id)
    if audit_action != "import" and "status" not in errors and clean["status"] != project.status:
        errors["status"] = _(
            "Change the status with a dated status change that says why, not by editing "
            "the project."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        _check_version(project.version, version, STALE_PROJECT)
        parent = _resolve_parent(clean.pop("parent_external_id"))
        _check_no_cycle(project, parent)
        if changes_are_held(actor, project):
            _propose(actor=actor, project=project, data=data)
            return project
        before = snapshot(project, AUDITED_FIELDS)
        new_status = clean.pop("status")
        for name, value in clean.items():
            setattr(project, name, value)
        project.parent = parent
        project.signed_year = project.signed_on.year if project.signed_on else None
        if new_status != project.status:
            ProjectStatusChange.objects.create(
                project=project,
                from_status=project.status,
                to_status=new_status,
                on=timezone.localdate(),
                by=actor if _is_user(actor) else None,
                reason=_("Changed by import") if audit_action == "import" else "",
            )
            project.status = new_status
            project.status_changed_on = timezone.localdate()
        _apply_value(project)
        project.counted_value_usd = _counted_value(project, parent.value_usd if parent else None)
        project.version += 1
        project.save()
        if data.parties is not None:
            _write_parties(project, data.parties)
        _refresh_children(project)
        changes = diff(before, snapshot(project, AUDITED_FIELDS))
        if changes:
            audit_record(
                actor=actor,
                action=audit_action,
                target=project,
                summary=project.title_en,
                changes=changes,
            )
    return project


# --- proposed changes of published projects ------------------------------------------------

# The fields of ProjectInput a revision holds (all but `parties`, held apart, and the errors).
REVISION_FIELDS = [
    f.name for f in dataclasses.fields(ProjectInput) if f.name not in ("parties", "extra_errors")
]


def input_of(project: Project) -> ProjectInput:
    """The project as it is, in the form project_update expects (parties unchanged)."""
    return ProjectInput(
        external_id=project.external_id,
        title_en=project.title_en,
        title_zh=project.title_zh,
        description_en=project.description_en,
        description_zh=project.description_zh,
        kind=project.kind,
        status=project.status,
        sector=project.sector.code,
        value=project.value,
        currency=project.currency,
        signed_on=project.signed_on,
        location_en=project.location_en,
        location_zh=project.location_zh,
        parent_external_id=project.parent.external_id if project.parent_id else "",
        is_synthetic=project.is_synthetic,
        source_url=project.source_url,
        parties=None,
    )


def _revision_values(data: ProjectInput) -> dict:
    values = {}
    for name in REVISION_FIELDS:
        value = getattr(data, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        values[name] = value
    amount = parse_decimal(data.value)  # already validated
    values["value"] = None if amount is None else str(amount.quantize(Decimal("0.01")))
    values["parties"] = (
        None
        if data.parties is None
        else [[party.organisation.pk, party.role] for party in data.parties]
    )
    return values


def revision_input(revision: ProjectRevision) -> ProjectInput:
    """The project as the revision proposes it."""
    values = revision.values
    data = ProjectInput(**{name: values[name] for name in REVISION_FIELDS if name in values})
    data.signed_on = date.fromisoformat(values["signed_on"]) if values.get("signed_on") else None
    if values.get("parties") is not None:
        organisations = Organisation.objects.in_bulk([pk for pk, _role in values["parties"]])
        missing = [pk for pk, _role in values["parties"] if pk not in organisations]
        if missing:
            data.extra_errors["parties"] = _("No organisation has the id “%(value)s”.") % {
                "value": missing[0]
            }
        data.parties = [
            PartyInput(organisation=organisations[pk], role=role)
            for pk, role in values["parties"]
            if pk in organisations
        ]
    return data


def pending_revision(project: Project) -> ProjectRevision | None:
    return (
        ProjectRevision.objects.filter(project=project, status=ProjectRevision.Status.PENDING)
        .select_related("author")
        .first()
    )


def _party_lines(parties) -> list[str]:
    return sorted(f"{organisation_id}:{role}" for organisation_id, role in parties)


def revision_changes(revision: ProjectRevision) -> dict[str, list]:
    """{field: [published value, proposed value]} for every field the revision changes,
    against the project as it is now; `parties` as sorted "organisation id:role" lines."""
    published = _revision_values(input_of(revision.project))
    changes = {
        name: [published[name], revision.values.get(name)]
        for name in REVISION_FIELDS
        if name != "status" and published[name] != revision.values.get(name)
    }
    if revision.values.get("parties") is not None:
        before = _party_lines(revision.project.parties.values_list("organisation_id", "role"))
        after = _party_lines(revision.values["parties"])
        if before != after:
            changes["parties"] = [before, after]
    transition = revision.values.get("transition")
    if transition:
        project = revision.project
        changes["status"] = [project.status, transition["to_status"]]
        changes["status_changed_on"] = [
            project.status_changed_on.isoformat() if project.status_changed_on else None,
            transition["on"],
        ]
        changes["status_reason"] = ["", transition["reason"]]
    return changes


def _propose(
    *, actor, project: Project, data: ProjectInput, transition: dict | None = None
) -> ProjectRevision:
    """Hold a change of a published project (the caller has checked it and locked the row).
    It replaces the pending revision, if any: the person's form started from its values, and
    the parties and status change it proposed stay proposed unless the change gives others.
    `transition` is a status change ({to_status, on, reason}), applied after the fields."""
    previous = (
        ProjectRevision.objects.select_for_update()
        .filter(project=project, status=ProjectRevision.Status.PENDING)
        .first()
    )
    values = _revision_values(data)
    values["status"] = project.status  # the status changes only through transitions
    values["transition"] = transition
    if values["parties"] is None and previous is not None:
        values["parties"] = previous.values.get("parties")
    if transition is None and previous is not None:
        values["transition"] = previous.values.get("transition")
    if previous is not None:
        previous.status = ProjectRevision.Status.SUPERSEDED
        previous.save(update_fields=["status"])
    project.version += 1
    Project.objects.filter(pk=project.pk).update(version=project.version)
    revision = ProjectRevision.objects.create(
        project=project, values=values, base_version=project.version, author=actor
    )
    audit_record(
        actor=actor,
        action="create",
        target=revision,
        summary=gettext_noop("Change of the published project “%(title)s” proposed"),
        summary_params={"title": project.title_en or project.title_zh},
        changes=revision_changes(revision),
    )
    return revision


def _pending_for_decision(actor, revision: ProjectRevision) -> ProjectRevision:
    require(
        can_decide_revision(actor),
        _("Only the initiative's administrators can publish or reject proposed changes."),
    )
    revision = ProjectRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != ProjectRevision.Status.PENDING:
        message = _("This proposed change was already decided (%(status)s); nothing was changed.")
        raise ValidationError({"status": message % {"status": revision.get_status_display()}})
    return revision


def project_revision_publish(*, actor, revision: ProjectRevision) -> Project:
    """Apply a proposed change to the published project (administrators only). If the project
    changed since the change was proposed, it is refused: reject it and ask for a new one."""
    with transaction.atomic():
        revision = _pending_for_decision(actor, revision)
        project = Project.objects.select_for_update().get(pk=revision.project_id)
        if project.version != revision.base_version:
            raise _stale(
                _(
                    "The project changed since this change was proposed; reject it and ask for "
                    "the change to be made again on the current version."
                )
            )
        data = revision_input(revision)
        data.status = project.status
        changes = revision_changes(revision)
        project = project_update(actor=actor, project=project, data=data, version=project.version)
        transition = revision.values.get("transition")
        if transition:
            project = project_transition(
                actor=actor,
                project=project,
                to_status=transition["to_status"],
                on=date.fromisoformat(transition["on"]),
                reason=transition["reason"],
            )
        _decide(
            actor,
            revision,
            ProjectRevision.Status.PUBLISHED,
            action="publish",
            summary=gettext_noop("Proposed change published"),
            summary_params={},
            changes=changes,
        )
    return project


def project_revision_reject(*, actor, revision: ProjectRevision, note: str = "") -> ProjectRevision:
    """Refuse a proposed change (administrators only); the project keeps its values."""
    note = (note or "").strip()
    if len(note) > 500 or "\x00" in note:
        raise ValidationError(
            {"note": _("Give the reason in 500 characters or fewer, without null characters.")}
        )
    with transaction.atomic():
        revision = _pending_for_decision(actor, revision)
        rejected = ProjectRevision.Status.REJECTED
        _decide(
            actor,
            revision,
            rejected,
            note=note,
            action="update",
            summary=note or gettext_noop("Proposed change rejected"),
            summary_params=None if note else {},
            changes={"status": [ProjectRevision.Status.PENDING, rejected]},
        )
    return revision


def _decide(actor, revision: ProjectRevision, status: str, *, note: str = "", **audit) -> None:
    """Record an administrator's decision on a proposed change with its audit entry, and
    tell the author once it is committed."""
    revision.status = status
    revision.decided_by, revision.decided_at = actor, timezone.now()
    revision.decision_note = note
    revision.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(actor=actor, target=revision, **audit)
    _notify_author(revision)


def _notify_author(revision: ProjectRevision) -> None:
    """E-mail the author the decision once it is committed."""
    if revision.author_id is None:
        return

    transaction.on_commit(lambda: notifications.notify_revision_decided.enqueue(revision.pk))


def _is_user(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _write_parties(project: Project, parties: list[PartyInput]) -> None:
    ProjectParty.objects.filter(project=project).delete()
    ProjectParty.objects.bulk_create(
        [ProjectParty(project=project, organisation=p.organisation, role=p.role) for p in parties],
        ignore_conflicts=True,
    )
    side = _lead_side([(p.organisation, p.role) for p in parties])
    if side != project.lead_side:
        Project.objects.filter(pk=project.pk).update(lead_side=side)
        project.lead_side = side


def project_set_parties(
    *, actor, project: Project, parties: list[PartyInput], version: int | None = None
) -> Project:
    """Replace the parties of a project. On a published project, a change by anyone but an
    initiative administrator is held with the project's other pending changes (the parties
    decide the leading side that public breakdowns count)."""
    require(
        can_change_project(actor, project),
        _("You can only change projects your organisation recorded."),
    )
    for party in parties:
        if party.role not in ProjectParty.Role.values:
            raise ValidationError(
                {"parties": _("“%(value)s” is not a party role.") % {"value": party.role}}
            )
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        _check_version(project.version, version, STALE_PROJECT)
        if changes_are_held(actor, project):
            pending = pending_revision(project)
            data = revision_input(pending) if pending is not None else input_of(project)
            data.parties = parties
            _propose(actor=actor, project=project, data=data)
            return project
        before = sorted(f"{p.organisation_id}:{p.role}" for p in project.parties.all())
        _write_parties(project, parties)
        after = sorted(f"{p.organisation.pk}:{p.role}" for p in parties)
        project.version += 1
        Project.objects.filter(pk=project.pk).update(version=project.version)
        audit_record(
            actor=actor,
            action="update",
            target=project,
            summary=gettext_noop("Parties changed"),
            summary_params={},
            changes={"parties": [before, after]} if before != after else {},
        )
    return project


def project_transition(
    *, actor, project: Project, to_status: str, on: date, reason: str
) -> Project:
    """Move a project along its lifecycle (see workflow.TRANSITIONS); a reason is required.
    On a published project, a change by anyone but an initiative administrator is held with
    the project's other pending changes until an administrator publishes it."""
    require(
        can_change_project(actor, project),
        _("You can only change projects your organisation recorded."),
    )
    errors = {}
    if to_status not in workflow.allowed_next(project.status):
        errors["to_status"] = _("A project that is “%(current)s” cannot become “%(target)s”.") % {
            "current": project.get_status_display(),
            "target": dict(Project.Status.choices).get(to_status, to_status),
        }
    if not reason.strip():
        errors["reason"] = _("Say why the status changes.")
    elif len(reason.strip()) > 500 or "\x00" in reason:
        errors["reason"] = _("Give the reason in 500 characters or fewer, without null characters.")
    if on is None or on > timezone.localdate():
        errors["on"] = _("Give the date of the change; it cannot be in the future.")
    elif project.status_changed_on and on < project.status_changed_on:
        errors["on"] = _("The change cannot be dated before the previous one (%(date)s).") % {
            "date": project.status_changed_on.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if changes_are_held(actor, project):
            project = Project.objects.select_for_update().get(pk=project.pk)
            pending = pending_revision(project)
            data = revision_input(pending) if pending is not None else input_of(project)
            transition = {"to_status": to_status, "on": on.isoformat(), "reason": reason.strip()}
            _propose(actor=actor, project=project, data=data, transition=transition)
            return project
        previous = project.status
        ProjectStatusChange.objects.create(
            project=project,
            from_status=previous,
            to_status=to_status,
            on=on,
            reason=reason.strip(),
            by=actor if _is_user(actor) else None,
        )
        project.status = to_status
        project.status_changed_on = on
        project.save(update_fields=["status", "status_changed_on", "updated_at"])
        audit_record(
            actor=actor,
            action="transition",
            target=project,
            summary=reason.strip(),
            changes={"status": [previous, to_status]},
        )
    return project


def project_publish(*, actor, project: Project, published: bool) -> Project:
    """Only the initiative's administrators decide what anonymous visitors see."""
    require(
        can_publish(actor),
        _("Only the initiative's administrators can publish projects."),
    )
    if project.is_published == published:
        return project
    with transaction.atomic():
        project.is_published = published
        project.save(update_fields=["is_published", "updated_at"])
        audit_record(
            actor=actor,
            action="publish",
            target=project,
            summary="",  # the change of `is_published` says which way
            changes={"is_published": [not published, published]},
        )
    return project


def innovation_save(
    *, actor, innovation: Innovation | None = None, version: int | None = None, **fields
) -> Innovation:
    """Create or change an institutional innovation (administrators and facilitators only).
    A change carries the version the person loaded; if someone saved since, it is refused."""
    require(
        can_record_innovations(actor),
        _("Only the initiative's administrators and facilitators record innovations."),
    )
    agencies = fields.pop("agencies", None)
    errors = {}
    title_en = fields.get("title_en", innovation.title_en if innovation else "")
    title_zh = fields.get("title_zh", innovation.title_zh if innovation else "")
    if not (title_en or title_zh):
        errors["title_en"] = _("Give the innovation a title in English or Chinese.")
    if "category" in fields and fields["category"] not in Innovation.Category.values:
        errors["category"] = _("“%(value)s” is not an innovation category.") % {
            "value": fields["category"]
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        names = [f for f in fields if f != "agencies"]
        before = snapshot(innovation, names) if innovation else {}
        if innovation is None:
            fields.setdefault("external_id", f"INNOVATION-{timezone.now():%Y%m%d%H%M%S%f}")
            innovation = Innovation.objects.create(**fields)
            action = "create"
        else:
            innovation = Innovation.objects.select_for_update().get(pk=innovation.pk)
            _check_version(innovation.version, version, STALE_INNOVATION)
            before = snapshot(innovation, names)
            for name, value in fields.items():
                setattr(innovation, name, value)
            innovation.version += 1
            innovation.save()
            action = "update"
        if agencies is not None:
            innovation.agencies.set(agencies)
        audit_record(
            actor=actor,
            action=action,
            target=innovation,
            summary=innovation.title_en,
            changes=diff(before, snapshot(innovation, names)),
        )
    return innovation


def published_figure_save(
    *, actor, figure: PublishedFigure | None = None, version: int | None = None, **fields
) -> PublishedFigure:
    """Record or change a published figure (administrators only). A change carries the
    version the person loaded; if someone saved since, it is refused."""
    require(
        can_record_figures(actor),
        _("Only the initiative's administrators record published figures."),
    )
    errors = {}
    if not fields.get("source_url") and not (figure and figure.source_url):
        errors["source_url"] = _("A published figure needs its source.")
    if "metric" in fields and fields["metric"] not in PublishedFigure.Metric.values:
        errors["metric"] = _("“%(value)s” is not a metric.") % {"value": fields["metric"]}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = snapshot(figure, list(fields)) if figure else {}
        if figure is None:
            figure = PublishedFigure.objects.create(**fields)
            action = "create"
        else:
            figure = PublishedFigure.objects.select_for_update().get(pk=figure.pk)
            _check_version(figure.version, version, STALE_FIGURE)
            before = snapshot(figure, list(fields))
            for name, value in fields.items():
                setattr(figure, name, value)
            figure.version += 1
            figure.save()
            action = "update"
        audit_record(
            actor=actor,
            action=action,
            target=figure,
            summary=str(figure),
            changes=diff(before, snapshot(figure, list(fields))),
        )
    return figure


def project_link_save(
    *,
    actor,
    project: Project,
    url: str,
    title_en: str = "",
    title_zh: str = "",
    kind: str = ProjectLink.Kind.OTHER,
    publisher: str = "",
    published_on: date | None = None,
    audit_action: str = "update",
) -> tuple[ProjectLink, bool]:
    """Add a document or link to a project, or change the one it already has at the same
    address (so importing a file twice adds nothing). Returns (link, created)."""
    require(
        can_change_project(actor, project),
        _("You can only change projects your organisation recorded."),
    )
    url, title_en, title_zh = url.strip(), title_en.strip(), title_zh.strip()
    errors = {}
    try:
        URLValidator()(url)
    except ValidationError:
        errors["url"] = _("“%(value)s” is not a web address.") % {"value": url}
    if not errors and len(url) > ProjectLink._meta.get_field("url").max_length:
        errors["url"] = _("The address is too long; it can have at most %(limit)d characters.") % {
            "limit": ProjectLink._meta.get_field("url").max_length
        }
    if not title_en and not title_zh:
        errors["title_en"] = _("Give the document or link a title in English or Chinese.")
    if kind not in ProjectLink.Kind.values:
        errors["kind"] = _("“%(value)s” is not a kind of document or link.") % {"value": kind}
    if errors:
        raise ValidationError(errors)
    fields = {
        "title_en": title_en[:300],
        "title_zh": title_zh[:300],
        "kind": kind,
        "publisher": publisher.strip()[:200],
        "published_on": published_on,
    }
    with transaction.atomic():
        link = ProjectLink.objects.filter(project=project, url=url).first()
        created = link is None
        before = {} if created else snapshot(link, list(fields))
        if created:
            link = ProjectLink.objects.create(project=project, url=url, **fields)
        else:
            for name, value in fields.items():
                setattr(link, name, value)
        changes = diff(before, snapshot(link, list(fields)))
        if changes and not created:
            link.save()
        if changes:
            audit_record(
                actor=actor,
                action=audit_action,
                target=project,
                summary=gettext_noop("Document or link: %(title)s"),
                summary_params={"title": link.title_en or link.title_zh},
                changes={f"link {url} {name}": values for name, values in changes.items()},
            )
    return link, created


# --- replications of an institutional innovation -------------------------------------------


@dataclass
class ReplicationInput:
    """A place an innovation was replicated to, as a person gives it."""

    place_en: str = ""
    place_zh: str = ""
    country: str = "CN"
    replicated_on: date | None = None


REPLICATION_FIELDS = ["place_en", "place_zh", "country", "replicated_on"]


def _replication_errors(replications: list[ReplicationInput]) -> tuple[dict, list[dict]]:
    """Check each replication. Returns (errors by field, cleaned rows); every error is a whole
    sentence naming the replication by its number in the list."""
    errors: dict[str, list[str]] = {}
    rows: list[dict] = []
    seen: dict[tuple[str, str, str], int] = {}
    limit = InnovationReplication._meta.get_field("place_en").max_length
    for number, replication in enumerate(replications, start=1):
        row = {
            "place_en": (replication.place_en or "").strip(),
            "place_zh": (replication.place_zh or "").strip(),
            "country": (replication.country or "").strip().upper(),
            "replicated_on": replication.replicated_on,
        }
        rows.append(row)
        if not row["place_en"] and not row["place_zh"]:
            errors.setdefault("place_en", []).append(
                _("Give the place of replication %(number)d in English or Chinese.")
                % {"number": number}
            )
        for name in ("place_en", "place_zh"):
            field_name = InnovationReplication._meta.get_field(name).verbose_name
            if "\x00" in row[name]:
                errors.setdefault(name, []).append(
                    _(
                        "The %(field)s of replication %(number)d contains a null character; "
                        "remove it and try again."
                    )
                    % {"field": field_name, "number": number}
                )
            elif len(row[name]) > limit:
                errors.setdefault(name, []).append(
                    _(
                        "The %(field)s of replication %(number)d is too long; shorten it to "
                        "%(limit)d characters or fewer."
                    )
                    % {"field": field_name, "number": number, "limit": limit}
                )
        if not is_country(row["country"]):
            errors.setdefault("country", []).append(
                _(
                    "The country of replication %(number)d, “%(value)s”, is not an ISO 3166 "
                    "country code; use a code such as CN or SG."
                )
                % {"number": number, "value": row["country"]}
            )
        when = row["replicated_on"]
        if when is not None and not isinstance(when, date):
            errors.setdefault("replicated_on", []).append(
                _("The date of replication %(number)d must be a date (YYYY-MM-DD).")
                % {"number": number}
            )
        elif when is not None and when > timezone.localdate():
            errors.setdefault("replicated_on", []).append(
                _("The date of replication %(number)d cannot be in the future.")
                % {"number": number}
            )
        key = (row["place_en"].casefold(), row["place_zh"], row["country"])
        if key in seen and (row["place_en"] or row["place_zh"]):
            errors.setdefault("place_en", []).append(
                _("Replications %(first)d and %(second)d name the same place; remove one of them.")
                % {"first": seen[key], "second": number}
            )
        seen.setdefault(key, number)
    return errors, rows


def _replication_line(replication: InnovationReplication) -> str:
    """One replication as the audit log keeps it: place in both languages, country, date."""
    values = snapshot(replication, REPLICATION_FIELDS)
    return " · ".join(str(values[name]) for name in REPLICATION_FIELDS if values[name])


def innovation_set_replications(
    *, actor, innovation: Innovation, replications: list[ReplicationInput]
) -> Innovation:
    """Replace the places an innovation was replicated to (administrators and facilitators
    only). Nothing is written when any replication is wrong."""
    require(
        can_record_innovations(actor),
        _("Only the initiative's administrators and facilitators record innovations."),
    )
    errors, rows = _replication_errors(replications)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        existing = InnovationReplication.objects.filter(innovation=innovation).order_by(
            "replicated_on", "id"
        )
        before = sorted(_replication_line(r) for r in existing)
        existing.delete()
        created = InnovationReplication.objects.bulk_create(
            [InnovationReplication(innovation=innovation, **row) for row in rows]
        )
        after = sorted(_replication_line(r) for r in created)
        if before != after:
            audit_record(
                actor=actor,
                action="update",
                target=innovation,
                summary=gettext_noop("Replications changed"),
                summary_params={},
                changes={"replications": [before, after]},
            )
    return innovation
