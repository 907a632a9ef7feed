"""Comparison tables: for one or more terms, one row per jurisdiction of a level inside an area
(as the gazetteer lists them), with what the index holds for each and what of it matches.

Built only on the engine's public functions ``report_match_counts`` (matching paragraphs per
report under a request: query, mode, scope and filters apply) and ``indexed_reports``.

Which reports a row counts (documented in docs/architecture.md):
- a jurisdiction's own reports: the report's place (``areas.AreaTree.place_of``) is the row's
  division and its level is the row's level (a county's report under the county's row);
- its departments' reports (level ``department``, e.g. 张家港市司法局), whose place is the row's
  division, unless ``include_departments`` is off; rows holding such reports are flagged;
- never the reports of the divisions below it (a town's report is not its county's).
Reports that cannot be placed at all (no province, a name not in the gazetteer, a level that
says county but no county name) are counted in ``Comparison.unplaced`` when inside the area.

A row is ``matches`` when some report of it matches some term, ``never`` (从未提及) when it has
reports and none matches, ``not_indexed`` (未收录) when the index holds no report of it (under
the request's report filters, e.g. a report_year filter).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from .areas import LEVEL_DEPTH, Area, AreaTree, area_tree
from .errors import QueryError
from .gazetteer import Division, full_name
from .models import LEVEL_LABELS, Level, Mode, Report, Scope, SearchRequest

MAX_TERMS = 10
MAX_ROWS = 5_000
MAX_COLUMNS = 300
# Filters that restrict which reports count; section restricts paragraphs only.
REPORT_FILTERS = ("report_year", "report_id")
ALLOWED_FILTERS = (*REPORT_FILTERS, "section")

Filters = tuple[tuple[str, tuple[str, ...]], ...]


class Status(StrEnum):
    MATCHES = "matches"  # 有提及
    NEVER = "never"  # 从未提及: reports indexed, none matches
    NOT_INDEXED = "not_indexed"  # 未收录: no report indexed
    INDEXED = "indexed"  # 已收录: reports indexed (a table without terms)


STATUS_LABELS: dict[str, str] = {
    Status.MATCHES: "有提及",
    Status.NEVER: "从未提及",
    Status.NOT_INDEXED: "未收录",
    Status.INDEXED: "已收录",
}


@dataclass(frozen=True, slots=True)
class CompareRequest:
    """What to compare: ``terms`` (each a query of the query language) under ``level`` rows
    inside ``area``, with the search ``mode``, ``scope`` and ``filters`` applied to every term."""

    terms: tuple[str, ...] = ()
    level: str = Level.PROVINCE
    area: Area | None = None  # None: the whole country
    mode: Mode = Mode.EXACT
    scope: Scope = Scope.PARAGRAPH
    filters: Filters = ()
    by_year: bool = False
    include_departments: bool = True


@dataclass(frozen=True, slots=True)
class Column:
    """One column of counts: a term, over all years (``year`` None) or one year."""

    key: str  # "c0", "c1", … (stable within one comparison; used for sorting)
    term: str
    year: int | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    """A row's counts under one column."""

    column: Column
    reports: int  # reports of the row indexed in the column's years
    matching_reports: int
    paragraphs: int  # matching paragraphs
    first_year: int | None  # first and last report year with a match
    last_year: int | None
    matching_ids: tuple[str, ...]  # the matching reports (what the cell's link shows)

    @property
    def status(self) -> Status:
        if not self.reports:
            return Status.NOT_INDEXED
        return Status.MATCHES if self.matching_reports else Status.NEVER


@dataclass(frozen=True, slots=True)
class CompareRow:
    division: Division
    full_name: str
    report_ids: tuple[str, ...]  # the row's reports (own and, if counted, its departments')
    years: tuple[int, ...]  # distinct report years of those reports, ascending
    department_reports: int  # how many of report_ids are department reports
    cells: tuple[Cell, ...]
    # reports matching at least one term, over all years (undated reports included, which
    # no year column shows)
    matching_reports: int = 0
    has_terms: bool = True
    # Search filters (province=…, …, level=…) that select exactly report_ids among the
    # indexed reports passing the request's filters; () when names alone cannot (links then
    # name the reports by id).
    filters: Filters = ()

    @property
    def status(self) -> Status:
        if not self.report_ids:
            return Status.NOT_INDEXED
        if not self.has_terms:
            return Status.INDEXED
        return Status.MATCHES if self.matching_reports else Status.NEVER

    @property
    def name(self) -> str:
        return self.division.name


@dataclass(frozen=True, slots=True)
class Comparison:
    request: CompareRequest
    area: Area
    columns: tuple[Column, ...]
    rows: tuple[CompareRow, ...]
    years: tuple[int, ...]  # report years present in the rows (the year columns)
    unplaced: int  # reports in the area that could not be given a row of any level
    elapsed_ms: float = 0.0
    status_counts: dict[str, int] = field(default_factory=dict)


def compare(settings, request: CompareRequest, *, tree: AreaTree | None = None) -> Comparison:
    """The comparison table for ``request`` (QueryError on bad terms, level or filters)."""
    from . import indexed_reports, report_match_counts

    started = time.perf_counter()
    tree = tree or area_tree()
    _check(request)
    request = replace(request, terms=tuple(dict.fromkeys(t.strip() for t in request.terms)))
    area = request.area or tree.area(None)
    divisions = tree.descendants_at(area, LEVEL_DEPTH[request.level])
    if not divisions:
        raise QueryError(f"区划表中{area.full_name}之内没有{LEVEL_LABELS[request.level]}地区"
                         "（直辖市的区县、不设区的市的乡镇直接隶属于它），请换一个层级")
    if len(divisions) > MAX_ROWS:
        raise QueryError(f"{area.full_name}下共有 {len(divisions)} 个地区，超过上限 {MAX_ROWS}，"
                         "请选小一些的地区或高一级的层级")
    reports = {r.report_id: r for r in indexed_reports(settings) if passes_report_filters(r, request.filters)}
    members, unplaced = _assign(tree, area, request, reports.values())
    years = tuple(sorted({reports[i].report_year for ids in members.values() for i in ids
                          if reports[i].report_year is not None}))
    columns = _columns(request.terms, years if request.by_year else ())
    counts = {term: report_match_counts(settings, _search_request(request, term))
              for term in request.terms}
    places = _by_place(reports.values())
    levels = (request.level, Level.DEPARTMENT) if request.include_departments else (request.level,)
    rows = tuple(_row(tree, div, members.get(div.code, ()), reports, columns, counts,
                      places, levels) for div in divisions)
    tally: dict[str, int] = {}
    for row in rows:
        tally[str(row.status)] = tally.get(str(row.status), 0) + 1
    return Comparison(request, area, columns, rows, years, unplaced,
                      (time.perf_counter() - started) * 1000, tally)


def _check(request: CompareRequest) -> None:
    if request.level not in LEVEL_DEPTH:
        raise QueryError(f"比较的层级须是 {'、'.join(LEVEL_DEPTH)} 之一，收到“{request.level}”")
    area = request.area
    if area is not None and area.depth >= LEVEL_DEPTH[request.level]:
        raise QueryError(f"{area.name}之内没有{LEVEL_LABELS[request.level]}一级的地区，请选更低的层级")
    if len(request.terms) > MAX_TERMS:
        raise QueryError(f"一次最多比较 {MAX_TERMS} 个检索词")
    if any(not t.strip() for t in request.terms):
        raise QueryError("检索词不能为空")
    for name, _values in request.filters:
        if name not in ALLOWED_FILTERS:
            raise QueryError(f"比较表按地区和层级选择报告，不接受筛选条件 {name}；"
                             f"可用的筛选：{'、'.join(ALLOWED_FILTERS)}")


def passes_report_filters(report: Report, filters: Filters) -> bool:
    """The report passes the request's report-level filters (OR within a field)."""
    for name, values in filters:
        if name in REPORT_FILTERS:
            value = getattr(report, name)
            if value is None or str(value) not in values:
                return False
    return True


def _assign(tree: AreaTree, area: Area, request: CompareRequest, reports
            ) -> tuple[dict[str, list[str]], int]:
    """Division code -> ids of the reports that count for it; and how many reports inside the
    area could not be placed at all."""
    depth = LEVEL_DEPTH[request.level]
    members: dict[str, list[str]] = {}
    unplaced = 0
    for report in reports:
        place = tree.place_of(report)
        if place is None:
            # Names that do not fit the gazetteer: inside which area is unknown, so they are
            # counted for the whole country only (reports without any province are national).
            unplaced += area.division is None and bool(report.province)
            continue
        if not tree.contains(area, place):
            continue
        if not _level_fits(report, place):
            unplaced += 1
            continue
        if place.level != depth:
            continue
        if report.level == Level.DEPARTMENT and not request.include_departments:
            continue
        members.setdefault(place.code, []).append(report.report_id)
    return members, unplaced


def _level_fits(report: Report, place: Division) -> bool:
    """The report's level agrees with its place (a county report placed at a county), or it is
    a department's report (placed at its jurisdiction). A report whose level is unknown, or
    deeper than its place (a town report whose town is not named), is not guessed at."""
    if report.level == Level.DEPARTMENT:
        return True
    return report.level is not None and LEVEL_DEPTH.get(report.level) == place.level


def _columns(terms: tuple[str, ...], years: tuple[int, ...]) -> tuple[Column, ...]:
    pairs = [(t, y) for t in terms for y in years] if years else [(t, None) for t in terms]
    if len(pairs) > MAX_COLUMNS:
        raise QueryError(f"按年份展开后共有 {len(pairs)} 列，超过上限 {MAX_COLUMNS}；"
                         "请减少检索词或加年份筛选")
    return tuple(Column(f"c{i}", t, y) for i, (t, y) in enumerate(pairs))


def _search_request(request: CompareRequest, term: str) -> SearchRequest:
    return SearchRequest(query=term, mode=request.mode, scope=request.scope,
                         filters=request.filters, grouped=False, limit=0, with_facets=False)


Places = dict[tuple[int, str], list[Report]]


def _by_place(reports) -> Places:
    """(field index, name) -> the reports naming it there (province 0, city 1, county 2,
    town 3): the candidates a row's jurisdiction filters could select."""
    out: Places = {}
    for r in reports:
        for i, name in enumerate((r.province, r.city, r.county, r.town)):
            if name:
                out.setdefault((i, name), []).append(r)
    return out


_FIELD_INDEX = {"province": 0, "city": 1, "county": 2, "town": 3}


def _exact_filters(tree: AreaTree, div: Division, ids: tuple[str, ...], places: Places,
                   levels: tuple[str, ...]) -> Filters:
    """The row's jurisdiction + level filters if they select exactly ``ids`` among the
    reports, else ()."""
    if not ids:
        return ()
    named = tree.area(div).filters()
    wanted = [(_FIELD_INDEX[f], vs[0]) for f, vs in named]
    fields = ("province", "city", "county", "town")
    selected = {r.report_id: r for r in places.get(wanted[-1], ())
                if r.level in levels
                and all(getattr(r, fields[i]) == name for i, name in wanted)}
    if selected.keys() != set(ids):
        return ()
    present = {r.level for r in selected.values()}
    return (*named, ("level", tuple(str(lv) for lv in levels if lv in present)))


def _row(tree: AreaTree, div: Division, ids, reports: Mapping[str, Report],
         columns: tuple[Column, ...], counts: Mapping[str, Mapping[str, int]],
         places: Places, levels: tuple[str, ...]) -> CompareRow:
    ids = tuple(sorted(ids, key=lambda i: (reports[i].report_year or 0, i)))
    cells = tuple(_cell(col, [reports[i] for i in ids], counts[col.term]) for col in columns)
    return CompareRow(
        division=div,
        full_name=full_name(tree.gaz.chain(div)),
        report_ids=ids,
        years=tuple(sorted({reports[i].report_year for i in ids
                            if reports[i].report_year is not None})),
        department_reports=sum(reports[i].level == Level.DEPARTMENT for i in ids),
        cells=cells,
        matching_reports=sum(any(c.get(i) for c in counts.values()) for i in ids),
        has_terms=bool(counts),
        filters=_exact_filters(tree, div, ids, places, levels),
    )


def _cell(column: Column, reports: list[Report], counts: Mapping[str, int]) -> Cell:
    if column.year is not None:
        reports = [r for r in reports if r.report_year == column.year]
    matching = [r for r in reports if counts.get(r.report_id)]
    years = [r.report_year for r in matching if r.report_year is not None]
    return Cell(
        column=column,
        reports=len(reports),
        matching_reports=len(matching),
        paragraphs=sum(counts[r.report_id] for r in matching),
        first_year=min(years, default=None),
        last_year=max(years, default=None),
        matching_ids=tuple(r.report_id for r in matching),
    )


# ---------------------------------------------------------------------- sorting

SORT_KEYS = ("name", "reports", "status")
_STATUS_ORDER = {Status.MATCHES: 0, Status.INDEXED: 0, Status.NEVER: 1, Status.NOT_INDEXED: 2}


def sort_rows(comparison: Comparison, order: str) -> tuple[CompareRow, ...]:
    """The rows sorted by ``order``: ``name`` (gazetteer order), ``reports``, ``status`` or a
    column key (``c0``: matching paragraphs, then matching reports); ``-`` in front for
    descending. QueryError for an unknown key."""
    descending = order.startswith("-")
    key = order.lstrip("-") or "name"
    columns = {c.key: i for i, c in enumerate(comparison.columns)}
    if key not in SORT_KEYS and key not in columns:
        raise QueryError(f"未知的排序 order={order[:20]}，可选 name、reports、status 或列名 c0、c1…")
    rows = list(comparison.rows)  # gazetteer (code) order: the tie-break of every key
    if key == "reports":
        rows.sort(key=lambda r: len(r.report_ids), reverse=descending)
    elif key == "status":
        rows.sort(key=lambda r: _STATUS_ORDER[r.status], reverse=descending)
    elif key in columns:
        i = columns[key]
        rows.sort(key=lambda r: (r.cells[i].paragraphs, r.cells[i].matching_reports,
                                 r.cells[i].reports), reverse=descending)
    elif descending:
        rows.reverse()
    return tuple(rows)


__all__ = ["Cell", "Column", "CompareRequest", "CompareRow", "Comparison", "STATUS_LABELS",
           "Status", "compare", "passes_report_filters", "sort_rows"]
