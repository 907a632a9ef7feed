"""Search: grep-exact matching on an in-memory column, BM25F ranking by Whoosh, facets, groups.

How a query runs:
1. The index's paragraphs are held in memory as a *snapshot* (normalised texts joined by a
   separator into one string, plus integer columns for report, position, year and facets),
   loaded once per index generation and shared by all threads.
2. Exact matching compares the joined text, held as one 16-bit code per character, with each
   match unit using numpy (from the unit's rarest character), and maps the occurrences to
   paragraphs with ``searchsorted``; units with a character at or above U+FFFF fall back to a
   C-speed ``str.find`` scan. Either way the hit set *is* grep's, by construction.
   Unit masks are cached per snapshot, so facet toggles and paging do not rescan.
3. Boolean logic, filters, scopes and facets are numpy operations over paragraph ordinals.
4. Ranking is BM25F over the jieba words found in each term (its substrings that are
   words of the index, so queries never load jieba), computed with numpy from the column
   store's posting arrays (live rows only); highlights are computed for the page's hits only.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .analysis import load_extra_words
from .config import Settings
from .errors import IndexMissingError, ReportNotFoundError, SchemaVersionError
from .facets import FacetColumn, build_column, count_facet
from .highlight import find_spans
from .columns import SECTIONS
from .index import open_index, recover_interrupted_swap
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
from .segments import Postings, load_generation

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


class _Slices(Sequence):
    """Strings sliced on demand out of one big string (no object per paragraph)."""

    __slots__ = ("_text", "_starts")

    def __init__(self, text: str, starts: np.ndarray) -> None:
        self._text = text
        self._starts = starts

    def __len__(self) -> int:
        return max(len(self._starts) - 1, 0)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = int(i)
        if i < 0:
            i += len(self)
        return self._text[int(self._starts[i]) : int(self._starts[i + 1])]


@dataclass
class Snapshot:
    """Everything search needs from one generation of the index, as columns over ordinals
    (paragraph rows of the column store: grouped by report, in paragraph order)."""

    key: tuple[int, int]
    reports: list[Report]
    report_ord: dict[str, int]
    report_rank: np.ndarray  # rank of each report's id in sorted order (tie-breaks)
    report_titles: list[str]  # normalised
    report_idx: np.ndarray  # report ordinal per paragraph
    n: np.ndarray
    year: np.ndarray  # -1 when unknown
    texts: Sequence[str]
    heading_codes: np.ndarray
    heading_table: list[tuple[str, ...]]
    is_heading_arr: np.ndarray
    section_codes: np.ndarray
    joined: str  # normalised paragraphs joined by SEPARATOR
    starts: list[int]  # offset of each paragraph in ``joined`` (+ one past the end)
    columns: dict[str, FacetColumn]
    lengths: np.ndarray  # normalised characters per paragraph (BM25 document length)
    avg_length: float
    vocab: dict[str, int]  # the indexed jieba words (``in`` tests)
    postings: Postings
    # Rows of reports replaced or removed since their segment was written (excluded from
    # every result); None when there are none. ``live_count``: rows that are not.
    live: np.ndarray | None
    live_count: int
    _masks: OrderedDict = field(default_factory=OrderedDict)
    _postings: OrderedDict = field(default_factory=OrderedDict)
    _mask_lock: threading.Lock = field(default_factory=threading.Lock)
    _normed: list[str] | None = None
    _chars: _CharCodes | None = None  # built on first use by unit_mask

    @property
    def size(self) -> int:
        return len(self.n)

    @property
    def normed(self) -> list[str]:
        """The normalised paragraph texts (split on first use: only dense terms need them)."""
        if self._normed is None:
            self._normed = self.joined.split(SEPARATOR)[: self.size]
        return self._normed

    def heading_path(self, o: int) -> tuple[str, ...]:
        return self.heading_table[int(self.heading_codes[o])]

    def is_heading(self, o: int) -> bool:
        return bool(self.is_heading_arr[o])

    def section(self, o: int) -> Section:
        return Section(SECTIONS[int(self.section_codes[o])])

    def unit_mask(self, unit: str) -> np.ndarray:
        """Paragraphs whose normalised text contains ``unit`` (cached)."""
        with self._mask_lock:
            cached = self._masks.get(unit)
            if cached is not None:
                self._masks.move_to_end(unit)
                return cached
        if _CharCodes.can_search(unit):
            # Vectorised: every occurrence at once, mapped to its paragraph with numpy; the
            # same set as the scan's (an occurrence's start is in the paragraph it marks).
            chars = _char_codes(self)
            mask = np.zeros(self.size, dtype=bool)
            mask[np.searchsorted(chars.starts, chars.occurrences(unit), side="right") - 1] = True
        else:
            mask = _scan_mask(self, unit)
        mask.flags.writeable = False
        with self._mask_lock:
            self._masks[unit] = mask
            while len(self._masks) > MASK_CACHE_SIZE:
                self._masks.popitem(last=False)
        return mask


def _load_snapshot(path: Path, key: tuple[int, int]) -> Snapshot:
    open_index(path).close()  # the schema version check, with its clear error
    try:
        gen = load_generation(path, key[1])
    except FileNotFoundError:
        raise SchemaVersionError(
            f"the index at {path} has no column store for its current generation: "
            "run fazhi index --rebuild"
        ) from None
    cols, live = gen.cols, gen.live
    reports = cols.reports or []
    # A replaced report is in two segments: only its live block answers by id.
    report_ord = {r.report_id: i for i, r in enumerate(reports) if gen.report_live[i]}
    order = sorted(range(len(reports)), key=lambda i: reports[i].report_id)
    report_rank = np.empty(len(reports), dtype=np.int32)
    report_rank[order] = np.arange(len(reports), dtype=np.int32)
    count = cols.rows
    report_idx = cols.report_idx.astype(np.int32)
    starts_arr = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(cols.norm_len.astype(np.int64) + len(SEPARATOR), out=starts_arr[1:])
    lengths = cols.norm_len.astype(np.float64)
    live_lengths = lengths if live is None else lengths[live]
    years = np.array(
        [r.report_year if r.report_year is not None else -1 for r in reports], dtype=np.int32
    )
    return Snapshot(
        key=key,
        reports=reports,
        report_ord=report_ord,
        report_rank=report_rank,
        report_titles=[normalize(r.title or "") for r in reports],
        report_idx=report_idx,
        n=cols.n.astype(np.int32),
        year=years[report_idx] if count else np.zeros(0, dtype=np.int32),
        texts=_Slices(cols.texts, cols.text_start),
        heading_codes=cols.heading,
        heading_table=cols.headings,
        is_heading_arr=cols.is_heading.astype(bool),
        section_codes=cols.section,
        joined=cols.normed,
        starts=starts_arr.tolist(),
        columns=_facet_columns(reports, report_idx, cols.section),
        lengths=lengths,
        avg_length=float(live_lengths.mean()) if len(live_lengths) else 1.0,
        vocab=gen.postings.words,
        postings=gen.postings,
        live=live,
        live_count=len(live_lengths),
    )


def _facet_columns(
    reports: list[Report], report_idx: np.ndarray, section_codes: np.ndarray
) -> dict[str, FacetColumn]:
    """Facet columns per paragraph, built per report and broadcast with numpy."""
    columns: dict[str, FacetColumn] = {}
    for name in ("province", "city", "county", "town", "level", "report_year"):
        per_report = [getattr(r, name) for r in reports]
        per_report = [str(v) if v is not None else None for v in per_report]
        parent_of: dict[str, str | None] = {}
        if name in _PARENT:
            for r, v in zip(reports, per_report):
                if v is not None:
                    parent_of.setdefault(v, getattr(r, _PARENT[name]))
        columns[name] = _broadcast(build_column(name, per_report, parent_of), report_idx)
    section_values = (None, *SECTIONS)
    columns["section"] = FacetColumn(
        "section", (section_codes.astype(np.int32) + 1), section_values,
        tuple(None for _ in section_values),
    )
    columns["report_id"] = _broadcast(
        build_column("report_id", [r.report_id for r in reports]), report_idx)
    return columns


def _broadcast(per_report: FacetColumn, report_idx: np.ndarray) -> FacetColumn:
    codes = per_report.codes[report_idx] if len(report_idx) else np.zeros(0, dtype=np.int32)
    return FacetColumn(per_report.name, codes, per_report.values, per_report.parents)


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
            for attempt in range(3):
                if snap is not None and snap.key == key:
                    break
                try:
                    snap = _load_snapshot(path, key)
                except SchemaVersionError:
                    # A writer may have committed (and retired this generation) meanwhile.
                    new_key = _disk_key(path)
                    if new_key == key or attempt == 2:
                        raise
                    key = new_key
            self._snapshots[path] = snap
            return snap


def _disk_key(path: Path, *, recover: bool = True) -> tuple[int, int]:
    """(inode of the index folder, latest generation): changes on every commit and rebuild."""
    if recover and not path.exists() and recover_interrupted_swap(path):
        return _disk_key(path, recover=False)
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
    mask = _everything(snap)
    for name, values in filters.items():
        if name != skip:
            mask &= snap.columns[name].mask_for(values)
    return mask


def _everything(snap: Snapshot) -> np.ndarray:
    """Every live paragraph (a fresh mask the caller may change)."""
    return np.ones(snap.size, dtype=bool) if snap.live is None else snap.live.copy()


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


def _ranking_words(snap: Snapshot, norm: str, longest: int = 8) -> list[str]:
    """The indexed jieba words inside a normalised term: every substring (up to ``longest``
    characters) that is a word of the postings. This is search-mode segmentation done with
    the index's own vocabulary, so a query never has to load jieba."""
    found: dict[str, None] = {}
    vocab = snap.vocab
    for i in range(len(norm)):
        for k in range(min(longest, len(norm) - i), 0, -1):
            piece = norm[i : i + k]
            if (k > 1 or len(norm) == 1) and piece in vocab:
                found.setdefault(piece, None)
    return list(found)


def _postings(snap: Snapshot, word: str) -> tuple[np.ndarray, np.ndarray]:
    """(ordinals, term frequencies) of the live paragraphs holding ``word`` (slices of the
    segments' postings)."""
    return snap.postings.get(word)


def _bm25(snap: Snapshot, ords: np.ndarray, tf: np.ndarray, acc: np.ndarray,
          boost: float) -> None:
    """Add ``boost`` x BM25 of one word (its postings ``ords``, ``tf``) to ``acc``.

    Document length is the paragraph's normalised character count, which is proportional to
    its token count and already in memory.
    """
    if not len(ords):
        return
    df = len(ords)
    idf = np.log(1.0 + (snap.live_count - df + 0.5) / (df + 0.5))
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
    acc = np.zeros(snap.size, dtype=np.float64)
    for t in terms:
        for w in _ranking_words(snap, t.norm):
            ords, tf = _postings(snap, w)
            _bm25(snap, ords, tf, acc, 1.0)
            # The heading field: the same words, counted over heading paragraphs only.
            in_heading = snap.is_heading_arr[ords]
            _bm25(snap, ords[in_heading], tf[in_heading], acc, HEADING_BOOST)
        if t.norm in snap.vocab:
            ords, tf = _postings(snap, t.norm)
            _bm25(snap, ords, tf, acc, WHOLE_WORD_BOOST)
    scores = acc[matched]
    title_hit = _title_hits(snap.report_titles, [t.norm for t in terms])
    if title_hit.any():
        scores *= 1.0 + TITLE_BOOST * title_hit[snap.report_idx[matched]]
    return scores


def _title_hits(titles: list[str], needles: list[str]) -> np.ndarray:
    """Per title: whether it contains one of ``needles`` (a few C-speed ``find`` over the
    titles joined, instead of a Python test per title and needle)."""
    hit = np.zeros(len(titles), dtype=bool)
    if not titles:
        return hit
    joined = SEPARATOR.join(titles)
    # ends[r]: where title r + 1 starts (a match starting before it and after title r - 1
    # is inside title r: needles hold no separator).
    lengths = np.fromiter(map(len, titles), dtype=np.int64, count=len(titles))
    ends = np.cumsum(lengths + len(SEPARATOR)).tolist()
    for needle in needles:
        if not needle or SEPARATOR in needle:  # could span titles: test each one
            hit |= np.fromiter((needle in t for t in titles), dtype=bool, count=len(titles))
            continue
        i = joined.find(needle)
        while i >= 0:
            r = bisect_right(ends, i)
            hit[r] = True
            i = joined.find(needle, ends[r])
    return hit


def _order(snap: Snapshot, matched: np.ndarray, scores: np.ndarray, sort: Sort,
           ranked: bool) -> np.ndarray:
    """Indices into ``matched`` in result order (ties: newer year, then report, position)."""
    year = snap.year[matched]
    rep = snap.report_rank[snap.report_idx[matched]]
    n = snap.n[matched]
    primary = None  # the float key sorted on first, if any (scores)
    if sort is Sort.NEWEST:
        keys = (n, rep, -year)
    elif sort is Sort.OLDEST:
        keys = (n, rep, np.where(year < 0, np.iinfo(np.int32).max, year))
    elif ranked:
        keys, primary = (n, rep, -year), -scores
    else:
        keys = (n, rep)
    # The integer keys packed into one: each key is a pass of lexsort, most of its time.
    packed = _packed(keys)
    if packed is None:
        return np.lexsort(keys if primary is None else (*keys, primary))
    return np.argsort(packed, kind="stable") if primary is None else np.lexsort((packed, primary))


def _packed(keys: tuple[np.ndarray, ...]) -> np.ndarray | None:
    """One int64 per row that orders the rows as ``np.lexsort(keys)`` does (integer keys, the
    last one primary); None when the packed values would not fit."""
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    if not len(packed):
        return packed
    scale = 1  # product of the value ranges of the less significant keys
    for key in keys:
        low, high = int(key.min()), int(key.max())
        if scale * (high - low + 1) >= 2**62:
            return None
        packed += (key.astype(np.int64) - low) * scale
        scale *= high - low + 1
    return packed


# ---------------------------------------------------------------- substring search


def _scan_mask(snap: Snapshot, unit: str) -> np.ndarray:
    """Paragraphs whose normalised text contains ``unit``, by scanning ``snap.joined`` (any
    unit: the reference the vectorised search must agree with)."""
    mask = np.zeros(snap.size, dtype=bool)
    starts, find = snap.starts, snap.joined.find
    # Sparse units: C-speed find over the joined text, jumping to the next paragraph after
    # each hit. Dense units (e.g. 的): once they hit many paragraphs, test the rest one by
    # one with ``in``, which costs the same whatever the number of hits.
    dense_after = max(1000, snap.size // 50)
    hits = 0
    i = find(unit)
    while i >= 0:
        d = bisect_right(starts, i) - 1
        mask[d] = True
        hits += 1
        if hits > dense_after:
            rest = snap.normed[d + 1 :]
            mask[d + 1 :] = np.fromiter((unit in t for t in rest), dtype=bool, count=len(rest))
            break
        i = find(unit, starts[d + 1])
    return mask


# Code of every character at or above U+FFFF in ``_CharCodes.codes`` (they do not fit 16 bits).
_WIDE = 0xFFFF


class _CharCodes:
    """The joined normalised text as one 16-bit code per character, to find every occurrence
    of a unit with a few numpy comparisons (one pass at C speed, no Python step per hit).

    Characters at or above U+FFFF share the code ``_WIDE``, so units holding one are left to
    the scan (``can_search``); for the others, equal codes mean equal characters.
    """

    __slots__ = ("codes", "starts", "freq")

    _CHUNK = 1 << 20  # characters encoded at a time (bounds the temporary memory)

    def __init__(self, joined: str, starts: Sequence[int]) -> None:
        codes = np.empty(len(joined), dtype=np.uint16)
        # How often each code occurs: a unit is searched from its rarest character.
        freq = np.zeros(_WIDE + 1, dtype=np.int64)
        for i in range(0, len(joined), self._CHUNK):
            wide = np.frombuffer(
                joined[i : i + self._CHUNK].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            chunk = codes[i : i + len(wide)]
            np.minimum(wide, _WIDE, out=chunk, casting="unsafe")  # exact: the values fit
            freq += np.bincount(chunk, minlength=_WIDE + 1)
        self.codes = codes
        self.starts = np.asarray(starts, dtype=np.int64)
        self.freq = freq

    @staticmethod
    def can_search(unit: str) -> bool:
        """Whether ``occurrences`` handles ``unit`` (non-empty, every character below U+FFFF)."""
        return bool(unit) and max(unit) < chr(_WIDE)

    def occurrences(self, unit: str) -> np.ndarray:
        """Offset in the joined text of the start of every occurrence of ``unit``, ascending."""
        codes, k = self.codes, len(unit)
        wanted = [ord(c) for c in unit]
        # Rarest character first: the fewest candidates to check against the others.
        order = sorted(range(k), key=lambda j: int(self.freq[wanted[j]]))
        first = order[0]
        if len(codes) < k or not self.freq[wanted[first]]:
            return np.zeros(0, dtype=np.intp)
        # Candidate starts s: the character at s + first is the rarest one (and s + k fits).
        starts = np.flatnonzero(codes[first : len(codes) - k + first + 1] == wanted[first])
        for j in order[1:]:
            if not len(starts):
                break
            starts = starts[codes[starts + j] == wanted[j]]
        return starts


def _char_codes(snap: Snapshot) -> _CharCodes:
    """``snap``'s character codes, built once (under the snapshot's lock: one copy)."""
    chars = snap._chars
    if chars is None:
        with snap._mask_lock:
            if snap._chars is None:
                snap._chars = _CharCodes(snap.joined, snap.starts)
            chars = snap._chars
    return chars


# ---------------------------------------------------------------- results


def _hit(snap: Snapshot, o: int, score: float, needles: tuple[str, ...]) -> Hit:
    text = snap.texts[o]
    return Hit(
        report_id=snap.reports[snap.report_idx[o]].report_id,
        n=int(snap.n[o]),
        text=text,
        highlights=find_spans(text, needles),
        heading_path=snap.heading_path(o),
        is_heading=snap.is_heading(o),
        section=snap.section(o),
        score=round(float(score), 4),
        report=snap.reports[snap.report_idx[o]],
    )


def _year_sort(value: str) -> object:
    return -int(value)


def _facets(snap: Snapshot, masks: _Masks, scope: Scope, filters: dict[str, tuple[str, ...]],
            size: int) -> tuple[Facet, ...]:
    """Each facet field counted over the matches under every filter but its own (so that
    its other values stay visible)."""
    # Every field without a filter of its own counts the same matches (those under all the
    # filters): found once. As ordinals, cheaper to gather codes from than a boolean mask.
    under_all: np.ndarray | None = None
    out = []
    for name in FACET_FIELDS:
        if name in filters:
            rows = np.flatnonzero(_match(snap, masks, scope, _filter_mask(snap, filters, name)))
        else:
            if under_all is None:
                under_all = np.flatnonzero(
                    _match(snap, masks, scope, _filter_mask(snap, filters, skip=None)))
            rows = under_all
        out.append(
            count_facet(snap.columns[name], rows, filters.get(name, ()), size,
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
            heading_path=snap.heading_path(o),
            is_heading=snap.is_heading(o),
            section=snap.section(o),
        )
        for o in ords
    )
    return IngestedReport(report=snap.reports[r], paragraphs=paragraphs)


def index_stats(settings: Settings) -> IndexStats:
    """Reports and paragraphs in the index, per facet value, and its size on disk."""
    path = Path(settings.index_path)
    snap = snapshot(settings)
    everything = _everything(snap)
    facets = []
    report_counts: dict[str, dict[str, int]] = {}
    for name in FACET_FIELDS:
        column = snap.columns[name]
        facet = count_facet(column, everything, (), 10**9,
                            _year_sort if name == "report_year" else None)
        facets.append(facet)
        # Distinct (value, report) pairs, counted per value.
        pairs = np.unique(column.codes[everything].astype(np.int64) * max(len(snap.reports), 1)
                          + snap.report_idx[everything])
        reports_per_code = np.bincount(pairs // max(len(snap.reports), 1),
                                       minlength=len(column.values))
        report_counts[name] = {
            v.value: int(reports_per_code[column.code_of(v.value)]) for v in facet.values
        }
    files = [p for p in path.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    last = max((p.stat().st_mtime for p in files if p.name.endswith(".toc")), default=None)
    return IndexStats(
        reports=len(snap.report_ord),
        paragraphs=snap.live_count,
        size_bytes=size,
        facets=tuple(facets),
        report_counts=report_counts,
        last_modified=(
            time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(last)) if last else None
        ),
    )


def report_match_counts(settings: Settings, request: SearchRequest) -> dict[str, int]:
    """report_id -> number of matching paragraphs, for every report with at least one match
    under ``request`` (query, mode, scope and filters; paging, sort and facets ignored). An
    empty query matches every (filtered) paragraph. What comparison tables and trends count."""
    mode = Mode(request.mode)
    if mode is Mode.FUZZY and settings.extra_words:
        load_extra_words(settings.extra_words)
    pq = parse_query(request.query or "", mode, settings.max_query_length)
    filters = dict(parse_filters((f, v) for f, vs in request.filters for v in vs))
    snap = snapshot(settings)
    match = _match(snap, _query_masks(snap, pq), Scope(request.scope),
                   _filter_mask(snap, filters, skip=None))
    counts = np.bincount(snap.report_idx[match], minlength=len(snap.reports))
    return {snap.reports[int(r)].report_id: int(counts[r]) for r in np.flatnonzero(counts)}


def indexed_reports(settings: Settings) -> tuple[Report, ...]:
    """Every report in the index (its metadata), in report-id order."""
    snap = snapshot(settings)
    return tuple(sorted((snap.reports[r] for r in snap.report_ord.values()),
                        key=lambda rep: rep.report_id))


def warm_up(settings: Settings) -> None:
    """Load now what the first queries would otherwise load: the index snapshot (when there
    is an index) and jieba's dictionary with the configured words (fuzzy queries)."""
    from .analysis import load_dictionary

    load_dictionary()
    if settings.extra_words:
        load_extra_words(settings.extra_words)
    try:
        _char_codes(snapshot(settings))
    except (IndexMissingError, SchemaVersionError):
        pass  # searching will say so, with its clear message


__all__ = ["get_report", "index_stats", "indexed_reports", "report_match_counts", "search",
           "snapshot", "warm_up"]
