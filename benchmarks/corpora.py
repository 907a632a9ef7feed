"""Preparing the benchmark corpora: real texts from ``../shared/corpus`` copied (or subset) into
``benchmarks/out/corpora/<name>/`` with a ``metadata.csv`` manifest in fazhi-search's field names,
so that both engines ingest exactly the same files and the same metadata.

Corpora:
- ``seeds``: the repo's five seed reports (no manifest: metadata is whatever each engine extracts).
- ``reports``: the 88 national reports of ``prc-gov-work-reports/docs``.
- ``laws20k`` / ``laws100k``: deterministic subsets of ``lawrefbook-laws/docs``: files in order of
  the SHA-256 of their relative path (a fixed shuffle, so every category and jurisdiction is
  represented), taken whole until the subset holds at least 20,000 / 100,000 paragraphs.
- ``laws``: all 3,423 laws (about 366,000 paragraphs, 20 M characters).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "benchmarks" / "out"
MANIFEST = "metadata.csv"
STAMP = "CORPUS.json"
# Bump when the preparation changes, so that stale prepared folders are rebuilt.
PREP_VERSION = 2
MANIFEST_FIELDS = ("path", "title", "issuer", "province", "level", "report_year", "source_url")
CORPUS_NAMES = ("seeds", "reports", "laws20k", "laws100k", "laws")
SUBSET_TARGETS = {"laws20k": 20_000, "laws100k": 100_000}
TEXT_SUFFIXES = {".txt", ".md", ".html", ".htm"}

LAW_PROVINCES = {
    "上海": "上海市",
    "北京": "北京市",
    "重庆": "重庆市",
    "天津": "天津市",
    "山东": "山东省",
    "河南": "河南省",
    "浙江": "浙江省",
    "广东": "广东省",
}

_BLANK_LINE = re.compile(r"\n[ \t\r\u3000]*\n")


class CorpusError(Exception):
    """A corpus cannot be prepared (missing shared folder, unknown name)."""


@dataclass(frozen=True, slots=True)
class Corpus:
    """A prepared corpus folder and what it holds (paragraphs = blank-line separated blocks)."""

    name: str
    root: Path
    files: int
    paragraphs: int
    chars: int

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["root"] = str(self.root)
        return data


def find_shared(shared: str | Path | None = None) -> Path:
    """The shared material folder: SHARED if given, else ``shared/`` beside the repo."""
    path = Path(shared) if shared else REPO_ROOT.parent / "shared"
    if not (path / "corpus").is_dir():
        raise CorpusError(
            f"shared corpora not found at {path / 'corpus'}: put the shared folder beside the "
            "checkout or pass --shared PATH (only --corpus seeds works without it)"
        )
    return path


def decode(data: bytes) -> str:
    """Text of a corpus file (all shared corpora are UTF-8; GB18030 as the usual fallback)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def split_paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks, stripped, empty ones dropped."""
    blocks = _BLANK_LINE.split(text.replace("\r\n", "\n"))
    return [b.strip() for b in blocks if b.strip()]


def corpus_files(root: Path) -> list[Path]:
    """The text files under ROOT, sorted by relative path."""
    return sorted(
        (p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES),
        key=lambda p: p.relative_to(root).as_posix(),
    )


def read_manifest(root: Path) -> dict[str, dict[str, str]]:
    """ROOT's ``metadata.csv`` as {relative path: {field: value}} (empty values dropped)."""
    path = root / MANIFEST
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {
            row["path"]: {k: v for k, v in row.items() if k != "path" and v}
            for row in csv.DictReader(fh)
        }


def prepare(name: str, shared: Path | None, out_dir: Path = OUT_DIR) -> Corpus:
    """Materialise corpus NAME under OUT_DIR/corpora (reused when already prepared)."""
    if name not in CORPUS_NAMES:
        raise CorpusError(f"unknown corpus {name!r}; choose from {', '.join(CORPUS_NAMES)}")
    root = out_dir / "corpora" / name
    stamp = root / STAMP
    if stamp.is_file():
        data = json.loads(stamp.read_text(encoding="utf-8"))
        if data.get("prep_version") == PREP_VERSION:
            _ignore_stamp(root)
            return Corpus(name, root, data["files"], data["paragraphs"], data["chars"])
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    if name == "seeds":
        _copy_files(REPO_ROOT / "seeds", corpus_files(REPO_ROOT / "seeds"), root)
    elif name == "reports":
        _prepare_reports(_need(shared) / "corpus" / "prc-gov-work-reports", root)
    else:
        _prepare_laws(_need(shared) / "corpus" / "lawrefbook-laws", root, SUBSET_TARGETS.get(name))
    corpus = describe(name, root)
    _ignore_stamp(root)
    stamp.write_text(
        json.dumps({**corpus.as_dict(), "prep_version": PREP_VERSION}, ensure_ascii=False),
        encoding="utf-8",
    )
    return corpus


def _ignore_stamp(root: Path) -> None:
    """The stamp is not a report: the corpus's ``.fazhiignore`` says so to fazhi index."""
    (root / ".fazhiignore").write_text(f"# written by benchmarks/corpora.py\n{STAMP}\n",
                                       encoding="utf-8")


def describe(name: str, root: Path) -> Corpus:
    """Count files, blank-line paragraphs and characters of the corpus at ROOT."""
    files = corpus_files(root)
    paragraphs = chars = 0
    for path in files:
        text = decode(path.read_bytes())
        chars += len(text)
        paragraphs += len(split_paragraphs(text))
    return Corpus(name, root, len(files), paragraphs, chars)


def _need(shared: Path | None) -> Path:
    return shared if shared is not None else find_shared()


def _copy_files(src_root: Path, files: list[Path], dst_root: Path) -> list[str]:
    """Copy FILES (under SRC_ROOT) to DST_ROOT keeping relative paths; returns them."""
    rels = []
    for path in files:
        rel = path.relative_to(src_root).as_posix()
        target = dst_root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        rels.append(rel)
    return rels


def _write_manifest(root: Path, rows: list[dict[str, str]]) -> None:
    with (root / MANIFEST).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_FIELDS)
        writer.writeheader()
        for row in sorted(rows, key=lambda r: r["path"]):
            writer.writerow({k: row.get(k, "") for k in MANIFEST_FIELDS})


def _shared_rows(src: Path) -> dict[str, dict[str, str]]:
    """The shared corpus's metadata.csv keyed by path relative to its docs/ folder."""
    with (src / "metadata.csv").open(encoding="utf-8", newline="") as fh:
        return {row["path"].removeprefix("docs/"): row for row in csv.DictReader(fh)}


def _prepare_reports(src: Path, root: Path) -> None:
    docs = src / "docs"
    meta = _shared_rows(src)
    rels = _copy_files(docs, corpus_files(docs), root)
    rows = []
    for rel in rels:
        m = meta.get(rel, {})
        rows.append(
            {
                "path": rel,
                "title": m.get("title", ""),
                "issuer": m.get("issuer", ""),
                "report_year": m.get("year", ""),
                "source_url": m.get("source_url", ""),
            }
        )
    _write_manifest(root, rows)


def law_year(row: dict[str, str]) -> str:
    """The year of a law's current version: its file-name date, else its latest header date."""
    for key in ("date_in_filename", "last_date_in_header", "first_date_in_header"):
        value = row.get(key) or ""
        if len(value) >= 4 and value[:4].isdigit():
            return value[:4]
    return ""


def subset_order(rel_paths: list[str]) -> list[str]:
    """A fixed shuffle: relative paths ordered by the SHA-256 of their UTF-8 bytes."""
    return sorted(rel_paths, key=lambda r: hashlib.sha256(r.encode("utf-8")).hexdigest())


def _prepare_laws(src: Path, root: Path, target: int | None) -> None:
    docs = src / "docs"
    meta = _shared_rows(src)
    by_rel = {p.relative_to(docs).as_posix(): p for p in corpus_files(docs)}
    chosen: list[Path] = []
    if target is None:
        chosen = [by_rel[r] for r in sorted(by_rel)]
    else:
        count = 0
        for rel in subset_order(list(by_rel)):
            if count >= target:
                break
            chosen.append(by_rel[rel])
            count += len(split_paragraphs(decode(by_rel[rel].read_bytes())))
    rels = _copy_files(docs, chosen, root)
    rows = []
    for rel in rels:
        m = meta.get(rel, {})
        province = LAW_PROVINCES.get(m.get("jurisdiction", ""), "")
        rows.append(
            {
                "path": rel,
                "title": m.get("title", ""),
                "province": province,
                "level": "province" if province else "",
                "report_year": law_year(m),
            }
        )
    _write_manifest(root, rows)
