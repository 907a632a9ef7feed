"""Plain-dict (JSON-ready) forms of the records, as DESIGN.md specifies them.

Paragraph numbers are 1-based here and at every other presentation edge (web page, anchors,
CSV, CLI): ``Paragraph.n``/``Hit.n`` count from 0 inside the engine; ``paragraph_number``
converts.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from .models import (
    Facet,
    Hit,
    IngestedReport,
    Level,
    Paragraph,
    Report,
    ReportGroup,
    SearchResults,
)


def paragraph_number(n: int) -> int:
    """The number readers see for the engine's paragraph ``n`` (the first paragraph is 1)."""
    return n + 1


def report_to_dict(report: Report, *, warnings: bool = True) -> dict[str, Any]:
    """All Report fields (enums as their values, tuples as lists); ``warnings`` optional."""
    data = asdict(report)
    data["level"] = str(report.level) if report.level is not None else None
    data["warnings"] = list(report.warnings)
    if not warnings:
        del data["warnings"]
    return data


def report_to_json(report: Report) -> str:
    """The report as stored in its index document."""
    return json.dumps(report_to_dict(report), ensure_ascii=False)


def report_from_json(text: str) -> Report:
    """The Report of ``report_to_json``."""
    data = json.loads(text)
    data["level"] = Level(data["level"]) if data.get("level") else None
    data["warnings"] = tuple(data.get("warnings") or ())
    return Report(**data)


def paragraph_to_dict(paragraph: Paragraph) -> dict[str, Any]:
    """A paragraph as in ``fazhi inspect --json``."""
    return {
        "n": paragraph_number(paragraph.n),
        "text": paragraph.text,
        "heading_path": list(paragraph.heading_path),
        "is_heading": paragraph.is_heading,
        "section": str(paragraph.section),
    }


def ingested_to_dict(ingested: IngestedReport) -> dict[str, Any]:
    """What ``fazhi inspect --json`` prints: the Report fields plus ``paragraphs``."""
    data = report_to_dict(ingested.report)
    data["paragraphs"] = [paragraph_to_dict(p) for p in ingested.paragraphs]
    return data


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    """A hit as in ``fazhi search --json``."""
    return {
        "report_id": hit.report_id,
        "n": paragraph_number(hit.n),
        "text": hit.text,
        "highlights": [[s, e] for s, e in hit.highlights],
        "heading_path": list(hit.heading_path),
        "is_heading": hit.is_heading,
        "section": str(hit.section),
        "score": hit.score,
        "report": report_to_dict(hit.report, warnings=False),
    }


def facet_to_list(facet: Facet) -> list[dict[str, Any]]:
    return [
        {"value": v.value, "count": v.count, "reports": v.reports, "selected": v.selected,
         "label": v.label, "parent": v.parent}
        for v in facet.values
    ]


def group_to_dict(group: ReportGroup) -> dict[str, Any]:
    return {
        "report_id": group.report.report_id,
        "hit_count": group.hit_count,
        "best_score": group.best_score,
        "hits": [[h.report_id, paragraph_number(h.n)] for h in group.hits],
    }


def results_to_dict(results: SearchResults, readings: tuple = (), problems: tuple = ()
                    ) -> dict[str, Any]:
    """The JSON of ``fazhi search --json`` and ``/api/search`` (DESIGN.md), plus ``groups``,
    ``offset``, ``limit``, ``sort``, ``filters``, ``grouped``, ``elapsed_ms``,
    ``facets_truncated`` and ``understood`` (how the query and filters were read;
    ``readings``/``problems``: the FilterReadings/FilterProblems of
    ``indexer.filter_values.resolve_filters``)."""
    from .understand import understand, understanding_to_dict

    request = results.request
    return {
        "query": request.query,
        "mode": str(request.mode),
        "scope": str(request.scope),
        "sort": str(request.sort),
        "filters": {name: list(values) for name, values in request.filters},
        "grouped": request.grouped,
        "offset": request.offset,
        "limit": request.limit,
        "total_paragraphs": results.total_paragraphs,
        "total_reports": results.total_reports,
        "hits": [hit_to_dict(h) for h in results.hits],
        "groups": [group_to_dict(g) for g in results.groups],
        "facets": {f.name: facet_to_list(f) for f in results.facets},
        "facets_truncated": {f.name: f.truncated for f in results.facets},
        "elapsed_ms": results.elapsed_ms,
        "understood": understanding_to_dict(understand(request, tuple(readings)), problems),
    }
