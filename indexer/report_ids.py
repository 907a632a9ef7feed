"""Report ids in the index: one file, one id, even when two corpus folders hold the same
file name (the second gets a stable suffix and the run says so)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace

from .models import IngestedReport
from .pipeline import Prepared
from .schema import KIND_REPORT


@dataclass(frozen=True, slots=True)
class Known:
    """What the index holds about one report: enough to tell whether its file changed."""

    content_sha256: str
    manifest_sha256: str
    source_path: str


def real_path(path) -> str:
    """The canonical form of ``path`` (never raises, even on a symlink loop)."""
    return os.path.realpath(os.path.abspath(path))


def id_in_index(base: str, source_path: str, have: dict[str, Known]) -> str:
    """The report id of the file at ``source_path``: ``base`` unless the index holds a file
    of *another folder*, still on disk, under that id (the same name in two corpus folders):
    then ``base`` with a suffix derived from this file's folder, stable from run to run. (Two
    files of one folder with one id, report.md beside report.txt, stay one report: the second
    is skipped as a duplicate.)"""
    old = have.get(base)
    if old is None or old.source_path == source_path or not _other_folder(old.source_path,
                                                                         source_path):
        return base
    if not os.path.exists(old.source_path):
        return base  # the other file is gone: this one takes the id over
    return f"{base}~{_folder_tag(source_path)}"


def _other_folder(a: str, b: str) -> bool:
    if os.path.dirname(os.path.abspath(a)) == os.path.dirname(os.path.abspath(b)):
        return False
    return os.path.dirname(real_path(a)) != os.path.dirname(real_path(b))


def _folder_tag(source_path: str) -> str:
    folder = os.path.dirname(real_path(source_path)).encode("utf-8", "surrogateescape")
    return hashlib.sha256(folder).hexdigest()[:8]


def assign_id(item: Prepared, have: dict[str, Known], notes: list[str]) -> Prepared:
    """``item`` under the id ``id_in_index`` gives it (saying so when it is not its own)."""
    base = item.item.report.report_id
    source = item.item.report.source_path
    rid = id_in_index(base, source, have)
    if rid == base:
        return item
    notes.append(f"{source}: the report id {base} belongs to {have[base].source_path}; "
                 f"indexed this file as {rid}")
    return with_id(item, rid)


def with_id(prepared: Prepared, rid: str) -> Prepared:
    report = replace(prepared.item.report, report_id=rid)
    paragraphs = tuple(replace(p, report_id=rid) for p in prepared.item.paragraphs)
    return replace(prepared, item=IngestedReport(report=report, paragraphs=paragraphs))


_KNOWN_CACHE: dict[tuple[str, int, int], dict[str, Known]] = {}


def existing_reports(ix) -> dict[str, Known]:
    """report_id -> what the index knows of it, for every (live) report in the index (read
    once per generation: an update reads it before taking the lock and again under it)."""
    # The folder's inode too: a rebuild swapped in meanwhile restarts the generation numbers.
    folder = str(ix.storage.folder)
    try:
        inode = os.stat(folder).st_ino
    except OSError:
        inode = -1
    key = (folder, inode, ix.latest_generation())
    known = _KNOWN_CACHE.get(key)
    if known is None:
        _KNOWN_CACHE.clear()
        known = _KNOWN_CACHE[key] = _read_reports(ix)
    return dict(known)


def _read_reports(ix) -> dict[str, Known]:
    with ix.searcher() as s:
        return {
            f["report_id"]: Known(f["content_sha256"], f.get("manifest_sha256") or "",
                                  f["source_path"])
            for f in s.documents(kind=KIND_REPORT)
        }
