"""The five seed reports give exactly the metadata a careful reader finds in them.

Expected values are labels made by reading each seed (like truth.jsonl), not program output.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from indexer.metadata import build_report
from indexer.models import Level, Report
from indexer.parse import parse
from indexer.sources import SourceFile, read_source

# file stem -> (title, issuer, province, city, county, town, level, report_year, published, 文号)
LABELS: dict[str, tuple] = {
    "000_b17968ed37a63a16": (
        "张家港市塘桥镇人民政府 2022年法治政府建设情况报告", "张家港市塘桥镇人民政府",
        "江苏省", "苏州市", "张家港市", "塘桥镇", Level.TOWN, 2022, "2023-01-05", "塘政发〔2023〕1号"),
    "001_e6bb42983a914dd9": (
        "2023年度木渎镇法治政府建设工作报告", "吴中区木渎镇人民政府",
        "江苏省", "苏州市", "吴中区", "木渎镇", Level.TOWN, 2023, "2024-01-17", None),
    "002_c05500d5cecfc69b": (
        "苏州市相城区2023年法治政府建设工作报告", "苏州市相城区人民政府",
        "江苏省", "苏州市", "相城区", None, Level.COUNTY, 2023, "2024-03-20", "相政呈〔2024〕21号"),
    "003_e2661321fbbd4b8b": (
        "王鲍镇2023 年度法治政府建设情况报告", "王鲍镇",
        "江苏省", "南通市", "启东市", "王鲍镇", Level.TOWN, 2023, None, None),
    "004_3b88b001ffea4908": (
        "张渚镇人民政府2023年法治政府建设情况报告", "张渚镇人民政府",
        "江苏省", "无锡市", "宜兴市", "张渚镇", Level.TOWN, 2023, "2024-03-04", None),
}


def _build(seeds_dir: Path, stem: str) -> tuple[Report, Path]:
    path = seeds_dir / f"{stem}.txt"
    raw = read_source(SourceFile(path, seeds_dir), 10_000_000)
    return build_report(parse(raw), stem), path


def test_every_seed_is_labelled(seeds_dir: Path) -> None:
    """The labels cover exactly the seed files."""
    assert sorted(p.stem for p in seeds_dir.glob("*.txt")) == sorted(LABELS)


@pytest.mark.parametrize("stem", sorted(LABELS))
def test_seed_metadata(seeds_dir: Path, stem: str) -> None:
    """Every metadata field of every seed matches the label read from the file."""
    report, path = _build(seeds_dir, stem)
    title, issuer, province, city, county, town, level, year, published, doc_number = LABELS[stem]
    chain = "".join(x for x in (province, city, county, town) if x)
    expected = Report(
        report_id=stem,
        source_path=report.source_path,
        content_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        title=title,
        issuer=issuer,
        jurisdiction=chain,
        province=province,
        city=city,
        county=county,
        town=town,
        level=level,
        report_year=year,
        published=published,
        doc_number=doc_number,
        source_url=None,
        warnings=() if published else ("未找到发布日期",),
    )
    assert report == expected
    assert Path(report.source_path).resolve() == path.resolve()
