"""Bounded work for every request: strict parameters, caps on values and URL size, pages that
grow linearly, capped hit texts, no server paths, and reports with odd file names that open."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote, urlencode

import pytest
from fixtures_web import M, Place, make_report, parse_html, web_corpus

from webui.params import MAX_QUERY_STRING, MAX_VALUES_PER_FILTER

ROUTES = ("/", "/api/search", "/api/facets", "/export.csv")
TERM = "行政复议"


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    "query", ["page=--5", "limit=--5", "page=-1", "page=1.5", "limit=1e9", "page=%EF%BC%93",
              "mode=exact&mode=fuzzy", "q=a&q=b", "page=1&page=2"],
)
def test_bad_parameters_are_a_400_with_a_message_on_every_route(client, route, query) -> None:
    """Malformed, repeated or out-of-range parameters give 400 and a message, never a 500."""
    response = client.get(f"{route}?q={TERM}&{query}" if "q=" not in query else f"{route}?{query}")
    if route in ("/", "/export.csv") and query.startswith("limit"):
        assert response.status_code == 200  # no limit parameter there: ignored like any other
        return
    assert response.status_code == 400, (route, query, response.status_code)
    text = response.get_data(as_text=True)
    assert ("page" in text or "limit" in text or "mode" in text or "参数 q" in text)


@pytest.mark.parametrize("route", ROUTES)
def test_too_many_values_for_one_filter_are_refused(client, route: str) -> None:
    """More values for one filter than the cap: 400 naming the cap, before any search."""
    pairs = [("q", TERM)] + [("report_id", f"r{i}") for i in range(MAX_VALUES_PER_FILTER + 1)]
    response = client.get(route + "?" + urlencode(pairs))
    assert response.status_code == 400
    assert str(MAX_VALUES_PER_FILTER) in response.get_data(as_text=True)


@pytest.mark.parametrize("route", [*ROUTES, "/reports/js/nanjing-2023", "/api/reports/x", "/nope"])
def test_a_huge_query_string_is_refused_on_every_route(client, route: str) -> None:
    """A URL whose query string is over the cap is a 400 with a message on every route."""
    response = client.get(route + "?q=" + "x" * (MAX_QUERY_STRING + 1))
    assert response.status_code == 400
    assert str(MAX_QUERY_STRING) in response.get_data(as_text=True)


def test_the_search_page_grows_linearly_with_the_number_of_filter_values(client) -> None:
    """Doubling the selected values at most doubles what they add to the page (the old chips
    each linked to all the other values: the page grew with the square)."""

    def size(n: int) -> int:
        pairs = [("q", TERM)] + [("report_id", f"report-number-{i:04d}") for i in range(n)]
        response = client.get("/?" + urlencode(pairs))
        assert response.status_code == 200
        return len(response.data)

    s12, s24, s48 = size(12), size(24), size(48)
    assert 0 < (s48 - s24) <= 2.3 * (s24 - s12)


def long_paragraph_corpus(length: int) -> list:
    text = "甲" * length + TERM + "乙" * length
    report = make_report("long/one-line", "一行很长的报告", Place("江苏省", level=None), 2023,
                         [(text, M, False)])
    return [*web_corpus(), report]


def test_hit_texts_in_json_are_capped_with_consistent_highlights(make_client) -> None:
    """A 200 000-character paragraph comes back as a window around its match; the highlight
    offsets point at the term in that window, and the JSON says where the window starts."""
    client, _ = make_client(long_paragraph_corpus(100_000))
    body = client.get(f"/api/search?q={TERM}&view=flat&report_id=long/one-line").get_json()
    (hit,) = body["hits"]
    assert len(hit["text"]) <= 2_000 and hit["text_length"] == 200_000 + len(TERM)
    assert [hit["text"][s:e] for s, e in hit["highlights"]] == [TERM]
    assert hit["text_start"] + hit["highlights"][0][0] == 100_000
    assert len(client.get(f"/?q={TERM}&view=flat").data) < 200_000


def test_json_never_shows_server_paths(make_client, tmp_path) -> None:
    """source_path in hits and reports is relative to the corpus root, not the server's path."""
    item = make_report("js/a", "报告", Place("江苏省"), 2023, [(f"{TERM}工作", M, False)])
    on_disk = str(tmp_path / "corpus" / "js" / "a.html")
    reports = [replace(item, report=replace(item.report, source_path=on_disk))]
    client, _ = make_client(reports)
    hit = client.get(f"/api/search?q={TERM}&view=flat").get_json()["hits"][0]
    report = client.get("/api/reports/js/a").get_json()
    assert hit["report"]["source_path"] == report["source_path"] == "js/a.html"
    for response in (client.get(f"/api/search?q={TERM}"), client.get("/api/reports/js/a"),
                     client.get(f"/?q={TERM}"), client.get("/reports/js/a")):
        assert str(tmp_path).encode() not in response.data


ODD_IDS = ("win\\style\\name", "tab\there", "bytes-\\xff\\xfe-name", "空 格/a\tb\\c")


def test_reports_with_odd_file_names_open_in_the_reader_and_the_api(make_client) -> None:
    """Ids holding a backslash, a tab or \\xNN escapes of undecodable bytes open (not 404),
    and the search page links to them correctly."""
    reports = [make_report(rid, f"报告{i}", Place("江苏省"), 2023, [(f"{TERM}第{i}件", M, False)])
               for i, rid in enumerate(ODD_IDS)]
    client, _ = make_client(reports)
    for rid in ODD_IDS:
        assert client.get("/reports/" + quote(rid)).status_code == 200, rid
        assert client.get("/api/reports/" + quote(rid)).get_json()["report_id"] == rid
    doc = parse_html(client.get(f"/?q={TERM}").data)
    links = [a.get("href") for a in doc.cssselect(".report-card__title a")]
    assert len(links) == len(ODD_IDS)
    for href in links:
        assert client.get(href).status_code == 200, href
