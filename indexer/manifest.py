"""Corpus manifests: ``metadata.csv`` or ``*.jsonl`` directly in a corpus root (or one level
above it), keyed by the path of each file relative to that root. What a manifest gives wins
over extraction. A bad line is reported (file:line) and skipped; the rest is kept."""

from __future__ import annotations

import csv
import glob
import io
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import IngestError
from .models import IngestProblem
from .sources import printable_path

log = logging.getLogger(__name__)

MANIFEST_CSV = "metadata.csv"

# Column name (lower case, stripped) -> Report field. "key" marks the path column.
ALIASES: dict[str, str] = {
    **{k: "key" for k in ("path", "file", "filename", "file_name", "relative_path", "relpath", "文件", "路径")},
    **{k: "report_year" for k in ("report_year", "year", "年份", "年度", "报告年度")},
    **{k: "source_url" for k in ("source_url", "url", "link", "href", "网址", "链接")},
    **{k: "published" for k in ("published", "date", "publish_date", "published_at", "pubdate",
                               "publication_date", "发布日期", "发布时间", "发文日期", "日期")},
    **{k: "doc_number" for k in ("doc_number", "文号", "发文字号", "doc_no", "document_number")},
    **{k: "title" for k in ("title", "标题", "题目")},
    **{k: "issuer" for k in ("issuer", "发布机构", "发文机关", "organ", "author")},
    **{k: "jurisdiction" for k in ("jurisdiction", "地区", "行政区划", "region")},
    **{k: "province" for k in ("province", "省", "省份")},
    **{k: "city" for k in ("city", "市", "地市")},
    **{k: "county" for k in ("county", "区县", "县")},
    **{k: "town" for k in ("town", "乡镇", "街道", "township")},
    **{k: "level" for k in ("level", "级别", "层级")},
}


def canonical_key(path: str) -> str:
    """A manifest key as compared: "/"-separated, no leading "./" or "/"."""
    key = path.strip().replace("\\", "/")
    while key.startswith("./"):
        key = key[2:]
    return key.lstrip("/")


def _strip_suffix(key: str) -> str:
    p = PurePosixPath(key)
    return str(p.with_suffix("")) if p.suffix else key


# Control characters never reach a title: C0/C1 controls become spaces, invisible format
# characters (bidi overrides, zero-width) are removed.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_SPACES = re.compile(r"\s{2,}")


def clean_value(text: str) -> str:
    """A manifest value as shown: no control or invisible characters, spaces collapsed."""
    text = _INVISIBLE.sub("", _CONTROLS.sub(" ", text))
    return _SPACES.sub(" ", text).strip()


def _map_row(raw: Mapping[object, object]) -> tuple[str | None, dict[str, str]]:
    key: str | None = None
    row: dict[str, str] = {}
    for name, value in raw.items():
        field = ALIASES.get(str(name).strip().lower()) if name is not None else None
        if field is None or value is None:
            continue
        text = str(value).strip()
        if field == "key":
            key = canonical_key(text) if text else None
        elif text := clean_value(text):
            row.setdefault(field, text)
    return key, row


@dataclass(slots=True)
class _Rows:
    """Rows read so far, where each came from (file, line), and the problems met."""

    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    origin: dict[str, tuple[Path, int]] = field(default_factory=dict)
    problems: list[IngestProblem] = field(default_factory=list)

    def problem(self, path: Path, line: int | None, reason: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        self.problems.append(IngestProblem(printable_path(where), reason, kind="manifest"))

    def add(self, path: Path, line: int, raw: Mapping[object, object], seen: dict[str, int]) -> None:
        key, row = _map_row(raw)
        if not key:
            self.problem(path, line, "manifest row without a path: row ignored")
            return
        if key in seen:
            self.problem(path, line, f"duplicate row (first at line {seen[key]}; this later one is used): {key!r}")
            self.rows[key] = {}
        seen[key] = line
        self.rows.setdefault(key, {}).update(row)
        self.origin[key] = (path, line)


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IngestError(str(path), "manifest is not UTF-8 text") from None
    except OSError as exc:
        raise IngestError(str(path), f"manifest cannot be read ({exc.strerror})") from None


def _load_csv(path: Path, out: _Rows) -> None:
    text = _read_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise IngestError(str(path), f"broken CSV header: {exc}") from None
    if not any(ALIASES.get(h.strip().lower()) == "key" for h in header if h):
        raise IngestError(str(path), "manifest has no path column (path/file/filename)")
    seen: dict[str, int] = {}
    while True:
        line = reader.reader.line_num + 1  # the csv reader's count (DictReader's lags on errors)
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            out.problem(path, line, f"broken CSV ({exc}): row ignored")
            if reader.reader.line_num < line:  # nothing was consumed: the reader cannot go on
                break
            continue
        if None in raw:
            out.problem(path, line, "more fields than the header: extra fields ignored")
        out.add(path, line, raw, seen)


def _load_jsonl(path: Path, out: _Rows) -> None:
    seen: dict[str, int] = {}
    for lineno, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            out.problem(path, lineno, f"invalid JSON ({exc.msg}): line ignored")
            continue
        if not isinstance(obj, dict):
            out.problem(path, lineno, "not a JSON object: line ignored")
            continue
        out.add(path, lineno, obj, seen)


# A folder above the corpus may hold any .jsonl (logs, exports): larger ones are not read there.
PARENT_MAX_BYTES = 64 * 1024 * 1024


def _read_folder(folder: Path, max_bytes: int | None = None) -> _Rows:
    """Rows of ``metadata.csv`` and ``*.jsonl`` directly in FOLDER (later files add fields)."""
    out = _Rows()
    files = [folder / MANIFEST_CSV] + sorted(folder.glob("*.jsonl"))
    for path in files:
        if not path.is_file() or (max_bytes is not None and path.stat().st_size > max_bytes):
            continue
        try:
            (_load_csv if path.name == MANIFEST_CSV else _load_jsonl)(path, out)
        except IngestError as exc:
            out.problem(path, None, f"{exc.reason}: manifest ignored")
    return out


def read_manifest(root: Path) -> tuple[dict[str, dict[str, str]], list[IngestProblem]]:
    """ROOT's manifest rows keyed by path relative to ROOT (values use Report field names),
    and the problems met: bad lines (file:line, the rest is kept), duplicate rows, rows for
    files that are not there, unreadable manifests.

    A manifest one level above ROOT whose keys start with ROOT's name ("docs/a.txt" when
    ROOT is ``corpus/docs``) applies too; ROOT's own rows win.
    """
    root = Path(root)
    if not root.is_dir():
        return {}, []
    own = _read_folder(root)
    parent = _parent_rows(root)
    rows: dict[str, dict[str, str]] = {}
    for key, row in [*parent.rows.items(), *own.rows.items()]:
        rows.setdefault(key, {}).update(row)
    problems = [*parent.problems, *own.problems]
    names: dict[str, list[str]] | None = None
    for source in (parent, own):
        for key, (path, line) in source.origin.items():
            if _file_exists(root, key):
                continue
            names = _names_under(root) if names is None else names
            found = names.get(PurePosixPath(key).name, [])
            hint = f" (the folder has {found[0]!r}: key the row so)" if len(found) == 1 else ""
            problems.append(IngestProblem(
                printable_path(f"{path}:{line}"),
                f"manifest row for a file that is not in the folder{hint}: {key!r}",
                kind="manifest",
            ))
    return rows, problems


def _names_under(root: Path) -> dict[str, list[str]]:
    """File name -> paths relative to ROOT of the files with that name (for hints)."""
    out: dict[str, list[str]] = {}
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
            out.setdefault(name, []).append(rel)
    return out


def _parent_rows(root: Path) -> _Rows:
    """The rows of the manifest one level above ROOT that are about files under ROOT, their
    keys made relative to ROOT (nothing, and no problems, when none is about ROOT)."""
    real = root.resolve()
    if real.parent == real:
        return _Rows()
    prefix = real.name + "/"
    above = _read_folder(real.parent, PARENT_MAX_BYTES)
    mine = _Rows(problems=above.problems)
    for key, row in above.rows.items():
        if key.startswith(prefix) and len(key) > len(prefix):
            mine.rows[key[len(prefix) :]] = row
            mine.origin[key[len(prefix) :]] = above.origin[key]
    return mine if mine.rows else _Rows()


def _file_exists(root: Path, key: str) -> bool:
    """A file the key names is in ROOT: the key as written, or (as ``manifest_row`` matches)
    the key without its suffix plus any suffix."""
    if ".." in PurePosixPath(key).parts:
        return False
    if (root / key).is_file():
        return True
    bare = root / _strip_suffix(key)
    return any(p.is_file() for p in bare.parent.glob(glob.escape(bare.name) + ".*"))


def load_manifest(root: Path) -> dict[str, dict[str, str]]:
    """ROOT's manifest rows (see ``read_manifest``; its problems are logged, not returned)."""
    rows, problems = read_manifest(root)
    for problem in problems:
        log.warning("%s: %s", problem.path, problem.reason)
    return rows


def manifest_row(manifest: Mapping[str, Mapping[str, str]], relative_path: str) -> dict[str, str] | None:
    """The manifest row for a file, matching keys with or without the file's suffix."""
    key = canonical_key(relative_path)
    if key in manifest:
        return dict(manifest[key])
    bare = _strip_suffix(key)
    if bare in manifest:
        return dict(manifest[bare])
    for candidate, row in manifest.items():
        if _strip_suffix(candidate) == bare:
            return dict(row)
    return None
