"""The Whoosh documents of a report: one for the report, one per paragraph (``schema``)."""

from __future__ import annotations

from collections.abc import Iterator

from .pipeline import Prepared
from .schema import KIND_PARAGRAPH, KIND_REPORT
from .serialize import report_to_json


def report_document(report, manifest_sha: str) -> dict[str, object]:
    return {
        "kind": KIND_REPORT,
        "report_id": report.report_id,
        "report_json": report_to_json(report),
        "content_sha256": report.content_sha256,
        "manifest_sha256": manifest_sha,
        "source_path": report.source_path,
    }


def paragraph_documents(prepared: Prepared) -> Iterator[dict[str, object]]:
    """One Whoosh document per paragraph of ``prepared`` (see ``indexer.schema``)."""
    report = prepared.item.report
    facets = {
        name: str(value) for name in ("province", "city", "county", "town", "level",
                                       "report_year")
        if (value := getattr(report, name)) is not None and str(value)
    }
    title = prepared.title_counts or {}
    headings = prepared.heading_counts or {}
    for i, p in enumerate(prepared.item.paragraphs):
        doc: dict[str, object] = {
            "kind": KIND_PARAGRAPH,
            "report_id": report.report_id,
            "n": p.n,
            "text": p.text,
            "heading_path": p.heading_path,
            "is_heading": p.is_heading,
            "body": prepared.counts[i],
            "grams": prepared.normed[i],
            "section": str(p.section),
            **facets,
        }
        if words := headings.get(p.heading_path):
            doc["heading"] = words
        if title:
            doc["title"] = title
        yield doc


def add_report(writer, prepared: Prepared) -> int:
    writer.add_document(**report_document(prepared.item.report, prepared.manifest_sha))
    for doc in paragraph_documents(prepared):
        writer.add_document(**doc)
    return len(prepared.item.paragraphs)
