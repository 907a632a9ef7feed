"""fazhi-search's engine: ingest, analysis, index and search of Chinese government reports.

Front ends (the CLI and the web UI) use only the names exported here.
"""

from .config import Settings, load_settings
from .errors import (
    ConfigError,
    FazhiError,
    IndexBusyError,
    IndexDamagedError,
    IndexMissingError,
    IngestError,
    QueryError,
    ReportNotFoundError,
    SchemaVersionError,
)
from .models import (
    FACET_FIELDS,
    FILTER_FIELDS,
    LEVEL_LABELS,
    SECTION_LABELS,
    Facet,
    FacetPage,
    FacetSort,
    FacetValue,
    Hit,
    IndexStats,
    IndexSummary,
    IngestedReport,
    IngestProblem,
    Level,
    Mode,
    Paragraph,
    Report,
    ReportGroup,
    Scope,
    SearchIn,
    SearchRequest,
    SearchResults,
    Section,
    Sort,
)

# The heavier stages (whoosh, numpy, the gazetteer) are imported on first use, so that
# `fazhi inspect` or `fazhi --help` do not pay for the index and search layers.
_LAZY = {
    "highlight_html": "highlight",
    "parse_filters": "query",
    "ingested_to_dict": "serialize",
    "results_to_dict": "serialize",
    "ingest_file": "ingest",
    "ingest_paths": "ingest",
    "load_manifest": "manifest",
    "build_report": "metadata",
    "SourceFile": "sources",
    "find_sources": "sources",
    "resolve_filters": "filter_values",
    "FilterResolution": "filter_values",
    "suggestions": "understand",
    "suggestion_to_dict": "understand",
    "understanding_to_dict": "understand",
    "Suggestion": "understand",
    "parse_query": "query",
    "ParsedQuery": "query",
    "paragraph_number": "serialize",
    "MODE_LABELS": "understand",
    "SCOPE_LABELS": "understand",
    "REASON_UNREADABLE": "walk",
    "Area": "areas",
    "area_tree": "areas",
    "default_level": "areas",
    "levels_below": "areas",
    "DEPTH_LEVEL": "areas",
    "LEVEL_DEPTH": "areas",
    "COUNTY": "gazetteer",
    "TOWN": "gazetteer",
    "ALLOWED_FILTERS": "compare",
    "MAX_TERMS": "compare",
    "CompareRequest": "compare",
    "STATUS_LABELS": "compare",
    "Cell": "compare",
    "CompareRow": "compare",
    "Comparison": "compare",
    "sort_rows": "compare",
    "TrendRequest": "trend",
    "SMALL_SAMPLE": "trend",
    "Trend": "trend",
    "CONFIG_ENV": "config",
    "INDEX_ENV": "config",
    "settings_table": "config",
    "user_config_file": "config",
    "column_label": "tables",
    "comparison_rows": "tables",
    "comparison_to_dict": "tables",
    "csv_text": "tables",
    "trend_rows": "tables",
    "trend_to_dict": "tables",
    "IN_LABELS": "understand",
    "date_range": "pubdates",
    "IndexCheck": "index_check",
    "IndexProblem": "index_check",
}


# The index and search layers (whoosh, numpy) load when first *called*, not when imported:
# front ends import these names at start-up, and most commands never use most of them.


def _read(settings: Settings, name: str, *args):
    """Call ``indexer.searching.<name>``; an unexpected error met while the index is damaged
    (a file altered under a running process) becomes IndexDamagedError, naming the fix."""
    from . import searching

    try:
        return getattr(searching, name)(settings, *args)
    except FazhiError:
        raise
    except Exception as exc:
        damage = find_index_damage(settings)
        if damage is None:
            raise
        raise damage from exc


def search(settings: Settings, request: SearchRequest) -> SearchResults:
    """Run ``request`` against the index at ``settings.index_path`` (see indexer.searching)."""
    return _read(settings, "search", request)


def get_report(settings: Settings, report_id: str) -> IngestedReport:
    """The report ``report_id`` with all its paragraphs, from the index."""
    return _read(settings, "get_report", report_id)


def index_stats(settings: Settings) -> IndexStats:
    """Reports and paragraphs in the index, per facet value, and its size on disk."""
    return _read(settings, "index_stats")


def report_match_counts(settings: Settings, request: SearchRequest) -> dict[str, int]:
    """report_id -> matching paragraphs under ``request`` (query, mode, scope, filters)."""
    return _read(settings, "report_match_counts", request)


def indexed_reports(settings: Settings) -> tuple[Report, ...]:
    """Every report in the index, in report-id order."""
    return _read(settings, "indexed_reports")


def check_index(settings: Settings):
    """Verify every file of the index (``fazhi check``): an ``IndexCheck`` listing each bad
    file with its fix (IndexMissingError when there is no index)."""
    from pathlib import Path

    from .index_check import check_index as run

    return run(Path(settings.index_path))


def find_index_damage(settings: Settings) -> IndexDamagedError | None:
    """The damage that needs a rebuild of the index, if any (a full check); None when the
    index is sound or absent."""
    from pathlib import Path

    from .index_check import find_damage

    return find_damage(Path(settings.index_path))


def facet_page(settings: Settings, request: SearchRequest, field: str, contains: str = "",
               offset: int = 0, limit: int = 200):
    """Every value of facet ``field`` under ``request``, paged, filtered by ``contains``
    (see indexer.facet_browse)."""
    from .facet_browse import facet_page as run

    return run(settings, request, field, contains, offset, limit)


def normalize_text(text: str) -> str:
    """The matching normalisation of ``text`` (indexer.normalize.normalize)."""
    from .normalize import normalize

    return normalize(text)


def understand_query(*args, **kwargs):
    """How a request was read (see indexer.understand.understand). A function of its own:
    the name ``understand`` is the submodule's."""
    from .understand import understand

    return understand(*args, **kwargs)


def compare_areas(settings: Settings, request):
    """Who mentions each term and who never does, area by area (indexer.compare.compare).
    A function of its own: the name ``compare`` is the submodule's."""
    from .compare import compare

    return compare(settings, request)


def trend_over_years(settings: Settings, request):
    """Each term's share of reports year by year (indexer.trend.trend); named apart from the
    submodule ``trend``."""
    from .trend import trend

    return trend(settings, request)


def warm_up(settings: Settings) -> None:
    """Load the index snapshot and jieba's dictionary now (``fazhi serve`` start-up)."""
    from .searching import warm_up as run

    run(settings)


def index_paths(settings: Settings, paths=None, *, rebuild: bool = False,
                progress: bool = False) -> IndexSummary:
    """Index the files under ``paths`` incrementally (see indexer.index.index_paths)."""
    from .index import index_paths as run

    return run(settings, paths, rebuild=rebuild, progress=progress)


def index_reports(settings: Settings, reports, *, rebuild: bool = False) -> IndexSummary:
    """Add or replace ingested ``reports`` in the index (see indexer.index.index_reports)."""
    from .index import index_reports as run

    return run(settings, reports, rebuild=rebuild)


def __getattr__(name: str) -> object:
    """Import the submodule defining ``name`` on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "compare_areas",
    "trend_over_years",
    "REASON_UNREADABLE",
    "Area",
    "area_tree",
    "default_level",
    "levels_below",
    "DEPTH_LEVEL",
    "LEVEL_DEPTH",
    "COUNTY",
    "TOWN",
    "ALLOWED_FILTERS",
    "MAX_TERMS",
    "CompareRequest",
    "STATUS_LABELS",
    "Cell",
    "CompareRow",
    "Comparison",
    "sort_rows",
    "TrendRequest",
    "SMALL_SAMPLE",
    "Trend",
    "CONFIG_ENV",
    "INDEX_ENV",
    "settings_table",
    "user_config_file",
    "column_label",
    "comparison_rows",
    "comparison_to_dict",
    "csv_text",
    "trend_rows",
    "trend_to_dict",
    "normalize_text",
    "facet_page",
    "FacetPage",
    "date_range",
    "IN_LABELS",
    "FacetSort",
    "SearchIn",
    "MODE_LABELS",
    "SCOPE_LABELS",
    "FilterResolution",
    "ParsedQuery",
    "Suggestion",
    "paragraph_number",
    "parse_query",
    "resolve_filters",
    "suggestion_to_dict",
    "suggestions",
    "understand_query",
    "understanding_to_dict",
    "FACET_FIELDS",
    "FILTER_FIELDS",
    "LEVEL_LABELS",
    "SECTION_LABELS",
    "ConfigError",
    "Facet",
    "FacetValue",
    "FazhiError",
    "Hit",
    "IndexBusyError",
    "IndexCheck",
    "IndexDamagedError",
    "IndexMissingError",
    "IndexProblem",
    "IndexStats",
    "IndexSummary",
    "IngestError",
    "IngestProblem",
    "IngestedReport",
    "Level",
    "Mode",
    "Paragraph",
    "QueryError",
    "Report",
    "ReportGroup",
    "ReportNotFoundError",
    "SchemaVersionError",
    "Scope",
    "SearchRequest",
    "SearchResults",
    "Section",
    "Settings",
    "Sort",
    "SourceFile",
    "build_report",
    "check_index",
    "find_index_damage",
    "find_sources",
    "ingest_file",
    "ingest_paths",
    "ingested_to_dict",
    "load_manifest",
    "load_settings",
    "get_report",
    "highlight_html",
    "warm_up",
    "index_paths",
    "index_reports",
    "index_stats",
    "indexed_reports",
    "parse_filters",
    "report_match_counts",
    "results_to_dict",
    "search",
]
