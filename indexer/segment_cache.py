"""What search keeps in memory of one Whoosh segment, derived from the segment alone.

A ``SegmentData`` holds, per document number of one segment: whether it is a paragraph, its
report (code), paragraph number, heading flag and heading path (code), its text as printed and
normalised (one joined string each, with offsets), the facet columns (codes and values) and
Whoosh's field lengths of the ranking fields; plus the segment's report documents. Segments
never change once written (deletions are kept apart by Whoosh), so this is computed once per
segment and shared by every generation that still holds it.

Reading it from Whoosh costs a stored-field read per document (seconds at 360k paragraphs), so
it is also saved beside the index, in ``fazhi-cache/<segment id>.npz``: an accelerator only.
The file is checked when read (zip CRCs, the segment's document count and id) and rebuilt from
the segment when it is missing or does not match; deleting the folder loses nothing.
"""

from __future__ import annotations

import json
import os
import re
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

import numpy as np
from whoosh.reading import SegmentReader

from . import whoosh_read
from .normalize import SEPARATOR, normalize
from .schema import FACET_COLUMNS, KIND_REPORT, TEXT_FIELDS

CACHE_DIR = "fazhi-cache"
CACHE_VERSION = 2
# Posting lists remembered per segment (repeated terms: facet toggles, paging, ranking).
POSTINGS_CACHE_SIZE = 2048


@dataclass(frozen=True, slots=True)
class ReportDoc:
    """A report document of the segment: its docnum and stored fields."""

    docnum: int
    report_json: str
    content_sha256: str
    manifest_sha256: str
    source_path: str


@dataclass
class SegmentData:
    segid: str
    doc_count: int
    is_para: np.ndarray  # bool per docnum
    n: np.ndarray  # int32 per docnum
    is_heading: np.ndarray  # bool per docnum
    heading_code: np.ndarray  # int32 per docnum, into ``headings``
    headings: list[tuple[str, ...]]
    texts: str  # texts as printed, joined
    text_starts: np.ndarray  # int64, doc_count + 1
    normed: str  # normalised texts, each followed by SEPARATOR
    norm_starts: np.ndarray  # int64, doc_count + 1
    facet_codes: dict[str, np.ndarray]  # field -> int32 code per docnum (0: no value)
    facet_values: dict[str, list[str]]  # field -> value of each code ('' for code 0)
    lengths: dict[str, np.ndarray]  # ranking field -> Whoosh's length per docnum
    report_docs: list[ReportDoc]
    body_words: frozenset[str]  # the terms of the ``body`` field (Whoosh's lexicon)
    signals: np.ndarray = None  # type: ignore[assignment]  # uint8 per docnum: SIGNAL_* bits
    text_hash: np.ndarray = None  # type: ignore[assignment]  # int64 per docnum (this process)
    _codes: np.ndarray | None = None
    _postings: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def docs_with_char(self, ch: str) -> np.ndarray:
        """Docnums whose normalised text holds the character ``ch``: a numpy pass over the
        segment's normalised text as 16-bit codes (made on first use), or ``str.find`` for a
        character beyond U+FFFF. For common characters this beats the union of the postings
        of every gram they start (thousands of posting lists)."""
        if ord(ch) >= 0xFFFF:
            return self.find_docs(ch)
        pos = np.flatnonzero(self.char_codes() == ord(ch))
        docs = np.searchsorted(self.norm_starts, pos, side="right") - 1
        # Ascending already: keep the first position of each document (no sort).
        return docs[np.concatenate(([True], docs[1:] != docs[:-1]))] if len(docs) else docs

    def char_codes(self) -> np.ndarray:
        """The normalised text as one 16-bit code per character (U+FFFF and above: 0xFFFF)."""
        codes = self._codes
        if codes is None:
            with self._lock:
                if self._codes is None:
                    wide = np.frombuffer(self.normed.encode("utf-32-le", "surrogatepass"),
                                         dtype=np.uint32)
                    self._codes = np.minimum(wide, 0xFFFF).astype(np.uint16)
                codes = self._codes
        return codes

    def find_docs(self, unit: str) -> np.ndarray:
        """Docnums whose normalised text contains ``unit``, by ``str.find`` over the joined
        texts (after a hit, the search goes on at the next document): grep itself."""
        out, starts, find = [], self.norm_starts, self.normed.find
        i = find(unit)
        while i >= 0:
            d = int(np.searchsorted(starts, i, side="right")) - 1
            out.append(d)
            i = find(unit, int(starts[d + 1]))
        return np.asarray(out, dtype=np.int32)

    def contains(self, docs: np.ndarray, unit: str) -> np.ndarray:
        """Per docnum of ``docs``: whether its normalised text contains ``unit``."""
        starts = self.norm_starts
        begin, end = starts[docs].tolist(), (starts[docs + 1] - 1).tolist()
        # str.find through map: no Python frame per candidate.
        found = map(self.normed.find, repeat(unit, len(docs)), begin, end)
        return np.fromiter(found, dtype=np.int64, count=len(docs)) >= 0

    def text(self, docnum: int) -> str:
        return self.texts[int(self.text_starts[docnum]) : int(self.text_starts[docnum + 1])]

    def normed_text(self, docnum: int) -> str:
        starts = self.norm_starts
        return self.normed[int(starts[docnum]) : int(starts[docnum + 1]) - 1]

    def postings(self, reader: SegmentReader, fieldname: str, term: str
                 ) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, weights) of ``term`` in this segment (cached)."""
        key = (fieldname, term)
        with self._lock:
            hit = self._postings.get(key)
            if hit is not None:
                self._postings.move_to_end(key)
                return hit
        value = whoosh_read.postings(reader, fieldname, term)
        with self._lock:
            self._postings[key] = value
            while len(self._postings) > POSTINGS_CACHE_SIZE:
                self._postings.popitem(last=False)
        return value


# ---------------------------------------------------------------- from the segment


def read_segment(reader: SegmentReader) -> SegmentData:
    """Everything of ``SegmentData`` from the segment's stored fields and columns."""
    count = reader.doc_count_all()
    is_para = np.zeros(count, dtype=bool)
    n = np.zeros(count, dtype=np.int32)
    is_heading = np.zeros(count, dtype=bool)
    heading_code = np.zeros(count, dtype=np.int32)
    heading_index: dict[tuple[str, ...], int] = {(): 0}
    texts: list[str] = []
    report_docs: list[ReportDoc] = []
    for docnum in range(count):
        stored = reader.stored_fields(docnum)
        if stored.get("kind") == KIND_REPORT:
            report_docs.append(ReportDoc(docnum, stored["report_json"], stored["content_sha256"],
                                         stored.get("manifest_sha256") or "",
                                         stored["source_path"]))
            texts.append("")
            continue
        is_para[docnum] = True
        n[docnum] = stored.get("n", 0)
        is_heading[docnum] = bool(stored.get("is_heading"))
        path = tuple(stored.get("heading_path") or ())
        heading_code[docnum] = heading_index.setdefault(path, len(heading_index))
        texts.append(stored.get("text") or "")
    facet_codes: dict[str, np.ndarray] = {}
    facet_values: dict[str, list[str]] = {}
    for name in FACET_COLUMNS:
        codes, values = whoosh_read.ref_column(reader, name)
        facet_codes[name] = codes
        facet_values[name] = [v.decode("utf-8") for v in values]
    lengths = {f: whoosh_read.field_lengths(reader, f) for f in TEXT_FIELDS}
    return _assemble(reader.segment().segid, count, is_para, n, is_heading, heading_code,
                     list(heading_index), texts, facet_codes, facet_values, lengths,
                     report_docs, frozenset(whoosh_read.field_terms(reader, "body")))


def _assemble(segid, count, is_para, n, is_heading, heading_code, headings, texts,
              facet_codes, facet_values, lengths, report_docs, body_words) -> SegmentData:
    joined = "".join(texts)
    text_starts = _starts([len(t) for t in texts], 0)
    normed_parts = [normalize(t) for t in texts]
    normed = SEPARATOR.join(normed_parts) + SEPARATOR
    norm_starts = _starts([len(t) for t in normed_parts], len(SEPARATOR))
    return SegmentData(segid, count, is_para, n, is_heading, heading_code, headings, joined,
                       text_starts, normed, norm_starts, facet_codes, facet_values, lengths,
                       report_docs, body_words, _signals(normed, norm_starts),
                       np.fromiter(map(hash, normed_parts), dtype=np.int64, count=count))


# Ranking signals of a paragraph (bits of ``SegmentData.signals``), found by one regular
# expression pass over the joined normalised texts each.
SIGNAL_ARTICLE = 1  # starts like a statute article: 第十二条 ...
SIGNAL_FIGURES = 2  # reports a concrete figure: 91件, 16起, 100%, 3次 ...
_ARTICLE = re.compile(r"(?:^|\n)第[一二三四五六七八九十百千零〇两0-9]+条")
_FIGURES = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:件|起|次|%|个|人次|人|家|项|万元|亿元|场|名|户|宗)")


def _signals(normed: str, starts: np.ndarray) -> np.ndarray:
    count = len(starts) - 1
    out = np.zeros(max(count, 0), dtype=np.uint8)
    for bit, pattern in ((SIGNAL_ARTICLE, _ARTICLE), (SIGNAL_FIGURES, _FIGURES)):
        pos = np.fromiter((m.end() - 1 for m in pattern.finditer(normed)), dtype=np.int64)
        if len(pos):
            out[np.searchsorted(starts, pos, side="right") - 1] |= bit
    return out


def _starts(lengths: list[int], gap: int) -> np.ndarray:
    starts = np.zeros(len(lengths) + 1, dtype=np.int64)
    if lengths:
        np.cumsum(np.asarray(lengths, dtype=np.int64) + gap, out=starts[1:])
    return starts


# ---------------------------------------------------------------- the accelerator file


def cache_path(index_path: Path, segid: str) -> Path:
    return Path(index_path) / CACHE_DIR / f"{segid}.npz"


def save(index_path: Path, data: SegmentData) -> None:
    """Write ``data``'s accelerator file (atomically; silently skipped when the index folder
    cannot be written: search then reads the segment)."""
    path = cache_path(index_path, data.segid)
    meta = {
        "version": CACHE_VERSION, "segid": data.segid, "doc_count": data.doc_count,
        "headings": data.headings, "facet_values": data.facet_values,
        "report_docs": [list(_report_doc_row(r)) for r in data.report_docs],
    }
    arrays = {
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), np.uint8),
        "texts": np.frombuffer(data.texts.encode("utf-8", "surrogatepass"), np.uint8),
        "text_starts": data.text_starts,
        "body_words": np.frombuffer("\n".join(sorted(data.body_words)).encode(
            "utf-8", "surrogatepass"), np.uint8),
        "is_para": data.is_para, "n": data.n,
        "is_heading": data.is_heading, "heading_code": data.heading_code,
    }
    for name, codes in data.facet_codes.items():
        arrays[f"facet_{name}"] = codes
    for name, values in data.lengths.items():
        arrays[f"length_{name}"] = values
    try:
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    except OSError:
        pass


def _report_doc_row(r: ReportDoc) -> tuple:
    return (r.docnum, r.report_json, r.content_sha256, r.manifest_sha256, r.source_path)


def load(index_path: Path, segid: str, doc_count: int) -> SegmentData | None:
    """The accelerator file of segment ``segid``, or None when it is missing, damaged or
    not of this segment."""
    path = cache_path(index_path, segid)
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(npz["meta"].tobytes().decode("utf-8"))
            if (meta.get("version") != CACHE_VERSION or meta.get("segid") != segid
                    or meta.get("doc_count") != doc_count):
                return None
            arrays = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError):
        return None
    texts_raw = arrays["texts"].tobytes().decode("utf-8", "surrogatepass")
    starts = arrays["text_starts"]
    texts = [texts_raw[int(starts[i]) : int(starts[i + 1])] for i in range(doc_count)]
    if len(starts) != doc_count + 1 or int(starts[-1]) != len(texts_raw):
        return None
    return _assemble(
        segid, doc_count, arrays["is_para"], arrays["n"], arrays["is_heading"],
        arrays["heading_code"], [tuple(h) for h in meta["headings"]], texts,
        {name: arrays[f"facet_{name}"] for name in FACET_COLUMNS},
        meta["facet_values"], {name: arrays[f"length_{name}"] for name in TEXT_FIELDS},
        [ReportDoc(*row) for row in meta["report_docs"]],
        frozenset(filter(None, arrays["body_words"].tobytes().decode(
            "utf-8", "surrogatepass").split("\n"))),
    )


def remove_stale(index_path: Path, keep: set[str]) -> None:
    """Delete accelerator files of segments not in ``keep`` (call under the write lock)."""
    folder = Path(index_path) / CACHE_DIR
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        segid = entry.name.lstrip(".").split(".", 1)[0]
        if segid not in keep:
            try:
                entry.unlink()
            except OSError:
                pass


def segment_data(index_path: Path, reader: SegmentReader, *, write: bool = True) -> SegmentData:
    """The segment's data: from its accelerator file, else read from Whoosh (and saved)."""
    segid = reader.segment().segid
    data = load(index_path, segid, reader.doc_count_all())
    if data is None:
        data = read_segment(reader)
        if write:
            save(index_path, data)
    return data
