"""JSON API and CSV export: the same parameters and data as the search page."""

from __future__ import annotations

import csv
import io

import pytest
from fixtures_web import FORMULA, grep_corpus, parse_html, web_corpus

from indexer import SearchRequest, results_to_dict, search
from webui import views_api
from webui.params import MAX_API_LIMIT
from webui.views_api import neutralise

TERM = "行政复议"


def without_timing(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in ("elapsed_ms", "page")}


def test_api_search_is_the_cli_json(client, web_settings) -> None:
    """/api/search returns exactly the public results_to_dict of the same search."""
    response = client.get(f"/api/search?q={TERM}&view=flat&limit=5")
    assert response.status_code == 200 and response.is_json
    request = SearchRequest(query=TERM, grouped=False, limit=5, paragraphs_per_report=3)
    expected = results_to_dict(search(web_settings, request), public=True)
    assert without_timing(response.get_json()) == without_timing(expected)


def test_api_search_pages_with_page_and_limit(client) -> None:
    """page/limit walk the flat hits: together the pages hold every match once."""
    expected = grep_corpus(TERM)
    seen = []
    for n in range(1, len(expected) // 4 + 2):
        body = client.get(f"/api/search?q={TERM}&view=flat&limit=4&page={n}").get_json()
        assert body["total_paragraphs"] == len(expected)
        seen += [(h["report_id"], h["n"] - 1) for h in body["hits"]]  # JSON n is 1-based
    assert sorted(seen) == sorted(expected)


def test_api_search_hits_carry_highlight_offsets(client) -> None:
    """Each hit's highlights are [start, end] offsets of the term in its text."""
    for hit in client.get(f"/api/search?q={TERM}&view=flat").get_json()["hits"]:
        assert [hit["text"][s:e] for s, e in hit["highlights"]] == [TERM] * hit["text"].count(TERM)


@pytest.mark.parametrize("limit", [str(MAX_API_LIMIT + 1), "100000000", "99999999999999999999999"])
def test_api_limit_over_the_maximum_is_refused(client, limit: str) -> None:
    """A limit over the API's maximum is a 400 naming the maximum, never silently capped
    while the JSON echoes the asked value."""
    response = client.get(f"/api/search?q={TERM}&view=flat&limit={limit}")
    assert response.status_code == 400
    assert str(MAX_API_LIMIT) in response.get_json()["error"]["message"]


def test_api_limit_at_the_maximum_is_the_one_echoed(client) -> None:
    """limit = the maximum is served, and the JSON's limit is the value actually used."""
    body = client.get(f"/api/search?q={TERM}&view=flat&limit={MAX_API_LIMIT}").get_json()
    assert body["limit"] == MAX_API_LIMIT
    assert len(body["hits"]) == len(grep_corpus(TERM))


@pytest.mark.parametrize(
    "query_string", ["q=x&limit=ten", 'q="open', "q=x&mode=zzz", "q=x&level=king"]
)
def test_api_errors_are_json_400(client, query_string: str) -> None:
    """Bad parameters give a JSON error with a message, HTTP 400."""
    response = client.get("/api/search?" + query_string)
    assert response.status_code == 400 and response.is_json
    assert response.get_json()["error"]["message"]


def test_api_report_is_the_inspect_json(client) -> None:
    """/api/reports/<id> gives the Report fields plus every paragraph."""
    item = next(r for r in web_corpus() if r.report.report_id == "js/tangqiao-2022")
    body = client.get("/api/reports/js/tangqiao-2022").get_json()
    assert body["title"] == item.report.title and body["level"] == "town"
    assert [(p["n"], p["text"], p["is_heading"], p["section"]) for p in body["paragraphs"]] == [
        (p.n + 1, p.text, p.is_heading, str(p.section)) for p in item.paragraphs  # 1-based
    ]


def test_api_unknown_report_is_json_404(client) -> None:
    """An unknown id is a JSON 404."""
    response = client.get("/api/reports/nope")
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


def test_api_facets_count_every_match(client) -> None:
    """/api/facets gives per-value counts over all matches, with parents for places."""
    corpus = {r.report.report_id: r.report for r in web_corpus()}
    body = client.get(f"/api/facets?q={TERM}&province=江苏省").get_json()
    everywhere = grep_corpus(TERM)
    expected = [x for x in everywhere if corpus[x[0]].province == "江苏省"]
    assert body["total_paragraphs"] == len(expected)
    # The region fields are one tree, counted under no region filter: the cities of every
    # province are listed, each with its own province as parent.
    cities = {v["value"]: (v["count"], v["parent"]) for v in body["facets"]["city"]["values"]}
    assert cities == {
        c: (sum(1 for rid, _ in everywhere if corpus[rid].city == c),
            next(corpus[rid].province for rid, _ in everywhere if corpus[rid].city == c))
        for c in {corpus[rid].city for rid, _ in everywhere if corpus[rid].city}
    }
    province = {v["value"]: v["selected"] for v in body["facets"]["province"]["values"]}
    assert province["江苏省"] is True and province["浙江省"] is False


def test_search_page_links_its_json_and_csv_twins(client) -> None:
    """The page links /api/search and /export.csv with the same query string."""
    doc = parse_html(client.get(f"/?q={TERM}&province=江苏省").data)
    links = [a.get("href") for a in doc.cssselect(".results-links a")]
    assert links[0].startswith("/api/search?") and links[1].startswith("/export.csv?")
    assert links[0].split("?", 1)[1] == links[1].split("?", 1)[1]
    assert client.get(links[0]).get_json()["filters"] == {"province": ["江苏省"]}


# ---------------------------------------------------------------------- CSV


def read_csv(response) -> list[list[str]]:  # noqa: ANN001
    assert response.data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_csv_exports_the_whole_result_set(web_settings, monkeypatch) -> None:
    """The CSV holds one row per matching paragraph, past page size and fetch chunks."""
    from webui import create_app

    monkeypatch.setattr(views_api, "CSV_CHUNK", 3)  # several engine calls for one export
    client = create_app({"SETTINGS": web_settings.replace(page_size=2)}).test_client()
    response = client.get(f"/export.csv?q={TERM}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    assert header[0] == "报告编号" and "段落原文" in header
    got = sorted((r[0], int(r[header.index("段落序号")]) - 1) for r in body)  # 1-based
    assert got == sorted(grep_corpus(TERM))


def test_csv_neutralises_formulas(client) -> None:
    """Cells a spreadsheet would run as formulas start with an apostrophe."""
    rows = read_csv(client.get("/export.csv?report_id=evil/probe"))
    texts = [r[rows[0].index("段落原文")] for r in rows[1:]]
    assert "'" + FORMULA in texts
    assert any(t.startswith("'-2+3") for t in texts)
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


@pytest.mark.parametrize(
    "cell, expected",
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\t=1", "'\t=1"), ("行政复议", "行政复议"), ("", "")],
)
def test_neutralise(cell: str, expected: str) -> None:
    """neutralise prefixes exactly the formula starters."""
    assert neutralise(cell) == expected


def test_csv_bad_query_is_400(client) -> None:
    """A bad query in an export link is a 400, not an empty file."""
    assert client.get('/export.csv?q="open').status_code == 400


def test_api_without_index_is_json_503(make_client) -> None:
    """Without an index the API answers 503 with a hint to run `fazhi index`."""
    client, _ = make_client(index=False)
    response = client.get("/api/search?q=x")
    assert response.status_code == 503
    assert "fazhi index" in response.get_json()["error"]["hint"]
