"""What a briefing pack says, read from each part's own queries as the person who asked for
it may see it (the system, for `manage.py briefing_pack`, sees every record).

The registry's figures come from the very functions the portfolio's dashboard calls
(`portfolio.queries.dashboard_figures`, `published_figure_comparison`, the innovations'
count), over the same records, so a pack and the dashboard never disagree. Each section is
one function that returns a dataclass; the PDF and the workbook are written from these.
Labels are read in the active language: build a pack inside `translation.override`.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Exists, Min, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.cases import workflow as case_workflow
from corridor.cases.models import Case, Milestone
from corridor.cases.queries import slippage_days
from corridor.core.actors import is_system
from corridor.events.models import Event, MeetingOutcome, MeetingRequest, Participant, Session
from corridor.portfolio import queries as portfolio
from corridor.portfolio.models import (
    Innovation,
    Project,
    ProjectRevision,
    ProjectStatusChange,
)
from corridor.portfolio.queries import DashboardFigures, FigureComparison, ProjectFilter
from corridor.results import queries as results
from corridor.results.forms import STATUS_LABELS
from corridor.results.models import Indicator

ZERO = Decimal("0")

# Project statuses that mean the work stopped: "stalled" in the pack.
STALLED = (Project.Status.SUSPENDED, Project.Status.TERMINATED)


def projects_seen_by(actor):
    """The projects the pack counts: those the person may see (the dashboard's door)."""
    return Project.objects.all() if is_system(actor) else Project.objects.visible_to(actor)


def innovations_seen_by(actor):
    return Innovation.objects.all() if is_system(actor) else portfolio.innovations_visible_to(actor)


def _cases_seen_by(actor):
    return Case.objects.all() if is_system(actor) else Case.objects.visible_to(actor)


def _events_seen_by(actor):
    return Event.objects.all() if is_system(actor) else Event.objects.visible_to(actor)


# --- 1. published figures beside the registry's ------------------------------------------------


@dataclass
class FiguresSection:
    figures: DashboardFigures  # the dashboard's totals and breakdowns, unfiltered
    innovations: int  # the dashboard's count of institutional innovations
    comparisons: list[FigureComparison]  # the dashboard's table: the latest published figures
    as_of: date
    unpublished: int  # projects counted that the public does not see yet
    pending_changes: int  # held changes of published projects: not in the figures


def figures_section(actor, since: date) -> FiguresSection:
    projects = projects_seen_by(actor)
    innovations = innovations_seen_by(actor)
    return FiguresSection(
        figures=portfolio.dashboard_figures(projects),
        innovations=innovations.count(),
        comparisons=portfolio.published_figure_comparison(projects, innovations, latest_only=True),
        as_of=portfolio.figures_as_of(),
        unpublished=projects.filter(is_published=False).count(),
        pending_changes=ProjectRevision.objects.filter(
            project__in=projects, status=ProjectRevision.Status.PENDING
        ).count(),
    )


# --- 2. what changed since the date --------------------------------------------------------------


@dataclass
class StatusMove:
    project: Project
    on: date
    to_status: str
    to_label: str
    reason: str


@dataclass
class ChangesSection:
    since: date
    signed: DashboardFigures  # the dashboard filtered to "signed from" the date
    signed_projects: list[Project]
    completed: list[StatusMove]
    stalled: list[StatusMove]
    changes_published: int  # held changes of published projects published since the date

    @property
    def value_added_usd(self) -> Decimal:
        return self.signed.totals.value_usd


def changes_section(actor, since: date) -> ChangesSection:
    projects = projects_seen_by(actor)
    signed = portfolio.project_filter(projects, ProjectFilter(signed_from=since))
    moves = list(
        ProjectStatusChange.objects.filter(
            project__in=projects,
            on__gte=since,
            to_status__in=[Project.Status.COMPLETED, *STALLED],
        )
        .exclude(from_status="")  # "recorded as completed" is no change
        .select_related("project__sector")
        .order_by("on", "id")
    )
    labels = dict(Project.Status.choices)

    def move(change: ProjectStatusChange) -> StatusMove:
        return StatusMove(
            project=change.project,
            on=change.on,
            to_status=change.to_status,
            to_label=str(labels.get(change.to_status, change.to_status)),
            reason=change.reason,
        )

    return ChangesSection(
        since=since,
        signed=portfolio.dashboard_figures(signed),
        signed_projects=list(portfolio.project_list_rows(signed).order_by("signed_on", "id")),
        completed=[move(c) for c in moves if c.to_status == Project.Status.COMPLETED],
        stalled=[move(c) for c in moves if c.to_status in STALLED],
        changes_published=ProjectRevision.objects.filter(
            project__in=projects,
            status=ProjectRevision.Status.PUBLISHED,
            decided_at__date__gte=since,
        ).count(),
    )


# --- 3. new institutional innovations ---------------------------------------------------------


@dataclass
class InnovationsSection:
    since: date
    innovations: list[Innovation]


def innovations_section(actor, since: date) -> InnovationsSection:
    return InnovationsSection(
        since=since,
        innovations=list(
            innovations_seen_by(actor)
            .filter(adopted_on__gte=since)
            .prefetch_related("replications")
            .order_by("adopted_on", "id")
        ),
    )


# --- 4. facilitation cases and their milestones ------------------------------------------------

MET_ON_TIME = "met"
MET_LATE = "met_late"
LATE = "late"
DUE = "due"


@dataclass
class MilestoneLine:
    milestone: Milestone
    state: str  # MET_ON_TIME, MET_LATE, LATE (unfinished, past its planned end), DUE
    state_label: str
    days_late: int | None


@dataclass
class CaseLine:
    case: Case
    milestones: list[MilestoneLine]


@dataclass
class CasesSection:
    since: date
    cases: list[CaseLine]
    counts: dict[str, int]  # by milestone state
    labels: dict[str, str]  # milestone state -> its words


def _milestone_state(milestone: Milestone, today: date) -> tuple[str, int | None]:
    days = slippage_days(milestone, today)
    if milestone.actual_end is not None:
        return (MET_LATE if days and days > 0 else MET_ON_TIME), days
    if days and days > 0:
        return LATE, days
    return DUE, days


def cases_section(actor, since: date) -> CasesSection:
    """The cases under way at some time since the date (not drafts; a closed case only if it
    closed since), each with its milestones met since the date and those late today."""
    today = timezone.localdate()
    final = [s for s in Case.Status.values if case_workflow.is_final(s)]
    cases = (
        _cases_seen_by(actor)
        .exclude(status=Case.Status.DRAFT)
        .filter(~Q(status__in=final) | Q(status_changed_at__date__gte=since))
        .select_related("applicant")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("position", "id"))
        )
        .order_by("reference")
    )
    labels = {
        MET_ON_TIME: _("met on time"),
        MET_LATE: _("met late"),
        LATE: _("late"),
        DUE: _("not yet due"),
    }
    counts: Counter = Counter({state: 0 for state in labels})
    lines = []
    for case in cases:
        milestones = []
        for milestone in case.milestones.all():
            state, days = _milestone_state(milestone, today)
            if state in (MET_ON_TIME, MET_LATE) and milestone.actual_end < since:
                continue  # met before the period: not news
            counts[state] += 1
            milestones.append(
                MilestoneLine(
                    milestone=milestone,
                    state=state,
                    state_label=str(labels[state]),
                    days_late=days,
                )
            )
        lines.append(CaseLine(case=case, milestones=milestones))
    return CasesSection(
        since=since,
        cases=lines,
        counts=dict(counts),
        labels={state: str(label) for state, label in labels.items()},
    )


# --- 5. events and their outcomes ----------------------------------------------------------------


@dataclass
class EventLine:
    event: Event
    first_day: date
    last_day: date
    participants: int
    meetings: int  # accepted meetings placed in a slot
    outcomes: dict[str, int]  # outcome code -> how many sides recorded it
    projects: list[Project] = field(default_factory=list)  # follow-up projects


@dataclass
class EventsSection:
    since: date
    events: list[EventLine]
    outcome_labels: dict[str, str]

    def total(self, outcome: str) -> int:
        return sum(line.outcomes.get(outcome, 0) for line in self.events)


def events_section(actor, since: date) -> EventsSection:
    """The events with a session on or after the date, in the order they were held."""
    events = list(
        _events_seen_by(actor)
        .filter(Exists(Session.objects.filter(event=OuterRef("pk"), date__gte=since)))
        .annotate(first_day=Min("sessions__date"))
        .select_related("organiser")
        .prefetch_related("sessions")
        .order_by("first_day", "id")
    )
    ids = [event.pk for event in events]
    participants = Counter(
        Participant.objects.filter(event_id__in=ids)
        .exclude(status=Participant.Status.CANCELLED)
        .values_list("event_id", flat=True)
    )
    meetings = Counter(
        MeetingRequest.objects.filter(
            event_id__in=ids, status=MeetingRequest.Status.ACCEPTED, slot__isnull=False
        ).values_list("event_id", flat=True)
    )
    outcomes: dict[int, Counter] = {pk: Counter() for pk in ids}
    projects: dict[int, dict[int, Project]] = {pk: {} for pk in ids}
    visible_projects = set(projects_seen_by(actor).values_list("pk", flat=True))
    for outcome in MeetingOutcome.objects.filter(meeting__event_id__in=ids).select_related(
        "meeting", "project"
    ):
        event_id = outcome.meeting.event_id
        outcomes[event_id][outcome.outcome] += 1
        if outcome.project_id is not None and outcome.project_id in visible_projects:
            projects[event_id][outcome.project_id] = outcome.project
    lines = []
    for event in events:
        days = [session.date for session in event.sessions.all()]
        lines.append(
            EventLine(
                event=event,
                first_day=min(days),
                last_day=max(days),
                participants=participants[event.pk],
                meetings=meetings[event.pk],
                outcomes=dict(outcomes[event.pk]),
                projects=list(projects[event.pk].values()),
            )
        )
    return EventsSection(
        since=since,
        events=lines,
        outcome_labels={code: str(label) for code, label in MeetingOutcome.Outcome.choices},
    )


# --- 6. indicators against targets -------------------------------------------------------------


@dataclass
class IndicatorsSection:
    rows: list[results.IndicatorRow]  # each indicator with its progress by the stated rule
    counts: dict[str, int]  # by status, as the dashboard's summary counts them
    labels: dict[str, str]  # status -> its words


def indicators_section(actor, since: date) -> IndicatorsSection:
    """Every indicator the person may see against its current target, by the results
    framework's own queries and status rule (what its list and the dashboard's summary show).
    Targets are goals: nothing here is added to the portfolio's figures."""
    today = timezone.localdate()
    if is_system(actor):
        indicators = Indicator.objects.select_related("project", "case", "event").prefetch_related(
            "targets", "actuals"
        )
        rows = [results.IndicatorRow(i, results.progress_of(i, today)) for i in indicators]
    else:
        rows = results.indicator_rows(actor, results.IndicatorFilter(), today)
    return IndicatorsSection(
        rows=rows,
        counts=results.status_counts(rows),
        labels={status: str(label) for status, label in STATUS_LABELS.items()},
    )


# --- the whole pack --------------------------------------------------------------------------


@dataclass
class PackContents:
    since: date
    made_on: date
    language: str
    figures: FiguresSection
    changes: ChangesSection
    innovations: InnovationsSection
    cases: CasesSection
    events: EventsSection
    indicators: IndicatorsSection | None = None

    @property
    def sections(self) -> list[str]:
        """The sections the pack has, in order."""
        return [name for name in SECTIONS if getattr(self, name) is not None]


SECTIONS: dict[str, Callable] = {
    "figures": figures_section,
    "changes": changes_section,
    "innovations": innovations_section,
    "cases": cases_section,
    "events": events_section,
    "indicators": indicators_section,
}


def section_title(name: str) -> str:
    """A section's heading (also its worksheet's name), in the active language."""
    return {
        "figures": _("Published and registry figures"),
        "changes": _("What changed"),
        "innovations": _("New institutional innovations"),
        "cases": _("Facilitation cases"),
        "events": _("Events and outcomes"),
        "indicators": _("Indicators and targets"),
    }[name]


def pack_contents(
    actor, since: date, language: str, *, progress: Callable[[int, int], None] | None = None
) -> PackContents:
    """Every section of the pack, read as `actor` sees the records; `progress(done, total)`
    is told after each section (the rendering is one more step)."""
    total = len(SECTIONS) + 1
    read = {}
    for done, (name, build) in enumerate(SECTIONS.items(), start=1):
        read[name] = build(actor, since)
        if progress is not None:
            progress(done, total)
    return PackContents(since=since, made_on=timezone.localdate(), language=language, **read)
