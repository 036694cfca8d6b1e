"""A briefing pack: the report officials bring to the bilateral steering meeting, built in the
background as PDF or XLSX from the other parts' own reads, stored, and downloadable again."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.accounts.roles import is_facilitator, is_initiative_admin
from corridor.core.models import BackgroundJob, person_field


class BriefingPackQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The initiative's administrators see every pack; a facilitator the packs they asked
        for (a pack shows what its requester may see, such as the cases assigned to them);
        nobody else sees any."""
        if is_initiative_admin(user):
            return self
        if not is_facilitator(user):
            return self.none()
        return self.filter(requested_by=user)


class BriefingPack(BackgroundJob):
    class Format(models.TextChoices):
        PDF = "pdf", _("PDF with charts")
        XLSX = "xlsx", _("XLSX, one sheet per section")

    class Language(models.TextChoices):
        EN = "en", _("English")
        ZH = "zh-hans", _("Simplified Chinese")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to start")
        RUNNING = "running", _("being prepared")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    requested_by = person_field(_("requested by"), blank=True)
    since = models.DateField(
        _("changes since"), help_text=_("The pack says what changed from this date on.")
    )
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.EN
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    steps_done = models.PositiveSmallIntegerField(_("sections done"), default=0)
    steps_total = models.PositiveSmallIntegerField(_("sections"), default=0)
    stored_file = models.CharField(_("stored file"), max_length=500, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    failure = models.TextField(_("why it failed"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("interrupted attempts"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    UNDER_WAY = (Status.QUEUED, Status.RUNNING)

    objects = BriefingPackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("briefing pack")
        verbose_name_plural = _("briefing packs")

    def __str__(self) -> str:
        return f"{self.since} {self.language} {self.format} ({self.status})"

    @property
    def file_name(self) -> str:
        """What the downloaded file is called."""
        language = "zh" if self.language == self.Language.ZH else "en"
        made = (self.finished_at or self.created_at).strftime("%Y%m%d")
        return f"corridor-briefing-{self.since:%Y%m%d}-{made}-{language}.{self.format}"
