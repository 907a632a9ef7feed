"""Ingest and tokenise source files, in worker processes when there is enough work.

Each file becomes a ``Prepared`` record: the ingested report, the hash of its manifest row
(what an incremental run compares besides the file's content hash) and the jieba word counts
of each paragraph (what the ranking postings hold). Parsing, metadata and jieba are the CPU
cost of a build; with a pool they run on every core while the parent assembles the columns.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .errors import IngestError
from .models import IngestedReport, IngestProblem
from .sources import SourceFile

# Below this many bytes of source files the work is done in this process (a pool costs more
# to start than it saves).
POOL_MIN_BYTES = 2_000_000
# Below this many bytes of source files, jieba gets only the dictionary entries each report
# contains (finding them costs about 4 us per character; loading the whole dictionary 0.3 s).
SUBSET_MAX_BYTES = 256_000
# Files handed to a worker at a time (small: reports differ a lot in size).
CHUNK = 2

Manifest = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class Prepared:
    """One ingested report, ready to be written: what the schema's ``JiebaTokenizer`` makes of
    its normalised texts, counted (the ``body``, ``heading`` and ``title`` fields' postings)."""

    item: IngestedReport
    manifest_sha: str
    counts: tuple[dict[str, int], ...]  # jieba word counts per paragraph
    normed: tuple[str, ...] = ()  # normalised text per paragraph
    heading_counts: dict[tuple[str, ...], dict[str, int]] | None = None  # per heading path
    title_counts: dict[str, int] | None = None


def manifest_sha(row: Mapping[str, str] | None) -> str:
    """A hash of a manifest row ('' without one): a manifest edit changes the report."""
    if not row:
        return ""
    data = json.dumps(sorted(row.items()), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def manifest_row_for(manifest: Manifest | None, source: SourceFile) -> Mapping[str, str] | None:
    if not manifest:
        return None
    from .manifest import manifest_row

    return manifest_row(manifest, source.relative_path)


def prepare_item(item: IngestedReport, row_sha: str = "", *, subset: bool = False) -> Prepared:
    """Tokenise an already ingested report (in this process). ``subset``: with a jieba that
    holds only the dictionary entries of this report (same words; see ``jieba_subset``),
    cheaper than loading the whole dictionary when only a few files are indexed."""
    from .analysis import word_counts
    from .normalize import normalize

    normed = [normalize(p.text) for p in item.paragraphs]
    paths = list(dict.fromkeys(p.heading_path for p in item.paragraphs))
    path_texts = [normalize(" ".join(path)) for path in paths]
    title = normalize(item.report.title or "")
    tokenizer = None
    if subset:
        from .jieba_subset import subset_tokenizer

        tokenizer = subset_tokenizer([*normed, *path_texts, title])
    return Prepared(
        item, row_sha, tuple(word_counts(t, tokenizer) for t in normed), tuple(normed),
        {path: word_counts(t, tokenizer) for path, t in zip(paths, path_texts)},
        word_counts(title, tokenizer),
    )


def use_subset(settings: Settings, size: int) -> bool:
    """Whether files of ``size`` bytes in all are tokenised with per-report dictionary
    subsets (not with configured extra words, which only the whole dictionary gets)."""
    return size < SUBSET_MAX_BYTES and not settings.extra_words


_STATE: dict[str, object] = {}


def _init_worker(settings: Settings, manifests: dict[Path, Manifest]) -> None:
    _STATE["settings"] = settings
    _STATE["manifests"] = manifests


def _prepare_source(source: SourceFile) -> Prepared | IngestProblem:
    from .ingest import _problem, ingest_file

    settings: Settings = _STATE["settings"]  # type: ignore[assignment]
    manifest = _STATE["manifests"].get(source.root)  # type: ignore[union-attr]
    try:
        item = ingest_file(source, settings, manifest)
    except IngestError as exc:
        return _problem(str(source.path), exc.reason)
    except Exception as exc:  # noqa: BLE001 - a bug met on one file must not stop a batch
        return _problem(str(source.path), f"unexpected error: {type(exc).__name__}: {exc}")
    return prepare_item(item, manifest_sha(manifest_row_for(manifest, source)),
                        subset=bool(_STATE.get("subset")))


def prepare_sources(
    sources: Sequence[SourceFile], settings: Settings, manifests: dict[Path, Manifest]
) -> Iterator[Prepared | IngestProblem]:
    """``sources`` ingested and tokenised, in order; worker processes when worthwhile."""
    procs = settings.worker_procs
    size = total_size(sources)
    if procs <= 1 or len(sources) < 2 or size < POOL_MIN_BYTES:
        _init_worker(settings, manifests)
        _STATE["subset"] = use_subset(settings, size)
        try:
            for source in sources:
                yield _prepare_source(source)
        finally:
            _STATE.clear()
        return
    ctx = multiprocessing.get_context("fork")  # workers inherit loaded modules (and jieba)
    with ctx.Pool(min(procs, len(sources)), initializer=_init_worker,
                  initargs=(settings, manifests)) as pool:
        yield from pool.imap(_prepare_source, sources, chunksize=CHUNK)


def total_size(sources: Sequence[SourceFile]) -> int:
    """Bytes of the source files (those that cannot be read count 0)."""
    total = 0
    for s in sources:
        try:
            total += s.path.stat().st_size
        except OSError:
            pass
    return total


class WarmWorker:
    """One worker process started at the beginning of an incremental run: it loads the
    gazetteer, jieba's dictionary index and the character fold on the second core while this
    process walks and hashes the corpus, then prepares the files that changed. With the hash
    cache and the segmented column store, it is what keeps `fazhi index` after a small change
    around a second on a large corpus.
    """

    def __init__(self, settings: Settings) -> None:
        ctx = multiprocessing.get_context("fork")
        self._pool = ctx.Pool(1, initializer=_warm_worker, initargs=(settings,))

    @staticmethod
    def worthwhile(settings: Settings) -> bool:
        """More than one core, and no other thread in this process (forking a process that
        runs threads can copy a lock some thread holds)."""
        import threading

        return (settings.worker_procs > 1 and threading.active_count() == 1
                and "fork" in multiprocessing.get_all_start_methods())

    def prepare(self, sources: Sequence[SourceFile], manifests: dict[Path, Manifest],
                settings: Settings) -> Iterator[Prepared | IngestProblem]:
        """``sources`` prepared in the worker, in order."""
        subset = use_subset(settings, total_size(sources))
        tasks = [(s, _row_manifest(manifests.get(s.root), s), subset) for s in sources]
        yield from self._pool.imap(_prepare_task, tasks)

    def close(self) -> None:
        self._pool.terminate()  # it may still be loading: nothing of it is needed any more
        self._pool.join()


def _warm_worker(settings: Settings) -> None:
    from .gazetteer import load_gazetteer
    from .normalize import normalize

    _STATE["settings"] = settings
    normalize("預熱")  # the character fold table
    load_gazetteer()
    if settings.extra_words:
        from .analysis import load_extra_words

        load_extra_words(settings.extra_words)  # the whole dictionary, and these words
    else:
        from .jieba_subset import dictionary_index

        dictionary_index()  # a large batch loads the whole dictionary when it needs it


def _row_manifest(manifest: Manifest | None, source: SourceFile) -> Manifest:
    """A manifest holding only ``source``'s row (what the worker needs of it)."""
    from .manifest import canonical_key

    row = manifest_row_for(manifest, source)
    return {canonical_key(source.relative_path): row} if row else {}


def _prepare_task(task: tuple[SourceFile, Manifest, bool]) -> Prepared | IngestProblem:
    source, manifest, subset = task
    _STATE["manifests"] = {source.root: manifest}
    _STATE["subset"] = subset
    return _prepare_source(source)


def load_manifests(roots: Sequence[Path]) -> tuple[dict[Path, Manifest], list[IngestProblem]]:
    """Each root's manifest (empty when none) and its problems (bad lines, duplicate rows, rows
    for missing files, unreadable manifests: each reported, the rest kept)."""
    from .ingest import _problem
    from .manifest import read_manifest

    manifests: dict[Path, Manifest] = {}
    problems: list[IngestProblem] = []
    for root in roots:
        if root in manifests:
            continue
        manifests[root], found = read_manifest(root)
        problems += [_problem(p.path, p.reason, p.kind) for p in found]
    return manifests, problems


def find_all(
    paths: Sequence[Path], settings: Settings | None = None
) -> tuple[list[SourceFile], list[IngestProblem]]:
    """The source files under ``paths`` and a problem for each path that cannot be read and
    each entry a walk skips (unreadable folder, link out of the corpus, excluded, note ...)."""
    from .ingest import _problem
    from .sources import walk_sources
    from .walk import WalkOptions

    options = WalkOptions.from_settings(settings)
    sources: list[SourceFile] = []
    problems: list[IngestProblem] = []
    for path in paths:
        try:
            for item in walk_sources([Path(path)], options):
                if isinstance(item, SourceFile):
                    sources.append(item)
                else:
                    problems.append(_problem(item.path, item.reason, item.kind))
        except IngestError as exc:
            problems.append(_problem(exc.path, exc.reason))
    return sources, problems


def prepare_paths(paths: Sequence[Path], settings: Settings) -> Iterator[Prepared | IngestProblem]:
    """Every source file under ``paths``, prepared (what a full build writes)."""
    sources, problems = find_all(paths, settings)
    yield from problems
    manifests, broken = load_manifests(sorted({s.root for s in sources}))
    yield from broken
    yield from prepare_sources(sources, settings, manifests)
