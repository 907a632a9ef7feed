"""The Whoosh schema: one document per paragraph, plus one metadata document per report."""

from __future__ import annotations

from whoosh.fields import ID, STORED, TEXT, Schema

from .analysis import ChineseAnalyzer

# Bump when the schema or what is stored changes: an index with another version must be rebuilt.
SCHEMA_VERSION = 2
VERSION_FILE = "FAZHI_SCHEMA_VERSION"

KIND_PARAGRAPH = "p"
KIND_REPORT = "r"


def build_schema() -> Schema:
    """All fields of the index.

    Paragraph documents carry the paragraph and the ranking fields; the report document
    (``kind="r"``) carries the report's metadata as stored JSON and its content hash, so an
    incremental run knows what it has without reading every paragraph.
    """
    return Schema(
        kind=ID(stored=True),
        report_id=ID(stored=True),  # indexed: replacing a report deletes by this term
        n=STORED(),
        section=STORED(),
        text=STORED(),  # the paragraph as printed (display and highlights)
        heading_path=STORED(),
        is_heading=STORED(),
        # Ranking: jieba search-mode words of the normalised paragraph text (no positions:
        # phrases are matched exactly on the in-memory text, never through positions).
        content=TEXT(analyzer=ChineseAnalyzer(search_mode=True), phrase=False),
        # Ranking boost: the text of headings.
        context=TEXT(analyzer=ChineseAnalyzer(search_mode=True), phrase=False),
        # Report document only: metadata as JSON, and what incremental runs compare.
        report_json=STORED(),
        content_sha256=STORED(),
        source_path=STORED(),
    )
