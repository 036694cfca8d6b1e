"""The Harmonized System nomenclature as the site reads it: search, ancestry and labels of
HS codes (the import is in `imports.py`).

Every code carries its edition (HS 2022 by default). The tree is a prefix tree: a heading's
number starts with its chapter's, a subheading's with its heading's, and every row records its
section, which lets `ancestry()` fetch a whole branch in one query.
"""

import re
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from corridor.core import terms
from corridor.standards.models import HsCode, Requirement

DEFAULT_EDITION = "HS2022"
ROMAN_NUMERAL = re.compile(r"^[IVXLC]+$")


def normalise_code(code: str) -> str:
    """'8704.60' and '8704 60' become '870460'; a section's numeral is upper-cased."""
    code = re.sub(r"[\s.]", "", code or "")
    return code.upper() if ROMAN_NUMERAL.match(code.upper()) else code


CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _requirement_prefixes(query: str) -> list[tuple[str, str]]:
    """(HS prefix, requirement title) for each knowledge-base requirement whose English title
    has every word of the search, or whose Chinese title contains it: the knowledge base's
    own bilingual titles as a second source of words for goods."""
    words = [word.lower() for word in re.findall(r"\w+", query)]
    found = []
    for title_en, title_zh, definition in Requirement.objects.values_list(
        "title_en", "title_zh", "definition"
    ).order_by("key"):
        english = title_en.lower()
        if (words and all(word in english for word in words)) or (
            CJK.search(query) and query in title_zh
        ):
            title = title_zh if CJK.search(query) else title_en
            found.extend((prefix, title) for prefix in definition.get("hs_prefixes") or [])
    return found


def _description_filter(codes, words: list[str]):
    if connection.vendor == "postgresql":
        return codes.annotate(search=SearchVector("description_en", config="english")).filter(
            search=SearchQuery(" ".join(words), config="english", search_type="plain")
        )
    for word in words:
        codes = codes.filter(description_en__icontains=word)
    return codes


def search(query: str, edition: str = DEFAULT_EDITION, limit: int = 50) -> list[HsCode]:
    """Codes matching a number (as a prefix: '8704' or '8704.60') or words.

    Words are looked for in three places, in this order:

    1. the everyday names of goods of `core/data/terms.yaml`, English or Chinese ("pork", "猪肉",
       "electric van"): the codes each term leads to, the longest term's first. Words of the
       search that are not part of a term must then appear in the description of the code
       or of one under it ("frozen pork" gives 0203 and its frozen subheadings);
    2. the knowledge base's requirement titles, in both languages: the HS prefixes of the
       requirements whose title has the words;
    3. the English descriptions (all the words): with PostgreSQL's full-text search (English
       stemming, so 'horse' finds 'Horses'), elsewhere as case-insensitive substrings.

    Each code found through a term or a requirement carries `found_by`: the term or the
    requirement's title ("" for a code found by its number or its description)."""
    query = (query or "").strip()
    codes = HsCode.objects.filter(edition=edition)
    number = normalise_code(query)
    if not query or limit <= 0:
        return []
    if number.isdigit():
        codes = codes.filter(code__startswith=number).exclude(level=HsCode.Level.SECTION)
        return list(codes.order_by("level", "code")[:limit])
    if ROMAN_NUMERAL.match(number) and codes.filter(code=number).exists():
        codes = codes.filter(section=number).filter(level__lte=HsCode.Level.CHAPTER)
        return list(codes.order_by("level", "code")[:limit])
    words = re.findall(r"\w+", query)
    if not words:
        return []

    found_by: dict[str, str] = {}  # code -> the term or requirement title that found it
    matched, rest = terms.terms_in(query)
    matched = [term for term in matched if term.codes]
    rest_words = re.findall(r"\w+", rest)
    if matched and rest_words:
        prefixes = Q()
        for term in matched:
            for code in term.codes:
                prefixes |= Q(code__startswith=code)
        narrowed = _description_filter(codes.filter(prefixes), rest_words)
        term_of = {code: term.text for term in reversed(matched) for code in term.codes}
        for code in narrowed.order_by("level", "code").values_list("code", flat=True):
            prefix = next(p for p in sorted(term_of, key=len, reverse=True) if code.startswith(p))
            found_by.setdefault(code, term_of[prefix])
    else:
        for term in matched:
            for code in term.codes:
                found_by.setdefault(code, term.text)
        if not matched:
            for prefix, title in _requirement_prefixes(query):
                found_by.setdefault(prefix, title)

    by_code = {code.code: code for code in codes.filter(code__in=list(found_by))}
    results = []
    for code, reason in found_by.items():
        if code in by_code:
            by_code[code].found_by = reason
            results.append(by_code[code])
    if not matched or not (results or rest_words):
        # a term for goods outside the loaded nomenclature falls back to the descriptions
        seen = set(found_by)
        described = _description_filter(codes, words).exclude(code__in=seen)
        for code in described.order_by("level", "code")[: max(limit - len(results), 0)]:
            code.found_by = ""
            results.append(code)
    return results[:limit]


def _branch_codes(code: HsCode) -> list[str]:
    """The codes from a code's section down to the code itself, read from its number."""
    branch = [code.section] if code.section and code.level > HsCode.Level.SECTION else []
    if code.level > HsCode.Level.SECTION:
        branch += [code.code[:digits] for digits in (2, 4, 6) if digits <= len(code.code)]
    else:
        branch.append(code.code)
    return branch


def ancestries(codes: Iterable[HsCode]) -> dict[int, list[HsCode]]:
    """The ancestry of each code (by id), section first and the code itself last; one query."""
    codes = list(codes)
    wanted = {(code.edition, branch) for code in codes for branch in _branch_codes(code)}
    found: dict[tuple[str, str], HsCode] = {}
    for edition in {edition for edition, _code in wanted}:
        numbers = [number for ed, number in wanted if ed == edition]
        for hs_code in HsCode.objects.filter(edition=edition, code__in=numbers):
            found[(edition, hs_code.code)] = hs_code
    return {
        code.pk: [
            found[(code.edition, number)]
            for number in _branch_codes(code)
            if (code.edition, number) in found
        ]
        for code in codes
    }


def code_is_known(code: str, edition: str = DEFAULT_EDITION) -> bool:
    """True when `code` is in the loaded `edition`, or when that edition is not loaded at all
    (then nothing can be checked). The one check the pages, the API, the PDF report and the
    `assess` command share."""
    codes = HsCode.objects.filter(edition=edition)
    return not codes.exists() or codes.filter(code=normalise_code(code)).exists()


def get_code(code: str, edition: str = DEFAULT_EDITION) -> HsCode:
    """One code by its number ('870460', '8704.60') or section numeral; DoesNotExist if unknown."""
    return HsCode.objects.get(edition=edition, code=normalise_code(code))


def ancestry(code: HsCode | str, edition: str = DEFAULT_EDITION) -> list[HsCode]:
    """Section → chapter → heading → subheading down to `code` (included), in one query
    (two when `code` is given as a number)."""
    if not isinstance(code, HsCode):
        code = get_code(code, edition)
    return ancestries([code])[code.pk]


def code_label(code: HsCode) -> str:
    """'Section XVII', 'Chapter 87', 'Heading 8704', 'Subheading 870460', translated."""
    labels = {
        HsCode.Level.SECTION: _("Section %(code)s"),
        HsCode.Level.CHAPTER: _("Chapter %(code)s"),
        HsCode.Level.HEADING: _("Heading %(code)s"),
        HsCode.Level.SUBHEADING: _("Subheading %(code)s"),
    }
    return labels[code.level] % {"code": code.code}


# --- browsing: each code with how many codes are under it ------------------------------------


def _with_child_counts(codes) -> list[HsCode]:
    return list(codes.annotate(child_count=Count("children")).order_by("code"))


def sections(edition: str = DEFAULT_EDITION) -> list[HsCode]:
    """The sections of an edition, each with `child_count` (its chapters)."""
    return _with_child_counts(HsCode.objects.filter(edition=edition, level=HsCode.Level.SECTION))


def chapters_without_section(edition: str = DEFAULT_EDITION) -> list[HsCode]:
    """Chapters without a section (chapter 99 in the Comtrade file), listed after the
    sections, each with `child_count`."""
    return _with_child_counts(
        HsCode.objects.filter(edition=edition, level=HsCode.Level.CHAPTER, section="")
    )


def children(code: HsCode) -> list[HsCode]:
    """The codes one level under `code`, each with `child_count`."""
    return _with_child_counts(code.children.all())
