"""Reads of the portfolio that pages, exports and the API share.

Every function takes a queryset that already went through `Project.objects.visible_to(user)`
(or `innovations_visible_to(user)`), so no read here widens what a person may see. Each
figure comes from a small, fixed number of queries: the query count never grows with data.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import ngettext

from corridor.core.bilingual import bilingual
from corridor.core.models import Sector
from corridor.core.templatetags.corridor import usd_short
from corridor.portfolio.charts import ChartItem
from corridor.portfolio.models import (
    Innovation,
    Project,
    ProjectParty,
    ProjectRevision,
    PublishedFigure,
)

ZERO = Decimal("0")

# --- filters -------------------------------------------------------------------------------

YES_VALUES = {"1", "true", "yes", "on"}
NO_VALUES = {"0", "false", "no", "off"}

PROJECT_SORTS = {
    "-signed_on": ("-signed_on", "-id"),
    "signed_on": ("signed_on", "id"),
    "-value": ("-value_usd", "-id"),
    "value": ("value_usd", "id"),
}
DEFAULT_PROJECT_SORT = "-signed_on"


def _text(params: Mapping, name: str) -> str:
    value = params.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _choice(params: Mapping, name: str, allowed) -> str | None:
    value = _text(params, name)
    return value if value in allowed else None


def _year(params: Mapping, name: str) -> int | None:
    value = _text(params, name)
    if value.isdigit() and 1900 <= int(value) <= 2100:
        return int(value)
    return None


def _date(params: Mapping, name: str) -> date | None:
    try:
        return date.fromisoformat(_text(params, name))
    except ValueError:
        return None


def _yes_no(params: Mapping, name: str) -> bool | None:
    value = _text(params, name).lower()
    if value in YES_VALUES:
        return True
    if value in NO_VALUES:
        return False
    return None


def _positive_int(params: Mapping, name: str) -> int | None:
    value = _text(params, name)
    return int(value) if value.isdigit() and int(value) > 0 else None


@dataclass(frozen=True)
class ProjectFilter:
    """What a list of projects is narrowed to: the one filter of the list page, the
    dashboard, their CSV and IATI exports (read from the page's parameters by `from_params`,
    which `ProjectFilterForm.project_filter` uses) and the API (its query schema builds one).
    A field left as None (or `q` empty) does not narrow the list."""

    q: str = ""  # words of the title, each of which must appear (English or Chinese)
    kind: str | None = None
    status: str | None = None
    side: str | None = None  # the leading side
    sector: str | None = None  # a sector code
    year: int | None = None  # the signing year
    signed_from: date | None = None
    signed_to: date | None = None
    published: bool | None = None
    synthetic: bool | None = None
    owner: int | None = None  # the id of the organisation that recorded the project

    @classmethod
    def from_params(cls, params: Mapping) -> "ProjectFilter":
        """The filters found in `params` (GET parameters or any mapping of strings). A value
        that cannot be understood (an unknown status, a year that is not a number) is left out
        rather than guessed; the filter form shows why."""
        sector = _text(params, "sector")
        return cls(
            q=_text(params, "q"),
            kind=_choice(params, "kind", Project.Kind.values),
            status=_choice(params, "status", Project.Status.values),
            side=_choice(params, "side", Project.Side.values),
            sector=sector[:40] if sector else None,
            year=_year(params, "year"),
            signed_from=_date(params, "signed_from"),
            signed_to=_date(params, "signed_to"),
            published=_yes_no(params, "published"),
            synthetic=_yes_no(params, "synthetic"),
            owner=_positive_int(params, "owner"),
        )

    @property
    def words(self) -> list[str]:
        return self.q.split()

    def understood(self) -> dict:
        """The filters in use, by name (the words of `q` joined by one space)."""
        filters = {name: getattr(self, name) for name in PROJECT_LOOKUPS}
        if self.words:
            filters = {"q": " ".join(self.words), **filters}
        return {name: value for name, value in filters.items() if value is not None}


# ProjectFilter's fields, and the project fields they narrow
PROJECT_LOOKUPS = {
    "kind": "kind",
    "status": "status",
    "side": "lead_side",
    "sector": "sector__code",
    "year": "signed_year",
    "signed_from": "signed_on__gte",
    "signed_to": "signed_on__lte",
    "published": "is_published",
    "synthetic": "is_synthetic",
    "owner": "owner_id",
}


def project_filter(queryset: QuerySet, filters: ProjectFilter) -> QuerySet:
    """The projects of `queryset` that pass `filters`."""
    for word in filters.words:
        queryset = queryset.filter(Q(title_en__icontains=word) | Q(title_zh__icontains=word))
    conditions = {
        lookup: getattr(filters, name)
        for name, lookup in PROJECT_LOOKUPS.items()
        if getattr(filters, name) is not None
    }
    return queryset.filter(**conditions) if conditions else queryset


def project_order(queryset: QuerySet, sort: str | None) -> tuple[QuerySet, str]:
    """Order by signing date or by value in US dollars (newest first by default)."""
    sort = sort if sort in PROJECT_SORTS else DEFAULT_PROJECT_SORT
    return queryset.order_by(*PROJECT_SORTS[sort]), sort


def project_list_rows(queryset: QuerySet) -> QuerySet:
    """What a list page or an export reads for each project, in a fixed number of queries."""
    return queryset.select_related("sector", "owner", "parent", "fx_rate")


def project_detail_queryset(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("sector", "owner", "parent", "fx_rate").prefetch_related(
        "parties__organisation",
        "status_changes__by__memberships__organisation",  # who, for anonymous: the organisation
        "milestones",
        "links",
    )


def sub_projects(queryset: QuerySet, project: Project) -> QuerySet:
    """The projects of `queryset` inside the framework agreement `project`, oldest first."""
    return queryset.filter(parent=project).select_related("sector").order_by("signed_on", "id")


def project_api_rows(queryset: QuerySet) -> QuerySet:
    """What the API reads for each project: the list's rows with the parties' organisations."""
    return project_list_rows(queryset).prefetch_related(
        Prefetch("parties", queryset=ProjectParty.objects.select_related("organisation"))
    )


def pending_revisions_visible_to(user):
    """Every change waiting for publication that the user may see, oldest first (the order
    an administrator decides them in)."""
    return (
        ProjectRevision.objects.visible_to(user)
        .filter(status=ProjectRevision.Status.PENDING)
        .select_related("author", "project")
        .order_by("created_at", "id")
    )


def pending_revision_visible_to(user, project: Project):
    """The change of `project` waiting for publication, if the user may see it (the author,
    the members of the organisation that recorded the project, the administration)."""
    return (
        ProjectRevision.objects.visible_to(user)
        .filter(project=project, status=ProjectRevision.Status.PENDING)
        .select_related("author", "project__sector", "project__parent")
        .first()
    )


# --- innovations ---------------------------------------------------------------------------


def innovations_visible_to(user) -> QuerySet:
    """Anonymous visitors and members see published innovations; the administration sees all."""
    return Innovation.objects.visible_to(user)


def innovation_filter(queryset: QuerySet, params: Mapping) -> tuple[QuerySet, dict]:
    filters: dict = {}
    words = _text(params, "q").split()
    if words:
        filters["q"] = " ".join(words)
    filters["category"] = _choice(params, "category", Innovation.Category.values)
    filters["year"] = _year(params, "year")
    filters = {name: value for name, value in filters.items() if value is not None}
    for word in words:
        queryset = queryset.filter(Q(title_en__icontains=word) | Q(title_zh__icontains=word))
    if "category" in filters:
        queryset = queryset.filter(category=filters["category"])
    if "year" in filters:
        queryset = queryset.filter(adopted_on__year=filters["year"])
    return queryset, filters


# --- dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    projects: int
    value_usd: Decimal  # sum of counted values: no value is counted twice
    without_value: int  # projects with no value in US dollars (none given, or no rate known)
    sub_projects: int  # projects inside a framework agreement


@dataclass(frozen=True)
class Breakdown:
    """One row of a breakdown: a code (year, sector code, kind...) with its label."""

    code: str
    label: str
    projects: int
    value_usd: Decimal


@dataclass(frozen=True)
class DashboardFigures:
    totals: Totals
    by_year: list[Breakdown]
    by_sector: list[Breakdown]
    by_kind: list[Breakdown]
    by_status: list[Breakdown]
    by_side: list[Breakdown]


def projects_and_value(projects: int, value_usd) -> str:
    """ "12 projects · US$1.2 bn", as the dashboard's charts (and the briefing pack's) say it."""
    return ngettext("%(count)s project · %(value)s", "%(count)s projects · %(value)s", projects) % {
        "count": projects,
        "value": usd_short(value_usd),
    }


def breakdown_items(rows: Sequence[Breakdown]) -> list[ChartItem]:
    """A breakdown's rows as the bars of a chart: projects counted, with their value."""
    return [
        ChartItem(
            label=row.label,
            value=row.projects,
            value_text=projects_and_value(row.projects, row.value_usd),
        )
        for row in rows
    ]


# The breakdowns come from two GROUP BY queries: by (signing year, sector), which also
# gives the totals, and by (kind, status, side). Each has a covering index on the project
# model whose columns start with its grouping, so a database answers it in one ordered
# pass over the index, without sorting, and only a few hundred groups reach Python.
BY_YEAR_AND_SECTOR = ("signed_year", "sector_id")
BY_KIND_STATUS_SIDE = ("kind", "status", "lead_side")


@dataclass
class _Sum:
    projects: int = 0
    value_usd: Decimal = ZERO

    def add(self, projects: int, value_usd: Decimal | None) -> None:
        self.projects += projects
        self.value_usd += value_usd or ZERO


def _sums_by(rows: list[dict], names: tuple[str, ...]) -> dict[str, dict]:
    sums: dict[str, dict] = {name: {} for name in names}
    for row in rows:
        for name in names:
            sums[name].setdefault(row[name], _Sum()).add(row["n_projects"], row["total_usd"])
    return sums


def _choice_breakdown(sums: dict, choices) -> list[Breakdown]:
    """Every choice in its defined order, with zero for the ones no project has."""
    empty = _Sum()
    return [
        Breakdown(
            code=code,
            label=str(label),
            projects=sums.get(code, empty).projects,
            value_usd=sums.get(code, empty).value_usd,
        )
        for code, label in choices
    ]


def dashboard_figures(queryset: QuerySet) -> DashboardFigures:
    """Totals and breakdowns of the projects in `queryset`: three queries whatever the
    data (the two groupings, and the names of the sectors that appear)."""
    queryset = queryset.order_by()
    year_sector_rows = list(
        queryset.values(*BY_YEAR_AND_SECTOR).annotate(
            n_projects=Count("id"),
            total_usd=Sum("counted_value_usd"),
            n_without_value=Count("id", filter=Q(value_usd__isnull=True)),
            n_sub_projects=Count("id", filter=Q(parent__isnull=False)),
        )
    )
    kind_status_side_rows = list(
        queryset.values(*BY_KIND_STATUS_SIDE).annotate(
            n_projects=Count("id"), total_usd=Sum("counted_value_usd")
        )
    )
    total = _Sum()
    for row in year_sector_rows:
        total.add(row["n_projects"], row["total_usd"])
    totals = Totals(
        projects=total.projects,
        value_usd=total.value_usd,
        without_value=sum(row["n_without_value"] for row in year_sector_rows),
        sub_projects=sum(row["n_sub_projects"] for row in year_sector_rows),
    )
    sums = _sums_by(year_sector_rows, BY_YEAR_AND_SECTOR)
    sums.update(_sums_by(kind_status_side_rows, BY_KIND_STATUS_SIDE))

    years = sums["signed_year"]
    by_year = [
        Breakdown(code=str(year), label=str(year), projects=s.projects, value_usd=s.value_usd)
        for year, s in sorted(years.items(), key=lambda item: item[0] or 0)
        if year is not None
    ]
    if None in years:
        by_year.append(
            Breakdown(
                code="", label="—", projects=years[None].projects, value_usd=years[None].value_usd
            )
        )

    sectors = sums["sector_id"]
    by_sector = []
    if sectors:
        by_sector = [
            Breakdown(
                code=sector.code,
                label=bilingual(sector, "name"),
                projects=sectors[sector.pk].projects,
                value_usd=sectors[sector.pk].value_usd,
            )
            for sector in Sector.objects.filter(pk__in=list(sectors))
        ]
        by_sector.sort(key=lambda row: (-row.projects, row.label))

    return DashboardFigures(
        totals=totals,
        by_year=by_year,
        by_sector=by_sector,
        by_kind=_choice_breakdown(sums["kind"], Project.Kind.choices),
        by_status=_choice_breakdown(sums["status"], Project.Status.choices),
        by_side=_choice_breakdown(sums["lead_side"], Project.Side.choices),
    )


# --- published figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class FigureComparison:
    figure: PublishedFigure
    registry: Decimal  # the registry's own figure over the same scope
    difference: Decimal  # registry minus published: negative when the registry has less

    @property
    def difference_size(self) -> Decimal:
        return abs(self.difference)

    @property
    def is_value(self) -> bool:
        return self.figure.metric == PublishedFigure.Metric.PROJECT_VALUE


def _project_scope(figure: PublishedFigure) -> Q:
    scope = Q(signed_on__lte=figure.as_of)
    if figure.kinds:
        scope &= Q(kind__in=list(figure.kinds))
    return scope


def published_figure_comparison(
    projects: QuerySet | None = None,
    innovations: QuerySet | None = None,
    *,
    latest_only: bool = False,
) -> list[FigureComparison]:
    """Each published figure beside the registry's own figure over the same scope.

    Projects count when their kind is in the figure's kinds (all kinds when it names none)
    and they were signed on or before the figure's date; innovations when adopted on or
    before it. Three queries, however many figures. With `latest_only`, only the figures
    of the most recent date (what the dashboard shows).
    """
    if projects is None:
        projects = Project.objects.all()
    if innovations is None:
        innovations = Innovation.objects.all()
    figures = PublishedFigure.objects.all()
    if latest_only:
        latest = figures.order_by("-as_of").values("as_of")[:1]
        figures = figures.filter(as_of=Subquery(latest))
    figures = list(figures)
    project_aggregates = {}
    innovation_aggregates = {}
    for index, figure in enumerate(figures):
        if figure.metric == PublishedFigure.Metric.PROJECT_COUNT:
            project_aggregates[f"f{index}"] = Count("id", filter=_project_scope(figure))
        elif figure.metric == PublishedFigure.Metric.PROJECT_VALUE:
            project_aggregates[f"f{index}"] = Sum(
                "counted_value_usd", filter=_project_scope(figure)
            )
        else:
            innovation_aggregates[f"f{index}"] = Count("id", filter=Q(adopted_on__lte=figure.as_of))
    results = {}
    if project_aggregates:
        results.update(projects.order_by().aggregate(**project_aggregates))
    if innovation_aggregates:
        results.update(innovations.order_by().aggregate(**innovation_aggregates))
    comparisons = []
    for index, figure in enumerate(figures):
        registry = Decimal(results.get(f"f{index}") or 0)
        comparisons.append(
            FigureComparison(figure=figure, registry=registry, difference=registry - figure.value)
        )
    return comparisons


def figures_as_of() -> date:
    """The date the registry's figures describe: they are computed live."""
    return timezone.localdate()
