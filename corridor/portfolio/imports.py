"""Importing cooperation projects from CSV and XLSX files.

One row per project; row 1 names the columns with the codes in `COLUMNS`. Every row is
checked first; when any row is bad nothing is written and the report names every bad row
and column. When all rows are good they are written in bulk, in short transactions of a
chunk of rows each (so that nobody else's write waits long, even on SQLite), with the
same derived values, status changes and audit entries as `services.project_create` /
`services.project_update`; a chunk that fails undoes the chunks before it, so an import
writes all rows or none (see "writing" below). Importing the same file twice creates no
duplicates: a row whose `external_id` already exists updates that project.

    parse_file(name, content)      -> list[RowInput]     (raises ImportFileError)
    validate(rows, actor)          -> list[RowError]
    run_import(actor=, name=, content=) -> ImportReport
    start_import(...)              -> ImportStart        (runs small files now, queues large ones)
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import re
import time
import uuid
from bisect import bisect_right
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePath
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.core.audit import diff, snapshot
from corridor.core.exports import safe_row
from corridor.core.models import AuditEntry, FxRate, Sector
from corridor.core.money import CENT
from corridor.portfolio import services
from corridor.portfolio.models import ImportJob, Project, ProjectParty, ProjectStatusChange

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
_FIELD_TO_COLUMN = {"parent": "parent_external_id", "__all__": ""}
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
    import zipfile

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
    import openpyxl
    from defusedxml import DefusedXmlException

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
class _Planned:
    """A checked row, ready to write."""

    row_number: int
    external_id: str
    data: services.ProjectInput
    clean: dict
    owner: Organisation | None
    existing: Project | None


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _existing_projects(external_ids: set[str]) -> dict[str, Project]:
    """The file's projects that exist, with their framework agreement and, as
    `current_parties`, their (organisation id, role) pairs: read in one query per chunk
    (prefetch_related costs more than the query itself at thousands of projects)."""
    found: dict[str, Project] = {}
    for chunk in _chunks(sorted(external_ids)):
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
    for chunk in _chunks(sorted(external_ids)):
        found.update(
            Project.objects.filter(external_id__in=chunk).values_list("external_id", flat=True)
        )
    return found


def _organisations(names: set[str]) -> dict[str, list[Organisation]]:
    found: dict[str, list[Organisation]] = {}
    for chunk in _chunks(sorted(names)):
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


def _check(
    rows: list[RowInput],
    actor,
    owner: Organisation | None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[RowError], list[_Planned]]:
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
    planned: list[_Planned] = []
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
        if actor is not None and project is not None:
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
        elif actor is not None and row_owner is not None:
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
            error(n, _FIELD_TO_COLUMN.get(name, name), message)
        for name in _KEPT_TEXT:
            if clean.get(name):  # the service trims; the import keeps what the person wrote
                clean[name] = getattr(data, name)
        planned.append(_Planned(n, external_id, data, clean, row_owner, project))
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


def _parents_first(planned: list[_Planned]) -> tuple[list[_Planned], list[_Planned]]:
    """Order rows so that a framework agreement in the file comes before its sub-projects.
    Returns (ordered rows, rows whose parents form a circle)."""
    by_id = {p.external_id: p for p in planned if p.external_id}
    ordered: list[_Planned] = []
    placed: set[int] = set()
    in_cycle: list[_Planned] = []
    for item in planned:
        chain: list[_Planned] = []
        on_chain: set[int] = set()
        node: _Planned | None = item
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
    if owner is None and actor is not None:
        owner = default_owner(actor)
    errors, _planned = _check(rows, actor, owner)
    return errors


# --- writing -----------------------------------------------------------------------------------
#
# Every row was checked, outside any transaction, before anything is written. The rows are then
# written a chunk of WRITE_CHUNK rows at a time (framework agreements in earlier chunks than
# their sub-projects). A chunk is prepared outside any transaction: the projects it updates are
# read, every value is derived as services.project_create / project_update derive it (US
# dollars at the dated rate, counted value, side, status history, audit entry), primary keys
# are reserved (_reserve_ids), and each table's rows become one prepared INSERT or UPDATE.
# The chunk's transaction then only runs those statements, after checking that nobody changed
# the projects it updates since they were read, so it holds the database for milliseconds.
# On SQLite, where a writer locks the whole database, the import also leaves SQLITE_PAUSE
# seconds between two chunks: SQLite's busy handler retries a waiting writer at most every
# 100 ms, so every other write (a login, a form) gets its turn within about one chunk.
#
# All rows or none: each chunk notes what it did (the projects it created; the rows, parties
# and counted values it changed, as they were before; the status changes and audit entries it
# added); when a later chunk fails (someone saved a project with the same external id or
# changed one of the file's projects meanwhile, or the database refused) the chunks already
# written are undone and the report says that nothing was written. Between the first and the
# last chunk other people can see the projects written so far; a process killed mid-way (not
# an exception) leaves the chunks it wrote, with the job showing how many rows were written.

WRITE_CHUNK = 2000
SQLITE_PAUSE = 0.1

_COMPARED_FIELDS = [
    "title_en",
    "title_zh",
    "description_en",
    "description_zh",
    "kind",
    "status",
    "value",
    "currency",
    "signed_on",
    "location_en",
    "location_zh",
    "source_url",
    "is_synthetic",
]
_WRITTEN_FIELDS = [*_COMPARED_FIELDS, "sector"]


def _is_unchanged(project: Project, clean: dict, parties: list | None) -> bool:
    if any(getattr(project, name) != clean[name] for name in _COMPARED_FIELDS):
        return False
    if project.sector_id != clean["sector"].pk:
        return False
    parent_id = project.parent.external_id if project.parent_id else ""
    if parent_id != clean["parent_external_id"]:
        return False
    if parties is not None:
        current = set(project.current_parties)
        wanted = {(p.organisation.pk, p.role) for p in parties}
        if current != wanted:
            return False
    return True


def _messages(exc: Exception) -> list[tuple[str, str]]:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [
            (_FIELD_TO_COLUMN.get(name, name), str(message))
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    if isinstance(exc, ValidationError):
        return [("", str(m)) for m in exc.messages]
    return [("", str(exc))]


class _WriteFailed(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(errors)
        self.errors = errors


class _Rates:
    """The dated exchange rates of the file's currencies, read once (see core/money.py:
    the rate used is the latest on or before the signing date, or today)."""

    def __init__(self, currencies: set[str]):
        self.rates: dict[str, list[FxRate]] = {}
        for rate in FxRate.objects.filter(currency__in=sorted(currencies)).order_by("date"):
            self.rates.setdefault(rate.currency, []).append(rate)
        self.dates = {c: [r.date for r in rates] for c, rates in self.rates.items()}

    def apply(self, project: Project, today: date) -> None:
        project.value_usd = None
        project.fx_rate_id = None
        if project.value is None or not project.currency:
            return
        currency = project.currency.upper()
        if currency == "USD":
            project.value_usd = project.value.quantize(CENT, ROUND_HALF_UP)
            return
        position = bisect_right(self.dates.get(currency, []), project.signed_on or today) - 1
        if position < 0:
            return
        rate = self.rates[currency][position]
        project.value_usd = (project.value * rate.usd_per_unit).quantize(CENT, ROUND_HALF_UP)
        project.fx_rate_id = rate.pk


@dataclass
class _Undo:
    """What the chunks written so far did, to undo them when a later chunk fails."""

    created: list[int] = field(default_factory=list)
    rows_before: list[dict] = field(default_factory=list)
    parties_before: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    counted_before: dict[int, Decimal | None] = field(default_factory=dict)
    status_changes: list[int] = field(default_factory=list)
    audit_entries: list[int] = field(default_factory=list)

    def add(self, other: _Undo) -> None:
        self.created += other.created
        self.rows_before += other.rows_before
        self.parties_before.update(other.parties_before)
        for pk, value in other.counted_before.items():
            self.counted_before.setdefault(pk, value)
        self.status_changes += other.status_changes
        self.audit_entries += other.audit_entries


def _reserve_ids(model, count: int) -> list[int]:
    """`count` primary keys that no other row will take, reserved in a moment: PostgreSQL
    hands them out from the table's sequence; on SQLite the table's AUTOINCREMENT counter is
    moved past them in a transaction of its own."""
    if not count:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(connection.vendor)
        quote = connection.ops.quote_name
        with transaction.atomic():
            cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")
            highest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(highest, row[0] if row else 0)
            if row:
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + count, table]
                )
            else:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                    [table, start + count],
                )
        return list(range(start + 1, start + count + 1))


@dataclass
class _Statement:
    sql: str
    params: list[list]


def _insert(model, rows: list, *, with_pk: bool = True) -> _Statement | None:
    """An INSERT of `rows` of `model`, each a plain object with the model's attribute names
    (a field it lacks takes its default), its values prepared for the database now, so that
    the write transaction only runs it. Plain objects, not model instances: building 100,000
    instances costs more than the whole write."""
    if not rows:
        return None
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    database = connections[DEFAULT_DB_ALIAS]  # not the proxy: it is asked for every value
    now = timezone.now()
    defaults = {
        f.attname: now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        # a default the database fills in (none here) is left to the database
        else (None if f.primary_key else f.get_default())
        for f in fields
    }
    columns = [(f.attname, None if _is_plain(f) else f) for f in fields]
    prepared_defaults = {
        name: defaults[name] if f is None else f.get_db_prep_save(defaults[name], database)
        for name, f in columns
    }
    params = []
    for row in rows:
        values = vars(row)
        params.append(
            [
                prepared_defaults[name]
                if name not in values
                else values[name]
                if f is None
                else f.get_db_prep_save(values[name], database)
                for name, f in columns
            ]
        )
    return _Statement(sql, params)


# Columns whose Python values (str, int, bool, None: set by our own code, not by a person's
# input) every database driver takes as they are; the others (decimals, dates, JSON, and
# fields that fill themselves in, such as auto_now) go through Django's preparation.
_PLAIN_COLUMNS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def _is_plain(model_field) -> bool:
    return model_field.get_internal_type() in _PLAIN_COLUMNS and not getattr(
        model_field, "auto_now_add", False
    )


def _update(projects: list[Project], names: list[str]) -> _Statement | None:
    """An UPDATE of each project's `names` columns, as one prepared statement run for every
    row (QuerySet.bulk_update builds a CASE per column and row, which is far slower)."""
    if not projects:
        return None
    fields = [Project._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(Project._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(Project._meta.pk.column),
    )
    database = connections[DEFAULT_DB_ALIAS]
    columns = [(f.attname, None if _is_plain(f) else f) for f in fields]
    params = [
        [
            getattr(project, name)
            if f is None
            else f.get_db_prep_save(getattr(project, name), database)
            for name, f in columns
        ]
        + [project.pk]
        for project in projects
    ]
    return _Statement(sql, params)


def _run(statements: list[_Statement | None]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            if statement is not None:
                cursor.executemany(statement.sql, statement.params)


def _write_chunks(planned: list[_Planned]) -> list[list[_Planned]]:
    """Chunks of at most WRITE_CHUNK rows, framework agreements in earlier chunks than their
    sub-projects (level by level), so a chunk never needs a key written in the same chunk.
    `planned` already has parents first."""
    depth: dict[str, int] = {}
    for item in planned:
        parent = item.clean["parent_external_id"]
        depth[item.external_id] = depth[parent] + 1 if parent in depth else 0
    chunks: list[list[_Planned]] = []
    for level in sorted(set(depth.values())):
        rows = [item for item in planned if depth[item.external_id] == level]
        chunks += [rows[i : i + WRITE_CHUNK] for i in range(0, len(rows), WRITE_CHUNK)]
    return chunks


@dataclass
class _Batch:
    """One chunk, prepared outside any transaction: the statements its transaction runs."""

    statements: list[_Statement | None]
    parties_replaced: list[int]  # projects whose parties are deleted first
    read_at: dict[int, datetime]  # updated projects' updated_at when they were read
    undo: _Undo
    known: dict[str, tuple[int, Decimal | None]]
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class _Writer:
    def __init__(self, planned: list[_Planned], actor, report: ImportReport):
        self.actor = actor if getattr(actor, "is_authenticated", False) else None
        self.report = report
        self.undo = _Undo()
        self.today = timezone.localdate()
        self.project_type = ContentType.objects.get_for_model(Project, for_concrete_model=False)
        self.rates = _Rates({p.clean["currency"] for p in planned if p.clean["currency"]})
        # external id -> (pk, value in US dollars) of every project a row may name as parent
        self.known: dict[str, tuple[int, Decimal | None]] = {}
        in_file = {p.external_id for p in planned}
        outside = sorted({p.clean["parent_external_id"] for p in planned} - in_file - {""})
        for chunk in _chunks(outside):
            for pk, external_id, value_usd in Project.objects.filter(
                external_id__in=chunk
            ).values_list("pk", "external_id", "value_usd"):
                self.known[external_id] = (pk, value_usd)

    def write(self, planned: list[_Planned], progress: Callable[[int], None] | None) -> None:
        pause = SQLITE_PAUSE if connection.vendor == "sqlite" else 0
        committed_at = None
        done = 0
        for chunk in _write_chunks(planned):
            batch = self._prepare(chunk)
            if committed_at is not None and pause:
                # Other writers waiting for SQLite's lock retry every 100 ms at most.
                time.sleep(max(0.0, pause - (time.monotonic() - committed_at)))
            with transaction.atomic():
                self._apply(batch)
                done += len(chunk)
                if progress is not None:
                    progress(done)
            committed_at = time.monotonic()
            self.undo.add(batch.undo)
            self.known.update(batch.known)
            self.report.created += batch.created
            self.report.updated += batch.updated
            self.report.unchanged += batch.unchanged

    def _apply(self, batch: _Batch) -> None:
        if batch.read_at:
            for chunk in _chunks(list(batch.read_at)):
                now = dict(Project.objects.filter(pk__in=chunk).values_list("pk", "updated_at"))
                if any(now.get(pk) != batch.read_at[pk] for pk in chunk):
                    raise _WriteFailed(
                        [
                            RowError(
                                None,
                                "",
                                _(
                                    "Some of the file's projects were changed or deleted by "
                                    "someone else while the file was being imported; nothing "
                                    "was written. Import the file again."
                                ),
                            )
                        ]
                    )
        for chunk in _chunks(batch.parties_replaced):
            ProjectParty.objects.filter(project_id__in=chunk).delete()
        _run(batch.statements)

    def _parent(self, item: _Planned, known: dict) -> tuple[int | None, Decimal | None]:
        external_id = item.clean["parent_external_id"]
        if not external_id:
            return None, None
        return known.get(external_id) or self.known[external_id]

    def _audit(self, pk: int, project, changes: dict) -> SimpleNamespace:
        """An AuditEntry row, as core.audit.audit_record would write it."""
        return SimpleNamespace(
            id=pk,
            actor_id=self.actor.pk if self.actor else None,
            action="import",
            target_type_id=self.project_type.pk,
            target_id=str(project.id),
            summary=project.title_en[:300],
            changes=changes,
        )

    def _parties(self, project, wanted) -> list[SimpleNamespace]:
        """ProjectParty rows (each organisation and role once); sets the project's side."""
        seen = {(p.organisation.pk, p.role): p.organisation for p in wanted}
        project.lead_side = services._lead_side([(org, role) for (_pk, role), org in seen.items()])
        return [
            SimpleNamespace(project_id=project.id, organisation_id=pk, role=role)
            for pk, role in seen
        ]

    def _prepare(self, chunk: list[_Planned]) -> _Batch:
        batch = _Batch(statements=[], parties_replaced=[], read_at={}, undo=_Undo(), known={})
        creates = [item for item in chunk if item.existing is None]
        updates = self._changed(chunk, batch)
        project_ids = _reserve_ids(Project, len(creates))
        changes: list[SimpleNamespace] = []  # ProjectStatusChange rows
        parties: list[SimpleNamespace] = []  # ProjectParty rows
        audited: list[tuple[Any, dict]] = []

        projects = []
        for pk, item in zip(project_ids, creates, strict=True):
            clean = item.clean
            parent_id, parent_usd = self._parent(item, batch.known)
            # A Project row (see _insert), with the values services.project_create derives.
            project = SimpleNamespace(
                id=pk,
                owner_id=item.owner.pk,
                external_id=item.external_id,
                parent_id=parent_id,
                sector_id=clean["sector"].pk,
                lead_side=Project.Side.OTHER,
                is_published=False,
                **{name: clean[name] for name in _WRITTEN_FIELDS if name != "sector"},
            )
            project.signed_year = project.signed_on.year if project.signed_on else None
            project.status_changed_on = project.signed_on
            self.rates.apply(project, self.today)
            project.counted_value_usd = services._counted_value(project, parent_usd)
            if item.data.parties is not None:
                parties += self._parties(project, item.data.parties)
            changes.append(
                SimpleNamespace(
                    project_id=pk,
                    from_status="",
                    to_status=project.status,
                    on=project.signed_on or self.today,
                    by_id=self.actor.pk if self.actor else None,
                    reason="",
                )
            )
            audited.append((project, diff({}, snapshot(project, services.AUDITED_FIELDS))))
            batch.known[item.external_id] = (pk, project.value_usd)
            projects.append(project)
        batch.undo.created = list(project_ids)
        batch.created = len(projects)

        changed: list[Project] = []
        for item, project, before in updates:
            parent_id, parent_usd = self._parent(item, batch.known)
            if parent_id is not None and parent_id != project.parent_id:
                try:
                    services._check_no_cycle(project, Project.objects.get(pk=parent_id))
                except ValidationError as exc:
                    raise _WriteFailed(
                        [RowError(item.row_number, f, m) for f, m in _messages(exc)]
                    ) from exc
            for name in _WRITTEN_FIELDS:
                if name != "status":
                    setattr(project, name, item.clean[name])
            project.parent_id = parent_id
            project.signed_year = project.signed_on.year if project.signed_on else None
            if item.clean["status"] != project.status:
                changes.append(
                    SimpleNamespace(
                        project_id=project.pk,
                        from_status=project.status,
                        to_status=item.clean["status"],
                        on=self.today,
                        by_id=self.actor.pk if self.actor else None,
                        reason=_("Changed by import"),
                    )
                )
                project.status = item.clean["status"]
                project.status_changed_on = self.today
            self.rates.apply(project, self.today)
            project.counted_value_usd = services._counted_value(project, parent_usd)
            project.updated_at = timezone.now()
            project.version += 1  # someone editing it from the old version is told
            if item.data.parties is not None:
                batch.undo.parties_before[project.pk] = list(project.current_parties)
                batch.parties_replaced.append(project.pk)
                parties += self._parties(project, item.data.parties)
            batch.known[item.external_id] = (project.pk, project.value_usd)
            after = diff(before, snapshot(project, services.AUDITED_FIELDS))
            if after:
                audited.append((project, after))
            changed.append(project)
        batch.updated = len(changed)

        change_ids = _reserve_ids(ProjectStatusChange, len(changes))
        for pk, change in zip(change_ids, changes, strict=True):
            change.id = pk
        audit_ids = _reserve_ids(AuditEntry, len(audited))
        entries = [
            self._audit(pk, project, diff_)
            for pk, (project, diff_) in zip(audit_ids, audited, strict=True)
        ]
        batch.undo.status_changes = change_ids
        batch.undo.audit_entries = audit_ids
        fields = [
            f.name
            for f in Project._meta.concrete_fields
            if not f.primary_key and f.name not in ("created_at", "is_published")
        ]
        batch.statements = [
            _insert(Project, projects),
            _update(changed, fields),
            self._children(changed, batch),
            _insert(ProjectStatusChange, changes),
            _insert(ProjectParty, parties, with_pk=False),
            _insert(AuditEntry, entries),
        ]
        return batch

    def _changed(self, chunk: list[_Planned], batch: _Batch) -> list[tuple]:
        """The rows that change an existing project: (row, project as read when the rows were
        checked, its audit snapshot). The write checks that nobody changed it since."""
        updates = []
        for item in chunk:
            project = item.existing
            if project is None:
                continue
            if _is_unchanged(project, item.clean, item.data.parties):
                batch.known[item.external_id] = (project.pk, project.value_usd)
                batch.unchanged += 1
                continue
            batch.read_at[project.pk] = project.updated_at
            batch.undo.rows_before.append(
                {f.attname: getattr(project, f.attname) for f in Project._meta.concrete_fields}
            )
            updates.append((item, project, snapshot(project, services.AUDITED_FIELDS)))
        return updates

    def _children(self, parents: list[Project], batch: _Batch) -> _Statement | None:
        """A sub-project counts its value only while its framework agreement states none
        (services._counted_value): the counted values of the changed projects' children."""
        usd = {p.pk: p.value_usd for p in parents}
        stale = []
        for ids in _chunks(list(usd)):
            for child in Project.objects.filter(parent_id__in=ids).only(
                "pk", "parent_id", "value_usd", "counted_value_usd"
            ):
                counted = services._counted_value(child, usd[child.parent_id])
                if counted != child.counted_value_usd:
                    batch.undo.counted_before.setdefault(child.pk, child.counted_value_usd)
                    child.counted_value_usd = counted
                    stale.append(child)
        return _update(stale, ["counted_value_usd"])

    def roll_back(self) -> None:
        """Undo every chunk written so far, a chunk of rows per transaction."""
        undo = self.undo
        for chunk in _chunks(undo.audit_entries):
            AuditEntry.objects.filter(pk__in=chunk).delete()
        for chunk in _chunks(undo.status_changes):
            ProjectStatusChange.objects.filter(pk__in=chunk).delete()
        for chunk in _chunks(list(undo.parties_before)):
            with transaction.atomic():
                ProjectParty.objects.filter(project_id__in=chunk).delete()
                ProjectParty.objects.bulk_create(
                    ProjectParty(project_id=pk, organisation_id=organisation, role=role)
                    for pk in chunk
                    for organisation, role in undo.parties_before[pk]
                )
        fields = [f.name for f in Project._meta.concrete_fields if not f.primary_key]
        for start in range(0, len(undo.rows_before), WRITE_CHUNK):
            rows = undo.rows_before[start : start + WRITE_CHUNK]
            with transaction.atomic():
                _run([_update([Project(**row) for row in rows], fields)])
        counted = [
            Project(pk=pk, counted_value_usd=value) for pk, value in undo.counted_before.items()
        ]
        for start in range(0, len(counted), WRITE_CHUNK):
            with transaction.atomic():
                _run([_update(counted[start : start + WRITE_CHUNK], ["counted_value_usd"])])
        for chunk in _chunks(undo.created[::-1]):
            with transaction.atomic():
                Project.objects.filter(pk__in=chunk).update(parent=None)
                Project.objects.filter(pk__in=chunk).delete()
        self.undo = _Undo()


def _write(
    planned: list[_Planned],
    actor,
    report: ImportReport,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write every checked row in bulk, chunk by chunk; when a chunk fails, undo the chunks
    already written so that the import writes all rows or none.

    A row that changes a published project, imported by anyone but an initiative
    administrator, is not written in bulk: it goes through `services.project_update`, which
    holds it as a pending revision (the public keeps seeing the published values)."""
    held = [
        item
        for item in planned
        if item.existing is not None
        and services.changes_are_held(actor, item.existing)
        and not _is_unchanged(item.existing, item.clean, item.data.parties)
    ]
    held_ids = {id(item) for item in held}
    direct = [item for item in planned if id(item) not in held_ids]
    writer = _Writer(direct, actor, report)
    try:
        writer.write(direct, progress)
        if held:
            with transaction.atomic():
                for item in held:
                    try:
                        services.project_update(
                            actor=actor,
                            project=item.existing,
                            data=item.data,
                            audit_action="import",
                        )
                    except ValidationError as exc:
                        raise _WriteFailed(
                            [RowError(item.row_number, f, m) for f, m in _messages(exc)]
                        ) from exc
            report.updated += len(held)
            if progress is not None:
                progress(len(planned))
    except (_WriteFailed, IntegrityError, DatabaseError) as exc:
        writer.roll_back()
        report.created = report.updated = report.unchanged = 0
        if isinstance(exc, _WriteFailed):
            report.errors = exc.errors
        else:
            report.errors = [
                RowError(
                    None,
                    "",
                    _(
                        "Another change to the same projects was saved while this file was "
                        "being imported (%(problem)s); nothing was written. Import the file "
                        "again."
                    )
                    % {"problem": exc},
                )
            ]
    except BaseException:
        writer.roll_back()
        raise


def run_import(
    *,
    actor,
    name: str,
    content: bytes,
    owner: Organisation | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportReport:
    """Check the whole file, then write it in one transaction, or write nothing.

    `owner` is the organisation new projects belong to when a row names none (default: the
    actor's only organisation). `progress(status, rows_done, rows_total)` reports progress.
    """
    try:
        rows = parse_file(name, content)
    except ImportFileError as exc:
        return ImportReport(file_name=name, errors=exc.errors)
    return _import_rows(name, rows, actor=actor, owner=owner, progress=progress)


def _import_rows(
    name: str,
    rows: list[RowInput],
    *,
    actor,
    owner: Organisation | None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportReport:
    report = ImportReport(file_name=name, rows=len(rows))
    if owner is None and actor is not None:
        owner = default_owner(actor)

    def checked(done: int) -> None:
        if progress is not None:
            progress(ImportJob.Status.CHECKING, done, len(rows))

    def written(done: int) -> None:
        if progress is not None:
            progress(ImportJob.Status.WRITING, done, len(rows))

    with _long_lived_rows():
        errors, planned = _check(rows, actor, owner, progress=checked)
        if errors:
            report.errors = errors
            return report
        gc.freeze()
        written(0)
        _write(planned, actor, report, written)
    return report


@contextmanager
def _long_lived_rows():
    """The file's rows and their checked values live until the import ends: keep Python's
    cyclic garbage collector from walking them again and again meanwhile (at 30,000 rows it
    doubled the time of the write). Whatever was frozen is collectable again afterwards."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# --- small files now, large files in the background ------------------------------------------


@dataclass
class ImportStart:
    """Either the report of an import that ran at once, or the job of a queued one."""

    report: ImportReport | None = None
    job: ImportJob | None = None


def start_import(
    *, actor, name: str, content: bytes, owner: Organisation | None = None
) -> ImportStart:
    """Run a small import now; store a large file and queue it as a background task."""
    try:
        rows = parse_file(name, content)
    except ImportFileError as exc:
        return ImportStart(report=ImportReport(file_name=name, errors=exc.errors))
    if len(rows) <= settings.IMPORT_BACKGROUND_ROWS:
        return ImportStart(report=_import_rows(name, rows, actor=actor, owner=owner))
    return ImportStart(
        job=import_job_create(
            actor=actor, owner=owner, name=name, content=content, rows_total=len(rows)
        )
    )


def import_job_create(
    *, actor, owner: Organisation | None, name: str, content: bytes, rows_total: int
) -> ImportJob:
    """Store the file (with its SHA-256) and enqueue the import once the job is committed."""
    from corridor.portfolio.tasks import import_projects

    job_id = uuid.uuid4()
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", PurePath(name).name)[-100:] or "import"
    stored = default_storage.save(f"imports/{job_id}/{safe_name}", ContentFile(content))
    with transaction.atomic():
        job = ImportJob.objects.create(
            id=job_id,
            started_by=actor if getattr(actor, "is_authenticated", False) else None,
            owner=owner,
            file_name=PurePath(name).name[:255],
            stored_file=stored,
            sha256=hashlib.sha256(content).hexdigest(),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            rows_total=rows_total,
        )
        transaction.on_commit(lambda: _enqueue(job.pk, import_projects))
    return job


def _enqueue(job_id: uuid.UUID, import_task) -> None:
    result = import_task.enqueue(str(job_id))
    ImportJob.objects.filter(pk=job_id, task_id="").update(task_id=str(result.id))


def import_job_run(job_id: str) -> dict:
    """Run a queued import (called by the task). Idempotent: a finished job is not rerun."""
    job = ImportJob.objects.select_related("started_by", "owner").get(pk=job_id)
    if not job.is_running:
        return job.report
    with translation.override(job.language):
        try:
            if job.started_by is None:
                raise PermissionDenied(_("The person who started this import no longer exists."))
            with default_storage.open(job.stored_file, "rb") as stored:
                content = stored.read()
            if hashlib.sha256(content).hexdigest() != job.sha256:
                raise ValueError(
                    _("The stored file changed after it was uploaded; upload it again.")
                )

            def progress(status: str, done: int, total: int) -> None:
                ImportJob.objects.filter(pk=job.pk).update(status=status, rows_done=done)

            report = run_import(
                actor=job.started_by,
                name=job.file_name,
                content=content,
                owner=job.owner,
                progress=progress,
            )
        except Exception as exc:
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.FAILED,
                finished_at=timezone.now(),
                report={"failure": str(exc)},
            )
            raise
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        rows_done=report.rows,
        finished_at=timezone.now(),
        report=report.as_dict(),
    )
    return report.as_dict()


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
    import openpyxl
    from openpyxl.styles import Alignment, Font

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
