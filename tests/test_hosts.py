"""Government host names resolve to gazetteer entries through pinyin (full and initials, parent
first), and the host fills or disambiguates a report's chain when the text does not settle it."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.gazetteer import full_name, load_gazetteer
from indexer.hosts import hint_from_url
from indexer.metadata import build_report
from indexer.models import Level, Report
from indexer.parse import parse
from indexer.sources import SourceFile, read_source

BODY = "扎实推进依法行政，全面建设法治政府，法治政府建设取得新进展新成效，为经济社会发展提供了有力的法治保障。"


def _names(url: str) -> list[str]:
    hint = hint_from_url(url)
    gaz = load_gazetteer()
    return sorted(full_name(gaz.chain(d)) for d in hint.candidates) if hint else []


@pytest.mark.parametrize(("url", "expected"), [
    ("http://www.jingbian.gov.cn/zwgk/1.html", ["陕西省榆林市靖边县"]),  # full pinyin
    ("https://henan.gov.cn/2021/03-30/2117585.html", ["河南省"]),
    ("http://www.fangxian.gov.cn/x.html", ["湖北省十堰市房县"]),  # full name with 县
    ("http://www.qzlc.gov.cn/zwgk/", ["福建省泉州市鲤城区"]),  # initials, parent first
    ("http://www.pudong.gov.cn/", ["上海市浦东新区"]),
    ("http://www.xinjiang.gov.cn/", ["新疆维吾尔自治区"]),
])
def test_hosts_resolve_to_gazetteer_entries(url: str, expected: list[str]) -> None:
    assert _names(url) == expected


def test_department_prefix_and_initials_under_their_parent() -> None:
    hint = hint_from_url("http://sft.hubei.gov.cn/fbjd/")
    assert hint is not None and hint.department == "司法厅" and _names("http://sft.hubei.gov.cn/") == ["湖北省"]
    # dl is 大连市 and 大理州 (and more): left to the text, but 大连市 is among them
    assert "辽宁省大连市" in _names("http://sfj.dl.gov.cn/")


def test_other_hosts_say_nothing_and_ministries_are_national() -> None:
    assert hint_from_url("http://gslawyer.org.cn/col/1.htm") is None
    assert hint_from_url("not a url") is None
    assert hint_from_url("http://www.moj.gov.cn/pub/sfbgw/").national


def _report(tmp_path: Path, text: str, url: str | None) -> Report:
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    parsed = parse(read_source(SourceFile(path, tmp_path), 10_000_000))
    return build_report(parsed, "r", {"source_url": url} if url else None)


def test_host_fills_the_chain_when_the_text_names_no_place(tmp_path: Path) -> None:
    text = f"县司法局2023年度法治政府建设情况报告\n\n2023年，县司法局在县委、县政府的领导下，{BODY}\n"
    bare = _report(tmp_path, text, None)
    assert bare.county is None
    r = _report(tmp_path, text, "http://www.jingbian.gov.cn/zwgk/bmxxgk/t20240122_1.html")
    assert (r.jurisdiction, r.level) == ("陕西省榆林市靖边县", Level.COUNTY_DEPARTMENT)
    assert any("jingbian" in w for w in r.warnings)


def test_host_disambiguates_a_town_named_in_several_counties(tmp_path: Path) -> None:
    text = f"青阳镇2022年度法治政府建设情况报告\n\n2022年，青阳镇党委、政府{BODY}\n"
    assert _report(tmp_path, text, None).town is None  # 江阴市 and 邹平市 both have one
    r = _report(tmp_path, text, "http://www.zouping.gov.cn/art/2023/2/16/art_1.html")
    assert r.jurisdiction == "山东省滨州市邹平市青阳镇" and r.level == Level.TOWN
