"""The results framework: indicators with a baseline, targets per period and actuals per
period with their evidence.

An indicator measures the initiative as a whole, or one cooperation project, facilitation
case or matchmaking event (at most one of the three is set: a database constraint). Targets
and actuals are levels — the value the indicator stands at by the end of their period — and
may be broken down by side (China / Singapore) and by sector; the row without side or sector
is the period's total (`status.total_of`). A target is never a project's value: nothing here
is counted in the portfolio's totals or charts.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from corridor.accounts import roles
from corridor.cases.models import Case
from corridor.core.models import (
    RAISED_ON_EVERY_CHANGE,
    BilingualDescribed,
    Created,
    Sector,
    belongs_to,
    in_language,
    optional_link,
    person_field,
    synthetic_field,
    version_field,
)
from corridor.events.models import Event
from corridor.portfolio.models import Project

INITIATIVE_WIDE = Q(project__isnull=True, case__isnull=True, event__isnull=True)


class IndicatorQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The only door to indicators: those of the initiative as a whole for everyone; a
        project's, case's or event's for whoever may see that project, case or event."""
        if roles.is_initiative_admin(user):
            return self
        return self.filter(
            INITIATIVE_WIDE
            | Q(project__in=Project.objects.visible_to(user).values("pk"))
            | Q(case__in=Case.objects.visible_to(user).values("pk"))
            | Q(event__in=Event.objects.visible_to(user).values("pk"))
        )


def _measured(model, verbose_name):
    """The project, case or event an indicator measures (none: the initiative as a whole)."""
    return optional_link(model, verbose_name, on_delete=models.CASCADE)


class Side(models.TextChoices):
    CHINA = "china", _("China")
    SINGAPORE = "singapore", _("Singapore")


class Indicator(BilingualDescribed, Created):
    class Direction(models.TextChoices):
        INCREASE = "increase", _("higher is better")
        DECREASE = "decrease", _("lower is better")

    class Feed(models.TextChoices):
        """Where the actuals come from: typed in, or measured from the records Corridor
        holds (`queries.feed_value`), so that nobody types them again."""

        MANUAL = "manual", _("recorded by hand")
        PROJECTS_SIGNED = "projects_signed", _("published projects signed (portfolio)")
        MEETINGS_HELD = "meetings_held", _("meetings held at the event")
        FOLLOW_UPS = "follow_ups", _("meetings with a follow-up or an agreement at the event")
        FOLLOW_UP_PROJECTS = "follow_up_projects", _("cooperation projects from the event")
        MILESTONES_MET = "milestones_met", _("milestones met in the case")
        CASES_APPROVED = "cases_approved", _("enterprise cases approved under the regional case")

    unit_en = models.CharField(_("unit (English)"), max_length=60)
    unit_zh = models.CharField(_("unit (Chinese)"), max_length=60, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline_value = models.DecimalField(_("baseline"), max_digits=20, decimal_places=2, default=0)
    baseline_on = models.DateField(_("baseline date"), null=True, blank=True)
    project = _measured(Project, _("cooperation project"))
    case = _measured(Case, _("case"))
    event = _measured(Event, _("event"))
    by_side = models.BooleanField(_("broken down by side"), default=False)
    by_sector = models.BooleanField(_("broken down by sector"), default=False)
    feed = models.CharField(
        _("actuals from"), max_length=24, choices=Feed.choices, default=Feed.MANUAL
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    iati_key = models.CharField(
        _("IATI result and indicator"),
        max_length=200,
        blank=True,
        help_text=_(
            "Where the indicator was read from in its project's IATI activity (the result's "
            "number and the indicator's reference or number); empty for indicators set in "
            "Corridor."
        ),
    )
    is_synthetic = synthetic_field()
    created_by = person_field(_("created by"), blank=True)
    version = version_field(RAISED_ON_EVERY_CHANGE)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["title_en", "id"]
        constraints = [
            models.CheckConstraint(
                name="indicator_one_scope_at_most",
                condition=(
                    Q(project__isnull=True, case__isnull=True)
                    | Q(project__isnull=True, event__isnull=True)
                    | Q(case__isnull=True, event__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                name="indicator_one_per_iati_key",
                fields=["project", "iati_key"],
                condition=~Q(iati_key=""),
            ),
        ]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    unit = in_language("unit")

    @property
    def scope(self) -> str:
        """ "initiative", "project", "case" or "event"."""
        if self.project_id:
            return "project"
        if self.case_id:
            return "case"
        if self.event_id:
            return "event"
        return "initiative"


class PeriodValue(models.Model):
    """What targets and actuals share: the indicator's level by the end of a period, the
    period's total or one side's or sector's part of it, and who recorded it."""

    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    side = models.CharField(_("side"), max_length=10, choices=Side.choices, blank=True)
    sector = optional_link(Sector, _("sector"), on_delete=models.PROTECT)
    from_iati = models.BooleanField(_("imported from IATI"), default=False)
    recorded_by = person_field(_("recorded by"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    version = version_field(RAISED_ON_EVERY_CHANGE)

    class Meta:
        abstract = True
        ordering = ["period_end", "period_start", "side", "id"]
        constraints = [
            models.CheckConstraint(
                name="%(class)s_period_in_order",
                condition=Q(period_end__gte=models.F("period_start")),
            ),
        ]


class Target(PeriodValue):
    indicator = belongs_to(Indicator, _("indicator"), "targets")
    value = models.DecimalField(_("target"), max_digits=20, decimal_places=2)
    source_url = models.URLField(_("source"), max_length=500, blank=True)

    class Meta(PeriodValue.Meta):
        verbose_name = _("target")
        verbose_name_plural = _("targets")


class Actual(PeriodValue):
    indicator = belongs_to(Indicator, _("indicator"), "actuals")
    value = models.DecimalField(_("actual"), max_digits=20, decimal_places=2)
    source_url = models.URLField(_("evidence (address)"), max_length=500, blank=True)
    document = models.FileField(
        _("evidence (document)"), upload_to="results/%Y/%m/", max_length=300, blank=True
    )
    document_name = models.CharField(_("document name"), max_length=255, blank=True)
    document_type = models.CharField(_("document type"), max_length=120, blank=True)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64, blank=True)
    from_feed = models.BooleanField(
        _("measured by Corridor"),
        default=False,
        help_text=_("Computed from the records of the indicator's feed, not typed in."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta(PeriodValue.Meta):
        constraints = [
            *PeriodValue.Meta.constraints,
            models.CheckConstraint(
                name="actual_has_evidence", condition=~Q(source_url="") | ~Q(document="")
            ),
        ]
        verbose_name = _("actual")
        verbose_name_plural = _("actuals")
