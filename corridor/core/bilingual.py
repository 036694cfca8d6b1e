"""Bilingual fields: records that people name carry `<field>_en` and `<field>_zh`.

`bilingual(obj, "name")` returns the value in the active language, falling back to
the other language when the active one is empty.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def is_chinese(language: str | None = None) -> bool:
    return (language or get_language() or "en").lower().startswith("zh")


def bilingual(obj: object, field: str, language: str | None = None) -> str:
    english = getattr(obj, f"{field}_en", "") or ""
    chinese = getattr(obj, f"{field}_zh", "") or ""
    if is_chinese(language):
        return chinese or english
    return english or chinese


def bilingual_pair(
    field: str, *, verbose_en, verbose_zh, max_length: int | None = 300, required_en: bool = True
):
    """Two model fields for one bilingual text: (<field>_en, <field>_zh)."""
    if max_length is None:
        english = models.TextField(verbose_en, blank=not required_en)
        chinese = models.TextField(verbose_zh, blank=True)
    else:
        english = models.CharField(verbose_en, max_length=max_length, blank=not required_en)
        chinese = models.CharField(verbose_zh, max_length=max_length, blank=True)
    return english, chinese


class BilingualNameMixin:
    """For models with name_en / name_zh: `.name` in the active language."""

    @property
    def name(self) -> str:
        return bilingual(self, "name")

    def __str__(self) -> str:
        return self.name


class BilingualTitleMixin:
    @property
    def title(self) -> str:
        return bilingual(self, "title")

    @property
    def description(self) -> str:
        return bilingual(self, "description")

    def __str__(self) -> str:
        return self.title


LANGUAGE_LABELS = {"en": _("English"), "zh": _("Chinese")}
