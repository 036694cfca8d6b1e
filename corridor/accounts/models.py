import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from corridor.core.bilingual import bilingual, is_chinese
from corridor.core.models import (
    BilingualNamed,
    Created,
    Sector,
    belongs_to,
    owner_person_field,
    synthetic_field,
)


class User(AbstractUser):
    """A person. People-named records carry both names."""

    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=150, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Pages and e-mails come in this language. Empty: the site's default."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return bilingual(self, "name") or self.get_username()

    @property
    def preferred_language(self) -> str:
        """The language to write to this person in (e-mails, notifications)."""
        return self.language or settings.LANGUAGE_CODE

    def public_label(self) -> str:
        """How the person is named to anonymous visitors (in histories): never by name, but
        as "initiative staff" (the initiative's administration, superusers) or by their
        organisations."""
        organisations = [m.organisation for m in self.memberships.all()]
        if self.is_superuser or any(o.is_administration for o in organisations):
            return gettext("initiative staff")
        if not organisations:
            return gettext("a registered user")
        separator = "、" if is_chinese() else ", "
        return separator.join(sorted(o.name for o in organisations))

    def __str__(self) -> str:
        return self.display_name


class Organisation(BilingualNamed, Created):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise")
        AGENCY = "agency", _("government agency")
        REGULATOR = "regulator", _("regulator")
        CHAMBER = "chamber", _("chamber or association")
        PARTNER = "partner", _("partner")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166 code, e.g. SG or CN.")
    )
    city = models.CharField(_("city"), max_length=120, blank=True)
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True)
    website = models.URLField(_("website"), blank=True)
    iati_ref = models.CharField(
        _("IATI organisation identifier"),
        max_length=150,
        blank=True,
        db_index=True,
        help_text=_(
            "For example XM-DAC-7 or SG-ACRA-201234567X; imports match organisations on it."
        ),
    )
    is_administration = models.BooleanField(
        _("initiative administration"),
        default=False,
        help_text=_("Administrators and facilitators of this organisation run the initiative."),
    )
    is_synthetic = synthetic_field()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("administrator")
        FACILITATOR = "facilitator", _("facilitator")
        MEMBER = "member", _("member")

    user = belongs_to(User, _("user"), "memberships")
    organisation = belongs_to(Organisation, _("organisation"), "memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def for_raw(self, raw: str):
        return self.filter(key_hash=_hash_token(raw), user__is_active=True).select_related("user")


class ApiToken(Created):
    """A personal API token. Only its SHA-256 is stored; the raw value is shown once."""

    user = owner_person_field(_("user"), related_name="api_tokens")
    label = models.CharField(_("label"), max_length=100)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} — {self.label}"

    @staticmethod
    def new_raw_key() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person's own notifications; nobody reads another's."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(Created):
    """Something a person is told about (a request to connect or to meet, its answer, a
    message). Its text is written in both languages when it is created, so a person who
    switches language reads it in the new one; the e-mail goes in their preferred language."""

    recipient = owner_person_field(_("recipient"), related_name="notifications")
    subject_en = models.CharField(_("subject (English)"), max_length=300)
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=300)
    body_en = models.TextField(_("text (English)"), blank=True)
    body_zh = models.TextField(_("text (Chinese)"), blank=True)
    url = models.CharField(
        _("link"), max_length=500, blank=True, help_text=_("A path on this site.")
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.subject_en

    def subject_in(self, language: str) -> str:
        return self.subject_zh if language.startswith("zh") else self.subject_en

    def body_in(self, language: str) -> str:
        return self.body_zh if language.startswith("zh") else self.body_en

    @property
    def subject(self) -> str:
        """The subject in the active language."""
        return self.subject_in(get_language() or settings.LANGUAGE_CODE)

    @property
    def body(self) -> str:
        return self.body_in(get_language() or settings.LANGUAGE_CODE)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
