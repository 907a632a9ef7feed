"""`fazhi serve` under abuse, on a real waitress server on loopback: a busy port, a public
host, waitress's own errors, request bodies, idle connections and clients that never read."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from fixtures_web import M, Place, free_port, make_report, serve, settings_for

from indexer import index_reports
from webui.app import SECURITY_HEADERS
from webui.server import STALL_SECONDS

TERM = "行政复议"


def fazhi(args: list[str], config: Path) -> subprocess.Popen:
    env = {**os.environ, "FAZHI_CONFIG": str(config)}
    return subprocess.Popen(
        [sys.executable, "-c", "from webui.cli import main; main()", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.fixture()
def config(tmp_path: Path) -> Path:
    settings = settings_for(tmp_path)
    index_reports(settings, [make_report("a/r", "报告", Place("江苏省"), 2023,
                                         [(f"{TERM}工作", M, False)])])
    path = tmp_path / "config.toml"
    path.write_text(f'[index]\npath = "{settings.index_path}"\n', encoding="utf-8")
    return path


def test_a_busy_port_is_one_line_that_suggests_another(config: Path) -> None:
    """Another program on the port: one line on stderr naming --port, exit 1, no traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = fazhi(["serve", "--port", str(port)], config)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "--port" in lines[0] and "in use" in lines[0], err


def read_until(proc: subprocess.Popen, marker: str, timeout: float = 60) -> str:
    seen, deadline = "", time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            break
        seen += line
    return seen


@pytest.mark.parametrize(("host", "warned"), [("0.0.0.0", True), ("127.0.0.1", False)])
def test_a_public_host_gets_a_warning_about_authentication(config: Path, host, warned) -> None:  # noqa: ANN001
    """--host 0.0.0.0 warns that the UI has no authentication; loopback does not."""
    proc = fazhi(["serve", "--host", host, "--port", str(free_port())], config)
    try:
        err = read_until(proc, "serving")
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert "serving" in err
    assert ("no authentication" in err) is warned


def raw(url: str, data: bytes, timeout: float = 10) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(data)
        chunks = []
        while True:
            try:
                chunk = conn.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def headers_of(response: bytes) -> dict[str, str]:
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head)}


@pytest.mark.parametrize(
    "request_bytes",
    [b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n",  # waitress: 400
     b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"],  # waitress: 501
)
def test_waitress_errors_carry_the_security_headers(live_server, request_bytes) -> None:  # noqa: ANN001
    """Errors waitress answers itself, before the app runs, carry the app's security headers."""
    response = raw(live_server.url, request_bytes)
    assert response.startswith(b"HTTP/1.1 4") or response.startswith(b"HTTP/1.1 5")
    headers = headers_of(response)
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name.lower()) == value, name


def test_a_get_with_a_50_mb_body_is_refused_without_reading_it(live_server) -> None:  # noqa: ANN001
    """A GET announcing a 50 MB body is answered 413 at once; the body is never sent."""
    start = time.monotonic()
    response = raw(live_server.url, b"GET /?q=x HTTP/1.1\r\nHost: x\r\n"
                   b"Content-Length: 52428800\r\n\r\n", timeout=10)
    assert response.startswith(b"HTTP/1.1 413"), response[:100]
    assert time.monotonic() - start < 5
    assert "content-security-policy" in headers_of(response)


def normal_requests(url: str, count: int = 8, timeout: float = 5) -> list[int]:
    """Statuses of ``count`` ordinary searches, each on a new connection."""
    host, port = url.removeprefix("http://").split(":")
    statuses = []
    for _ in range(count):
        conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
        try:
            conn.request("GET", "/api/search?q=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE")
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
        except OSError:
            statuses.append(0)
        finally:
            conn.close()
    return statuses


def test_150_idle_connections_do_not_lock_out_a_normal_client(live_server) -> None:  # noqa: ANN001
    """With 150 connections opened and left idle, ordinary searches keep being answered."""
    host, port = live_server.url.removeprefix("http://").split(":")
    idle = [socket.create_connection((host, int(port)), timeout=10) for _ in range(150)]
    try:
        time.sleep(0.5)
        assert normal_requests(live_server.url) == [200] * 8
    finally:
        for conn in idle:
            conn.close()


@pytest.fixture(scope="module")
def big_export_app(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """An index whose full CSV export is about 13 MB (3 reports of 1,500 matching paragraphs):
    more than the server's output buffer plus what the kernel buffers for a client."""
    from webui import create_app

    settings = settings_for(tmp_path_factory.mktemp("bigcsv"))
    body = [(f"第{i}段：依法办理{TERM}案件，" + "规范行政执法程序，" * 100, M, False)
            for i in range(1_500)]
    index_reports(settings, [make_report(f"big/r{k}", f"报告{k}", Place("江苏省"), 2023, body)
                             for k in range(3)])
    return create_app({"SETTINGS": settings, "TESTING": True})


@pytest.mark.slow
def test_clients_pipelining_csv_exports_without_reading_do_not_starve_others(
    big_export_app,  # noqa: ANN001
) -> None:
    """8 clients each pipeline 2 full CSV exports and never read: ordinary searches on other
    connections are still answered within 5 s each, for 8 s (without the export limit every
    thread sat on a stalled export and a search waited 27 s)."""
    with serve(big_export_app) as url:
        host, port = url.removeprefix("http://").split(":")
        request = f"GET /export.csv?q={quote(TERM)} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        abusers = []
        for _ in range(8):
            conn = socket.socket()
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect
            conn.settimeout(10)
            conn.connect((host, int(port)))
            conn.sendall(request * 2)
            abusers.append(conn)
        try:
            statuses = []
            deadline = time.monotonic() + 8
            while time.monotonic() < deadline and len(statuses) < 40:
                statuses += normal_requests(url, count=1, timeout=5)
                time.sleep(0.2)
            assert statuses and set(statuses) == {200}, statuses
            # The stalled exports are dropped after STALL_SECONDS: exporting works again.
            time.sleep(STALL_SECONDS + 3)
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            conn.request("GET", "/export.csv?q=" + quote("第7段"))
            response = conn.getresponse()
            assert response.status == 200 and "第7段" in response.read().decode("utf-8-sig")
            conn.close()
        finally:
            for conn in abusers:
                conn.close()
