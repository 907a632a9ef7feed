"""Reading a Whoosh segment into numpy arrays: posting lists, reference columns, field lengths.

Whoosh's matchers hand out one posting at a time (10-40 us of Python per candidate when a
query is evaluated by Whoosh itself). Search reads whole posting lists and columns instead,
block by block, from the structures of whoosh3's W3 codec:

- a posting list is a chain of blocks; each block's data is a pickled tuple
  ``(delta-coded ids, weights, values)`` (``W3LeafMatcher._read_data``, ``_next_block``);
  inlined lists live in the term info (``W3TermInfo.inlined_postings``);
- a ``RefBytesColumn`` is an array of big-endian references (``_typecode``, ``_basepos``)
  followed by its unique values (``_uniques``);
- field lengths are a ``NumericColumn("B")`` of length bytes (``byte_to_length``), shorter
  than the segment when its last documents have no length.

This is the only module that knows those internals (whoosh3 is pinned in pyproject.toml).
Every function checks what it relies on and otherwise falls back to Whoosh's public API
(same values, slower); tests/test_whoosh_read.py pins both paths to the public API's answers.
"""

from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching import ListMatcher
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.util.numeric import byte_to_length

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


def postings(reader: SegmentReader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, weights) of every posting of ``text`` in ``fieldname`` in this segment, in
    docnum order, deleted documents included (the caller masks them)."""
    m = _raw_matcher(reader, fieldname, text.encode("utf-8"))
    if m is None:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    if isinstance(m, W3LeafMatcher) and hasattr(m, "_read_data"):
        return _leaf_arrays(m)
    if isinstance(m, ListMatcher):
        ids = np.asarray(m._ids, dtype=np.int32)
        weights = (np.asarray(m._weights, dtype=np.float32) if m._weights is not None
                   else np.ones(len(ids), dtype=np.float32))
        return ids, weights
    return _public_arrays(m)


def _leaf_arrays(m: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    while not m._atend:
        count = m._blocklength
        m._read_data()
        deltas, weights, _values = m._data
        # Each block is delta-coded from 0 (``delta_decode`` of the block alone).
        id_parts.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
        if weights is None:
            weight_parts.append(np.ones(count, dtype=np.float32))
        elif isinstance(weights, float):
            weight_parts.append(np.full(count, weights, dtype=np.float32))
        else:
            weight_parts.append(np.asarray(weights, dtype=np.float32))
        m._next_block()
    if not id_parts:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    return (np.concatenate(id_parts).astype(np.int32),
            np.concatenate(weight_parts))


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
