"""Every value of one facet under a search, paged and searchable: what the sidebar's "show all"
link and its value search box show when a facet lists only its top values.

Values are counted exactly as the sidebar counts them (``results.FacetRows``: the facet's own
selection ignored, region fields under no region filter), all of them, in the request's
``facet_sort`` order (years in year order). ``contains`` keeps the values whose normalised
value or label contains it, plus, for places, the values it names through the gazetteer
(short names and aliases: 巴州 -> 巴音郭楞蒙古自治州).
"""

from __future__ import annotations

from .config import Settings
from .errors import QueryError
from .facets import count_facet
from .filter_values import places_named
from .models import FACET_FIELDS, FacetPage, FacetValue, Scope, SearchRequest
from .normalize import normalize
from .results import FacetRows, year_sort_key

MAX_FACET_PAGE = 1_000  # values per page, at most


def facet_page(settings: Settings, request: SearchRequest, field: str, contains: str = "",
               offset: int = 0, limit: int = 200) -> FacetPage:
    """The values of facet ``field`` under ``request`` (query, filters, title terms, dates)
    whose value contains ``contains``: ``limit`` of them from ``offset``, and how many there
    are; QueryError for a field that is not a facet."""
    from .searching import match_request, prepare, snapshot

    if field not in FACET_FIELDS:
        raise QueryError(f"unknown facet {field!r}; use one of: {', '.join(FACET_FIELDS)}")
    limit = max(0, min(int(limit), MAX_FACET_PAGE))
    offset = max(0, int(offset))
    pq, filters, cond = prepare(settings, request)
    snap = snapshot(settings)
    found = match_request(snap, request, filters, cond)
    rows = FacetRows(snap, found.masks, Scope(request.scope), filters, found.restrict)
    column = snap.columns[field]
    facet = count_facet(column, rows.of(field), filters.get(field, ()), len(column.values),
                        year_sort_key(field), snap.report_idx, request.facet_sort,
                        rows.per_report(field))
    values = _containing(field, facet.values, contains.strip())
    return FacetPage(field, tuple(values[offset:offset + limit]), len(values), offset, limit,
                     contains.strip())


def _containing(field: str, values: tuple[FacetValue, ...], contains: str) -> list[FacetValue]:
    if not contains:
        return list(values)
    needle = normalize(contains)
    named = places_named(field, contains, {v.value: v for v in values})
    return [v for v in values
            if needle in normalize(v.value) or needle in normalize(v.label or "")
            or v.value in named]
