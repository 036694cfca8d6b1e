"""Controlled vocabularies: countries (ISO 3166 via pycountry) and currencies (ISO 4217).

Country names come in the active language from pycountry's own gettext catalogues.
"""

import gettext
from functools import cache

import pycountry
from django.utils.translation import get_language

from corridor.core.bilingual import is_chinese


@cache
def _chinese_iso3166() -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True
    )


@cache
def _chinese_iso4217() -> gettext.NullTranslations:
    return gettext.translation("iso4217", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)


def is_country(code: str) -> bool:
    return bool(code) and pycountry.countries.get(alpha_2=code.upper()) is not None


def country_name(code: str, language: str | None = None) -> str:
    country = pycountry.countries.get(alpha_2=(code or "").upper())
    if country is None:
        return code or ""
    name = getattr(country, "common_name", None) or country.name
    if is_chinese(language or get_language()):
        return _chinese_iso3166().gettext(country.name)
    return name


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    choices = [(c.alpha_2, country_name(c.alpha_2, language)) for c in pycountry.countries]
    return sorted(choices, key=lambda item: item[1])


def is_currency(code: str) -> bool:
    return (
        bool(code) and len(code) == 3 and pycountry.currencies.get(alpha_3=code.upper()) is not None
    )


def currency_name(code: str, language: str | None = None) -> str:
    currency = pycountry.currencies.get(alpha_3=(code or "").upper())
    if currency is None:
        return code or ""
    if is_chinese(language or get_language()):
        return _chinese_iso4217().gettext(currency.name)
    return currency.name


def currency_choices() -> list[tuple[str, str]]:
    return sorted(
        (c.alpha_3, f"{c.alpha_3} — {currency_name(c.alpha_3)}") for c in pycountry.currencies
    )
