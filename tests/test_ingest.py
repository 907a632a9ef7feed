"""indexer.ingest: report ids, paragraph records, manifests, and problems instead of errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import indexer.manifest
from indexer import IngestedReport, IngestProblem, Section, ingest_file, ingest_paths
from indexer.errors import IngestError
from indexer.sources import SourceFile

SEED_000 = "000_b17968ed37a63a16.txt"


def test_seed_report_and_paragraphs(seeds_dir: Path, ingest_settings, parsed_seeds) -> None:
    """A seed becomes a Report with its id/hash and Paragraphs numbered 0..n-1 in order."""
    result = ingest_file(SourceFile(seeds_dir / SEED_000, seeds_dir), ingest_settings)
    parsed = parsed_seeds["000"]
    assert result.report.report_id == "000_b17968ed37a63a16"
    assert result.report.content_sha256 == parsed.raw.content_sha256
    assert [p.n for p in result.paragraphs] == list(range(len(parsed.paragraphs)))
    assert [(p.text, p.heading_path, p.is_heading, p.section) for p in result.paragraphs] == [
        (p.text, p.heading_path, p.is_heading, p.section) for p in parsed.paragraphs
    ]
    assert {p.report_id for p in result.paragraphs} == {"000_b17968ed37a63a16"}
    assert Section.MEASURES in {p.section for p in result.paragraphs}


def test_report_ids_are_paths_relative_to_the_root(tmp_path: Path, seeds_dir: Path, ingest_settings) -> None:
    """Walking a folder gives ids relative to it, "/"-separated, without suffix."""
    root = tmp_path / "corpus"
    (root / "jiangsu" / "suzhou").mkdir(parents=True)
    shutil.copy(seeds_dir / SEED_000, root / "jiangsu" / "suzhou" / "tangqiao.txt")
    shutil.copy(seeds_dir / "001_e6bb42983a914dd9.txt", root / "mudu.md")
    ids = [r.report.report_id for r in ingest_paths([root], ingest_settings)]
    assert ids == ["mudu", "jiangsu/suzhou/tangqiao"]
    single = next(ingest_paths([root / "jiangsu" / "suzhou" / "tangqiao.txt"], ingest_settings))
    assert single.report.report_id == "tangqiao"


def test_manifest_values_win(tmp_path: Path, seeds_dir: Path, ingest_settings) -> None:
    """A metadata.csv beside the files gives the URL and overrides extracted fields."""
    root = tmp_path / "corpus"
    (root / "a").mkdir(parents=True)
    shutil.copy(seeds_dir / SEED_000, root / "a" / "r.txt")
    (root / "metadata.csv").write_text(
        "path,url,published\na/r.txt,https://example.gov.cn/r.html,2023-01-09\n", encoding="utf-8"
    )
    [item] = list(ingest_paths([root], ingest_settings))
    assert isinstance(item, IngestedReport)
    assert (item.report.source_url, item.report.published) == ("https://example.gov.cn/r.html", "2023-01-09")
    without = ingest_file(SourceFile(root / "a" / "r.txt", root), ingest_settings)
    assert (without.report.source_url, without.report.published) == (None, "2023-01-05")


def test_manifest_is_loaded_once_per_root(tmp_path: Path, seeds_dir: Path, ingest_settings, monkeypatch) -> None:
    """Each corpus root's manifest is read once, however many files it holds."""
    for seed in sorted(seeds_dir.glob("*.txt"))[:3]:
        shutil.copy(seed, tmp_path / seed.name)
    calls: list[Path] = []
    real = indexer.manifest.load_manifest

    def counting(root: Path) -> dict[str, dict[str, str]]:
        calls.append(root)
        return real(root)

    monkeypatch.setattr(indexer.manifest, "load_manifest", counting)
    items = list(ingest_paths([tmp_path], ingest_settings))
    assert len(items) == 3 and calls == [tmp_path]


def test_bad_files_become_problems_and_the_rest_goes_on(tmp_path: Path, seeds_dir: Path, ingest_settings, caplog) -> None:
    """A bad file is an IngestProblem (and a log line); good files are still ingested."""
    shutil.copy(seeds_dir / SEED_000, tmp_path / "b_good.txt")
    (tmp_path / "a_empty.txt").write_bytes(b"")
    (tmp_path / "c.xls").write_bytes(b"\xd0\xcf\x11\xe0")  # not a report: ignored inside a folder
    items = list(ingest_paths([tmp_path, tmp_path / "missing.txt", tmp_path / "c.xls"], ingest_settings))
    problems = [(Path(i.path).name, i.reason) for i in items if isinstance(i, IngestProblem)]
    assert problems == [
        ("a_empty.txt", "empty file"),
        ("missing.txt", "no such file or directory"),
        ("c.xls", "unsupported file type '.xls'"),
    ]
    assert [i.report.report_id for i in items if isinstance(i, IngestedReport)] == ["b_good"]
    assert "a_empty.txt: empty file" in caplog.text


def test_ingest_file_raises_for_a_bad_file(tmp_path: Path, ingest_settings) -> None:
    """ingest_file itself raises IngestError with the reason."""
    (tmp_path / "x.txt").write_bytes(b"\x00\x01binary")
    with pytest.raises(IngestError, match="binary"):
        ingest_file(SourceFile(tmp_path / "x.txt", tmp_path), ingest_settings)


def test_furniture_only_file_is_a_problem(tmp_path: Path, ingest_settings) -> None:
    """A page that is nothing but furniture has no paragraphs and is reported."""
    (tmp_path / "nav.txt").write_text("当前位置：首页 > 政务公开\n\n分享到：\n\n打印页面|关闭页面\n", encoding="utf-8")
    [item] = list(ingest_paths([tmp_path], ingest_settings))
    assert isinstance(item, IngestProblem) and "no text" in item.reason
