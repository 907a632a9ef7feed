"""Writing the index: incremental by content hash, one atomic commit, rebuild beside and swap."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.writing import IndexWriter

from .analysis import load_extra_words
from .columns import ColumnsBuilder, columns_dir, read_known
from .config import Settings
from .errors import IndexBusyError, IndexMissingError, SchemaVersionError
from .filehash import FileHashes
from .models import (
    IndexSummary,
    IngestedReport,
    IngestProblem,
    Level,
    Report,
)
from .pipeline import Prepared
from .schema import KIND_REPORT, SCHEMA_VERSION, VERSION_FILE, build_schema
from .segments import (
    collect_garbage,
    read_generation,
    updated_generation,
    write_generation,
    write_single,
)
from .serialize import report_to_dict

# How long a second writer waits for the lock before saying the index is busy.
LOCK_TIMEOUT_S = 3.0


# ---------------------------------------------------------------- opening


def index_exists(path: Path) -> bool:
    return path.is_dir() and whoosh_index.exists_in(str(path))


def read_schema_version(path: Path) -> int | None:
    try:
        return int((path / VERSION_FILE).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def open_index(path: Path) -> whoosh_index.Index:
    """The index at ``path``; IndexMissingError or SchemaVersionError with a clear message."""
    if not index_exists(path):
        recover_interrupted_swap(path)
    if not index_exists(path):
        raise IndexMissingError(f"no index at {path}: run `fazhi index` first")
    found = read_schema_version(path)
    if found != SCHEMA_VERSION:
        raise SchemaVersionError(
            f"the index at {path} was built with schema version {found or 'unknown'}, "
            f"this fazhi-search needs version {SCHEMA_VERSION}: run fazhi index --rebuild"
        )
    return whoosh_index.open_dir(str(path))


@contextmanager
def index_writer(ix: whoosh_index.Index, procs: int = 1, limitmb: int = 256) -> Iterator[IndexWriter]:
    """A writer that commits on success and cancels (and re-raises) on any error."""
    try:
        if procs > 1:
            writer = ix.writer(
                procs=procs, multisegment=True, limitmb=limitmb, timeout=LOCK_TIMEOUT_S
            )
        else:
            writer = ix.writer(limitmb=limitmb, timeout=LOCK_TIMEOUT_S)
    except LockError as exc:
        raise IndexBusyError(
            "another `fazhi index` is writing this index; try again when it has finished"
        ) from exc
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    if getattr(writer, "fazhi_skip_commit", False):
        writer.cancel()
    else:
        writer.commit()


@contextmanager
def _hold_lock(path: Path) -> Iterator[None]:
    """Hold the write lock of the index at ``path`` (if any) while a rebuild replaces it."""
    if not index_exists(path):
        yield
        return
    # The storage's lock, not the index's: an index of an old schema may not even unpickle.
    lock = FileStorage(str(path)).lock(f"{whoosh_index._DEF_INDEX_NAME}_WRITELOCK")
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    while not lock.acquire(blocking=False):
        if time.monotonic() > deadline:
            raise IndexBusyError(
                "another `fazhi index` is writing this index; try again when it has finished"
            )
        time.sleep(0.1)
    try:
        yield
    finally:
        lock.release()


@contextmanager
def _try_lock(path: Path) -> Iterator[bool]:
    """The write lock of the index at ``path`` if it is free now (yields whether it is held)."""
    lock = FileStorage(str(path)).lock(f"{whoosh_index._DEF_INDEX_NAME}_WRITELOCK")
    try:
        locked = lock.acquire(blocking=False)
    except OSError:
        locked = False
    try:
        yield locked
    finally:
        if locked:
            lock.release()


# ---------------------------------------------------------------- documents


def report_to_json(report: Report) -> str:
    return json.dumps(report_to_dict(report), ensure_ascii=False)


def report_from_json(text: str) -> Report:
    data = json.loads(text)
    data["level"] = Level(data["level"]) if data.get("level") else None
    data["warnings"] = tuple(data.get("warnings") or ())
    return Report(**data)


def _report_doc(report: Report, manifest_sha: str) -> dict[str, object]:
    return {
        "kind": KIND_REPORT,
        "report_id": report.report_id,
        "report_json": report_to_json(report),
        "content_sha256": report.content_sha256,
        "manifest_sha256": manifest_sha,
        "source_path": report.source_path,
    }


def _add_report(writer: IndexWriter, builder: ColumnsBuilder, prepared: Prepared) -> int:
    """The report's document in Whoosh, its paragraphs and postings in the column store."""
    item = prepared.item
    writer.add_document(**_report_doc(item.report, prepared.manifest_sha))
    builder.add(item.report, item.paragraphs, prepared.counts, prepared.manifest_sha)
    return len(item.paragraphs)


@dataclass(frozen=True, slots=True)
class Known:
    """What the index holds about one report: enough to tell whether its file changed."""

    content_sha256: str
    manifest_sha256: str
    source_path: str


def existing_reports(ix: whoosh_index.Index) -> dict[str, Known]:
    """report_id -> what the index knows of it, for every report in the index (from the
    column store's small ``known.json``; Whoosh's stored report documents otherwise)."""
    try:
        known = read_known(columns_dir(Path(ix.storage.folder), ix.latest_generation()))
        return {rid: Known(*k) for rid, k in known.items()}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    with ix.searcher() as s:
        return {
            f["report_id"]: Known(f["content_sha256"], f.get("manifest_sha256") or "",
                                  f["source_path"])
            for f in s.documents(kind=KIND_REPORT)
        }


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
    if rebuild or not index_exists(path):
        items: Iterable[Prepared | IngestProblem | Unchanged] = prepare_paths(roots, settings)
    else:
        items = _ingest_changed(roots, settings, existing_reports(open_index(path)))
    return _index(settings, items, roots=roots, rebuild=rebuild, progress=progress)


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A source file whose bytes hash to what the index already holds (not parsed again)."""

    report_id: str
    path: str


def _ingest_changed(
    roots: tuple[Path, ...], settings: Settings, have: dict[str, Known]
) -> Iterator[Prepared | IngestProblem | Unchanged]:
    """Like ``prepare_paths``, but files whose content hash and manifest row hash are what
    the index holds are not parsed (what makes an incremental run over a large corpus fast:
    a read and a hash per file)."""
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
            rid = report_id_for(source.relative_path)
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
) -> IndexSummary:
    start = time.perf_counter()
    if settings.extra_words:
        load_extra_words(settings.extra_words)
    path = Path(settings.index_path)
    remove_leftovers(path)
    if progress:
        from tqdm import tqdm

        items = tqdm(items, unit=" files", desc="indexing", leave=False)
    if rebuild or not index_exists(path):
        summary = _build_new(settings, path, items)
    else:
        summary = _update(settings, open_index(path), items, roots)
    return IndexSummary(
        indexed=summary.indexed,
        unchanged=summary.unchanged,
        removed=summary.removed,
        skipped=summary.skipped,
        paragraphs=summary.paragraphs,
        elapsed_s=time.perf_counter() - start,
    )


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
            seen: set[str] = set()
            ix = whoosh_index.create_in(str(staging), build_schema())
            paragraphs = 0
            builder = ColumnsBuilder()
            # Whoosh holds one small document per report; paragraphs and postings go to the
            # column store, written for the generation this writer commits.
            with index_writer(ix, limitmb=settings.writer_limitmb) as writer:
                for item in items:
                    if isinstance(item, IngestProblem):
                        skipped.append(item)
                        continue
                    rid = item.item.report.report_id
                    if not _first_of_id(rid, item.item.report.source_path, seen, skipped):
                        continue
                    indexed.append(rid)
                    paragraphs += _add_report(writer, builder, item)
                write_single(staging, writer.generation, builder.build())
            ix.close()
            (staging / VERSION_FILE).write_text(str(SCHEMA_VERSION), encoding="ascii")
            _swap_in(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return IndexSummary(
        indexed=tuple(indexed),
        skipped=tuple(skipped),
        paragraphs=paragraphs,
    )


def _first_of_id(rid: str, path: str, seen: set[str], skipped: list[IngestProblem]) -> bool:
    """True the first time ``rid`` comes; a later file with the same report id (report.md beside
    report.txt) is skipped with a reason."""
    if rid in seen:
        skipped.append(IngestProblem(path, f"duplicate report id {rid}"))
        return False
    seen.add(rid)
    return True


def remove_leftovers(path: Path) -> list[str]:
    """Remove the staging/retired folders that killed writers left beside ``path`` (those whose
    process is gone); returns their names."""
    removed: list[str] = []
    if not path.parent.is_dir():
        return removed
    recover_interrupted_swap(path)
    for entry in path.parent.iterdir():
        for marker in (f".{path.name}.building-", f".{path.name}.retired-"):
            if entry.name.startswith(marker) and entry.is_dir():
                pid = entry.name[len(marker):]
                if not pid.isdigit() or not _process_alive(int(pid)):
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry.name)
    return removed


def recover_interrupted_swap(path: Path) -> bool:
    """Put the previous index back when a rebuild was killed between the two renames of
    ``_swap_in`` (the index folder is gone, its retired copy is complete); True if it did."""
    if path.exists() or not path.parent.is_dir():
        return False
    marker = f".{path.name}.retired-"
    for entry in sorted(path.parent.iterdir()):
        pid = entry.name[len(marker):] if entry.name.startswith(marker) else ""
        if (pid.isdigit() and int(pid) != os.getpid() and not _process_alive(int(pid))
                and index_exists(entry)):
            try:
                entry.rename(path)
            except OSError:  # another process recovered it first
                return path.exists()
            return True
    return False


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftover from an earlier, failed run in this process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _swap_in(staging: Path, path: Path) -> None:
    """Put the directory ``staging`` at ``path`` (two renames; readers holding open files of
    the old index keep reading them)."""
    if path.exists():
        retired = path.parent / f".{path.name}.retired-{os.getpid()}"
        shutil.rmtree(retired, ignore_errors=True)
        path.rename(retired)
        staging.rename(path)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.rename(path)


def _real(path: str | Path) -> str:
    """The canonical form of ``path`` (never raises, even on a symlink loop)."""
    return os.path.realpath(os.path.abspath(path))


def _is_under(source_path: str, roots: tuple[Path, ...]) -> bool:
    p = Path(_real(source_path))
    return any(p == r or p.is_relative_to(r) for r in (Path(_real(root)) for root in roots))


def _update(
    settings: Settings,
    ix: whoosh_index.Index,
    items: Iterable[Prepared | IngestProblem | Unchanged],
    roots: tuple[Path, ...] | None,
) -> IndexSummary:
    """Upsert changed reports and remove vanished ones, all in one commit (the column store
    of the new generation is written just before it)."""
    indexed: list[str] = []
    unchanged: list[str] = []
    skipped: list[IngestProblem] = []
    paragraphs = 0
    builder = ColumnsBuilder()
    drop: set[str] = set()
    path = Path(ix.storage.folder)
    with index_writer(ix, limitmb=settings.writer_limitmb) as writer:
        # Read what is there under the lock, so two runs cannot interleave.
        have = existing_reports(ix)
        seen: set[str] = set()
        problem_paths: set[str] = set()
        for item in items:
            if isinstance(item, Unchanged):
                if _first_of_id(item.report_id, item.path, seen, skipped):
                    unchanged.append(item.report_id)
                continue
            if isinstance(item, IngestProblem):
                skipped.append(item)
                problem_paths.add(_real(item.path))
                continue
            rid = item.item.report.report_id
            if not _first_of_id(rid, item.item.report.source_path, seen, skipped):
                continue
            old = have.get(rid)
            if (old is not None and old.content_sha256 == item.item.report.content_sha256
                    and old.manifest_sha256 == item.manifest_sha):
                unchanged.append(rid)
                continue
            if old is not None:
                writer.delete_by_term("report_id", rid)
                drop.add(rid)
            paragraphs += _add_report(writer, builder, item)
            indexed.append(rid)
        removed: list[str] = []
        if roots is not None:
            for rid, known in have.items():
                if (
                    rid not in seen
                    and _is_under(known.source_path, roots)
                    and _real(known.source_path) not in problem_paths
                ):
                    writer.delete_by_term("report_id", rid)
                    removed.append(rid)
                    drop.add(rid)
        if not indexed and not removed:
            writer.fazhi_skip_commit = True  # nothing changed: keep the same generation
        else:
            # Leftovers of killed writers first (we hold the lock: no segment is in flight).
            collect_garbage(path, keep_from=writer.generation - 2)
            try:
                current = read_generation(path, writer.generation - 1)
            except FileNotFoundError:
                raise SchemaVersionError(
                    f"the index at {path} has no column store for its current generation: "
                    "run fazhi index --rebuild"
                ) from None
            # Only the changed reports are written (a new small segment); the replaced and
            # removed ones are marked dead where they are.
            new = updated_generation(path, current, drop, builder.build(), writer.generation)
            write_generation(path, writer.generation, new)
    if indexed or removed:
        # Readers that opened the previous generation keep its segments until the next commit.
        with _try_lock(path) as locked:
            if locked:
                collect_garbage(path, keep_from=writer.generation - 1)
    return IndexSummary(
        indexed=tuple(indexed),
        unchanged=tuple(unchanged),
        removed=tuple(sorted(removed)),
        skipped=tuple(skipped),
        paragraphs=paragraphs,
    )
