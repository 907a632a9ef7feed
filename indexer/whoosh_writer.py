"""Whoosh's writer, made cheaper per posting through its own extension points.

The index is written by Whoosh's ``SegmentWriter`` into Whoosh's own format (``W3Codec``: any
Whoosh reader opens it). What costs is Python work per posting -- a build adds one posting per
character or so -- and three places are leaner here without changing a byte of the format:

- ``ArrayPostingPool``: the sorting pool as arrays per term (no 5-tuple per posting kept,
  no sorted runs on disk);
- ``LeanFieldWriter.add_postings``: the codec's loop from sorted postings to posting lists,
  with the field's document lengths read once per field (not once per posting) and no
  re-checks of the sort order (the pool's output is sorted by construction);
- ``LeanPostingsWriter.add_posting``: the block buffer without per-posting type asserts;
- blocks of ``BLOCK_POSTINGS`` postings instead of 128 (``W3Codec``'s own ``blocklimit``
  parameter): reading a whole list costs per block, not per posting;
- ``LeanPostingsWriter._write_block``: W3's block layout (a length, the pickled block info,
  the pickled ``(ids, weights, values)``) where a block of at least ``ARRAY_MIN_POSTINGS``
  has its delta-coded ids and its weights (whole term frequencies: one or two bytes each) as
  ``array``s pickled in protocol 5, that is as raw bytes, and is not zlib-compressed (its
  compression flag is 0, which W3 readers honour): W3 pickles them in protocol 2 as tuples,
  one Python int or float per posting to write and to read back, and inflating a block cost
  three quarters of reading it.
  Whoosh's own matchers read these blocks unchanged (they only iterate and index the ids and
  weights); search turns each into a numpy array without a per-posting step.

``FazhiCodec`` is ``W3Codec`` with these writers; its segments are ``W3Segment``s.

``ChecksummedWriter`` is the ``SegmentWriter`` that writes each generation's checksum manifest
(``indexer.integrity``) just before its TOC is renamed into place, and that leaves none of its
new segment's files behind when it is cancelled (a run that changed nothing) or its commit
fails (a full disk).
"""

from __future__ import annotations

import pickle
import zlib
from array import array
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import (
    COMPRESSION_MIN_SIZE,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3PerDocReader,
    W3PostingsWriter,
    W3TermsReader,
)
from whoosh.filedb.filestore import RamStorage
from whoosh.index import TOC
from whoosh.util.numeric import length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

from . import integrity, whoosh_read

# Postings per block of a posting list. Whoosh's default (128) suits its own matchers, which
# skip block by block; search here reads whole lists, and each block costs a read and an
# unpickle, so a longer block makes a first-time read several times cheaper.
BLOCK_POSTINGS = 8192


class ArrayPostingPool(PostingPool):
    """Whoosh's posting pool, held as one growing array of docnums and of weights per term
    instead of one 5-tuple per posting: about 12 bytes a posting instead of about 170, so a
    segment of 100,000 paragraphs sorts in memory without spilling runs to disk, and
    ``iter_postings`` sorts the terms, not the postings. It hands the field writer the
    same tuples, in the same order, as Whoosh's pool."""

    def __init__(self, tempstore, segment, limitmb: int = 128, **kwargs) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self._lists: dict[tuple[str, bytes], _TermPostings] = {}

    def add(self, item) -> None:  # type: ignore[override]
        fieldname, btext, docnum, weight, value = item
        postings = self._lists.get((fieldname, btext))
        if postings is None:
            postings = self._lists[(fieldname, btext)] = _TermPostings()
            self.fieldnames.add(fieldname)
            self.currentsize += TERM_BYTES
        postings.add(docnum, weight, value)
        self.currentsize += POSTING_BYTES
        if self.currentsize > self.limit:
            self.save()

    def save(self) -> None:
        """Past the pool's limit (a very large update): what is pooled becomes a sorted run
        on disk, merged by Whoosh's external sort at the end."""
        if self._lists:
            path, f = self._new_run()
            self._write_run(f, self._drain())
            self._add_run(path)
        self.currentsize = 0

    def iter_postings(self):  # type: ignore[override]
        return self._drain() if not self.runs else self.items()

    def _drain(self):
        """The pooled postings in Whoosh's order (field, term, docnum), emptying the pool."""
        lists, self._lists = self._lists, {}
        for key in sorted(lists):
            fieldname, btext = key
            for docnum, weight, value in lists.pop(key).in_order():
                yield fieldname, btext, docnum, weight, value


class _TermPostings:
    """One term's pooled postings: docnums, weights and (only when some are not empty)
    value strings, in the order they were added."""

    __slots__ = ("docs", "weights", "values", "empty", "ordered")

    def __init__(self) -> None:
        self.docs = array("I")
        self.weights = array("d")
        self.values: list[bytes] | None = None
        self.empty: bytes | None = None
        self.ordered = True  # docnums ascending as added (always, but for odd merges)

    def add(self, docnum: int, weight: float, value: bytes | None) -> None:
        if value and self.values is None:
            self.values = [self.empty] * len(self.docs)  # type: ignore[list-item]
        if self.values is not None:
            self.values.append(_VALUES.setdefault(value, value) if value and len(value) <= 4
                               else value)
        elif not self.docs:
            self.empty = value
        if self.docs and docnum < self.docs[-1]:
            self.ordered = False
        self.docs.append(docnum)
        self.weights.append(weight)

    def in_order(self):
        """(docnum, weight, value) by docnum."""
        docs, weights, values = self.docs, self.weights, self.values
        if values is None:
            values = [self.empty] * len(docs)
        rows = zip(docs, weights, values)
        return rows if self.ordered else sorted(rows, key=lambda row: row[0])


# What the pool counts against its limit: a posting (4 + 8 bytes in its arrays, some slack)
# and a new term (its key, its arrays).
POSTING_BYTES = 16
TERM_BYTES = 400

# Equal value strings (a frequency's packed count) are kept once.
_VALUES: dict[bytes, bytes] = {}


class LeanPostingsWriter(W3PostingsWriter):
    def add_posting(self, id_, weight, vbytes, length=None) -> None:  # type: ignore[override]
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        if vbytes:
            self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length


    def _write_block(self, last: bool = False) -> None:
        if self._byteids:  # term vectors (ids are terms): W3's own block
            super()._write_block(last)
            return
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        few = len(ids) < ARRAY_MIN_POSTINGS  # W3's own tuples: smaller for a few postings
        data = ((self._mini_ids(), self._mini_weights(), self._mini_values()) if few
                else (_delta_ids(ids), _block_weights(self._weights), self._mini_values()))
        databytes = pickle.dumps(data, BLOCK_PICKLE)
        # Raw arrays stay uncompressed: inflating them cost more than the rest of a read.
        comp = self._compression if few and len(databytes) >= COMPRESSION_MIN_SIZE else 0
        if comp:
            databytes = zlib.compress(databytes, comp)
        info = pickle.dumps((len(ids), ids[-1], self._maxweight, comp,
                             length_to_byte(self._minlength),
                             length_to_byte(self._maxlength)), BLOCK_PICKLE)
        size = len(info) + len(databytes)
        self._postfile.write_int(-size if last else size)  # negative: the last block
        self._postfile.write(info)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


# Protocol 5 pickles an ``array`` as its bytes (protocol 2 as a list of numbers).
BLOCK_PICKLE = 5
# Below this many postings a block keeps W3's tuples: an array's pickle carries about 60 bytes
# of its own, and most posting lists (rare terms) hold one or two postings.
ARRAY_MIN_POSTINGS = 32


def _delta_ids(ids: array) -> array:
    """The block's ids, each minus the one before (the first minus 0), in the smallest
    unsigned array type that holds them."""
    deltas = [b - a for a, b in zip((0, *ids), ids)]
    top = max(deltas)
    code = "B" if top < 1 << 8 else "H" if top < 1 << 16 else "I"
    return array(code, deltas)


def _block_weights(weights: array) -> array | float | None:
    """W3's minified weights: None when all are 1.0, the one value when all are equal, else
    the array itself -- of whole numbers (term frequencies) in the smallest unsigned type
    that holds them, one or two bytes a posting instead of four."""
    first = weights[0]
    if weights.count(first) == len(weights):
        return None if first == 1.0 else first
    if weights.typecode not in _FLOAT_TYPES:
        return weights
    values = np.frombuffer(weights, dtype=_FLOAT_TYPES[weights.typecode])
    top = values.max()
    if top < 1 << 16 and values.min() >= 0 and (values == np.rint(values)).all():
        code, dtype = ("B", np.uint8) if top < 1 << 8 else ("H", np.uint16)
        return array(code, values.astype(dtype).tobytes())
    return weights


_FLOAT_TYPES = {"f": np.float32, "d": np.float64}


class LeanFieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items) -> None:  # type: ignore[override]
        length_reader = getattr(lengths, "doc_field_length_reader", None) if lengths else None
        last_field = None
        last_text = None
        add = None
        field_length = None
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != last_field:
                if last_text is not None:
                    self.finish_term()
                if last_field is not None:
                    self.finish_field()
                fieldobj = schema[fieldname]
                self.start_field(fieldname, fieldobj)
                field_length = (_length_table(lengths, length_reader(fieldname))
                                if length_reader is not None and fieldobj.scorable else None)
                last_field, last_text = fieldname, None
            if btext != last_text:
                if last_text is not None:
                    self.finish_term()
                self.start_term(btext)
                last_text = btext
                add = self._postwriter.add_posting
            add(docnum, weight, value, field_length[docnum] if field_length else None)
        if last_text is not None:
            self.finish_term()
        if last_field is not None:
            self.finish_field()
        self.is_closed = True


def _length_table(lengths, get) -> list:
    """The field's length of every document of the segment, read once (the codec's loop asks
    for it per posting, a column read each time)."""
    return [get(docnum) for docnum in range(lengths.doc_count_all())]


class FazhiCodec(W3Codec):
    """Whoosh's W3 codec with the lean writers above (same on-disk format), whose readers open
    a segment's files without copying them (``whoosh_read.open_shared``)."""

    def terms_reader(self, storage, segment):
        terms = segment.make_filename(self.TERMS_EXT)
        return W3TermsReader(self, whoosh_read.open_shared(storage, terms),
                             storage.file_length(terms),
                             whoosh_read.open_shared(storage,
                                                     segment.make_filename(self.POSTS_EXT)))

    def per_document_reader(self, storage, segment):
        return _SharedPerDocReader(storage, segment)

    def field_writer(self, storage, segment):
        return LeanFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return LeanPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                  compression=self._compression,
                                  inlinelimit=self._inlinelimit)


class _SharedPerDocReader(W3PerDocReader):
    """W3's per-document reader, its column files opened without copying them."""

    def _get_column_file(self, fieldname):
        filename = W3Codec.column_filename(self._segment, fieldname)
        return (whoosh_read.open_shared(self._storage, filename), 0,
                self._storage.file_length(filename))


class ChecksummedWriter(SegmentWriter):
    def _commit_toc(self, segments) -> None:
        folder = Path(self.storage.folder)
        # The TOC's bytes, made as Whoosh's TOC.write makes them, in memory first.
        memory = RamStorage()
        TOC(self.schema, segments, self.generation).write(memory, self.indexname)
        toc_bytes = bytes(memory.files[TOC._filename(self.indexname, self.generation)])
        integrity.write_manifest(folder, self.generation, toc_bytes,
                                 [seg.segid for seg in segments])
        super()._commit_toc(segments)
        integrity.after_commit(folder, self.generation, toc_bytes)

    def commit(self, *args, **kwargs) -> None:
        try:
            super().commit(*args, **kwargs)
        except BaseException:
            folder = Path(self.storage.folder)
            if not (folder / integrity.toc_name(self.generation)).exists():
                self._remove_new_segment()
                (folder / integrity.manifest_name(self.generation)).unlink(missing_ok=True)
            raise

    def cancel(self) -> None:
        try:
            if not self.is_closed:  # a failed commit has closed it already
                super().cancel()
        finally:
            self._remove_new_segment()

    def _remove_new_segment(self) -> None:
        """Delete the files of this writer's segment (never in any TOC: its id is new)."""
        folder = Path(self.storage.folder)
        for name in integrity.segment_files(folder, self.newsegment.segid):
            (folder / name).unlink(missing_ok=True)


def segment_writer(ix, *, limitmb: int, timeout: float) -> SegmentWriter:
    """Whoosh's segment writer for ``ix`` with the lean codec and pool, and checksums."""
    writer = ChecksummedWriter(ix, limitmb=limitmb, timeout=timeout,
                               codec=FazhiCodec(blocklimit=BLOCK_POSTINGS))
    writer.pool = ArrayPostingPool(writer._tempstorage, writer.newsegment, limitmb=limitmb)
    return writer
