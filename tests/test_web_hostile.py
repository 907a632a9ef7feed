"""Web security against a real index whose every field is a probe: XSS probes in report text,
titles, headings, ids, metadata, facet values and queries render as text on every page (search
grouped and flat, facets, chips, reader, error pages) and stay data in the JSON; CSV export
neutralises formula cells; security headers on every response; path traversal on
/reports/<id> is a 404; `fazhi serve` binds loopback unless told and never runs in debug mode.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from fixtures_web import Place, free_port, make_report, parse_html, serve, standard_body

from indexer import IngestedReport, Level, Section, index_reports, load_settings

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # benchmarks/ is a folder of the repo, not a package

from benchmarks.crash_soak import FAZHI, write_config  # noqa: E402

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SVG = "<svg/onload=alert(1)>"
ATTR = "' onmouseover='alert(1)"
TEMPLATE = "{{7*7}}${7*7}"
PROBES = (SCRIPT, IMG, SVG, ATTR)
FORMULAS = ("=HYPERLINK(\"http://evil.example\",\"点我\")", "+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1+1)", "\t=1+1", "\r=1+1")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EVIL_ID = "evil/x\"><img src=x onerror=alert(1)>"  # a report id (a file name) that is markup
M = Section.MEASURES


def probe_reports() -> list[IngestedReport]:
    """Reports whose title, issuer, place names, doc number, URL, warnings, headings and text
    are probes; plus a plain report so searches have ordinary company."""
    place = Place(f"江苏省{SCRIPT}", f"南京市{IMG}", f"{SVG}区", f"{ATTR}镇", Level.TOWN)
    body = [
        (f"一、{IMG}主要举措{SCRIPT}", M, True),
        (f"行政复议 {SCRIPT} 与 {IMG} 与 {SVG} 与 {ATTR} 同段出现，{TEMPLATE}。", M, False),
        *((f"{f}行政复议公式段", M, False) for f in FORMULAS),
    ]
    evil = make_report(
        "evil/probe", f"{SCRIPT}恶意标题{IMG}", place, 2023, body,
        issuer=f"{FORMULAS[1]}{IMG}发布机关", doc_number=f"{FORMULAS[2]}{SCRIPT}〔2023〕1号",
        source_url="javascript:alert(1)", published="2023-01-01",
        warnings=(f"标题中有{SCRIPT}",),
    )
    formula_title = make_report(
        "evil/formula", FORMULAS[0], Place(FORMULAS[3], level=Level.PROVINCE), 2022,
        [(f"{FORMULAS[0]}行政复议", M, False)], source_url=FORMULAS[0],
    )
    evil_id = make_report(EVIL_ID, "编号是标记的报告", Place("浙江省", level=Level.PROVINCE), 2021,
                          [("行政复议编号探针。", M, False)])
    plain = make_report("js/plain", "塘桥镇2023年法治政府建设情况报告",
                        Place("江苏省", "苏州市", "张家港市", "塘桥镇", Level.TOWN), 2023,
                        standard_body("塘桥镇", "行政复议"))
    return [evil, formula_title, evil_id, plain]


@pytest.fixture(scope="module")
def probe_app(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - flask.Flask
    from webui import create_app

    tmp = tmp_path_factory.mktemp("probe-web")
    settings = load_settings().replace(index_path=tmp / "index", corpus_paths=(tmp,))
    index_reports(settings, probe_reports())
    return create_app({"SETTINGS": settings, "TESTING": True})


@pytest.fixture()
def probe_client(probe_app):  # noqa: ANN001, ANN201
    return probe_app.test_client()


def q(**params: str | list[str]) -> str:
    return "?" + urlencode(params, doseq=True)


PAGES = [
    "/",
    "/" + q(q="行政复议"),
    "/" + q(q="行政复议", view="flat"),
    "/" + q(q="行政复议", scope="report", sort="newest"),
    "/" + q(q="alert"),
    "/" + q(q=SCRIPT),
    "/" + q(q=IMG, view="flat"),
    "/" + q(q="行政复议", province=f"江苏省{SCRIPT}"),
    "/" + q(q="行政复议", province=f"江苏省{SCRIPT}", city=f"南京市{IMG}"),
    "/" + q(q="行政复议", town=f"{ATTR}镇", county=f"{SVG}区"),
    "/" + q(q="行政复议", province=SCRIPT),  # a selected value that matches nothing: a chip
    "/" + q(q="行政复议", report_id=EVIL_ID, view="flat"),
    "/" + q(q="编号探针"),
    "/" + q(q=f'"{SCRIPT}'),  # unbalanced quote: the 400 page echoes the query
    "/" + q(q="行政复议", report_year=SCRIPT),  # bad filter value: 400 page
    "/" + q(q="x", view=IMG),  # bad view: 400 page
    "/" + q(province=f"江苏省{SCRIPT}"),
    "/reports/evil/probe",
    "/reports/evil/probe" + q(q=SCRIPT),
    "/reports/evil/probe" + q(q="alert"),
    "/reports/evil/probe" + q(q=f'"{IMG}'),
    "/reports/" + quote(EVIL_ID),
    "/reports/" + quote(EVIL_ID) + q(q="编号"),
    "/reports/evil/formula",
    "/reports/nope" + q(q=SCRIPT),
    "/" + quote(SCRIPT),
]


def assert_inert(body: bytes) -> None:
    """No script but the app's own file, no event handler, no injected element or URL."""
    text = body.decode("utf-8")
    for probe in PROBES:
        assert probe not in text, probe
    doc = parse_html(body)
    assert [s.get("src") for s in doc.xpath("//script")] == ["/static/app.js"]
    assert all(not (s.text or "").strip() for s in doc.xpath("//script"))
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag not in ("img", "svg", "iframe", "object", "embed", "base"), el.tag
        assert not [a for a in el.attrib if a.lower().startswith("on")], (el.tag, el.attrib)
        for attr in ("href", "src", "action", "formaction"):
            value = (el.get(attr) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (el.tag, value)


@pytest.mark.parametrize("url", PAGES)
def test_probes_render_as_text(probe_client, url: str) -> None:
    """Every page (search grouped/flat, facets, chips, reader, error pages) shows the probes as
    text: nothing they contain becomes an element, attribute or URL."""
    response = probe_client.get(url)
    assert response.status_code in (200, 400, 404), response.status_code
    assert response.mimetype == "text/html"
    assert_inert(response.data)


def test_probes_are_visible_as_typed(probe_client) -> None:
    """The escaped probes still read as the original characters on the page."""
    page = parse_html(probe_client.get("/" + q(q="行政复议", province=f"江苏省{SCRIPT}")).data)
    text = page.text_content()
    assert f"江苏省{SCRIPT}" in text  # facet value and chip
    reader = parse_html(probe_client.get("/reports/evil/probe").data).text_content()
    for probe in (f"{SCRIPT}恶意标题{IMG}", SVG, ATTR, TEMPLATE):  # TEMPLATE: not evaluated
        assert probe in reader, probe


def test_hostile_report_id_links_are_quoted(probe_client) -> None:
    """A report id made of markup appears in links only percent-quoted, and the link works."""
    page = parse_html(probe_client.get("/" + q(q="编号探针")).data)
    links = [a.get("href") for a in page.xpath("//a[@href]") if "/reports/" in a.get("href")]
    assert links
    for href in links:
        assert '"' not in href and "<" not in href and " " not in href
    response = probe_client.get(links[0].split("#")[0])
    assert response.status_code == 200
    assert parse_html(response.data).cssselect("h1")[0].text_content() == "编号是标记的报告"


@pytest.mark.parametrize("url", [
    "/api/search" + q(q="行政复议", limit="100"),
    "/api/search" + q(q=SCRIPT),
    "/api/search" + q(q="行政复议", province=f"江苏省{SCRIPT}"),
    "/api/facets" + q(q="行政复议"),
    "/api/reports/evil/probe",
    "/api/search" + q(q=f'"{IMG}'),
])
def test_api_serves_probes_as_json_data(probe_client, url: str) -> None:
    """The JSON API returns the probes as exact string data, typed application/json and
    nosniff (a browser never renders it as HTML)."""
    response = probe_client.get(url)
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    data = json.loads(response.data)
    if response.status_code == 400:  # the unbalanced quote: a message, as data
        assert data["error"]["message"]
        return
    assert response.status_code == 200
    dumped = json.dumps(data, ensure_ascii=False)
    assert SCRIPT in dumped  # data kept exactly, not mangled


def test_api_report_keeps_every_probe_exactly(probe_client) -> None:
    """/api/reports/<id> gives back each hostile field exactly as indexed."""
    data = probe_client.get("/api/reports/evil/probe").get_json()
    [evil] = [r for r in probe_reports() if r.report.report_id == "evil/probe"]
    assert data["title"] == evil.report.title
    assert data["issuer"] == evil.report.issuer
    assert data["province"] == evil.report.province
    assert [p["text"] for p in data["paragraphs"]] == [p.text for p in evil.paragraphs]


def export_rows(client, params: str) -> list[list[str]]:  # noqa: ANN001
    response = client.get("/export.csv" + params)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_csv_export_neutralises_formulas(probe_client) -> None:
    """No CSV cell starts with = + - @ tab or CR; formula cells keep their text after a quote."""
    rows = export_rows(probe_client, q(q="行政复议"))
    expected = sum(1 for r in probe_reports() for p in r.paragraphs if "行政复议" in p.text)
    assert len(rows) - 1 == expected
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    for formula in FORMULAS:
        assert any(c.startswith("'" + formula) for c in cells), formula
    assert any(c == "'" + FORMULAS[0] for c in cells)  # the title, the province, the URL
    assert any(c == "'" + FORMULAS[3] for c in cells)


def test_csv_export_keeps_markup_as_plain_text(probe_client) -> None:
    """Markup probes are exported as the characters typed (CSV is not HTML)."""
    rows = export_rows(probe_client, q(q=SCRIPT))
    expected = [p.text for r in probe_reports() for p in r.paragraphs if SCRIPT in p.text]
    assert sorted(row[-1] for row in rows[1:]) == sorted(expected)


SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
@pytest.mark.parametrize("url", [
    "/", "/" + q(q="行政复议"), "/" + q(q='"'), "/reports/evil/probe", "/reports/nope",
    "/reports/../etc/passwd", "/api/search" + q(q="x"), "/api/search" + q(q='"'),
    "/api/reports/nope", "/api/facets", "/export.csv" + q(q="行政复议"), "/static/style.css",
    "/static/app.js", "/static/../app.py", "/favicon.ico", "/nope",
])
def test_security_headers_on_every_response(probe_client, method: str, url: str) -> None:
    """CSP (no inline script or eval) and the other headers are on every answer: pages, errors,
    JSON, CSV, static files, HEAD and refused methods."""
    response = probe_client.open(url, method=method)
    assert response.status_code < 500
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "unsafe-eval" not in csp
    for name, value in SECURITY.items():
        assert response.headers.get(name) == value, name


TRAVERSALS = [
    "/reports/../../etc/passwd",
    "/reports/..%2f..%2fetc%2fpasswd",
    "/reports/%2e%2e/%2e%2e/etc/passwd",
    "/reports/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/reports/evil/../../../etc/passwd",
    "/reports/evil/%2e%2e/probe",
    "/reports/./evil/probe",
    "/reports//etc/passwd",
    "/reports/%2fetc%2fpasswd",
    "/reports/%2Fetc%2Fpasswd",
    "/reports/C:%5cWindows%5cwin.ini",
    "/reports/..%5c..%5cconfig.toml",
    "/reports/evil%00probe",
    "/reports/evil/probe%00.txt",
    "/reports/%00",
    "/reports/evil/probe%0a",
    "/reports/..%252f..%252fetc%252fpasswd",
    "/reports/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "/reports/" + "../" * 50 + "etc/passwd",
    "/reports/" + "a" * 5000,
]
LEAKS = (b"root:x:0:0", b"[corpus]", b"[fonts]", b"Traceback")


@pytest.mark.parametrize("prefix", ["", "/api"])
@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_is_404_in_flask(probe_client, prefix: str, path: str) -> None:
    """Traversal attempts on /reports/<id> and /api/reports/<id> get 404 and leak nothing."""
    response = probe_client.get(prefix + path)
    assert response.status_code == 404, (prefix + path, response.status_code)
    assert not any(leak in response.data for leak in LEAKS)


@pytest.fixture(scope="module")
def probe_server(probe_app):  # noqa: ANN001, ANN201
    with serve(probe_app) as url:
        yield url.removeprefix("http://")


@pytest.mark.parametrize("prefix", ["", "/api"])
@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_is_404_over_tcp(probe_server: str, prefix: str, path: str) -> None:
    """The same request lines sent raw to waitress (no client-side normalisation of ..)."""
    conn = http.client.HTTPConnection(probe_server, timeout=30)
    try:
        conn.putrequest("GET", prefix + path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert response.status == 404, (prefix + path, response.status)
    assert not any(leak in body for leak in LEAKS)


def test_raw_nul_in_request_line_is_refused(probe_server: str) -> None:
    """A raw NUL byte in the request line is refused (4xx) before it reaches the app."""
    import socket

    host, port = probe_server.split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET /reports/evil\x00/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n")
        head = sock.recv(65536)
    status = int(head.split(b" ", 2)[1])
    assert 400 <= status < 500 and b"root:x:0:0" not in head


# ---------------------------------------------------------------- fazhi serve


def start_serve(config: Path, *args: str, env: dict[str, str] | None = None):  # noqa: ANN201
    return subprocess.Popen([*FAZHI, "--config", str(config), "serve", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, cwd=REPO_ROOT)


def listening(pid: int, port: int, timeout: float = 120.0) -> set[str]:
    """The addresses process PID listens on for PORT, once it listens."""
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        addrs = {c.laddr.ip for c in psutil.Process(pid).net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN and c.laddr.port == port}
        if addrs:
            return addrs
        time.sleep(0.2)
    raise AssertionError("fazhi serve did not listen in time")


@pytest.fixture(scope="module")
def serve_config(probe_app, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: ANN001
    settings = probe_app.config["SETTINGS"]
    return write_config(tmp_path_factory.mktemp("serve") / "config.toml",
                        index=settings.index_path, threads=2)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_serve_binds_loopback_only_and_never_debugs(serve_config: Path) -> None:
    """`fazhi serve` listens on 127.0.0.1 only, even with FLASK_DEBUG=1 / FLASK_ENV set: no
    debugger console, no traceback page, the production server answers."""
    port = free_port()
    proc = start_serve(serve_config, "--port", str(port),
                       env={"FLASK_DEBUG": "1", "FLASK_ENV": "development",
                            "WERKZEUG_DEBUG_PIN": "off"})
    try:
        assert listening(proc.pid, port) == {"127.0.0.1"}
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(base + "/" + q(q="行政复议"), timeout=30) as r:
            assert r.headers["Server"] == "waitress"
            assert_inert(r.read())
        for path in ("/console", "/nope"):
            with pytest.raises(urllib.error.HTTPError) as exc:
                urllib.request.urlopen(base + path, timeout=30)
            assert exc.value.code == 404, (path, exc.value.code)
            assert b"Werkzeug" not in exc.value.read()
        # the debugger's resource URL is just the search page with an unknown parameter
        with urllib.request.urlopen(base + "/?__debugger__=yes&cmd=resource&f=style.css",
                                    timeout=30) as r:
            assert b"Werkzeug" not in r.read() and r.headers["Content-Type"].startswith("text/html")
    finally:
        stop(proc)


def test_serve_binds_the_address_it_is_told(serve_config: Path) -> None:
    """With --host, `fazhi serve` binds that address (here another loopback address) only."""
    port = free_port()
    proc = start_serve(serve_config, "--host", "127.0.0.2", "--port", str(port))
    try:
        assert listening(proc.pid, port) == {"127.0.0.2"}
    finally:
        stop(proc)
