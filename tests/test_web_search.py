"""The search page ``/``: results grouped by report, highlights, facets, paging, empty and bad
queries, all state in the URL. Real index in tmp_path, real Flask (test client)."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

import pytest
from fixtures_web import grep_corpus, make_report, parse_html, standard_body, Place, web_corpus

from indexer import Level, Section, index_reports
from webui import create_app

TERM = "行政复议"


def page(client, url: str, status: int = 200):  # noqa: ANN001, ANN201
    response = client.get(url)
    assert response.status_code == status, response.data[:500]
    return parse_html(response.data)


def cards(doc) -> list[str]:  # noqa: ANN001
    return [li.get("data-report-id") for li in doc.cssselect("li.report-card")]


def test_landing_page_shows_index_size(client) -> None:
    """With no query the page says how many reports and paragraphs are searchable."""
    corpus = web_corpus()
    doc = page(client, "/")
    stats = [s.text_content() for s in doc.cssselect(".landing__stats strong")]
    assert stats == [str(len(corpus)), str(sum(len(r.paragraphs) for r in corpus))]
    assert doc.cssselect("input#q")[0].get("value") in (None, "")


def test_results_are_grouped_by_report_with_counts(client) -> None:
    """A query lists each matching report once, best first, with the grep-equal totals."""
    expected = grep_corpus(TERM)
    per_report = Counter(rid for rid, _ in expected)
    doc = page(client, f"/?q={TERM}")
    assert doc.cssselect("input#q")[0].get("value") == TERM
    summary = doc.cssselect(".results-summary")[0]
    assert summary.cssselect("[data-total-paragraphs]")[0].text_content() == str(len(expected))
    assert summary.cssselect("[data-total-reports]")[0].text_content() == str(len(per_report))
    assert sorted(cards(doc)) == sorted(per_report)
    assert "毫秒" in summary.text_content()


def test_each_report_shows_three_passages_and_a_show_all_link(client) -> None:
    """Reports show their first 3 matching passages; more matches give "显示全部 N 段"."""
    per_report = Counter(rid for rid, _ in grep_corpus(TERM))
    doc = page(client, f"/?q={TERM}")
    for card in doc.cssselect("li.report-card"):
        rid = card.get("data-report-id")
        assert len(card.cssselect(".passage")) == min(3, per_report[rid])
        show_all = card.cssselect(".report-card__all a")
        if per_report[rid] > 3:
            assert show_all[0].text_content() == f"显示全部 {per_report[rid]} 段"
        else:
            assert show_all == []


def test_show_all_lists_every_matching_paragraph_of_that_report(client) -> None:
    """Following "显示全部 N 段" lists that report's matches flat, all of them."""
    rid = Counter(r for r, _ in grep_corpus(TERM)).most_common(1)[0][0]
    doc = page(client, f"/?q={TERM}")
    card = [c for c in doc.cssselect("li.report-card") if c.get("data-report-id") == rid][0]
    href = card.cssselect(".report-card__all a")[0].get("href")
    assert ("report_id", rid) in parse_qsl(urlsplit(href).query)
    flat = page(client, href)
    ids = [li.get("data-report-id") for li in flat.cssselect("li.hit-card")]
    assert ids == [rid] * sum(1 for r, _ in grep_corpus(TERM) if r == rid)


def test_passages_mark_exactly_the_query(client) -> None:
    """Every <mark> in the results holds the query term, and every passage has one."""
    doc = page(client, f"/?q={TERM}&view=flat")
    passages = doc.cssselect(".passage__text")
    assert len(passages) == len(grep_corpus(TERM))
    for p in passages:
        marks = [m.text_content() for m in p.cssselect("mark")]
        assert marks and set(marks) == {TERM}
        assert len(marks) == p.text_content().count(TERM)


def test_passages_show_heading_path_and_section(client) -> None:
    """A passage names the heading it sits under and its section in Chinese."""
    doc = page(client, "/?q=纠错率&view=flat")
    contexts = [c.text_content() for c in doc.cssselect(".passage__context")]
    assert contexts and all("主要举措和成效" in c and "二、主要举措和成效" in c for c in contexts)


def test_reader_links_point_at_the_matching_paragraph(client) -> None:
    """Each passage links to the reader with the query and the paragraph's anchor."""
    doc = page(client, f"/?q={TERM}&view=flat")
    expected = grep_corpus(TERM)
    links = [li.cssselect(".passage__more a")[0].get("href") for li in doc.cssselect("li.hit-card")]
    found = set()
    for href in links:
        parts = urlsplit(href)
        assert dict(parse_qsl(parts.query))["q"] == TERM
        rid = parts.path.removeprefix("/reports/")
        found.add((rid, int(parts.fragment.removeprefix("p")) - 1))  # anchors are 1-based
    assert found == set(expected)


def test_flat_view_pages_over_paragraphs(web_settings) -> None:
    """In flat view, pages of page_size paragraphs cover every match exactly once."""
    client = create_app({"SETTINGS": web_settings.replace(page_size=5)}).test_client()
    expected = grep_corpus(TERM)
    seen: list[str] = []
    pages = -(-len(expected) // 5)
    for n in range(1, pages + 1):
        doc = page(client, f"/?q={TERM}&view=flat&page={n}")
        seen += [a.get("href") for a in doc.cssselect("li.hit-card .passage__more a")]
        nav = doc.cssselect("nav.pagination")[0]
        assert nav.cssselect(".is-current")[0].text_content() == str(n)
        assert bool(nav.cssselect("a[rel=next]")) == (n < pages)
    assert len(seen) == len(set(seen)) == len(expected)


def test_grouped_view_pages_over_reports(web_settings) -> None:
    """In grouped view, pages count reports: page 2 holds the reports after page 1's."""
    client = create_app({"SETTINGS": web_settings.replace(page_size=2)}).test_client()
    reports = {r for r, _ in grep_corpus(TERM)}
    first = cards(page(client, f"/?q={TERM}"))
    second = cards(page(client, f"/?q={TERM}&page=2"))
    assert len(first) == 2 and set(first).isdisjoint(second)
    assert set(first) | set(second) == reports


@pytest.mark.parametrize("sort, descending", [("newest", True), ("oldest", False)])
def test_sort_by_year(client, sort: str, descending: bool) -> None:
    """年份新→旧 and 年份旧→新 order the reports by their year."""
    years = {r.report.report_id: r.report.report_year for r in web_corpus()}
    doc = page(client, f"/?q={TERM}&sort={sort}")
    got = [years[rid] for rid in cards(doc)]
    assert got == sorted(got, reverse=descending)
    assert doc.cssselect(f"select[name=sort] option[value={sort}]")[0].get("selected") is not None


def test_toggles_reflect_the_url(client) -> None:
    """模糊, 同篇 and 标题 chosen in the URL are the checked toggles on the page (全文 when the
    URL says nothing)."""
    doc = page(client, f"/?q={TERM}&mode=fuzzy&scope=report&view=flat")
    checked = {i.get("name"): i.get("value") for i in doc.cssselect("input[type=radio][checked]")}
    assert checked == {"mode": "fuzzy", "scope": "report", "view": "flat", "in": "fulltext"}
    doc = page(client, f"/?q={TERM}&in=title")
    checked = {i.get("name"): i.get("value") for i in doc.cssselect("input[type=radio][checked]")}
    assert checked["in"] == "title"


# ---------------------------------------------------------------------- facets


def facet_counts(doc, field: str) -> dict[str, int]:  # noqa: ANN001
    return {
        a.get("data-value"): int(a.cssselect(".facet-value__count")[0].text_content())
        for a in doc.cssselect(f"a.facet-value[data-facet={field}]")
    }


def test_facets_count_all_matches(client) -> None:
    """Province and year facets count every matching paragraph, not just the page's."""
    corpus = {r.report.report_id: r.report for r in web_corpus()}
    expected = grep_corpus(TERM)
    doc = page(client, f"/?q={TERM}")
    provinces = Counter(corpus[rid].province for rid, _ in expected if corpus[rid].province)
    years = Counter(str(corpus[rid].report_year) for rid, _ in expected)
    assert facet_counts(doc, "province") == dict(provinces)
    assert facet_counts(doc, "report_year") == dict(years)


def test_selecting_a_province_drills_down_to_its_cities(client) -> None:
    """Clicking 江苏省 filters the results, keeps 浙江省 selectable and shows 江苏's cities."""
    corpus = {r.report.report_id: r.report for r in web_corpus()}
    expected = [(rid, n) for rid, n in grep_corpus(TERM) if corpus[rid].province == "江苏省"]
    doc = page(client, f"/?q={TERM}")
    assert facet_counts(doc, "city") == {}  # two provinces: no city level shown yet
    href = doc.cssselect("a.facet-value[data-facet=province][data-value=江苏省]")[0].get("href")
    doc = page(client, href)
    total = doc.cssselect("[data-total-paragraphs]")[0].text_content()
    assert total == str(len(expected))
    assert set(cards(doc)) == {rid for rid, _ in expected}
    assert "浙江省" in facet_counts(doc, "province")  # own selection ignored: multi-select
    cities = Counter(corpus[rid].city for rid, _ in expected)
    assert facet_counts(doc, "city") == dict(cities)
    chip = doc.cssselect(".chips a")[0]
    assert "江苏省" in chip.text_content()
    assert cards(page(client, chip.get("href"))) == cards(page(client, f"/?q={TERM}"))


def test_multi_select_within_a_facet_is_or(client) -> None:
    """Two provinces selected give the matches of either."""
    expected = grep_corpus(TERM)
    corpus = {r.report.report_id: r.report for r in web_corpus()}
    both = [x for x in expected if corpus[x[0]].province in ("江苏省", "浙江省")]
    doc = page(client, f"/?q={TERM}&province=江苏省&province=浙江省")
    assert doc.cssselect("[data-total-paragraphs]")[0].text_content() == str(len(both))
    assert len(doc.cssselect(".chips li")) == 2


def test_removing_a_province_also_removes_its_cities(client) -> None:
    """Deselecting 江苏省 drops the 苏州市 selection under it too."""
    doc = page(client, f"/?q={TERM}&province=江苏省&city=苏州市")
    href = doc.cssselect("a.facet-value[data-facet=province][data-value=江苏省]")[0].get("href")
    args = parse_qsl(urlsplit(href).query)
    assert ("province", "江苏省") not in args and ("city", "苏州市") not in args
    assert ("q", TERM) in args


def test_section_facet_uses_chinese_labels(client) -> None:
    """The section facet reads 主要举措和成效 / 下一年度安排, and filters by section."""
    doc = page(client, f"/?q={TERM}")
    labels = {
        a.get("data-value"): a.cssselect(".facet-value__label")[0].text_content()
        for a in doc.cssselect("a.facet-value[data-facet=section]")
    }
    assert labels == {"measures": "主要举措和成效", "plans": "下一年度安排"}
    doc = page(client, f"/?q={TERM}&section=plans&view=flat")
    assert {c.text_content() for c in doc.cssselect(".tag--section")} == {"下一年度安排"}


def test_filters_without_a_query_browse_the_index(client) -> None:
    """A facet link with no query lists the reports of that place."""
    ids = {r.report.report_id for r in web_corpus() if r.report.province == "浙江省"}
    assert set(cards(page(client, "/?province=浙江省"))) == ids


def test_state_lives_in_the_url_and_form(client) -> None:
    """The form carries the filters as hidden fields so a new query keeps them."""
    doc = page(client, f"/?q={TERM}&province=江苏省&report_year=2023")
    inputs = doc.cssselect("form.search-form input[type=hidden]")
    hidden = {(i.get("name"), i.get("value")) for i in inputs}
    assert hidden == {("province", "江苏省"), ("report_year", "2023")}
    assert doc.cssselect("form.search-form")[0].get("method") == "get"


# ---------------------------------------------------------------------- empty and bad


def test_empty_result_suggests_only_what_finds_something(client) -> None:
    """No match: each suggestion (drop a term, drop a filter, another filter value) is a link
    whose page finds exactly the reports and paragraphs the suggestion promised; alternatives
    that find nothing (here 模糊 mode and dropping 纠错率) are not offered."""
    doc = page(client, "/?q=纠错率 公平竞争审查&province=江苏省")
    assert "没有找到" in doc.cssselect(".results-summary")[0].text_content()
    tips = doc.cssselect("[data-suggestion]")
    labels = [li.cssselect("a")[0].text_content() for li in tips]
    assert any("去掉筛选" in t and "江苏省" in t for t in labels)
    assert any("去掉检索词“公平竞争审查”" in t for t in labels)
    assert not any("模糊" in t or "“纠错率”" in t for t in labels)
    for li in tips:
        promised = [int(x) for x in re.findall(r"\d+", li.cssselect(".suggestions__count")[0].text_content())]
        target = page(client, li.cssselect("a")[0].get("href"))
        summary = target.cssselect(".results-summary")[0]
        got = [int(summary.cssselect("[data-total-reports]")[0].text_content()),
               int(summary.cssselect("[data-total-paragraphs]")[0].text_content())]
        assert got == promised, li.text_content()


@pytest.mark.parametrize(
    "query_string",
    ['q="未闭合', "q=x&mode=telepathy", "q=x&scope=planet", "q=x&sort=random",
     "q=x&view=cards", "q=x&page=abc", "q=x&report_year=去年", "q=x&level=emperor",
     "q=x&section=intro", "q=" + "长" * 600],
)
def test_bad_queries_get_a_400_page_with_a_message(client, query_string: str) -> None:
    """A bad query or parameter shows the search page with a clear message, HTTP 400."""
    doc = page(client, "/?" + query_string, status=400)
    assert doc.cssselect(".notice--error .notice__message")[0].text_content().strip()
    assert doc.cssselect("input#q")  # the search box is still there to fix the query


@pytest.mark.parametrize(
    "value", ["0", "-5", "--5", "%2B3", "1e3", "３", "999999999999", "10000000000000000000000"]
)
def test_bad_or_out_of_range_pages_are_a_400_with_a_message(client, value: str) -> None:
    """page must be a plain number from 1 to the maximum; anything else is a 400 page that
    says so (never a 500, never silently another page)."""
    doc = page(client, f"/?q={TERM}&page={value}", status=400)
    assert "page" in doc.cssselect(".notice--error .notice__message")[0].text_content()


def test_index_missing_gives_a_503_page_that_says_what_to_run(make_client) -> None:
    """Without an index the page explains to run `fazhi index` (HTTP 503)."""
    client, _ = make_client(index=False)
    response = client.get(f"/?q={TERM}")
    assert response.status_code == 503
    assert "fazhi index" in parse_html(response.data).cssselect("main")[0].text_content()


def test_a_new_commit_is_searchable_without_restart(make_client) -> None:
    """Reports added by `fazhi index` after the app started are found by the next request."""
    client, settings = make_client()
    term = "营商环境"
    assert "没有找到" in page(client, f"/?q={term}").cssselect(".results-summary")[0].text_content()
    extra = make_report(
        "js/new-2024", "新增报告", Place("江苏省", "无锡市", level=Level.CITY), 2024,
        standard_body("无锡市", term),
    )
    index_reports(settings, [extra])
    assert cards(page(client, f"/?q={term}")) == ["js/new-2024"]


# ---------------------------------------------------------------------- long passages


def test_long_passages_are_cut_around_the_first_match(make_client) -> None:
    """A long paragraph shows a window around its match, with … and the match marked."""
    long_text = "前" * 400 + TERM + "后" * 400
    report = make_report(
        "long/one", "长段落报告", Place("江苏省", level=Level.PROVINCE), 2023,
        [(long_text, Section.MEASURES, False)],
    )
    client, _ = make_client([report])
    p = page(client, f"/?q={TERM}").cssselect(".passage__text")[0]
    text = p.text_content()
    assert text.startswith("…") and text.endswith("…") and len(text) < len(long_text)
    assert [m.text_content() for m in p.cssselect("mark")] == [TERM]


@pytest.mark.parametrize(
    "text, spans, expected",
    [
        ("短文本", ((0, 1),), ("短文本", ((0, 1),), False, False)),
        ("a" * 10 + "XY" + "b" * 10, ((10, 12),), ("aaXYbb", ((2, 4),), True, True)),
        ("XY" + "b" * 20, ((0, 2),), ("XYbbbb", ((0, 2),), False, True)),
        ("a" * 20 + "XY", ((20, 22),), ("aaaaXY", ((4, 6),), True, False)),
        ("a" * 10 + "XYZW" + "b" * 10, ((10, 14),), ("aaXYZW", ((2, 6),), True, True)),
    ],
)
def test_excerpt_windows(text: str, spans, expected) -> None:  # noqa: ANN001
    """excerpt keeps short texts whole and shifts spans into the window of long ones."""
    from webui.present import excerpt

    got = excerpt(text, spans, max_chars=6, lead=2)
    assert (got.text, got.spans, got.cut_before, got.cut_after) == expected


@pytest.mark.parametrize(
    "query_string, expected",
    [('q="未闭合', "引号不成对"), ("q=a OR", "OR 必须位于两个检索词之间"),
     ("q=" + "长" * 600, "检索词过长（600 个字符"), ("q=x&report_year=去年", "年份应为")],
)
def test_bad_query_messages_are_in_chinese(client, query_string: str, expected: str) -> None:
    """The engine's query errors read in Chinese on the page."""
    doc = page(client, "/?" + query_string, status=400)
    assert expected in doc.cssselect(".notice__message")[0].text_content()


def test_unknown_engine_messages_are_shown_as_they_are() -> None:
    """A message without a Chinese wording is passed through unchanged, never hidden."""
    from webui.messages import user_message

    assert user_message("something new went wrong") == "something new went wrong"
