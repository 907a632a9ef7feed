"""The search page ``/``: query box, facets sidebar, results grouped by report or flat."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, render_template, request, url_for

from indexer import IndexStats, QueryError, SearchResults, Settings, index_stats, search
from indexer import FilterResolution, resolve_filters
from indexer import MODE_LABELS, SCOPE_LABELS, suggestions, understand_query

from . import present, present_facets, present_query
from .messages import user_message
from .params import SearchState, parse_state
from .resources import get_settings, request_elapsed_ms

bp = Blueprint("search", __name__)

# Queries offered on the landing page and in empty states; all occur in typical reports.
EXAMPLE_QUERIES = ("行政执法", "合法性审查", "行政复议", "法律顾问", "普法")


# How hits inside a report card are ordered: best first, or as they stand in the report.
# A display preference carried in every link of the page (``hit_order=document``).
HIT_ORDERS = ("rank", "document")


def hit_order() -> str:
    value = request.args.get("hit_order", "") if request else ""
    return value if value in HIT_ORDERS else "rank"


def search_url(state: SearchState, order: str | None = None) -> str:
    """The search page for ``state`` (keeping the page's hit order unless ``order`` is given)."""
    url = url_for("search.index") + state.query_string()
    if (order or hit_order()) == "document":
        url += ("&" if "?" in url else "?") + "hit_order=document"
    return url


# What the landing page lists of the index: (facet, heading, most values shown).
HOLDINGS = (("level", "层级", 6), ("report_year", "年份", 12), ("province", "地区", 8),
            ("section", "章节", 5))


@dataclass(frozen=True, slots=True)
class Holding:
    """One line of "what this index holds": a facet and its values with report counts."""

    title: str
    values: tuple[tuple[str, int, str], ...]  # (label, reports, search url)
    more: int  # values not listed


def holdings(stats: IndexStats, state: SearchState) -> list[Holding]:
    """Reports per level, year, province and section, read from ``index_stats``: the landing
    page says what this index holds instead of assuming one kind of report."""
    by_name = {f.name: f for f in stats.facets}
    lines = []
    for name, title, most in HOLDINGS:
        facet = by_name.get(name)
        if facet is None or not facet.values:
            continue
        counts = stats.report_counts.get(name, {})
        values = sorted(facet.values, key=lambda v: (-counts.get(v.value, 0), v.value))
        if name == "report_year":
            values = sorted(facet.values, key=lambda v: v.value, reverse=True)
        shown = tuple(
            (present.value_label(name, v.value, v.label), counts.get(v.value, v.count),
             search_url(state.with_filter(name, (v.value,))))
            for v in values[:most]
        )
        lines.append(Holding(title, shown, max(0, len(values) - most)))
    return lines



def reader_url(report_id: str, state: SearchState, n: int | None = None) -> str:
    """The reader for ``report_id`` with the query's terms highlighted, at the engine's
    paragraph ``n`` (the anchor carries its 1-based number)."""
    args: dict[str, str] = {}
    if state.q and not state.in_title:  # title terms are not marked in the text
        args["q"] = state.q
        if state.mode.value != "exact":
            args["mode"] = state.mode.value
        if state.scope.value != "paragraph":
            args["scope"] = state.scope.value
    url = url_for("reader.report", report_id=report_id, **args)
    return f"{url}#p{n + 1}" if n is not None else url


def show_all_url(state: SearchState, report_id: str) -> str:
    """The same search limited to one report, every matching paragraph listed flat."""
    return search_url(state.with_filter("report_id", (report_id,)).with_(view="flat"))


@bp.get("/")
def index() -> Any:
    settings = get_settings()
    try:
        state = parse_state(request.args)
    except QueryError as exc:
        fallback = SearchState(q=request.args.get("q", "") or "")
        return _page(fallback, error=user_message(str(exc))), 400
    if state.is_empty:
        stats = index_stats(settings)
        return _page(state, stats=stats, holdings=holdings(stats, state),
                     index_name=settings.index_name)
    try:
        resolution = resolve_filters(settings, state.filters)
        state = replace(state, filters=resolution.filters)
        results = search(settings, state.to_request(settings))
    except QueryError as exc:
        return _page(state, error=user_message(str(exc))), 400
    return _page(state, results=results, settings=settings, resolution=resolution)


def _page(
    state: SearchState,
    *,
    results: SearchResults | None = None,
    settings: Settings | None = None,
    error: str | None = None,
    stats: Any = None,
    resolution: FilterResolution | None = None,
    holdings: list[Holding] | None = None,
    index_name: str | None = None,
) -> str:
    context: dict[str, Any] = dict(
        holdings=holdings or [],
        index_name=index_name,
        state=state,
        results=results,
        error=error,
        stats=stats,
        examples=EXAMPLE_QUERIES,
        search_url=search_url,
        reader_url=reader_url,
        show_all_url=show_all_url,
        json_url=url_for("api.search_json") + state.query_string(),
        csv_url=url_for("api.export_csv") + state.query_string(),
        blocks=[],
        chips=[],
        pagination=None,
        understood=None,
        problems=present_query.filter_problems(resolution, state, search_url) if resolution else [],
        readings=resolution.readings if resolution else (),
        hit_order=hit_order(),
        mode_labels=MODE_LABELS,
        scope_labels=SCOPE_LABELS,
        order_urls={o: search_url(state.with_(page=state.page), o) for o in HIT_ORDERS},
        title_only=False,
        facet_sort_links=[],
        facet_tools_by_block={},
        facet_form_pairs=[],
        facet_size=settings.facet_size if settings else 0,
    )
    if stats is not None:
        context["blocks"] = present.facet_blocks(stats.facets, state, search_url)
    if results is not None and settings is not None:
        size = state.page_size(settings)
        total = results.total_reports if state.grouped else results.total_paragraphs
        understood = understand_query(results.request, resolution.readings if resolution else ())
        context.update(
            blocks=present.facet_blocks(results.facets, state, search_url),
            chips=present.chips(state, results.facets, search_url),
            pagination=present.pagination(state, total, size, search_url),
            first_item=(state.page - 1) * size + 1,
            understood=understood,
            variants=present_query.VariantMatcher(understood.parsed),
            groups=present_query.ordered_groups(results.groups, hit_order()),
            suggestions=_suggestions(settings, state, results),
            title_only=understood.title_only,
            **_facet_context(state, results),
        )
    context["server_ms"] = request_elapsed_ms()
    return render_template("search.html", **context)


def _facet_context(state: SearchState, results: SearchResults) -> dict[str, Any]:
    """The sidebar's sort toggle, and the "show all" links and value search boxes of the
    facets that list only part of their values."""
    from .views_facets import form_pairs, listing_url

    return dict(
        facet_sort_links=present_facets.facet_sort_links(state, search_url),
        facet_tools_by_block=present_facets.block_tools(
            results.facets, lambda field: listing_url(state.with_(page=1), field)),
        facet_form_pairs=form_pairs(state),
    )


def _suggestions(settings: Settings, state: SearchState, results: SearchResults
                 ) -> list[present_query.Tip]:
    """What to try when nothing matched, each counted on the index."""
    if results.total_paragraphs:
        return []
    return [present_query.tip(s, state, search_url) for s in suggestions(settings, results.request)]
