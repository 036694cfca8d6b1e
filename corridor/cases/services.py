"""Every write to a case: validate, check permission, write in one transaction, record the
event on the case's timeline (and an audit entry for case-level writes), then enqueue the
e-mails once the transaction has committed.

Pages, the API, the demo and tasks call these functions; none of them writes models directly.
Documents are written by `corridor/cases/documents/services.py`.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.accounts import roles
from corridor.accounts.models import Membership, Organisation
from corridor.cases import permissions, tasks, workflow
from corridor.cases.models import (
    Case,
    CaseIssue,
    CaseParty,
    CaseTransition,
    IssueComment,
    Milestone,
)
from corridor.cases.timeline import record_event
from corridor.core.actors import person_of
from corridor.core.audit import audit_record, diff, snapshot
from corridor.core.permissions import require
from corridor.core.vocabularies import is_country
from corridor.standards.models import ReadinessAssessment

UNCHANGED = object()  # "leave this field as it is" in issue_update

CASE_AUDITED_FIELDS = [
    "reference",
    "kind",
    "title_en",
    "title_zh",
    "applicant_id",
    "product_name",
    "hs_code",
    "target_market",
    "assessment_id",
    "region_case_id",
    "status",
]
MILESTONE_FIELDS = [
    "title_en",
    "title_zh",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "owner_id",
    "dates_approximate",
]


def _stale(kind_message: str) -> ValidationError:
    """Someone saved in between: the API answers 409, the page shows the saved values."""
    return ValidationError({"version": kind_message})


def require_open(case: Case) -> None:
    """Refuse any change to a closed case (approved or withdrawn: `permissions.is_closed`).
    The status is read afresh: the case object in hand may predate its closing."""
    case.status = Case.objects.filter(pk=case.pk).values_list("status", flat=True).get()
    require(
        not permissions.is_closed(case),
        _(
            "This case is closed: it was %(status)s, so its milestones, issues, parties and "
            "documents can no longer change."
        )
        % {"status": case.get_status_display().lower()},
    )


def _require_write(actor, case: Case) -> None:
    require_open(case)
    require(
        permissions.can_write(actor, case),
        _(
            "You can only read this case: regulator contacts, observers and people outside "
            "the case cannot change it."
        ),
    )


def _touch(case: Case) -> None:
    """Mark the case as changed now (what lists sort it by)."""
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())


def _bilingual_title(obj) -> dict:
    return {"title": obj.title_en or obj.title_zh, "title_zh": obj.title_zh}


def _organisation_params(organisation: Organisation) -> dict:
    return {
        "organisation": organisation.name_en or organisation.name_zh,
        "organisation_zh": organisation.name_zh,
    }


def _person(user) -> str:
    return user.display_name if user is not None else ""


def _notify(task_name: str, *args) -> None:
    """Enqueue a notification task once the surrounding transaction commits."""

    def enqueue():
        getattr(tasks, task_name).enqueue(*args)

    transaction.on_commit(enqueue)


# --- cases ---------------------------------------------------------------------------------


def _next_reference(year: int) -> str:
    prefix = f"CASE-{year}-"
    number = Case.objects.filter(reference__startswith=prefix).count() + 1
    while Case.objects.filter(reference=f"{prefix}{number:04d}").exists():
        number += 1
    return f"{prefix}{number:04d}"


def _administration_membership(actor) -> Membership | None:
    """The actor's membership of the initiative administration as facilitator or administrator."""
    for membership in roles._memberships(actor):
        if membership.organisation.is_administration and membership.role in (
            Membership.Role.ADMINISTRATOR,
            Membership.Role.FACILITATOR,
        ):
            return membership
    return None


def roadmap_plan(roadmap: list[dict], start_on: date) -> list[dict]:
    """The readiness roadmap as planned milestones: each step starts when the steps it
    waits for end (or on `start_on`) and lasts its likely duration."""
    ends: dict[str, date] = {}
    plan = []
    for step in roadmap:
        after = [rid for rid in step.get("after", []) if rid in ends]
        start = max([ends[rid] for rid in after], default=start_on)
        durations = step.get("duration_days") or [0, 0, 0]
        likely = durations[1] if len(durations) > 1 else durations[0]
        end = start + timedelta(days=int(likely))
        ends[step["id"]] = end
        plan.append(
            {
                "requirement_key": step["id"],
                "title_en": step.get("title_en") or step["id"],
                "title_zh": step.get("title_zh", ""),
                "planned_start": start,
                "planned_end": end,
                "after": after,
            }
        )
    return plan


def case_open(
    *,
    actor,
    applicant: Organisation,
    title_en: str,
    title_zh: str = "",
    target_market: str,
    product_name: str = "",
    hs_code: str = "",
    description_en: str = "",
    description_zh: str = "",
    assessment: ReadinessAssessment | None = None,
    region_case: Case | None = None,
    kind: str = Case.Kind.ENTERPRISE,
    start_on: date | None = None,
) -> Case:
    """Open a case for `applicant`, as a draft. From a readiness assessment, its roadmap
    becomes the case's milestones, planned from `start_on` (default today)."""
    require(
        permissions.can_open_case_for(actor, applicant),
        _("You can only open cases for your own organisation."),
    )
    title_en, title_zh = (title_en or "").strip(), (title_zh or "").strip()
    target_market = (target_market or "").strip().upper()
    hs_code = "".join(ch for ch in (hs_code or "") if ch not in " .\t")
    errors: dict[str, str] = {}
    if not title_en and not title_zh:
        errors["title_en"] = _("Give the case a title in English or Chinese.")
    if kind not in Case.Kind.values:
        errors["kind"] = _("“%(value)s” is not a kind of case; use one of: %(choices)s.") % {
            "value": kind,
            "choices": ", ".join(Case.Kind.values),
        }
    if not is_country(target_market):
        errors["target_market"] = _(
            "“%(value)s” is not an ISO 3166 country code; give the target market as a "
            "two-letter code such as SG."
        ) % {"value": target_market}
    if hs_code and not (hs_code.isascii() and hs_code.isdigit() and len(hs_code) <= 10):
        errors["hs_code"] = _(
            "“%(value)s” is not an HS code; give 2 to 10 digits, for example 160249."
        ) % {"value": hs_code}
    if assessment is not None and assessment.organisation_id != applicant.pk:
        errors["assessment"] = _(
            "This readiness assessment was made for another organisation; choose one made "
            "for the applicant."
        )
    if region_case is not None:
        if kind != Case.Kind.ENTERPRISE:
            errors["region_case"] = _("Only an enterprise case can belong to a regional case.")
        elif region_case.kind != Case.Kind.REGIONAL:
            errors["region_case"] = _(
                "Case %(reference)s is not a regional case; choose a regional case."
            ) % {"reference": region_case.reference}
        elif not Case.objects.visible_to(actor).filter(pk=region_case.pk).exists():
            errors["region_case"] = _(
                "You do not take part in case %(reference)s; choose a regional case you "
                "take part in."
            ) % {"reference": region_case.reference}
        elif not permissions.can_write(actor, region_case):
            # Adding an enterprise case changes the regional case (its timeline and its
            # list of enterprise cases): not for those who only read it.
            errors["region_case"] = _(
                "You can only read case %(reference)s, so you cannot add a case to it; ask "
                "its applicant or facilitator."
            ) % {"reference": region_case.reference}
    if errors:
        raise ValidationError(errors)
    if assessment is not None:
        product_name = product_name or assessment.product_name
        hs_code = hs_code or assessment.hs_code
    start_on = start_on or timezone.localdate()
    facilitation = _administration_membership(actor)

    with transaction.atomic():
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    case = Case.objects.create(
                        reference=_next_reference(timezone.localdate().year),
                        kind=kind,
                        title_en=title_en,
                        title_zh=title_zh,
                        description_en=(description_en or "").strip(),
                        description_zh=(description_zh or "").strip(),
                        applicant=applicant,
                        product_name=(product_name or "").strip(),
                        hs_code=hs_code,
                        target_market=target_market,
                        assessment=assessment,
                        region_case=region_case,
                        status=Case.Status.DRAFT,
                        status_changed_at=timezone.now(),
                        created_by=person_of(actor),
                    )
                break
            except IntegrityError:  # another case took the reference meanwhile
                continue
        else:
            raise ValidationError(
                {"__all__": _("Could not give the case a reference; please try again.")}
            )
        applicant_party = CaseParty.objects.create(
            case=case, organisation=applicant, role=CaseParty.Role.APPLICANT
        )
        if facilitation is not None and facilitation.organisation_id != applicant.pk:
            CaseParty.objects.create(
                case=case,
                organisation=facilitation.organisation,
                role=CaseParty.Role.FACILITATOR,
                contact=actor,
            )
        if assessment is not None:
            _milestones_from_roadmap(case, assessment, start_on, owner=applicant_party)
        record_event(
            case=case,
            actor=actor,
            kind="case_opened",
            params={
                "reference": case.reference,
                **_bilingual_title(case),
                "from_assessment": assessment is not None,
            },
        )
        if region_case is not None:
            record_event(
                case=region_case,
                actor=actor,
                kind="enterprise_case_added",
                params={"reference": case.reference, **_bilingual_title(case)},
            )
        audit_record(
            actor=actor,
            action="create",
            target=case,
            summary=f"{case.reference} {case.title_en or case.title_zh}",
            changes=diff({}, snapshot(case, CASE_AUDITED_FIELDS)),
        )
    return case


def _milestones_from_roadmap(
    case: Case, assessment: ReadinessAssessment, start_on: date, *, owner: CaseParty
) -> list[Milestone]:
    plan = roadmap_plan((assessment.result or {}).get("roadmap", []), start_on)
    by_key: dict[str, Milestone] = {}
    for position, step in enumerate(plan, start=1):
        milestone = Milestone.objects.create(
            case=case,
            title_en=step["title_en"],
            title_zh=step["title_zh"],
            requirement_key=step["requirement_key"],
            owner=owner,
            planned_start=step["planned_start"],
            planned_end=step["planned_end"],
            position=position,
        )
        if step["after"]:
            milestone.depends_on.set([by_key[key] for key in step["after"]])
        by_key[step["requirement_key"]] = milestone
    return list(by_key.values())


def case_add_party(
    *, actor, case: Case, organisation: Organisation, role: str, contact=None
) -> CaseParty:
    """Add an organisation to the case in a role, optionally with its contact person.
    Only the initiative's staff add a facilitator or a regulator contact."""
    require_open(case)
    require(
        permissions.can_manage_parties(actor, case),
        _("Only the applicant and the facilitators of a case can change who takes part in it."),
    )
    _require_staff_for(actor, case, role)
    errors: dict[str, str] = {}
    if role not in CaseParty.Role.values:
        errors["role"] = _("“%(value)s” is not a role in a case; use one of: %(choices)s.") % {
            "value": role,
            "choices": ", ".join(CaseParty.Role.values),
        }
    elif role == CaseParty.Role.APPLICANT:
        errors["role"] = _(
            "A case has one applicant, given when the case is opened; choose another role."
        )
    if case.parties.filter(organisation=organisation).exists():
        errors["organisation"] = _(
            "%(organisation)s already takes part in this case; remove it first to change its role."
        ) % {"organisation": organisation.name}
    if (
        contact is not None
        and not Membership.objects.filter(user=contact, organisation=organisation).exists()
    ):
        errors["contact"] = _(
            "%(person)s is not a member of %(organisation)s; choose one of its members as contact."
        ) % {"person": _person(contact), "organisation": organisation.name}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        party = CaseParty.objects.create(
            case=case, organisation=organisation, role=role, contact=contact
        )
        record_event(
            case=case,
            actor=actor,
            kind="party_added",
            params={
                **_organisation_params(organisation),
                "role": role,
                "contact": _person(contact),
            },
        )
        audit_record(
            actor=actor,
            action="update",
            target=case,
            summary=_("Added %(organisation)s as %(role)s")
            % {"organisation": organisation.name_en, "role": party.get_role_display()},
            changes={"parties": [None, {"organisation_id": organisation.pk, "role": role}]},
        )
        _touch(case)
    return party


def _require_staff_for(actor, case: Case, role: str) -> None:
    require(
        permissions.can_manage_party_role(actor, case, role),
        _(
            "Only the initiative's administrators and facilitators can add or remove a "
            "facilitator or a regulator contact; ask the case's facilitator."
        ),
    )


def case_remove_party(*, actor, party: CaseParty) -> None:
    """Take a party out of the case. Only the initiative's staff remove a facilitator or a
    regulator contact, and the last facilitator stays while the case is open."""
    case = party.case
    require(
        permissions.can_manage_parties(actor, case),
        _("Only the applicant and the facilitators of a case can change who takes part in it."),
    )
    _require_staff_for(actor, case, party.role)
    if party.role == CaseParty.Role.APPLICANT:
        raise ValidationError({"party": _("The applicant cannot be removed from its own case.")})
    with transaction.atomic():
        # Lock the case: its status, and two removals at once, cannot leave it without
        # a facilitator.
        current = Case.objects.select_for_update().get(pk=case.pk)
        if (
            party.role == CaseParty.Role.FACILITATOR
            and not workflow.is_final(current.status)
            and not current.parties.filter(role=CaseParty.Role.FACILITATOR)
            .exclude(pk=party.pk)
            .exists()
        ):
            raise ValidationError(
                {
                    "party": _(
                        "The facilitator cannot be removed while the case is open: nobody "
                        "would verify and approve it. Add another facilitator first, or "
                        "remove this one once the case is approved or withdrawn."
                    )
                }
            )
        organisation, role = party.organisation, party.role
        party.delete()
        record_event(
            case=case,
            actor=actor,
            kind="party_removed",
            params={**_organisation_params(organisation), "role": role},
        )
        audit_record(
            actor=actor,
            action="update",
            target=case,
            summary=_("Removed %(organisation)s") % {"organisation": organisation.name_en},
            changes={"parties": [{"organisation_id": organisation.pk, "role": role}, None]},
        )
        _touch(case)


def case_transition(*, actor, case: Case, to_status: str, reason: str, version: int | None) -> Case:
    """Move the case along its lifecycle (workflow.TRANSITIONS), with a reason. The move
    must carry the version of the case the person loaded; if someone changed the case in
    between (moved it, for instance), it is refused and nothing is written."""
    reason = (reason or "").strip()
    if to_status not in Case.Status.values:
        raise ValidationError(
            {
                "to_status": _("“%(value)s” is not a case status; use one of: %(choices)s.")
                % {"value": to_status, "choices": ", ".join(Case.Status.values)}
            }
        )
    require(
        permissions.party_role(actor, case) in permissions.WRITERS,
        _(
            "You can only read this case: regulator contacts, observers and people outside "
            "the case cannot change its status."
        ),
    )
    if version is None:
        raise _stale(
            _("The version of the case you opened is missing; reload the page and try again.")
        )
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.version != int(version):
            raise _stale(
                _(
                    "Someone else changed this case since you opened it (it is now "
                    "%(status)s); reload the page to see their change, then decide again."
                )
                % {"status": case.get_status_display()}
            )
        from_status = case.status
        if to_status not in workflow.allowed_next(from_status):
            raise ValidationError(
                {
                    "to_status": _(
                        "A case that is %(current)s cannot become %(target)s; it can become: "
                        "%(choices)s."
                    )
                    % {
                        "current": case.get_status_display(),
                        "target": Case.Status(to_status).label,
                        "choices": ", ".join(
                            str(Case.Status(s).label) for s in workflow.allowed_next(from_status)
                        )
                        or _("nothing, the case is closed"),
                    }
                }
            )
        require(
            permissions.can_transition(actor, case, to_status),
            _("You cannot move this case from %(current)s to %(target)s.")
            % {"current": case.get_status_display(), "target": Case.Status(to_status).label},
        )
        if not reason:
            raise ValidationError({"reason": _("Give the reason for this change of status.")})
        now = timezone.now()
        transition = CaseTransition.objects.create(
            case=case,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            by=person_of(actor),
            at=now,
        )
        case.status = to_status
        case.status_changed_at = now
        case.version += 1
        case.save(update_fields=["status", "status_changed_at", "version", "updated_at"])
        record_event(
            case=case,
            actor=actor,
            kind="case_transitioned",
            params={"from": from_status, "to": to_status, "reason": reason},
            at=now,
        )
        audit_record(
            actor=actor,
            action="update",
            target=case,
            summary=reason,
            changes={"status": [from_status, to_status]},
        )
        _notify("notify_case_transition", transition.pk)
    return case


# --- milestones ----------------------------------------------------------------------------


def _depends_cycle(milestone: Milestone, depends_on: list[Milestone]) -> bool:
    """Would `milestone` depending on `depends_on` close a loop?"""
    edges: dict[int, set[int]] = {}
    through = Milestone.depends_on.through.objects.filter(from_milestone__case_id=milestone.case_id)
    for source, target in through.values_list("from_milestone_id", "to_milestone_id"):
        if source != milestone.pk:
            edges.setdefault(source, set()).add(target)
    seen: set[int] = set()
    todo = [m.pk for m in depends_on]
    while todo:
        current = todo.pop()
        if current == milestone.pk:
            return True
        if current in seen:
            continue
        seen.add(current)
        todo.extend(edges.get(current, ()))
    return False


def milestone_save(
    *,
    actor,
    case: Case,
    milestone: Milestone | None,
    version: int | None,
    title_en: str,
    title_zh: str = "",
    planned_start: date | None = None,
    planned_end: date | None = None,
    actual_start: date | None = None,
    actual_end: date | None = None,
    owner: CaseParty | None = None,
    depends_on: list[Milestone] = (),
    dates_approximate: bool = False,
) -> Milestone:
    """Add a milestone (`milestone` None) or change one. A change must carry the version the
    person loaded; if someone saved in between, it is refused and nothing is written."""
    _require_write(actor, case)
    if milestone is not None and milestone.case_id != case.pk:
        raise PermissionDenied(_("This milestone belongs to another case."))
    title_en, title_zh = (title_en or "").strip(), (title_zh or "").strip()
    depends_on = list(depends_on or [])
    errors: dict[str, str] = {}
    if not title_en and not title_zh:
        errors["title_en"] = _("Give the milestone a title in English or Chinese.")
    if planned_start and planned_end and planned_end < planned_start:
        errors["planned_end"] = _(
            "The planned end is before the planned start; give an end on or after the start."
        )
    if actual_start and actual_end and actual_end < actual_start:
        errors["actual_end"] = _(
            "The actual end is before the actual start; give an end on or after the start."
        )
    if actual_end and actual_end > timezone.localdate():
        errors["actual_end"] = _(
            "The actual end cannot be in the future; leave it empty until the milestone is done."
        )
    if owner is not None and owner.case_id != case.pk:
        errors["owner"] = _("The owner must be a party of this case; choose one of its parties.")
    if any(m.case_id != case.pk for m in depends_on):
        errors["depends_on"] = _(
            "A milestone can only depend on milestones of the same case; remove the others."
        )
    elif milestone is not None and any(m.pk == milestone.pk for m in depends_on):
        errors["depends_on"] = _("A milestone cannot depend on itself; remove it from the list.")
    elif milestone is not None and _depends_cycle(milestone, depends_on):
        errors["depends_on"] = _(
            "These dependencies would make a loop (a milestone waiting, through others, for "
            "itself); remove one of them."
        )
    if milestone is not None and version is None:
        errors["version"] = _(
            "The version of the milestone you opened is missing; reload the page and try again."
        )
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        if milestone is None:
            last = (
                Milestone.objects.filter(case=case)
                .order_by("-position")
                .values_list("position", flat=True)
                .first()
                or 0
            )
            milestone = Milestone(case=case, position=last + 1, version=1)
            before = None
        else:
            current = Milestone.objects.select_for_update().get(pk=milestone.pk)
            if current.version != version:
                raise _stale(
                    _(
                        "Someone else changed this milestone since you opened it; reload the "
                        "page to see their change, then make yours again."
                    )
                )
            milestone = current
            before = snapshot(milestone, MILESTONE_FIELDS)
            before["depends_on"] = sorted(milestone.depends_on.values_list("pk", flat=True))
            milestone.version = current.version + 1
        was_done = before is not None and before["actual_end"] is not None
        milestone.title_en, milestone.title_zh = title_en, title_zh
        milestone.planned_start, milestone.planned_end = planned_start, planned_end
        milestone.actual_start, milestone.actual_end = actual_start, actual_end
        milestone.owner = owner
        milestone.dates_approximate = bool(dates_approximate)
        milestone.save()
        milestone.depends_on.set(depends_on)
        if before is None:
            record_event(
                case=case, actor=actor, kind="milestone_added", params=_bilingual_title(milestone)
            )
        else:
            after = snapshot(milestone, MILESTONE_FIELDS)
            after["depends_on"] = sorted(m.pk for m in depends_on)
            changed = sorted(diff(before, after))
            if actual_end is not None and not was_done:
                record_event(
                    case=case,
                    actor=actor,
                    kind="milestone_completed",
                    params={**_bilingual_title(milestone), "on": actual_end.isoformat()},
                )
            elif changed:
                record_event(
                    case=case,
                    actor=actor,
                    kind="milestone_changed",
                    params={**_bilingual_title(milestone), "fields": changed},
                )
        _touch(case)
    return milestone


# --- issues --------------------------------------------------------------------------------


def _check_assignee(case: Case, assigned_to, errors: dict) -> None:
    if (
        assigned_to is not None
        and not Case.objects.visible_to(assigned_to).filter(pk=case.pk).exists()
    ):
        errors["assigned_to"] = _(
            "%(person)s does not take part in this case; assign the issue to someone who does."
        ) % {"person": _person(assigned_to)}


def _issue_title(title, errors: dict) -> str:
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the issue a title that says what the problem is.")
    return title


def _issue_event(issue: CaseIssue, actor, kind: str, **params) -> None:
    """A step of an issue on its case's timeline, named by the issue's title."""
    record_event(case=issue.case, actor=actor, kind=kind, params={"title": issue.title, **params})


def issue_raise(
    *, actor, case: Case, title: str, description: str = "", assigned_to=None, due_on=None
) -> CaseIssue:
    _require_write(actor, case)
    errors: dict[str, str] = {}
    title = _issue_title(title, errors)
    _check_assignee(case, assigned_to, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        issue = CaseIssue.objects.create(
            case=case,
            title=title,
            description=(description or "").strip(),
            raised_by=person_of(actor),
            assigned_to=assigned_to,
            due_on=due_on,
        )
        _issue_event(issue, actor, "issue_raised")
        if assigned_to is not None:
            _assigned(issue, actor)
        _touch(case)
    return issue


def _assigned(issue: CaseIssue, actor) -> None:
    _issue_event(issue, actor, "issue_assigned", assignee=_person(issue.assigned_to))
    if issue.assigned_to_id != getattr(actor, "pk", None):
        _notify("notify_issue_assigned", issue.pk)


def _locked_issue(issue: CaseIssue, version) -> CaseIssue:
    current = CaseIssue.objects.select_for_update().select_related("case").get(pk=issue.pk)
    if version is None or current.version != int(version):
        raise _stale(
            _(
                "Someone else changed this issue since you opened it; reload the page to see "
                "their change, then make yours again."
            )
        )
    return current


def issue_update(
    *,
    actor,
    issue: CaseIssue,
    version: int,
    title=UNCHANGED,
    description=UNCHANGED,
    assigned_to=UNCHANGED,
    due_on=UNCHANGED,
) -> CaseIssue:
    """Change an issue's title, description, assignee or due date (only those given)."""
    case = issue.case
    _require_write(actor, case)
    errors: dict[str, str] = {}
    if title is not UNCHANGED:
        title = _issue_title(title, errors)
    if assigned_to is not UNCHANGED:
        _check_assignee(case, assigned_to, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        issue = _locked_issue(issue, version)
        before_assignee = issue.assigned_to_id
        changed = []
        if title is not UNCHANGED and title != issue.title:
            issue.title = title
            changed.append("title")
        if description is not UNCHANGED and (description or "").strip() != issue.description:
            issue.description = (description or "").strip()
            changed.append("description")
        if assigned_to is not UNCHANGED and getattr(assigned_to, "pk", None) != before_assignee:
            issue.assigned_to = assigned_to
            changed.append("assigned_to")
        if due_on is not UNCHANGED and due_on != issue.due_on:
            issue.due_on = due_on
            changed.append("due_on")
        issue.version += 1
        issue.save()
        if "assigned_to" in changed and issue.assigned_to_id is not None:
            _assigned(issue, actor)
        other = [name for name in changed if name != "assigned_to"]
        if other or ("assigned_to" in changed and issue.assigned_to_id is None):
            _issue_event(issue, actor, "issue_changed", fields=changed)
        _touch(case)
    return issue


def issue_comment(*, actor, issue: CaseIssue, body: str) -> IssueComment:
    case = issue.case
    _require_write(actor, case)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the comment before sending it.")})
    with transaction.atomic():
        comment = IssueComment.objects.create(
            issue=issue,
            author=person_of(actor),
            body=body,
        )
        _issue_event(issue, actor, "issue_commented")
        _touch(case)
    return comment


# Where an issue's status can move: the step this puts on the case's timeline, and the
# sentence that refuses the move when the issue has that status already.
ISSUE_MOVES = {
    CaseIssue.Status.RESOLVED: ("issue_resolved", gettext_lazy("This issue is already resolved.")),
    CaseIssue.Status.OPEN: ("issue_reopened", gettext_lazy("This issue is already open.")),
}


def _issue_move(
    *, actor, issue: CaseIssue, version: int, to: str, params: dict | None = None, **fields
) -> CaseIssue:
    """Move the issue (as of the `version` the person read) to the status `to`, setting
    `fields`, and put the step on the case's timeline with `params`."""
    kind, already = ISSUE_MOVES[to]
    with transaction.atomic():
        issue = _locked_issue(issue, version)
        if issue.status == to:
            raise ValidationError({"status": str(already)})
        issue.status = to
        for name, value in fields.items():
            setattr(issue, name, value)
        issue.version += 1
        issue.save()
        _issue_event(issue, actor, kind, **(params or {}))
        _touch(issue.case)
    return issue


def issue_resolve(*, actor, issue: CaseIssue, version: int, resolution: str) -> CaseIssue:
    _require_write(actor, issue.case)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": _("Say how the issue was resolved.")})
    return _issue_move(
        actor=actor,
        issue=issue,
        version=version,
        to=CaseIssue.Status.RESOLVED,
        params={"resolution": resolution},
        resolution=resolution,
        resolved_at=timezone.now(),
    )


def issue_reopen(*, actor, issue: CaseIssue, version: int) -> CaseIssue:
    _require_write(actor, issue.case)
    return _issue_move(
        actor=actor, issue=issue, version=version, to=CaseIssue.Status.OPEN, resolved_at=None
    )
