"""Importing the Harmonized System nomenclature from the UN Comtrade CSV files.

The import reads the CSV format of the UN Comtrade extract published as the `harmonized-system`
data package (columns section, hscode, description, parent, level; a `TOTAL` root row; sections
in a separate sections.csv with a UTF-8 byte-order mark). Sections get their roman numeral as
code (level 1); chapters (2 digits), headings (4) and subheadings (6) keep their number.
Every code carries its edition, so codes of several editions (HS 2012, HS 2022) can coexist.

The tree is a prefix tree: a heading's number starts with its chapter's, a subheading's with its
heading's, and every row records its section. The import checks this, which lets
`nomenclature.ancestry()` fetch a whole branch in one query.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from corridor.standards.hs.nomenclature import DEFAULT_EDITION, ROMAN_NUMERAL
from corridor.standards.models import HsCode

COLUMNS = ("section", "hscode", "description", "parent", "level")
SECTION_COLUMNS = ("section", "name")
ROOT = "TOTAL"
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
