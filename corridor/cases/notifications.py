"""E-mails about cases, each in its recipient's language.

Tasks (corridor/cases/tasks.py) call these with ids after the write has committed; the
overdue digest is sent by `python manage.py cases_notify_overdue` (daily cron).
"""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from corridor.accounts.models import Membership, User
from corridor.cases.models import Case, CaseIssue, CaseParty, CaseTransition, Milestone
from corridor.core.bilingual import bilingual


def language_of(user) -> str:
    """The language to write to `user` in: their stored preference, else the site's."""
    return user.preferred_language


def case_url(case: Case) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("cases:case_detail", args=[case.pk])


def _send(user, subject: str, body: str) -> bool:
    if not user.email:
        return False
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True


def case_people(case: Case) -> list[User]:
    """Everyone who takes part in the case: every party's contact, and the members of every
    party's organisation except the initiative administration (only its contacts)."""
    parties = list(CaseParty.objects.filter(case=case).select_related("organisation"))
    contact_ids = {p.contact_id for p in parties if p.contact_id}
    organisation_ids = {p.organisation_id for p in parties if not p.organisation.is_administration}
    member_ids = set(
        Membership.objects.filter(organisation_id__in=organisation_ids).values_list(
            "user_id", flat=True
        )
    )
    return list(User.objects.filter(pk__in=contact_ids | member_ids, is_active=True).order_by("pk"))


def send_issue_assigned(issue_id: int) -> int:
    """Tell the assignee of an open issue that it is theirs. Returns the e-mails sent."""
    issue = (
        CaseIssue.objects.select_related("case", "assigned_to", "raised_by")
        .filter(pk=issue_id, status=CaseIssue.Status.OPEN)
        .first()
    )
    if issue is None or issue.assigned_to is None:
        return 0
    user = issue.assigned_to
    with translation.override(language_of(user)):
        subject = _("[%(reference)s] Issue assigned to you: %(title)s") % {
            "reference": issue.case.reference,
            "title": issue.title,
        }
        lines = [
            _("Hello %(name)s,") % {"name": user.display_name},
            "",
            _("The issue “%(title)s” in the case %(reference)s “%(case)s” is assigned to you.")
            % {
                "title": issue.title,
                "reference": issue.case.reference,
                "case": bilingual(issue.case, "title"),
            },
        ]
        if issue.due_on:
            lines.append(_("It is due on %(date)s.") % {"date": issue.due_on.isoformat()})
        if issue.description:
            lines += ["", issue.description]
        lines += ["", _("Open the case: %(url)s") % {"url": case_url(issue.case)}]
        return int(_send(user, subject, "\n".join(lines)))


def send_case_transition(transition_id: int) -> int:
    """Tell everyone in the case that its status changed (except who changed it)."""
    transition = (
        CaseTransition.objects.select_related("case", "by").filter(pk=transition_id).first()
    )
    if transition is None:
        return 0
    case = transition.case
    sent = 0
    for user in case_people(case):
        if user.pk == transition.by_id:
            continue
        with translation.override(language_of(user)):
            subject = _("[%(reference)s] The case is now %(status)s") % {
                "reference": case.reference,
                "status": Case.Status(transition.to_status).label,
            }
            body = "\n".join(
                [
                    _("Hello %(name)s,") % {"name": user.display_name},
                    "",
                    _("%(person)s moved the case %(reference)s “%(case)s” from %(from)s to %(to)s.")
                    % {
                        "person": transition.by.display_name if transition.by else _("Corridor"),
                        "reference": case.reference,
                        "case": bilingual(case, "title"),
                        "from": Case.Status(transition.from_status).label
                        if transition.from_status
                        else "-",
                        "to": Case.Status(transition.to_status).label,
                    },
                    _("Reason: %(reason)s") % {"reason": transition.reason},
                    "",
                    _("Open the case: %(url)s") % {"url": case_url(case)},
                ]
            )
            sent += _send(user, subject, body)
    return sent


def _late_lines(heading, items, *, today, due, wording) -> list[str]:
    """One section of the overdue e-mail: its heading, a line per item late since `due(item)`
    (`wording(days)` gives the sentence, singular or plural), then a blank line."""
    lines = [heading]
    for item in items:
        days = (today - due(item)).days
        lines.append(
            wording(days)
            % {
                "reference": item.case.reference,
                "title": item.title,
                "date": due(item).isoformat(),
                "days": days,
                "url": case_url(item.case),
            }
        )
    return [*lines, ""]


def send_overdue(today: date | None = None) -> int:
    """One e-mail per person listing their overdue open issues and the late milestones of
    their parties. Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    issues = (
        CaseIssue.objects.filter(
            status=CaseIssue.Status.OPEN, due_on__lt=today, assigned_to__isnull=False
        )
        .select_related("case", "assigned_to")
        .order_by("due_on", "id")
    )
    open_statuses = [
        s for s in Case.Status.values if s not in (Case.Status.APPROVED, Case.Status.WITHDRAWN)
    ]
    milestones = (
        Milestone.objects.filter(
            actual_end__isnull=True,
            planned_end__lt=today,
            owner__isnull=False,
            case__status__in=open_statuses,
        )
        .select_related("case", "owner__organisation")
        .order_by("planned_end", "id")
    )
    per_user_issues: dict[int, list[CaseIssue]] = defaultdict(list)
    per_user_milestones: dict[int, list[Milestone]] = defaultdict(list)
    users: dict[int, User] = {}
    for issue in issues:
        if issue.case.status in open_statuses:
            per_user_issues[issue.assigned_to_id].append(issue)
            users[issue.assigned_to_id] = issue.assigned_to
    milestones = list(milestones)
    owner_organisations = {
        m.owner.organisation_id for m in milestones if not m.owner.organisation.is_administration
    }
    members: dict[int, set[int]] = defaultdict(set)
    for membership in Membership.objects.filter(
        organisation_id__in=owner_organisations
    ).select_related("user"):
        members[membership.organisation_id].add(membership.user_id)
        users[membership.user_id] = membership.user
    contacts = {
        u.pk: u
        for u in User.objects.filter(
            pk__in={m.owner.contact_id for m in milestones if m.owner.contact_id}
        )
    }
    users.update(contacts)
    for milestone in milestones:
        owners = set(members.get(milestone.owner.organisation_id, set()))
        if milestone.owner.organisation.is_administration:
            owners = set()
        if milestone.owner.contact_id:
            owners.add(milestone.owner.contact_id)
        for user_id in owners:
            per_user_milestones[user_id].append(milestone)

    sent = 0
    for user_id in sorted(set(per_user_issues) | set(per_user_milestones)):
        user = users[user_id]
        if not user.is_active:
            continue
        with translation.override(language_of(user)):
            lines = [_("Hello %(name)s,") % {"name": user.display_name}, ""]
            if per_user_issues.get(user_id):
                lines += _late_lines(
                    _("These issues assigned to you are overdue:"),
                    per_user_issues[user_id],
                    today=today,
                    due=lambda issue: issue.due_on,
                    wording=lambda days: ngettext(
                        "- [%(reference)s] “%(title)s”, due on %(date)s (%(days)d day late): "
                        "%(url)s",
                        "- [%(reference)s] “%(title)s”, due on %(date)s (%(days)d days late): "
                        "%(url)s",
                        days,
                    ),
                )
            if per_user_milestones.get(user_id):
                lines += _late_lines(
                    _("These milestones of your organisation are late:"),
                    per_user_milestones[user_id],
                    today=today,
                    due=lambda milestone: milestone.planned_end,
                    wording=lambda days: ngettext(
                        "- [%(reference)s] “%(title)s”, planned to end on %(date)s "
                        "(%(days)d day late): %(url)s",
                        "- [%(reference)s] “%(title)s”, planned to end on %(date)s "
                        "(%(days)d days late): %(url)s",
                        days,
                    ),
                )
            count = len(per_user_issues.get(user_id, [])) + len(
                per_user_milestones.get(user_id, [])
            )
            subject = ngettext(
                "Corridor: %(count)d overdue item in your cases",
                "Corridor: %(count)d overdue items in your cases",
                count,
            ) % {"count": count}
            sent += _send(user, subject, "\n".join(lines).rstrip() + "\n")
    return sent
