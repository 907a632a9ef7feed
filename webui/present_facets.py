"""What the facet sidebar and the facet listing page show beyond the values: the sort toggle,
"show all" links and value search boxes of truncated facets, and the listed values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from indexer import Facet, FacetSort, FacetValue

from .params import JURISDICTION_LEVELS, SearchState
from .present import FIELD_LABELS, value_label

UrlFor = Callable[[SearchState], str]

FACET_SORT_LABELS = {FacetSort.PARAGRAPHS: "段落数", FacetSort.REPORTS: "报告数",
                     FacetSort.VALUE: "名称"}
# The sidebar block each facet field is shown in.
BLOCK_OF = {**{f: "jurisdiction" for f in JURISDICTION_LEVELS}, "report_year": "report_year",
            "level": "level", "section": "section"}


@dataclass(frozen=True, slots=True)
class SortLink:
    order: str
    label: str
    url: str
    current: bool


def facet_sort_links(state: SearchState, url_for: UrlFor) -> list[SortLink]:
    """The facet order toggle: one link per order, the current one marked."""
    return [SortLink(order.value, label, url_for(state.with_(facet_sort=order)), state.facet_sort is order)
            for order, label in FACET_SORT_LABELS.items()]


@dataclass(frozen=True, slots=True)
class MoreLink:
    field: str
    label: str  # 全部县（区）
    url: str


@dataclass(frozen=True, slots=True)
class BlockTools:
    """A truncated block's "show all" links (one per truncated field) and the fields its
    value search box can search (the first is the default)."""

    more: tuple[MoreLink, ...]
    search_fields: tuple[tuple[str, str], ...]  # (field, label)


def block_tools(facets: Iterable[Facet], listing_url: Callable[[str], str]
                ) -> dict[str, BlockTools]:
    """Block name -> its tools, for the blocks that list only part of their values."""
    by_block: dict[str, list[str]] = {}
    for facet in facets:
        block = BLOCK_OF.get(facet.name)
        if block and facet.truncated:
            by_block.setdefault(block, []).append(facet.name)
    out = {}
    for block, fields in by_block.items():
        more = tuple(MoreLink(f, f"全部{FIELD_LABELS.get(f, f)}", listing_url(f)) for f in fields)
        # The deepest truncated level first: it is the one with most values to look through.
        ordered = sorted(fields, key=lambda f: -_depth(f))
        out[block] = BlockTools(more, tuple((f, FIELD_LABELS.get(f, f)) for f in ordered))
    return out


def _depth(field: str) -> int:
    return JURISDICTION_LEVELS.index(field) if field in JURISDICTION_LEVELS else 0


@dataclass(frozen=True, slots=True)
class ListedValue:
    """One value on the facet listing page."""

    value: str
    label: str
    parent: str | None
    reports: int | None
    count: int
    selected: bool
    url: str

    @classmethod
    def of(cls, field: str, v: FacetValue, url: str) -> "ListedValue":
        return cls(v.value, value_label(field, v.value, v.label), v.parent, v.reports, v.count,
                   v.selected, url)
