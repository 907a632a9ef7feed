"""Content hashes of source files, remembered by their stat, so that an incremental run does
not read and hash every file of a large corpus again.

Like git's index: a file's SHA-256 is reused only when its size, modification time, change
time and inode are exactly those it had when it was hashed; the change time cannot be set by
programs (``cp -p``, ``rsync -t``, ``tar`` restore mtimes, not ctimes), and any write,
rename or replacement changes it. A file changed within the same clock tick as its hashing
would keep its stat, so entries whose change time was less than ``RACY_S`` seconds old when
hashed are not trusted (the file is hashed again).

The cache is a JSON file in the index folder, carrying the CRC-32 of its content
(``indexer.integrity.sealed``); a damaged or lost one only costs time (files are hashed again).
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path

from .integrity import sealed, unsealed

CACHE_FILE = "file-hashes.json"
RACY_S = 2.0
_VERSION = 2  # 2: sealed with a CRC-32

Stat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


class FileHashes:
    """SHA-256 of files, from the cache when their stat is unchanged (``sha256``), and
    ``save`` to remember what was hashed."""

    def __init__(self, index_path: Path) -> None:
        self._file = Path(index_path) / CACHE_FILE
        self._old: dict[str, list] = _load(self._file)
        self._new: dict[str, list] = {}

    def sha256(self, path: Path) -> str | None:
        """The file's SHA-256 (None when it cannot be read)."""
        key = os.fsdecode(path) if isinstance(path, bytes) else str(path)
        try:
            st = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):  # a FIFO or a device would block or never end
            return None
        stat_now: Stat = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        entry = self._old.get(key)
        if entry is not None and tuple(entry[0]) == stat_now and _settled(entry):
            self._new[key] = entry
            return entry[1]
        try:
            data = Path(path).read_bytes()
        except OSError:
            return None
        digest = hashlib.sha256(data).hexdigest()
        self._new[key] = [list(stat_now), digest, time.time_ns()]
        return digest

    def save(self) -> None:
        """Remember the files hashed or confirmed in this run (atomically; errors ignored)."""
        if self._new == self._old or not self._file.parent.is_dir():
            return
        tmp = self._file.with_name(f".{CACHE_FILE}.tmp-{os.getpid()}")
        try:
            tmp.write_text(sealed({"version": _VERSION, "files": self._new}),
                           encoding="utf-8", errors="surrogateescape")
            os.replace(tmp, self._file)
        except OSError:
            tmp.unlink(missing_ok=True)


def remember_hashes(index_path: Path, paths: list[Path], max_bytes: int) -> None:
    """Hash and remember ``paths`` (those of at most ``max_bytes``: larger files are never
    indexed), so that the next incremental run reuses their hashes."""
    hashes = FileHashes(index_path)
    for path in paths:
        try:
            size = os.stat(path).st_size
        except OSError:
            continue
        if size <= max_bytes:
            hashes.sha256(path)
    hashes.save()


def _settled(entry: list) -> bool:
    """Whether the file's change time was at least RACY_S older than its hashing."""
    ctime_ns, hashed_ns = entry[0][2], entry[2]
    return hashed_ns - ctime_ns >= RACY_S * 1e9


def _load(file: Path) -> dict[str, list]:
    files = _read(file)
    return {k: v for k, v in (files or {}).items() if _well_formed(v)}


def _read(file: Path) -> dict | None:
    """The cache's entries, or None when the file is missing, damaged or of another version."""
    try:
        data = unsealed(file.read_text(encoding="utf-8", errors="surrogateescape"))
    except OSError:
        return None
    if data is None or data.get("version") != _VERSION:
        return None
    files = data.get("files")
    return files if isinstance(files, dict) else None


def cache_state(index_path: Path) -> bool | None:
    """Whether the index's cache file is sound (None when there is none)."""
    file = Path(index_path) / CACHE_FILE
    if not file.exists():
        return None
    return _read(file) is not None


def _well_formed(entry: object) -> bool:
    return (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[0], list)
            and len(entry[0]) == 4 and all(isinstance(x, int) for x in entry[0])
            and isinstance(entry[1], str) and isinstance(entry[2], int))
