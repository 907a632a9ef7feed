"""The comparison and trend state carried in the URL, and the links built from it.

``/compare`` and ``/trend`` (and their CSV/JSON twins) accept:
``q`` (repeatable: one term per value), ``mode``, ``scope``, ``area`` (a gazetteer code, a name
such as 苏州市, or a full name such as 江苏省苏州市; empty = the whole country), ``level``
(comparison: the row level; trend: only reports of that level), the report filters
``report_year``, ``section``, ``report_id``; for comparisons also ``by=year`` (a column per
year), ``departments=0`` (leave department reports out) and ``order`` (``name``, ``reports``,
``status`` or a column key ``c0``…, ``-`` for descending).

A search page's URL is accepted as it is, so "compare this query" links need no translation:
its jurisdiction filters (``province=江苏省&city=苏州市``) become the area, its ``level`` filter the
level, and what the comparison does not use (``sort``, ``view``, ``page``) is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from indexer import Level, Mode, QueryError, Scope
from indexer import Area, area_tree, default_level, levels_below
from indexer import COUNTY, TOWN
from indexer import ALLOWED_FILTERS, MAX_TERMS, CompareRequest
from indexer import TrendRequest

from .params import MAX_PARAM_LENGTH, ArgsLike, _choice, parse_filter_args

JURISDICTION_FIELDS = ("province", "city", "county", "town")
MAX_ORDER_LENGTH = 20

Filters = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class AnalyticsState:
    """Everything a /compare or /trend URL says, validated; ``area`` resolved."""

    terms: tuple[str, ...] = ()
    mode: Mode = Mode.EXACT
    scope: Scope = Scope.PARAGRAPH
    area: Area | None = None
    level: str | None = None  # compare: always set after parsing; trend: None = every level
    filters: Filters = ()  # report_year, section, report_id only
    by_year: bool = False
    departments: bool = True
    order: str = "name"

    # ------------------------------------------------------------------ engine requests

    def compare_request(self) -> CompareRequest:
        return CompareRequest(terms=self.terms, level=self.level or Level.PROVINCE,
                              area=self.area, mode=self.mode, scope=self.scope,
                              filters=self.filters, by_year=self.by_year,
                              include_departments=self.departments)

    def trend_request(self) -> TrendRequest:
        return TrendRequest(terms=self.terms, level=self.level, area=self.area, mode=self.mode,
                            scope=self.scope, filters=self.filters)

    # ------------------------------------------------------------------ links

    def pairs(self, *, with_order: bool = True) -> list[tuple[str, str]]:
        out = [("q", t) for t in self.terms]
        if self.mode != Mode.EXACT:
            out.append(("mode", self.mode.value))
        if self.scope != Scope.PARAGRAPH:
            out.append(("scope", self.scope.value))
        if self.area is not None and self.area.code:
            out.append(("area", self.area.code))
        if self.level:
            out.append(("level", self.level))
        for name, values in self.filters:
            out.extend((name, v) for v in values)
        if self.by_year:
            out.append(("by", "year"))
        if not self.departments:
            out.append(("departments", "0"))
        if with_order and self.order != "name":
            out.append(("order", self.order))
        return out

    def query_string(self, **changes: object) -> str:
        state = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        pairs = state.pairs()
        return ("?" + urlencode(pairs)) if pairs else ""

    def search_pairs(self, term: str) -> list[tuple[str, str]]:
        """A search URL's pairs for ``term`` under this state's mode, scope and filters."""
        out = [("q", term)]
        if self.mode != Mode.EXACT:
            out.append(("mode", self.mode.value))
        if self.scope != Scope.PARAGRAPH:
            out.append(("scope", self.scope.value))
        return out


def parse_analytics(args: ArgsLike, *, for_trend: bool = False) -> AnalyticsState:
    """Read the state of /compare or /trend from request args; QueryError (HTTP 400) on values
    that make no sense."""
    tree = area_tree()
    terms = tuple(dict.fromkeys(t.strip() for t in args.getlist("q") if t and t.strip()))
    if len(terms) > MAX_TERMS:
        raise QueryError(f"一次最多比较 {MAX_TERMS} 个检索词")
    if any(len(t) > MAX_PARAM_LENGTH for t in terms):
        raise QueryError(f"检索词过长（最多 {MAX_PARAM_LENGTH} 个字符）")
    mode = _choice(args, "mode", Mode, Mode.EXACT, "检索方式", "exact（精确）、fuzzy（模糊）")
    scope = _choice(args, "scope", Scope, Scope.PARAGRAPH, "范围", "paragraph（同段）、report（同篇）")
    filters = parse_filter_args(args)
    kept = tuple((f, vs) for f, vs in filters if f in ALLOWED_FILTERS)
    area_text = (args.get("area") or "").strip()
    if area_text:
        area = tree.resolve(area_text)
    else:
        # A comparison's rows lie below its area: a search within a town compares the towns
        # of its county.
        area = tree.from_filters((f for f in filters if f[0] in JURISDICTION_FIELDS),
                                 max_depth=TOWN if for_trend else COUNTY)
    level = _level(args, area, for_trend)
    order = (args.get("order") or "name").strip()[:MAX_ORDER_LENGTH] or "name"
    return AnalyticsState(
        terms=terms, mode=mode, scope=scope, area=area, level=level, filters=kept,
        by_year=(args.get("by") or "").strip() == "year",
        departments=(args.get("departments") or "1").strip() not in ("0", "no", "false"),
        order=order,
    )


def _level(args: ArgsLike, area: Area, for_trend: bool) -> str | None:
    """The level asked for (``level=``; a search's level filter when it names one value). For a
    comparison, a level that cannot lie inside the area (the form still carries the level of
    the previous area; a search within 苏州市 filtered to level=city) gives way to the level
    below the area, which the page names."""
    values = [v.strip() for v in args.getlist("level") if v and v.strip()]
    raw = values[0] if len(values) == 1 else ""  # several levels: no single one to use
    if raw and raw not in {str(v) for v in Level}:
        raise QueryError(f"未知的层级 level={raw[:20]}，可选 "
                         f"{'、'.join(str(v) for v in Level)}")
    if for_trend:
        return raw or None
    tree = area_tree()
    return raw if raw in levels_below(area, tree) else default_level(area, tree)
