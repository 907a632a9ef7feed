"""Whoosh's writer, made cheaper per posting through its own extension points.

The index is written by Whoosh's ``SegmentWriter`` into Whoosh's own format (``W3Codec``: any
Whoosh reader opens it). What costs is Python work per posting -- a build adds one posting per
character or so -- and three places are leaner here without changing a byte of the format:

- ``LeanPostingPool``: the sorting pool without its per-posting asserts and size arithmetic
  (a fixed estimate per posting decides when a sorted run goes to disk);
- ``LeanFieldWriter.add_postings``: the codec's loop from sorted postings to posting lists,
  with the field's document lengths read once per field (not once per posting) and no
  re-checks of the sort order (the pool's output is sorted by construction);
- ``LeanPostingsWriter.add_posting``: the block buffer without per-posting type asserts.

``FazhiCodec`` is ``W3Codec`` with these writers; its segments are ``W3Segment``s.

``ChecksummedWriter`` is the ``SegmentWriter`` that writes each generation's checksum manifest
(``indexer.integrity``) just before its TOC is renamed into place, and that leaves none of its
new segment's files behind when it is cancelled (a run that changed nothing) or its commit
fails (a full disk).
"""

from __future__ import annotations

from pathlib import Path

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter
from whoosh.filedb.filestore import RamStorage
from whoosh.index import TOC
from whoosh.writing import PostingPool, SegmentWriter

from . import integrity

# Bytes a pooled posting is counted as (a 5-tuple with short strings), for the pool's limit.
POSTING_ESTIMATE = 160


class LeanPostingPool(PostingPool):
    def add(self, item) -> None:  # type: ignore[override]
        self.current.append(item)
        self.currentsize += POSTING_ESTIMATE
        if self.currentsize > self.limit:
            self.save()


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
    """Whoosh's W3 codec with the lean writers above (same on-disk format)."""

    def field_writer(self, storage, segment):
        return LeanFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return LeanPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                  compression=self._compression,
                                  inlinelimit=self._inlinelimit)


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
    writer = ChecksummedWriter(ix, limitmb=limitmb, timeout=timeout, codec=FazhiCodec())
    writer.pool = LeanPostingPool(writer._tempstorage, writer.newsegment, limitmb=limitmb)
    return writer
