"""Fixtures for the comparison and trend tests: a corpus of several jurisdictions and years.

苏州市's counties cover every kind of row: 张家港市 mentions 行政复议 in 2022 and 2023 but not
in 2021; 昆山市 has a report that never mentions it; 常熟市 has only its 司法局's (a department's)
report; 太仓市 and the others have none (未收录). 塘桥镇 (a town of 张家港市) has its own reports,
which must not count for 张家港市's row, nor its 司法所's (a town department's). Beyond 苏州市: a district of a 直辖市 (北京市朝阳区), a
town of a city without counties (东莞市虎门镇), a county report whose county is unknown, and a
national report without any place.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from fixtures_web import Place, make_report, settings_for

from indexer import IngestedReport, Level, SearchRequest, Section, Settings, index_reports, search

M, S, P = Section.MEASURES, Section.SHORTCOMINGS, Section.PLANS
SUZHOU = ("江苏省", "苏州市")


def _report(rid: str, place: Place, year: int | None, texts: Sequence[tuple[str, Section]]
            ) -> IngestedReport:
    body = [("一、主要举措和成效", M, True), *((t, s, False) for t, s in texts)]
    item = make_report(rid, f"{place.jurisdiction}{year or ''}年法治政府建设情况报告", place,
                       year or 0, body)
    if year is None:
        from dataclasses import replace

        item = IngestedReport(replace(item.report, report_year=None), item.paragraphs)
    return item


def compare_corpus() -> list[IngestedReport]:
    zjg = Place(*SUZHOU, "张家港市", None, Level.COUNTY)
    ks = Place(*SUZHOU, "昆山市", None, Level.COUNTY)
    cs_dept = Place(*SUZHOU, "常熟市", None, Level.DEPARTMENT)
    tq = Place(*SUZHOU, "张家港市", "塘桥镇", Level.TOWN)
    suzhou = Place(*SUZHOU, None, None, Level.CITY)
    return [
        _report("zjg-2021", zjg, 2021, [("推进综合行政执法改革，规范执法程序。", M),
                                        ("基层执法力量仍显薄弱。", S)]),
        _report("zjg-2022", zjg, 2022, [("办理行政复议案件十二件，行政复议纠错率下降。", M),
                                        ("落实合法性审查制度。", M),
                                        ("继续加强行政复议工作。", P)]),
        _report("zjg-2023", zjg, 2023, [("行政复议规范化建设取得成效。", M),
                                        ("聘请法律顾问覆盖所有村（社区）。", M)]),
        _report("ks-2022", ks, 2022, [("深化普法宣传，开展八五普法中期评估。", M),
                                      ("聘请法律顾问。", P)]),
        _report("cs-sifa-2023", cs_dept, 2023, [("司法局指导行政复议应诉工作。", M),
                                                ("开展合法性审查培训。", M)]),
        _report("tq-2022", tq, 2022, [("塘桥镇全年办理行政复议案件两件。", M)]),
        _report("tq-2023", tq, 2023, [("塘桥镇推进合法性审查全覆盖。", M)]),
        _report("tq-sifasuo-2023", Place(*SUZHOU, "张家港市", "塘桥镇", Level.DEPARTMENT), 2023,
                [("塘桥司法所协助办理行政复议案件。", M)]),
        _report("suzhou-2023", suzhou, 2023, [("全市行政复议案件办理质量提升。", M)]),
        _report("bj-chaoyang-2023", Place("北京市", None, "朝阳区", None, Level.COUNTY), 2023,
                [("朝阳区行政复议委员会运行良好。", M)]),
        _report("dg-humen-2023", Place("广东省", "东莞市", None, "虎门镇", Level.TOWN), 2023,
                [("虎门镇推行一村一法律顾问。", M)]),
        _report("unknown-county-2023", Place(*SUZHOU, None, None, Level.COUNTY), 2023,
                [("行政复议工作有序开展。", M)]),
        _report("wujiang-undated", Place(*SUZHOU, "吴江区", None, Level.COUNTY), None,
                [("吴江区推进行政复议体制改革。", M)]),
        _report("national-2023", Place(None, None, None, None, None), 2023,
                [("全国行政复议工作会议召开。", M)]),
    ]


@pytest.fixture(scope="session")
def compare_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A real index of ``compare_corpus()`` (built once per session)."""
    settings = settings_for(tmp_path_factory.mktemp("compare"))
    index_reports(settings, compare_corpus())
    return settings


def flat_counts(settings: Settings, term: str, **kw: object) -> dict[str, int]:
    """report_id -> matching paragraphs, recomputed from the flat search results."""
    results = search(settings, SearchRequest(query=term, grouped=False, limit=10**9,
                                             with_facets=False, **kw))
    counts: dict[str, int] = {}
    for hit in results.hits:
        counts[hit.report_id] = counts.get(hit.report_id, 0) + 1
    return counts
