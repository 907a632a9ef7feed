"""Level semantics: 直辖市 and autonomous regions' own reports are provincial, national organs
are national (region 全国), departments carry their status plus the level of the area served;
filters and facets of a real index pick "province-level governments" and "county-level
departments"; a level without its place is warned about."""

from __future__ import annotations

from pathlib import Path

from indexer import SearchRequest, Settings, index_paths, search
from indexer.metadata import build_report
from indexer.models import LEVEL_LABELS, Level
from indexer.parse import parse
from indexer.sources import SourceFile, read_source

BODY = "扎实推进依法行政，全面建设法治政府，法治政府建设取得新进展新成效，为经济社会发展提供了有力的法治保障。"
REPORTS = {
    "beijing": ("北京市人民政府关于2023年法治政府建设情况的报告", "2023年，北京市人民政府"),
    "guangxi": ("广西壮族自治区人民政府关于2023年度法治政府建设情况的报告", "2023年，自治区人民政府"),
    "zhejiang": ("浙江省人民政府关于2023年法治政府建设情况的报告", "2023年，浙江省人民政府"),
    "moj": ("司法部2023年法治政府建设年度报告", "2023年，司法部"),
    "gov": ("国务院关于2023年度法治政府建设情况的报告", "2023年，国务院"),
    "chaoyang": ("北京市朝阳区司法局2023年法治政府建设年度报告", "2023年，朝阳区司法局"),
    "fangxian": ("房县教育局2023年度法治政府建设工作报告", "2023年，房县教育局"),
    "hangzhou": ("杭州市司法局2023年法治政府建设情况报告", "2023年，杭州市司法局"),
    "hubei": ("湖北省司法厅2023年度法治政府建设情况报告", "2023年，湖北省司法厅"),
}
EXPECTED = {
    "beijing": (Level.PROVINCE, "北京市"), "guangxi": (Level.PROVINCE, "广西壮族自治区"),
    "zhejiang": (Level.PROVINCE, "浙江省"), "moj": (Level.NATIONAL, "全国"), "gov": (Level.NATIONAL, "全国"),
    "chaoyang": (Level.COUNTY_DEPARTMENT, "北京市"), "fangxian": (Level.COUNTY_DEPARTMENT, "湖北省"),
    "hangzhou": (Level.CITY_DEPARTMENT, "浙江省"), "hubei": (Level.PROVINCE_DEPARTMENT, "湖北省"),
}


def _write(corpus: Path) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    for name, (title, opening) in REPORTS.items():
        (corpus / f"{name}.txt").write_text(
            f"{title}\n\n{opening}{BODY}\n\n一、主要举措和成效\n\n{BODY}\n", encoding="utf-8")


def _build(path: Path, row: dict[str, str] | None = None):  # noqa: ANN202
    return build_report(parse(read_source(SourceFile(path, path.parent), 10_000_000)), path.stem, row)


def test_levels_of_governments_national_organs_and_departments(tmp_path) -> None:
    _write(tmp_path)
    got = {name: ((r := _build(tmp_path / f"{name}.txt")).level, r.province) for name in REPORTS}
    assert got == EXPECTED


def test_filters_pick_province_governments_and_county_departments(tmp_path) -> None:
    corpus = tmp_path / "corpus"
    _write(corpus)
    settings = Settings(index_path=tmp_path / "index", corpus_paths=(corpus,))
    index_paths(settings, [corpus])

    def ids(level: str) -> list[str]:
        request = SearchRequest(query="依法行政", filters=(("level", (level,)),), limit=50)
        return sorted(g.report.report_id for g in search(settings, request).groups)

    assert ids("province") == ["beijing", "guangxi", "zhejiang"]
    assert ids("county_department") == ["chaoyang", "fangxian"]
    assert ids("national") == ["gov", "moj"]
    facets = {f.name: f for f in search(settings, SearchRequest(query="依法行政")).facets}
    assert {v.value for v in facets["province"].values} >= {"全国", "北京市"}
    labels = {v.value: v.label for v in facets["level"].values}
    assert labels["county_department"] == "县级部门" == LEVEL_LABELS[Level.COUNTY_DEPARTMENT]


def test_a_level_without_its_place_is_warned(tmp_path) -> None:
    _write(tmp_path)
    r = _build(tmp_path / "zhejiang.txt", {"level": "county"})
    assert r.level is Level.COUNTY and r.county is None
    assert "层级为县级，但未能确定所属县（市、区、旗）" in r.warnings
    r = _build(tmp_path / "hangzhou.txt", {"level": "部门"})  # a manifest's bare 部门
    assert r.level is Level.CITY_DEPARTMENT
