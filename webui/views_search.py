"""The search page ``/``: query box, facets sidebar, results grouped by report or flat."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template, request, url_for

from indexer import IndexStats, QueryError, SearchResults, Settings, index_stats, search

from . import present
from .messages import user_message
from .params import SearchState, parse_state
from .resources import get_settings, request_elapsed_ms

bp = Blueprint("search", __name__)

# Queries offered on the landing page and in empty states; all occur in typical reports.
EXAMPLE_QUERIES = ("行政执法", "合法性审查", "行政复议", "法律顾问", "普法")


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


def search_url(state: SearchState) -> str:
    """The search page for ``state``."""
    return url_for("search.index") + state.query_string()


def reader_url(report_id: str, state: SearchState, n: int | None = None) -> str:
    """The reader for ``report_id`` with the query's terms highlighted, at paragraph ``n``."""
    args: dict[str, str] = {}
    if state.q:
        args["q"] = state.q
        if state.mode.value != "exact":
            args["mode"] = state.mode.value
    url = url_for("reader.report", report_id=report_id, **args)
    return f"{url}#p{n}" if n is not None else url


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
        results = search(settings, state.to_request(settings))
    except QueryError as exc:
        return _page(state, error=user_message(str(exc))), 400
    return _page(state, results=results, settings=settings)


def _page(
    state: SearchState,
    *,
    results: SearchResults | None = None,
    settings: Settings | None = None,
    error: str | None = None,
    stats: Any = None,
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
    )
    if stats is not None:
        context["blocks"] = present.facet_blocks(stats.facets, state, search_url)
    if results is not None and settings is not None:
        size = state.page_size(settings)
        total = results.total_reports if state.grouped else results.total_paragraphs
        context.update(
            blocks=present.facet_blocks(results.facets, state, search_url),
            chips=present.chips(state, results.facets, search_url),
            pagination=present.pagination(state, total, size, search_url),
            first_item=(state.page - 1) * size + 1,
            suggestions=_suggestions(state),
        )
    context["server_ms"] = request_elapsed_ms()
    return render_template("search.html", **context)


def _suggestions(state: SearchState) -> list[tuple[str, str]]:
    """What to try when nothing matched: (label, url) pairs."""
    tips: list[tuple[str, str]] = []
    if state.mode.value == "exact" and state.q:
        tips.append(("改用模糊检索（词语不必相连）", search_url(state.with_(mode="fuzzy"))))
    if state.scope.value == "paragraph" and len(state.q.split()) > 1:
        tips.append(("放宽到同篇（各词可在不同段落）", search_url(state.with_(scope="report"))))
    for field, values in state.filters:
        if len(values) > present.CHIPS_PER_FIELD:  # one tip per field keeps the page linear
            label = f"去掉筛选：{present.FIELD_LABELS.get(field, field)}（{len(values)} 项）"
            tips.append((label, search_url(state.with_filter(field, ()))))
            continue
        for value in values:
            label = f"去掉筛选：{present.value_label(field, value)}"
            tips.append((label, search_url(state.toggled(field, value))))
    if state.filters and len(tips) > 2:
        tips.append(("去掉全部筛选", search_url(state.with_(filters=()))))
    return tips
