"""A private on-disk cache for data that is slow to build and never changes between runs
(jieba's prefix dictionary, the gazetteer's look-up tables).

Each entry is a pickle in ``$XDG_CACHE_HOME/fazhi-search`` (default ``~/.cache/fazhi-search``),
named by a key that changes whenever its source does. Pickles are only read from a folder
owned by this user and closed to others; anything unusual means "build it again", never an
error: the cache only saves time.
"""

from __future__ import annotations

import os
import pickle
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def cache_dir() -> Path | None:
    """The cache folder (created private), or None when it cannot be used safely."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "fazhi-search"
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = path.stat()
    except OSError:
        return None
    if st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return path


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """The value cached as NAME for KEY, else ``build()`` (then cached)."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{name}-{key}.pickle"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001 - a damaged entry is rebuilt
        path.unlink(missing_ok=True)
    value = build()
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}-")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in folder.glob(f"{name}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass
    return value


def file_key(path: Path, version: int = 1) -> str:
    """A key that changes with the file at PATH (size and modification time) and VERSION."""
    st = Path(path).stat()
    return f"v{version}-{st.st_size}-{st.st_mtime_ns}"
