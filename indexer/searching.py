"""Search over the Whoosh index: the public entry points of the read side.

A request runs against the snapshot of the latest committed generation (``indexer.snapshot``):
terms are matched from Whoosh's ``grams`` postings (``indexer.matching``), filters are masks
over the facet columns, scores are Whoosh's BM25F over the jieba fields computed with numpy
(``indexer.ranking``), and only the page's hits are turned into records with highlights
(``indexer.results``). Nothing here writes to the index.

Matching semantics (exact mode): a term matches a paragraph iff the paragraph's normalised
text contains the term's normalised text, exactly like grep (``app`` matches inside ``apple``,
``12`` inside ``2012``; whitespace is ignored). Fuzzy mode: every jieba word of the term is
contained in the paragraph, in any order. Report scope and filters: see ``matching.match``.
Facet counts are numbers of matching paragraphs.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .analysis import load_extra_words
from .config import Settings
from .errors import IndexDamagedError, ReportNotFoundError, SchemaVersionError
from .facets import count_facet
from .matching import Masks, filter_mask, match, query_masks
from .models import (
    FACET_FIELDS,
    IndexStats,
    IngestedReport,
    Mode,
    Report,
    Scope,
    SearchIn,
    SearchRequest,
    SearchResults,
    Sort,
)
from .query import parse_filters, parse_query
from .ranking import order, scores, title_scores
from .report_conditions import (
    ReportConditions,
    date_restriction,
    lead_paragraphs,
    report_conditions,
    restriction,
    title_restriction,
    undated_count,
)
from .results import facets, grouped_page, hit, paragraph, year_sort_key
from .snapshot import Snapshot, disk_key, forget_segments, open_current, still_sound
from .store import recover_interrupted_swap

log = logging.getLogger(__name__)

# Most hits (flat) or reports (grouped) one request returns, whatever limit it asks for.
MAX_LIMIT = 10_000


class _Snapshots:
    """The current snapshot of each index path, replaced when a commit or a rebuild changed
    the index on disk (thread-safe; the replaced one is closed when no request holds it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: dict[Path, Snapshot] = {}
        self._bad: dict[Path, tuple[int, int]] = {}  # a damaged generation's key, by path

    def get(self, path: Path) -> Snapshot:
        if not path.exists():
            recover_interrupted_swap(path)
        snap = self._current.get(path)
        try:
            key = disk_key(path)
        except IndexDamagedError as exc:  # the table of contents is gone
            return self._last_good(path, snap, (-1, -1), exc)
        if snap is not None and (snap.key == key and still_sound(path, snap)
                                 or self._bad.get(path) == key):
            return snap
        with self._lock:
            snap = self._current.get(path)
            if snap is not None and snap.key == key:
                return snap
            try:
                fresh = open_current(path)
            except IndexDamagedError as exc:
                return self._last_good(path, snap, key, exc)
            self._current[path] = fresh
            forget_segments(path, {leaf.data.segid for leaf in fresh.leaves})
            _settle_collector()
            return fresh

    def _last_good(self, path: Path, snap: Snapshot | None, key: tuple[int, int],
                   exc: IndexDamagedError) -> Snapshot:
        """A running process keeps answering from the last good generation (its files stay
        open) when a new one is damaged, and says so once in the log."""
        if snap is None:
            raise exc
        if self._bad.get(path) != key:
            self._bad[path] = key
            log.warning("%s; meanwhile still answering from the previous generation", exc)
        return snap


def _settle_collector() -> None:
    """Move what is alive now -- above all the snapshot just opened, hundreds of thousands of
    long-lived objects -- out of the garbage collector's generations (``gc.freeze``), so that
    the collections a request's allocations trigger do not walk it (a pause of about 5 ms at
    360k paragraphs). A snapshot holds no reference cycle (tests/test_index.py), so a
    replaced one is still freed, by reference counting, as soon as no request holds it."""
    gc.freeze()


_SNAPSHOTS = _Snapshots()


def snapshot(settings: Settings) -> Snapshot:
    """The current snapshot of ``settings.index_path`` (opened or refreshed as needed)."""
    return _SNAPSHOTS.get(Path(settings.index_path))


def prepare(settings: Settings, request: SearchRequest):
    mode = Mode(request.mode)
    if mode is Mode.FUZZY and settings.extra_words:
        load_extra_words(settings.extra_words)  # fuzzy terms are cut with the same words
    pq = parse_query(request.query or "", mode, settings.max_query_length,
                     in_title=SearchIn(request.search_in) is SearchIn.TITLE)
    filters = dict(parse_filters((f, v) for f, vs in request.filters for v in vs))
    cond = report_conditions(pq, request.published_from, request.published_to)
    return pq, filters, cond


@dataclass
class Matched:
    """What a request matches: the docnums (sorted), and what was needed to find them."""

    docs: np.ndarray
    masks: Masks
    restrict: np.ndarray | None
    undated_reports: int | None


def match_request(snap: Snapshot, request: SearchRequest, filters, cond: ReportConditions) -> Matched:
    """The matching paragraphs: the paragraph terms under the filters, in the reports that
    pass the title terms and the date range (a report found by its title alone: its lead)."""
    masks = query_masks(snap, cond.body)
    filt = filter_mask(snap, filters)
    titles = title_restriction(snap, cond)
    if titles is not None:
        filt &= titles
    docs = match(snap, masks, Scope(request.scope), filt)
    undated = None
    dates = date_restriction(snap, cond)
    if dates is not None:
        undated = undated_count(snap, np.flatnonzero(docs))
        docs &= dates
    matched = np.flatnonzero(docs)
    if cond.title_only:
        matched = lead_paragraphs(snap, matched)
    return Matched(matched, masks, restriction(titles, dates), undated)


def search(settings: Settings, request: SearchRequest) -> SearchResults:
    """Run ``request`` against the index at ``settings.index_path``."""
    start = time.perf_counter()
    scope, sort = Scope(request.scope), Sort(request.sort)
    pq, filters, cond = prepare(settings, request)
    snap = snapshot(settings)
    found = match_request(snap, request, filters, cond)
    matched = found.docs
    ranked = bool(cond.body.groups) or cond.title_only
    if not ranked or sort is not Sort.RELEVANCE:
        score = np.zeros(len(matched))
    elif cond.title_only:
        score = title_scores(snap, cond.titles, matched)
    else:
        score = scores(snap, cond.body, matched)
    ordering = order(snap, matched, score, sort, ranked)
    doc_sorted, score_sorted = matched[ordering], score[ordering]
    needles = tuple(u for t in cond.body.positive_terms for u in t.units)
    title_needles = cond.title_needles()
    limit = max(0, min(int(request.limit), MAX_LIMIT))
    offset = max(0, int(request.offset))
    groups = []
    if request.grouped:
        hits, groups = grouped_page(snap, doc_sorted, score_sorted, offset, limit,
                                    max(1, int(request.paragraphs_per_report)), needles,
                                    title_needles)
    else:
        page = range(offset, min(offset + limit, len(doc_sorted)))
        hits = [hit(snap, int(doc_sorted[i]), score_sorted[i], needles, title_needles)
                for i in page]
    facet_list = (facets(snap, found.masks, scope, filters, settings.facet_size,
                         found.restrict, request.facet_sort)
                  if request.with_facets else ())
    return SearchResults(
        # The limit and offset actually used (a limit over MAX_LIMIT is capped, and said so).
        request=replace(request, filters=tuple(filters.items()), limit=limit, offset=offset),
        total_paragraphs=int(len(matched)),
        total_reports=distinct_reports(snap, matched),
        hits=tuple(hits),
        groups=tuple(groups),
        facets=facet_list,
        elapsed_ms=round((time.perf_counter() - start) * 1000, 2),
        undated_reports=found.undated_reports,
    )


def distinct_reports(snap: Snapshot, docs: np.ndarray) -> int:
    """How many reports the paragraphs ``docs`` come from (a scatter, not a sort)."""
    seen = np.zeros(len(snap.reports) + 1, dtype=bool)
    seen[snap.report_idx[docs] + 1] = True
    return int(np.count_nonzero(seen[1:]))


def report_match_counts(settings: Settings, request: SearchRequest) -> dict[str, int]:
    """report_id -> number of matching paragraphs, for every report with at least one match
    under ``request`` (query, mode, scope, filters, title terms and date range; paging, sort
    and facets ignored). An empty query matches every (filtered) paragraph. What comparison
    tables and trends count."""
    pq, filters, cond = prepare(settings, request)
    snap = snapshot(settings)
    matched = match_request(snap, request, filters, cond).docs
    counts = np.bincount(snap.report_idx[matched], minlength=len(snap.reports))
    return {snap.reports[int(r)].report_id: int(counts[r]) for r in np.flatnonzero(counts)}


def indexed_reports(settings: Settings) -> tuple[Report, ...]:
    """Every report in the index (its metadata), in report-id order."""
    snap = snapshot(settings)
    return tuple(sorted(snap.reports, key=lambda r: r.report_id))


def get_report(settings: Settings, report_id: str) -> IngestedReport:
    """The report ``report_id`` with all its paragraphs, in order."""
    snap = snapshot(settings)
    r = snap.report_ord.get(report_id)
    if r is None:
        raise ReportNotFoundError(f"no report {report_id!r} in the index")
    docs = np.flatnonzero(snap.live & (snap.report_idx == r))
    docs = docs[np.argsort(snap.n[docs], kind="stable")]
    return IngestedReport(report=snap.reports[r],
                          paragraphs=tuple(paragraph(snap, int(d)) for d in docs))


def index_stats(settings: Settings) -> IndexStats:
    """Reports and paragraphs in the index, per facet value, and its size on disk."""
    path = Path(settings.index_path)
    snap = snapshot(settings)
    everything = np.flatnonzero(snap.live)
    nrep = max(len(snap.reports), 1)
    facet_list = []
    report_counts: dict[str, dict[str, int]] = {}
    for name in FACET_FIELDS:
        column = snap.columns[name]
        facet = count_facet(column, everything, (), 10**9, year_sort_key(name))
        facet_list.append(facet)
        # Distinct (value, report) pairs, counted per value.
        pairs = np.unique(column.codes[everything].astype(np.int64) * nrep
                          + snap.report_idx[everything])
        per_code = np.bincount(pairs // nrep, minlength=len(column.values))
        report_counts[name] = {v.value: int(per_code[column.code_of(v.value)])
                               for v in facet.values}
    files = [p for p in path.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    last = max((p.stat().st_mtime for p in files if p.name.endswith(".toc")), default=None)
    return IndexStats(
        reports=len(snap.reports),
        paragraphs=snap.live_count,
        size_bytes=size,
        facets=tuple(facet_list),
        report_counts=report_counts,
        last_modified=(time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(last))
                       if last else None),
    )


def warm_up(settings: Settings) -> None:
    """Load now what the first queries would otherwise load: the index snapshot (when there
    is an index) and jieba's dictionary with the configured words (fuzzy queries)."""
    from .analysis import load_dictionary
    from .errors import IndexMissingError

    load_dictionary()
    if settings.extra_words:
        load_extra_words(settings.extra_words)
    try:
        snapshot(settings)
    except (IndexMissingError, SchemaVersionError):
        pass  # searching will say so, with its clear message


__all__ = ["get_report", "index_stats", "indexed_reports", "report_match_counts", "search",
           "snapshot", "warm_up"]
