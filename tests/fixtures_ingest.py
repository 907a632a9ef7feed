"""Fixtures for the ingest tests: parsed seeds, small files and a folder of hostile inputs."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer import Settings
from indexer.models import ParsedReport
from indexer.parse import parse
from indexer.sources import SourceFile, read_source

SEED_PREFIXES = ("000", "001", "002", "003", "004")
THIRTY_MB = 30 * 1024 * 1024

# name -> (bytes or None for specially made files, words the skip reason must contain)
HOSTILE_FILES: dict[str, tuple[bytes | None, str]] = {
    "empty.txt": (b"", "empty"),
    "blank.txt": (b"  \n\n\t\n", "empty"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 50, "binary"),
    "latin1.txt": ("Le rapport annuel: société, élève, déjà vu, naïve façade.\n".encode("latin-1") * 20,
                   "not UTF-8 or GB18030"),
    "truncated_utf8.txt": ("法治政府建设情况报告。".encode("utf-8") * 30 + "报".encode("utf-8")[:2],
                           "not UTF-8 or GB18030"),
    "huge.txt": (None, "too large"),
    "scripts_only.html": (b"<html><head><script>var a = '\xe8\x84\x9a\xe6\x9c\xac';</script></head>"
                          b"<body><script>document.write('x')</script><style>p{}</style></body></html>",
                          "no text"),
    "nested.html": (None, ""),  # deeply nested but valid: it must be ingested, not skipped
}


def build_hostile_dir(root: Path) -> Path:
    """Write the hostile files of HOSTILE_FILES into ROOT (the 30 MB one sparsely)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, (data, _) in HOSTILE_FILES.items():
        path = root / name
        if data is not None:
            path.write_bytes(data)
    with (root / "huge.txt").open("wb") as fh:
        fh.write("法治政府建设情况报告。\n".encode("utf-8"))
        fh.truncate(THIRTY_MB)  # sparse: fast to make, and it must never be read
    nested = "<div>" * 10_000 + "<p>深度嵌套页面中的报告正文，依法行政。</p>" + "</div>" * 10_000
    (root / "nested.html").write_text(f"<html><body>{nested}</body></html>", encoding="utf-8")
    return root


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    """A folder of hostile inputs (see HOSTILE_FILES)."""
    return build_hostile_dir(tmp_path / "hostile")


@pytest.fixture
def ingest_settings(tmp_path: Path) -> Settings:
    """Default settings (20 MB file limit) with the index in tmp_path."""
    return Settings(index_path=tmp_path / "index")


@pytest.fixture(scope="session")
def parsed_seeds(seeds_dir: Path) -> dict[str, ParsedReport]:
    """The five seeds parsed, keyed by their number prefix ("000" ... "004")."""
    out = {}
    for path in sorted(seeds_dir.glob("*.txt")):
        out[path.name[:3]] = parse(read_source(SourceFile(path, seeds_dir), 20 * 1024 * 1024))
    assert sorted(out) == list(SEED_PREFIXES)
    return out


@pytest.fixture
def parse_text(tmp_path: Path) -> Callable[..., ParsedReport]:
    """parse() of TEXT written to a file (name gives the kind: .txt/.md/.html)."""

    def _parse(text: str, name: str = "doc.txt") -> ParsedReport:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return parse(read_source(SourceFile(path, tmp_path), 1024 * 1024))

    return _parse


@pytest.fixture
def write_source(tmp_path: Path) -> Callable[[str, bytes], SourceFile]:
    """A SourceFile for NAME holding DATA in tmp_path."""

    def _write(name: str, data: bytes) -> SourceFile:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return SourceFile(path, tmp_path)

    return _write


def can_chmod_unreadable(path: Path) -> bool:
    """False when running as root (permissions are not enforced)."""
    return hasattr(os, "geteuid") and os.geteuid() != 0
