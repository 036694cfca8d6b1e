from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Organisation
from corridor.core.models import (
    BilingualNamed,
    BilingualTitled,
    Created,
    belongs_to,
    in_language,
    optional_link,
    owner_person_field,
    person_field,
)


class HsCode(models.Model):
    """One line of the Harmonized System: a section, chapter, heading or subheading.

    The edition is kept on every code, so rules written against older editions (RCEP uses
    HS 2012) can be mapped to the edition a product is classified in."""

    class Level(models.IntegerChoices):
        SECTION = 1, _("section")
        CHAPTER = 2, _("chapter")
        HEADING = 4, _("heading")
        SUBHEADING = 6, _("subheading")

    edition = models.CharField(_("edition"), max_length=10, default="HS2022")
    code = models.CharField(_("code"), max_length=10, help_text=_("e.g. 87, 8704 or 870460"))
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = optional_link("self", _("parent"), on_delete=models.CASCADE, related_name="children")
    section = models.CharField(_("section"), max_length=5, blank=True)
    description_en = models.TextField(_("description (English)"))
    description_zh = models.TextField(_("description (Chinese)"), blank=True)

    class Meta:
        ordering = ["edition", "code"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="hscode_unique_edition_code"),
        ]
        verbose_name = _("HS code")
        verbose_name_plural = _("HS codes")

    description = in_language("description")

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class Authority(BilingualNamed):
    """A regulator or competent authority named in the knowledge base."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    country = models.CharField(_("country"), max_length=2)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["country", "key"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")


class Requirement(BilingualTitled):
    """A market-access requirement, loaded from the knowledge-base YAML by `kb_load`.

    The YAML in corridor/standards/kb/ is the source of truth; this table is its loaded
    copy, with a content hash per requirement so that changes can mark assessments stale."""

    key = models.CharField(_("id"), max_length=120, unique=True)
    market = models.CharField(_("market"), max_length=2)
    mast = models.CharField(_("MAST code"), max_length=10)
    kind = models.CharField(_("kind"), max_length=80)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("authority"),
        on_delete=models.PROTECT,
        related_name="requirements",
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    definition = models.JSONField(
        _("definition"), default=dict, help_text=_("The requirement as the engine reads it.")
    )
    source_url = models.URLField(_("source"), max_length=500)
    checked_on = models.DateField(_("checked on"))
    confidence = models.CharField(_("confidence"), max_length=30)
    kb_file = models.CharField(_("knowledge-base file"), max_length=200)
    content_hash = models.CharField(_("content hash"), max_length=64)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["market", "key"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")

    summary = in_language("summary")


class ReadinessAssessment(Created):
    """An assessment an organisation made: the question, the answer, and what it rests on."""

    organisation = belongs_to(Organisation, _("organisation"), "assessments")
    created_by = person_field(_("created by"))
    product_name = models.CharField(_("product"), max_length=300, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=10)
    origin = models.CharField(_("origin"), max_length=2)
    destination = models.CharField(_("destination market"), max_length=2)
    attributes = models.JSONField(_("product attributes"), default=dict, blank=True)
    held = models.JSONField(_("evidence held"), default=list, blank=True)
    result = models.JSONField(_("result"), default=dict)
    requirement_hashes = models.JSONField(
        _("requirement versions"),
        default=dict,
        help_text=_("The content hash of each requirement the result rests on."),
    )
    is_stale = models.BooleanField(
        _("stale"),
        default=False,
        help_text=_("A requirement it rests on changed after it was made."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("readiness assessment")
        verbose_name_plural = _("readiness assessments")

    def __str__(self) -> str:
        return f"{self.hs_code} {self.origin}→{self.destination} ({self.created_at:%Y-%m-%d})"


class Watch(Created):
    """A person follows a product (an HS prefix) in a market: when `kb_load` adds, changes or
    retires a requirement that touches it, they are told (`standards/watching.py`)."""

    user = owner_person_field(_("user"), related_name="watches")
    hs_prefix = models.CharField(
        _("HS code"),
        max_length=6,
        help_text=_("A chapter, heading or subheading: 2, 4 or 6 digits."),
    )
    market = models.CharField(_("market"), max_length=2)

    class Meta:
        ordering = ["market", "hs_prefix"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "hs_prefix", "market"], name="watch_unique_user_product_market"
            ),
        ]
        verbose_name = _("followed product")
        verbose_name_plural = _("followed products")

    def __str__(self) -> str:
        return f"{self.hs_prefix} → {self.market}"
