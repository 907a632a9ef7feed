"""The Whoosh schema: one document per report (paragraphs live in the column store).

Paragraph texts, their facet columns and the ranking postings (jieba words) are written by the
same writer into the column store of the generation it commits (``indexer.columns``): loading
them from there is a few file reads, where reading 360k stored Whoosh documents took a minute,
and building them with numpy is several times cheaper than Whoosh's per-posting writer.
"""

from __future__ import annotations

from whoosh.fields import ID, STORED, Schema

# Bump when the schema or what is stored changes: an index with another version must be rebuilt.
SCHEMA_VERSION = 4
VERSION_FILE = "FAZHI_SCHEMA_VERSION"

KIND_PARAGRAPH = "p"
KIND_REPORT = "r"


def build_schema() -> Schema:
    """All fields of the index: the report document carries the report's metadata as stored
    JSON and what an incremental run compares (content hash, manifest row hash, source)."""
    return Schema(
        kind=ID(stored=True),
        report_id=ID(stored=True),  # indexed: replacing a report deletes by this term
        report_json=STORED(),
        content_sha256=STORED(),
        manifest_sha256=STORED(),
        source_path=STORED(),
    )
