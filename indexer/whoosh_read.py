"""Reading a Whoosh segment into numpy arrays: posting lists, reference columns, field lengths.

Whoosh's matchers hand out one posting at a time (10-40 us of Python per candidate when a
query is evaluated by Whoosh itself). Search reads whole posting lists and columns instead,
block by block, from the structures of whoosh3's W3 codec:

- a term's info is the value of the key ``field number (ushort) + term bytes`` in the terms
  file's hash table (``W3TermsReader._keycoder``, ``_tindex``), packed as ``W3TermInfo``:
  a struct (flags, weight, document frequency, ...) then the extent of its postings (offset,
  length) or its inlined postings (``W3TermInfo.from_bytes``);
- a posting list is the magic ``W3Bl`` and a chain of blocks, each a signed length (negative:
  the last block), a pickled info tuple ``(count, max id, max weight, compression, min length,
  max length)`` and a pickled, maybe zlib-compressed data tuple ``(delta-coded ids, weights,
  values)`` (``W3LeafMatcher._goto``, ``_read_data``); one slice of the postings file is read
  per term and its blocks decoded from memory (half the time of Whoosh's matcher);
- a ``RefBytesColumn`` is an array of big-endian references (``_typecode``, ``_basepos``)
  followed by its unique values (``_uniques``);
- field lengths are a ``NumericColumn("B")`` of length bytes (``byte_to_length``), shorter
  than the segment when its last documents have no length.

Opening a file of a segment: Whoosh's ``CompoundStorage`` hands out a ``BufferFile`` over a
slice of the segment's mmap, and ``BufferFile`` copies the whole slice into a ``BytesIO`` when
it is made -- every posting list of a segment, for every reader opened. ``open_shared`` gives
a ``SharedBufferFile`` instead: ``get`` slices the mmap, and the stream Whoosh's own matchers
and tables read is a ``ViewStream`` over it (``FazhiCodec`` opens terms, postings and columns
so).

This is the only module that knows those internals (whoosh3 is pinned in pyproject.toml).
Every function checks what it relies on and otherwise falls back to Whoosh's public API
(same values, slower); tests/test_whoosh_read.py pins both paths to the public API's answers.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from itertools import accumulate

import numpy as np
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3TermInfo,
    _lenfield,
)
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import OverlayStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length

from .errors import IndexDamagedError

class ViewStream:
    """A read-only binary stream over a memoryview: what ``BytesIO`` does for Whoosh's
    streaming reads (``read``, ``readline``, ``seek``, ``tell``; ``pickle.load``), without
    first copying the whole view."""

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start, total = self._pos, len(self._view)
        end = total if size is None or size < 0 else min(total, start + size)
        self._pos = max(start, end)
        return self._view[start:end].tobytes()

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        out = bytearray()
        while size is None or size < 0 or len(out) < size:
            chunk = self.read(1)
            if not chunk:
                break
            out += chunk
            if chunk == b"\n":
                break
        return bytes(out)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view = memoryview(b"")


class SharedBufferFile(BufferFile):
    """``BufferFile`` over a slice of a segment's mmap that copies nothing: ``get`` slices the
    mmap, and Whoosh's streaming reads go through a ``ViewStream`` over it."""

    def __init__(self, buf: memoryview, name: str | None = None) -> None:  # noqa: D107
        self._buf = buf
        self._name = name
        self.file = ViewStream(buf)
        self.onclose = None
        self.is_real = False
        self.is_closed = False

    def close(self) -> None:
        if self.is_closed:
            raise ValueError("This file is already closed")
        self.file.close()
        buf, self._buf = self._buf, None
        try:
            buf.release()
        except (ValueError, BufferError):  # still exported by a slice somebody holds
            pass
        self.is_closed = True


def open_shared(storage, name: str):
    """The file ``name`` of a segment: a ``SharedBufferFile`` over the segment's mmap when it
    is in the segment's compound file and mapped, else what the storage itself opens."""
    compound = storage.a if isinstance(storage, OverlayStorage) else storage
    source = getattr(compound, "_source", None)
    if (isinstance(compound, CompoundStorage) and source is not None
            and compound.file_exists(name)):
        offset, length = compound.range(name)
        return SharedBufferFile(memoryview(source)[offset : offset + length], name=name)
    return storage.open_file(name)


_EMPTY_IDS = np.zeros(0, dtype=np.int32)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)
# Whoosh's field length of each length byte (index 0: no length).
_LENGTH_OF_BYTE = np.array([0] + [byte_to_length(b) for b in range(1, 256)], dtype=np.float64)


def _raw_matcher(reader: SegmentReader, fieldname: str, btext: bytes):
    """The segment's own matcher for a term (deleted documents included), or None."""
    terms = reader._terms
    try:
        return terms.matcher(fieldname, btext, reader.schema[fieldname].format)
    except (KeyError, TermNotFound):
        return None


_TERMINFO = W3TermInfo._struct  # flags, weight, doc frequency, lengths, max weight, ids
_EXTENT = struct.Struct("!qi")  # offset and length of the posting list (pack_long, pack_int)
_BLOCK_SIZE = struct.Struct("!i")
_NO_TERM = object()


def _terms_key(reader: SegmentReader, fieldname: str, btext: bytes):
    """(the W3 terms file's ordered hash table, the key of ``btext`` in ``fieldname``; None
    when the segment has no such field), or ``_NO_TERM`` when the reader is not whoosh3's W3
    terms reader (the caller then uses the public API)."""
    terms = getattr(reader, "_terms", None)
    fieldmap = getattr(terms, "_fieldmap", None)
    tindex = getattr(terms, "_tindex", None)
    if (fieldmap is None or tindex is None or not hasattr(terms, "_postfile")
            or not hasattr(tindex, "items_from")):
        return _NO_TERM
    fnum = fieldmap.get(fieldname)
    return tindex, (None if fnum is None else pack_ushort(fnum) + btext)


def _terminfo_bytes(reader: SegmentReader, fieldname: str, btext: bytes):
    """The packed term info of a term (None: no such term), or ``_NO_TERM``."""
    found = _terms_key(reader, fieldname, btext)
    if found is _NO_TERM:
        return _NO_TERM
    tindex, key = found
    return None if key is None else tindex.get(key)


def doc_frequency(reader: SegmentReader, fieldname: str, text: str) -> int:
    """Whoosh's document frequency of ``text`` in this segment (deleted documents included),
    from the term info alone."""
    raw = _terminfo_bytes(reader, fieldname, text.encode("utf-8"))
    if raw is _NO_TERM:
        return int(reader.doc_frequency(fieldname, text))
    return 0 if raw is None else _TERMINFO.unpack_from(raw)[2]


def postings(reader: SegmentReader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, weights) of every posting of ``text`` in ``fieldname`` in this segment, in
    docnum order, deleted documents included (the caller masks them)."""
    btext = text.encode("utf-8")
    raw = _terminfo_bytes(reader, fieldname, btext)
    if raw is None:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    if raw is not _NO_TERM:
        if _TERMINFO.unpack_from(raw)[0]:  # inlined postings: (ids, weights, values)
            ids, weights, _values = pickle.loads(raw[_TERMINFO.size :])
            return (np.asarray(ids, dtype=np.int32),
                    _block_weights(weights, len(ids)))
        offset, length = _EXTENT.unpack_from(raw, _TERMINFO.size)
        return _decode_blocks(reader._terms._postfile.get(offset, length), offset)
    return _matcher_arrays(reader, fieldname, btext)


def _decode_blocks(buf: bytes, offset: int, with_weights: bool = True
                   ) -> tuple[np.ndarray, np.ndarray | None]:
    """(docnums, weights) of one posting list's bytes: the magic, then its chain of blocks
    (weights None unless ``with_weights``)."""
    if bytes(buf[:4]) != WHOOSH3_HEADER_MAGIC:
        raise IndexDamagedError(f"a posting list at offset {offset} of a segment is damaged "
                                f"(bad block tag {bytes(buf[:4])!r}): run `fazhi index`")
    stream = io.BytesIO(buf)
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    pos, last = 4, False
    while not last:
        (size,) = _BLOCK_SIZE.unpack_from(buf, pos)
        last = size < 0
        stream.seek(pos + 4)
        end = pos + 4 + abs(size)
        count, _maxid, _maxweight, compression = pickle.load(stream)[:4]
        data = buf[stream.tell() : end]
        deltas, weights, _values = pickle.loads(zlib.decompress(data) if compression else data)
        id_parts.append(_block_ids(deltas, count))
        if with_weights:
            weight_parts.append(_block_weights(weights, count))
        pos = end
    if len(id_parts) == 1:
        return id_parts[0], weight_parts[0] if with_weights else None
    return (np.concatenate(id_parts),
            np.concatenate(weight_parts) if with_weights else None)


def _block_ids(deltas, count: int) -> np.ndarray:
    """A block's docnums (int32) from its ids, each delta-coded from the one before (the
    first from 0: ``delta_decode`` of the block alone)."""
    if isinstance(deltas, tuple):  # a few postings: Python's running sum is the cheapest
        return np.fromiter(accumulate(deltas), dtype=np.int32, count=count)
    return np.cumsum(np.asarray(deltas), dtype=np.int32)


def _block_weights(weights, count: int) -> np.ndarray:
    """A block's weights from W3's minified form: None (all 1.0), one number, or a sequence."""
    if weights is None:
        return np.ones(count, dtype=np.float32)
    if isinstance(weights, (int, float)):
        return np.full(count, weights, dtype=np.float32)
    return np.asarray(weights, dtype=np.float32)


def _matcher_arrays(reader: SegmentReader, fieldname: str, btext: bytes
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The same arrays through the segment's own matcher (a reader that is not whoosh3's W3),
    posting by posting."""
    m = _raw_matcher(reader, fieldname, btext)
    if m is None:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    return _public_arrays(m)


def _public_arrays(m) -> tuple[np.ndarray, np.ndarray]:
    ids: list[int] = []
    weights: list[float] = []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    return np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32)


def ref_column(reader: SegmentReader, fieldname: str) -> tuple[np.ndarray, list[bytes]]:
    """(code per document, value of each code) of a ``RefBytesColumn`` field; code 0 is the
    column's default (no value)."""
    doccount = reader.doc_count_all()
    if not reader.has_column(fieldname):
        return np.zeros(doccount, dtype=np.int32), [b""]
    creader = reader.column_reader(fieldname, translate=False)
    try:
        itemsize = creader._itemsize
        raw = creader._dbfile.get(creader._basepos, doccount * itemsize)
        codes = np.frombuffer(raw, dtype=">u" + str(itemsize)).astype(np.int32)
        return codes, list(creader._uniques)
    except AttributeError:
        values: dict[bytes, int] = {b"": 0}
        codes = np.fromiter((values.setdefault(v, len(values)) for v in creader),
                            dtype=np.int32, count=doccount)
        return codes, list(values)


def field_lengths(reader: SegmentReader, fieldname: str) -> np.ndarray:
    """Whoosh's length of ``fieldname`` in each document (``doc_field_length``; 0 where the
    document has none), as float64."""
    doccount = reader.doc_count_all()
    perdoc = reader._perdoc
    creader = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if creader is None:
        return np.zeros(doccount, dtype=np.float64)
    try:
        count = min(creader._count, doccount)
        raw = creader._dbfile.get(creader._basepos, count)
        lbytes = np.zeros(doccount, dtype=np.uint8)
        lbytes[:count] = np.frombuffer(raw, dtype=np.uint8)
    except AttributeError:
        lbytes = np.fromiter((creader[d] for d in range(doccount)), dtype=np.uint8,
                             count=doccount)
    return _LENGTH_OF_BYTE[lbytes]


def prefix_extents(reader: SegmentReader, fieldname: str, prefix: str) -> list | None:
    """The packed term infos of every term of ``fieldname`` that starts with ``prefix``, in
    term order: one walk along the terms file's sorted keys (``items_from``), no hash look-up
    per term. None when the reader is not whoosh3's W3 terms reader."""
    found = _terms_key(reader, fieldname, prefix.encode("utf-8"))
    if found is _NO_TERM:
        return None
    tindex, start = found
    if start is None:
        return []
    out = []
    for key, value in tindex.items_from(start):
        if not key.startswith(start):
            break
        out.append(value)
    return out


def docs_of_extents(reader: SegmentReader, infos: list) -> list[np.ndarray]:
    """The docnums of each posting list of ``infos`` (from ``prefix_extents``): the lists of
    neighbouring terms lie next to each other in the postings file, so one slice of it is read
    for all of them."""
    inlined, extents = [], []
    for raw in infos:
        if _TERMINFO.unpack_from(raw)[0]:
            inlined.append(np.asarray(pickle.loads(raw[_TERMINFO.size :])[0], dtype=np.int32))
        else:
            extents.append(_EXTENT.unpack_from(raw, _TERMINFO.size))
    if not extents:
        return inlined
    lo = min(off for off, _ in extents)
    hi = max(off + length for off, length in extents)
    postfile = reader._terms._postfile
    if hi - lo > 2 * sum(length for _, length in extents):  # not neighbours: one read each
        return inlined + [_decode_blocks(postfile.get(off, length), off, False)[0]
                          for off, length in extents]
    view = memoryview(postfile.get(lo, hi - lo))
    return inlined + [_decode_blocks(view[off - lo : off - lo + length], off, False)[0]
                      for off, length in extents]


def prefix_terms(reader: SegmentReader, fieldname: str, prefix: str) -> list[str]:
    """The terms of ``fieldname`` in this segment that start with ``prefix``."""
    return [t.decode("utf-8") if isinstance(t, bytes) else t
            for t in reader.expand_prefix(fieldname, prefix)]


def field_terms(reader: SegmentReader, fieldname: str) -> list[str]:
    """Every term of ``fieldname`` in this segment (Whoosh's lexicon, deleted documents'
    terms included, as ``doc_frequency`` counts them)."""
    return [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon(fieldname)]


def deleted_docnums(reader: SegmentReader) -> np.ndarray:
    """The segment's deleted document numbers (Whoosh's deletion list)."""
    segment = reader.segment()
    deleted = segment.deleted_docs() if segment is not None else ()
    return np.fromiter(deleted, dtype=np.int64)
