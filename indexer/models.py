"""Typed records that flow through the pipeline: sources -> parse -> metadata -> index -> search.

Records are frozen dataclasses; fixed choices are StrEnums. Nothing here knows about Whoosh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Level(StrEnum):
    """Who wrote a report: a government at some level, or a department serving an area.

    A 直辖市 or an autonomous region is a province; national organs (国务院 and its 部委, 全国人大,
    中共中央) are ``national``. A department's level is its status plus the level of the area
    it serves, so "county-level departments" is one value; ``department`` alone is a department
    whose area is unknown."""

    NATIONAL = "national"
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWN = "town"
    PROVINCE_DEPARTMENT = "province_department"
    CITY_DEPARTMENT = "city_department"
    COUNTY_DEPARTMENT = "county_department"
    DEPARTMENT = "department"


class Section(StrEnum):
    """The standard outline of a 法治政府建设情况报告."""

    LEADERSHIP = "leadership"  # 党政主要负责人履行推进法治建设第一责任人职责
    MEASURES = "measures"  # 主要举措和成效
    SHORTCOMINGS = "shortcomings"  # 存在的不足/问题/差距 and their causes
    PLANS = "plans"  # 下一年度/下一步 工作安排/打算
    OTHER = "other"


SECTION_LABELS: dict[str, str] = {
    Section.LEADERSHIP: "第一责任人职责",
    Section.MEASURES: "主要举措和成效",
    Section.SHORTCOMINGS: "存在的不足",
    Section.PLANS: "下一年度安排",
    Section.OTHER: "其他",
}

LEVEL_LABELS: dict[str, str] = {
    Level.NATIONAL: "国家级",
    Level.PROVINCE: "省级",
    Level.CITY: "市级",
    Level.COUNTY: "县级",
    Level.TOWN: "乡镇街道",
    Level.PROVINCE_DEPARTMENT: "省级部门",
    Level.CITY_DEPARTMENT: "市级部门",
    Level.COUNTY_DEPARTMENT: "县级部门",
    Level.DEPARTMENT: "部门（层级未明）",
}


# ---------------------------------------------------------------- ingest records


@dataclass(frozen=True, slots=True)
class RawDocument:
    """A decoded source file. For HTML, ``text`` is the main text block, one block per line group."""

    source_path: str  # path as given / found on disk
    relative_path: str  # path relative to the corpus root, "/"-separated, with suffix
    content_sha256: str  # of the raw bytes
    encoding: str  # "utf-8", "utf-8-sig", "gb18030"
    kind: str  # "txt" | "md" | "html"
    text: str
    html_meta: dict[str, str] = field(default_factory=dict)  # <title>, <meta name=...> values


@dataclass(frozen=True, slots=True)
class ParsedParagraph:
    """A paragraph as parse() sees it, before report metadata is known."""

    text: str
    is_heading: bool = False
    heading_level: int | None = None  # 1 = 一、 ; 2 = （一） ; 3 = 1. ; 4 = (1)
    heading_path: tuple[str, ...] = ()
    section: Section = Section.OTHER


@dataclass(frozen=True, slots=True)
class ParsedReport:
    """A document cleaned of page furniture and cut into paragraphs."""

    raw: RawDocument
    paragraphs: tuple[ParsedParagraph, ...]
    # Facts read from page furniture that was removed (keys such as "source", "published",
    # "doc_number", "title", "issuer", "url"), as printed.
    furniture: dict[str, str] = field(default_factory=dict)
    # Lines that were dropped as furniture, in order (for metadata heuristics and debugging).
    dropped_lines: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    """One report's metadata. ``report_id`` is the source path relative to its corpus root,
    without suffix."""

    report_id: str
    source_path: str
    content_sha256: str
    title: str | None = None
    issuer: str | None = None
    jurisdiction: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    town: str | None = None
    level: Level | None = None
    report_year: int | None = None
    published: str | None = None  # ISO date
    doc_number: str | None = None
    source_url: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Paragraph:
    report_id: str
    n: int
    text: str
    heading_path: tuple[str, ...] = ()
    is_heading: bool = False
    section: Section = Section.OTHER


@dataclass(frozen=True, slots=True)
class IngestedReport:
    """What ingest makes of one file: its metadata and its paragraphs."""

    report: Report
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True, slots=True)
class IngestProblem:
    """A file that was skipped, and why (shown in summaries, never a traceback). ``kind``:
    "file" a file that could not be ingested; "walk" an entry a folder's walk left out (link
    out of the corpus, excluded, note, unsupported type, unreadable folder: ``path`` is then
    that folder); "manifest" a problem of a manifest (``path`` is FILE:LINE or the manifest
    file: a bad line, a duplicate row, a row for a missing file), nothing skipped for it."""

    path: str
    reason: str
    kind: str = "file"  # "file" | "walk" | "manifest"


# ---------------------------------------------------------------- search records


class Mode(StrEnum):
    EXACT = "exact"  # 精确: normalised substring, grep-equal
    FUZZY = "fuzzy"  # 模糊: all jieba words of the term, any order


class Scope(StrEnum):
    PARAGRAPH = "paragraph"  # 同段
    REPORT = "report"  # 同篇


class Sort(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"  # report year, newest first
    OLDEST = "oldest"
    PUBLISHED_NEWEST = "published_newest"  # publication date; reports without one last
    PUBLISHED_OLDEST = "published_oldest"


class SearchIn(StrEnum):
    """Where the terms are looked for: paragraph texts (全文) or report titles (标题)."""

    FULLTEXT = "fulltext"
    TITLE = "title"


class FacetSort(StrEnum):
    """Order of a facet's values (the year facet is always in year order)."""

    PARAGRAPHS = "paragraphs"  # most matching paragraphs first
    REPORTS = "reports"  # most matching reports first
    VALUE = "value"  # by value: the outline / level order, place names by pinyin


FILTER_FIELDS: tuple[str, ...] = (
    "province",
    "city",
    "county",
    "town",
    "level",
    "report_year",
    "section",
    "report_id",
)
FACET_FIELDS: tuple[str, ...] = ("province", "city", "county", "town", "level", "report_year", "section")


@dataclass(frozen=True, slots=True)
class SearchRequest:
    query: str = ""
    mode: Mode = Mode.EXACT
    scope: Scope = Scope.PARAGRAPH
    # field -> accepted values (OR within a field, AND across fields); fields from FILTER_FIELDS
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sort: Sort = Sort.RELEVANCE
    grouped: bool = True  # group hits by report (limit/offset then count reports)
    limit: int = 20
    offset: int = 0
    paragraphs_per_report: int = 3  # hits kept in each ReportGroup
    with_facets: bool = True
    search_in: SearchIn = SearchIn.FULLTEXT  # title: every term is a title term (标题检索)
    # Publication-date range, as typed (YYYY, YYYY-MM or YYYY-MM-DD; inclusive); reports
    # without a date are left out when either bound is set.
    published_from: str | None = None
    published_to: str | None = None
    facet_sort: FacetSort = FacetSort.PARAGRAPHS

    def filter_map(self) -> dict[str, tuple[str, ...]]:
        return dict(self.filters)


@dataclass(frozen=True, slots=True)
class Hit:
    """A matching paragraph. ``highlights`` are [start, end) offsets into ``text``."""

    report_id: str
    n: int
    text: str
    highlights: tuple[tuple[int, int], ...]
    heading_path: tuple[str, ...]
    is_heading: bool
    section: Section
    score: float
    report: Report
    title_highlights: tuple[tuple[int, int], ...] = ()  # title terms' spans in report.title


@dataclass(frozen=True, slots=True)
class ReportGroup:
    """One report with its best matching paragraphs (``hits``) and how many match in all."""

    report: Report
    hits: tuple[Hit, ...]
    hit_count: int
    best_score: float


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    count: int
    selected: bool = False
    label: str | None = None  # display label (e.g. section names in Chinese)
    parent: str | None = None  # for jurisdiction drill-down: the value one level up
    reports: int | None = None  # matching reports with this value (count: paragraphs)


@dataclass(frozen=True, slots=True)
class Facet:
    name: str
    values: tuple[FacetValue, ...]
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class FacetPage:
    """A page of one facet's values under a search (every value, not a top-N): those whose
    value or label contains ``contains`` (or that it names, for places), ``total`` of them."""

    name: str
    values: tuple[FacetValue, ...]
    total: int
    offset: int
    limit: int
    contains: str = ""


@dataclass(frozen=True, slots=True)
class SearchResults:
    request: SearchRequest
    total_paragraphs: int
    total_reports: int
    hits: tuple[Hit, ...]  # flat page (or the hits of the page's groups, in order)
    groups: tuple[ReportGroup, ...]  # page of reports when request.grouped
    facets: tuple[Facet, ...]
    elapsed_ms: float
    # With a publication-date range: matching reports left out because they have no date.
    undated_reports: int | None = None


@dataclass(frozen=True, slots=True)
class IndexSummary:
    """What one `fazhi index` run did."""

    indexed: tuple[str, ...] = ()  # report ids added or replaced
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    skipped: tuple[IngestProblem, ...] = ()
    paragraphs: int = 0
    elapsed_s: float = 0.0
    notes: tuple[str, ...] = ()  # what the run decided on its own (a rebuild, a renamed id)


@dataclass(frozen=True, slots=True)
class IndexStats:
    reports: int
    paragraphs: int
    size_bytes: int
    facets: tuple[Facet, ...]  # reports/paragraphs per value: FacetValue.count = paragraphs
    report_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # facet -> value -> reports
    last_modified: str | None = None
