"""Writing the index through Whoosh: incremental by content hash, one atomic commit, rebuild
beside and swap.

Every report becomes one report document and one document per paragraph (``indexer.schema``),
added by Whoosh's segment writer (``indexer.whoosh_writer``). An incremental run deletes the
changed and vanished reports with ``delete_by_term("report_id", ...)``, adds the new versions
and commits once: Whoosh writes a new small segment, records the deletions and merges small
segments by its own policy. A full build (``--rebuild``, a missing index or one of an older
layout) writes a new index beside the old one and swaps the folders, so readers and crashes
only ever see a complete generation. After each commit the search accelerators of the new
segments are written (``indexer.segment_cache``) and those of vanished segments removed.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import LockError

from .analysis import load_extra_words
from .config import Settings
from .errors import IndexBusyError, IndexDamagedError, SchemaVersionError
from .filehash import FileHashes, remember_hashes
from .models import IndexSummary, IngestedReport, IngestProblem
from .documents import add_report
from .pipeline import Prepared
from .report_ids import Known, assign_id, existing_reports, id_in_index, real_path
from .schema import SCHEMA_VERSION, VERSION_FILE, build_schema
from .index_check import damage_before_update, sweep
from .integrity import seal_new_index
from .store import index_exists, open_index, read_schema_version, remove_leftovers, swap_in
from .segment_upkeep import merge_small_segments, write_accelerators, write_lock
from .whoosh_writer import segment_writer

# How long a second writer waits for the lock before saying the index is busy.
LOCK_TIMEOUT_S = 3.0
# A full build writes one segment per this many paragraphs. Their postings (about 100 per
# paragraph, 16 bytes each in the array pool) are sorted in memory; fewer, larger segments
# mean fewer term look-ups per query term.
BUILD_SEGMENT_PARAGRAPHS = 100_000
BUILD_POOL_MB = 512
_BUSY = "another `fazhi index` is writing this index; try again when it has finished"


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A source file whose bytes hash to what the index already holds (not parsed again)."""

    report_id: str
    path: str


# ---------------------------------------------------------------- writers and locks


def _open_writer(ix, settings: Settings, limitmb: int | None = None):
    try:
        return segment_writer(ix, limitmb=limitmb or settings.writer_limitmb,
                              timeout=LOCK_TIMEOUT_S)
    except LockError as exc:
        raise IndexBusyError(_BUSY) from exc


@contextmanager
def _writer(ix, settings: Settings):
    """Whoosh's segment writer: commits on success, cancels (and re-raises) on any error;
    ``writer.fazhi_skip_commit`` cancels instead of committing (nothing changed)."""
    writer = _open_writer(ix, settings)
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    if getattr(writer, "fazhi_skip_commit", False):
        writer.cancel()
    else:
        writer.commit(mergetype=merge_small_segments)


@contextmanager
def _hold_lock(path: Path) -> Iterator[None]:
    """Hold the write lock of the index at ``path`` (if any) while a rebuild replaces it."""
    if not index_exists(path):
        yield
        return
    # The storage's lock, not the index's: an index of an old schema may not even unpickle.
    lock = write_lock(path)
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    while not lock.acquire(blocking=False):
        if time.monotonic() > deadline:
            raise IndexBusyError(_BUSY)
        time.sleep(0.1)
    try:
        yield
    finally:
        lock.release()


# ---------------------------------------------------------------- public


def index_reports(
    settings: Settings, reports: Iterable[IngestedReport], *, rebuild: bool = False
) -> IndexSummary:
    """Add or replace ``reports`` in the index (one atomic commit); nothing is removed unless
    ``rebuild``."""
    from .pipeline import prepare_item

    prepared = (prepare_item(r) for r in reports)
    return _index(settings, prepared, roots=None, rebuild=rebuild, progress=False)


def index_paths(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    *,
    rebuild: bool = False,
    progress: bool = False,
) -> IndexSummary:
    """Index the files under ``paths`` (default: ``settings.corpus_paths``) incrementally:
    unchanged reports skipped, changed ones replaced, those whose files are gone removed."""
    from .pipeline import prepare_paths

    roots = tuple(Path(p) for p in (paths or settings.corpus_paths))
    path = Path(settings.index_path)
    damage = None if rebuild else damage_before_update(path)
    if rebuild or damage is not None or _needs_rebuild(path):
        items: Iterable[Prepared | IngestProblem | Unchanged] = prepare_paths(roots, settings)
    else:
        items = _ingest_changed(roots, settings, existing_reports(open_index(path)))
    notes = () if damage is None else (
        f"the index was damaged ({damage.file}: {damage.problem}): rebuilt it from "
        + ", ".join(map(str, roots)),)
    rebuilding = rebuild or damage is not None or _needs_rebuild(path)
    summary = _index(settings, items, roots=roots, rebuild=rebuild or damage is not None,
                     progress=progress, notes=notes)
    if rebuilding:
        _remember_hashes(roots, settings)
    return summary


def _remember_hashes(roots: tuple[Path, ...], settings: Settings) -> None:
    """After a rebuild (a new folder, no hash cache): remember every source file's hash."""
    from .pipeline import find_all

    sources, _problems = find_all(roots, settings)
    remember_hashes(Path(settings.index_path), [s.path for s in sources],
                    settings.max_file_bytes)


def _needs_rebuild(path: Path) -> bool:
    """No index yet, or one of another layout (rebuilt, with a note in the summary)."""
    return not index_exists(path) or read_schema_version(path) != SCHEMA_VERSION


def _ingest_changed(
    roots: tuple[Path, ...], settings: Settings, have: dict[str, Known]
) -> Iterator[Prepared | IngestProblem | Unchanged]:
    """Like ``prepare_paths``, but files whose content hash and manifest row hash are what
    the index holds are not parsed (a read and a hash per file)."""
    from .ingest import report_id_for
    from .pipeline import (
        POOL_MIN_BYTES,
        WarmWorker,
        find_all,
        load_manifests,
        manifest_row_for,
        manifest_sha,
        prepare_sources,
        total_size,
    )

    # Changed files will need jieba and the gazetteer: a worker loads them meanwhile.
    warm = WarmWorker(settings) if WarmWorker.worthwhile(settings) else None
    try:
        sources, problems = find_all(roots, settings)
        yield from problems
        manifests, broken = load_manifests(sorted({s.root for s in sources}))
        yield from broken
        hashes = FileHashes(Path(settings.index_path))
        changed = []
        for source in sources:
            rid = id_in_index(report_id_for(source.relative_path), str(source.path), have)
            old = have.get(rid)
            if (
                old is not None
                and hashes.sha256(source.path) == old.content_sha256
                and manifest_sha(manifest_row_for(manifests.get(source.root), source))
                == old.manifest_sha256
            ):
                yield Unchanged(rid, str(source.path))
            else:
                changed.append(source)
        hashes.save()
        if warm is not None and changed and total_size(changed) < POOL_MIN_BYTES:
            yield from warm.prepare(changed, manifests, settings)
        else:
            if warm is not None:
                warm.close()  # a pool of every core does a large batch faster
                warm = None
            yield from prepare_sources(changed, settings, manifests)
    finally:
        if warm is not None:
            warm.close()


def _index(
    settings: Settings,
    items: Iterable[Prepared | IngestProblem | Unchanged],
    *,
    roots: tuple[Path, ...] | None,
    rebuild: bool,
    progress: bool,
    notes: Sequence[str] = (),
) -> IndexSummary:
    start = time.perf_counter()
    if settings.extra_words:
        load_extra_words(settings.extra_words)
    path = Path(settings.index_path)
    remove_leftovers(path)
    notes = list(notes)
    if roots is None and not rebuild and not _needs_rebuild(path):
        damage = damage_before_update(path)  # reports given in memory: a rebuild loses others
        if damage is not None:
            raise IndexDamagedError(path, damage.file, damage.problem)
    if not rebuild and index_exists(path) and read_schema_version(path) != SCHEMA_VERSION:
        if roots is None:  # reports given in memory: rebuilding from them would lose the rest
            raise SchemaVersionError(
                f"the index at {path} has an older layout (schema version "
                f"{read_schema_version(path) or 'unknown'}): run `fazhi index --rebuild`")
        notes.append(f"the index at {path} had an older layout (schema version "
                     f"{read_schema_version(path) or 'unknown'}): rebuilt it in the current "
                     f"one ({SCHEMA_VERSION})")
    if progress:
        from tqdm import tqdm

        items = tqdm(items, unit=" files", desc="indexing", leave=False)
    if rebuild or _needs_rebuild(path):
        summary = _build_new(settings, path, items)
    else:
        summary = _update(settings, open_index(path), items, roots)
    return replace(summary, notes=tuple(notes) + summary.notes,
                   elapsed_s=time.perf_counter() - start)


def _build_new(
    settings: Settings, path: Path, items: Iterable[Prepared | IngestProblem]
) -> IndexSummary:
    """Build a complete index beside ``path`` and swap it in: the old one stays readable
    until the new one is complete, and a crash leaves no half-built index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.parent / f".{path.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        with _hold_lock(path):
            indexed: list[str] = []
            skipped: list[IngestProblem] = []
            notes: list[str] = []
            seen: set[str] = set()
            added: dict[str, Known] = {}  # what this build holds so far, by id
            ix = whoosh_index.create_in(str(staging), build_schema())
            paragraphs = 0
            batch = 0
            writer = None
            try:
                for item in items:
                    if isinstance(item, IngestProblem):
                        skipped.append(item)
                        continue
                    item = assign_id(item, added, notes)
                    rid = item.item.report.report_id
                    added.setdefault(rid, Known("", "", item.item.report.source_path))
                    if not _first_of_id(rid, item.item.report.source_path, seen, skipped):
                        continue
                    if writer is None:
                        writer = _open_writer(ix, settings, BUILD_POOL_MB)
                    indexed.append(rid)
                    added_now = add_report(writer, item)
                    paragraphs += added_now
                    batch += added_now
                    if batch >= BUILD_SEGMENT_PARAGRAPHS:
                        # One segment per batch, its postings sorted in memory: the staging
                        # index is nobody's until the swap, so its commits are free.
                        writer.commit(merge=False)
                        writer, batch = None, 0
                if writer is not None:
                    writer.commit(merge=False)
                    writer = None
            finally:
                if writer is not None:
                    writer.cancel()
            ix.close()
            seal_new_index(staging)  # no report: only Whoosh's empty TOC, sealed here
            write_accelerators(staging)
            (staging / VERSION_FILE).write_text(str(SCHEMA_VERSION), encoding="ascii")
            swap_in(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return IndexSummary(indexed=tuple(indexed), skipped=tuple(skipped), paragraphs=paragraphs,
                        notes=tuple(notes))


def _first_of_id(rid: str, path: str, seen: set[str], skipped: list[IngestProblem]) -> bool:
    """True the first time ``rid`` comes; a later file with the same report id (report.md beside
    report.txt) is skipped with a reason."""
    if rid in seen:
        skipped.append(IngestProblem(path, f"duplicate report id {rid}"))
        return False
    seen.add(rid)
    return True


def _keeps_reports(problem: IngestProblem) -> bool:
    """Whether the reports indexed from ``problem.path`` (a file, or a folder and everything
    under it) stay: a file that cannot be used now, a folder that cannot be read. Entries the
    walk leaves out on purpose (excluded, notes, links out of the corpus) do not."""
    from .walk import REASON_UNREADABLE

    return problem.kind == "file" or problem.reason.startswith(REASON_UNREADABLE)


def _is_under(source_path: str, roots: Iterable[str | Path]) -> bool:
    p = Path(real_path(source_path))
    return any(p == r or p.is_relative_to(r) for r in (Path(real_path(root)) for root in roots))


def _update(
    settings: Settings,
    ix,
    items: Iterable[Prepared | IngestProblem | Unchanged],
    roots: tuple[Path, ...] | None,
) -> IndexSummary:
    """Upsert changed reports and remove vanished ones, all in one Whoosh commit."""
    indexed: list[str] = []
    unchanged: list[str] = []
    skipped: list[IngestProblem] = []
    notes: list[str] = []
    paragraphs = 0
    path = Path(ix.storage.folder)
    with _writer(ix, settings) as writer:
        # Read what is there under the lock, so two runs cannot interleave.
        have = existing_reports(ix)
        sweep(path, {seg.segid for seg in writer.segments} | {writer.newsegment.segid})
        seen: set[str] = set()
        problem_paths: set[str] = set()
        for item in items:
            if isinstance(item, Unchanged):
                if _first_of_id(item.report_id, item.path, seen, skipped):
                    unchanged.append(item.report_id)
                continue
            if isinstance(item, IngestProblem):
                skipped.append(item)
                if _keeps_reports(item):
                    problem_paths.add(real_path(item.path))
                continue
            item = assign_id(item, have, notes)
            rid = item.item.report.report_id
            if not _first_of_id(rid, item.item.report.source_path, seen, skipped):
                continue
            old = have.get(rid)
            if (old is not None and old.content_sha256 == item.item.report.content_sha256
                    and old.manifest_sha256 == item.manifest_sha
                    and real_path(old.source_path) == real_path(item.item.report.source_path)):
                unchanged.append(rid)
                continue
            if old is not None:
                writer.delete_by_term("report_id", rid)
            paragraphs += add_report(writer, item)
            indexed.append(rid)
        removed: list[str] = []
        if roots is not None:
            for rid, known in have.items():
                if (rid not in seen and _is_under(known.source_path, roots)
                        and not _is_under(known.source_path, problem_paths)):
                    writer.delete_by_term("report_id", rid)
                    removed.append(rid)
        if not indexed and not removed:
            writer.fazhi_skip_commit = True  # nothing changed: keep the same generation
    if indexed or removed:
        write_accelerators(path)
    return IndexSummary(
        indexed=tuple(indexed),
        unchanged=tuple(unchanged),
        removed=tuple(sorted(removed)),
        skipped=tuple(skipped),
        paragraphs=paragraphs,
        notes=tuple(notes),
    )


def check_schema(path: Path) -> None:
    """SchemaVersionError unless the index at ``path`` has this version's layout."""
    if index_exists(path) and read_schema_version(path) != SCHEMA_VERSION:
        raise SchemaVersionError(f"the index at {path} has an older layout: run `fazhi index`")
