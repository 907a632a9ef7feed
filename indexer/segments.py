"""Segments: a generation's columns as a few immutable segments plus the blocks deleted since.

A full build writes one segment. An incremental run writes a small segment holding only the
changed reports and marks the blocks of the reports it replaced or removed *dead* in the older
segments (their rows stay on disk and are excluded from every search), so its cost follows
the size of the change, not of the corpus. Merges keep segments and dead rows bounded:

- more than ``MAX_SMALL_SEGMENTS`` segments after the first: those are merged into one (they
  are small, so this is cheap);
- dead rows plus the rows outside the first segment over ``COMPACT_FRACTION`` of all rows:
  everything is merged into one segment. That costs a full column write, paid once each time
  another ``COMPACT_FRACTION`` of the corpus has changed.

On disk, inside the index folder:

- ``seg-<generation>-<random>/``: one segment in the column format of ``columns.py``,
  never changed once written (an update that needs other contents writes a new one);
- ``columns-G/``: generation G's ``segments.json`` (its segments in row order, each with
  its dead blocks) and ``known.json`` (per live report what an incremental run compares).

Generation folders and segments are written before the Whoosh commit of their generation,
so a committed generation always finds them; a crash leaves only unreferenced folders, which
``collect_garbage`` removes under the write lock.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .columns import (
    COLUMNS_PREFIX,
    Columns,
    ColumnsBuilder,
    columns_dir,
    read_columns,
    read_known,
    replace_reports,
    write_columns,
    write_known,
)

SEGMENT_PREFIX = "seg-"
SEGMENTS_FILE = "segments.json"
# Segments after the first one before they are merged into one.
MAX_SMALL_SEGMENTS = 6
# Share of all rows that may be dead or outside the first segment before a full merge.
COMPACT_FRACTION = 0.15

Known = dict[str, tuple[str, str, str]]  # report_id -> (content sha, manifest sha, source)


@dataclass(frozen=True, slots=True)
class SegmentRef:
    """One segment of a generation: its folder name, rows, and its dead blocks."""

    name: str
    rows: int
    reports: int
    dead: tuple[int, ...] = ()  # block (report) numbers within the segment
    dead_rows: int = 0

    @property
    def all_dead(self) -> bool:
        return len(self.dead) >= self.reports


@dataclass(frozen=True, slots=True)
class Generation:
    """What one committed generation is made of."""

    segments: tuple[SegmentRef, ...]
    known: Known  # live reports only

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.segments)

    @property
    def dead_rows(self) -> int:
        return sum(s.dead_rows for s in self.segments)


# ---------------------------------------------------------------- files


def segment_dir(index_path: Path, name: str) -> Path:
    return Path(index_path) / name


def read_generation(index_path: Path, generation: int) -> Generation:
    """Generation ``generation`` of the index (FileNotFoundError when it has no columns)."""
    folder = columns_dir(index_path, generation)
    data = json.loads((folder / SEGMENTS_FILE).read_text(encoding="utf-8"))
    segments = tuple(
        SegmentRef(s["name"], int(s["rows"]), int(s["reports"]),
                   tuple(int(b) for b in s.get("dead", ())), int(s.get("dead_rows", 0)))
        for s in data["segments"]
    )
    return Generation(segments, read_known(folder))


def write_generation(index_path: Path, generation: int, gen: Generation) -> None:
    """Write ``gen`` as generation ``generation`` (through a temporary folder and a rename)."""
    target = columns_dir(index_path, generation)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    segments = [{"name": s.name, "rows": s.rows, "reports": s.reports, "dead": list(s.dead),
                 "dead_rows": s.dead_rows} for s in gen.segments]
    (tmp / SEGMENTS_FILE).write_text(json.dumps({"segments": segments}), encoding="utf-8")
    write_known(tmp, gen.known)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)


def write_segment(index_path: Path, cols: Columns, generation: int) -> SegmentRef:
    """Write ``cols`` as a new segment of the index at ``index_path``."""
    name = f"{SEGMENT_PREFIX}{generation}-{secrets.token_hex(4)}"
    write_columns(cols, segment_dir(index_path, name))
    return SegmentRef(name, cols.rows, cols.report_count)


def write_single(index_path: Path, generation: int, cols: Columns) -> None:
    """Generation ``generation`` made of ``cols`` alone (a full build)."""
    segments = (write_segment(index_path, cols, generation),) if cols.report_count else ()
    write_generation(index_path, generation, Generation(segments, cols.known()))


# ---------------------------------------------------------------- updating


def updated_generation(index_path: Path, old: Generation, drop: set[str], new: Columns,
                       generation: int) -> Generation:
    """``old`` with the reports in ``drop`` marked dead and ``new`` as a new segment (merging
    segments when the policy says so); segments are written, the generation is not."""
    # A segment whose every block is dead is dropped at once (a file changed again and again
    # leaves no trail of dead segments).
    segments = [s for s in mark_dead(index_path, old.segments, drop) if not s.all_dead]
    if new.report_count:
        segments.append(write_segment(index_path, new, generation))
    segments = merge_as_needed(index_path, segments, generation)
    known = {rid: k for rid, k in old.known.items() if rid not in drop}
    known.update(new.known())
    return Generation(tuple(segments), known)


def mark_dead(index_path: Path, segments: Sequence[SegmentRef], drop: set[str]
              ) -> list[SegmentRef]:
    """``segments`` with the live blocks of the reports in ``drop`` marked dead."""
    if not drop:
        return list(segments)
    out = []
    for ref in segments:
        folder = segment_dir(index_path, ref.name)
        dead = set(ref.dead)
        hit = [b for b, rid in enumerate(read_known(folder)) if rid in drop and b not in dead]
        if not hit:
            out.append(ref)
            continue
        with np.load(folder / "rows.npz") as z:
            block_rows = np.bincount(z["report_idx"], minlength=max(hit) + 1)
        out.append(replace(ref, dead=tuple(sorted(dead | set(hit))),
                           dead_rows=ref.dead_rows + int(block_rows[hit].sum())))
    return out


def merge_plan(segments: Sequence[SegmentRef]) -> slice | None:
    """Which segments to merge into one (a slice of ``segments``), or None."""
    total = sum(s.rows for s in segments)
    if not total:
        return slice(0, len(segments)) if len(segments) > 1 else None
    spread = sum(s.dead_rows for s in segments) + sum(s.rows for s in segments[1:])
    if spread > COMPACT_FRACTION * total:
        return slice(0, len(segments))
    if len(segments) - 1 > MAX_SMALL_SEGMENTS:
        return slice(1, len(segments))
    return None


def merge_as_needed(index_path: Path, segments: list[SegmentRef], generation: int
                    ) -> list[SegmentRef]:
    plan = merge_plan(segments)
    if plan is None:
        return segments
    merged = merge_segments(index_path, segments[plan])
    chosen = [] if merged is None else [write_segment(index_path, merged, generation)]
    return segments[: plan.start] + chosen + segments[plan.stop :]


def merge_segments(index_path: Path, refs: Sequence[SegmentRef]) -> Columns | None:
    """The live blocks of ``refs``, in order, as one Columns (None when none is live).

    The first (largest) segment is read and rewritten once: the later ones are merged
    among themselves first, then appended to it in one pass.
    """
    tail: Columns | None = None
    for ref in refs[1:]:
        part = _live_part(index_path, ref)
        tail = part if tail is None else replace_reports(tail, None, part)
    head = read_columns(segment_dir(index_path, refs[0].name), raw=True)
    merged = replace_reports(head, _keep(head, refs[0]), tail or ColumnsBuilder().build())
    return merged if merged.report_count else None


def _live_part(index_path: Path, ref: SegmentRef) -> Columns:
    cols = read_columns(segment_dir(index_path, ref.name), raw=True)
    if not ref.dead:
        return cols
    return replace_reports(cols, _keep(cols, ref), ColumnsBuilder().build())


def _keep(cols: Columns, ref: SegmentRef) -> np.ndarray:
    keep = np.ones(cols.report_count, dtype=bool)
    keep[list(ref.dead)] = False
    return keep


# ---------------------------------------------------------------- garbage


def collect_garbage(index_path: Path, keep_from: int) -> None:
    """Remove generation folders older than ``keep_from`` and the segments no remaining
    generation uses. Call it holding the write lock: a writer's new segment is unreferenced
    until its generation is written."""
    from .index import _process_alive

    path = Path(index_path)
    used: set[str] = set()
    for entry in path.iterdir():
        name = entry.name
        if name.startswith(COLUMNS_PREFIX) and name[len(COLUMNS_PREFIX):].isdigit():
            if int(name[len(COLUMNS_PREFIX):]) < keep_from:
                shutil.rmtree(entry, ignore_errors=True)
                continue
            try:
                data = json.loads((entry / SEGMENTS_FILE).read_text(encoding="utf-8"))
                used.update(s["name"] for s in data["segments"])
            except (OSError, ValueError, KeyError, TypeError):
                return  # a generation we cannot read: remove no segment
    for entry in path.iterdir():
        name = entry.name
        if name.startswith(SEGMENT_PREFIX) and name not in used:
            shutil.rmtree(entry, ignore_errors=True)
        elif name.startswith(".") and ".tmp-" in name and (
            name[1:].startswith((COLUMNS_PREFIX, SEGMENT_PREFIX))
        ):
            pid = name.rsplit(".tmp-", 1)[1]
            if not pid.isdigit() or not _process_alive(int(pid)):
                shutil.rmtree(entry, ignore_errors=True)


# ---------------------------------------------------------------- reading for search


class Postings:
    """The ranking postings of several segments as one: word -> (rows, term frequencies),
    rows numbered across segments, dead rows left out."""

    def __init__(self, parts: Sequence[Columns], offsets: Sequence[int],
                 live: np.ndarray | None) -> None:
        self._parts = [({w: i for i, w in enumerate(c.vocab)}, c.post_ptr, c.post_row, c.post_tf,
                        off) for c, off in zip(parts, offsets)]
        self._live = live
        if len(self._parts) == 1:
            self.words: dict[str, int] = self._parts[0][0]
        else:
            self.words = {}
            for vocab, *_ in self._parts:
                self.words.update(dict.fromkeys(vocab, 0))

    def get(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        rows: list[np.ndarray] = []
        tfs: list[np.ndarray] = []
        for vocab, ptr, post_row, post_tf, off in self._parts:
            wid = vocab.get(word)
            if wid is not None:
                a, b = int(ptr[wid]), int(ptr[wid + 1])
                rows.append(np.asarray(post_row[a:b], dtype=np.int64) + off)
                tfs.append(np.asarray(post_tf[a:b], dtype=np.float64))
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        ords = rows[0] if len(rows) == 1 else np.concatenate(rows)
        tf = tfs[0] if len(tfs) == 1 else np.concatenate(tfs)
        if self._live is not None:
            keep = self._live[ords]
            ords, tf = ords[keep], tf[keep]
        return ords, tf


@dataclass(frozen=True)
class LiveColumns:
    """A generation as search reads it: every segment's rows in one Columns (postings apart),
    which rows and reports are live, and the postings."""

    cols: Columns
    live: np.ndarray | None  # bool per row; None when every row is live
    report_live: np.ndarray  # bool per report block
    postings: Postings


def load_generation(index_path: Path, generation: int) -> LiveColumns:
    """Generation ``generation`` read for searching (FileNotFoundError when incomplete)."""
    gen = read_generation(index_path, generation)
    parts = [read_columns(segment_dir(index_path, s.name)) for s in gen.segments]
    if not parts:
        parts = [ColumnsBuilder().build()]
    report_live = np.ones(sum(p.report_count for p in parts), dtype=bool)
    first = 0
    for part, ref in zip(parts, gen.segments):
        report_live[[first + b for b in ref.dead]] = False
        first += part.report_count
    cols = parts[0] if len(parts) == 1 else _concat(parts)
    live = None if report_live.all() else report_live[cols.report_idx]
    offsets = np.cumsum([0] + [p.rows for p in parts[:-1]]).tolist()
    return LiveColumns(cols, live, report_live, Postings(parts, offsets, live))


def _concat(parts: Sequence[Columns]) -> Columns:
    """The rows of ``parts`` one after the other (postings are left to ``Postings``)."""
    report_base = np.cumsum([0] + [p.report_count for p in parts[:-1]])
    heading_base = np.cumsum([0] + [len(p.headings) for p in parts[:-1]])
    text_base = np.cumsum([0] + [len(p.texts) for p in parts[:-1]])
    text_start = np.concatenate(
        [p.text_start[:-1] + b for p, b in zip(parts, text_base)]
        + [np.array([sum(len(p.texts) for p in parts)], dtype=np.int64)]
    ).astype(np.int64)
    empty = np.zeros(0, dtype=np.int64)
    return Columns(
        reports=[r for p in parts for r in (p.reports or [])],
        report_lines=[x for p in parts for x in p.report_lines],
        manifest_shas=[x for p in parts for x in p.manifest_shas],
        block_text_bytes=empty,
        block_norm_bytes=empty,
        report_idx=np.concatenate(
            [p.report_idx.astype(np.int32) + b for p, b in zip(parts, report_base)]
        ).astype(np.int32),
        n=np.concatenate([p.n for p in parts]).astype(np.int32),
        is_heading=np.concatenate([p.is_heading for p in parts]).astype(bool),
        section=np.concatenate([p.section for p in parts]).astype(np.int8),
        heading=np.concatenate(
            [p.heading.astype(np.int32) + b for p, b in zip(parts, heading_base)]
        ).astype(np.int32),
        headings=[h for p in parts for h in p.headings],
        texts="".join(p.texts for p in parts),  # type: ignore[misc]
        text_start=text_start,
        normed="".join(p.normed for p in parts),  # type: ignore[misc]
        norm_len=np.concatenate([p.norm_len for p in parts]).astype(np.int32),
        vocab=[],
        post_ptr=np.zeros(1, dtype=np.int64),
        post_row=np.zeros(0, dtype=np.int32),
        post_tf=np.zeros(0, dtype=np.float32),
    )
