"""Search: grep-exact matching on an in-memory column, BM25F ranking by Whoosh, facets, groups.

How a query runs:
1. The index's paragraphs are held in memory as a *snapshot* (normalised texts joined by a
   separator into one string, plus integer columns for report, position, year and facets),
   loaded once per index generation and shared by all threads.
2. Exact matching is a C-speed ``str.find`` scan of the joined string for each match unit
   (jumping to the next paragraph after a hit): the hit set *is* grep's, by construction.
   Unit masks are cached per snapshot, so facet toggles and paging do not rescan.
3. Boolean logic, filters, scopes and facets are numpy operations over paragraph ordinals.
4. Ranking is BM25F over the jieba words found in each term (its substrings that are
   words of the index, so queries never load jieba), computed with numpy from posting arrays
   read block by block from Whoosh; highlights are computed for the page's hits only.

Matching semantics (exact mode): a term matches a paragraph iff the paragraph's normalised
text contains the term's normalised text, exactly like grep. Latin words and digits are no
exception: ``app`` matches inside ``apple`` and ``12`` inside ``2012`` (every whole word is
therefore always found); whitespace is ignored, so ``app store`` also matches ``appstore``.
Fuzzy mode: every jieba word of the term is contained in the paragraph, in any order.
Report scope: a report matches when every AND item matches some paragraph of it and no
paragraph of it contains an excluded term; its hits are its paragraphs matching at least
one positive term. Filters restrict the paragraphs first, then the scope applies. Facet
counts are numbers of matching paragraphs.
"""

from __future__ import annotations

import os
import re
import threading
import time
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index

from .analysis import load_extra_words
from .config import Settings
from .errors import IndexMissingError, ReportNotFoundError
from .facets import FacetColumn, build_column, count_facet
from .highlight import find_spans
from .index import open_index, report_from_json
from .models import (
    FACET_FIELDS,
    Facet,
    Hit,
    IndexStats,
    IngestedReport,
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
from .normalize import SEPARATOR, normalize
from .query import ParsedQuery, Term, parse_filters, parse_query
from .schema import KIND_PARAGRAPH, KIND_REPORT

# Most hits (flat) or reports (grouped) one request returns, whatever limit it asks for.
MAX_LIMIT = 10_000
# Term masks remembered per snapshot (repeated queries, facet toggles, paging).
MASK_CACHE_SIZE = 512
# Ranking weights: a query term that is itself a jieba word, a match in a heading, in a title.
WHOLE_WORD_BOOST = 2.0
HEADING_BOOST = 1.5
TITLE_BOOST = 0.2
BM25_K1 = 1.2
BM25_B = 0.75

_PARENT = {"city": "province", "county": "city", "town": "county"}


# ---------------------------------------------------------------- snapshot


@dataclass
class Snapshot:
    """Everything search needs from one generation of the index, as columns over ordinals
    (paragraphs sorted by report id, then n)."""

    key: tuple[int, int]
    ix: whoosh_index.Index
    reports: list[Report]
    report_ord: dict[str, int]
    report_titles: list[str]  # normalised
    docnums: np.ndarray  # Whoosh document number per ordinal
    docnum_to_ord: np.ndarray  # -1 where not a paragraph
    report_idx: np.ndarray  # report ordinal per paragraph
    n: np.ndarray
    year: np.ndarray  # -1 when unknown
    texts: list[str]
    heading_paths: list[tuple[str, ...]]
    is_heading: list[bool]
    sections: list[str]
    normed: list[str]  # normalised paragraph texts
    joined: str  # normalised paragraphs joined by SEPARATOR
    starts: list[int]  # offset of each paragraph in ``joined`` (+ one past the end)
    columns: dict[str, FacetColumn]
    lengths: np.ndarray  # normalised characters per paragraph (BM25 document length)
    avg_length: float
    _masks: OrderedDict = field(default_factory=OrderedDict)
    _postings: OrderedDict = field(default_factory=OrderedDict)
    _mask_lock: threading.Lock = field(default_factory=threading.Lock)
    _local: threading.local = field(default_factory=threading.local)

    @property
    def size(self) -> int:
        return len(self.texts)

    def unit_mask(self, unit: str) -> np.ndarray:
        """Paragraphs whose normalised text contains ``unit`` (cached)."""
        with self._mask_lock:
            cached = self._masks.get(unit)
            if cached is not None:
                self._masks.move_to_end(unit)
                return cached
        mask = np.zeros(self.size, dtype=bool)
        starts, find = self.starts, self.joined.find
        # Sparse units: C-speed find over the joined text, jumping to the next paragraph after
        # each hit. Dense units (e.g. 的): once they hit many paragraphs, test the rest one by
        # one with ``in``, which costs the same whatever the number of hits.
        dense_after = max(1000, self.size // 50)
        hits = 0
        i = find(unit)
        while i >= 0:
            d = bisect_right(starts, i) - 1
            mask[d] = True
            hits += 1
            if hits > dense_after:
                rest = self.normed[d + 1 :]
                mask[d + 1 :] = np.fromiter((unit in t for t in rest), dtype=bool,
                                            count=len(rest))
                break
            i = find(unit, starts[d + 1])
        mask.flags.writeable = False
        with self._mask_lock:
            self._masks[unit] = mask
            while len(self._masks) > MASK_CACHE_SIZE:
                self._masks.popitem(last=False)
        return mask

    def searcher(self):
        """A Whoosh searcher for this thread (Whoosh searchers are not shared across threads)."""
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self.ix.searcher()
            self._local.searcher = s
        return s


def _load_snapshot(path: Path, key: tuple[int, int]) -> Snapshot:
    ix = open_index(path)
    reports: list[Report] = []
    paras: list[tuple[str, int, int, dict]] = []
    with ix.reader() as reader:
        for docnum, f in reader.iter_docs():
            if f.get("kind") == KIND_REPORT:
                reports.append(report_from_json(f["report_json"]))
            elif f.get("kind") == KIND_PARAGRAPH:
                paras.append((f["report_id"], f["n"], docnum, f))
    reports.sort(key=lambda r: r.report_id)
    report_ord = {r.report_id: i for i, r in enumerate(reports)}
    paras = [p for p in paras if p[0] in report_ord]
    paras.sort(key=lambda p: (report_ord[p[0]], p[1]))
    count = len(paras)
    docnums = np.fromiter((p[2] for p in paras), dtype=np.int64, count=count)
    docnum_to_ord = np.full(int(docnums.max()) + 1 if count else 0, -1, dtype=np.int64)
    docnum_to_ord[docnums] = np.arange(count)
    report_idx = np.fromiter((report_ord[p[0]] for p in paras), dtype=np.int32, count=count)
    texts = [p[3]["text"] for p in paras]
    normed = [normalize(t) for t in texts]
    starts = [0]
    for t in normed:
        starts.append(starts[-1] + len(t) + 1)
    sections = [p[3].get("section") or str(Section.OTHER) for p in paras]
    lengths = np.fromiter((len(t) for t in normed), dtype=np.float64, count=count)
    years = np.array(
        [r.report_year if r.report_year is not None else -1 for r in reports], dtype=np.int32
    )
    return Snapshot(
        key=key,
        ix=ix,
        reports=reports,
        report_ord=report_ord,
        report_titles=[normalize(r.title or "") for r in reports],
        docnums=docnums,
        docnum_to_ord=docnum_to_ord,
        report_idx=report_idx,
        n=np.fromiter((p[1] for p in paras), dtype=np.int32, count=count),
        year=years[report_idx] if count else np.zeros(0, dtype=np.int32),
        texts=texts,
        heading_paths=[tuple(p[3].get("heading_path") or ()) for p in paras],
        is_heading=[bool(p[3].get("is_heading")) for p in paras],
        sections=sections,
        normed=normed,
        joined=SEPARATOR.join(normed) + SEPARATOR,
        starts=starts,
        columns=_facet_columns(reports, report_idx, sections),
        lengths=lengths,
        avg_length=float(lengths.mean()) if count else 1.0,
    )


def _facet_columns(
    reports: list[Report], report_idx: np.ndarray, sections: list[str]
) -> dict[str, FacetColumn]:
    columns: dict[str, FacetColumn] = {}
    idx = report_idx.tolist()
    for name in ("province", "city", "county", "town", "level", "report_year"):
        per_report = [getattr(r, name) for r in reports]
        per_report = [str(v) if v is not None else None for v in per_report]
        parent_of: dict[str, str | None] = {}
        if name in _PARENT:
            for r, v in zip(reports, per_report):
                if v is not None:
                    parent_of.setdefault(v, getattr(r, _PARENT[name]))
        columns[name] = build_column(name, [per_report[i] for i in idx], parent_of)
    columns["section"] = build_column("section", sections)
    columns["report_id"] = build_column("report_id", [reports[i].report_id for i in idx])
    return columns


class _SnapshotCache:
    """One snapshot per index path, replaced when the index on disk changed (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshots: dict[Path, Snapshot] = {}

    def get(self, path: Path) -> Snapshot:
        key = _disk_key(path)
        snap = self._snapshots.get(path)
        if snap is not None and snap.key == key:
            return snap
        with self._lock:
            snap = self._snapshots.get(path)
            if snap is None or snap.key != key:
                snap = _load_snapshot(path, key)
                self._snapshots[path] = snap
            return snap


def _disk_key(path: Path) -> tuple[int, int]:
    """(inode of the index folder, latest generation): changes on every commit and rebuild."""
    try:
        inode = path.stat().st_ino
        names = os.listdir(path)
    except OSError:
        inode, names = -1, []
    gens = [int(m.group(1)) for m in map(_TOC_NAME.match, names) if m]
    gen = max(gens, default=-1)
    if gen < 0:
        raise IndexMissingError(f"no index at {path}: run `fazhi index` first")
    return inode, gen


_TOC_NAME = re.compile(r"^_MAIN_(\d+)\.toc$")
_CACHE = _SnapshotCache()


def snapshot(settings: Settings) -> Snapshot:
    """The current snapshot of ``settings.index_path`` (loaded or refreshed as needed)."""
    return _CACHE.get(Path(settings.index_path))


# ---------------------------------------------------------------- matching


def _term_mask(snap: Snapshot, term: Term) -> np.ndarray:
    mask = snap.unit_mask(term.units[0])
    for unit in term.units[1:]:
        mask = mask & snap.unit_mask(unit)
    return mask


def _filter_mask(snap: Snapshot, filters: dict[str, tuple[str, ...]], skip: str | None) -> np.ndarray:
    mask = np.ones(snap.size, dtype=bool)
    for name, values in filters.items():
        if name != skip:
            mask &= snap.columns[name].mask_for(values)
    return mask


@dataclass
class _Masks:
    groups: list[np.ndarray]  # one per AND item (OR of its terms)
    negative: np.ndarray | None
    any_positive: np.ndarray | None


def _query_masks(snap: Snapshot, pq: ParsedQuery) -> _Masks:
    groups = []
    for group in pq.groups:
        m = _term_mask(snap, group[0])
        for t in group[1:]:
            m = m | _term_mask(snap, t)
        groups.append(m)
    negative = None
    for t in pq.negatives:
        m = _term_mask(snap, t)
        negative = m if negative is None else negative | m
    any_positive = None
    for m in groups:
        any_positive = m if any_positive is None else any_positive | m
    return _Masks(groups, negative, any_positive)


def _match(snap: Snapshot, masks: _Masks, scope: Scope, filt: np.ndarray) -> np.ndarray:
    """The matching paragraphs among those passing ``filt``."""
    if scope is Scope.PARAGRAPH:
        match = filt.copy()
        for m in masks.groups:
            match &= m
        if masks.negative is not None:
            match &= ~masks.negative
        return match
    # Report scope: a report matches when every AND item matches some (filtered) paragraph of
    # it and no (filtered) paragraph of it contains an excluded term; its hits are its
    # filtered paragraphs that match at least one positive term (all of them if none).
    nrep = len(snap.reports)
    ok = np.ones(nrep, dtype=bool)
    for m in masks.groups:
        ok &= np.bincount(snap.report_idx[m & filt], minlength=nrep) > 0
    if masks.negative is not None:
        ok &= np.bincount(snap.report_idx[masks.negative & filt], minlength=nrep) == 0
    match = filt & ok[snap.report_idx]
    if masks.any_positive is not None:
        match &= masks.any_positive
    return match


# ---------------------------------------------------------------- ranking


def _ranking_words(reader, norm: str, longest: int = 8) -> list[str]:
    """The indexed jieba words inside a normalised term: every substring (up to ``longest``
    characters) that is a term of the ``content`` field. This is search-mode segmentation
    done with the index's own vocabulary, so a query never has to load jieba."""
    found: dict[str, None] = {}
    for i in range(len(norm)):
        for k in range(min(longest, len(norm) - i), 0, -1):
            piece = norm[i : i + k]
            if (k > 1 or len(norm) == 1) and ("content", piece) in reader:
                found.setdefault(piece, None)
    return list(found)


def _postings(snap: Snapshot, fieldname: str, word: str) -> tuple[np.ndarray, np.ndarray]:
    """(ordinals, term frequencies) of the paragraphs holding ``word`` in ``fieldname``, read
    block by block from every segment (cached per snapshot)."""
    key = (fieldname, word)
    with snap._mask_lock:
        hit = snap._postings.get(key)
        if hit is not None:
            return hit
    ids_parts: list[np.ndarray] = []
    tf_parts: list[np.ndarray] = []
    reader = snap.searcher().reader()
    field = reader.schema[fieldname]
    for leaf, base in reader.leaf_readers():
        if (fieldname, word) not in leaf:
            continue
        matcher = leaf._terms.matcher(fieldname, field.to_bytes(word), field.format)
        if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
            # Whoosh 3 leaf matcher: take whole blocks as arrays (no per-posting Python).
            while matcher.is_active():
                matcher._read_ids()
                matcher._read_weights()
                ids_parts.append(np.asarray(matcher._ids, dtype=np.int64) + base)
                tf_parts.append(np.asarray(matcher._weights, dtype=np.float64))
                matcher._next_block()
        else:  # any other codec: the generic (slower) matcher protocol
            ids, tfs = [], []
            while matcher.is_active():
                ids.append(matcher.id() + base)
                tfs.append(matcher.weight())
                matcher.next()
            ids_parts.append(np.asarray(ids, dtype=np.int64))
            tf_parts.append(np.asarray(tfs, dtype=np.float64))
    if ids_parts:
        ids_all = np.concatenate(ids_parts)
        tf_all = np.concatenate(tf_parts)
        ids_all = np.clip(ids_all, 0, max(len(snap.docnum_to_ord) - 1, 0))
        ords = snap.docnum_to_ord[ids_all] if len(snap.docnum_to_ord) else ids_all
        keep = ords >= 0  # deleted documents and report documents have no ordinal
        result = (ords[keep], tf_all[keep])
    else:
        result = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
    with snap._mask_lock:
        snap._postings[key] = result
        while len(snap._postings) > MASK_CACHE_SIZE:
            snap._postings.popitem(last=False)
    return result


def _bm25(snap: Snapshot, fieldname: str, word: str, acc: np.ndarray, boost: float) -> None:
    """Add ``boost`` x BM25 of ``word`` in ``fieldname`` to ``acc`` (one value per ordinal).

    Document length is the paragraph's normalised character count, which is proportional to
    its token count and already in memory.
    """
    ords, tf = _postings(snap, fieldname, word)
    if not len(ords):
        return
    df = len(ords)
    idf = np.log(1.0 + (snap.size - df + 0.5) / (df + 0.5))
    dl = snap.lengths[ords]
    norm = BM25_K1 * (1.0 - BM25_B + BM25_B * dl / snap.avg_length)
    acc[ords] += boost * idf * tf * (BM25_K1 + 1.0) / (tf + norm)


def _scores(snap: Snapshot, pq: ParsedQuery, matched: np.ndarray) -> np.ndarray:
    """BM25F score per matched ordinal (aligned with ``matched``): jieba words of the terms
    in the paragraph and (boosted) in headings, a bonus when a term is itself an indexed word,
    and a bonus for reports whose title contains a term."""
    terms = pq.positive_terms
    if not terms or not len(matched):
        return np.zeros(len(matched), dtype=np.float64)
    reader = snap.searcher().reader()
    acc = np.zeros(snap.size, dtype=np.float64)
    for t in terms:
        for w in _ranking_words(reader, t.norm):
            _bm25(snap, "content", w, acc, 1.0)
            _bm25(snap, "context", w, acc, HEADING_BOOST)
        if ("content", t.norm) in reader:
            _bm25(snap, "content", t.norm, acc, WHOLE_WORD_BOOST)
    scores = acc[matched]
    title_hit = np.array(
        [any(t.norm in title for t in terms) for title in snap.report_titles], dtype=bool
    )
    if title_hit.any():
        scores *= 1.0 + TITLE_BOOST * title_hit[snap.report_idx[matched]]
    return scores


def _order(snap: Snapshot, matched: np.ndarray, scores: np.ndarray, sort: Sort,
           ranked: bool) -> np.ndarray:
    """Indices into ``matched`` in result order (ties: newer year, then report, position)."""
    year = snap.year[matched]
    rep = snap.report_idx[matched]
    n = snap.n[matched]
    if sort is Sort.NEWEST:
        keys = (n, rep, -year)
    elif sort is Sort.OLDEST:
        keys = (n, rep, np.where(year < 0, np.iinfo(np.int32).max, year))
    elif ranked:
        keys = (n, rep, -year, -scores)
    else:
        keys = (n, rep)
    return np.lexsort(keys)


# ---------------------------------------------------------------- results


def _hit(snap: Snapshot, o: int, score: float, needles: tuple[str, ...]) -> Hit:
    text = snap.texts[o]
    return Hit(
        report_id=snap.reports[snap.report_idx[o]].report_id,
        n=int(snap.n[o]),
        text=text,
        highlights=find_spans(text, needles),
        heading_path=snap.heading_paths[o],
        is_heading=snap.is_heading[o],
        section=Section(snap.sections[o]),
        score=round(float(score), 4),
        report=snap.reports[snap.report_idx[o]],
    )


def _year_sort(value: str) -> object:
    return -int(value)


def _facets(snap: Snapshot, masks: _Masks, scope: Scope, filters: dict[str, tuple[str, ...]],
            size: int) -> tuple[Facet, ...]:
    out = []
    for name in FACET_FIELDS:
        match = _match(snap, masks, scope, _filter_mask(snap, filters, skip=name))
        out.append(
            count_facet(snap.columns[name], match, filters.get(name, ()), size,
                        _year_sort if name == "report_year" else None)
        )
    return tuple(out)


def search(settings: Settings, request: SearchRequest) -> SearchResults:
    """Run ``request`` against the index at ``settings.index_path``."""
    start = time.perf_counter()
    mode = Mode(request.mode)
    scope = Scope(request.scope)
    sort = Sort(request.sort)
    if mode is Mode.FUZZY and settings.extra_words:
        load_extra_words(settings.extra_words)  # fuzzy terms are cut with the same words
    pq = parse_query(request.query or "", mode, settings.max_query_length)
    filters = dict(parse_filters((f, v) for f, vs in request.filters for v in vs))
    request_filters = tuple(filters.items())
    snap = snapshot(settings)
    masks = _query_masks(snap, pq)
    match = _match(snap, masks, scope, _filter_mask(snap, filters, skip=None))
    matched = np.flatnonzero(match)
    ranked = bool(pq.groups)
    scores = _scores(snap, pq, matched) if (ranked and sort is Sort.RELEVANCE) else np.zeros(
        len(matched))
    order = _order(snap, matched, scores, sort, ranked)
    ord_sorted = matched[order]
    score_sorted = scores[order]
    needles = tuple(u for t in pq.positive_terms for u in t.units)
    limit = max(0, min(int(request.limit), MAX_LIMIT))
    offset = max(0, int(request.offset))
    rep_sorted = snap.report_idx[ord_sorted]
    total_reports = int(len(np.unique(rep_sorted)))
    groups: list[ReportGroup] = []
    if request.grouped:
        hits, groups = _grouped_page(snap, ord_sorted, score_sorted, rep_sorted, offset, limit,
                                     max(1, int(request.paragraphs_per_report)), needles)
    else:
        page = range(offset, min(offset + limit, len(ord_sorted)))
        hits = [_hit(snap, int(ord_sorted[i]), score_sorted[i], needles) for i in page]
    facets = (_facets(snap, masks, scope, filters, settings.facet_size)
              if request.with_facets else ())
    return SearchResults(
        request=_replace_filters(request, request_filters),
        total_paragraphs=int(len(matched)),
        total_reports=total_reports,
        hits=tuple(hits),
        groups=tuple(groups),
        facets=facets,
        elapsed_ms=round((time.perf_counter() - start) * 1000, 2),
    )


def _replace_filters(request: SearchRequest, filters: tuple) -> SearchRequest:
    from dataclasses import replace

    return replace(request, filters=filters)


def _grouped_page(
    snap: Snapshot,
    ord_sorted: np.ndarray,
    score_sorted: np.ndarray,
    rep_sorted: np.ndarray,
    offset: int,
    limit: int,
    per_report: int,
    needles: tuple[str, ...],
) -> tuple[list[Hit], list[ReportGroup]]:
    """Reports ordered by their best paragraph; each with its best ``per_report`` hits."""
    if not len(ord_sorted):
        return [], []
    # Stable sort by report keeps the ranking order inside each report's run.
    by_report = np.argsort(rep_sorted, kind="stable")
    reps_grouped = rep_sorted[by_report]
    uniq, first_in_run, counts = np.unique(reps_grouped, return_index=True, return_counts=True)
    best_pos = by_report[first_in_run]  # rank of each report's best paragraph
    report_order = np.argsort(best_pos, kind="stable")[offset : offset + limit]
    hits: list[Hit] = []
    groups: list[ReportGroup] = []
    for k in report_order.tolist():
        run = by_report[first_in_run[k] : first_in_run[k] + min(per_report, counts[k])]
        group_hits = tuple(_hit(snap, int(ord_sorted[i]), score_sorted[i], needles) for i in run)
        hits.extend(group_hits)
        groups.append(
            ReportGroup(
                report=snap.reports[int(uniq[k])],
                hits=group_hits,
                hit_count=int(counts[k]),
                best_score=round(float(score_sorted[best_pos[k]]), 4),
            )
        )
    return hits, groups


# ---------------------------------------------------------------- reports and stats


def get_report(settings: Settings, report_id: str) -> IngestedReport:
    """The report ``report_id`` with all its paragraphs, from the index's stored fields."""
    snap = snapshot(settings)
    r = snap.report_ord.get(report_id)
    if r is None:
        raise ReportNotFoundError(f"no report {report_id!r} in the index")
    ords = np.flatnonzero(snap.report_idx == r).tolist()
    paragraphs = tuple(
        Paragraph(
            report_id=report_id,
            n=int(snap.n[o]),
            text=snap.texts[o],
            heading_path=snap.heading_paths[o],
            is_heading=snap.is_heading[o],
            section=Section(snap.sections[o]),
        )
        for o in ords
    )
    return IngestedReport(report=snap.reports[r], paragraphs=paragraphs)


def index_stats(settings: Settings) -> IndexStats:
    """Reports and paragraphs in the index, per facet value, and its size on disk."""
    path = Path(settings.index_path)
    snap = snapshot(settings)
    everything = np.ones(snap.size, dtype=bool)
    facets = []
    report_counts: dict[str, dict[str, int]] = {}
    for name in FACET_FIELDS:
        column = snap.columns[name]
        facet = count_facet(column, everything, (), 10**9,
                            _year_sort if name == "report_year" else None)
        facets.append(facet)
        # Distinct (value, report) pairs, counted per value.
        pairs = np.unique(column.codes.astype(np.int64) * max(len(snap.reports), 1)
                          + snap.report_idx)
        reports_per_code = np.bincount(pairs // max(len(snap.reports), 1),
                                       minlength=len(column.values))
        report_counts[name] = {
            v.value: int(reports_per_code[column.code_of(v.value)]) for v in facet.values
        }
    files = [p for p in path.iterdir() if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    last = max((p.stat().st_mtime for p in files if p.name.endswith(".toc")), default=None)
    return IndexStats(
        reports=len(snap.reports),
        paragraphs=snap.size,
        size_bytes=size,
        facets=tuple(facets),
        report_counts=report_counts,
        last_modified=(
            time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(last)) if last else None
        ),
    )


__all__ = ["get_report", "index_stats", "search", "snapshot"]
