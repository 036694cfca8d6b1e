"""Watch lists: telling people what a `kb_load` changed for them, once per load.

A person follows products (an HS chapter, heading or subheading) in markets (`Watch`). When
`kb.load_into_database` adds, changes or retires requirements, `tell_about_load` sends each
person concerned ONE notification (`accounts/notifications.py`: in-app in both languages,
e-mailed in their own) naming:

* the requirements that touch a product they follow (a watch on 0203 is touched by a
  requirement on 02 and by one on 020329; a requirement without HS prefixes touches every
  product of its market), and those behind their organisations' assessments now stale;
* their organisations' assessments that were marked stale, each with a link to run it again;
* the open cases they may see (the cases app's own visibility rule) whose product and market
  those requirements touch.

Members of an organisation whose assessments went stale are told even when they follow
nothing. The cases app sits above this one, so it lends its query through
`register_case_finder` (called from its AppConfig.ready) instead of being imported here.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from corridor.accounts.models import User
from corridor.accounts.notifications import Message, notify
from corridor.core.bilingual import bilingual
from corridor.standards.models import Watch

ADDED, CHANGED, RETIRED = "added", "changed", "retired"


@dataclass(frozen=True)
class RequirementChange:
    """A requirement kb_load added, changed (its content hash) or retired."""

    id: str
    what: str  # ADDED | CHANGED | RETIRED
    market: str
    hs_prefixes: tuple[str, ...]  # empty: every product of the market
    title_en: str
    title_zh: str


@dataclass(frozen=True)
class CaseLink:
    reference: str
    title_en: str
    title_zh: str
    url: str


CaseFinder = Callable[[User, list[RequirementChange]], list[CaseLink]]
_case_finders: list[CaseFinder] = []


def register_case_finder(finder: CaseFinder) -> None:
    """`finder(user, changes)` answers the open cases `user` may see that `changes` touch."""
    if finder not in _case_finders:
        _case_finders.append(finder)


def touches(change: RequirementChange, hs_code: str, market: str) -> bool:
    """Does the requirement concern this product in this market? Prefixes meet both ways."""
    if change.market != market or not hs_code:
        return False
    if not change.hs_prefixes:
        return True
    return any(p.startswith(hs_code) or hs_code.startswith(p) for p in change.hs_prefixes)


def rerun_url(assessment) -> str:
    """The new-assessment form filled in with the stale assessment's question."""
    return reverse("standards:assessment_create") + f"?from={assessment.pk}"


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def tell_about_load(
    changes: Iterable[RequirementChange],
    stale_by_organisation: dict[int, list[tuple[object, list[str]]]],
) -> int:
    """One notification per person concerned by this load (see the module's docstring).
    Call it inside the load's transaction; returns how many people were told."""
    changes = {change.id: change for change in changes}
    if not changes:
        return 0
    watched: dict[int, set[str]] = {}
    people: dict[int, User] = {}
    markets = {change.market for change in changes.values()}
    for watch in Watch.objects.filter(market__in=markets, user__is_active=True).select_related(
        "user"
    ):
        hits = {
            rid for rid, change in changes.items() if touches(change, watch.hs_prefix, watch.market)
        }
        if hits:
            watched.setdefault(watch.user_id, set()).update(hits)
            people[watch.user_id] = watch.user

    stale_of: dict[int, list[tuple[object, list[str]]]] = {}
    if stale_by_organisation:
        members = (
            User.objects.filter(
                memberships__organisation__in=list(stale_by_organisation), is_active=True
            )
            .prefetch_related("memberships")
            .distinct()
        )
        for person in members:
            people[person.pk] = person
            for membership in person.memberships.all():
                stale_of.setdefault(person.pk, []).extend(
                    stale_by_organisation.get(membership.organisation_id, [])
                )

    told = 0
    for pk in sorted(people):
        person = people[pk]
        stale = sorted(stale_of.get(pk, []), key=lambda item: item[0].pk)
        ids = set(watched.get(pk, set()))
        for _assessment, requirement_ids in stale:
            ids.update(rid for rid in requirement_ids if rid in changes)
        concerned = [changes[rid] for rid in sorted(ids)]
        cases = []
        for finder in _case_finders:
            cases.extend(finder(person, concerned))
        url = rerun_url(stale[0][0]) if len(stale) == 1 else reverse("standards:watching")
        notify(
            recipients=[person],
            actor=None,
            url=url,
            write=lambda c=concerned, s=stale, k=cases: digest(c, s, k),
        )
        told += 1
    return told


def digest(
    changes: list[RequirementChange],
    stale: list[tuple[object, list[str]]],
    cases: list[CaseLink],
) -> Message:
    """The notification's subject and text in the active language."""
    lines = [_("The market-access knowledge base changed:"), ""]
    for change in changes:
        values = {
            "title": bilingual(change, "title"),
            "market": change.market,
            "id": change.id,
        }
        if change.what == ADDED:
            lines.append(_("• added: %(title)s (%(market)s, %(id)s)") % values)
        elif change.what == CHANGED:
            lines.append(_("• changed: %(title)s (%(market)s, %(id)s)") % values)
        else:
            lines.append(_("• retired: %(title)s (%(market)s, %(id)s)") % values)
    if stale:
        lines += [
            "",
            _(
                "These assessments of your organisation rest on a requirement that changed or "
                "was retired, so they are now marked stale. Run each one again:"
            ),
        ]
        for assessment, _ids in stale:
            lines.append(
                _(
                    "• %(product)s (HS %(hs)s, %(origin)s → %(destination)s), made on %(date)s: %(url)s"
                )
                % {
                    "product": assessment.product_name or assessment.hs_code,
                    "hs": assessment.hs_code,
                    "origin": assessment.origin,
                    "destination": assessment.destination,
                    "date": assessment.created_at.date().isoformat(),
                    "url": _absolute(rerun_url(assessment)),
                }
            )
    if cases:
        lines += ["", _("Open cases for these products:")]
        for case in cases:
            lines.append(
                _("• %(reference)s %(title)s: %(url)s")
                % {
                    "reference": case.reference,
                    "title": bilingual(case, "title"),
                    "url": _absolute(case.url),
                }
            )
    lines += [
        "",
        _("Change the products you follow: %(url)s")
        % {"url": _absolute(reverse("standards:watching"))},
    ]
    count = len(changes)
    subject = ngettext(
        "Corridor: %(count)s market-access requirement that concerns you changed",
        "Corridor: %(count)s market-access requirements that concern you changed",
        count,
    ) % {"count": count}
    return Message(subject, "\n".join(lines))
