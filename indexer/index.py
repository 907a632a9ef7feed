"""Writing the index: incremental by content hash, one atomic commit, rebuild beside and swap."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.writing import IndexWriter

from .analysis import load_extra_words
from .config import Settings
from .errors import IndexBusyError, IndexMissingError, IngestError, SchemaVersionError
from .models import (
    IndexSummary,
    IngestedReport,
    IngestProblem,
    Level,
    Paragraph,
    Report,
)
from .normalize import normalize
from .schema import KIND_PARAGRAPH, KIND_REPORT, SCHEMA_VERSION, VERSION_FILE, build_schema

# How long a second writer waits for the lock before saying the index is busy.
LOCK_TIMEOUT_S = 3.0
# Above this many characters a new build tokenises in worker processes (Whoosh MpWriter).
PARALLEL_MIN_CHARS = 500_000


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


# ---------------------------------------------------------------- documents


def report_to_json(report: Report) -> str:
    data = asdict(report)
    data["level"] = str(report.level) if report.level else None
    return json.dumps(data, ensure_ascii=False)


def report_from_json(text: str) -> Report:
    data = json.loads(text)
    data["level"] = Level(data["level"]) if data.get("level") else None
    data["warnings"] = tuple(data.get("warnings") or ())
    return Report(**data)


def _report_doc(report: Report) -> dict[str, object]:
    return {
        "kind": KIND_REPORT,
        "report_id": report.report_id,
        "report_json": report_to_json(report),
        "content_sha256": report.content_sha256,
        "source_path": report.source_path,
    }


def _paragraph_doc(report: Report, p: Paragraph) -> dict[str, object]:
    doc: dict[str, object] = {
        "kind": KIND_PARAGRAPH,
        "report_id": report.report_id,
        "n": p.n,
        "section": str(p.section),
        "text": p.text,
        "heading_path": tuple(p.heading_path),
        "is_heading": bool(p.is_heading),
        "content": normalize(p.text),
    }
    if p.is_heading:
        doc["context"] = doc["content"]
    return doc


def _add_report(writer: IndexWriter, item: IngestedReport) -> int:
    writer.add_document(**_report_doc(item.report))
    for p in item.paragraphs:
        writer.add_document(**_paragraph_doc(item.report, p))
    return len(item.paragraphs)


def existing_reports(ix: whoosh_index.Index) -> dict[str, tuple[str, str]]:
    """report_id -> (content_sha256, source_path) of every report in the index."""
    with ix.searcher() as s:
        return {
            f["report_id"]: (f["content_sha256"], f["source_path"])
            for f in s.documents(kind=KIND_REPORT)
        }


# ---------------------------------------------------------------- public


def index_reports(
    settings: Settings, reports: Iterable[IngestedReport], *, rebuild: bool = False
) -> IndexSummary:
    """Add or replace ``reports`` in the index (one atomic commit); nothing is removed unless
    ``rebuild``."""
    return _index(settings, reports, roots=None, rebuild=rebuild, progress=False)


def index_paths(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    *,
    rebuild: bool = False,
    progress: bool = False,
) -> IndexSummary:
    """Index the files under ``paths`` (default: ``settings.corpus_paths``) incrementally:
    unchanged reports skipped, changed ones replaced, those whose files are gone removed."""
    from .ingest import ingest_paths

    roots = tuple(Path(p) for p in (paths or settings.corpus_paths))
    path = Path(settings.index_path)
    if rebuild or not index_exists(path):
        items: Iterable[IngestedReport | IngestProblem | Unchanged] = ingest_paths(roots, settings)
    else:
        items = _ingest_changed(roots, settings, existing_reports(open_index(path)))
    return _index(settings, items, roots=roots, rebuild=rebuild, progress=progress)


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A source file whose bytes hash to what the index already holds (not parsed again)."""

    report_id: str
    path: str


def _ingest_changed(
    roots: tuple[Path, ...], settings: Settings, have: dict[str, tuple[str, str]]
) -> Iterator[IngestedReport | IngestProblem | Unchanged]:
    """Like ``ingest_paths``, but files whose content hash is already indexed are not parsed
    (what makes an incremental run over a large corpus fast). Roots with a manifest are
    always ingested in full, since a manifest edit changes reports without changing files."""
    from .ingest import ingest_paths, report_id_for
    from .sources import find_sources, is_manifest

    for root in roots:
        if _has_manifest(root, is_manifest):
            yield from ingest_paths([root], settings)
            continue
        try:
            sources = list(find_sources([root]))
        except IngestError as exc:
            yield IngestProblem(exc.path, exc.reason)
            continue
        changed = []
        for source in sources:
            rid = report_id_for(source.relative_path)
            old = have.get(rid)
            if old is not None and _sha256(source.path) == old[0]:
                yield Unchanged(rid, str(source.path))
            else:
                changed.append(source)
        for source in changed:
            yield from _ingest_one(source, settings)


def _has_manifest(root: Path, is_manifest) -> bool:
    try:
        return root.is_dir() and any(is_manifest(f) for f in root.iterdir() if f.is_file())
    except OSError:
        return True  # cannot tell: take the full (always correct) path


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _ingest_one(source, settings: Settings) -> Iterator[IngestedReport | IngestProblem]:
    from .ingest import ingest_file

    try:
        yield ingest_file(source, settings, None)
    except IngestError as exc:
        yield IngestProblem(exc.path, exc.reason)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop a batch
        yield IngestProblem(str(source.path), f"unexpected error: {type(exc).__name__}: {exc}")


def _index(
    settings: Settings,
    items: Iterable[IngestedReport | IngestProblem | Unchanged],
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
    settings: Settings, path: Path, items: Iterable[IngestedReport | IngestProblem]
) -> IndexSummary:
    """Build a complete index beside ``path`` and swap it in: the old one stays readable
    until the new one is complete, and a crash leaves no half-built index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.parent / f".{path.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        with _hold_lock(path):
            reports: list[IngestedReport] = []
            skipped: list[IngestProblem] = []
            seen: set[str] = set()
            for item in items:
                if isinstance(item, IngestProblem):
                    skipped.append(item)
                elif item.report.report_id in seen:
                    skipped.append(IngestProblem(item.report.source_path,
                                                 f"duplicate report id {item.report.report_id}"))
                else:
                    seen.add(item.report.report_id)
                    reports.append(item)
            chars = sum(len(p.text) for r in reports for p in r.paragraphs)
            procs = settings.worker_procs if chars >= PARALLEL_MIN_CHARS else 1
            ix = whoosh_index.create_in(str(staging), build_schema())
            paragraphs = 0
            with index_writer(ix, procs=procs, limitmb=settings.writer_limitmb) as writer:
                for item in reports:
                    paragraphs += _add_report(writer, item)
            ix.close()
            (staging / VERSION_FILE).write_text(str(SCHEMA_VERSION), encoding="ascii")
            _swap_in(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return IndexSummary(
        indexed=tuple(r.report.report_id for r in reports),
        skipped=tuple(skipped),
        paragraphs=paragraphs,
    )


def remove_leftovers(path: Path) -> list[str]:
    """Remove the staging/retired folders that killed writers left beside ``path`` (those whose
    process is gone); returns their names."""
    removed = []
    if not path.parent.is_dir():
        return removed
    for entry in path.parent.iterdir():
        for marker in (f".{path.name}.building-", f".{path.name}.retired-"):
            if entry.name.startswith(marker) and entry.is_dir():
                pid = entry.name[len(marker):]
                if not pid.isdigit() or not _process_alive(int(pid)):
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry.name)
    return removed


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
    items: Iterable[IngestedReport | IngestProblem],
    roots: tuple[Path, ...] | None,
) -> IndexSummary:
    """Upsert changed reports and remove vanished ones, all in one commit."""
    indexed: list[str] = []
    unchanged: list[str] = []
    skipped: list[IngestProblem] = []
    paragraphs = 0
    with index_writer(ix, limitmb=settings.writer_limitmb) as writer:
        # Read what is there under the lock, so two runs cannot interleave.
        have = existing_reports(ix)
        seen: set[str] = set()
        problem_paths: set[str] = set()
        for item in items:
            if isinstance(item, Unchanged):
                if item.report_id in seen:
                    skipped.append(IngestProblem(item.path, f"duplicate report id {item.report_id}"))
                else:
                    seen.add(item.report_id)
                    unchanged.append(item.report_id)
                continue
            if isinstance(item, IngestProblem):
                skipped.append(item)
                problem_paths.add(_real(item.path))
                continue
            rid = item.report.report_id
            if rid in seen:
                skipped.append(IngestProblem(item.report.source_path, f"duplicate report id {rid}"))
                continue
            seen.add(rid)
            old = have.get(rid)
            if old is not None and old[0] == item.report.content_sha256:
                unchanged.append(rid)
                continue
            if old is not None:
                writer.delete_by_term("report_id", rid)
            paragraphs += _add_report(writer, item)
            indexed.append(rid)
        removed: list[str] = []
        if roots is not None:
            for rid, (_sha, source_path) in have.items():
                if (
                    rid not in seen
                    and _is_under(source_path, roots)
                    and _real(source_path) not in problem_paths
                ):
                    writer.delete_by_term("report_id", rid)
                    removed.append(rid)
        if not indexed and not removed:
            writer.fazhi_skip_commit = True  # nothing changed: keep the same generation
    return IndexSummary(
        indexed=tuple(indexed),
        unchanged=tuple(unchanged),
        removed=tuple(sorted(removed)),
        skipped=tuple(skipped),
        paragraphs=paragraphs,
    )
