"""Pages to browse and search the HS nomenclature; public, read-only.

Browse: the sections, then a code's page with its ancestry and its children (a section's
chapters, a chapter's headings, a heading's subheadings). Search: by number or by words.
Each page reads the edition from `?edition=` (HS 2022 by default).
"""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from corridor.standards.hs import nomenclature as hs
from corridor.standards.models import HsCode

SEARCH_LIMIT = 50


def _edition(request) -> str:
    return request.GET.get("edition", "").strip() or hs.DEFAULT_EDITION


def _context(request, edition: str, **context) -> dict:
    """What every HS page shows: the edition, the search box and the source note."""
    return {
        "edition": edition,
        "edition_query": "" if edition == hs.DEFAULT_EDITION else f"?edition={edition}",
        "query": request.GET.get("q", ""),
        **context,
    }


def hs_index(request):
    edition = _edition(request)
    return render(
        request,
        "standards/hs_index.html",
        _context(
            request,
            edition,
            sections=hs.sections(edition),
            unsectioned=hs.chapters_without_section(edition),
        ),
    )


def hs_code(request, code: str):
    edition = _edition(request)
    try:
        current = hs.get_code(code, edition)
    except HsCode.DoesNotExist:
        raise Http404(
            _("There is no HS code “%(code)s” in %(edition)s.") % {"code": code, "edition": edition}
        ) from None
    return render(
        request,
        "standards/hs_code.html",
        _context(
            request,
            edition,
            code=current,
            ancestry=hs.ancestry(current)[:-1],
            children=hs.children(current),
        ),
    )


def hs_search(request):
    edition = _edition(request)
    query = request.GET.get("q", "").strip()
    results = hs.search(query, edition=edition, limit=SEARCH_LIMIT + 1) if query else []
    more = len(results) > SEARCH_LIMIT
    results = results[:SEARCH_LIMIT]
    ancestries = hs.ancestries(results)
    rows = [(code, ancestries[code.pk][:-1]) for code in results]
    return render(
        request,
        "standards/hs_search.html",
        _context(request, edition, rows=rows, more=more, limit=SEARCH_LIMIT),
    )
