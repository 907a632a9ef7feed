"""Corpus manifests (metadata.csv / *.jsonl): loading, aliases, look-ups, overrides, errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from indexer.errors import IngestError
from indexer.manifest import load_manifest, manifest_row
from indexer.metadata import build_report
from indexer.models import Level
from indexer.parse import parse
from indexer.sources import SourceFile, read_source

TEXT = ("张渚镇人民政府2023年法治政府建设情况报告\n\n"
        "2023年，在市委、市政府的正确领导下，张渚镇人民政府坚持以习近平新时代中国特色社会主义思想为指导，"
        "不断提高依法决策、依法管理、依法行政水平，法治政府建设工作取得了明显成效。\n")


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_csv_aliases_map_to_report_fields(tmp_path: Path) -> None:
    """year/url/date/文号/path columns become report_year/source_url/published/doc_number/key."""
    _write_csv(tmp_path / "metadata.csv", [
        {"path": "docs/a.txt", "year": "2023", "url": "http://x.gov.cn/a.html",
         "date": "2024-03-04", "文号": "宜政发〔2024〕3号", "chars": "4330"},
    ])
    assert load_manifest(tmp_path) == {"docs/a.txt": {
        "report_year": "2023", "source_url": "http://x.gov.cn/a.html",
        "published": "2024-03-04", "doc_number": "宜政发〔2024〕3号"}}


def test_jsonl_manifest_and_lookup_with_or_without_suffix(tmp_path: Path) -> None:
    """*.jsonl rows load too; a key written without suffix still matches the file."""
    lines = [{"file": "a.txt", "publish_date": "2024年3月4日"}, {"path": "sub/b", "level": "town"}]
    (tmp_path / "crawl.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines))
    manifest = load_manifest(tmp_path)
    assert manifest_row(manifest, "a.txt") == {"published": "2024年3月4日"}
    assert manifest_row(manifest, "a") == {"published": "2024年3月4日"}
    assert manifest_row(manifest, "sub/b.html") == {"level": "town"}
    assert manifest_row(manifest, "c.txt") is None


def test_no_manifest_is_an_empty_mapping(tmp_path: Path) -> None:
    """A corpus without a manifest gives {} (manifests in sub-folders are not read)."""
    (tmp_path / "sub").mkdir()
    _write_csv(tmp_path / "sub" / "metadata.csv", [{"path": "a.txt", "year": "2020"}])
    assert load_manifest(tmp_path) == {}


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("metadata.csv", "title,year\nA,2023\n", "no path column"),
        ("metadata.csv", b"path,year\n\xff\xfe,2023\n", "not UTF-8"),
        ("metadata.csv", 'path,year\n"a.txt,2023\n', "broken CSV"),
        ("x.jsonl", '{"path": "a.txt"}\n{"path": \n', "invalid JSON"),
        ("x.jsonl", '["a.txt", 2023]\n', "not a JSON object"),
        ("x.jsonl", '{"year": 2023}\n', "no path/file field"),
    ],
)
def test_broken_manifest_raises_ingest_error(tmp_path: Path, name: str, content: str | bytes,
                                              reason: str) -> None:
    """A broken manifest is an IngestError that names the file and the reason."""
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(IngestError) as err:
        load_manifest(tmp_path)
    assert reason in err.value.reason
    assert err.value.path == str(path)


def _build(tmp_path: Path, row: dict[str, str] | None):
    path = tmp_path / "r.txt"
    path.write_text(TEXT, encoding="utf-8")
    return build_report(parse(read_source(SourceFile(path, tmp_path), 10_000_000)), "r", row)


def test_manifest_values_win_over_extraction(tmp_path: Path) -> None:
    """What the manifest gives (year, date, URL, 文号, title, level, place) wins."""
    extracted = _build(tmp_path, None)
    assert (extracted.report_year, extracted.town, extracted.level) == (2023, "张渚镇", Level.TOWN)
    row = {"report_year": "2022年", "published": "二〇二三年二月一日", "source_url": "http://x/1.html",
           "doc_number": "宜政发〔2023〕9号", "title": "另一个标题", "level": "county",
           "jurisdiction": "上海"}
    r = _build(tmp_path, row)
    assert (r.report_year, r.published, r.source_url, r.doc_number, r.title) == (
        2022, "2023-02-01", "http://x/1.html", "宜政发〔2023〕9号", "另一个标题")
    assert (r.level, r.jurisdiction, r.province, r.city, r.town) == (
        Level.COUNTY, "上海市", "上海市", None, None)


def test_manifest_jurisdiction_quanguo_is_the_country(tmp_path: Path) -> None:
    """jurisdiction 全国 (as in the work-reports manifest) means 中华人民共和国: level national,
    region facet 全国."""
    r = _build(tmp_path, {"jurisdiction": "全国"})
    assert (r.jurisdiction, r.province, r.town, r.level) == ("中华人民共和国", "全国", None, Level.NATIONAL)


def test_bad_manifest_values_become_warnings(tmp_path: Path) -> None:
    """An invalid year, date or level is reported as a warning and extraction is kept."""
    r = _build(tmp_path, {"report_year": "去年", "published": "unknown", "level": "village"})
    assert (r.report_year, r.level) == (2023, Level.TOWN)
    assert sum("清单" in w for w in r.warnings) == 3


def test_real_manifests_load(shared_dir: Path) -> None:
    """The shared corpora's metadata.csv files load, one row per listed path, years mapped."""
    for corpus in ("prc-gov-work-reports", "lawrefbook-laws"):
        root = shared_dir / "corpus" / corpus
        with (root / "metadata.csv").open(encoding="utf-8-sig", newline="") as fh:
            paths = [row["path"] for row in csv.DictReader(fh)]
        manifest = load_manifest(root)
        assert set(manifest) == set(paths)
        assert all("jurisdiction" in row for row in manifest.values())
    work = load_manifest(shared_dir / "corpus" / "prc-gov-work-reports")
    assert all(row["report_year"].isdigit() for row in work.values())
