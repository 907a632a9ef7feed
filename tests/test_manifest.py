"""Corpus manifests (metadata.csv / *.jsonl): loading, aliases, look-ups, overrides, errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from indexer import ingest_paths
from indexer.config import Settings
from indexer.manifest import load_manifest, manifest_row, read_manifest
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
    ("name", "content", "where", "reason"),
    [
        ("metadata.csv", "title,year\nA,2023\n", "", "no path column"),
        ("metadata.csv", b"path,year\n\xff\xfe,2023\n", "", "not UTF-8"),
        ("metadata.csv", 'path,year\n"a.txt,2023\n', ":2", "broken CSV"),
        ("x.jsonl", '{"path": "a.txt"}\n{"path": \n', ":2", "invalid JSON"),
        ("x.jsonl", '["a.txt", 2023]\n', ":1", "not a JSON object"),
        ("x.jsonl", '{"year": 2023}\n', ":1", "without a path"),
    ],
)
def test_broken_manifest_is_a_problem_naming_file_and_line(
    tmp_path: Path, name: str, content: str | bytes, where: str, reason: str
) -> None:
    """A broken manifest, or a broken line of one, is a problem naming the file (and line)."""
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    _, problems = read_manifest(tmp_path)
    assert [p.path for p in problems if reason in p.reason] == [f"{path}{where}"]


def test_one_bad_line_loses_nothing_else(tmp_path: Path) -> None:
    """A broken .jsonl line: its other lines and the folder's metadata.csv still apply."""
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(TEXT, encoding="utf-8")
    _write_csv(tmp_path / "metadata.csv", [{"path": "c.txt", "year": "2021"}])
    (tmp_path / "crawl.jsonl").write_text(
        '{"file": "a.txt", "url": "http://x.gov.cn/a.html"}\n'
        '{"file": "b.txt", "url": \n'
        '{"file": "b.txt", "url": "http://x.gov.cn/b.html"}\n', encoding="utf-8")
    rows, problems = read_manifest(tmp_path)
    assert rows == {"a.txt": {"source_url": "http://x.gov.cn/a.html"},
                    "b.txt": {"source_url": "http://x.gov.cn/b.html"},
                    "c.txt": {"report_year": "2021"}}
    assert [(p.path, p.reason.split(" (")[0]) for p in problems] == [
        (f"{tmp_path / 'crawl.jsonl'}:2", "invalid JSON")]


def test_duplicate_rows_and_rows_for_missing_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.html").write_text(TEXT, encoding="utf-8")
    _write_csv(tmp_path / "metadata.csv", [
        {"path": "docs/a.html", "year": "2022"},
        {"path": "docs/gone.txt", "year": "2022"},
        {"path": "docs/a.html", "year": "2023"},
        {"path": "docs/a", "year": "2023"},  # no suffix: matches docs/a.html, not a duplicate
    ])
    rows, problems = read_manifest(tmp_path)
    assert rows["docs/a.html"] == {"report_year": "2023"}  # the later row
    csv_path = tmp_path / "metadata.csv"
    assert [(p.path, p.reason) for p in problems] == [
        (f"{csv_path}:4", "duplicate row (first at line 2; this later one is used): 'docs/a.html'"),
        (f"{csv_path}:3", "manifest row for a file that is not in the folder: 'docs/gone.txt'"),
    ]
    _write_csv(tmp_path / "metadata.csv", [{"path": "a.html", "year": "2022"}])
    assert [p.reason for p in read_manifest(tmp_path)[1]] == [
        "manifest row for a file that is not in the folder "
        "(the folder has 'docs/a.html': key the row so): 'a.html'"]


def test_control_characters_never_reach_a_title(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "rows.jsonl").write_text(json.dumps(
        {"file": "r.txt", "title": "某镇\x1b[31m报告\u202e\x00\t2023\r\n年"}), encoding="utf-8")
    [item] = list(ingest_paths([tmp_path], Settings()))
    assert item.report.title == "某镇 [31m报告 2023 年"


def test_a_manifest_one_level_above_applies_to_the_folder(tmp_path: Path) -> None:
    """Indexing corpus/docs uses corpus/metadata.csv's docs/... rows; warnings about what the
    manifest gives (unknown year or place) are not left on the report."""
    docs = tmp_path / "corpus" / "docs"
    docs.mkdir(parents=True)
    (docs / "r.txt").write_text("关于一项工作的说明\n\n我们认真做好了这项工作，坚持依法行政，严格规范公正文明执法，取得了较好的效果。\n", encoding="utf-8")
    bare = list(ingest_paths([docs], Settings()))[0].report
    assert bare.report_year is None and bare.province is None
    assert bare.warnings  # year and place unknown
    _write_csv(tmp_path / "corpus" / "metadata.csv", [
        {"path": "docs/r.txt", "year": "2021", "province": "江苏省", "city": "苏州市",
         "level": "city", "date": "2022-01-05"},
        {"path": "other/x.txt", "year": "2020"},  # a sibling folder's row: not this folder's business
    ])
    items = list(ingest_paths([docs], Settings()))
    assert [type(i).__name__ for i in items] == ["IngestedReport"]
    report = items[0].report
    assert (report.report_year, report.province, report.city) == (2021, "江苏省", "苏州市")
    assert report.warnings == ()


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


def test_a_broken_csv_row_loses_only_that_row(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(TEXT, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text(
        'path,year\na.txt,2020\n"b.txt,20"21"x\nc.txt,2022\n', encoding="utf-8")
    rows, problems = read_manifest(tmp_path)
    assert rows == {"a.txt": {"report_year": "2020"}, "c.txt": {"report_year": "2022"}}
    assert [(p.path, p.reason.split(" (")[0]) for p in problems] == [
        (f"{tmp_path / 'metadata.csv'}:3", "broken CSV")]
