"""The reader ``/reports/<id>``: the whole report, metadata, outline, anchors, the query's
highlights, and 404 for unknown ids and path traversal."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from fixtures_web import grep_corpus, parse_html, web_corpus

TERM = "行政复议"
RID = "js/tangqiao-2022"


def corpus_report(rid: str):  # noqa: ANN201
    return next(r for r in web_corpus() if r.report.report_id == rid)


def reader(client, url: str, status: int = 200):  # noqa: ANN001, ANN201
    response = client.get(url)
    assert response.status_code == status, response.data[:300]
    return parse_html(response.data)


def test_reader_shows_every_paragraph_anchored(client) -> None:
    """Every paragraph is on the page, in order, with id p<n>, its text as printed."""
    item = corpus_report(RID)
    doc = reader(client, f"/reports/{RID}")
    body = doc.cssselect(".document__body")[0]
    got = [(el.get("id"), el.text_content()) for el in body if el.get("id")]
    assert got == [(f"p{p.n + 1}", p.text) for p in item.paragraphs]  # 1-based anchors
    assert doc.cssselect("h1#doc-title")[0].text_content() == item.report.title


def test_reader_shows_metadata(client) -> None:
    """Issuer, 文号, published date and place are listed; a source URL is a link."""
    item = corpus_report(RID)
    text = reader(client, f"/reports/{RID}").cssselect(".meta-grid")[0].text_content()
    for value in (item.report.issuer, item.report.doc_number, item.report.published):
        assert value in text
    doc = reader(client, "/reports/js/nanjing-2023")
    link = doc.cssselect(".meta-grid a[rel~=noopener]")[0]
    assert link.get("href") == corpus_report("js/nanjing-2023").report.source_url


def test_reader_lists_warnings(client) -> None:
    """What ingest could not determine is shown with the report."""
    doc = reader(client, "/reports/zj/xihu-2023")
    items = [li.text_content() for li in doc.cssselect(".warnings li")]
    assert items == list(corpus_report("zj/xihu-2023").report.warnings)


def test_outline_links_to_headings(client) -> None:
    """The outline lists the report's headings, each linking to its anchor."""
    item = corpus_report(RID)
    doc = reader(client, f"/reports/{RID}")
    links = [(a.get("href"), a.text_content()) for a in doc.cssselect("nav.outline a")]
    assert links == [(f"#p{p.n + 1}", p.text) for p in item.paragraphs if p.is_heading]


def test_query_highlights_matches_and_points_at_the_first(client) -> None:
    """With ?q= the matching paragraphs carry <mark>s and the page names the first match."""
    expected = sorted(n for rid, n in grep_corpus(TERM) if rid == RID)
    doc = reader(client, f"/reports/{RID}?q={TERM}")
    marked = sorted(int(el.get("id")[1:]) - 1 for el in doc.cssselect(".has-match"))
    assert marked == expected
    assert {m.text_content() for m in doc.cssselect(".document__body mark")} == {TERM}
    assert doc.cssselect("body")[0].get("data-first-match") == f"p{expected[0] + 1}"
    assert doc.cssselect(".match-summary strong")[0].text_content() == str(len(expected))
    assert doc.cssselect(".match-summary a")[0].get("href") == f"#p{expected[0] + 1}"


def test_reader_without_matches_says_so(client) -> None:
    """A query absent from the report highlights nothing and says so."""
    doc = reader(client, f"/reports/{RID}?q=营商环境")
    assert doc.cssselect("mark") == []
    assert "没有" in doc.cssselect(".match-summary")[0].text_content()
    assert doc.cssselect("body")[0].get("data-first-match") is None


def test_reader_links_back_to_the_search(client) -> None:
    """The back link returns to the search for the same query."""
    doc = reader(client, f"/reports/{RID}?q={TERM}&mode=fuzzy")
    href = doc.cssselect("nav.breadcrumb a")[0].get("href")
    assert urlsplit(href).path == "/"
    assert dict(parse_qsl(urlsplit(href).query)) == {"q": TERM, "mode": "fuzzy"}


def test_bad_query_in_reader_is_a_400_with_the_report(client) -> None:
    """An unbalanced quote in ?q= still shows the report, with the message, HTTP 400."""
    doc = reader(client, f'/reports/{RID}?q="{TERM}', status=400)
    assert doc.cssselect(".notice--error")
    assert len(doc.cssselect(".document__body [id]")) == len(corpus_report(RID).paragraphs)


@pytest.mark.parametrize(
    "path",
    [
        "/reports/no/such-report",
        "/reports/../etc/passwd",
        "/reports/%2e%2e/%2e%2e/etc/passwd",
        "/reports/js/../js/tangqiao-2022",
        "/reports//etc/passwd",
        "/reports/js/tangqiao-2022%00",
        "/reports/js%5c..%5ctangqiao-2022",
        "/api/reports/../../config.toml",
        "/api/reports/no/such",
    ],
)
def test_unknown_ids_and_traversal_get_404(client, path: str) -> None:
    """Unknown report ids and path traversal attempts are answered 404, nothing else."""
    assert client.get(path, follow_redirects=True).status_code == 404
