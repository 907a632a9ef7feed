"""One generation of the index as search sees it: Whoosh's reader plus arrays over docnums.

A ``Snapshot`` is opened per committed generation (keyed by the index folder's inode and the
generation number, so a commit or a rebuild is noticed on the next request) and shared by all
threads. It keeps Whoosh's reader open (postings are read from it) and concatenates the
``SegmentData`` of its segments into arrays over *global* docnums (a segment's docnums plus the
segment's offset, as Whoosh's ``MultiReader`` numbers them). ``live`` marks the paragraphs that
count: paragraph documents not deleted in this generation.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import integrity, segment_cache, whoosh_read
from .errors import IndexDamagedError, SchemaVersionError
from .facets import FacetColumn, load_sort_tables
from .models import Report, Section
from .normalize import normalize
from .pubdates import UNDATED, day_number
from .schema import FACET_COLUMNS, TEXT_FIELDS
from .serialize import report_from_json

SECTIONS: tuple[str, ...] = tuple(str(s) for s in Section)


@dataclass(frozen=True, slots=True)
class Leaf:
    """One segment of the generation: its reader, data and first global docnum."""

    reader: object  # whoosh SegmentReader
    data: segment_cache.SegmentData
    offset: int


@dataclass
class Snapshot:
    key: tuple[int, int]
    reader: object  # the generation's whoosh reader (kept open)
    leaves: list[Leaf]
    size: int  # documents, deleted and report documents included (Whoosh's doc_count_all)
    live: np.ndarray  # bool per docnum: a paragraph, not deleted
    live_count: int
    report_idx: np.ndarray  # int32 per docnum: ordinal into ``reports`` (-1: none)
    reports: list[Report]
    report_ord: dict[str, int]  # live reports by id
    report_rank: np.ndarray  # rank of each report's id (tie-breaks)
    report_titles: list[str]  # normalised
    report_is_report: np.ndarray  # bool per report: its title calls it a 报告 (not a law text)
    report_published: np.ndarray  # int32 per report (+1 slot, -1): publication day number
    n: np.ndarray
    year: np.ndarray  # int32 per docnum, -1 unknown
    is_heading_arr: np.ndarray
    heading_code: np.ndarray
    heading_table: list[tuple[str, ...]]
    columns: dict[str, FacetColumn]
    lengths: dict[str, np.ndarray]  # ranking field -> Whoosh's field length per docnum
    norm_len: np.ndarray  # normalised characters per docnum
    signals: np.ndarray  # uint8 per docnum (segment_cache.SIGNAL_* bits)
    text_hash: np.ndarray  # int64 per docnum: equal normalised texts, equal hashes
    repeated_text: np.ndarray  # bool per docnum: another document has the same text_hash
    body_words: frozenset[str]  # every term of the ``body`` field in any segment
    doc_count_all: int
    field_totals: dict[str, float]
    leaf_offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    manifest: integrity.Manifest | None = None  # the generation's checksums
    _term_cache: OrderedDict = field(default_factory=OrderedDict)
    _clause_cache: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._leaf_starts = self.leaf_offsets.tolist()

    def leaf_of(self, docnum: int) -> tuple[Leaf, int]:
        leaf = self.leaves[bisect_right(self._leaf_starts, docnum) - 1]
        return leaf, docnum - leaf.offset

    def text(self, docnum: int) -> str:
        leaf, local = self.leaf_of(docnum)
        return leaf.data.text(local)

    def normed_text(self, docnum: int) -> str:
        leaf, local = self.leaf_of(docnum)
        return leaf.data.normed_text(local)

    def texts(self, docnum: int) -> tuple[str, str]:
        """The paragraph's text as printed and its normalised text."""
        leaf, local = self.leaf_of(docnum)
        return leaf.data.text(local), leaf.data.normed_text(local)

    def heading_path(self, docnum: int) -> tuple[str, ...]:
        return self.heading_table[int(self.heading_code[docnum])]

    def section(self, docnum: int) -> Section:
        code = int(self.columns["section"].codes[docnum])
        value = self.columns["section"].values[code]
        return Section(value) if value else Section.OTHER

    def leaf_postings(self, fieldname: str, term: str
                      ) -> list[tuple[Leaf, np.ndarray, np.ndarray]]:
        """(segment, its docnums, weights) of ``term`` in each segment that has it (deleted
        documents included)."""
        out = []
        for leaf in self.leaves:
            if fieldname == "body" and term not in leaf.data.body_words:
                continue  # the segment's vocabulary says so: no look-up in its terms
            local, w = leaf.data.postings(leaf.reader, fieldname, term)
            if len(local):
                out.append((leaf, local, w))
        return out

    def close(self) -> None:
        try:
            self.reader.close()
        except Exception:  # noqa: BLE001 - a reader another thread still uses may complain
            pass


# ---------------------------------------------------------------- opening


def disk_key(path: Path) -> tuple[int, int]:
    """(inode of the index folder, latest generation): changes on every commit and rebuild."""
    try:
        inode = path.stat().st_ino
    except OSError:
        inode = -1
    gen = integrity.latest_generation(path)
    if gen < 0:
        from .store import no_index_error

        raise no_index_error(path)
    return inode, gen


def open_current(path: Path) -> Snapshot:
    """The snapshot of the latest generation at ``path``, its files verified (retried when a
    writer commits meanwhile and removes the files of the generation being opened)."""
    from .store import open_index

    for attempt in range(3):
        key = disk_key(path)
        try:
            ix = open_index(path)
            try:
                return open_snapshot(path, ix, key)
            finally:
                ix.close()
        except (OSError, IndexDamagedError) as exc:
            if disk_key(path) == key and isinstance(exc, IndexDamagedError):
                raise  # the generation is still there: it is damaged
            if attempt == 2:
                raise SchemaVersionError(
                    f"the index at {path} changed while it was being opened: try again"
                ) from None
    raise AssertionError("unreachable")


def still_sound(path: Path, snap: Snapshot) -> bool:
    """Whether the segment files of an open snapshot are as verified (a stat each; their
    content is read again only when one was modified). IndexDamagedError when one was
    altered; False when the generation is gone meanwhile (a commit: open the new one)."""
    if snap.manifest is None:
        return True
    try:
        integrity.recheck(path, snap.manifest)
    except IndexDamagedError:
        try:
            if disk_key(path) != snap.key:
                return False
        except IndexDamagedError:
            pass
        raise
    return True


def open_snapshot(path: Path, ix, key: tuple[int, int]) -> Snapshot:
    """The snapshot of generation ``key`` of the open index ``ix``; its table of contents
    and the segments' files are checked against the generation's checksum manifest
    (``indexer.integrity``; segment contents once per process) before they are used."""
    reader = ix.reader()
    try:
        generation = reader.generation()
        manifest = integrity.verify_generation(
            path, key[1] if generation is None else generation)
        leaves = _leaves(path, reader, manifest)
        snap = _build(key, reader, leaves)
        snap.manifest = manifest
        return snap
    except BaseException:
        reader.close()
        raise


def _leaves(path: Path, reader, manifest: integrity.Manifest) -> list[Leaf]:
    leaves = []
    pairs = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
    for sub, offset in pairs:
        if sub.segment() is None:  # an empty index
            continue
        integrity.verify_segment(path, manifest, sub.segment().segid)
        leaves.append(Leaf(sub, _shared_data(path, sub), offset))
    return leaves


class _DataCache:
    """SegmentData by segment id, shared by the snapshots of every generation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[tuple[str, str], segment_cache.SegmentData] = {}

    def get(self, path: Path, reader) -> segment_cache.SegmentData:
        segid = reader.segment().segid
        key = (str(path), segid)
        with self._lock:
            data = self._data.get(key)
        if data is None or data.doc_count != reader.doc_count_all():
            data = segment_cache.segment_data(path, reader)
            data.char_codes()  # one-character terms scan them: made at open, not on a query
            with self._lock:
                self._data[key] = data
        return data

    def keep_only(self, path: Path, segids: set[str]) -> None:
        with self._lock:
            for key in [k for k in self._data if k[0] == str(path) and k[1] not in segids]:
                del self._data[key]


_DATA = _DataCache()


def _shared_data(path: Path, reader) -> segment_cache.SegmentData:
    return _DATA.get(path, reader)


def forget_segments(path: Path, segids: set[str]) -> None:
    """Drop in-memory segment data of ``path`` that is not in ``segids``."""
    _DATA.keep_only(path, segids)


def _concat(parts: Sequence[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def _build(key: tuple[int, int], reader, leaves: list[Leaf]) -> Snapshot:
    size = int(reader.doc_count_all())
    deleted = np.zeros(size, dtype=bool)
    for leaf in leaves:
        deleted[whoosh_read.deleted_docnums(leaf.reader) + leaf.offset] = True
    is_para = _concat([leaf.data.is_para for leaf in leaves], bool)
    live = is_para & ~deleted
    reports, report_of_id = _reports(leaves, deleted)
    report_idx = _report_idx(leaves, report_of_id, size)
    report_idx[~is_para] = -1
    heading_table, heading_code = _merged_codes(
        [(leaf.data.headings, leaf.data.heading_code) for leaf in leaves], ())
    load_sort_tables()
    columns = {}
    for name in FACET_COLUMNS:
        values, codes = _merged_codes(
            [(leaf.data.facet_values[name], leaf.data.facet_codes[name]) for leaf in leaves], "")
        columns[name] = _facet_column(name, values, codes, reports, report_idx, live)
    years = np.array([r.report_year if r.report_year is not None else -1 for r in reports]
                     + [-1], dtype=np.int32)
    report_ord = {r.report_id: i for i, r in enumerate(reports)}
    order = sorted(range(len(reports)), key=lambda i: reports[i].report_id)
    rank = np.empty(len(reports), dtype=np.int32)
    rank[order] = np.arange(len(reports), dtype=np.int32)
    return Snapshot(
        key=key, reader=reader, leaves=leaves, size=size, live=live,
        live_count=int(live.sum()), report_idx=report_idx, reports=reports,
        report_ord=report_ord, report_rank=rank,
        report_titles=(titles := [normalize(r.title or "") for r in reports]),
        report_is_report=np.array(["报告" in t for t in titles] + [False], dtype=bool),
        report_published=np.array([day_number(r.published) for r in reports] + [UNDATED],
                                  dtype=np.int32),
        n=_concat([leaf.data.n for leaf in leaves], np.int32),
        year=years[report_idx],
        is_heading_arr=_concat([leaf.data.is_heading for leaf in leaves], bool),
        heading_code=heading_code, heading_table=heading_table,
        columns=columns,
        lengths={f: _concat([leaf.data.lengths[f] for leaf in leaves], np.float64)
                 for f in TEXT_FIELDS},
        norm_len=_concat([np.diff(leaf.data.norm_starts) - 1 for leaf in leaves], np.int32),
        signals=_concat([leaf.data.signals for leaf in leaves], np.uint8),
        text_hash=(hashes := _concat([leaf.data.text_hash for leaf in leaves], np.int64)),
        repeated_text=_repeated(hashes),
        body_words=frozenset().union(*(leaf.data.body_words for leaf in leaves)),
        doc_count_all=size,
        leaf_offsets=np.array([leaf.offset for leaf in leaves], dtype=np.int64),
        field_totals={f: float(reader.field_length(f)) for f in TEXT_FIELDS},
    )


def _repeated(hashes: np.ndarray) -> np.ndarray:
    """True where a hash occurs more than once."""
    _, inverse, counts = np.unique(hashes, return_inverse=True, return_counts=True)
    return counts[inverse] > 1


def _reports(leaves: list[Leaf], deleted: np.ndarray):
    """The live report documents (first live one per id) and their ordinals by id."""
    reports: list[Report] = []
    report_of_id: dict[str, int] = {}
    for leaf in leaves:
        for doc in leaf.data.report_docs:
            if deleted[doc.docnum + leaf.offset]:
                continue
            report = report_from_json(doc.report_json)
            if report.report_id in report_of_id:
                continue
            report_of_id[report.report_id] = len(reports)
            reports.append(report)
    return reports, report_of_id


def _report_idx(leaves: list[Leaf], report_of_id: dict[str, int], size: int) -> np.ndarray:
    parts = []
    for leaf in leaves:
        values = leaf.data.facet_values["report_id"]
        table = np.array([report_of_id.get(v, -1) if v else -1 for v in values], dtype=np.int32)
        parts.append(table[leaf.data.facet_codes["report_id"]])
    out = _concat(parts, np.int32)
    return out if len(out) == size else np.full(size, -1, dtype=np.int32)


def _merged_codes(parts, empty):
    """One value table for several (values, codes) pairs, and the codes re-numbered into it
    (value ``empty`` keeps code 0)."""
    index: dict[object, int] = {empty: 0}
    out = []
    for values, codes in parts:
        table = np.array([index.setdefault(v, len(index)) for v in values], dtype=np.int32)
        out.append(table[codes] if len(codes) else codes.astype(np.int32))
    return list(index), _concat(out, np.int32)


_PARENT = {"city": "province", "county": "city", "town": "county"}


def _facet_column(name: str, values: list, codes: np.ndarray, reports: list[Report],
                  report_idx: np.ndarray, live: np.ndarray) -> FacetColumn:
    """A FacetColumn over global docnums (value None for code 0); jurisdiction values carry
    their parent (the value one level up in the same reports), and the code of each report
    when its live paragraphs all share one."""
    parent_of: dict[str, str | None] = {}
    if name in _PARENT:
        for r in reports:
            v = getattr(r, name)
            if v is not None:
                parent_of.setdefault(str(v), getattr(r, _PARENT[name]))
    table = tuple([None] + [str(v) for v in values[1:]])
    parents = tuple(parent_of.get(v) if v is not None else None for v in table)
    return FacetColumn(name, codes, table, parents,
                       _report_codes(codes, report_idx, live, len(reports)))


def _report_codes(codes: np.ndarray, report_idx: np.ndarray, live: np.ndarray,
                  count: int) -> np.ndarray | None:
    """Each report's code when all its live paragraphs have the same one, else None."""
    live_codes, live_reports = codes[live], report_idx[live]
    per_report = np.zeros(count, dtype=np.int32)
    per_report[live_reports] = live_codes
    return per_report if np.array_equal(per_report[live_reports], live_codes) else None
