"""Every value of one facet: the page behind the sidebar's "show all" links and value search.

``GET /facets?field=county&contains=吴&<the search's own parameters>`` lists every value of the
field under that search (counted as the sidebar counts), ``VALUES_PER_PAGE`` a page (``page``),
in the search's ``facet_sort`` order; each value links back to the search with it selected.
``/api/facets`` answers the same with ``field=`` as JSON (``views_api``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for

from indexer import FACET_FIELDS, FacetPage, QueryError, Settings, facet_page, resolve_filters

from . import present, present_facets
from .params import ArgsLike, SearchState, parse_state, strict_int
from .resources import get_settings

bp = Blueprint("facets", __name__)

VALUES_PER_PAGE = 200
MAX_VALUES_PER_PAGE = 1_000
MAX_CONTAINS = 50


@dataclass(frozen=True, slots=True)
class Listing:
    state: SearchState  # the search (its ``page``: the listing's page)
    field: str
    contains: str
    page: FacetPage
    per_page: int


def read_listing(settings: Settings, args: ArgsLike, *, allow_limit: bool = False) -> Listing:
    """The facet listing ``args`` ask for; QueryError (400) for a bad field or parameter."""
    field = (args.get("field") or "").strip()
    if field not in FACET_FIELDS:
        raise QueryError(f"未知的筛选项 field={field[:40]!r}，可选 {'、'.join(FACET_FIELDS)}")
    contains = (args.get("contains") or "").strip()
    if len(contains) > MAX_CONTAINS:
        raise QueryError(f"参数 contains 过长（最多 {MAX_CONTAINS} 个字符）")
    state = parse_state(args)  # its ``limit`` (values per page here) is not read
    per_page = VALUES_PER_PAGE
    if allow_limit:
        per_page = strict_int(args.get("limit"), "limit", default=VALUES_PER_PAGE, low=1,
                              high=MAX_VALUES_PER_PAGE)
    resolution = resolve_filters(settings, state.filters)
    state = replace(state, filters=resolution.filters)
    request_ = state.to_request(settings, limit=0, offset=0, with_facets=False)
    found = facet_page(settings, request_, field, contains, (state.page - 1) * per_page,
                       per_page)
    return Listing(state, field, contains, found, per_page)


def listing_url(state: SearchState, field: str, contains: str = "") -> str:
    """The listing of ``field`` under ``state`` (its page kept)."""
    pairs = [p for p in state.to_pairs() if p[0] != "limit"]
    pairs.append(("field", field))
    if contains:
        pairs.append(("contains", contains))
    return url_for("facets.page") + "?" + urlencode(pairs)


def form_pairs(state: SearchState) -> list[tuple[str, str]]:
    """The search's parameters as hidden inputs of a value search form (page 1)."""
    return [p for p in state.with_(page=1).to_pairs() if p[0] not in ("limit",)]


def listing_to_dict(listing: Listing) -> dict[str, Any]:
    page = listing.page
    return {
        "field": listing.field,
        "contains": listing.contains,
        "facet_sort": listing.state.facet_sort.value,
        "page": listing.state.page,
        "limit": listing.per_page,
        "total_values": page.total,
        "values": [{"value": v.value, "count": v.count, "reports": v.reports,
                    "selected": v.selected, "label": v.label, "parent": v.parent}
                   for v in page.values],
    }


@bp.get("/facets")
def page() -> Any:
    from .views_search import search_url

    settings = get_settings()
    listing = read_listing(settings, request.args)
    state = listing.state

    def page_url(s: SearchState) -> str:
        return listing_url(s, listing.field, listing.contains)

    values = [
        present_facets.ListedValue.of(listing.field, v, search_url(state.with_(page=1).toggled(
            listing.field, v.value)))
        for v in listing.page.values
    ]
    return render_template(
        "facets.html",
        listing=listing,
        values=values,
        field_label=present.FIELD_LABELS.get(listing.field, listing.field),
        back_url=search_url(state.with_(page=1)),
        pagination=present.pagination(state, listing.page.total, listing.per_page, page_url),
        sort_links=present_facets.facet_sort_links(state.with_(page=1), page_url),
        hidden=form_pairs(state),
        all_url=listing_url(state.with_(page=1), listing.field),
        first_item=listing.page.offset + 1,
    )
