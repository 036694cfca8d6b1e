"""Pagination and the schemas and field types shared by every app's API router.

Apps import these from here (core sits below every app); authentication and the lookups of
organisations and people by id live in `corridor/accounts/api.py`; `corridor/api.py` builds
the NinjaAPI, its error handlers and mounts the apps' routers.

Schema names are the names of the OpenAPI document's components, one namespace for the whole
API: two apps' schemas never share a name (prefix them by what they describe: `CasePartyOut`,
`ProjectPartyOut`), and a shape several apps answer with is defined once here.
"""

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination
from ninja.responses import Status
from pydantic import AfterValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from corridor.core.validators import long_text_problem, name_text_problem

# The items an API list answers with when the caller asks for no `page_size`.
PAGE_SIZE = 50


class Pages(PageNumberPagination):
    """ninja's page-number pagination, answering also which page this is and how many
    there are: {"items": [...], "count": 120, "page": 1, "page_size": 50, "pages": 3}."""

    class Input(Schema):
        # bounded, so that the database's OFFSET never overflows
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1)

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int
        pages: int

    def __init__(self, *, page_size: int = PAGE_SIZE, **kwargs):
        super().__init__(page_size=page_size, **kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        count = self._items_count(queryset)
        return {
            "items": queryset[offset : offset + page_size],
            "count": count,
            "page": pagination.page,
            "page_size": page_size,
            "pages": max(1, -(-count // page_size)),
        }


# --- schemas shared by several apps --------------------------------------------------------


class ErrorOut(Schema):
    """Every 4xx answer: a sentence, and the fields at fault with their reasons."""

    detail: str
    errors: dict[str, list[str]] = Field(
        ..., description='{"field": ["reason", ...]}; "__all__" when no single field is at fault.'
    )


class OrganisationRefOut(Schema):
    """Enough of an organisation to name it."""

    id: int
    name_en: str
    name_zh: str
    country: str


class PersonRefOut(Schema):
    """Enough of a person to name them."""

    id: int
    display_name: str


def _checked_by(problem_of, kind: str):
    """A pydantic validator that refuses a text `problem_of(text, field name)` finds fault
    with, saying why."""

    def check(value: str | None, info: ValidationInfo) -> str | None:
        if value:
            problem = problem_of(value, info.field_name or "")
            if problem:
                raise PydanticCustomError(kind, problem)
        return value

    return check


# A whole number the databases can store (64 bits): an id, a version, a count. A larger one is
# refused as a field error rather than overflowing in the database (500).
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]


def _on_the_wall_clock(value: time) -> time:
    """A time of day given with an offset, as the initiative's wall clock (UTC+8) shows it."""
    if value.tzinfo is None:
        return value
    moment = datetime.combine(date(2000, 1, 3), value.replace(tzinfo=None)) - value.utcoffset()
    return timezone.localtime(moment.replace(tzinfo=UTC)).time()


# A time of day on the initiative's wall clock (an event's session): "09:00:00", no offset,
# since it belongs to a date given beside it. One sent with an offset is converted.
WallClockTime = Annotated[
    time,
    AfterValidator(_on_the_wall_clock),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$",
            "description": "A local time of day (UTC+8), HH:MM[:SS], without an offset.",
        }
    ),
]

# A name or a title: one line, with no control character and no bidirectional override.
NameText = Annotated[str, AfterValidator(_checked_by(name_text_problem, "name_text"))]


# A longer text (a message): line breaks allowed; no other control character and no
# bidirectional override.
LongText = Annotated[str, AfterValidator(_checked_by(long_text_problem, "long_text"))]


def found_or_404(record, missing: str, value):
    """The record a lookup found, or a 404 saying that no record has the id `value` (`missing`
    is the sentence, e.g. "No case has the id “%(value)s”."): the same answer whether the
    record does not exist or the caller may not see it."""
    if record is None:
        raise HttpError(404, missing % {"value": value})
    return record


def conflict_or_raise(exc: ValidationError, field: str = "status"):
    """A write refused because of the record's state (its `field` named in the service's
    error: a request already answered) answers 409 with the service's sentence; other
    errors are raised again (400)."""
    errors = getattr(exc, "message_dict", {})
    if field in errors:
        return Status(409, {"detail": errors[field][0], "errors": errors})
    raise exc


def choices_of(enum, name: str):
    """A Django choices enum as a query parameter, documented under its own name (two apps'
    `Kind` or `Status` enums would otherwise share one OpenAPI component)."""
    return Annotated[
        enum, WithJsonSchema({"type": "string", "enum": list(enum.values), "title": name})
    ]
