"""Issue 12 on a real index: the queries people type find what they mean (operators, Chinese
quotes and separators, filter values as written), normalisation does not over-match, fuzzy mode
finds what exact mode cannot, and every front end says how the query was read."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from click.testing import CliRunner
from fixtures_search import all_hits, make_report
from fixtures_web import grep_corpus, parse_html

from indexer import Mode, QueryError, SearchRequest, search

from webui.cli import _register, cli

PARAGRAPHS = [
    "全面落实行政执法“三项制度”，执法行为更加规范。",
    "印发“八五”普法规划，开展普法宣传。",
    "政务服务便民热线受理群众诉求。",
    "依法办理复议案件十二件。",
    "行政复议案件与信访事项同步化解。",
    "建设任务①完成。",
    "第Ⅰ期工程，完成信息系统建设。",
    "第1期工程与第i期",
]


@pytest.fixture()
def settings(index_reports):
    return index_reports(make_report("r", PARAGRAPHS, province="江苏省", city="苏州市"))


def hits(settings, query: str, **kw) -> set[int]:
    return {n for _, n in all_hits(settings, query, **kw)}


def test_operators_people_type_find_the_same_as_space(settings) -> None:
    """行政复议 AND 信访 (and every other spelling) finds what 行政复议 信访 finds."""
    expected = hits(settings, "行政复议 信访")
    assert expected == {4}
    for query in ("行政复议 AND 信访", "行政复议 and 信访", "行政复议&信访", "行政复议 并且 信访",
                  "行政复议，信访", "行政复议、信访", "“行政复议”；「信访」"):
        assert hits(settings, query) == expected, query
    assert hits(settings, "复议 NOT 信访") == hits(settings, "复议 -信访") == {3}
    assert hits(settings, "复议 不含 信访") == {3}
    assert hits(settings, "信访 或者 热线") == hits(settings, "信访 OR 热线") == {2, 4}


def test_circled_and_roman_numerals_do_not_match_digits_and_letters(settings) -> None:
    """① finds only ①, Ⅰ only Ⅰ; 1 and i do not find them (NFKC folded them together)."""
    assert hits(settings, "①") == {5}
    assert hits(settings, "Ⅰ") == {6}
    assert hits(settings, "1") == {7}  # 第1期, not ①
    assert 6 not in hits(settings, "i") and 7 in hits(settings, "i")
    assert hits(settings, "第1期") == {7}


def test_fuzzy_ignores_punctuation_inside_the_phrase(settings) -> None:
    """Exact mode needs the string; fuzzy finds it with quotes inside, and highlights it."""
    assert hits(settings, "行政执法三项制度") == set()
    assert hits(settings, "行政执法三项制度", mode=Mode.FUZZY) == {0}
    assert hits(settings, "八五普法规划") == set()
    assert hits(settings, "八五普法规划", mode=Mode.FUZZY) == {1}


def test_fuzzy_finds_dictionary_variants_and_highlights_them(settings) -> None:
    """12345热线 finds 政务服务便民热线, 行政复议 finds 复议 (variants.txt); exact mode does not."""
    assert hits(settings, "12345热线") == set()
    assert hits(settings, "行政复议") == {4}
    request = SearchRequest(query="12345热线", mode=Mode.FUZZY, grouped=False, limit=10,
                            with_facets=False)
    [hit] = search(settings, request).hits
    marked = [hit.text[s:e] for s, e in hit.highlights]
    assert "政务服务" in "".join(marked) and "热线" in "".join(marked)
    assert hits(settings, "行政复议", mode=Mode.FUZZY) == {3, 4}


def test_place_filters_accept_short_names(settings) -> None:
    """city=苏州 is 苏州市 on every front end; an unknown value names the nearest ones."""
    from indexer.filter_values import resolve_filters

    resolved = resolve_filters(settings, (("city", ("苏州",)), ("province", ("江苏",))))
    assert resolved.filters == (("city", ("苏州市",)), ("province", ("江苏省",)))
    assert not resolved.problems
    unknown = resolve_filters(settings, (("city", ("苏洲",)),)).problems[0]
    assert unknown.kind == "unknown" and [c.value for c in unknown.choices] == ["苏州市"]


# ---------------------------------------------------------------- the web page and API


def test_web_filter_short_names_levels_and_choices(client) -> None:
    """city=苏州 and level=县级 give the results of 苏州市 and county; an ambiguous or unknown
    value shows links to the valid values, each of which finds results."""
    full = client.get("/api/search?q=行政复议&city=苏州市").get_json()
    short = client.get("/api/search?q=行政复议&city=苏州").get_json()
    assert short["total_paragraphs"] == full["total_paragraphs"] > 0
    assert short["understood"]["filter_readings"] == [
        {"field": "city", "typed": "苏州", "value": "苏州市"}]
    level = client.get("/api/search?q=行政复议&level=县级").get_json()
    assert level["filters"] == {"level": ["county"]} and level["total_paragraphs"] > 0
    doc = parse_html(client.get("/?q=行政复议&town=塘桥").data)
    assert "塘桥镇" in doc.cssselect("[data-filter-reading]")[0].text_content()
    doc = parse_html(client.get("/?q=行政复议&city=塘桥").data)
    box = doc.cssselect("[data-filter-problems]")[0]
    links = box.cssselect("a")
    assert links and "塘桥镇" in links[0].text_content()
    target = dict(parse_qsl(urlsplit(links[0].get("href")).query))
    assert target.get("town") == "塘桥镇" and "city" not in target
    api = client.get("/api/search?q=行政复议&city=塘桥").get_json()
    assert api["total_paragraphs"] == 0  # a value nothing resolves is searched as typed
    [problem] = api["understood"]["filter_problems"]
    assert problem["kind"] == "unknown" and problem["choices"][0] == {
        "field": "town", "value": "塘桥镇", "parent": "张家港市"}


def test_unknown_year_beside_a_level_filter_names_the_years_there_are(client) -> None:
    """report_year=2019 (not indexed) next to level=县级: the page answers, names 2022/2023."""
    response = client.get("/?q=行政复议&level=县级&report_year=2019")
    assert response.status_code == 200
    box = parse_html(response.data).cssselect("[data-filter-problems]")[0].text_content()
    assert "2019" in box and "2023年" in box and "2022年" in box


def test_json_says_how_the_query_was_read_and_what_to_try(client) -> None:
    """understood: groups, negatives, mode, scope, notes; suggestions when nothing matched,
    each with the counts its own search gives."""
    body = client.get("/api/search?q=行政复议 or 行政诉讼 不含 调解&mode=fuzzy").get_json()
    understood = body["understood"]
    assert [t["text"] for t in understood["groups"][0] if not t["variant_of"]] == ["行政复议",
                                                                                  "行政诉讼"]
    assert {t["text"] for t in understood["negatives"]} >= {"调解"}
    assert understood["mode"] == "fuzzy" and understood["scope"] == "paragraph"
    assert any("or" in n["en"] for n in understood["notes"])
    empty = client.get("/api/search?q=纠错率 公平竞争审查&province=江苏省").get_json()
    assert empty["total_paragraphs"] == 0 and empty["suggestions"]
    for tip in empty["suggestions"]:
        args = {"q": tip["query"], "mode": tip["mode"], "scope": tip["scope"], **{
            f: v[0] for f, v in tip["filters"].items()}}
        again = client.get("/api/search", query_string=args).get_json()
        assert again["total_paragraphs"] == tip["total_paragraphs"] > 0


def test_page_names_the_variant_that_matched(make_client) -> None:
    """In fuzzy mode a passage found only through a dictionary variant says which variant;
    a passage holding the typed term says nothing."""
    client, _ = make_client([make_report("r", PARAGRAPHS + ["12345热线全年受理诉求。"])])
    doc = parse_html(client.get("/?q=12345热线&mode=fuzzy&view=flat").data)
    shown = {}
    for p in doc.cssselect(".passage"):
        note = p.cssselect("[data-variants]")
        shown[p.cssselect(".passage__text")[0].text_content()] = (
            note[0].text_content() if note else None)
    assert shown == {
        "政务服务便民热线受理群众诉求。": "命中近义写法：政务服务便民热线（12345热线）",
        "12345热线全年受理诉求。": None,
    }


def test_outline_counts_matches_per_section(client) -> None:
    """Each 目录 entry counts the matching paragraphs from its heading to the next heading of
    the same or a higher level; entries without matches carry no mark."""
    rid = "js/tangqiao-2022"
    doc = parse_html(client.get(f"/reports/{rid}?q=行政复议").data)
    body = doc.cssselect(".document__body")[0]
    blocks = [el for el in body if el.get("id")]
    for item in doc.cssselect(".outline__item"):
        anchor = item.cssselect("a")[0].get("href")[1:]
        start = next(i for i, el in enumerate(blocks) if el.get("id") == anchor)
        end = next((i for i in range(start + 1, len(blocks)) if blocks[i].tag == "h2"),
                   len(blocks))
        expected = sum("has-match" in (el.get("class") or "") for el in blocks[start:end])
        mark = item.cssselect("[data-outline-matches]")
        assert (int(mark[0].get("data-outline-matches")) if mark else 0) == expected, anchor
    matching = [n for r, n in grep_corpus("行政复议") if r == rid]
    assert len(doc.cssselect(".document__body .has-match")) == len(matching)
    assert doc.cssselect("[data-outline-matches]")


# ---------------------------------------------------------------- the CLI


def test_cli_accepts_minus_terms_and_says_how_it_read_the_query(tmp_path, index_reports) -> None:
    """`fazhi search 复议 -信访` needs no --; the output starts with the reading; 1-based #n."""
    settings = index_reports(make_report("r", PARAGRAPHS, province="江苏省", city="苏州市"))
    _register()
    config = tmp_path / "c.toml"
    config.write_text(f'[index]\npath = "{settings.index_path}"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "search", "复议", "-信访"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith('query: "复议" NOT "信访"')
    assert "#4 " in result.output  # paragraph 3 of the engine is the 4th paragraph
    short = CliRunner().invoke(cli, ["--config", str(config), "search", "复议", "--filter",
                                     "city=苏州", "--json"])
    data = json.loads(short.output)
    assert data["filters"] == {"city": ["苏州市"]} and [h["n"] for h in data["hits"]] == [4, 5]
    bad = CliRunner().invoke(cli, ["--config", str(config), "search", "行政*议"])
    assert bad.exit_code == 2 and "wildcard" in bad.output
    with pytest.raises(QueryError):
        search(settings, SearchRequest(query="行政*议"))
