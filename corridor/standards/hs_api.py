"""The HS nomenclature's JSON API, mounted at /api/standards/: public, read-only.

GET /hs?q=…&limit=…   search by number (a prefix: 8704, 8704.60) or by words, English or
                      Chinese (everyday names of goods, knowledge-base titles, descriptions)
GET /hs/{code}        one code with its ancestry (section first) and its children

Descriptions come as description_en and description_zh (empty: the source has no Chinese).
"""

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from corridor.accounts.api import AUTH_OR_ANONYMOUS
from corridor.standards import hs
from corridor.standards.models import HsCode

router = Router(tags=["standards"])


class HsCodeOut(Schema):
    edition: str
    code: str
    level: int = Field(description="1 section, 2 chapter, 4 heading, 6 subheading")
    level_name: str
    section: str
    description_en: str
    description_zh: str


class HsCodeWithAncestry(HsCodeOut):
    ancestry: list[HsCodeOut] = Field(description="From the section down to the parent.")


class HsCodeDetail(HsCodeWithAncestry):
    children: list[HsCodeOut]


class HsSearchQuery(Schema):
    q: str = Field(
        min_length=1,
        max_length=200,
        description="A number, or words in English or Chinese (pork, 猪肉, electric van).",
    )
    limit: int = Field(50, ge=1, le=500)
    edition: str = hs.DEFAULT_EDITION


def _out(code: HsCode) -> dict:
    return {
        "edition": code.edition,
        "code": code.code,
        "level": code.level,
        "level_name": code.get_level_display(),
        "section": code.section,
        "description_en": code.description_en,
        "description_zh": code.description_zh,
    }


@router.get("/hs", response=list[HsCodeWithAncestry], auth=AUTH_OR_ANONYMOUS)
def hs_search(request, filters: Query[HsSearchQuery]):
    results = hs.search(filters.q, edition=filters.edition, limit=filters.limit)
    ancestries = hs.ancestries(results)
    return [
        {**_out(code), "ancestry": [_out(a) for a in ancestries[code.pk][:-1]]} for code in results
    ]


@router.get("/hs/{code}", response=HsCodeDetail, auth=AUTH_OR_ANONYMOUS)
def hs_code(request, code: str, edition: str = hs.DEFAULT_EDITION):
    try:
        current = hs.get_code(code, edition)
    except HsCode.DoesNotExist:
        raise HttpError(
            404,
            _("There is no HS code “%(code)s” in %(edition)s.")
            % {"code": code, "edition": edition},
        ) from None
    return {
        **_out(current),
        "ancestry": [_out(a) for a in hs.ancestry(current)[:-1]],
        "children": [_out(child) for child in current.children.order_by("code")],
    }
