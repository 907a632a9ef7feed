"""Turn engine records into what templates render: facet trees, chips, pagination, labels.

Templates only render; every decision (which cities to show, what a link toggles, which pages to
list) is made here, where it can be tested without HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from indexer import LEVEL_LABELS, SECTION_LABELS, Facet, FacetValue, Report

from .params import JURISDICTION_LEVELS, SearchState

FIELD_LABELS: dict[str, str] = {
    "province": "省",
    "city": "市",
    "county": "县（区）",
    "town": "乡镇（街道）",
    "level": "层级",
    "report_year": "年份",
    "section": "章节",
    "report_id": "报告",
}

UrlFor = Callable[[SearchState], str]


def value_label(field: str, value: str, label: str | None = None) -> str:
    """How a filter value reads in the UI (section and level codes get their Chinese names)."""
    if label:
        return label
    if field == "section":
        return SECTION_LABELS.get(value, value)
    if field == "level":
        return LEVEL_LABELS.get(value, value)
    if field == "report_year":
        return f"{value}年"
    return value


def level_label(report: Report) -> str:
    return LEVEL_LABELS.get(report.level, "") if report.level else ""


def section_label(section: str) -> str:
    return SECTION_LABELS.get(section, section)


# ---------------------------------------------------------------------- facets


@dataclass(frozen=True, slots=True)
class FacetNode:
    """One clickable facet value; ``children`` are the places under it that are shown."""

    field: str
    value: str
    label: str
    count: int
    selected: bool
    url: str
    children: tuple["FacetNode", ...] = ()
    reports: int | None = None  # matching reports (``count``: paragraphs)


@dataclass(frozen=True, slots=True)
class FacetBlock:
    """A facet as the sidebar shows it."""

    name: str
    title: str
    nodes: tuple[FacetNode, ...]
    truncated: bool = False


def facet_blocks(facets: Iterable[Facet], state: SearchState, url_for: UrlFor) -> list[FacetBlock]:
    """The sidebar: a jurisdiction tree (省 > 市 > 县 > 镇), then year, level and section."""
    by_name = {f.name: f for f in facets}
    blocks: list[FacetBlock] = []
    tree = _jurisdiction_tree(by_name, state, url_for)
    if tree:
        truncated = any(by_name[n].truncated for n in JURISDICTION_LEVELS if n in by_name)
        blocks.append(FacetBlock("jurisdiction", "地区", tuple(tree), truncated))
    for name, title in (("report_year", "年份"), ("level", "层级"), ("section", "章节")):
        facet = by_name.get(name)
        if facet is None or not facet.values:
            continue
        values = list(facet.values)
        if name == "report_year":
            values.sort(key=lambda v: v.value, reverse=True)
        nodes = tuple(_node(name, v, state, url_for) for v in values)
        blocks.append(FacetBlock(name, title, nodes, facet.truncated))
    return blocks


def _node(
    field: str,
    value: FacetValue,
    state: SearchState,
    url_for: UrlFor,
    children: tuple[FacetNode, ...] = (),
    descendants: dict[str, list[tuple[str, str]]] | None = None,
) -> FacetNode:
    selected = value.selected or state.is_selected(field, value.value)
    return FacetNode(
        field=field,
        value=value.value,
        label=value_label(field, value.value, value.label),
        count=value.count,
        reports=value.reports,
        selected=selected,
        url=url_for(state.toggled(field, value.value, descendants)),
        children=children,
    )


def _jurisdiction_tree(
    by_name: dict[str, Facet], state: SearchState, url_for: UrlFor
) -> list[FacetNode]:
    """Provinces at the root; a place's children shown when it is selected, holds a selected
    place or is the only one."""
    levels = [(n, list(by_name[n].values)) for n in JURISDICTION_LEVELS if n in by_name]
    descendants = _descendant_filters(levels, state)

    def build(depth: int, parent: str | None) -> list[FacetNode]:
        if depth >= len(levels):
            return []
        field, values = levels[depth]
        higher = {v.value for v in levels[depth - 1][1]} if depth else set()
        if depth == 0:
            mine = values
        elif parent is None:
            # Places whose parent is unknown or not listed (a city-level report without a
            # province, say) still need a home: the root.
            mine = [v for v in values if v.parent is None or v.parent not in higher]
        else:
            mine = [v for v in values if v.parent == parent]
        nodes = []
        for v in mine:
            selected = v.selected or state.is_selected(field, v.value)
            # Open along the path to a selected place too: its siblings show under their parent.
            expand = selected or len(mine) == 1 or bool(descendants.get(f"{field}={v.value}"))
            children = tuple(build(depth + 1, v.value)) if expand else ()
            nodes.append(_node(field, v, state, url_for, children, descendants))
        return nodes

    roots = build(0, None)
    for depth in range(1, len(levels)):
        if _has_orphans(levels, depth):
            roots.extend(build(depth, None))
    return roots


def _has_orphans(levels: list[tuple[str, list[FacetValue]]], depth: int) -> bool:
    higher = {v.value for v in levels[depth - 1][1]}
    return any(v.parent is None or v.parent not in higher for v in levels[depth][1])


def _descendant_filters(
    levels: list[tuple[str, list[FacetValue]]], state: SearchState
) -> dict[str, list[tuple[str, str]]]:
    """For each place "field=value": the selected places under it (dropped along with it)."""
    parent_of: dict[tuple[str, str], tuple[str, str]] = {}
    for depth in range(1, len(levels)):
        field, values = levels[depth]
        higher_field = levels[depth - 1][0]
        for v in values:
            if v.parent is not None:
                parent_of[(field, v.value)] = (higher_field, v.parent)
    result: dict[str, list[tuple[str, str]]] = {}
    for field, _ in levels:
        for value in state.filter_values(field):
            key = parent_of.get((field, value))
            while key is not None:
                result.setdefault(f"{key[0]}={key[1]}", []).append((field, value))
                key = parent_of.get(key)
    return result


# ---------------------------------------------------------------------- chips


@dataclass(frozen=True, slots=True)
class Chip:
    """A selected filter value, shown above the results with a link that removes it."""

    field: str
    field_label: str
    label: str
    remove_url: str


CHIPS_PER_FIELD = 5  # more selected values of one field are shown as one chip


def chips(state: SearchState, facets: Iterable[Facet], url_for: UrlFor) -> list[Chip]:
    levels = [(f.name, list(f.values)) for f in facets if f.name in JURISDICTION_LEVELS]
    levels.sort(key=lambda item: JURISDICTION_LEVELS.index(item[0]))
    descendants = _descendant_filters(levels, state)
    result = []
    for field, values in state.filters:
        if len(values) > CHIPS_PER_FIELD:
            # One chip for the field: a chip per value, each linking to all the other values,
            # would make the page grow with the square of the number of values.
            label = f"{len(values)} 项：" + "、".join(value_label(field, v) for v in values[:3]) + "…"
            result.append(Chip(field, FIELD_LABELS.get(field, field), label,
                               url_for(state.with_filter(field, ()))))
            continue
        result.extend(
            Chip(
                field=field,
                field_label=FIELD_LABELS.get(field, field),
                label=value_label(field, value),
                remove_url=url_for(state.toggled(field, value, descendants)),
            )
            for value in values
        )
    return result


# ---------------------------------------------------------------------- pagination


@dataclass(frozen=True, slots=True)
class PageLink:
    number: int | None  # None: an ellipsis
    url: str | None
    current: bool = False


@dataclass(frozen=True, slots=True)
class Pagination:
    page: int
    pages: int
    prev_url: str | None
    next_url: str | None
    links: tuple[PageLink, ...]


def pagination(
    state: SearchState, total_items: int, page_size: int, url_for: UrlFor, window: int = 2
) -> Pagination | None:
    """Page links around the current page (first and last always), or None for one page."""
    pages = max(1, -(-total_items // page_size)) if page_size > 0 else 1
    if pages <= 1 and state.page <= 1:
        return None
    page = state.page

    def url(n: int) -> str:
        return url_for(state.with_(page=n))

    numbers = sorted(
        {1, pages} | {n for n in range(page - window, page + window + 1) if 1 <= n <= pages}
    )
    links: list[PageLink] = []
    previous = 0
    for n in numbers:
        if n - previous > 1:
            links.append(PageLink(None, None))
        links.append(PageLink(n, url(n), n == page))
        previous = n
    return Pagination(
        page=page,
        pages=pages,
        prev_url=url(min(page - 1, pages)) if page > 1 else None,
        next_url=url(page + 1) if page < pages else None,
        links=tuple(links),
    )


# ---------------------------------------------------------------------- excerpts


@dataclass(frozen=True, slots=True)
class Excerpt:
    """A window of a long passage around its first match; spans are relative to ``text``."""

    text: str
    spans: tuple[tuple[int, int], ...]
    cut_before: bool
    cut_after: bool


def excerpt(
    text: str, spans: Iterable[tuple[int, int]], max_chars: int = 320, lead: int = 60
) -> Excerpt:
    """``text`` whole when short; else ``max_chars`` of it starting ``lead`` before the first
    match, with the spans inside the window shifted (and clipped) to it."""
    spans = tuple(spans)
    if len(text) <= max_chars:
        return Excerpt(text, spans, False, False)
    first = min((s for s, _ in spans), default=0)
    start = max(0, min(first - lead, len(text) - max_chars))
    end = start + max_chars
    shifted = tuple(
        (max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start
    )
    return Excerpt(text[start:end], shifted, start > 0, end < len(text))
