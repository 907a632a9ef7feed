"""Plain-dict (JSON-ready) forms of the records, as DESIGN.md specifies them.

Paragraph numbers are 1-based here and at every other presentation edge (web page, anchors,
CSV, CLI): ``Paragraph.n``/``Hit.n`` count from 0 inside the engine; ``paragraph_number``
converts.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import PurePath
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


# Longest hit text a public response carries: a window around the first match (the whole
# paragraph is in /api/reports/<id>). A 20 MB one-line file must not make every answer 20 MB.
MAX_HIT_CHARS = 2_000
HIT_LEAD_CHARS = 200


def report_to_dict(
    report: Report, *, warnings: bool = True, public: bool = False
) -> dict[str, Any]:
    """All Report fields (enums as their values, tuples as lists); ``warnings`` optional.

    ``public`` (what the web API sends): ``source_path`` relative to the corpus root, never a
    path of the server. The default is the complete record (the index stores it as it is)."""
    data = asdict(report)
    data["level"] = str(report.level) if report.level is not None else None
    data["warnings"] = list(report.warnings)
    if not warnings:
        del data["warnings"]
    if public:
        data["source_path"] = public_source_path(report)
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
def public_source_path(report: Report) -> str:
    """The report's file relative to its corpus root ("/"-separated): its id and suffix."""
    return report.report_id + PurePath(report.source_path.replace("\\", "/")).suffix


def paragraph_to_dict(paragraph: Paragraph) -> dict[str, Any]:
    """A paragraph as in ``fazhi inspect --json``."""
    return {
        "n": paragraph_number(paragraph.n),
        "text": paragraph.text,
        "heading_path": list(paragraph.heading_path),
        "is_heading": paragraph.is_heading,
        "section": str(paragraph.section),
    }


def ingested_to_dict(ingested: IngestedReport, *, public: bool = False) -> dict[str, Any]:
    """What ``fazhi inspect --json`` prints: the Report fields plus ``paragraphs``."""
    data = report_to_dict(ingested.report, public=public)
    data["paragraphs"] = [paragraph_to_dict(p) for p in ingested.paragraphs]
    return data


def hit_to_dict(hit: Hit, *, public: bool = False) -> dict[str, Any]:
    """A hit as in ``fazhi search --json``; ``public``: server paths left out and the text cut
    to a window of MAX_HIT_CHARS around its first match (``text_start``: where the window
    starts in the paragraph, ``text_length``: the paragraph's length; highlights are offsets
    into the window)."""
    text, highlights, start = hit.text, hit.highlights, 0
    if public and len(text) > MAX_HIT_CHARS:
        text, highlights, start = _window(hit.text, hit.highlights)
    data = {
        "report_id": hit.report_id,
        "n": paragraph_number(hit.n),
        "text": text,
        "highlights": [[s, e] for s, e in highlights],
        "title_highlights": [[s, e] for s, e in hit.title_highlights],
        "heading_path": list(hit.heading_path),
        "is_heading": hit.is_heading,
        "section": str(hit.section),
        "score": hit.score,
        "report": report_to_dict(hit.report, warnings=False, public=public),
    }
    if public:
        data["text_start"] = start
        data["text_length"] = len(hit.text)
    return data


def _window(
    text: str, spans: tuple[tuple[int, int], ...]
) -> tuple[str, tuple[tuple[int, int], ...], int]:
    first = min((s for s, _ in spans), default=0)
    start = max(0, min(first - HIT_LEAD_CHARS, len(text) - MAX_HIT_CHARS))
    end = start + MAX_HIT_CHARS
    shifted = tuple(
        (max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start
    )
    return text[start:end], shifted, start


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


def results_to_dict(results: SearchResults, readings: tuple = (), problems: tuple = (),
                    *, public: bool = False) -> dict[str, Any]:
    """The JSON of ``fazhi search --json`` and ``/api/search`` (DESIGN.md), plus ``groups``,
    ``offset``, ``limit``, ``sort``, ``in`` (fulltext or title), ``filters``,
    ``published_from``/``published_to`` (as given, null when not), ``undated_reports``
    (with a date range: matching reports left out for having no date; else null),
    ``facet_sort``, ``grouped``, ``elapsed_ms``,
    ``facets_truncated`` and ``understood`` (how the query and filters were read;
    ``readings``/``problems``: the FilterReadings/FilterProblems of
    ``indexer.filter_values.resolve_filters``). ``public`` (the web API): hits as
    ``hit_to_dict(public=True)``."""
    from .understand import understand, understanding_to_dict

    request = results.request
    return {
        "query": request.query,
        "mode": str(request.mode),
        "scope": str(request.scope),
        "in": str(request.search_in),
        "sort": str(request.sort),
        "filters": {name: list(values) for name, values in request.filters},
        "published_from": request.published_from,
        "published_to": request.published_to,
        "undated_reports": results.undated_reports,
        "facet_sort": str(request.facet_sort),
        "grouped": request.grouped,
        "offset": request.offset,
        "limit": request.limit,
        "total_paragraphs": results.total_paragraphs,
        "total_reports": results.total_reports,
        "hits": [hit_to_dict(h, public=public) for h in results.hits],
        "groups": [group_to_dict(g) for g in results.groups],
        "facets": {f.name: facet_to_list(f) for f in results.facets},
        "facets_truncated": {f.name: f.truncated for f in results.facets},
        "elapsed_ms": results.elapsed_ms,
        "understood": understanding_to_dict(understand(request, tuple(readings)), problems),
    }
