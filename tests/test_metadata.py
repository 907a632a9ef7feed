"""Report metadata read from real files through the real pipeline (sources -> parse -> metadata)."""

from __future__ import annotations

from pathlib import Path

from indexer.metadata import build_report
from indexer.models import Level, Report
from indexer.parse import parse
from indexer.sources import SourceFile, read_source

BODY = "扎实推进依法行政，全面建设法治政府，法治政府建设取得新进展新成效，为经济社会发展提供了有力的法治保障。"


def _report(tmp_path: Path, text: str, manifest: dict[str, str] | None = None) -> Report:
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    raw = read_source(SourceFile(path, tmp_path), 10_000_000)
    return build_report(parse(raw), "report", manifest)


def _chain(r: Report) -> tuple[str | None, ...]:
    return (r.province, r.city, r.county, r.town)


def test_town_report_with_chinese_numeral_signature_date(tmp_path: Path) -> None:
    """A town report signed 二〇二四年一月十七日 is published 2024-01-17, with its whole chain."""
    r = _report(tmp_path, f"2023年度木渎镇法治政府建设工作报告\n\n2023年，木渎镇{BODY}\n\n"
                          f"一、主要举措和成效\n\n木渎镇{BODY}\n\n吴中区木渎镇人民政府\n\n二〇二四年一月十七日\n")
    assert _chain(r) == ("江苏省", "苏州市", "吴中区", "木渎镇")
    assert r.jurisdiction == "江苏省苏州市吴中区木渎镇"
    assert (r.level, r.report_year, r.published) == (Level.TOWN, 2023, "2024-01-17")
    assert r.issuer == "吴中区木渎镇人民政府"


def test_quoted_doc_number_is_not_the_reports_own(tmp_path: Path) -> None:
    """根据张法政办〔2019〕5号《…》 in the body is another document's 文号."""
    text = (f"张家港市塘桥镇人民政府 2022年法治政府建设情况报告\n\n张家港市人民政府：\n\n"
            f"2022年，塘桥镇{BODY}根据张法政办〔2019〕5号《关于进一步完善法治政府建设情况报告制度的通知》"
            f"要求，现将我镇2022年法治政府建设有关情况报告如下：\n\n一、坚持政治引领\n\n{BODY}\n")
    assert _report(tmp_path, text).doc_number is None


def test_own_doc_number_line_above_the_title_is_taken(tmp_path: Path) -> None:
    """A 文号 line at the top (塘政发〔2023〕1号) is the report's own."""
    text = (f"张家港市塘桥镇人民政府文件\n\n塘政发〔2023〕1号\n\n"
            f"张家港市塘桥镇人民政府 2022年法治政府建设情况报告\n\n张家港市人民政府：\n\n2022年，塘桥镇{BODY}\n")
    r = _report(tmp_path, text)
    assert (r.doc_number, r.issuer) == ("塘政发〔2023〕1号", "张家港市塘桥镇人民政府")


def test_chang_zhi_jiu_an_is_not_changzhi_city(tmp_path: Path) -> None:
    """长治久安 in a 永登县 report does not make it a 长治市 report."""
    r = _report(tmp_path, f"永登县2023年法治政府建设情况报告\n\n2023年，永登县{BODY}维护社会长治久安。\n")
    assert _chain(r) == ("甘肃省", "兰州市", "永登县", None)
    assert r.level is Level.COUNTY


def test_municipality_district_has_no_city(tmp_path: Path) -> None:
    """Under 重庆市 a district's report has province 重庆市 and city None."""
    r = _report(tmp_path, f"2023年，在市委、市政府的坚强领导下，渝中区{BODY}\n\n一、主要举措和成效\n\n{BODY}\n")
    assert _chain(r) == ("重庆市", None, "渝中区", None)
    assert (r.jurisdiction, r.level, r.report_year) == ("重庆市渝中区", Level.COUNTY, 2023)


def test_county_department_serves_its_county(tmp_path: Path) -> None:
    """永登县自然资源局's report is a department report of 甘肃省兰州市永登县."""
    r = _report(tmp_path, f"永登县自然资源局关于2023年法治政府建设情况的报告\n\n2023年，我局{BODY}\n")
    assert (r.level, r.jurisdiction) == (Level.COUNTY_DEPARTMENT, "甘肃省兰州市永登县")
    assert r.issuer == "永登县自然资源局"


def test_national_ministry_serves_the_whole_country(tmp_path: Path) -> None:
    """司法部 is a national organ: level national, region 全国, no city, county or town."""
    r = _report(tmp_path, f"2021年，司法部坚持以习近平新时代中国特色社会主义思想为指导，{BODY}\n")
    assert (r.level, r.jurisdiction, r.report_year) == (Level.NATIONAL, "中华人民共和国", 2021)
    assert _chain(r) == ("全国", None, None, None)


def test_ambiguous_town_without_context_is_left_empty(tmp_path: Path) -> None:
    """城关镇 alone: no town is guessed, the level stays town, and a warning says why."""
    r = _report(tmp_path, f"城关镇2023年法治政府建设情况报告\n\n2023年，城关镇{BODY}\n")
    assert _chain(r) == (None, None, None, None)
    assert r.level is Level.TOWN
    assert any("城关镇" in w for w in r.warnings)


def test_report_year_is_the_year_reported_not_the_publish_year(tmp_path: Path) -> None:
    """A 2023年度 report published in 2024 has report_year 2023; the page date is `published`."""
    r = _report(tmp_path, f"梧州市2023年度法治政府建设工作报告\n\n2024-01-21 08:55     来源:梧州市人民政府办公室\n\n"
                          f"2023年，梧州市{BODY}\n")
    assert (r.report_year, r.published) == (2023, "2024-01-21")
    assert (r.level, r.city) == (Level.CITY, "梧州市")


def test_nothing_known_gives_warnings_not_guesses(tmp_path: Path) -> None:
    """A text with no place, year or date yields empty fields, each explained by a warning."""
    r = _report(tmp_path, f"深入贯彻党的二十大精神，{BODY}\n")
    assert (r.jurisdiction, r.report_year, r.published) == (None, None, None)
    assert len(r.warnings) >= 3


def test_nameless_city_report_does_not_take_changzhi_from_an_idiom(tmp_path: Path) -> None:
    """"我市…长治久安" names no city: nothing is inferred from the idiom, a warning says so."""
    r = _report(tmp_path, f"2023年法治政府建设情况报告\n\n2023年，我市{BODY}维护社会长治久安。\n")
    assert (r.city, r.level) == (None, Level.CITY)
    assert r.warnings


def test_nameless_city_department_takes_its_city_from_the_opening(tmp_path: Path) -> None:
    """"市司法局…为大连振兴发展" is 大连市's department; the inference is flagged."""
    r = _report(tmp_path, "关于2024年法治政府建设情况的报告\n\n2024年，在市委、市政府正确领导下，市司法局深入学习"
                          f"贯彻习近平法治思想，{BODY}为大连振兴发展新突破提供了有力法治保障。\n")
    assert (r.level, r.jurisdiction, r.issuer) == (Level.CITY_DEPARTMENT, "辽宁省大连市", "大连市司法局")
    assert any("推断" in w for w in r.warnings)


def test_town_report_on_a_district_site_is_a_town_report(tmp_path: Path) -> None:
    """"我镇…" under a district's site name: level town, and the town when the text names it."""
    head = "相城区人民政府\n\n2023年法治政府建设工作报告\n\n"
    unnamed = _report(tmp_path, f"{head}2023年，我镇{BODY}\n")
    assert (unnamed.level, unnamed.county, unnamed.town) == (Level.TOWN, "相城区", None)
    named = _report(tmp_path, f"{head}2023年，我镇{BODY}渭塘镇获评法治建设先进单位。\n")
    assert (named.level, named.jurisdiction) == (Level.TOWN, "江苏省苏州市相城区渭塘镇")


def test_site_clock_is_not_the_publish_date(tmp_path: Path) -> None:
    """A site clock (2019年12月3日星期二) at the top is ignored; the signature date is taken."""
    r = _report(tmp_path, f"2024年1月9日 星期二\n\n梧州市2023年度法治政府建设工作报告\n\n2023年，梧州市{BODY}\n\n"
                          "梧州市人民政府\n\n2024年1月5日\n")
    assert r.published == "2024-01-05"


def test_traditional_script_page_is_read(tmp_path: Path) -> None:
    """A page in traditional characters (靖邊縣) resolves like its simplified form."""
    r = _report(tmp_path, f"靖邊縣2022年法治政府建設年度報告\n\n2022年，靖邊縣堅持依法行政，{BODY}\n")
    assert (r.jurisdiction, r.level, r.report_year) == ("陕西省榆林市靖边县", Level.COUNTY, 2022)


def test_autonomous_prefecture_called_by_its_short_name(tmp_path: Path) -> None:
    """甘孜州 and 巴州党委 name autonomous prefectures (甘孜藏族自治州, 巴音郭楞蒙古自治州)."""
    r = _report(tmp_path, f"甘孜州2023年法治政府建设情况报告\n\n2023年，甘孜州{BODY}\n")
    assert (r.jurisdiction, r.level) == ("四川省甘孜藏族自治州", Level.CITY)
    r = _report(tmp_path, f"2023年，巴州党委、政府坚持以习近平新时代中国特色社会主义思想为指导，{BODY}\n")
    assert (r.jurisdiction, r.level) == ("新疆维吾尔自治区巴音郭楞蒙古自治州", Level.CITY)
