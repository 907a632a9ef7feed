"""The search state carried in the URL: parse it from query args, build SearchRequests and links.

Every view of the search page is a permalink: ``q``, ``mode``, ``scope``, ``sort``, ``view``,
``page`` (and ``limit`` for the API) plus filters named like the fields, repeatable
(``province=江苏省&report_year=2023``). The HTML page, the JSON API and the CSV export all parse
their arguments here, so they accept exactly the same URLs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable, Mapping, Protocol
from urllib.parse import urlencode

from indexer import (
    FILTER_FIELDS,
    FacetSort,
    Mode,
    QueryError,
    Scope,
    SearchIn,
    SearchRequest,
    Settings,
    Sort,
    date_range,
    parse_filters,
)

VIEWS = ("grouped", "flat")
MAX_PAGE = 10_000  # deeper pages are refused: nobody pages that far, and offsets stay small
MAX_API_LIMIT = 1_000  # /api/search returns at most this many hits (or reports) per page
MAX_PARAM_LENGTH = 2_000  # longer filter values are junk, rejected before reaching the engine
MAX_VALUES_PER_FILTER = 50  # e.g. 50 counties compared at once; more is refused
MAX_FILTER_VALUES = 100  # all filters together
MAX_QUERY_STRING = 16 * 1024  # bytes of the URL after "?" (a page's links repeat it)
MAX_ARGS = 200  # query-string pairs of all names, unknown ones included
# Parameters that take one value: a second one is refused rather than silently ignored.
SINGLE_VALUED = ("q", "mode", "scope", "sort", "view", "page", "limit", "in", "published_from",
                 "published_to", "facet_sort")
MAX_DATE_LENGTH = 20  # 2023-06-30 and its spellings (2023年6月30日) are shorter

# Lower jurisdiction levels that depend on a higher one (dropping 江苏省 drops 苏州市 too).
JURISDICTION_LEVELS = ("province", "city", "county", "town")

Filters = tuple[tuple[str, tuple[str, ...]], ...]


class ArgsLike(Protocol):
    """What parse_state needs of request args (werkzeug's MultiDict has it)."""

    def get(self, key: str, default: str | None = None) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...

    def keys(self) -> Iterable[str]: ...


@dataclass(frozen=True, slots=True)
class SearchState:
    """Everything a search URL says, validated."""

    q: str = ""
    mode: Mode = Mode.EXACT
    scope: Scope = Scope.PARAGRAPH
    sort: Sort = Sort.RELEVANCE
    view: str = "grouped"
    page: int = 1
    limit: int | None = None  # only the API lets the client choose the page size
    filters: Filters = ()
    search_in: SearchIn = SearchIn.FULLTEXT  # ``in``: fulltext (全文) or title (标题)
    published_from: str = ""  # publication-date bounds as typed (validated), "" = open
    published_to: str = ""
    facet_sort: FacetSort = FacetSort.PARAGRAPHS

    # ------------------------------------------------------------------ derived values

    @property
    def grouped(self) -> bool:
        return self.view == "grouped"

    @property
    def has_filters(self) -> bool:
        return bool(self.filters)

    @property
    def has_dates(self) -> bool:
        return bool(self.published_from or self.published_to)

    @property
    def in_title(self) -> bool:
        return self.search_in is SearchIn.TITLE

    @property
    def is_empty(self) -> bool:
        """No query, no filter and no date range: the landing page."""
        return not self.q.strip() and not self.filters and not self.has_dates

    def filter_values(self, field: str) -> tuple[str, ...]:
        return dict(self.filters).get(field, ())

    def is_selected(self, field: str, value: str) -> bool:
        return value in self.filter_values(field)

    def page_size(self, settings: Settings) -> int:
        return self.limit if self.limit is not None else settings.page_size

    def to_request(self, settings: Settings, **overrides: object) -> SearchRequest:
        """The engine request for this state (page ``page`` of ``page_size`` items)."""
        size = self.page_size(settings)
        values: dict[str, object] = dict(
            query=self.q,
            mode=self.mode,
            scope=self.scope,
            filters=self.filters,
            sort=self.sort,
            grouped=self.grouped,
            limit=size,
            offset=(self.page - 1) * size,
            paragraphs_per_report=settings.paragraphs_per_report,
            with_facets=True,
            search_in=self.search_in,
            published_from=self.published_from or None,
            published_to=self.published_to or None,
            facet_sort=self.facet_sort,
        )
        values.update(overrides)
        return SearchRequest(**values)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ links

    def to_pairs(self) -> list[tuple[str, str]]:
        """The query-string pairs of this state, defaults left out so URLs stay short."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        if self.mode != Mode.EXACT:
            pairs.append(("mode", self.mode.value))
        if self.scope != Scope.PARAGRAPH:
            pairs.append(("scope", self.scope.value))
        if self.sort != Sort.RELEVANCE:
            pairs.append(("sort", self.sort.value))
        if self.view != "grouped":
            pairs.append(("view", self.view))
        if self.search_in is not SearchIn.FULLTEXT:
            pairs.append(("in", self.search_in.value))
        for field, values in self.filters:
            pairs.extend((field, v) for v in values)
        if self.published_from:
            pairs.append(("published_from", self.published_from))
        if self.published_to:
            pairs.append(("published_to", self.published_to))
        if self.facet_sort is not FacetSort.PARAGRAPHS:
            pairs.append(("facet_sort", self.facet_sort.value))
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        if self.limit is not None:
            pairs.append(("limit", str(self.limit)))
        return pairs

    def query_string(self) -> str:
        pairs = self.to_pairs()
        return ("?" + urlencode(pairs)) if pairs else ""

    def with_(self, **changes: object) -> "SearchState":
        """A copy with some fields changed; any change but ``page`` restarts at page 1."""
        if "page" not in changes:
            changes["page"] = 1
        for name, enum in (("mode", Mode), ("scope", Scope), ("sort", Sort),
                           ("search_in", SearchIn), ("facet_sort", FacetSort)):
            if name in changes:
                changes[name] = enum(changes[name])
        return replace(self, **changes)  # type: ignore[arg-type]

    def with_filter(self, field: str, values: Iterable[str]) -> "SearchState":
        """A copy where ``field`` accepts exactly ``values`` (none: the filter is dropped)."""
        values = tuple(dict.fromkeys(values))
        kept = [(f, v) for f, v in self.filters if f != field]
        if values:
            kept.append((field, values))
        order = {f: i for i, f in enumerate(FILTER_FIELDS)}
        kept.sort(key=lambda item: order.get(item[0], len(order)))
        return self.with_(filters=tuple(kept))

    def toggled(
        self,
        field: str,
        value: str,
        children: Mapping[str, Iterable[tuple[str, str]]] | None = None,
    ) -> "SearchState":
        """Select ``value`` in ``field``, or deselect it; either way the selected places under
        it (``children``, if given) are dropped: selecting an ancestor widens the selection to
        it instead of adding a filter that changes nothing."""
        current = self.filter_values(field)
        if value not in current:
            state = self.with_filter(field, (*current, value))
        else:
            state = self.with_filter(field, (v for v in current if v != value))
        for child_field, child_value in (children or {}).get(f"{field}={value}", ()):
            state = state.with_filter(
                child_field, (v for v in state.filter_values(child_field) if v != child_value)
            )
        return state


# ---------------------------------------------------------------------- parsing


def parse_state(args: ArgsLike, *, allow_limit: bool = False) -> SearchState:
    """Read a SearchState from request args; QueryError (HTTP 400) on values that make no sense.

    Unknown parameters are ignored (links from elsewhere may carry tracking tags). ``page`` and
    ``limit`` must be plain decimal numbers in their ranges (1..MAX_PAGE, 0..MAX_API_LIMIT);
    nothing is clamped silently, so the JSON's ``limit`` is always the one used.
    """
    for name in SINGLE_VALUED:
        if len(args.getlist(name)) > 1:
            raise QueryError(f"参数 {name} 只能给一次，收到 {len(args.getlist(name))} 个值")
    q = args.get("q", "") or ""
    mode = _choice(args, "mode", Mode, Mode.EXACT, "检索方式", "exact（精确）、fuzzy（模糊）")
    scope = _choice(args, "scope", Scope, Scope.PARAGRAPH, "范围", "paragraph（同段）、report（同篇）")
    sort = _choice(args, "sort", Sort, Sort.RELEVANCE, "排序",
                   "relevance、newest、oldest、published_newest、published_oldest")
    search_in = _choice(args, "in", SearchIn, SearchIn.FULLTEXT, "检索范围",
                        "fulltext（全文）、title（标题）")
    facet_sort = _choice(args, "facet_sort", FacetSort, FacetSort.PARAGRAPHS, "筛选项排序",
                         "paragraphs（段落数）、reports（报告数）、value（名称）")
    published_from, published_to = parse_date_args(args)
    view = (args.get("view") or "grouped").strip()
    if view not in VIEWS:
        raise QueryError(f"未知的显示方式 view={_quote(view)}，可选 grouped（按报告）、flat（按段落）")
    page = strict_int(args.get("page"), "page", default=1, low=1, high=MAX_PAGE)
    limit = None
    if allow_limit and args.get("limit") not in (None, ""):
        limit = strict_int(args.get("limit"), "limit", default=20, low=0, high=MAX_API_LIMIT)
    return SearchState(
        q=q,
        mode=mode,
        scope=scope,
        sort=sort,
        view=view,
        page=page,
        limit=limit,
        filters=parse_filter_args(args),
        search_in=search_in,
        published_from=published_from,
        published_to=published_to,
        facet_sort=facet_sort,
    )


def parse_date_args(args: ArgsLike) -> tuple[str, str]:
    """``published_from`` and ``published_to`` as typed (trimmed), checked by the engine:
    QueryError for a bad date or a start after the end."""
    first = (args.get("published_from") or "").strip()
    last = (args.get("published_to") or "").strip()
    for name, value in (("published_from", first), ("published_to", last)):
        if len(value) > MAX_DATE_LENGTH:
            raise QueryError(f"参数 {name} 过长：日期请写成 2023、2023-06 或 2023-06-30")
    date_range(first or None, last or None)
    return first, last


def parse_filter_args(args: ArgsLike) -> Filters:
    """The filter fields present in ``args`` (empty values ignored), validated by the engine."""
    pairs: list[tuple[str, str]] = []
    for field in FILTER_FIELDS:
        values = [raw.strip() for raw in args.getlist(field)]
        values = list(dict.fromkeys(v for v in values if v))
        if len(values) > MAX_VALUES_PER_FILTER:
            raise QueryError(
                f"筛选条件 {field} 的值过多：{len(values)} 个（每项最多 {MAX_VALUES_PER_FILTER} 个）"
            )
        for value in values:
            if len(value) > MAX_PARAM_LENGTH:
                raise QueryError(f"筛选值过长：{field}（最多 {MAX_PARAM_LENGTH} 个字符）")
            pairs.append((field, value))
    if len(pairs) > MAX_FILTER_VALUES:
        raise QueryError(f"筛选值过多：共 {len(pairs)} 个（最多 {MAX_FILTER_VALUES} 个）")
    if not pairs:
        return ()
    return tuple(parse_filters(pairs))


def _choice(args: ArgsLike, name: str, enum: type, default: object, label: str, allowed: str):
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        return enum(raw)
    except ValueError:
        raise QueryError(f"未知的{label} {name}={_quote(raw)}，可选 {allowed}") from None


def check_size(query_string: bytes, args: Callable[[], ArgsLike]) -> None:
    """QueryError when a URL's query string is too big to be a search someone means (its
    length is checked before ``args()`` parses it)."""
    if len(query_string) > MAX_QUERY_STRING:
        raise QueryError(
            f"网址参数过长：{len(query_string)} 字节（最多 {MAX_QUERY_STRING} 字节），请减少筛选条件"
        )
    pair_count = sum(len(args().getlist(key)) for key in args().keys())
    if pair_count > MAX_ARGS:
        raise QueryError(f"网址参数过多：{pair_count} 个（最多 {MAX_ARGS} 个）")


def strict_int(raw: str | None, name: str, *, default: int, low: int, high: int) -> int:
    """``raw`` as a decimal integer in [low, high]; QueryError (HTTP 400) otherwise."""
    raw = (raw or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise QueryError(f"参数 {name} 必须是 {low} 到 {high} 之间的整数，收到 {_quote(raw)}")
    value = int(raw)
    if not low <= value <= high:
        raise QueryError(f"参数 {name} 必须是 {low} 到 {high} 之间的整数，收到 {value}")
    return value


def _quote(value: str, limit: int = 40) -> str:
    """A user value for an error message: shortened (escaping is the template's job)."""
    return f"“{value[:limit]}{'…' if len(value) > limit else ''}”"
