"""Reads of the results framework shared by the pages, the API and the dashboard's panel:
the one filter of the indicator list (`IndicatorFilter`), each indicator's progress by the
stated rule (`status.status_of`), and the measures that feed actuals from the records of the
portfolio, the cases and the events (`feed_value`)."""

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import roles
from corridor.cases import permissions as cases_permissions
from corridor.cases.models import Case, CaseParty, Milestone
from corridor.cases.visibility import user_party_q
from corridor.events.models import Event, MeetingOutcome, MeetingRequest
from corridor.portfolio.models import Project
from corridor.results import permissions, status
from corridor.results.models import INITIATIVE_WIDE, Actual, Indicator, Target

SCOPES = ("initiative", "project", "case", "event")
STATUSES = (status.ON_TRACK, status.AT_RISK, status.OFF_TRACK, status.NO_DATA, status.NO_TARGET)

# Which feeds measure which scope.
FEED_SCOPES = {
    Indicator.Feed.MANUAL: set(SCOPES),
    Indicator.Feed.PROJECTS_SIGNED: {"initiative"},
    Indicator.Feed.MEETINGS_HELD: {"event"},
    Indicator.Feed.FOLLOW_UPS: {"event"},
    Indicator.Feed.FOLLOW_UP_PROJECTS: {"event"},
    Indicator.Feed.MILESTONES_MET: {"case"},
    Indicator.Feed.CASES_APPROVED: {"case"},
}


@dataclass(frozen=True)
class IndicatorFilter:
    """What the indicator list is narrowed to (page form and API query both build one)."""

    q: str = ""
    scope: str | None = None  # one of SCOPES
    status: str | None = None  # one of STATUSES
    project: int | None = None
    case: int | None = None
    event: int | None = None

    @classmethod
    def from_params(cls, params: Mapping) -> "IndicatorFilter":
        def choice(name, allowed):
            value = (params.get(name) or "").strip()
            return value if value in allowed else None

        def number(name):
            value = (params.get(name) or "").strip()
            return int(value) if value.isdigit() and len(value) < 12 else None

        return cls(
            q=(params.get("q") or "").strip()[:200],
            scope=choice("scope", SCOPES),
            status=choice("status", STATUSES),
            project=number("project"),
            case=number("case"),
            event=number("event"),
        )


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    progress: status.Progress


def _scope_q(scope: str) -> Q:
    if scope == "initiative":
        return INITIATIVE_WIDE
    return Q(**{f"{scope}__isnull": False})


def indicators_visible(user):
    return Indicator.objects.visible_to(user)


def indicator_visible(user, pk: int) -> Indicator | None:
    return indicators_visible(user).select_related("project", "case", "event").filter(pk=pk).first()


def _period_totals(rows) -> list[status.Period]:
    """One value per period: the total of its rows (`status.total_of`)."""
    by_period = defaultdict(list)
    for row in rows:
        by_period[(row.period_start, row.period_end)].append((row.side, row.sector_id, row.value))
    totals = []
    for (start, end), values in sorted(by_period.items(), key=lambda item: item[0][::-1]):
        total = status.total_of(values)
        if total is not None:
            totals.append(status.Period(start, end, total))
    return totals


def progress_of(indicator: Indicator, today: date | None = None) -> status.Progress:
    """The indicator's status today (targets and actuals prefetched or not)."""
    return status.status_of(
        baseline=indicator.baseline_value,
        direction=indicator.direction,
        targets=_period_totals(indicator.targets.all()),
        actuals=_period_totals(indicator.actuals.all()),
        today=today or timezone.localdate(),
    )


def indicator_rows(user, filters: IndicatorFilter, today: date | None = None) -> list[IndicatorRow]:
    """The indicators the user may see that pass the filters, each with its progress."""
    indicators = indicators_visible(user)
    if filters.scope:
        indicators = indicators.filter(_scope_q(filters.scope))
    for name in ("project", "case", "event"):
        if getattr(filters, name):
            indicators = indicators.filter(**{f"{name}_id": getattr(filters, name)})
    for word in filters.q.split():
        indicators = indicators.filter(Q(title_en__icontains=word) | Q(title_zh__icontains=word))
    indicators = indicators.select_related("project", "case", "event").prefetch_related(
        "targets", "actuals"
    )
    rows = []
    for indicator in indicators:
        progress = progress_of(indicator, today)
        if filters.status and progress.status != filters.status:
            continue
        rows.append(IndicatorRow(indicator, progress))
    return rows


@dataclass(frozen=True)
class Summary:
    """The dashboard's summary: how many visible indicators stand at each status, and the
    initiative's own (at most `limit`, by title) with their progress."""

    counts: dict[str, int]
    initiative_rows: list[IndicatorRow]
    total: int


def _totals_by_indicator(rows) -> dict[int, list[status.Period]]:
    """(indicator, start, end, side, sector, value) rows → each indicator's period totals."""
    by_period = defaultdict(list)
    for indicator_id, start, end, side, sector_id, value in rows:
        by_period[(indicator_id, start, end)].append((side, sector_id, value))
    totals = defaultdict(list)
    for (indicator_id, start, end), values in by_period.items():
        total = status.total_of(values)
        if total is not None:
            totals[indicator_id].append(status.Period(start, end, total))
    return totals


def _generation() -> tuple:
    """What changes whenever an indicator, target or actual is added, changed or removed
    (how many, the newest id, the sum of their versions, the newest time), in one query."""
    parts = []
    for model, stamp in (
        (Indicator, "created_at"),
        (Target, "recorded_at"),
        (Actual, "recorded_at"),
    ):
        table = connection.ops.quote_name(model._meta.db_table)
        parts += [
            f"(SELECT COUNT(*) FROM {table})",
            f"(SELECT MAX(id) FROM {table})",
            f"(SELECT SUM(version) FROM {table})",
            f"(SELECT MAX({stamp}) FROM {table})",  # ids of rolled-back rows come back
        ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


def _all_statuses(today: date) -> dict[int, str]:
    """Every indicator's status today (`status.status_of`), kept in the cache until an
    indicator, target or actual changes or the day does."""
    key = ("results-statuses", today.isoformat(), *_generation())
    cache_key = "results:statuses:" + hashlib.sha256(repr(key).encode()).hexdigest()
    statuses = cache.get(cache_key)
    if statuses is not None:
        return statuses
    columns = ("indicator_id", "period_start", "period_end", "side", "sector_id", "value")
    targets = _totals_by_indicator(Target.objects.order_by().values_list(*columns))
    actuals = _totals_by_indicator(Actual.objects.order_by().values_list(*columns))
    statuses = {
        pk: status.status_of(
            baseline=baseline,
            direction=direction,
            targets=targets.get(pk, []),
            actuals=actuals.get(pk, []),
            today=today,
        ).status
        for pk, baseline, direction in Indicator.objects.order_by().values_list(
            "pk", "baseline_value", "direction"
        )
    }
    cache.set(cache_key, statuses, timeout=24 * 3600)
    return statuses


def dashboard_summary(user, today: date | None = None, limit: int = 6) -> Summary:
    """The same statuses as `indicator_rows`, without a model per indicator: every
    indicator's status is computed once (`_all_statuses`, cached until something changes)
    and the visible ones are counted, so the dashboard stays fast with tens of thousands of
    indicators."""
    today = today or timezone.localdate()
    visible = indicators_visible(user).order_by()
    ids = list(visible.values_list("pk", flat=True))
    if not ids:
        return Summary(dict.fromkeys(STATUSES, 0), [], 0)
    statuses = _all_statuses(today)
    counts = dict.fromkeys(STATUSES, 0)
    for pk in ids:
        counts[statuses[pk]] += 1
    initiative = (  # the initiative's own indicators are everyone's (`visible_to`)
        Indicator.objects.filter(INITIATIVE_WIDE)
        .order_by(*Indicator._meta.ordering)
        .prefetch_related("targets", "actuals")[:limit]
    )
    rows = [IndicatorRow(indicator, progress_of(indicator, today)) for indicator in initiative]
    return Summary(counts, rows, len(ids))


def status_counts(rows: list[IndicatorRow]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:
        counts[row.progress.status] += 1
    return counts


def targets_of(indicator: Indicator):
    return Target.objects.filter(indicator=indicator).select_related("sector", "recorded_by")


def actuals_of(indicator: Indicator):
    return Actual.objects.filter(indicator=indicator).select_related("sector", "recorded_by")


# --- feeds: actuals measured from Corridor's own records -----------------------------------


def feed_value(indicator: Indicator, until: date) -> Decimal:
    """The feed's measure of the indicator by the end of `until`."""
    feed = indicator.feed
    if feed == Indicator.Feed.PROJECTS_SIGNED:
        # what the public sees: published projects signed by that day
        count = Project.objects.filter(is_published=True, signed_on__lte=until).count()
    elif feed == Indicator.Feed.MEETINGS_HELD:
        count = MeetingRequest.objects.filter(
            event_id=indicator.event_id,
            status=MeetingRequest.Status.ACCEPTED,
            slot__isnull=False,
        ).count()
    elif feed == Indicator.Feed.FOLLOW_UPS:
        count = (
            MeetingOutcome.objects.filter(
                meeting__event_id=indicator.event_id,
                outcome__in=[MeetingOutcome.Outcome.FOLLOW_UP, MeetingOutcome.Outcome.AGREEMENT],
            )
            .values("meeting_id")
            .distinct()
            .count()
        )
    elif feed == Indicator.Feed.FOLLOW_UP_PROJECTS:
        count = (
            MeetingOutcome.objects.filter(
                meeting__event_id=indicator.event_id, project__isnull=False
            )
            .values("project_id")
            .distinct()
            .count()
        )
    elif feed == Indicator.Feed.MILESTONES_MET:
        count = Milestone.objects.filter(
            case_id=indicator.case_id, actual_end__isnull=False, actual_end__lte=until
        ).count()
    elif feed == Indicator.Feed.CASES_APPROVED:
        count = Case.objects.filter(
            region_case_id=indicator.case_id, status=Case.Status.APPROVED
        ).count()
    else:
        raise ValueError(f"{feed} is not a computed feed")
    return Decimal(count)


def feed_source_path(indicator: Indicator) -> str:
    """The page that shows what the feed counts: the evidence of a measured actual."""
    if indicator.event_id:
        return reverse("events:event_detail", args=[indicator.event_id])
    if indicator.case_id:
        return reverse("cases:case_detail", args=[indicator.case_id])
    return reverse("portfolio:project_list") + "?published=yes"


# --- what a person may set indicators for --------------------------------------------------


def scope_choices(user) -> list[tuple[str, str]]:
    """("initiative" | "project:<id>" | "case:<id>" | "event:<id>", name) for every record the
    user may add indicators to, the initiative first."""
    choices = []
    if permissions.can_define_for(user):
        choices.append(("initiative", str(_("The initiative as a whole"))))
    projects = Project.objects.visible_to(user)
    if not roles.is_facilitator(user):
        projects = projects.filter(owner_id__in=roles.organisation_ids(user))
    for project in projects.order_by("title_en")[:1000]:
        choices.append(
            (f"project:{project.pk}", str(_("Project: %(title)s") % {"title": project.title}))
        )
    for case in Case.objects.visible_to(user).prefetch_related("parties").order_by("title_en"):
        if permissions.can_define_for(user, case=case):
            choices.append((f"case:{case.pk}", str(_("Case: %(title)s") % {"title": case.title})))
    for event in Event.objects.visible_to(user).order_by("title_en"):
        if permissions.can_define_for(user, event=event):
            choices.append(
                (f"event:{event.pk}", str(_("Event: %(title)s") % {"title": event.title}))
            )
    return choices


def may_add_indicators(user) -> bool:
    """Offer "New indicator": to the initiative's staff, and to members whose organisations
    record a project, organise an event or manage a case (its applicant or facilitator)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if roles.is_facilitator(user):
        return True
    organisations = roles.organisation_ids(user)
    return (
        Project.objects.filter(owner_id__in=organisations).exists()
        or Event.objects.filter(organiser_id__in=organisations).exists()
        or CaseParty.objects.filter(
            user_party_q(user), role__in=cases_permissions.PARTY_MANAGERS
        ).exists()
    )


def scope_from_choice(user, choice: str) -> dict:
    """The keyword arguments of `services.indicator_create` for a chosen scope; a record the
    user may not see is refused as not found."""
    kind, _sep, pk = (choice or "").partition(":")
    models = {"project": Project, "case": Case, "event": Event}
    if kind not in models or not pk.isdigit():
        return {}
    record = models[kind].objects.visible_to(user).filter(pk=int(pk)).first()
    if record is None:
        raise Http404
    return {kind: record}
