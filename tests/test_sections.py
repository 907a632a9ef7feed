"""Sections without a heading of their own are found from content; a 法治政府建设 report that
lacks a standard section says so, and the reader shows it."""

from __future__ import annotations

from pathlib import Path

from fixtures_web import parse_html

from indexer import SearchRequest, Settings, index_paths, search
from indexer.ingest import ingest_file
from indexer.models import IngestedReport, Section
from indexer.sources import SourceFile

MEASURE = "镇综合行政执法队全年办理行政处罚案件八十五件，执法全过程记录实现全覆盖，群众满意度明显提升。"
SHORT = "在肯定成绩的同时，我镇法治政府建设还存在一些问题和不足：一是法治宣传形式较为单一；二是执法力量不足。"
GAP = "但与上级的要求和群众的期盼相比还有差距，基层干部运用法治思维的能力有待提高。"
PLAN = "下一步，我镇将持续深化法治政府建设，不断提升依法行政水平。"
FIX = "针对专项检查发现存在的问题，镇政府逐项制定整改措施，全部整改到位。"


def _ingest(tmp_path: Path, text: str, name: str = "report.txt") -> IngestedReport:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return ingest_file(SourceFile(path, tmp_path), Settings(index_path=tmp_path / "index"))


def _sections(report: IngestedReport) -> dict[str, Section]:
    return {p.text: p.section for p in report.paragraphs}


def _report(*body: str) -> str:
    title = "王庄镇2023年度法治政府建设情况报告"
    opening = "2023年，王庄镇认真履行推进法治建设第一责任人职责，扎实推进法治政府建设，现将有关情况报告如下。"
    return "\n\n".join([title, opening, "一、主要举措和成效", MEASURE, MEASURE.replace("八十五", "九十"), *body]) + "\n"


def test_unheaded_shortcomings_and_plans_passages_are_found(tmp_path) -> None:
    report = _ingest(tmp_path, _report(FIX, SHORT, GAP, PLAN, "王庄镇人民政府", "2024年1月8日"))
    sections = _sections(report)
    assert sections[FIX] == Section.MEASURES  # a measure dealing with problems stays a measure
    assert sections[SHORT] == sections[GAP] == Section.SHORTCOMINGS
    assert sections[PLAN] == Section.PLANS
    assert sections["王庄镇人民政府"] != Section.PLANS  # the signature ends the passage
    assert not any("未识别出" in w for w in report.report.warnings)


def test_a_later_year_with_will_opens_the_plans(tmp_path) -> None:
    text = _report("2023年，我镇在推进法治政府建设方面取得了一定成绩，但与上级的要求仍有差距。",
                   "2024年，我镇将深入学习贯彻习近平法治思想，持续推进依法行政。")
    sections = _sections(_ingest(tmp_path, text))
    assert list(sections.values())[-2:] == [Section.SHORTCOMINGS, Section.PLANS]


def test_missing_standard_sections_are_warned_and_shown_in_the_reader(tmp_path, make_client) -> None:
    report = _ingest(tmp_path, _report(PLAN))
    warnings = [w for w in report.report.warnings if "未识别出" in w]
    assert warnings == ["未识别出“存在的不足”部分（标准章节缺失，或报告不完整）"]
    client, _ = make_client([report])
    doc = parse_html(client.get(f"/reports/{report.report.report_id}").data)
    assert warnings[0] in [li.text_content() for li in doc.cssselect(".warnings li")]


def test_filtering_shortcomings_finds_every_seed(seeds_dir, tmp_path) -> None:
    """All five seed reports have a shortcomings passage (two of them without a heading)."""
    settings = Settings(index_path=tmp_path / "index", corpus_paths=(seeds_dir,))
    index_paths(settings, [seeds_dir])
    request = SearchRequest(query="", filters=(("section", ("shortcomings",)),), limit=50)
    results = search(settings, request)
    assert results.total_reports == 5
