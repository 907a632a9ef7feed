"""Upkeep of the index's segments after a commit: Whoosh's merge policy for updates, and the
search accelerators of new segments (``indexer.segment_cache``)."""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from . import segment_cache


# Segments with fewer documents than this are merged together on each update (the new one
# included); larger ones -- a full build writes segments of BUILD_SEGMENT_PARAGRAPHS -- are
# left alone, so an update never rewrites a large part of the index. (Whoosh's own
# MERGE_SMALL merges by a Fibonacci rule that, over the build's equal segments, can rewrite
# most of the index in one update: minutes at 360k paragraphs.)
SMALL_SEGMENT_DOCS = 5_000
# ... once there are this many of them (so most updates only add their own small segment).
SMALL_SEGMENTS_KEPT = 4


def merge_small_segments(writer, segments):
    """A Whoosh merge policy: once SMALL_SEGMENTS_KEPT segments are below SMALL_SEGMENT_DOCS,
    merge them into the writer's new segment; keep the others as they are."""
    from whoosh.reading import SegmentReader

    small = [seg for seg in segments if seg.doc_count_all() < SMALL_SEGMENT_DOCS]
    if len(small) < SMALL_SEGMENTS_KEPT:
        return segments
    for seg in small:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [seg for seg in segments if seg not in small]


def write_lock(path: Path):
    """The Whoosh write lock of the index folder ``path`` (not acquired)."""
    return FileStorage(str(path)).lock(f"{whoosh_index._DEF_INDEX_NAME}_WRITELOCK")


def write_accelerators(path: Path) -> None:
    """Write the search accelerators of the index's current segments and remove those of
    segments no generation holds any more (under the write lock; skipped when it is busy)."""
    lock = write_lock(path)
    try:
        if not lock.acquire(blocking=False):
            return
    except OSError:
        return
    try:
        from whoosh.index import TOC
        from whoosh.reading import SegmentReader

        ix = whoosh_index.open_dir(str(path))
        toc = TOC.read(ix.storage, ix.indexname)
        keep = {seg.segid for seg in toc.segments}
        # Only new segments are read (one reader each): an existing file is checked, and
        # rebuilt if damaged, by search when it loads it.
        for seg in toc.segments:
            if not segment_cache.cache_path(path, seg.segid).is_file():
                reader = SegmentReader(ix.storage, toc.schema, seg)
                try:
                    segment_cache.save(path, segment_cache.read_segment(reader))
                finally:
                    reader.close()
        segment_cache.remove_stale(path, keep)
    finally:
        lock.release()
