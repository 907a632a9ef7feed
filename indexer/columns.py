"""The column format: what search needs from a set of reports, in a few flat files.

A *segment* of the index (see ``segments.py``: a generation is one or more of them) is a
folder holding its paragraphs as columns over *row* numbers (rows grouped by report, in
paragraph order) and the ranking postings:

- ``reports.jsonl``: one Report (JSON) per report block, in row order; ``known.json``: per
  report its content hash, manifest row hash and source path (what an incremental run
  compares); ``rows.npz`` also holds per report the UTF-8 byte offsets of its block in the
  two text files (so a merge copies kept blocks as bytes, never decoding them);
- ``rows.npz``: per row ``report_idx``, ``n``, ``is_heading``, ``section`` (code), ``heading``
  (code into ``headings.json``), ``text_start`` (offsets into ``texts.txt``, one past the end
  last), ``norm_len`` (length of the normalised text);
- ``texts.txt``: the paragraph texts as printed, concatenated; ``normed.txt``: the normalised
  texts, each followed by ``SEPARATOR`` (what exact matching scans);
- ``vocab.txt`` and ``post_ptr.npy``/``post_row.npy``/``post_tf.npy``: the jieba words of the
  normalised texts (search-mode cut) as a CSR matrix word -> (rows, term frequencies).

Loading it is a few file reads (no per-document unpickling), which is what makes opening a
360k-paragraph index and refreshing after a commit cheap.
"""

from __future__ import annotations

import json
import os
import shutil
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .models import Paragraph, Report, Section
from .normalize import SEPARATOR, normalize

COLUMNS_PREFIX = "columns-"
SECTIONS: tuple[str, ...] = tuple(str(s) for s in Section)
_SECTION_CODE = {s: i for i, s in enumerate(SECTIONS)}


def columns_dir(index_path: Path, generation: int) -> Path:
    """The folder of generation ``generation`` (its segment list and known reports)."""
    return Path(index_path) / f"{COLUMNS_PREFIX}{generation}"


@dataclass
class Columns:
    """One generation's columns, in memory. ``texts``/``normed`` are ``bytes`` (UTF-8) when
    read ``raw`` for an update, and ``reports`` are then left as their JSON lines."""

    reports: list[Report] | None
    report_lines: list[str]  # reports as JSON, one per block
    manifest_shas: list[str]  # per report
    block_text_bytes: np.ndarray  # int64, reports + 1: byte offsets of blocks in texts
    block_norm_bytes: np.ndarray  # int64, reports + 1: byte offsets of blocks in normed
    report_idx: np.ndarray  # int32 per row
    n: np.ndarray  # int32 per row
    is_heading: np.ndarray  # bool per row
    section: np.ndarray  # int8 per row (index into SECTIONS)
    heading: np.ndarray  # int32 per row (index into headings)
    headings: list[tuple[str, ...]]
    texts: str | bytes
    text_start: np.ndarray  # int64, rows + 1
    normed: str | bytes  # each row's normalised text followed by SEPARATOR
    norm_len: np.ndarray  # int32 per row
    vocab: list[str]
    post_ptr: np.ndarray  # int64, len(vocab) + 1
    post_row: np.ndarray  # int32
    post_tf: np.ndarray  # float32
    # report_id -> (content_sha256, manifest_sha256, source_path), in block order, when known
    # without parsing the report lines (read raw from known.json, or carried by an update).
    known_map: dict[str, tuple[str, str, str]] | None = None

    @property
    def rows(self) -> int:
        return len(self.n)

    @property
    def report_count(self) -> int:
        return len(self.report_lines)

    def known(self) -> dict[str, tuple[str, str, str]]:
        """report_id -> (content_sha256, manifest_sha256, source_path)."""
        if self.known_map is not None:
            return self.known_map
        reports = self.reports or [None] * self.report_count
        out = {}
        for line, report, msha in zip(self.report_lines, reports, self.manifest_shas):
            data = report if report is not None else json.loads(line)
            get = (lambda k: getattr(data, k)) if report is not None else data.get
            out[get("report_id")] = (get("content_sha256"), msha, get("source_path"))
        return out


# ---------------------------------------------------------------- building


@dataclass
class ColumnsBuilder:
    """Accumulates report blocks (with each paragraph's word counts) into Columns."""

    reports: list[Report] = field(default_factory=list)
    report_lines: list[str] = field(default_factory=list)
    manifest_shas: list[str] = field(default_factory=list)
    block_text_bytes: array = field(default_factory=lambda: array("q", [0]))
    block_norm_bytes: array = field(default_factory=lambda: array("q", [0]))
    report_idx: array = field(default_factory=lambda: array("i"))
    n: array = field(default_factory=lambda: array("i"))
    is_heading: array = field(default_factory=lambda: array("b"))
    section: array = field(default_factory=lambda: array("b"))
    heading: array = field(default_factory=lambda: array("i"))
    heading_codes: dict[tuple[str, ...], int] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    normed: list[str] = field(default_factory=list)
    vocab: dict[str, int] = field(default_factory=dict)
    p_word: array = field(default_factory=lambda: array("i"))
    p_row: array = field(default_factory=lambda: array("i"))
    p_tf: array = field(default_factory=lambda: array("f"))

    @property
    def rows(self) -> int:
        return len(self.n)

    def add(self, report: Report, paragraphs: Sequence[Paragraph],
            counts: Sequence[Mapping[str, int]], manifest_sha: str = "") -> None:
        """Append one report's block; ``counts[i]`` are the jieba word counts of paragraph i."""
        from .index import report_to_json

        r = len(self.reports)
        self.reports.append(report)
        self.report_lines.append(report_to_json(report))
        self.manifest_shas.append(manifest_sha)
        first = len(self.texts)
        vocab, p_word, p_row, p_tf = self.vocab, self.p_word, self.p_row, self.p_tf
        for p, words in zip(paragraphs, counts, strict=True):
            row = len(self.n)
            self.report_idx.append(r)
            self.n.append(p.n)
            self.is_heading.append(1 if p.is_heading else 0)
            self.section.append(_SECTION_CODE.get(str(p.section), _SECTION_CODE["other"]))
            path = tuple(p.heading_path)
            self.heading.append(self.heading_codes.setdefault(path, len(self.heading_codes)))
            self.texts.append(p.text)
            self.normed.append(normalize(p.text))
            for word, tf in words.items():
                wid = vocab.get(word)
                if wid is None:
                    wid = vocab[word] = len(vocab)
                p_word.append(wid)
                p_row.append(row)
                p_tf.append(tf)
        text_bytes = len("".join(self.texts[first:]).encode("utf-8", "surrogatepass"))
        norm_bytes = len("".join(self.normed[first:]).encode("utf-8", "surrogatepass"))
        norm_bytes += (len(self.normed) - first) * len(SEPARATOR)  # one after each paragraph
        self.block_text_bytes.append(self.block_text_bytes[-1] + text_bytes)
        self.block_norm_bytes.append(self.block_norm_bytes[-1] + norm_bytes)

    def build(self) -> Columns:
        """The accumulated blocks as Columns. Consumes the builder: its text lists and posting
        buffers are released as soon as they are copied (a full build's peak memory)."""
        words = _take(self, "p_word", np.int32)
        order = np.argsort(words, kind="stable")  # stable: rows stay increasing in a word's run
        ptr = np.zeros(len(self.vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(words, minlength=len(self.vocab)), out=ptr[1:])
        del words
        post_row = _take(self, "p_row", np.int32)[order]
        post_tf = _take(self, "p_tf", np.float32)[order]
        del order
        lengths = np.fromiter((len(t) for t in self.texts), dtype=np.int64, count=len(self.texts))
        text_start = np.zeros(len(self.texts) + 1, dtype=np.int64)
        np.cumsum(lengths, out=text_start[1:])
        texts = "".join(self.texts)
        self.texts = []
        norm_len = np.fromiter((len(t) for t in self.normed), dtype=np.int32,
                               count=len(self.normed))
        normed = SEPARATOR.join(self.normed) + SEPARATOR if self.normed else ""
        self.normed = []
        return Columns(
            reports=self.reports,
            report_lines=self.report_lines,
            manifest_shas=self.manifest_shas,
            block_text_bytes=_arr(self.block_text_bytes, np.int64),
            block_norm_bytes=_arr(self.block_norm_bytes, np.int64),
            report_idx=_arr(self.report_idx, np.int32),
            n=_arr(self.n, np.int32),
            is_heading=_arr(self.is_heading, np.int8).astype(bool),
            section=_arr(self.section, np.int8),
            heading=_arr(self.heading, np.int32),
            headings=list(self.heading_codes),
            texts=texts,
            text_start=text_start,
            normed=normed,
            norm_len=norm_len,
            vocab=list(self.vocab),
            post_ptr=ptr,
            post_row=post_row,
            post_tf=post_tf,
        )


def _take(builder: ColumnsBuilder, name: str, dtype) -> np.ndarray:
    """The builder's array ``name`` as a numpy copy, the array itself released."""
    values = getattr(builder, name)
    setattr(builder, name, array(values.typecode))
    return _arr(values, dtype)


def _arr(values: array, dtype) -> np.ndarray:
    return np.array(values, dtype=dtype) if len(values) else np.zeros(0, dtype=dtype)


def replace_reports(old: Columns, keep_rep: np.ndarray | None, new: Columns) -> Columns:
    """``old`` (read ``raw``) with only the report blocks flagged in ``keep_rep`` (all when
    None), followed by ``new``'s blocks; texts stay UTF-8 bytes (kept blocks are copied, not
    decoded). Merging segments is this function.

    All numpy and O(size): rows are renumbered with one monotonic map, so postings stay
    sorted, and the new rows' postings are inserted at the end of each word's run.
    """
    old_known = old.known()
    if keep_rep is None:
        keep_rep = np.ones(old.report_count, dtype=bool)
    known_map = {rid: k for (rid, k), kept in zip(old_known.items(), keep_rep) if kept}
    known_map.update(new.known())
    keep = keep_rep[old.report_idx] if old.rows else np.zeros(0, dtype=bool)
    rep_map = np.cumsum(keep_rep) - 1
    row_map = (np.cumsum(keep) - 1).astype(np.int32)
    kept_rows = int(keep.sum())
    kept_reports = int(keep_rep.sum())
    # Headings: old codes stay, new ones are appended.
    heading_codes = {h: i for i, h in enumerate(old.headings)}
    new_heading = np.array([heading_codes.setdefault(h, len(heading_codes)) for h in new.headings],
                           dtype=np.int32)
    # Postings: the old ones of kept rows (renumbered), then each word's new ones after them.
    vocab = {w: i for i, w in enumerate(old.vocab)}
    new_wid = np.array([vocab.setdefault(w, len(vocab)) for w in new.vocab], dtype=np.int64)
    old_rows = np.asarray(old.post_row)
    live = keep[old_rows] if len(old_rows) else np.zeros(0, dtype=bool)
    # Word run boundaries among the live postings: few are dead (the replaced reports'), so
    # subtract the dead ones before each boundary (a cumsum over all postings costs more).
    dead = np.flatnonzero(~live)
    ptr_live = old.post_ptr - np.searchsorted(dead, old.post_ptr)
    ptr_live = np.concatenate([ptr_live, np.full(len(vocab) - len(old.vocab), ptr_live[-1])])
    rows_a = row_map[old_rows[live]]
    tf_a = np.asarray(old.post_tf)[live]
    words_b = np.repeat(new_wid, np.diff(new.post_ptr))
    order_b = np.argsort(words_b, kind="stable")
    wb = words_b[order_b]
    rows_b = (np.asarray(new.post_row, dtype=np.int64)[order_b] + kept_rows).astype(np.int32)
    tf_b = np.asarray(new.post_tf)[order_b]
    at = ptr_live[wb + 1]  # insert each new posting at the end of its word's live run
    post_row = np.insert(rows_a, at, rows_b)
    del rows_a, rows_b, live  # a full merge's peak memory: one copy at a time
    post_tf = np.insert(tf_a, at, tf_b)
    del tf_a, tf_b, at
    ptr = ptr_live + np.concatenate([[0], np.cumsum(np.bincount(wb, minlength=len(vocab)))])
    # Texts: kept blocks as bytes, then the new ones (one join: no intermediate copy).
    texts = _kept_blocks(old.texts, old.block_text_bytes, keep_rep, _utf8(new.texts))
    normed = _kept_blocks(old.normed, old.block_norm_bytes, keep_rep, _utf8(new.normed))
    old_text_len = np.diff(old.text_start)[keep]
    text_start = np.zeros(kept_rows + new.rows + 1, dtype=np.int64)
    np.cumsum(np.concatenate([old_text_len, np.diff(new.text_start)]), out=text_start[1:])
    return Columns(
        reports=None,
        report_lines=[x for x, k in zip(old.report_lines, keep_rep) if k] + new.report_lines,
        manifest_shas=[x for x, k in zip(old.manifest_shas, keep_rep) if k] + new.manifest_shas,
        block_text_bytes=_blocks(old.block_text_bytes, keep_rep, new.block_text_bytes),
        block_norm_bytes=_blocks(old.block_norm_bytes, keep_rep, new.block_norm_bytes),
        report_idx=np.concatenate(
            [rep_map[old.report_idx[keep]], new.report_idx + kept_reports]
        ).astype(np.int32),
        n=np.concatenate([old.n[keep], new.n]).astype(np.int32),
        is_heading=np.concatenate([old.is_heading[keep], new.is_heading]).astype(bool),
        section=np.concatenate([old.section[keep], new.section]).astype(np.int8),
        heading=np.concatenate([old.heading[keep], new_heading[new.heading]]).astype(np.int32),
        headings=list(heading_codes),
        texts=texts,
        text_start=text_start,
        normed=normed,
        norm_len=np.concatenate([np.asarray(old.norm_len)[keep], new.norm_len]).astype(np.int32),
        vocab=list(vocab),
        post_ptr=ptr.astype(np.int64, copy=False),
        post_row=post_row.astype(np.int32, copy=False),
        post_tf=post_tf.astype(np.float32, copy=False),
        known_map=known_map,
    )


def _utf8(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")


def _kept_blocks(data: str | bytes, offsets: np.ndarray, keep_rep: np.ndarray,
                 tail: bytes = b"") -> bytes:
    """The bytes of the kept report blocks (runs of consecutive kept blocks in one slice),
    then ``tail``."""
    raw = _utf8(data)
    edges = np.flatnonzero(np.diff(np.r_[0, keep_rep.astype(np.int8), 0]))
    view = memoryview(raw)  # slices of a memoryview copy nothing until the join
    parts = [view[int(offsets[a]) : int(offsets[b])]
             for a, b in zip(edges[::2].tolist(), edges[1::2].tolist())]
    return b"".join([*parts, tail])


def _blocks(old: np.ndarray, keep_rep: np.ndarray, new: np.ndarray) -> np.ndarray:
    sizes = np.concatenate([np.diff(old)[keep_rep], np.diff(new)])
    out = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=out[1:])
    return out


# ---------------------------------------------------------------- files


def write_columns(cols: Columns, target: Path) -> None:
    """Write ``cols`` to the folder ``target`` (through a temporary folder and a rename)."""
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / "reports.jsonl").write_text("".join(line + "\n" for line in cols.report_lines),
                                       encoding="utf-8")
    write_known(tmp, cols.known())
    np.savez(tmp / "rows.npz", report_idx=cols.report_idx, n=cols.n,
             is_heading=cols.is_heading, section=cols.section, heading=cols.heading,
             text_start=cols.text_start, norm_len=cols.norm_len,
             block_text_bytes=cols.block_text_bytes, block_norm_bytes=cols.block_norm_bytes)
    (tmp / "headings.json").write_text(json.dumps(cols.headings, ensure_ascii=False),
                                       encoding="utf-8")
    (tmp / "texts.txt").write_bytes(_utf8(cols.texts))
    (tmp / "normed.txt").write_bytes(_utf8(cols.normed))
    (tmp / "vocab.txt").write_bytes(_utf8("\n".join(cols.vocab)))
    (tmp / "manifest_shas.txt").write_text("\n".join(cols.manifest_shas), encoding="ascii")
    np.save(tmp / "post_ptr.npy", cols.post_ptr)
    np.save(tmp / "post_row.npy", cols.post_row)
    np.save(tmp / "post_tf.npy", cols.post_tf)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)


def write_known(folder: Path, known: Mapping[str, tuple[str, str, str]]) -> None:
    """Write ``known.json`` (report_id -> content sha, manifest sha, source path) in ``folder``."""
    (folder / "known.json").write_text(json.dumps(
        {"report_id": list(known), "known": list(known.values())}, ensure_ascii=False),
        encoding="utf-8")


def read_known(source: Path) -> dict[str, tuple[str, str, str]]:
    """report_id -> (content_sha256, manifest_sha256, source_path) from folder ``source``."""
    data = json.loads((source / "known.json").read_text(encoding="utf-8"))
    return {rid: tuple(k) for rid, k in zip(data["report_id"], data["known"], strict=True)}


def read_columns(source: Path, *, raw: bool = False) -> Columns:
    """The columns in folder ``source`` (FileNotFoundError when absent). ``raw``: texts as
    bytes and reports as JSON lines (what an update needs: nothing decoded)."""
    from .index import report_from_json

    with (source / "reports.jsonl").open(encoding="utf-8") as fh:
        lines = [line.rstrip("\n") for line in fh if line.strip()]
    with np.load(source / "rows.npz") as z:
        rows = {k: z[k] for k in z.files}
    vocab_text = _read_text(source / "vocab.txt")
    shas = (source / "manifest_shas.txt").read_text(encoding="ascii")
    read = (lambda name: (source / name).read_bytes()) if raw else (
        lambda name: _read_text(source / name))
    return Columns(
        reports=None if raw else [report_from_json(line) for line in lines],
        report_lines=lines,
        manifest_shas=shas.split("\n") if lines else [],
        block_text_bytes=rows["block_text_bytes"],
        block_norm_bytes=rows["block_norm_bytes"],
        report_idx=rows["report_idx"],
        n=rows["n"],
        is_heading=rows["is_heading"],
        section=rows["section"],
        heading=rows["heading"],
        headings=[tuple(h) for h in json.loads((source / "headings.json").read_text("utf-8"))],
        texts=read("texts.txt"),
        text_start=rows["text_start"],
        normed=read("normed.txt"),
        norm_len=rows["norm_len"],
        vocab=vocab_text.split("\n") if vocab_text else [],
        post_ptr=np.load(source / "post_ptr.npy"),
        post_row=np.load(source / "post_row.npy", mmap_mode="r"),
        post_tf=np.load(source / "post_tf.npy", mmap_mode="r"),
        known_map=read_known(source) if raw else None,
    )


def _read_text(path: Path) -> str:
    with open(path, encoding="utf-8", errors="surrogatepass", newline="") as fh:
        return fh.read()
