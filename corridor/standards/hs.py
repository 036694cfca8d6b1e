"""The Harmonized System nomenclature: import, search and ancestry of HS codes.

The import reads the CSV format of the UN Comtrade extract published as the `harmonized-system`
data package (columns section, hscode, description, parent, level; a `TOTAL` root row; sections
in a separate sections.csv with a UTF-8 byte-order mark). Sections get their roman numeral as
code (level 1); chapters (2 digits), headings (4) and subheadings (6) keep their number.
Every code carries its edition, so codes of several editions (HS 2012, HS 2022) can coexist.

The tree is a prefix tree: a heading's number starts with its chapter's, a subheading's with its
heading's, and every row records its section. The import checks this, which lets `ancestry()`
fetch a whole branch in one query.
"""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from corridor.core import terms
from corridor.standards.models import HsCode

DEFAULT_EDITION = "HS2022"
COLUMNS = ("section", "hscode", "description", "parent", "level")
SECTION_COLUMNS = ("section", "name")
ROOT = "TOTAL"
ROMAN_NUMERAL = re.compile(r"^[IVXLC]+$")
DIGITS_FOR_LEVEL = {HsCode.Level.CHAPTER: 2, HsCode.Level.HEADING: 4, HsCode.Level.SUBHEADING: 6}
PARENT_LEVEL = {
    HsCode.Level.CHAPTER: HsCode.Level.SECTION,
    HsCode.Level.HEADING: HsCode.Level.CHAPTER,
    HsCode.Level.SUBHEADING: HsCode.Level.HEADING,
}
BATCH_SIZE = 1000


class HsImportError(ValueError):
    """A file the import refuses; the message names the file and the row."""


@dataclass
class HsImportReport:
    edition: str
    sections: int
    chapters: int
    headings: int
    subheadings: int
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.sections + self.chapters + self.headings + self.subheadings


@dataclass
class _Row:
    code: str
    level: int
    section: str
    parent: str  # the parent's code; a section's roman numeral for a chapter, "" for none
    description: str


def normalise_code(code: str) -> str:
    """'8704.60' and '8704 60' become '870460'; a section's numeral is upper-cased."""
    code = re.sub(r"[\s.]", "", code or "")
    return code.upper() if ROMAN_NUMERAL.match(code.upper()) else code


# --- import ---------------------------------------------------------------------------------


def _open_csv(path: Path, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    """Yield (row number, row) of a CSV file that must have the given columns.

    The row number is the line in the file (the header is line 1)."""
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise HsImportError(
            _("The file %(file)s cannot be read (%(reason)s); check the path.")
            % {"file": path, "reason": exc.strerror or exc}
        ) from exc
    with handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [column for column in columns if column not in header]
        if missing:
            raise HsImportError(
                _(
                    "Row 1 of %(file)s: the column “%(column)s” is missing; the header must "
                    "name the columns %(columns)s."
                )
                % {"file": path, "column": missing[0], "columns": ", ".join(columns)}
            )
        reader.fieldnames = header
        try:
            for row in reader:
                yield reader.line_num, {key: (value or "").strip() for key, value in row.items()}
        except (csv.Error, UnicodeDecodeError) as exc:
            raise HsImportError(
                _("Row %(row)s of %(file)s cannot be read (%(reason)s); save it as UTF-8 CSV.")
                % {"row": reader.line_num + 1, "file": path, "reason": exc}
            ) from exc


def _read_sections(path: Path) -> dict[str, str]:
    sections: dict[str, str] = {}
    for number, row in _open_csv(path, SECTION_COLUMNS):
        numeral = row["section"].upper()
        if not ROMAN_NUMERAL.match(numeral) or not row["name"]:
            raise HsImportError(
                _(
                    "Row %(row)s of %(file)s: a section needs a roman numeral and a name; "
                    "correct the row."
                )
                % {"row": number, "file": path}
            )
        if numeral in sections:
            raise HsImportError(
                _("Row %(row)s of %(file)s: section %(section)s appears twice; keep one row.")
                % {"row": number, "file": path, "section": numeral}
            )
        sections[numeral] = row["name"]
    return sections


def _row_refusal(path: Path, number: int, code: str):
    def refuse(reason: str) -> HsImportError:
        return HsImportError(
            _("Row %(row)s of %(file)s (code “%(code)s”): %(reason)s")
            % {"row": number, "file": path, "code": code, "reason": reason}
        )

    return refuse


def _read_codes(path: Path, section_names: dict[str, str] | None) -> list[_Row]:
    """Read and check every row; the first problem is raised with its row number."""
    rows: dict[str, _Row] = {}
    row_numbers: dict[str, int] = {}
    for number, row in _open_csv(path, COLUMNS):
        code = row["hscode"]
        if code == ROOT:
            continue
        refuse = _row_refusal(path, number, code)
        try:
            level = int(row["level"])
        except ValueError:
            level = None
        if level not in DIGITS_FOR_LEVEL:
            raise refuse(
                _("the level “%(level)s” is not 2, 4 or 6 (chapter, heading, subheading).")
                % {"level": row["level"]}
            )
        if not (code.isdigit() and len(code) == DIGITS_FOR_LEVEL[level]):
            raise refuse(
                _("a code of level %(level)s must have %(digits)s digits.")
                % {"level": level, "digits": DIGITS_FOR_LEVEL[level]}
            )
        if code in rows:
            raise refuse(
                _("the code already appears in row %(first)s; keep one row per code.")
                % {"first": row_numbers[code]}
            )
        if not row["description"]:
            raise refuse(_("the description is empty; give the code its description."))
        section = "" if row["section"] == ROOT else row["section"].upper()
        if section and not ROMAN_NUMERAL.match(section):
            raise refuse(
                _("the section “%(section)s” is not a roman numeral.") % {"section": row["section"]}
            )
        if section and section_names is not None and section not in section_names:
            raise refuse(
                _("the section %(section)s is not in the sections file; add it there.")
                % {"section": section}
            )
        parent = row["parent"]
        if level == HsCode.Level.CHAPTER:
            if parent != ROOT:
                raise refuse(
                    _("a chapter's parent must be “%(root)s”, not “%(parent)s”.")
                    % {"root": ROOT, "parent": parent}
                )
            parent = section
        elif not code.startswith(parent) or len(parent) != DIGITS_FOR_LEVEL[PARENT_LEVEL[level]]:
            raise refuse(
                _("the parent “%(parent)s” is not the code's chapter or heading.")
                % {"parent": parent}
            )
        rows[code] = _Row(code, level, section, parent, row["description"])
        row_numbers[code] = number

    for code, row in rows.items():
        if row.level != HsCode.Level.CHAPTER and row.parent not in rows:
            raise HsImportError(
                _(
                    "Row %(row)s of %(file)s (code “%(code)s”): the parent “%(parent)s” is "
                    "not in the file; add the parent's row or correct the parent."
                )
                % {"row": row_numbers[code], "file": path, "code": code, "parent": row.parent}
            )
    return list(rows.values())


def _upsert(edition: str, rows: list[_Row], ids: dict[str, int]) -> None:
    """Create or update one level's rows; `ids` maps the parents' codes to their ids."""
    HsCode.objects.bulk_create(
        [
            HsCode(
                edition=edition,
                code=row.code,
                level=row.level,
                section=row.section,
                parent_id=ids.get(row.parent),
                description_en=row.description,
            )
            for row in rows
        ],
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["edition", "code"],
        update_fields=["level", "section", "parent", "description_en"],
    )
    codes = {row.code for row in rows}
    ids.update(
        (code, pk)
        for code, pk in HsCode.objects.filter(edition=edition).values_list("code", "pk")
        if code in codes
    )


def import_hs(
    csv_path: Path | str, sections_path: Path | str | None = None, edition: str = DEFAULT_EDITION
) -> HsImportReport:
    """Create or update the codes of one edition from a Comtrade-format CSV file.

    Codes are matched on (edition, code), so importing again updates rather than duplicates.
    Sections take their names from `sections_path` when given; without it, a new section is
    named by its numeral and an existing one keeps its name. The file is checked whole before
    anything is written; a problem raises HsImportError naming the row, and nothing is saved."""
    section_names = _read_sections(Path(sections_path)) if sections_path else None
    rows = _read_codes(Path(csv_path), section_names)

    by_level: dict[int, list[_Row]] = {level: [] for level in HsCode.Level.values}
    for row in rows:
        by_level[row.level].append(row)
    used_sections = sorted({row.section for row in rows if row.section})
    if section_names is None:
        existing = dict(
            HsCode.objects.filter(
                edition=edition, level=HsCode.Level.SECTION, code__in=used_sections
            ).values_list("code", "description_en")
        )
        section_names = {
            # Data in description_en, not an interface string: English whatever the locale.
            numeral: existing.get(numeral) or f"Section {numeral}"
            for numeral in used_sections
        }
    by_level[HsCode.Level.SECTION] = [
        _Row(numeral, HsCode.Level.SECTION, numeral, "", name)
        for numeral, name in section_names.items()
    ]

    with transaction.atomic():
        before = HsCode.objects.filter(edition=edition).count()
        ids: dict[str, int] = {}
        for level in sorted(by_level):
            _upsert(edition, by_level[level], ids)
        total = sum(len(level_rows) for level_rows in by_level.values())
        created = HsCode.objects.filter(edition=edition).count() - before
    return HsImportReport(
        edition=edition,
        sections=len(by_level[HsCode.Level.SECTION]),
        chapters=len(by_level[HsCode.Level.CHAPTER]),
        headings=len(by_level[HsCode.Level.HEADING]),
        subheadings=len(by_level[HsCode.Level.SUBHEADING]),
        created=created,
        updated=total - created,
    )


# --- reading --------------------------------------------------------------------------------


CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _requirement_prefixes(query: str) -> list[tuple[str, str]]:
    """(HS prefix, requirement title) for each knowledge-base requirement whose English title
    has every word of the search, or whose Chinese title contains it: the knowledge base's
    own bilingual titles as a second source of words for goods."""
    from corridor.standards.models import Requirement

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
        from django.contrib.postgres.search import SearchQuery, SearchVector

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
