"""Checksums of the index's files: written with every commit, verified on open and by `fazhi check`.

What guards each file the project writes into the index folder:

- Whoosh's table of contents ``_MAIN_<gen>.toc`` and the files of every segment it lists
  (``MAIN_<segid>.seg``, or the segment's separate files) are listed with their size and
  CRC-32 in ``FAZHI_CHECKSUMS_<gen>.json``, the generation's manifest. The writer
  (``indexer.whoosh_writer``) writes it (temporary file + rename) *before* Whoosh renames the
  TOC into place, so every TOC a reader can see has its manifest; the manifest carries the
  CRC-32 of its own body. Segments never change once written, so an update copies the sums of
  the segments it keeps from the previous manifest and computes only those of new segments.
- ``FAZHI_SCHEMA_VERSION`` holds one number, compared whole on every open (``indexer.store``).
- ``fazhi-cache/<segid>.npz`` (accelerators): each zip member carries its CRC-32, checked on
  load with the segment id and document count; a damaged one is rebuilt from its segment.
- ``file-hashes.json`` carries the CRC-32 of its entries (``indexer.filehash``); a damaged one
  is ignored (a cache of content hashes: it only saves time).
- ``MAIN_WRITELOCK`` is empty; only its ``flock`` is used.

Opening a generation checks the manifest, the TOC's bytes and the sizes of the segment files
(cheap); the content of a segment's files is checked the first time a process reads that
segment (``verify_segment``: one CRC-32 pass, about 3 GB/s). ``check`` (``fazhi check``, and
the start of every ``fazhi index``) verifies everything.
"""

from __future__ import annotations

import json
import os
import re
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import IndexDamagedError

INDEX_NAME = "MAIN"  # Whoosh's default index name: _MAIN_<gen>.toc, MAIN_<segid>.<ext>
MANIFEST_FORMAT = 1
MANIFEST_PATTERN = re.compile(r"^FAZHI_CHECKSUMS_(\d+)\.json$")
TOC_PATTERN = re.compile(r"^_MAIN_(\d+)\.toc$")
SEGMENT_FILE_PATTERN = re.compile(r"^MAIN_([0-9a-z]+)\.[A-Za-z0-9_.]+$")
_CHUNK = 1 << 20


def manifest_name(generation: int) -> str:
    return f"FAZHI_CHECKSUMS_{generation}.json"


def toc_name(generation: int) -> str:
    return f"_{INDEX_NAME}_{generation}.toc"


@dataclass(frozen=True, slots=True)
class FileSum:
    """A file of the index (name relative to the index folder), its size and CRC-32."""

    name: str
    size: int
    crc32: int


@dataclass(frozen=True, slots=True)
class Manifest:
    """The checksums of one generation: its TOC and the files of each of its segments."""

    generation: int
    toc: FileSum
    segments: dict[str, tuple[FileSum, ...]]

    def files(self) -> Iterator[FileSum]:
        yield self.toc
        for sums in self.segments.values():
            yield from sums


def crc32_file(path: Path) -> int:
    crc = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def sealed(body: dict) -> str:
    """``body`` as JSON with the CRC-32 of its canonical form under ``crc32``."""
    return json.dumps({**body, "crc32": _crc_of_body(body)}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"))


def _crc_of_body(body: dict) -> int:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # File names that were not UTF-8 are surrogate escapes: hashed as they are held.
    return zlib.crc32(canonical.encode("utf-8", "surrogatepass"))


def unsealed(text: str) -> dict | None:
    """The body of a ``sealed`` text, or None when it is not one or its CRC-32 is wrong."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("crc32"), int):
        return None
    crc = data.pop("crc32")
    return data if _crc_of_body(data) == crc else None


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` at ``path`` through a temporary file and a rename (OSError on failure,
    the temporary file removed)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- writing


def segment_files(folder: Path, segid: str, names: Iterable[str] | None = None) -> list[str]:
    """The names of the files of segment ``segid`` in ``folder``."""
    prefix = f"{INDEX_NAME}_{segid}."
    return sorted(n for n in (names if names is not None else os.listdir(folder))
                  if n.startswith(prefix) and SEGMENT_FILE_PATTERN.match(n))


def write_manifest(folder: Path, generation: int, toc_bytes: bytes, segids: Sequence[str]
                   ) -> None:
    """Write the manifest of ``generation`` (call before its TOC is renamed into place):
    the TOC's ``toc_bytes`` and the files of ``segids``; sums of segments the previous
    manifest lists are copied from it (segments never change)."""
    previous = _previous_sums(folder, generation)
    names = os.listdir(folder)
    segments = {}
    for segid in segids:
        sums = []
        for name in segment_files(folder, segid, names):
            size = (folder / name).stat().st_size
            known = previous.get(name)
            sums.append(known if known is not None and known.size == size
                        else FileSum(name, size, crc32_file(folder / name)))
        segments[segid] = [[s.name, s.size, s.crc32] for s in sums]
    toc = [toc_name(generation), len(toc_bytes), zlib.crc32(toc_bytes)]
    body = {"format": MANIFEST_FORMAT, "generation": generation, "toc": toc,
            "segments": segments}
    write_atomically(folder / manifest_name(generation), sealed(body).encode("utf-8"))


def _previous_sums(folder: Path, generation: int) -> dict[str, FileSum]:
    gens = [g for g in _generations(folder, TOC_PATTERN) if g < generation]
    if not gens:
        return {}
    try:
        manifest = read_manifest(folder, max(gens))
    except IndexDamagedError:
        return {}
    return {s.name: s for sums in manifest.segments.values() for s in sums}


def after_commit(folder: Path, generation: int, toc_bytes: bytes) -> None:
    """Once the TOC of ``generation`` is in place: make sure the manifest describes the TOC
    on disk, and remove the manifests of other generations (Whoosh removed their TOCs)."""
    on_disk = (folder / toc_name(generation)).read_bytes()
    if on_disk != toc_bytes:  # not expected: Whoosh wrote other bytes than it made in memory
        manifest = read_manifest(folder, generation)
        write_manifest(folder, generation, on_disk, list(manifest.segments))
    for gen in _generations(folder, MANIFEST_PATTERN):
        if gen != generation:
            (folder / manifest_name(gen)).unlink(missing_ok=True)


def seal_new_index(folder: Path) -> None:
    """Write the manifest of a new, empty index (Whoosh's ``create_in`` writes its TOC of
    generation 0 itself; every later TOC comes with its manifest from the writer)."""
    if latest_generation(folder) == 0 and not (folder / manifest_name(0)).exists():
        write_manifest(folder, 0, (folder / toc_name(0)).read_bytes(), [])


# ---------------------------------------------------------------- reading


def _generations(folder: Path, pattern: re.Pattern) -> list[int]:
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return [int(m.group(1)) for m in map(pattern.match, names) if m]


def latest_generation(folder: Path) -> int:
    """The latest generation with a TOC in ``folder`` (-1: none)."""
    return max(_generations(folder, TOC_PATTERN), default=-1)


def read_manifest(folder: Path, generation: int) -> Manifest:
    """The manifest of ``generation`` (IndexDamagedError when missing or damaged)."""
    name = manifest_name(generation)
    try:
        text = (folder / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise IndexDamagedError(folder, name, "the checksum manifest of generation "
                                f"{generation} is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexDamagedError(folder, name, f"unreadable ({exc})") from None
    body = unsealed(text)
    try:
        if body is None:
            raise ValueError("its own checksum does not match")
        if body.get("format") != MANIFEST_FORMAT or body.get("generation") != generation:
            raise ValueError("not the manifest of this generation")
        return Manifest(generation, FileSum(*body["toc"]),
                        {segid: tuple(FileSum(*s) for s in sums)
                         for segid, sums in body["segments"].items()})
    except (ValueError, TypeError, KeyError) as exc:
        raise IndexDamagedError(folder, name, f"damaged checksum manifest ({exc})") from None


def _check_size(folder: Path, expected: FileSum) -> None:
    try:
        size = (folder / expected.name).stat().st_size
    except FileNotFoundError:
        raise IndexDamagedError(folder, expected.name, "missing") from None
    except OSError as exc:
        raise IndexDamagedError(folder, expected.name, f"unreadable ({exc.strerror})") from None
    if size != expected.size:
        raise IndexDamagedError(folder, expected.name,
                                f"{size} bytes instead of {expected.size} (truncated or altered)")


def _check_content(folder: Path, expected: FileSum) -> None:
    _check_size(folder, expected)
    try:
        crc = crc32_file(folder / expected.name)
    except OSError as exc:
        raise IndexDamagedError(folder, expected.name, f"unreadable ({exc.strerror})") from None
    if crc != expected.crc32:
        raise IndexDamagedError(folder, expected.name, "checksum mismatch (the file was altered)")


def verify_generation(folder: Path, generation: int) -> Manifest:
    """The manifest of ``generation`` after the cheap checks of opening it: the manifest
    itself, the TOC's bytes, the sizes of every segment file."""
    manifest = read_manifest(folder, generation)
    if manifest.toc.name != toc_name(generation):
        raise IndexDamagedError(folder, manifest_name(generation), "names another TOC")
    _check_content(folder, manifest.toc)
    for sums in manifest.segments.values():
        for expected in sums:
            _check_size(folder, expected)
    return manifest


# Files whose content matched (or did not) their sums, with the inode, size and modification
# time they had then: a file that keeps them is not read again by this process.
_VERIFIED: set[tuple] = set()
_FAILED: dict[tuple, IndexDamagedError] = {}
_MEMO_LOCK = threading.Lock()


def verify_segment(folder: Path, manifest: Manifest, segid: str) -> None:
    """Check the content of segment ``segid``'s files against ``manifest`` (read once per
    process while a file keeps its inode, size and modification time; a stat otherwise)."""
    sums = manifest.segments.get(segid)
    if not sums:
        raise IndexDamagedError(folder, toc_name(manifest.generation),
                                f"lists segment {segid}, which its manifest does not")
    for expected in sums:
        try:
            st = (folder / expected.name).stat()
        except OSError:
            _check_content(folder, expected)  # raises: missing or unreadable
            continue
        key = (str(folder), expected, st.st_ino, st.st_size, st.st_mtime_ns)
        if key in _VERIFIED:
            continue
        if key in _FAILED:
            raise _FAILED[key]
        try:
            _check_content(folder, expected)
        except IndexDamagedError as exc:
            with _MEMO_LOCK:
                _FAILED[key] = exc
            raise
        with _MEMO_LOCK:
            _VERIFIED.add(key)


def recheck(folder: Path, manifest: Manifest) -> None:
    """Verify again the segments of an open generation whose files were modified since they
    were verified (a stat per file when none was): a file altered under a running process."""
    for segid in manifest.segments:
        verify_segment(folder, manifest, segid)


def check_files(folder: Path, manifest: Manifest) -> Iterator[IndexDamagedError]:
    """Every damaged file of ``manifest`` (full content check, no memo)."""
    for expected in manifest.files():
        try:
            _check_content(folder, expected)
        except IndexDamagedError as exc:
            yield exc
