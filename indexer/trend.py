"""Trends: for one or more terms, per report year, how many of the indexed reports mention each
term (numerator) out of how many reports of that year there are (denominator).

The population is every indexed report that passes the request's report filters, optionally of
one ``level`` (a department's reports are their own level, ``department``) and inside an area
(its place, see ``areas``, is the area or below it). A report mentions a term when
``report_match_counts`` gives it at least one matching paragraph under the request's mode,
scope and filters (a section filter restricts where the term must occur, not which reports
count). Reports without a report year are left out and counted in ``Trend.undated``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from .areas import NATIONAL, Area, AreaTree, area_tree
from .compare import ALLOWED_FILTERS, MAX_TERMS, Filters, passes_report_filters
from .errors import QueryError
from .models import Level, Mode, Report, Scope, SearchRequest

# A year with fewer reports than this is drawn and listed as a small sample.
SMALL_SAMPLE = 5


@dataclass(frozen=True, slots=True)
class TrendRequest:
    terms: tuple[str, ...]
    level: str | None = None  # a models.Level value, or None for every level
    area: Area | None = None  # None: the whole country (and reports without a place)
    mode: Mode = Mode.EXACT
    scope: Scope = Scope.PARAGRAPH
    filters: Filters = ()


@dataclass(frozen=True, slots=True)
class TrendPoint:
    year: int
    reports: int  # denominator: reports of that year in the population
    matching: int  # numerator: those with at least one matching paragraph
    paragraphs: int  # matching paragraphs in those reports

    @property
    def share(self) -> float | None:
        return self.matching / self.reports if self.reports else None

    @property
    def small(self) -> bool:
        """Too few reports that year for the share to mean much."""
        return self.reports < SMALL_SAMPLE


@dataclass(frozen=True, slots=True)
class TrendSeries:
    term: str
    points: tuple[TrendPoint, ...]  # one per year of Trend.years, ascending

    @property
    def total_matching(self) -> int:
        return sum(p.matching for p in self.points)


@dataclass(frozen=True, slots=True)
class Trend:
    request: TrendRequest
    area: Area
    years: tuple[int, ...]
    reports_per_year: tuple[int, ...]  # the denominators, aligned with years
    series: tuple[TrendSeries, ...]
    undated: int  # reports of the population without a report year (not counted)
    elapsed_ms: float = 0.0

    @property
    def total_reports(self) -> int:
        return sum(self.reports_per_year)


def trend(settings, request: TrendRequest, *, tree: AreaTree | None = None) -> Trend:
    """The trend for ``request`` (QueryError on bad terms, level or filters)."""
    from . import indexed_reports, report_match_counts

    started = time.perf_counter()
    tree = tree or area_tree()
    request = _checked(request)
    area = request.area or NATIONAL
    population = [r for r in indexed_reports(settings) if _counts(tree, area, request, r)]
    dated = [r for r in population if r.report_year is not None]
    years = tuple(sorted({r.report_year for r in dated}))  # type: ignore[type-var]
    denominators = {y: 0 for y in years}
    for r in dated:
        denominators[r.report_year] += 1  # type: ignore[index]
    series = []
    for term in request.terms:
        counts = report_match_counts(settings, SearchRequest(
            query=term, mode=request.mode, scope=request.scope, filters=request.filters,
            grouped=False, limit=0, with_facets=False))
        matching = {y: 0 for y in years}
        paragraphs = {y: 0 for y in years}
        for r in dated:
            n = counts.get(r.report_id, 0)
            if n:
                matching[r.report_year] += 1  # type: ignore[index]
                paragraphs[r.report_year] += n  # type: ignore[index]
        series.append(TrendSeries(term, tuple(
            TrendPoint(y, denominators[y], matching[y], paragraphs[y]) for y in years)))
    return Trend(request, area, years, tuple(denominators[y] for y in years), tuple(series),
                 len(population) - len(dated), (time.perf_counter() - started) * 1000)


def _checked(request: TrendRequest) -> TrendRequest:
    terms = tuple(dict.fromkeys(t.strip() for t in request.terms))
    if not terms or any(not t for t in terms):
        raise QueryError("请输入至少一个检索词（空检索词没有意义）")
    if len(terms) > MAX_TERMS:
        raise QueryError(f"一次最多比较 {MAX_TERMS} 个检索词")
    if request.level is not None and request.level not in {str(v) for v in Level}:
        raise QueryError(f"未知的层级“{request.level}”，可选 {'、'.join(str(v) for v in Level)}")
    for name, _values in request.filters:
        if name not in ALLOWED_FILTERS:
            raise QueryError(f"趋势按地区和层级选择报告，不接受筛选条件 {name}；"
                             f"可用的筛选：{'、'.join(ALLOWED_FILTERS)}")
    return replace(request, terms=terms)


def _counts(tree: AreaTree, area: Area, request: TrendRequest, report: Report) -> bool:
    """The report belongs to the trend's population."""
    if request.level is not None and report.level != request.level:
        return False
    if not passes_report_filters(report, request.filters):
        return False
    if area.division is None:
        return True
    place = tree.place_of(report)
    return place is not None and tree.contains(area, place)


__all__ = ["SMALL_SAMPLE", "Trend", "TrendPoint", "TrendRequest", "TrendSeries", "trend"]
