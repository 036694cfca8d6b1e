"""Facilitation cases: one shared, multi-party journey from gap to approval.

Who may see and do what is decided in `permissions.py` and enforced by `services.py`;
`Case.objects.visible_to(user)` is the only door through which pages and the API reach cases
(its rule, who acts through which party, is `visibility.py`).
"""

from functools import partial

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.cases.visibility import user_party_q
from corridor.core.models import (
    BilingualDescribed,
    BilingualTitled,
    Created,
    Stamped,
    belongs_to,
    optional_link,
    person_field,
    version_field,
)
from corridor.standards.models import ReadinessAssessment

_in_case = partial(belongs_to, "Case", _("case"))  # the case a row belongs to


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Administrators see every case; anonymous people none; everyone else the cases
        in which they act through a party (`visibility.user_party_q`; a facilitator: the
        cases assigned to it)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if roles.is_initiative_admin(user):
            return self
        return self.filter(
            Exists(CaseParty.objects.filter(user_party_q(user), case=OuterRef("pk")))
        )


class Case(BilingualDescribed, Stamped):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise case")
        REGIONAL = "regional", _("regional case")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        SUBMITTED = "submitted", _("submitted to the authority")
        UNDER_VERIFICATION = "under_verification", _("under verification")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ENTERPRISE)
    applicant = models.ForeignKey(
        Organisation, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="cases"
    )
    product_name = models.CharField(_("product"), max_length=300, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=10, blank=True)
    target_market = models.CharField(_("target market"), max_length=2)
    assessment = optional_link(
        ReadinessAssessment,
        _("readiness assessment"),
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    region_case = optional_link(
        "self",
        _("regional case"),
        on_delete=models.PROTECT,
        related_name="enterprise_cases",
        help_text=_(
            "The regional case this enterprise case belongs to (the region is "
            "accredited first, then each plant)."
        ),
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    version = version_field(
        _("Raised on every change of the case itself, such as its status (optimistic locking).")
    )
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    created_by = person_field(_("created by"))

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")


class CaseParty(models.Model):
    """An organisation taking part in a case, in one role. Its members act for it."""

    class Role(models.TextChoices):
        APPLICANT = "applicant", _("applicant")
        FACILITATOR = "facilitator", _("facilitator")
        PARTNER = "partner", _("local partner")
        CERTIFICATION_BODY = "certification_body", _("certification body")
        REGULATOR = "regulator", _("regulator contact")
        OBSERVER = "observer", _("observer")

    case = _in_case("parties")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="case_parties",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    contact = person_field(_("contact person"), blank=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "organisation"], name="caseparty_unique"),
        ]
        indexes = [models.Index(fields=["organisation", "case"])]
        verbose_name = _("case party")
        verbose_name_plural = _("case parties")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class CaseTransition(models.Model):
    case = _in_case("transitions")
    from_status = models.CharField(
        _("from"), max_length=30, choices=Case.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=30, choices=Case.Status.choices)
    reason = models.TextField(_("reason"))
    by = person_field(_("by"))
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case transition")
        verbose_name_plural = _("case transitions")


class Milestone(BilingualTitled):
    """A step of the journey, often one requirement of the readiness roadmap."""

    case = _in_case("milestones")
    requirement_key = models.CharField(_("requirement"), max_length=120, blank=True)
    owner = optional_link(
        CaseParty, _("owner"), on_delete=models.SET_NULL, related_name="milestones"
    )
    depends_on = models.ManyToManyField(
        "self",
        verbose_name=_("depends on"),
        blank=True,
        symmetrical=False,
        related_name="dependents",
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    dates_approximate = models.BooleanField(
        _("dates approximate"),
        default=False,
        help_text=_("The dates are known only roughly (for example, only the month)."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    version = version_field()

    class Meta:
        ordering = ["case", "position", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")


class CaseIssue(models.Model):
    """A question or problem raised inside a case, assigned to someone until resolved."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        RESOLVED = "resolved", _("resolved")

    case = _in_case("issues")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    raised_by = person_field(_("raised by"))
    assigned_to = person_field(_("assigned to"), related_name="assigned_case_issues", blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["status", "due_on", "id"]
        indexes = [models.Index(fields=["assigned_to", "status"])]
        verbose_name = _("issue")
        verbose_name_plural = _("issues")

    def __str__(self) -> str:
        return self.title


class IssueComment(models.Model):
    issue = belongs_to(CaseIssue, _("issue"), "comments")
    author = person_field(_("author"))
    body = models.TextField(_("comment"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")


class CaseDocument(Created):
    """A document of the case; its file lives in versions. `shared_with` lists the party
    roles (besides the applicant and facilitators) who may see it; each version lists those
    who may see that version (a new version starts with what its uploader may share)."""

    case = _in_case("documents")
    title = models.CharField(_("title"), max_length=300)
    document_type = models.CharField(_("document type"), max_length=60)
    shared_with = models.JSONField(_("shared with"), default=list, blank=True)
    created_by = person_field(_("created by"))

    class Meta:
        ordering = ["case", "title", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class DocumentVersion(models.Model):
    document = belongs_to(CaseDocument, _("document"), "versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    shared_with = models.JSONField(
        _("shared with"),
        default=list,
        blank=True,
        help_text=_(
            "The party roles (besides the applicant and facilitators) who may see this "
            "version: at upload, those of the document the uploader may share with."
        ),
    )
    uploaded_by = person_field(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="documentversion_unique"),
        ]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")


class CaseEvent(models.Model):
    """The activity timeline: everything that happened in a case, in order.

    `kind` and `params` are language-neutral; pages render them as translated sentences."""

    case = _in_case("events")
    at = models.DateTimeField(_("at"), db_index=True)
    actor = person_field(_("actor"), blank=True)
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("details"), default=dict, blank=True)
    document = optional_link(
        CaseDocument,
        _("document"),
        on_delete=models.CASCADE,
        help_text=_(
            "Set when the event concerns a document: it is then shown only to "
            "those who may see the document."
        ),
    )
    document_version = optional_link(
        DocumentVersion,
        _("document version"),
        on_delete=models.CASCADE,
        help_text=_(
            "Set when the event concerns one version of a document: it is then shown only "
            "to those who may see that version."
        ),
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at"])]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
