"""fazhi-search's engine: ingest, analysis, index and search of Chinese government reports.

Front ends (the CLI and the web UI) use only the names exported here.
"""

from .config import Settings, load_settings
from .errors import (
    ConfigError,
    FazhiError,
    IndexBusyError,
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
    SearchRequest,
    SearchResults,
    Section,
    Sort,
)

from .highlight import highlight_html
from .index import index_paths, index_reports
from .query import parse_filters
from .search import get_report, index_stats, search
from .serialize import ingested_to_dict, results_to_dict
from .ingest import ingest_file, ingest_paths
from .manifest import load_manifest
from .metadata import build_report
from .sources import SourceFile, find_sources

__all__ = [
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
    "IndexMissingError",
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
    "find_sources",
    "ingest_file",
    "ingest_paths",
    "ingested_to_dict",
    "load_manifest",
    "load_settings",
    "get_report",
    "highlight_html",
    "index_paths",
    "index_reports",
    "index_stats",
    "parse_filters",
    "results_to_dict",
    "search",
]
