"""The home page says what this index holds (reports per level, year, place), from the index."""

from __future__ import annotations

from collections import Counter

from fixtures_web import M, Place, make_report, parse_html, web_corpus

from indexer import LEVEL_LABELS


def holdings(client) -> dict[str, str]:  # noqa: ANN001
    doc = parse_html(client.get("/").data)
    terms = [dt.text_content().strip() for dt in doc.cssselect(".landing__holdings dt")]
    values = [dd.text_content().strip() for dd in doc.cssselect(".landing__holdings dd")]
    return dict(zip(terms, values))


def test_the_home_page_counts_reports_by_level_and_year(client) -> None:
    """Each level and year is listed with its number of reports, as the index counts them."""
    lines = holdings(client)
    reports = [item.report for item in web_corpus()]
    for level, count in Counter(r.level for r in reports).items():
        assert f"{LEVEL_LABELS[level]} {count} 篇" in lines["层级"]
    for year, count in Counter(r.report_year for r in reports).items():
        assert f"{year}年 {count} 篇" in lines["年份"]
    assert "江苏省 3 篇" in lines["地区"]


def test_another_corpus_is_described_by_its_own_contents(make_client) -> None:
    """An index of other documents is described by what it holds, not by a fixed sentence."""
    laws = [make_report(f"law/{i}", f"某某条例{i}", Place("浙江省", level=None), 2010 + i,
                        [("第一条 为了规范行政行为，制定本条例。", M, False)]) for i in range(3)]
    client, _ = make_client(laws)
    lines = holdings(client)
    assert lines["年份"].startswith("2012年 1 篇") and "浙江省 3 篇" in lines["地区"]
    assert "层级" not in lines
    heading = parse_html(client.get("/").data).cssselect("#results-title")[0].text_content()
    assert "法治政府建设情况报告" not in heading
