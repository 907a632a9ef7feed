"""Comparison (``/compare``) and trend (``/trend``) pages, their JSON (``/api/compare``,
``/api/trend``) and CSV (``/compare.csv``, ``/trend.csv``) twins: one data function each
(``indexer.compare.compare``, ``indexer.trend.trend``), three renderers with the same rows.

Every number links to the passages behind it: a comparison cell to the search page limited to
the cell's matching reports (``report_id`` filters, plus the year of a year column), a trend
point to the search page for the area's jurisdiction filters, the level and that year.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, url_for

from indexer import LEVEL_LABELS, SECTION_LABELS, QueryError
from indexer import DEPTH_LEVEL, LEVEL_DEPTH, area_tree, default_level, levels_below
from indexer import STATUS_LABELS, Cell, CompareRow, Comparison, compare_areas, sort_rows
from indexer import (
    column_label,
    comparison_rows,
    comparison_to_dict,
    csv_text,
    trend_rows,
    trend_to_dict,
)
from indexer import SMALL_SAMPLE, Trend, trend_over_years

from . import chart
from .compare_params import AnalyticsState, parse_analytics
from .messages import user_message
from .resources import get_settings, request_elapsed_ms

bp = Blueprint("compare", __name__)

EXAMPLE_TERMS = ("行政复议", "合法性审查", "法律顾问")


# ---------------------------------------------------------------------- links


def search_link(pairs: list[tuple[str, str]]) -> str:
    return url_for("search.index") + "?" + urlencode(pairs)


def _row_pairs(state: AnalyticsState, row: CompareRow, ids: tuple[str, ...],
               year: int | None = None) -> list[tuple[str, str]]:
    """Filters selecting exactly the row's reports (``ids`` among them, of ``year``): the row's
    jurisdiction and level when those select exactly its reports, else the reports by id."""
    filters = dict(state.filters)
    if year is not None:
        filters["report_year"] = (str(year),)
    pairs = [(name, v) for name, values in row.filters for v in values]
    if not row.filters:
        filters["report_id"] = ids
    for name in ("report_year", "section", "report_id"):
        pairs.extend((name, v) for v in filters.get(name, ()))
    return pairs


def cell_url(state: AnalyticsState, row: CompareRow, cell: Cell) -> str:
    """The search page listing exactly the paragraphs a comparison cell counts."""
    return search_link([*state.search_pairs(cell.column.term),
                        *_row_pairs(state, row, cell.matching_ids, cell.column.year),
                        ("view", "flat")])


def reports_url(state: AnalyticsState, row: CompareRow) -> str:
    """The search page showing every paragraph of a row's reports (what was searched)."""
    pairs = [p for p in _row_pairs(state, row, row.report_ids) if p[0] != "section"]
    return search_link(pairs)


def trend_point_url(state: AnalyticsState, term: str, year: int) -> str:
    """The search page for a trend point: the reports of that year in the area and level."""
    pairs = state.search_pairs(term)
    for name, values in (state.area.filters() if state.area else ()):
        pairs.extend((name, v) for v in values)
    if state.level:
        pairs.append(("level", state.level))
    pairs.append(("report_year", str(year)))
    for name, values in state.filters:
        if name != "report_year":
            pairs.extend((name, v) for v in values)
    return search_link(pairs)


def compare_url(state: AnalyticsState, **changes: object) -> str:
    return url_for("compare.page") + state.query_string(**changes)


def trend_url(state: AnalyticsState, **changes: object) -> str:
    return url_for("compare.trend_page") + state.query_string(**changes)


def drill_down(state: AnalyticsState, row: CompareRow) -> str | None:
    """The comparison one level below a row (the counties of a city row), if there is one."""
    tree = area_tree()
    area = tree.area(row.division)
    if not levels_below(area, tree):
        return None
    return compare_url(state, area=area, level=default_level(area, tree), order="name")


def sort_url(state: AnalyticsState, key: str) -> str:
    """Sort by ``key``; clicking the current key again flips the direction."""
    current = state.order.lstrip("-")
    if current == key:
        order = key if state.order.startswith("-") else f"-{key}"
    else:
        order = key if key == "name" else f"-{key}"  # counts: largest first
    return compare_url(state, order=order)


def sort_mark(state: AnalyticsState, key: str) -> str:
    """aria-sort value of a column header."""
    if state.order.lstrip("-") != key:
        return "none"
    return "descending" if state.order.startswith("-") else "ascending"


# ---------------------------------------------------------------------- comparison


def _comparison(state: AnalyticsState) -> tuple[Comparison, tuple[CompareRow, ...]]:
    result = compare_areas(get_settings(), state.compare_request())
    return result, sort_rows(result, state.order)


@bp.get("/compare")
def page() -> Any:
    try:
        state = parse_analytics(request.args)
        result, rows = _comparison(state)
    except QueryError as exc:
        return _error_page("compare.html", str(exc), request.args.getlist("q"))
    return render_template("compare.html", **_compare_context(state, result, rows))


def _compare_context(state: AnalyticsState, result: Comparison, rows) -> dict[str, Any]:
    tree = area_tree()
    chain = [tree.area(None), *(tree.area(d) for d in result.area.chain)]
    return dict(
        state=state, result=result, rows=rows, error=None,
        terms_for_form=_form_terms(state.terms), area_text=_area_text(result.area),
        breadcrumb=[(a.name, compare_url(state, area=a, level=default_level(a, tree),
                                         order="name")) for a in chain],
        levels=[(lv, LEVEL_LABELS[lv], compare_url(state, level=lv, order="name"))
                for lv in levels_below(result.area, tree)],
        status_labels=STATUS_LABELS, level_labels=LEVEL_LABELS, section_labels=SECTION_LABELS,
        column_label=column_label, cell_url=cell_url, reports_url=reports_url,
        drill_down=drill_down, sort_url=sort_url, sort_mark=sort_mark,
        csv_url=url_for("compare.compare_csv") + state.query_string(),
        json_url=url_for("compare.compare_json") + state.query_string(),
        trend_link=trend_url(state, level=None, by_year=False, order="name"),
        year_toggle=compare_url(state, by_year=not state.by_year, order="name"),
        examples=[(t, compare_url(state, terms=(t,))) for t in EXAMPLE_TERMS],
        server_ms=request_elapsed_ms(),
    )


@bp.get("/api/compare")
def compare_json() -> Any:
    state = parse_analytics(request.args)
    result, rows = _comparison(state)
    return comparison_to_dict(result, rows, link=lambda row, cell: cell_url(state, row, cell))


@bp.get("/compare.csv")
def compare_csv() -> Response:
    state = parse_analytics(request.args)
    result, rows = _comparison(state)
    return _csv(comparison_rows(result, rows), "fazhi-compare.csv")


# ---------------------------------------------------------------------- trend


def _trend(state: AnalyticsState) -> Trend:
    return trend_over_years(get_settings(), state.trend_request())


@bp.get("/trend")
def trend_page() -> Any:
    try:
        state = parse_analytics(request.args, for_trend=True)
        result = _trend(state) if state.terms else None
    except QueryError as exc:
        return _error_page("trend.html", str(exc), request.args.getlist("q"))
    tree = area_tree()
    area = state.area or tree.area(None)
    chain = [tree.area(None), *(tree.area(d) for d in area.chain)]
    return render_template(
        "trend.html", state=state, result=result, error=None,
        chart=chart.build_chart(result) if result is not None and result.years else None,
        shapes=chart, small_sample=SMALL_SAMPLE,
        terms_for_form=_form_terms(state.terms), area_text=_area_text(area),
        breadcrumb=[(a.name, trend_url(state, area=a)) for a in chain],
        level_options=[("", "全部层级"), *((str(lv), label) for lv, label in LEVEL_LABELS.items())],
        point_url=lambda term, year: trend_point_url(state, term, year),
        csv_url=url_for("compare.trend_csv") + state.query_string(),
        json_url=url_for("compare.trend_json") + state.query_string(),
        compare_link=compare_url(state, level=DEPTH_LEVEL.get(area.depth + 1)
                                 if area.depth < 4 else None, order="name"),
        examples=[(t, trend_url(state, terms=(t,))) for t in EXAMPLE_TERMS],
        server_ms=request_elapsed_ms(),
    )


@bp.get("/api/trend")
def trend_json() -> Any:
    state = parse_analytics(request.args, for_trend=True)
    if not state.terms:
        raise QueryError("请用 q= 给出至少一个检索词")
    return trend_to_dict(_trend(state), link=lambda term, year: trend_point_url(state, term, year))


@bp.get("/trend.csv")
def trend_csv() -> Response:
    state = parse_analytics(request.args, for_trend=True)
    if not state.terms:
        raise QueryError("请用 q= 给出至少一个检索词")
    return _csv(trend_rows(_trend(state)), "fazhi-trend.csv")


# ---------------------------------------------------------------------- shared


def _area_text(area) -> str:  # noqa: ANN001 - indexer.areas.Area
    return area.full_name if area.code else ""


def _form_terms(terms: tuple[str, ...]) -> list[str]:
    """The term inputs of the form: the current terms plus empty boxes, at least three."""
    return [*terms, *([""] * max(3 - len(terms), 1))]


def _error_page(template: str, message: str, terms: list[str]) -> tuple[str, int]:
    state = AnalyticsState(terms=tuple(t for t in terms if t and t.strip())[:10])
    page = render_template(template, state=state, result=None, rows=(), error=user_message(message),
                           terms_for_form=_form_terms(state.terms), breadcrumb=[], levels=[],
                           level_options=[("", "全部层级"), *LEVEL_LABELS.items()],
                           level_labels=LEVEL_LABELS, section_labels=SECTION_LABELS,
                           status_labels=STATUS_LABELS, chart=None, examples=[],
                           area_text=(request.args.get("area") or "")[:100], server_ms=0.0)
    return page, 400


def _csv(rows: list[list[str]], filename: str) -> Response:
    response = Response(csv_text(rows), mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{filename}\"; filename*=UTF-8''{filename}"
    )
    return response
