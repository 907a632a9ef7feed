"""Web security: escaping of hostile report text and queries, security headers, GET only,
junk parameters never a server error."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fixtures_web import XSS_IMG, XSS_SCRIPT, parse_html
from hypothesis import HealthCheck, given, settings, strategies as st

PAGES = [
    "/",
    "/?q=行政复议",
    "/?q=行政复议&view=flat",
    "/?q=script",
    "/?q=onerror",
    "/?province=江苏省",
    "/reports/evil/probe",
    "/reports/evil/probe?q=alert",
    "/?q=" + quote(XSS_SCRIPT),
    "/?q=" + quote(XSS_IMG),
    "/reports/evil/probe?q=" + quote(XSS_IMG),
    "/?q=x&city=" + quote(XSS_IMG),
    "/?q=" + quote('"' + XSS_IMG),  # also a bad query: the 400 page must escape it too
]


def assert_inert(data: bytes) -> None:
    """No script but our static file, no event-handler attribute, no injected element."""
    text = data.decode("utf-8")
    assert XSS_SCRIPT not in text and "<img" not in text
    doc = parse_html(data)
    scripts = doc.xpath("//script")
    assert [s.get("src") for s in scripts] == ["/static/app.js"]
    assert all(not (s.text or "").strip() for s in scripts)
    for el in doc.iter():
        if isinstance(el.tag, str):
            assert not [a for a in el.attrib if a.lower().startswith("on")], el.tag
            assert el.tag not in ("img", "iframe", "object", "embed")
    assert not [a for a in doc.xpath("//a/@href") if a.lower().startswith("javascript:")]


@pytest.mark.parametrize("url", PAGES)
def test_hostile_text_renders_as_text(client, url: str) -> None:
    """Report titles, headings, metadata and queries with markup show as text, never run."""
    response = client.get(url)
    assert response.status_code in (200, 400)
    assert_inert(response.data)


def test_hostile_text_is_visible_as_typed(client) -> None:
    """The escaped probes still read as the original characters."""
    doc = parse_html(client.get("/reports/evil/probe").data)
    assert doc.cssselect("h1#doc-title")[0].text_content() == f"{XSS_SCRIPT}恶意标题{XSS_IMG}"
    assert XSS_IMG in doc.cssselect(".document__body h2")[0].text_content()


def test_api_json_escapes_nothing_but_is_json(client) -> None:
    """The API serves hostile text as JSON data with a JSON content type (never HTML)."""
    response = client.get("/api/reports/evil/probe")
    assert response.mimetype == "application/json"
    assert response.get_json()["title"].startswith(XSS_SCRIPT)


@pytest.mark.parametrize(
    "url", ["/", "/?q=行政复议", "/?q=%22", "/nope", "/reports/evil/probe", "/api/search?q=x",
            "/api/reports/nope", "/export.csv?q=x", "/static/style.css", "/static/app.js"],
)
def test_security_headers_on_every_response(client, url: str) -> None:
    """CSP without inline script, nosniff, referrer policy and no framing, on every answer."""
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("url", ["/", "/api/search", "/reports/evil/probe", "/export.csv"])
def test_only_get_and_head(client, method: str, url: str) -> None:
    """Every verb but GET and HEAD is refused with 405."""
    response = client.open(url, method=method)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"


def test_head_works(client) -> None:
    """HEAD answers like GET, without a body."""
    response = client.head("/?q=行政复议")
    assert response.status_code == 200 and response.data == b""


JUNK = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=JUNK,
    page=st.one_of(JUNK, st.integers(-(10**30), 10**30).map(str)),
    limit=st.one_of(JUNK, st.integers(-(10**30), 10**30).map(str)),
    field=st.sampled_from(["province", "report_year", "level", "section", "report_id", "town"]),
    value=JUNK,
    path=st.sampled_from(["/", "/api/search", "/api/facets", "/export.csv"]),
)
def test_junk_parameters_never_cause_server_errors(  # noqa: PLR0913 - one per parameter
    client, q, page, limit, field, value, path  # noqa: ANN001
) -> None:
    """Random queries, pages, limits and filter values give results or a 400, never a 5xx."""
    response = client.get(path, query_string={"q": q, "page": page, "limit": limit, field: value})
    assert response.status_code in (200, 400), response.data[:300]
