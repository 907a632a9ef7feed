"""The index on disk: opening it with its checks, and the folder moves of a rebuild.

Both the writer (``indexer.index``) and search (``indexer.searching``) use this module; it
writes nothing but the renames of ``swap_in`` and the removal of killed writers' leftovers.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from whoosh import index as whoosh_index

from . import integrity
from .errors import IndexDamagedError, IndexMissingError, SchemaVersionError
from .schema import SCHEMA_VERSION, VERSION_FILE


def index_exists(path: Path) -> bool:
    """Whether ``path`` holds a Whoosh table of contents (not parsed: a damaged one counts)."""
    return path.is_dir() and integrity.latest_generation(path) >= 0


def read_schema_version(path: Path) -> int | None:
    try:
        return int((path / VERSION_FILE).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def open_index(path: Path) -> whoosh_index.Index:
    """The index at ``path``, its latest generation's table of contents and file sizes
    checked (``integrity.verify_generation``) before Whoosh reads it; IndexMissingError,
    SchemaVersionError or IndexDamagedError with a clear message."""
    if not index_exists(path):
        recover_interrupted_swap(path)
    if not index_exists(path):
        raise no_index_error(path)
    found = read_schema_version(path)
    if found is None and (path / VERSION_FILE).exists():
        raise IndexDamagedError(path, VERSION_FILE, "damaged (not a version number)")
    if found != SCHEMA_VERSION:
        raise SchemaVersionError(
            f"the index at {path} was built with schema version {found or 'unknown'} "
            f"(an older layout), this fazhi-search needs version {SCHEMA_VERSION}: run "
            "`fazhi index` (it rebuilds it) or `fazhi index --rebuild`"
        )
    integrity.verify_generation(path, integrity.latest_generation(path))
    return whoosh_index.open_dir(str(path))


def no_index_error(path: Path) -> IndexMissingError | IndexDamagedError:
    """What to say when ``path`` holds no table of contents: no index, or (checksum
    manifests are there) an index whose table of contents was lost."""
    try:
        names = os.listdir(path)
    except OSError:
        names = []
    gens = [int(m.group(1)) for m in map(integrity.MANIFEST_PATTERN.match, names) if m]
    if gens:
        return IndexDamagedError(path, integrity.toc_name(max(gens)),
                                 "the table of contents is missing")
    return IndexMissingError(f"no index at {path}: run `fazhi index` first")


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
                if not pid.isdigit() or not process_alive(int(pid)):
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
        if (pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid))
                and index_exists(entry)):
            try:
                entry.rename(path)
            except OSError:  # another process recovered it first
                return path.exists()
            return True
    return False


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftover from an earlier, failed run in this process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def swap_in(staging: Path, path: Path) -> None:
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
