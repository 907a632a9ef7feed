"""The whole index verified (``fazhi check``), and what ``fazhi index`` does with the answer.

``check_index`` reads every file the project wrote into the index folder and returns one
``IndexProblem`` per bad file, each with its fix: damage to the version file, the table of
contents, the checksum manifest or a segment needs a rebuild from the corpus (``fazhi
index`` does it, beside the old folder, then swaps); a damaged accelerator or file-hash cache
is only rewritten. Files of killed or cancelled writers are listed as leftovers, which the
next ``fazhi index`` removes under the write lock (``sweep``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import integrity
from .errors import IndexDamagedError, IndexMissingError
from .filehash import CACHE_FILE, cache_state
from .schema import SCHEMA_VERSION, VERSION_FILE
from .segment_cache import CACHE_DIR, CACHE_VERSION

REBUILD_FIX = "run `fazhi index` (it rebuilds the index from the corpus) or `fazhi index --rebuild`"
REWRITE_FIX = "run `fazhi index` (it rewrites this file; the index itself is sound)"
LOCK_FILE = f"{integrity.INDEX_NAME}_WRITELOCK"
WRITER_TEMP = f"{integrity.INDEX_NAME}.tmp"  # Whoosh's pool folder of the writer at work
# Names a writer that died may leave: TOC and manifest temporaries, our temporaries.
_TEMPORARY = re.compile(r"^(_MAIN_\d+\.toc\..+|\..+\.tmp(-\d+)?)$")


@dataclass(frozen=True, slots=True)
class IndexProblem:
    """One bad file of the index: what is wrong, the fix, and whether it needs a rebuild."""

    file: str
    problem: str
    fix: str
    rebuild: bool

    def line(self) -> str:
        return f"{self.file}: {self.problem}; fix: {self.fix}"


@dataclass(frozen=True, slots=True)
class IndexCheck:
    """What ``check_index`` found."""

    path: str
    generation: int
    files_checked: int
    bytes_checked: int
    problems: tuple[IndexProblem, ...]
    leftovers: tuple[str, ...]
    elapsed_s: float

    @property
    def sound(self) -> bool:
        return not self.problems

    @property
    def needs_rebuild(self) -> bool:
        return any(p.rebuild for p in self.problems)


def _damaged(exc: IndexDamagedError) -> IndexProblem:
    return IndexProblem(exc.file, exc.reason, REBUILD_FIX, True)


def check_index(path: Path) -> IndexCheck:
    """Verify every file of the index at ``path`` (IndexMissingError when there is none)."""
    start = time.perf_counter()
    path = Path(path)
    names = _names(path)
    generation = integrity.latest_generation(path)
    if generation < 0 and not any(_ours(n) for n in names):
        raise IndexMissingError(f"no index at {path}: run `fazhi index` first")
    problems = [p for p in (_version_problem(path),) if p is not None]
    manifest = None
    if generation < 0:
        problems.append(IndexProblem(_missing_toc_name(names), "the table of contents is "
                                     "missing", REBUILD_FIX, True))
    else:
        try:
            manifest = integrity.read_manifest(path, generation)
        except IndexDamagedError as exc:
            problems.append(_damaged(exc))
    files = bytes_ = 0
    if manifest is not None:
        problems.extend(_damaged(exc) for exc in integrity.check_files(path, manifest))
        for expected in manifest.files():
            files, bytes_ = files + 1, bytes_ + expected.size
        if not any(p.file == manifest.toc.name for p in problems):  # the TOC is sound
            problems.extend(_accelerator_problems(path, manifest))
    if cache_state(path) is False:
        problems.append(IndexProblem(CACHE_FILE, "damaged (a cache of the corpus files' "
                                     "content hashes)", REWRITE_FIX, False))
    return IndexCheck(str(path), generation, files, bytes_, tuple(problems),
                      tuple(leftovers(path, manifest)), time.perf_counter() - start)


def _names(path: Path) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def _ours(name: str) -> bool:
    return bool(name == VERSION_FILE or integrity.SEGMENT_FILE_PATTERN.match(name)
                or integrity.MANIFEST_PATTERN.match(name) or integrity.TOC_PATTERN.match(name))


def _missing_toc_name(names: list[str]) -> str:
    gens = [int(m.group(1)) for m in map(integrity.MANIFEST_PATTERN.match, names) if m]
    return integrity.toc_name(max(gens)) if gens else integrity.toc_name(0)


def _version_problem(path: Path) -> IndexProblem | None:
    try:
        text = (path / VERSION_FILE).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return IndexProblem(VERSION_FILE, "missing", REBUILD_FIX, True)
    except (OSError, UnicodeDecodeError):
        return IndexProblem(VERSION_FILE, "unreadable", REBUILD_FIX, True)
    if not text.isdigit():
        return IndexProblem(VERSION_FILE, f"damaged (holds {text[:20]!r})", REBUILD_FIX, True)
    if int(text) != SCHEMA_VERSION:
        return IndexProblem(VERSION_FILE, f"schema version {int(text)}, this fazhi-search "
                            f"needs {SCHEMA_VERSION} (another layout)", REBUILD_FIX, True)
    return None


def _accelerator_problems(path: Path, manifest: integrity.Manifest) -> list[IndexProblem]:
    """Accelerators that exist but do not pass their own checks (missing ones are fine:
    search makes them)."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    toc = TOC.read(FileStorage(str(path)), integrity.INDEX_NAME, manifest.generation)
    out = []
    for seg in toc.segments:
        name = f"{CACHE_DIR}/{seg.segid}.npz"
        if (path / name).exists() and not accelerator_sound(path / name, seg.segid,
                                                            seg.doc_count_all()):
            out.append(IndexProblem(name, "damaged accelerator (search rebuilds it from its "
                                    "segment meanwhile)", REWRITE_FIX, False))
    return out


def accelerator_sound(file: Path, segid: str, doc_count: int) -> bool:
    """Whether an accelerator file passes its zip CRC-32s and names this segment."""
    try:
        with zipfile.ZipFile(file) as zf:
            if zf.testzip() is not None:
                return False
            from numpy.lib import format as npformat

            with zf.open("meta.npy") as fh:
                meta = json.loads(npformat.read_array(fh).tobytes().decode("utf-8"))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError):
        return False
    return (isinstance(meta, dict) and meta.get("version") == CACHE_VERSION
            and meta.get("segid") == segid and meta.get("doc_count") == doc_count)


def leftovers(path: Path, manifest: integrity.Manifest | None) -> list[str]:
    """Files of the index folder that no generation uses (a killed or cancelled writer's)."""
    if manifest is None:
        return []
    keep = {VERSION_FILE, LOCK_FILE, CACHE_FILE, CACHE_DIR, WRITER_TEMP,
            integrity.manifest_name(manifest.generation)}
    keep.update(s.name for s in manifest.files())
    out = [n for n in _names(path) if n not in keep]
    segids = set(manifest.segments)
    out += [f"{CACHE_DIR}/{n}" for n in _names(path / CACHE_DIR)
            if not (n.endswith(".npz") and n[:-4] in segids)]
    return out


# ---------------------------------------------------------------- what `fazhi index` does


def damage_before_update(path: Path) -> IndexProblem | None:
    """Check the index before an update: the first problem that needs a rebuild, or None
    (no index, an index of another layout, or one repaired in place: damaged accelerators
    are removed and rewritten; a damaged file-hash cache is ignored and rewritten by the run)."""
    if not path.is_dir():
        return None
    if integrity.latest_generation(path) < 0:
        from .store import no_index_error

        missing = no_index_error(path)
        return (IndexProblem(missing.file, missing.reason, REBUILD_FIX, True)
                if isinstance(missing, IndexDamagedError) else None)
    version = _version_problem(path)
    if version is not None:  # another layout's number is not damage: rebuilt as such
        return None if version.problem.startswith("schema version") else version
    found = check_index(path)
    rebuild = [p for p in found.problems if p.rebuild]
    if rebuild:
        return rebuild[0]
    damaged = [p for p in found.problems if p.file.startswith(CACHE_DIR + "/")]
    for problem in damaged:
        (path / problem.file).unlink(missing_ok=True)
    if damaged:
        from .segment_upkeep import write_accelerators

        write_accelerators(path)
    return None


def sweep(path: Path, keep_segids: set[str]) -> list[str]:
    """Remove files that no generation uses (call under the write lock): segment files of
    other segments than ``keep_segids`` (the current generation's and the open writer's),
    TOCs and manifests of other generations, temporaries of dead writers."""
    generation = integrity.latest_generation(path)
    removed = []
    for name in _names(path):
        seg = integrity.SEGMENT_FILE_PATTERN.match(name)
        toc = integrity.TOC_PATTERN.match(name)
        man = integrity.MANIFEST_PATTERN.match(name)
        if ((seg and seg.group(1) not in keep_segids)
                or (toc and int(toc.group(1)) != generation)
                or (man and int(man.group(1)) != generation)
                or (_TEMPORARY.match(name) and not _temporary_of_live_process(name))):
            _remove(path / name)
            removed.append(name)
    for name in _names(path / CACHE_DIR):
        if _TEMPORARY.match(name) and not _temporary_of_live_process(name):
            _remove(path / CACHE_DIR / name)
            removed.append(f"{CACHE_DIR}/{name}")
    return removed


def _temporary_of_live_process(name: str) -> bool:
    """Whether a ``.NAME.PID.tmp`` / ``.NAME.tmp-PID`` temporary belongs to a live process
    other than this one (a reader writing an accelerator); Whoosh's TOC temporaries never do
    under the write lock."""
    from .store import process_alive

    found = re.search(r"\.(\d+)\.tmp$|\.tmp-(\d+)$", name)
    return bool(found) and process_alive(int(found.group(1) or found.group(2)))


def _remove(file: Path) -> None:
    try:
        if file.is_dir() and not file.is_symlink():
            shutil.rmtree(file)
        else:
            file.unlink()
    except FileNotFoundError:
        pass


def find_damage(path: Path) -> IndexDamagedError | None:
    """The first problem of the index at ``path`` that needs a rebuild, as an error to raise
    (None when it is sound, only needs files rewritten, or is not there)."""
    try:
        found = check_index(path)
    except (IndexMissingError, OSError):
        return None
    for problem in found.problems:
        if problem.rebuild:
            return IndexDamagedError(path, problem.file, problem.problem)
    return None
