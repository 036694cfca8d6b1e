from functools import partial

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from corridor.accounts.models import Organisation
from corridor.accounts.roles import is_facilitator, is_initiative_admin, organisation_ids
from corridor.core.models import (
    BackgroundJob,
    BilingualDescribed,
    BilingualTitled,
    Created,
    FxRate,
    Sector,
    Stamped,
    belongs_to,
    in_language,
    optional_link,
    person_field,
    synthetic_field,
    version_field,
)


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The only door through which pages and the API reach projects.

        Anonymous visitors see what the administration published; a member also sees
        the projects of its own organisations (as owner or party); the initiative's
        administrators and facilitators (who may change any project) see all.
        """
        if is_facilitator(user):
            return self
        published = Q(is_published=True)
        if not getattr(user, "is_authenticated", False):
            return self.filter(published)
        orgs = organisation_ids(user)
        if not orgs:
            return self.filter(published)
        party_of = ProjectParty.objects.filter(organisation_id__in=orgs).values("project_id")
        return self.filter(published | Q(owner_id__in=orgs) | Q(pk__in=party_of))


class Project(BilingualDescribed, Stamped):
    """A cooperation project signed between governments and companies of both sides."""

    class Kind(models.TextChoices):
        G2G = "g2g", _("government-to-government")
        G2B = "g2b", _("government-to-business")
        COMMERCIAL = "commercial", _("commercial")
        FINANCING = "financing", _("financing")

    class Status(models.TextChoices):
        SIGNED = "signed", _("signed")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        SUSPENDED = "suspended", _("suspended")
        TERMINATED = "terminated", _("terminated")

    class Side(models.TextChoices):
        CHINA = "china", _("Chinese side")
        SINGAPORE = "singapore", _("Singaporean side")
        JOINT = "joint", _("both sides")
        OTHER = "other", _("other or unknown")

    external_id = models.CharField(
        _("external id"),
        max_length=150,
        unique=True,
        help_text=_(
            "A stable identifier (for example an IATI identifier); imports use it to "
            "update instead of duplicating."
        ),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SIGNED
    )
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="projects"
    )
    value = models.DecimalField(
        _("value"),
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    value_usd = models.DecimalField(
        _("value in US dollars"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    fx_rate = optional_link(FxRate, _("exchange rate used"), on_delete=models.PROTECT)
    counted_value_usd = models.DecimalField(
        _("value counted in totals (US dollars)"),
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Zero when the value is already part of a parent agreement's value."),
    )
    signed_on = models.DateField(_("signing date"), null=True, blank=True, db_index=True)
    signed_year = models.PositiveSmallIntegerField(
        _("signing year"), null=True, blank=True, editable=False
    )
    location_en = models.CharField(_("location (English)"), max_length=200, blank=True)
    location_zh = models.CharField(_("location (Chinese)"), max_length=200, blank=True)
    parent = optional_link(
        "self", _("framework agreement"), on_delete=models.PROTECT, related_name="children"
    )
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="owned_projects",
    )
    lead_side = models.CharField(_("side"), max_length=20, choices=Side.choices, default=Side.OTHER)
    is_published = models.BooleanField(_("published"), default=False)
    is_synthetic = synthetic_field()
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    source_checked_on = models.DateField(_("source checked on"), null=True, blank=True)
    version = version_field(
        _("Raised on every change and every proposed change (optimistic locking).")
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "-id"]
        indexes = [
            # The dashboard's two groupings (corridor/portfolio/queries.py) read only these
            # columns, in this order: one ordered pass over an index, no table reads, no sort.
            models.Index(
                fields=[
                    "signed_year",
                    "sector",
                    "is_published",
                    "counted_value_usd",
                    "value_usd",
                    "parent",
                ],
                name="project_year_sector_idx",
            ),
            models.Index(
                fields=["kind", "status", "lead_side", "is_published", "counted_value_usd"],
                name="project_kind_status_side_idx",
            ),
            models.Index(fields=["status"]),
            models.Index(fields=["lead_side"]),
            models.Index(fields=["is_published", "signed_on"]),
        ]
        verbose_name = _("cooperation project")
        verbose_name_plural = _("cooperation projects")

    location = in_language("location")

    @classmethod
    def audit_value(cls, name: str, value) -> str | None:
        """How the history shows a recorded list of parties ("4:initiator"): "Qingling
        Motors (initiator)", names in the reader's language. None: not a value of ours."""
        if name != "parties" or not isinstance(value, list) or not value:
            return None
        pairs = []
        for item in value:
            pk, _sep, role = str(item).partition(":")
            pairs.append((int(pk) if pk.isdigit() else None, role))
        organisations = Organisation.objects.in_bulk([pk for pk, _role in pairs if pk])
        roles = dict(ProjectParty.Role.choices)
        parts = []
        for pk, role in pairs:
            organisation = organisations.get(pk)
            name_text = organisation.name if organisation is not None else f"#{pk}"
            role_text = str(roles.get(role, role))
            parts.append(f"{name_text} ({role_text})")
        return "; ".join(parts)


_of_project = partial(belongs_to, Project, _("project"))  # the project a row belongs to


class ProjectParty(models.Model):
    class Role(models.TextChoices):
        INITIATOR = "initiator", _("initiator")
        INVESTOR = "investor", _("investor")
        IMPLEMENTER = "implementer", _("implementer")
        FACILITATOR = "facilitator", pgettext_lazy("project party role", "facilitator")
        COUNTERPART = "counterpart", _("counterpart")

    project = _of_project("parties")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="project_parties",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation", "role"], name="projectparty_unique"
            ),
        ]
        verbose_name = _("project party")
        verbose_name_plural = _("project parties")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class ProjectStatusChange(models.Model):
    project = _of_project("status_changes")
    from_status = models.CharField(
        _("from"), max_length=20, choices=Project.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Project.Status.choices)
    on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    by = person_field(_("by"), blank=True)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")


class ProjectMilestone(BilingualTitled):
    project = _of_project("milestones")
    planned_on = models.DateField(_("planned date"), null=True, blank=True)
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)

    class Meta:
        ordering = ["planned_on", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")


class ProjectLink(BilingualTitled):
    """A document or link about a project, with who published it."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("document")
        NEWS = "news", _("news report")
        OFFICIAL = "official", _("official statement")
        OTHER = "other", _("other")

    project = _of_project("links")
    url = models.URLField(_("address"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)

    class Meta:
        ordering = ["-published_on", "id"]
        verbose_name = _("document or link")
        verbose_name_plural = _("documents and links")


class ProjectRevisionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The initiative's administrators and facilitators see every revision; a member sees
        the revisions of the projects its organisations recorded, and its own; nobody else
        (anonymous visitors included) sees any."""
        if is_facilitator(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(project__owner_id__in=organisation_ids(user)) | Q(author=user))


class ProjectRevision(models.Model):
    """A change to a published project, held until an initiative administrator publishes it.

    `values` holds the whole proposed project, as services.ProjectInput fields in JSON
    (`parties` a list of [organisation id, role], or null when the parties do not change);
    `base_version` is the project's version the change was made on. Until it is published the
    project keeps its published values, and so do the totals, lists, API and exports.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for publication")
        PUBLISHED = "published", _("published")
        REJECTED = "rejected", _("rejected")
        SUPERSEDED = "superseded", _("replaced by a later change")

    project = _of_project("revisions")
    values = models.JSONField(_("proposed values"))
    base_version = models.PositiveIntegerField(_("project version it changes"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    author = person_field(_("proposed by"))
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = person_field(_("decided by"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reason of the decision"), max_length=500, blank=True)

    objects = ProjectRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status="pending"),
                name="projectrevision_one_pending",
            ),
        ]
        verbose_name = _("proposed change of a project")
        verbose_name_plural = _("proposed changes of projects")

    def __str__(self) -> str:
        return _("Proposed change %(number)s of %(project)s") % {
            "number": self.pk,
            "project": self.project.external_id,
        }


class InnovationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Anonymous visitors and members see published innovations; the initiative's
        administrators and facilitators (who record them) see all."""
        if is_facilitator(user):
            return self
        return self.filter(is_published=True)


class Innovation(BilingualDescribed, Created):
    """An institutional innovation (a 'pioneering institutional opening-up achievement')."""

    class Category(models.TextChoices):
        TRADE = "trade", _("trade facilitation")
        FINANCE = "finance", _("finance")
        DATA = "data", _("data and digital")
        LOGISTICS = "logistics", _("logistics")
        STANDARDS = "standards", _("standards and certification")
        OTHER = "other", _("other")

    external_id = models.CharField(_("external id"), max_length=150, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    agencies = models.ManyToManyField(
        Organisation, verbose_name=_("agencies involved"), blank=True, related_name="innovations"
    )
    is_published = models.BooleanField(_("published"), default=False)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    source_checked_on = models.DateField(_("source checked on"), null=True, blank=True)
    version = version_field()

    objects = InnovationQuerySet.as_manager()

    class Meta:
        ordering = ["-adopted_on", "id"]
        verbose_name = _("institutional innovation")
        verbose_name_plural = _("institutional innovations")


class InnovationReplication(models.Model):
    """A place an innovation was replicated to."""

    innovation = belongs_to(Innovation, _("innovation"), "replications")
    place_en = models.CharField(_("place (English)"), max_length=200)
    place_zh = models.CharField(_("place (Chinese)"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, default="CN")
    replicated_on = models.DateField(_("replicated on"), null=True, blank=True)

    class Meta:
        ordering = ["replicated_on", "id"]
        verbose_name = _("replication")
        verbose_name_plural = _("replications")

    place = in_language("place")

    def __str__(self) -> str:
        return self.place


class PublishedFigure(models.Model):
    """An aggregate an authority published, shown beside the registry's own total."""

    class Metric(models.TextChoices):
        PROJECT_COUNT = "project_count", _("number of projects")
        PROJECT_VALUE = "project_value_usd", _("value of projects (US dollars)")
        INNOVATION_COUNT = "innovation_count", _("number of institutional innovations")

    class Qualifier(models.TextChoices):
        EXACT = "exact", _("exactly")
        AT_LEAST = "at_least", _("over")
        ABOUT = "about", _("about")

    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2)
    qualifier = models.CharField(
        _("qualifier"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT
    )
    as_of = models.DateField(_("as of"))
    kinds = models.JSONField(
        _("project kinds covered"),
        default=list,
        blank=True,
        help_text=_("Which project kinds the figure covers; empty means all."),
    )
    scope_en = models.CharField(_("scope (English)"), max_length=300)
    scope_zh = models.CharField(_("scope (Chinese)"), max_length=300, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200)
    source_url = models.URLField(_("source"), max_length=500)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    version = version_field()

    class Meta:
        ordering = ["-as_of", "metric"]
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")

    scope = in_language("scope")

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.value} ({self.as_of})"


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The person who started an import sees it, and the initiative's administrators."""
        if is_initiative_admin(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(started_by=user)


class ImportJob(BackgroundJob, Created):
    """A large project import that runs as a background task, with its progress and report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to start")
        CHECKING = "checking", _("checking rows")
        WRITING = "writing", _("saving projects")
        DONE = "done", _("finished")
        FAILED = "failed", _("failed")

    started_by = person_field(_("started by"), blank=True)
    owner = optional_link(
        Organisation,
        _("recorded for"),
        on_delete=models.SET_NULL,
        help_text=_("The organisation new projects belong to when a row names no owner."),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    stored_file = models.CharField(_("stored file"), max_length=500)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    language = models.CharField(_("language"), max_length=10, default="en")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows checked"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)

    UNDER_WAY = (Status.QUEUED, Status.CHECKING, Status.WRITING)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"


class IatiActivitySource(models.Model):
    """The `<iati-activity>` element an imported project came from, as it was read.

    IATI describes far more than a project holds (every transaction, budgets, results,
    recipient countries, …); the export writes an imported project from this element with
    Corridor's own changes applied, so that nothing the publisher wrote is lost.
    """

    project = models.OneToOneField(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="iati_source",
    )
    xml = models.TextField(_("IATI activity XML"))
    reporting_org_ref = models.CharField(
        _("reporting organisation identifier"), max_length=150, blank=True
    )
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        verbose_name = _("IATI activity as imported")
        verbose_name_plural = _("IATI activities as imported")

    def __str__(self) -> str:
        return f"{self.project} ({self.reporting_org_ref})"
