"""Importing cooperation projects from CSV and XLSX files: reading and checking.

One row per project; row 1 names the columns with the codes in `COLUMNS`. Every row is
checked first; when any row is bad nothing is written and the report names every bad row
and column. Importing the same file twice creates no duplicates: a row whose `external_id`
already exists updates that project.

    parse_file(name, content)      -> list[RowInput]     (raises ImportFileError)
    validate(rows, actor)          -> list[RowError]
    check_rows(rows, actor, owner) -> (errors, rows ready to write)

Writing the checked rows, and the import jobs, is `import_store.py` (`run_import`);
running small files now and queueing large ones is `import_jobs.py` (`start_import`).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePath
from typing import Any

import openpyxl
from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment, Font

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.core.actors import is_system
from corridor.core.exports import safe_row
from corridor.core.models import Sector
from corridor.portfolio import services
from corridor.portfolio.models import Project, ProjectParty

# --- the column layout -----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    code: str
    required: bool
    meaning: Any  # a lazy translation
    example: str


COLUMNS: list[Column] = [
    Column(
        "external_id",
        True,
        gettext_lazy(
            "A stable identifier of the project, unique in the registry. A row whose external "
            "id already exists updates that project instead of adding a second one."
        ),
        "EXAMPLE-0001",
    ),
    Column(
        "title_en",
        False,
        gettext_lazy(
            "The project's title in English. Give a title in English, in Chinese or both."
        ),
        "Example: cold-chain logistics hub",
    ),
    Column(
        "title_zh", False, gettext_lazy("The project's title in Chinese."), "示例：冷链物流枢纽"
    ),
    Column("description_en", False, gettext_lazy("A description in English."), ""),
    Column("description_zh", False, gettext_lazy("A description in Chinese."), ""),
    Column("kind", True, gettext_lazy("The kind of cooperation project."), "commercial"),
    Column(
        "status",
        False,
        gettext_lazy("The project's status today. Empty means signed."),
        "signed",
    ),
    Column("sector", True, gettext_lazy("The sector code."), "transport-logistics"),
    Column(
        "value",
        False,
        gettext_lazy("The project's value: a number without currency sign, not negative."),
        "12500000",
    ),
    Column(
        "currency",
        False,
        gettext_lazy(
            "The currency of the value as an ISO 4217 code; needed when a value is given."
        ),
        "SGD",
    ),
    Column(
        "signed_on",
        False,
        gettext_lazy("The signing date as YYYY-MM-DD (or a date cell in XLSX); not in the future."),
        "2024-03-15",
    ),
    Column(
        "location_en",
        False,
        gettext_lazy("Where the project takes place, in English."),
        "Chongqing",
    ),
    Column(
        "location_zh", False, gettext_lazy("Where the project takes place, in Chinese."), "重庆"
    ),
    Column(
        "parent_external_id",
        False,
        gettext_lazy(
            "The external id of the framework agreement this project belongs to: an existing "
            "project or another row of the same file."
        ),
        "",
    ),
    Column(
        "owner",
        False,
        gettext_lazy(
            "The English name of the organisation that records the project. Empty means the "
            "organisation you import for. An existing project keeps its owner."
        ),
        "",
    ),
    Column(
        "parties",
        False,
        gettext_lazy(
            "The parties as “English name:role”, separated by semicolons. The organisations "
            "must already exist. Empty leaves an existing project's parties unchanged."
        ),
        "",
    ),
    Column("source_url", False, gettext_lazy("The web address of the source of the facts."), ""),
    Column(
        "is_synthetic",
        False,
        gettext_lazy("true for demo records that are not real facts, otherwise false or empty."),
        "true",
    ),
]
COLUMN_CODES = [c.code for c in COLUMNS]
REQUIRED_COLUMNS = [c.code for c in COLUMNS if c.required]
TITLE_COLUMNS = ("title_en", "title_zh")

# Service errors name model fields; the report names the file's columns.
FIELD_TO_COLUMN = {"parent": "parent_external_id", "__all__": ""}
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n", ""}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_VALUE = Decimal("1e18")  # value is DecimalField(max_digits=20, decimal_places=2)
_CHUNK = 900  # stay under every database's limit on query parameters


def allowed_values(code: str) -> str:
    """The allowed values of a column, in the active language."""
    if code == "kind":
        return _codes_with_labels(Project.Kind.choices)
    if code == "status":
        return _codes_with_labels(Project.Status.choices)
    if code == "sector":
        return _codes_with_labels((s.code, s.name) for s in Sector.objects.order_by("position"))
    if code == "value":
        return _("A number, for example 12500000 or 1,250,000.50")
    if code == "parent_external_id":
        return _("The external id of another project")
    if code == "owner":
        return _("The English name of an existing organisation")
    if code == "parties":
        return _("Roles: %(roles)s") % {"roles": ", ".join(ProjectParty.Role.values)}
    if code == "currency":
        return _("ISO 4217 codes, for example USD, SGD, CNY")
    if code == "is_synthetic":
        return "true, false"
    if code in ("signed_on",):
        return "YYYY-MM-DD"
    limit = _max_length(code)
    if limit:
        return _("Text of up to %(limit)s characters") % {"limit": limit}
    return _("Text")


def _codes_with_labels(choices: Iterable[tuple[str, Any]]) -> str:
    """“g2g (government-to-government); commercial; …”: a label only where it adds something."""
    return "; ".join(
        code if str(label).lower() == code.lower() else f"{code} ({label})"
        for code, label in choices
    )


def column_help() -> list[dict[str, Any]]:
    """The documented layout, for the import page and the template's explanation sheet."""
    return [
        {
            "code": c.code,
            "required": c.required,
            "required_text": (
                _("yes")
                if c.required
                else _("title_en or title_zh")
                if c.code in TITLE_COLUMNS
                else _("no")
            ),
            "meaning": str(c.meaning),
            "allowed": allowed_values(c.code),
            "example": c.example,
        }
        for c in COLUMNS
    ]


def _max_length(code: str) -> int | None:
    try:
        return Project._meta.get_field(code).max_length
    except Exception:
        return None


# --- results -----------------------------------------------------------------------------------


@dataclass
class RowInput:
    """One data row of the file: its number as the user sees it and its cells by column."""

    row_number: int
    values: dict[str, Any]


@dataclass(frozen=True)
class RowError:
    """What is wrong: row (1 is the header; None for the whole file), column, message."""

    row: int | None
    field: str
    message: str


@dataclass
class ImportReport:
    file_name: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        data = dict(data)
        errors = [RowError(**e) for e in data.pop("errors", [])]
        return cls(errors=errors, **data)


class ImportFileError(Exception):
    """The file as a whole cannot be imported (type, size, encoding, header)."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


def _file_error(message: str, *, row: int | None = None, column: str = "") -> ImportFileError:
    return ImportFileError([RowError(row=row, field=column, message=message)])


# --- reading files -----------------------------------------------------------------------------


def parse_file(name: str, content: bytes) -> list[RowInput]:
    """Read a CSV or XLSX file into rows. Raises ImportFileError for problems of the whole
    file: type, size, encoding, emptiness, unknown or missing columns."""
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise _file_error(
            _(
                "The file is %(size)s bytes; the largest file Corridor imports is %(limit)s "
                "bytes. Split it into smaller files."
            )
            % {"size": len(content), "limit": settings.IMPORT_MAX_BYTES}
        )
    if not content.strip():
        raise _file_error(_("The file is empty. Download the template and fill it in."))
    suffix = PurePath(name or "").suffix.lower()
    if suffix == ".csv":
        table = _read_csv(content)
    elif suffix == ".xlsx":
        table = _read_xlsx(content)
    else:
        raise _file_error(
            _(
                "“%(name)s” is neither a CSV (.csv) nor an Excel workbook (.xlsx). Save it in "
                "one of these formats and try again."
            )
            % {"name": name}
        )
    return _rows_from_table(table)


def _read_csv(content: bytes) -> Iterable[tuple[int, list[Any]]]:
    if content[:4] == b"PK\x03\x04":
        raise _file_error(
            _("This file is an Excel workbook named .csv. Rename it to .xlsx or save it as CSV.")
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(
            _(
                "The file is not UTF-8 text (the problem starts at byte %(position)s). In your "
                "spreadsheet, save it as “CSV UTF-8” and try again."
            )
            % {"position": exc.start}
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        delimiter = ";" if ";" in first_line else ("\t" if "\t" in first_line else ",")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _file_error(
            _("The file cannot be read as CSV (%(problem)s). Save it again as “CSV UTF-8”.")
            % {"problem": exc}
        ) from exc
    return list(enumerate(rows, start=1))


# Markup an uploaded workbook never needs and an attacker does (entity expansion, external
# entities): its XML parts are refused when they declare a document type or an entity, in
# UTF-8 or UTF-16. defusedxml, which openpyxl uses when it is installed, refuses entities too.
_DECLARATIONS = [
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
]
_XLSX_UNPACKED_LIMIT = 40  # times IMPORT_MAX_BYTES: a workbook that unpacks larger is refused


def _declarations_refused() -> ImportFileError:
    return _file_error(
        _(
            "The workbook contains a document type or entity declaration, which Corridor does "
            "not accept in uploaded files. Open it in your spreadsheet program, save it again "
            "as .xlsx and retry."
        )
    )


def _xlsx_declarations_refused(content: bytes) -> None:
    """Raise ImportFileError when a part of the workbook declares a DTD or an entity, or the
    workbook unpacks to far more than any real one."""
    limit = _XLSX_UNPACKED_LIMIT * settings.IMPORT_MAX_BYTES
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = 0
            for member in archive.infolist():
                if member.is_dir():
                    continue
                tail = b""
                with archive.open(member) as part:
                    while block := part.read(1 << 16):
                        unpacked += len(block)
                        if unpacked > limit:
                            raise _file_error(
                                _(
                                    "The workbook unpacks to more than %(limit)s bytes; "
                                    "Corridor does not read it. Split it into smaller files."
                                )
                                % {"limit": limit}
                            )
                        window = tail + block
                        if any(marker in window for marker in _DECLARATIONS):
                            raise _declarations_refused()
                        tail = window[-32:]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
        raise _file_error(
            _("The workbook cannot be read (%(problem)s). Save it again as .xlsx and retry.")
            % {"problem": exc}
        ) from exc


def _read_xlsx(content: bytes) -> Iterable[tuple[int, list[Any]]]:
    if content[:4] != b"PK\x03\x04":
        raise _file_error(
            _("This file is named .xlsx but is not an Excel workbook. Save it as .xlsx again.")
        )
    _xlsx_declarations_refused(content)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            # A read-only workbook parses its sheet while the rows are read: a broken or
            # hostile sheet fails here, not when the workbook opens.
            return [
                (number, list(values))
                for number, values in enumerate(
                    workbook.worksheets[0].iter_rows(values_only=True), start=1
                )
            ]
        finally:
            workbook.close()
    except DefusedXmlException as exc:
        raise _declarations_refused() from exc
    except Exception as exc:  # openpyxl raises many kinds of errors for a broken workbook
        raise _file_error(
            _("The workbook cannot be read (%(problem)s). Save it again as .xlsx and retry.")
            % {"problem": exc}
        ) from exc


def _is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _rows_from_table(table: Iterable[tuple[int, list[Any]]]) -> list[RowInput]:
    table = list(table)
    if not table or all(_is_blank(c) for c in table[0][1]):
        raise _file_error(
            _("Row 1 must name the columns (external_id, title_en, …). Download the template."),
            row=1,
        )
    header = [("" if _is_blank(c) else str(c).strip().lower()) for c in table[0][1]]
    while header and header[-1] == "":
        header.pop()
    errors: list[RowError] = []
    seen: set[str] = set()
    for position, code in enumerate(header, start=1):
        if code == "":
            errors.append(
                RowError(
                    1,
                    "",
                    _("Column %(position)s has no name in row 1; name it or delete it.")
                    % {"position": position},
                )
            )
        elif code not in COLUMN_CODES:
            errors.append(
                RowError(
                    1,
                    code,
                    _(
                        "“%(column)s” is not a column Corridor knows; use the names in the "
                        "template (%(columns)s)."
                    )
                    % {"column": code, "columns": ", ".join(COLUMN_CODES)},
                )
            )
        elif code in seen:
            errors.append(
                RowError(1, code, _("The column “%(column)s” appears twice.") % {"column": code})
            )
        seen.add(code)
    for code in REQUIRED_COLUMNS:
        if code not in seen:
            errors.append(
                RowError(
                    1,
                    code,
                    _("The required column “%(column)s” is missing from row 1; add it.")
                    % {"column": code},
                )
            )
    if not seen.intersection(TITLE_COLUMNS):
        errors.append(
            RowError(1, "title_en", _("Add a column title_en or title_zh for the titles."))
        )
    if errors:
        raise ImportFileError(errors)

    rows: list[RowInput] = []
    for number, cells in table[1:]:
        if all(_is_blank(c) for c in cells):
            continue
        values = {code: (cells[i] if i < len(cells) else None) for i, code in enumerate(header)}
        extra = [c for c in cells[len(header) :] if not _is_blank(c)]
        if extra:
            values["__extra__"] = len(header)
        rows.append(RowInput(row_number=number, values=values))
    if not rows:
        raise _file_error(
            _("The file has a header row but no projects. Add one row per project below it.")
        )
    return rows


# --- checking rows -----------------------------------------------------------------------------


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


_KEPT_TEXT = (
    "title_en",
    "title_zh",
    "description_en",
    "description_zh",
    "location_en",
    "location_zh",
)


def _kept_text(cell: Any) -> str:
    """Free text as the person wrote it. Only spaces before it and blank space after it are
    dropped: a leading tab or carriage return stays (some people type one so that a
    spreadsheet keeps "=…" as text; exports escape such cells, see core/exports.py)."""
    if not isinstance(cell, str):
        return _text(cell)
    return cell.lstrip(" ").rstrip()


def _date(cell: Any) -> date | None:
    """Raises ValueError when the cell is not a date."""
    if _is_blank(cell):
        return None
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _text(cell)
    if not _DATE.match(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def _bool(cell: Any) -> bool:
    """Raises ValueError when the cell is not true/false."""
    if isinstance(cell, bool):
        return cell
    text = _text(cell).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(text)


@dataclass
class PlannedRow:
    """A checked row, ready to write."""

    row_number: int
    external_id: str
    data: services.ProjectInput
    clean: dict
    owner: Organisation | None
    existing: Project | None


def in_chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _existing_projects(external_ids: set[str]) -> dict[str, Project]:
    """The file's projects that exist, with their framework agreement and, as
    `current_parties`, their (organisation id, role) pairs: read in one query per chunk
    (prefetch_related costs more than the query itself at thousands of projects)."""
    found: dict[str, Project] = {}
    for chunk in in_chunks(sorted(external_ids)):
        projects = {
            project.pk: project
            for project in Project.objects.filter(external_id__in=chunk).select_related("parent")
        }
        for project in projects.values():
            project.current_parties = []
            found[project.external_id] = project
        for project_id, organisation_id, role in ProjectParty.objects.filter(
            project_id__in=list(projects)
        ).values_list("project_id", "organisation_id", "role"):
            projects[project_id].current_parties.append((organisation_id, role))
    return found


def _existing_ids(external_ids: set[str]) -> set[str]:
    found: set[str] = set()
    for chunk in in_chunks(sorted(external_ids)):
        found.update(
            Project.objects.filter(external_id__in=chunk).values_list("external_id", flat=True)
        )
    return found


def _organisations(names: set[str]) -> dict[str, list[Organisation]]:
    found: dict[str, list[Organisation]] = {}
    for chunk in in_chunks(sorted(names)):
        for organisation in Organisation.objects.filter(name_en__in=chunk):
            found.setdefault(organisation.name_en, []).append(organisation)
    return found


def _split_parties(text: str) -> list[tuple[str, str]]:
    parties = []
    for part in text.split(";"):
        if not part.strip():
            continue
        name, _colon, role = part.rpartition(":")
        parties.append((name.strip(), role.strip().lower()))
    return parties


def default_owner(actor) -> Organisation | None:
    """The organisation a user imports for when they name none: their only organisation."""
    ids = roles.organisation_ids(actor)
    if len(ids) == 1:
        return Organisation.objects.get(pk=next(iter(ids)))
    return None


def check_rows(
    rows: list[RowInput],
    actor,
    owner: Organisation | None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[RowError], list[PlannedRow]]:
    """Check every row; return all errors and, in write order (parents first), the plan."""
    errors: list[RowError] = []

    def error(row: int, column: str, message: str) -> None:
        errors.append(RowError(row, column, message))

    file_ids = {_text(r.values.get("external_id")) for r in rows} - {""}
    parent_refs = {_text(r.values.get("parent_external_id")) for r in rows} - {""}
    existing = _existing_projects(file_ids)
    known_parents = file_ids | set(existing) | _existing_ids(parent_refs - file_ids)
    sectors = {s.code: s for s in Sector.objects.all()}
    names: set[str] = set()
    for r in rows:
        names.add(_text(r.values.get("owner")))
        names.update(name for name, _role in _split_parties(_text(r.values.get("parties"))))
    organisations = _organisations(names - {""})

    def organisation_named(row: int, column: str, name: str) -> Organisation | None:
        matches = organisations.get(name, [])
        if not matches:
            error(
                row,
                column,
                _(
                    "No organisation is named “%(name)s” in English. Check the spelling, or ask "
                    "an administrator to add the organisation first."
                )
                % {"name": name},
            )
            return None
        if len(matches) > 1:
            error(
                row,
                column,
                _(
                    "Several organisations are named “%(name)s”; ask an administrator to make "
                    "their English names distinct."
                )
                % {"name": name},
            )
            return None
        return matches[0]

    first_row_of: dict[str, int] = {}
    planned: list[PlannedRow] = []
    for done, r in enumerate(rows, start=1):
        n, values = r.row_number, r.values
        extra: dict[str, str] = {}
        if "__extra__" in values:
            error(
                n,
                "",
                _(
                    "This row has cells to the right of the last named column (%(count)s "
                    "columns); delete them or name their column in row 1."
                )
                % {"count": values["__extra__"]},
            )
        external_id = _text(values.get("external_id"))
        if not external_id:
            error(n, "external_id", _("Give the project an external id; it is required."))
        elif external_id in first_row_of:
            error(
                n,
                "external_id",
                _(
                    "The external id “%(value)s” is already used in row %(row)s; each project "
                    "must appear only once in the file."
                )
                % {"value": external_id, "row": first_row_of[external_id]},
            )
        else:
            first_row_of[external_id] = n
        for code in ("external_id", *TITLE_COLUMNS, "location_en", "location_zh", "source_url"):
            limit = _max_length(code)
            if limit and len(_kept_text(values.get(code))) > limit:
                error(
                    n,
                    code,
                    _("“%(column)s” is longer than %(limit)s characters; shorten it.")
                    % {"column": code, "limit": limit},
                )

        raw_value = values.get("value")
        value: Decimal | str | None = None if _is_blank(raw_value) else _text(raw_value)
        if isinstance(raw_value, int | float | Decimal) and not isinstance(raw_value, bool):
            value = str(raw_value)
        if value is not None:
            try:
                parsed = services.parse_decimal(value)
            except ValueError:
                parsed = None  # validate_project_input names the problem
            else:
                if not parsed.is_finite():
                    extra["value"] = _("“%(value)s” is not a number.") % {"value": value}
                    value = None
                elif abs(parsed) >= _MAX_VALUE:
                    extra["value"] = _("The value %(value)s is too large to record.") % {
                        "value": value
                    }
                    value = None
                else:
                    value = parsed.quantize(Decimal("0.01"), ROUND_HALF_UP)

        try:
            signed_on = _date(values.get("signed_on"))
        except ValueError:
            signed_on = None
            extra["signed_on"] = _(
                "“%(value)s” is not a date; write it as YYYY-MM-DD, for example 2024-03-15."
            ) % {"value": _text(values.get("signed_on"))}

        try:
            is_synthetic = _bool(values.get("is_synthetic"))
        except ValueError:
            is_synthetic = False
            extra["is_synthetic"] = _("“%(value)s” is neither true nor false.") % {
                "value": _text(values.get("is_synthetic"))
            }

        parties: list[services.PartyInput] | None = None
        parties_text = _text(values.get("parties"))
        if parties_text:
            parties = []
            for name, role in _split_parties(parties_text):
                if not name or not role:
                    error(
                        n,
                        "parties",
                        _(
                            "Write each party as “English name:role”, for example “Motorway "
                            "Group:counterpart”; separate parties with semicolons."
                        ),
                    )
                    continue
                organisation = organisation_named(n, "parties", name)
                if organisation is not None:
                    parties.append(services.PartyInput(organisation=organisation, role=role))

        project = existing.get(external_id)
        row_owner = owner
        owner_name = _text(values.get("owner"))
        if owner_name:
            row_owner = organisation_named(n, "owner", owner_name)
        elif project is None and owner is None:
            error(
                n,
                "owner",
                _(
                    "Name the organisation that records this project in the “owner” column, or "
                    "choose the organisation you import for."
                ),
            )
        if not is_system(actor) and project is not None:
            if not services.can_change_project(actor, project):
                error(
                    n,
                    "external_id",
                    _(
                        "The project “%(value)s” was recorded by another organisation; you can "
                        "only update your own organisation's projects."
                    )
                    % {"value": external_id},
                )
        elif not is_system(actor) and row_owner is not None:
            if not services.can_record_for(actor, row_owner):
                error(
                    n,
                    "owner",
                    _("You can only record projects for your own organisation, not for “%(name)s”.")
                    % {"name": row_owner.name_en},
                )

        data = services.ProjectInput(
            external_id=external_id,
            title_en=_kept_text(values.get("title_en")),
            title_zh=_kept_text(values.get("title_zh")),
            description_en=_kept_text(values.get("description_en")),
            description_zh=_kept_text(values.get("description_zh")),
            kind=_text(values.get("kind")).lower(),
            status=_text(values.get("status")).lower() or Project.Status.SIGNED,
            sector=_text(values.get("sector")).lower(),
            value=value,
            currency=_text(values.get("currency")).upper(),
            signed_on=signed_on,
            location_en=_kept_text(values.get("location_en")),
            location_zh=_kept_text(values.get("location_zh")),
            parent_external_id=_text(values.get("parent_external_id")),
            is_synthetic=is_synthetic,
            source_url=_text(values.get("source_url")),
            parties=parties,
            extra_errors=extra,
        )
        field_errors, clean = services.validate_project_input(
            data, sectors=sectors, known_parents=known_parents, self_external_id=external_id
        )
        for name, message in field_errors.items():
            error(n, FIELD_TO_COLUMN.get(name, name), message)
        for name in _KEPT_TEXT:
            if clean.get(name):  # the service trims; the import keeps what the person wrote
                clean[name] = getattr(data, name)
        planned.append(PlannedRow(n, external_id, data, clean, row_owner, project))
        if progress is not None and (done % 100 == 0 or done == len(rows)):
            progress(done)

    ordered, cycle_rows = _parents_first(planned)
    for item in cycle_rows:
        error(
            item.row_number,
            "parent_external_id",
            _(
                "The framework agreements of rows %(rows)s point at each other in a circle; a "
                "project cannot be inside itself."
            )
            % {"rows": ", ".join(str(i.row_number) for i in cycle_rows)},
        )
    errors.sort(
        key=lambda e: (e.row or 0, COLUMN_CODES.index(e.field) if e.field in COLUMN_CODES else -1)
    )
    return errors, ordered


def _parents_first(planned: list[PlannedRow]) -> tuple[list[PlannedRow], list[PlannedRow]]:
    """Order rows so that a framework agreement in the file comes before its sub-projects.
    Returns (ordered rows, rows whose parents form a circle)."""
    by_id = {p.external_id: p for p in planned if p.external_id}
    ordered: list[PlannedRow] = []
    placed: set[int] = set()
    in_cycle: list[PlannedRow] = []
    for item in planned:
        chain: list[PlannedRow] = []
        on_chain: set[int] = set()
        node: PlannedRow | None = item
        while node is not None and id(node) not in placed:
            if id(node) in on_chain:
                start = next(i for i, c in enumerate(chain) if c is node)
                in_cycle.extend(chain[start:])
                break
            on_chain.add(id(node))
            chain.append(node)
            parent_id = node.data.parent_external_id
            node = by_id.get(parent_id) if parent_id and parent_id != node.external_id else None
        for link in reversed(chain):
            placed.add(id(link))
            ordered.append(link)
    return ordered, sorted(in_cycle, key=lambda p: p.row_number)


def validate(rows: list[RowInput], actor, *, owner: Organisation | None = None) -> list[RowError]:
    """Every problem of every row, in the active language; empty when all rows are good."""
    if owner is None and not is_system(actor):
        owner = default_owner(actor)
    errors, _planned = check_rows(rows, actor, owner)
    return errors


# --- the downloadable template -----------------------------------------------------------------


def template_csv() -> bytes:
    """The column codes in row 1 and one example row (UTF-8 with BOM, so Excel reads it)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(safe_row(COLUMN_CODES))
    writer.writerow(safe_row(c.example for c in COLUMNS))
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """Sheet 1: the column codes and one example row. Sheet 2: each column explained in
    English and Chinese, with its allowed values."""
    workbook = openpyxl.Workbook()
    projects = workbook.active
    projects.title = "projects"
    projects.append(safe_row(COLUMN_CODES))
    example: list[Any] = []
    for c in COLUMNS:
        if c.code == "signed_on":
            example.append(date.fromisoformat(c.example))
        elif c.code == "value":
            example.append(int(c.example))
        else:
            example.append(c.example)
    projects.append(safe_row(example))
    projects.cell(row=2, column=COLUMN_CODES.index("signed_on") + 1).number_format = "yyyy-mm-dd"
    for index, code in enumerate(COLUMN_CODES, start=1):
        projects.cell(row=1, column=index).font = Font(bold=True)
        letter = openpyxl.utils.get_column_letter(index)
        projects.column_dimensions[letter].width = max(14, len(code) + 4)
    projects.freeze_panes = "A2"

    with translation.override("en"):
        english = column_help()
        labels_en = [_("Column"), _("Required"), _("Meaning"), _("Allowed values"), _("Example")]
    with translation.override("zh-hans"):
        chinese = column_help()
        labels_zh = [_("Column"), _("Required"), _("Meaning"), _("Allowed values"), _("Example")]
    columns = workbook.create_sheet("columns")
    columns.append(
        [
            labels_en[0],
            f"{labels_en[1]} / {labels_zh[1]}",
            f"{labels_en[2]} (English)",
            f"{labels_zh[2]} (中文)",
            f"{labels_en[3]} (English)",
            f"{labels_zh[3]} (中文)",
            f"{labels_en[4]} / {labels_zh[4]}",
        ]
    )
    for en, zh in zip(english, chinese, strict=True):
        columns.append(
            safe_row(
                [
                    en["code"],
                    f"{en['required_text']} / {zh['required_text']}",
                    en["meaning"],
                    zh["meaning"],
                    en["allowed"],
                    zh["allowed"],
                    en["example"],
                ]
            )
        )
    for cell in columns[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFG", (20, 12, 60, 45, 45, 40, 30), strict=True):
        columns.column_dimensions[letter].width = width
    for row in columns.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
