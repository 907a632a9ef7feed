"""The index on disk: opening it with its checks, and the folder moves of a rebuild.

Both the writer (``indexer.index``) and search (``indexer.searching``) use this module; it
writes nothing but the renames of ``swap_in`` and the removal of killed writers' leftovers.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from whoosh import index as whoosh_index

from .errors import IndexMissingError, SchemaVersionError
from .schema import SCHEMA_VERSION, VERSION_FILE


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
            f"the index at {path} was built with schema version {found or 'unknown'} "
            f"(an older layout), this fazhi-search needs version {SCHEMA_VERSION}: run "
            "`fazhi index` (it rebuilds it) or `fazhi index --rebuild`"
        )
    return whoosh_index.open_dir(str(path))


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
