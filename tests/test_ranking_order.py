"""Ranking order on small fixtures built for the purpose: substance first.

Each test builds a tiny real index and asserts the order a researcher expects; a ranking that
returns zeros, ignores the domain signals or the heading field fails at least one of them."""

from __future__ import annotations

from fixtures_search import make_report
from indexer import SearchRequest, search


def _order(settings, query: str) -> list[tuple[str, str]]:
    res = search(settings, SearchRequest(query=query, grouped=False, limit=50,
                                         with_facets=False))
    return [(h.report_id, h.text) for h in res.hits]


def test_more_occurrences_rank_higher(index_reports) -> None:
    settings = index_reports(make_report("r", [
        "本年度开展了多项工作，其中包括一次法律顾问座谈会议。",
        "法律顾问参与重大决策，法律顾问审查合同，法律顾问覆盖全部村居。",
    ], title="某镇工作报告"))
    assert _order(settings, "法律顾问")[0][1].startswith("法律顾问参与")


def test_a_paragraph_under_its_heading_outranks_the_bare_heading(index_reports) -> None:
    """The short heading scores higher on BM25 alone (length normalisation); the paragraph
    that says what was done comes first."""
    settings = index_reports(make_report("r", [
        "一、行政复议",
        "区政府全年坚持依法行政，各部门认真落实行政复议决定，依法纠正违法或者不当行政行为，"
        "群众满意度不断提高，矛盾纠纷得到实质性化解。",
    ], title="某区2023年法治政府建设情况报告"))
    order = _order(settings, "行政复议")
    assert order[0][1].startswith("区政府") and order[1][1] == "一、行政复议"


def test_the_heading_lifts_its_section_paragraphs(index_reports) -> None:
    """Two paragraphs naming the term once, alike but for one word: the one under the heading
    行政复议 comes first (the heading field counts), whichever report id sorts first."""
    from dataclasses import replace

    def with_path(item, path):
        paras = tuple(replace(p, heading_path=path) if not p.is_heading else p
                      for p in item.paragraphs)
        return replace(item, paragraphs=paras)

    under = make_report("b-under", ["一、行政复议工作", "本年度行政复议工作平稳推进，甲项制度得到落实。"],
                        title="甲镇法治政府建设情况报告")
    elsewhere = make_report("a-elsewhere", ["一、其他工作", "本年度行政复议工作平稳推进，乙项制度得到落实。"],
                            title="乙镇法治政府建设情况报告")
    settings = index_reports(with_path(under, ("一、行政复议工作",)),
                             with_path(elsewhere, ("一、其他工作",)))
    first = [r for r, t in _order(settings, "行政复议") if not t.startswith("一、")]
    assert first[0] == "b-under"


def test_report_figures_outrank_statute_boilerplate(index_reports) -> None:
    """A short statute article (its law's title holds the term too) beats a report's account
    on BM25 alone; the report's paragraph with figures comes first."""
    law = make_report("law", ["第十条 申请行政复议，行政复议机关受理。"], title="中华人民共和国行政复议法")
    report = make_report("report", [
        "区政府全年认真做好行政复议工作，办理案件91件，其中撤销3件，确认违法2件，纠错率5.5%，"
        "案审会召开12次，各项工作取得明显成效。"], title="某区2023年法治政府建设情况报告")
    settings = index_reports(law, report)
    assert _order(settings, "行政复议")[0][0] == "report"


def test_repeated_boilerplate_is_shown_once_before_other_passages(index_reports) -> None:
    """The same clause in three documents outscores a distinct paragraph on BM25; only its
    best copy stays ahead of it."""
    clause = "不服的，可以依法申请行政复议。"
    reports = [make_report(f"copy{i}", [clause], title=f"某局第{i}号决定书") for i in range(3)]
    distinct = make_report("distinct", [
        "本局全年扎实推进依法行政各项工作，认真办理群众来信来访事项，行政复议案件同比下降，"
        "各项指标保持全市前列水平。"], title="某局工作总结")
    settings = index_reports(*reports, distinct)
    order = [r for r, _ in _order(settings, "行政复议")]
    copies = [i for i, r in enumerate(order) if r.startswith("copy")]
    assert order.index("distinct") < copies[1]  # only one copy may come before it
