"""Title search (标题检索): ``in=title`` / ``--in title`` and the ``标题:`` query prefix.

The oracle is grep over the reports' normalised titles (a substring scan), on a real Whoosh
index in tmp_path; the reports are built so that a title term also occurs in other reports'
texts (a paragraph search would find more) and titles carry width, case, space and
traditional-character variants the normalisation folds.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from fixtures_web import M, Place, make_report, parse_html

from indexer import QueryError, SearchRequest, index_reports, search, understand_query
from indexer.models import Mode, SearchIn
from indexer.normalize import normalize
from webui.cli import _register, cli

JS = Place("江苏省", "苏州市", "吴中区", None)
ZJ = Place("浙江省", "杭州市", "西湖区", None)
LONG = "本年度全面推进依法行政，各项工作取得明显成效，群众满意度持续提升。"


def corpus():
    """Seven reports: titles with 法治政府 (one spelt 法治 政府, one in traditional script), an
    open-government title whose text talks of 法治政府 a lot, one without a title."""
    def body(*texts):
        return [("一、总体情况", M, True), *[(t, M, False) for t in texts]]

    return [
        make_report("r/fz-2022", "吴中区2022年法治政府建设情况报告", JS, 2022,
                    body("简短开头。", LONG + "行政复议案件办结。")),
        make_report("r/fz-2023", "吴中区2023年度法治 政府建设工作报告", JS, 2023,
                    body(LONG + "推进行政执法三项制度。")),
        make_report("r/fz-trad", "西湖區2023年法治政府建設情況報告", ZJ, 2023,
                    body(LONG + "公平竞争审查。")),
        make_report("r/gk-2023", "西湖区2023年政务公开工作年度报告", ZJ, 2023,
                    body("法治政府建设与政务公开同步推进，法治政府示范创建。" + LONG)),
        make_report("r/ff-2023", "吴中区2023年法治建设与政府治理报告", JS, 2023,
                    body(LONG + "行政复议规范化。")),
        make_report("r/ss-2021", "吴中区２０２１年ＰＰＰ项目实施报告", JS, 2021,
                    body(LONG + "法治政府。")),
        make_report("r/none", None, ZJ, 2022, body(LONG + "法治政府建设。")),
    ]


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    from fixtures_web import settings_for

    s = settings_for(tmp_path_factory.mktemp("titles"))
    index_reports(s, corpus())
    return s


def title_grep(term: str, **where: str) -> set[str]:
    """Reports whose normalised title contains the normalised term (and whose fields match)."""
    needle = normalize(term)
    return {item.report.report_id for item in corpus()
            if needle in normalize(item.report.title or "")
            and all(getattr(item.report, k) == v for k, v in where.items())}


def found(settings, query: str, **kw) -> set[str]:
    request = SearchRequest(query=query, search_in=SearchIn.TITLE, grouped=True, limit=1000,
                            **kw)
    return {g.report.report_id for g in search(settings, request).groups}


@pytest.mark.parametrize("term", ["法治政府", "法治", "政府", "报告", "2023", "西湖区",
                                  "ppp", "２０２１", "法治 政府", "建设情况", "年度", "区"])
def test_exact_title_search_equals_grep_over_titles(settings, term) -> None:
    """Exact mode: a report matches iff its normalised title contains the term (width, case,
    spaces and traditional script folded), whatever its paragraphs say."""
    assert found(settings, f'"{term}"') == title_grep(term)


def test_title_search_ignores_paragraph_texts(settings) -> None:
    """r/gk-2023 talks of 法治政府 in its text, not its title: a paragraph search finds it, a
    title search does not; the untitled report is never found by title."""
    fulltext = {g.report.report_id for g in search(settings, SearchRequest(
        query="法治政府", limit=100)).groups}
    assert {"r/gk-2023", "r/none"} <= fulltext
    assert found(settings, "法治政府") == title_grep("法治政府") == {
        "r/fz-2022", "r/fz-2023", "r/fz-trad"}


def test_filters_and_boolean_operators_apply_to_titles(settings) -> None:
    assert found(settings, "法治政府", filters=(("province", ("江苏省",)),)) == title_grep(
        "法治政府", province="江苏省")
    assert found(settings, "法治政府 -2022") == title_grep("法治政府") - title_grep("2022")
    assert found(settings, "政务公开 OR ppp") == title_grep("政务公开") | title_grep("ppp")


def test_fuzzy_title_search_needs_every_word_in_any_order(settings) -> None:
    """模糊: 法治政府建设报告's words (法治 政府 建设 报告) all in the title, any order --
    r/ff-2023 (法治建设与政府治理报告) too, which exact mode does not find."""
    fuzzy = found(settings, "法治政府建设报告", mode=Mode.FUZZY)
    assert "r/ff-2023" in fuzzy and "r/gk-2023" not in fuzzy
    assert found(settings, "法治政府建设报告") == title_grep("法治政府建设报告") == set()
    for rid in fuzzy:
        title = normalize(next(i.report.title for i in corpus() if i.report.report_id == rid))
        assert all(w in title for w in ("法治", "政府", "建设", "报告"))


def test_each_report_is_shown_once_by_its_lead_paragraph_and_titles_are_marked(settings):
    """One hit per report: its first paragraph that is not a heading and has 30+ characters
    (r/fz-2022 opens with a heading and a short line); the title terms' spans are marked."""
    results = search(settings, SearchRequest(query="法治政府", search_in=SearchIn.TITLE,
                                             grouped=False, limit=100))
    assert results.total_paragraphs == results.total_reports == len(results.hits) == 3
    by_id = {h.report_id: h for h in results.hits}
    assert by_id["r/fz-2022"].n == 2 and by_id["r/fz-2022"].text.startswith(LONG[:10])
    for h in results.hits:
        marked = "".join(h.report.title[s:e] for s, e in h.title_highlights)
        assert normalize(marked) == "法治政府" * len(h.title_highlights)
        assert h.highlights == ()
    assert by_id["r/fz-2023"].report.title[slice(*by_id["r/fz-2023"].title_highlights[0])] == \
        "法治 政府"


def test_title_prefix_restricts_a_paragraph_search(settings) -> None:
    """标题:法治政府 行政复议 = paragraphs holding 行政复议 in reports titled 法治政府; a
    negated 标题: term leaves reports out by their titles."""
    request = SearchRequest(query="标题:法治政府 行政复议", grouped=False, limit=100)
    hits = search(settings, request).hits
    titled = title_grep("法治政府")
    expected = {(i.report.report_id, p.n) for i in corpus() if i.report.report_id in titled
                for p in i.paragraphs if "行政复议" in p.text}
    assert {(h.report_id, h.n) for h in hits} == expected and expected
    excluded = search(settings, SearchRequest(query="行政复议 -标题:2022", limit=100)).groups
    assert {g.report.report_id for g in excluded} == {"r/ff-2023"}


def test_or_between_title_and_paragraph_terms_is_refused(settings) -> None:
    with pytest.raises(QueryError, match="cannot mix title terms"):
        search(settings, SearchRequest(query="标题:法治 OR 复议"))
    with pytest.raises(QueryError, match="标题:法治政府"):
        search(settings, SearchRequest(query="标题: 法治"))


def test_the_understood_line_says_titles_were_searched(settings) -> None:
    u = understand_query(SearchRequest(query="法治政府", search_in=SearchIn.TITLE))
    assert u.title_only and "标题" in u.where_zh() and u.summary_en() == 'titles: "法治政府"'
    mixed = understand_query(SearchRequest(query="标题:法治政府 复议"))
    assert not mixed.title_only and mixed.summary_zh() == "标题：“法治政府” 并且 “复议”"


# ---------------------------------------------------------------- web, JSON, CSV, CLI


@pytest.fixture(scope="module")
def client(settings):
    from webui import create_app

    return create_app({"SETTINGS": settings, "TESTING": True}).test_client()


def test_search_page_in_titles(client) -> None:
    doc = parse_html(client.get("/?q=法治政府&in=title").data)
    cards = doc.cssselect(".report-card")
    assert {c.get("data-report-id") for c in cards} == title_grep("法治政府")
    for card in cards:
        assert normalize(card.cssselect(".report-card__title mark")[0].text_content()) == "法治政府"
        assert len(card.cssselect(".passage")) == 1
    assert "标题匹配的报告" in doc.cssselect(".results-summary")[0].text_content()
    assert "检索标题" in doc.cssselect("[data-understood-in]")[0].text_content()
    assert doc.cssselect("input[name=in][value=title]")[0].get("checked") is not None


def test_api_json_and_csv_in_titles(client) -> None:
    body = client.get("/api/search?q=法治政府&in=title&province=江苏省").get_json()
    assert body["in"] == "title" and body["understood"]["in"] == "title"
    assert {h["report_id"] for h in body["hits"]} == title_grep("法治政府", province="江苏省")
    assert all(h["title_highlights"] for h in body["hits"])
    assert body["facets"]["province"][0]["reports"] == 2
    rows = list(csv.DictReader(io.StringIO(
        client.get("/export.csv?q=法治政府&in=title").data.decode("utf-8-sig"))))
    assert sorted(r["报告编号"] for r in rows) == sorted(title_grep("法治政府"))
    assert client.get("/api/search?q=x&in=heading").status_code == 400


def test_cli_title_search(settings) -> None:
    _register()
    runner = CliRunner()
    ix = ["--index", str(settings.index_path)]
    out = runner.invoke(cli, [*ix, "search", "--in", "title", "法治政府", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {h["report_id"] for h in data["hits"]} == title_grep("法治政府")
    text = runner.invoke(cli, [*ix, "search", "标题:法治政府"])
    assert text.exit_code == 0 and "in titles" not in text.output.splitlines()[0]
    assert "【" in text.output
    bad = runner.invoke(cli, [*ix, "search", "标题:法治", "OR", "复议"])
    assert bad.exit_code == 2 and "Error:" in bad.output
