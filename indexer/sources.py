"""Find source files and read them into ``RawDocument`` records (decode, HTML to text).

A directory is a corpus root, walked recursively in sorted order (``walk.py``); a file's root is
its folder. Decoding bytes is ``decoding``'s, reducing HTML to its main text ``html_text``'s.
Every failure is an ``IngestError`` with a short reason a user can act on.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .decoding import decode_bytes
from .errors import IngestError
from .formats_docx import CONVERT_HINTS, read_docx
from .formats_pdf import read_pdf
from .html_text import html_to_text, looks_like_html
from .models import IngestProblem, RawDocument

if TYPE_CHECKING:
    from .walk import WalkOptions

# suffix (lower case) -> RawDocument.kind
SUFFIX_KINDS: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
# Formats that need a converter: walked so that each is listed as skipped with its hint.
# kind -> reader of the raw bytes: (text, meta)
_BINARY_READERS: dict[str, Callable[[bytes, str], tuple[str, dict[str, str]]]] = {
    "pdf": read_pdf,
    "docx": read_docx,
}
MANIFEST_NAMES = frozenset({"metadata.csv"})
MANIFEST_SUFFIXES = frozenset({".jsonl"})


@dataclass(frozen=True)
class SourceFile:
    """One file to ingest and the corpus root its ``relative_path`` is measured from."""

    path: Path
    root: Path

    @cached_property
    def relative_path(self) -> str:
        """Path relative to the root, "/"-separated, suffix kept, always valid Unicode."""
        path, root = str(self.path), str(self.root)
        if path.startswith(root) and path[len(root) : len(root) + 1] == os.sep and root != ".":
            rel = path[len(root) + 1 :].replace(os.sep, "/")  # pathlib's answer, 10x faster
        else:
            try:
                rel = self.path.relative_to(self.root).as_posix()
            except ValueError:
                rel = self.path.name
        return printable_path(rel)

    @property
    def kind(self) -> str | None:
        return SUFFIX_KINDS.get(self.path.suffix.lower())


def unsupported_reason(suffix: str) -> str:
    """Why a file of SUFFIX is not read (with a hint to convert legacy office formats)."""
    return CONVERT_HINTS.get(suffix.lower()) or f"unsupported file type {suffix or '(no suffix)'!r}"


def printable_path(path: str) -> str:
    """PATH as valid Unicode: bytes of a non-UTF-8 file name (kept by Python as surrogates)
    are written as \\xNN escapes, so ids stay unique and can be stored and printed."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def is_manifest(path: Path) -> bool:
    """True for manifest files (``metadata.csv``, ``*.jsonl``), which are not reports."""
    return path.name.lower() in MANIFEST_NAMES or path.suffix.lower() in MANIFEST_SUFFIXES


def find_sources(paths: Sequence[Path], options: WalkOptions | None = None) -> Iterator[SourceFile]:
    """Every source file under PATHS (directories walked recursively, sorted); the files a
    walk skips are left out (``walk_sources`` says which, and why).

    Raises ``IngestError`` for a path that does not exist or an explicit file with an
    unsupported suffix.
    """
    for item in walk_sources(paths, options):
        if isinstance(item, SourceFile):
            yield item


def walk_sources(
    paths: Sequence[Path], options: WalkOptions | None = None
) -> Iterator[SourceFile | IngestProblem]:
    """Every source file under PATHS, and an ``IngestProblem`` for each entry of a walked
    folder that is not indexed (see ``walk.py``). An explicit file is taken as given.

    Raises ``IngestError`` for a path that does not exist or an explicit file with an
    unsupported suffix.
    """
    from .walk import WalkOptions, walk_folder

    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from walk_folder(path, options or WalkOptions())
        elif path.exists() or path.is_symlink():
            if path.suffix.lower() not in SUFFIX_KINDS:
                raise IngestError(str(path), unsupported_reason(path.suffix))
            yield SourceFile(path=path, root=path.parent)
        else:
            raise IngestError(str(path), "no such file or directory")


# ---------------------------------------------------------------- reading


def read_source(source: SourceFile, max_bytes: int) -> RawDocument:
    """Read and decode SOURCE; HTML is reduced to the text of its main block.

    Raises ``IngestError`` when the file is unreadable, empty, larger than MAX_BYTES, binary,
    not UTF-8/GB18030 text, or (HTML) has no text.
    """
    path = source.path
    kind = source.kind
    if kind is None:
        raise IngestError(str(path), unsupported_reason(path.suffix))
    data = _read_bytes(path, max_bytes)
    if kind in _BINARY_READERS:
        text, html_meta = _BINARY_READERS[kind](data, str(path))
        return RawDocument(
            source_path=printable_path(str(path)),
            relative_path=source.relative_path,
            content_sha256=hashlib.sha256(data).hexdigest(),
            encoding="binary",
            kind=kind,
            text=text,
            html_meta=html_meta,
        )
    text, encoding = decode_bytes(data, str(path))
    html_meta: dict[str, str] = {}
    if kind == "html" or (kind == "txt" and looks_like_html(text)):
        text, html_meta = html_to_text(text, str(path))
        kind = "html"
    if not text.strip():
        raise IngestError(str(path), "no text")
    return RawDocument(
        source_path=printable_path(str(path)),
        relative_path=source.relative_path,
        content_sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        kind=kind,
        text=text,
        html_meta=html_meta,
    )


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, after checking (before reading) that it is a readable, small file."""
    try:
        st = path.stat()
    except FileNotFoundError:
        reason = "broken symbolic link" if path.is_symlink() else "no such file"
        raise IngestError(str(path), reason) from None
    except OSError as exc:
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise IngestError(str(path), "is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise IngestError(str(path), "not a regular file")
    if st.st_size == 0:
        raise IngestError(str(path), "empty file")
    if st.st_size > max_bytes:
        raise IngestError(str(path), f"too large ({_mb(st.st_size)} > limit {_mb(max_bytes)})")
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError:
        raise IngestError(str(path), "permission denied") from None
    except OSError as exc:
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # grew since stat()
        raise IngestError(str(path), f"too large (> limit {_mb(max_bytes)})")
    if not data.strip():
        raise IngestError(str(path), "empty file")
    return data


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"
