"""Corpus manifests: ``metadata.csv`` or ``*.jsonl`` directly in a corpus root, keyed by the path
of each file relative to that root. What a manifest gives wins over extraction."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from .errors import IngestError

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


def _map_row(raw: Mapping[str, object]) -> tuple[str | None, dict[str, str]]:
    key: str | None = None
    row: dict[str, str] = {}
    for name, value in raw.items():
        field = ALIASES.get(str(name).strip().lower()) if name is not None else None
        if field is None or value is None:
            continue
        text = str(value).strip()
        if field == "key":
            key = canonical_key(text) if text else None
        elif text:
            row.setdefault(field, text)
    return key, row


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IngestError(str(path), "manifest is not UTF-8 text") from None
    except OSError as exc:
        raise IngestError(str(path), f"manifest cannot be read ({exc.strerror})") from None


def _load_csv(path: Path) -> dict[str, dict[str, str]]:
    text = _read_text(path)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = reader.fieldnames or []
        if not any(ALIASES.get(h.strip().lower()) == "key" for h in header if h):
            raise IngestError(str(path), "manifest has no path column (path/file/filename)")
        out: dict[str, dict[str, str]] = {}
        for lineno, raw in enumerate(reader, start=2):
            key, row = _map_row(raw)
            if not key:
                raise IngestError(str(path), f"line {lineno}: empty path")
            out[key] = row
        return out
    except csv.Error as exc:
        raise IngestError(str(path), f"broken CSV: {exc}") from None


def _load_jsonl(path: Path) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for lineno, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IngestError(str(path), f"line {lineno}: invalid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise IngestError(str(path), f"line {lineno}: not a JSON object")
        key, row = _map_row(obj)
        if not key:
            raise IngestError(str(path), f"line {lineno}: no path/file field")
        out[key] = row
    return out


def load_manifest(root: Path) -> dict[str, dict[str, str]]:
    """Rows of ``metadata.csv`` and ``*.jsonl`` directly in ``root``, keyed by relative path
    (as written, "/"-separated); values use Report field names. Empty when there is none.

    Raises IngestError with the reason when a manifest is broken.
    """
    root = Path(root)
    if not root.is_dir():
        return {}
    out: dict[str, dict[str, str]] = {}
    csv_path = root / MANIFEST_CSV
    if csv_path.is_file():
        out.update(_load_csv(csv_path))
    for jsonl in sorted(root.glob("*.jsonl")):
        if jsonl.is_file():
            for key, row in _load_jsonl(jsonl).items():
                out.setdefault(key, {}).update(row)
    return out


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
