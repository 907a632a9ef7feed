"""Walk a corpus folder: the files to ingest, and every entry that is not, with its reason.

Sorted, recursive, hidden entries and the corpus folder's own manifests left out silently.
Skipped with a reason (an ``IngestProblem``): folders that cannot be read, symbolic links that
lead outside the corpus folder (unless ``corpus.follow_external_links``), links back to a folder
already walked, project notes (README*, SOURCE*, LICENSE* ...), entries matching
``corpus.exclude`` or the folder's ``.fazhiignore``, manifests in sub-folders (not read), and
files of a type that is not read.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .models import IngestProblem
from .sources import SUFFIX_KINDS, SourceFile, is_manifest, printable_path, unsupported_reason

if TYPE_CHECKING:
    from .config import Settings

IGNORE_FILE = ".fazhiignore"
# File names (before the suffix) of notes that describe a corpus rather than being reports.
_NOTE = re.compile(
    r"^(readme|source|sources|licen[cs]e|copying|notice|changelog|changes|authors|"
    r"contributing|upstream)([_\-. ].*)?$|[_\-.](readme|license|licence)$",
    re.I,
)

REASON_UNREADABLE = "unreadable folder"
REASON_OUTSIDE = "symbolic link leads outside the corpus folder (corpus.follow_external_links)"
REASON_LOOP = "symbolic link to a folder already walked"
REASON_NOTE = "not a report: a README/SOURCE/LICENSE note"
REASON_DEEP_MANIFEST = ("manifest in a sub-folder: not read (a manifest applies from the corpus "
                        "folder itself or one level above it)")


@dataclass(frozen=True, slots=True)
class WalkOptions:
    """What a walk skips besides the fixed rules."""

    exclude: tuple[str, ...] = ()  # glob patterns (see ``_Excluder``)
    follow_external_links: bool = False

    @classmethod
    def from_settings(cls, settings: Settings | None) -> WalkOptions:
        if settings is None:
            return cls()
        return cls(tuple(settings.exclude), bool(settings.follow_external_links))


class _Excluder:
    """Glob patterns: without "/" a pattern matches an entry's name at any depth ("*.bak",
    "drafts"); with "/" it matches the path relative to the corpus folder ("2019/*.txt")."""

    def __init__(self, root: Path, patterns: tuple[str, ...]) -> None:
        self.patterns = [(p, "corpus.exclude") for p in patterns]
        self.patterns += [(p, IGNORE_FILE) for p in read_ignore_file(root)]

    def reason(self, relative: str) -> str | None:
        name = relative.rsplit("/", 1)[-1]
        for pattern, origin in self.patterns:
            bare = pattern.strip("/")
            target = relative if "/" in bare else name
            if fnmatch.fnmatchcase(target, bare):
                return f"excluded by {origin} pattern {pattern!r}"
        return None


def read_ignore_file(root: Path) -> list[str]:
    """Patterns of ROOT's ``.fazhiignore``: one a line, blank lines and # comments ignored."""
    try:
        text = (root / IGNORE_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def walk_folder(root: Path, options: WalkOptions) -> Iterator[SourceFile | IngestProblem]:
    """The source files under ROOT (a corpus root) and a problem for each entry skipped."""
    real_root = os.path.realpath(root)
    excluder = _Excluder(root, options.exclude)
    errors: list[OSError] = []
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=errors.append):
        yield from _unreadable(errors)
        try:
            st = os.stat(dirpath)
        except OSError as exc:
            dirnames[:] = []
            yield _problem(dirpath, f"{REASON_UNREADABLE} ({exc.strerror or exc})")
            continue
        if (st.st_dev, st.st_ino) in seen:  # a symlink back to a folder already walked
            dirnames[:] = []
            yield _problem(dirpath, REASON_LOOP)
            continue
        seen.add((st.st_dev, st.st_ino))
        here = Path(dirpath)
        rel_dir = _relative(here, root)
        kept_dirs = []
        for name in sorted(d for d in dirnames if not d.startswith(".")):
            reason = _skip_reason(here / name, _join(rel_dir, name), real_root, excluder, options)
            if reason is None:
                kept_dirs.append(name)
            else:
                yield _problem(here / name, reason)
        dirnames[:] = kept_dirs
        for name in sorted(filenames):
            path = here / name
            if name.startswith(".") or (is_manifest(path) and not rel_dir):
                continue
            reason = _skip_reason(path, _join(rel_dir, name), real_root, excluder, options)
            if reason is None and is_manifest(path):
                reason = REASON_DEEP_MANIFEST
            if reason is None and _NOTE.match(path.stem):
                reason = REASON_NOTE
            if reason is None and path.suffix.lower() not in SUFFIX_KINDS:
                reason = unsupported_reason(path.suffix.lower())
            if reason is None:
                yield SourceFile(path=path, root=root)
            else:
                yield _problem(path, reason)
    yield from _unreadable(errors)


def _skip_reason(
    path: Path, relative: str, real_root: str, excluder: _Excluder, options: WalkOptions
) -> str | None:
    reason = excluder.reason(relative)
    if reason is None and not options.follow_external_links and os.path.islink(path):
        target = os.path.realpath(path)
        if target != real_root and not target.startswith(real_root.rstrip(os.sep) + os.sep):
            reason = REASON_OUTSIDE
    return reason


def _unreadable(errors: list[OSError]) -> Iterator[IngestProblem]:
    """A problem for each folder os.walk could not list (path = that folder)."""
    for exc in errors:
        yield _problem(exc.filename or "?", f"{REASON_UNREADABLE} ({exc.strerror or exc})")
    errors.clear()


def _relative(path: Path, root: Path) -> str:
    rel = os.path.relpath(path, root)
    return "" if rel == "." else rel.replace(os.sep, "/")


def _join(rel_dir: str, name: str) -> str:
    return f"{rel_dir}/{name}" if rel_dir else name


def _problem(path: Path | str, reason: str) -> IngestProblem:
    return IngestProblem(path=printable_path(str(path)), reason=reason, kind="walk")
