"""Controlled vocabularies: countries (ISO 3166 via pycountry), currencies (ISO 4217) and
the Chinese names of cities.

Country names come in the active language from pycountry's own gettext catalogues;
currency names and which currencies circulate come from CLDR (Babel); a city's Chinese
name from CLDR's exemplar cities of time zones, then from ISO 3166-2's municipalities.
"""

import gettext
import re
from datetime import date
from functools import cache

import pycountry
from babel import Locale
from babel.core import get_global
from babel.numbers import get_territory_currencies
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
    """The currency's name in the language: CLDR's (人民币, 新加坡元), else ISO 4217's."""
    code = (code or "").upper()
    currency = pycountry.currencies.get(alpha_3=code)
    chinese = is_chinese(language or get_language())
    cldr = _cldr_locale(chinese).currencies.get(code)
    if cldr:
        return cldr
    if currency is None:
        return code
    if chinese:
        return _chinese_iso4217().gettext(currency.name)
    return currency.name


@cache
def _cldr_locale(chinese: bool) -> Locale:
    return Locale.parse("zh_Hans" if chinese else "en")


@cache
def circulating_currencies() -> frozenset[str]:
    """ISO 4217 codes that some territory uses as legal tender today, according to CLDR:
    funds (BOV, CLF, COU, CHE, CHW, USN, UYI, UYW, MXV), precious metals (XAU, XAG, XPD, XPT),
    drawing rights and bond units (XDR, XSU, XUA, XBA–XBD) and the codes for testing and
    for "no currency" (XTS, XXX) are not."""
    today = date.today()
    codes = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, start_date=today, tender=True))
    return frozenset(codes)


def currency_choices(keep: str = "") -> list[tuple[str, str]]:
    """The circulating currencies, by code, named in the active language; `keep` (a value
    already stored, even one no longer offered) stays a choice so that it still reads."""
    codes = {c.alpha_3 for c in pycountry.currencies} & circulating_currencies()
    if keep:
        codes.add(keep.upper())
    return sorted((code, f"{code} — {currency_name(code)}") for code in codes)


def _city_key(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name).strip().casefold()


@cache
def _chinese_cities() -> dict[str, str]:
    """English city name (folded) -> Chinese: CLDR's exemplar cities of time zones (Singapore
    → 新加坡, Shanghai → 上海), then ISO 3166-2's municipalities of China (Chongqing Shi →
    重庆市 → 重庆), which CLDR no longer has since their zones were merged into Shanghai."""
    cities: dict[str, str] = {}
    chinese = _cldr_locale(True).time_zones
    english = _cldr_locale(False).time_zones
    for zone in get_global("zone_territories"):
        zh = (chinese.get(zone) or {}).get("city")
        if not zh:
            continue
        en = (english.get(zone) or {}).get("city") or zone.rsplit("/", 1)[-1].replace("_", " ")
        cities.setdefault(_city_key(en), zh)
    subdivisions = gettext.translation(
        "iso3166-2", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True
    )
    for subdivision in pycountry.subdivisions.get(country_code="CN"):
        if subdivision.type != "Municipality":
            continue
        zh = subdivisions.gettext(subdivision.name)
        if zh == subdivision.name:
            continue
        en = subdivision.name.removesuffix(" Shi")
        cities.setdefault(_city_key(en), zh.removesuffix("市"))
    return cities


def city_name(city: str, language: str | None = None) -> str:
    """A city as the reader calls it: in Chinese when CLDR or ISO 3166-2 knows its Chinese
    name (Chongqing → 重庆, Singapore → 新加坡), otherwise as it was written."""
    city = city or ""
    if not city or not is_chinese(language or get_language()):
        return city
    return _chinese_cities().get(_city_key(city), city)
