"""Exactness inside the benchmark run: every benchmark query's hits against a substring scan.

The scan reads every paragraph back from the index (``indexer.get_report``), normalises it
with the engine's own folding (``indexer.normalize_text``) and evaluates the query's parsed
form (AND of OR-groups of terms, NOT of the negatives) with Python's ``in``; the filters are
checked against each paragraph's report metadata and section. The engine's side is
``indexer.report_match_counts``, which counts the matching paragraphs per report from the
index's postings and columns (grams, candidates, text check). Both must give the same
paragraphs per report for every query.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine import settings_for
from .queries import BenchQuery


@dataclass(frozen=True, slots=True)
class ScannedParagraph:
    report_id: str
    fields: dict[str, str]  # filter field -> this paragraph's value ('' when none)
    norm: str


def scanned_paragraphs(settings: Any) -> list[ScannedParagraph]:
    """Every paragraph of the index with its filter values and normalised text."""
    import indexer

    out = []
    for report in indexer.indexed_reports(settings):
        full = indexer.get_report(settings, report.report_id)
        base = {
            "province": report.province or "", "city": report.city or "",
            "county": report.county or "", "town": report.town or "",
            "level": report.level.value if report.level else "",
            "report_year": str(report.report_year) if report.report_year is not None else "",
        }
        for p in full.paragraphs:
            fields = {**base, "section": p.section.value}
            out.append(ScannedParagraph(report.report_id, fields, indexer.normalize_text(p.text)))
    return out


def _holds(term: Any, norm: str) -> bool:
    return all(unit in norm for unit in term.units)


def scan_counts(paragraphs: Iterable[ScannedParagraph], q: BenchQuery) -> Counter:
    """Matching paragraphs per report, by brute force."""
    import indexer

    pq = indexer.parse_query(q.text)
    wanted = dict(q.filters)
    counts: Counter = Counter()
    for p in paragraphs:
        if any(p.fields.get(f, "") not in values for f, values in wanted.items()):
            continue
        if (all(any(_holds(t, p.norm) for t in group) for group in pq.groups)
                and not any(_holds(t, p.norm) for t in pq.negatives)):
            counts[p.report_id] += 1
    return counts


def check(index_dir: Path, corpus: Path, queries: list[BenchQuery]) -> dict[str, Any]:
    """Per query: the engine's and the scan's matching paragraphs, and whether every report's
    count agrees."""
    import indexer

    settings = settings_for(index_dir, corpus)
    start = time.perf_counter()
    paragraphs = scanned_paragraphs(settings)
    rows = []
    for q in queries:
        expected = scan_counts(paragraphs, q)
        got = indexer.report_match_counts(
            settings, indexer.SearchRequest(query=q.text, filters=q.filters))
        differing = sorted(r for r in set(expected) | set(got)
                           if expected.get(r, 0) != got.get(r, 0))
        rows.append({"query": q.label, "engine": sum(got.values()),
                     "scan": sum(expected.values()), "equal": not differing,
                     "differing_reports": differing[:5]})
    return {"paragraphs": len(paragraphs), "queries": rows,
            "equal": sum(r["equal"] for r in rows), "checked": len(rows),
            "seconds": round(time.perf_counter() - start, 1)}
