"""Fixtures for the web tests: a real Whoosh index in tmp_path, the Flask app and its client.

The corpus is four short reports built here (three places in two provinces, two years, every
section) plus one hostile report whose title, headings and text are XSS and CSV-injection
probes. ``web_index`` is built once per session; tests that change the index build their own.
"""

from __future__ import annotations

import hashlib
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer import (
    IngestedReport,
    Level,
    Paragraph,
    Report,
    Section,
    Settings,
    index_reports,
    load_settings,
)

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
FORMULA = "=HYPERLINK(\"http://evil.example\",\"点我\")"

# (text, section, is_heading); headings open a heading path for the paragraphs after them.
Body = Sequence[tuple[str, Section, bool]]


@dataclass(frozen=True)
class Place:
    province: str | None
    city: str | None = None
    county: str | None = None
    town: str | None = None
    level: Level | None = None

    @property
    def jurisdiction(self) -> str:
        return "".join(p for p in (self.province, self.city, self.county, self.town) if p)


def make_report(
    report_id: str,
    title: str,
    place: Place,
    year: int,
    body: Body,
    **extra: object,
) -> IngestedReport:
    """An IngestedReport as ingest would make it, with heading paths derived from ``body``."""
    paragraphs: list[Paragraph] = []
    heading: tuple[str, ...] = ()
    for n, (text, section, is_heading) in enumerate(body):
        if is_heading:
            heading = (text,)
        paragraphs.append(
            Paragraph(
                report_id=report_id,
                n=n,
                text=text,
                heading_path=() if is_heading else heading,
                is_heading=is_heading,
                section=section,
            )
        )
    sha = hashlib.sha256(("\n".join(t for t, _, _ in body)).encode()).hexdigest()
    report = Report(
        report_id=report_id,
        source_path=f"{report_id}.txt",
        content_sha256=sha,
        title=title,
        issuer=extra.pop("issuer", None) or f"{place.jurisdiction}人民政府",  # type: ignore[arg-type]
        jurisdiction=place.jurisdiction,
        province=place.province,
        city=place.city,
        county=place.county,
        town=place.town,
        level=place.level,
        report_year=year,
        **extra,  # type: ignore[arg-type]
    )
    return IngestedReport(report=report, paragraphs=tuple(paragraphs))


L, M, S, P = Section.LEADERSHIP, Section.MEASURES, Section.SHORTCOMINGS, Section.PLANS


def standard_body(place: str, topic: str, extra_measures: int = 0) -> Body:
    """A report following the official outline; ``topic`` appears in measures and plans."""
    body: list[tuple[str, Section, bool]] = [
        ("一、党政主要负责人履行推进法治建设第一责任人职责情况", L, True),
        (f"{place}主要负责人认真履行第一责任人职责，召开常务会议专题研究法治政府建设。", L, False),
        ("二、主要举措和成效", M, True),
        (f"全面推行{topic}，{place}全年办理行政复议案件十二件，行政复议纠错率明显下降。", M, False),
        (f"深化普法宣传，开展“八五”普法中期评估，{place}聘请法律顾问覆盖所有村（社区）。", M, False),
    ]
    body += [
        (f"第{i + 1}项举措：规范{topic}程序，推进行政复议规范化建设，落实合法性审查。", M, False)
        for i in range(extra_measures)
    ]
    body += [
        ("三、存在的不足和原因", S, True),
        ("基层执法力量仍显薄弱，行政执法人员专业化水平有待提高。", S, False),
        ("四、下一年度工作安排", P, True),
        (f"继续推进{topic}，加强行政复议工作，行政复议按期办结率达到98%。", P, False),
    ]
    return body


def web_corpus() -> list[IngestedReport]:
    """Five reports: 江苏 (苏州 > 张家港 > 塘桥镇; 南京), 浙江 (杭州), a department, and a hostile one."""
    tangqiao = Place("江苏省", "苏州市", "张家港市", "塘桥镇", Level.TOWN)
    nanjing = Place("江苏省", "南京市", None, None, Level.CITY)
    hangzhou = Place("浙江省", "杭州市", "西湖区", None, Level.COUNTY)
    return [
        make_report(
            "js/tangqiao-2022",
            "塘桥镇2022年法治政府建设情况报告",
            tangqiao,
            2022,
            standard_body("塘桥镇", "综合行政执法改革", extra_measures=5),
            published="2023-01-17",
            doc_number="塘政发〔2023〕1号",
        ),
        make_report(
            "js/nanjing-2023",
            "南京市2023年法治政府建设情况报告",
            nanjing,
            2023,
            standard_body("南京市", "行政执法三项制度"),
            published="2024-02-01",
            source_url="https://www.nanjing.gov.cn/fzzf/2023.html",
        ),
        make_report(
            "zj/xihu-2023",
            "西湖区2023年法治政府建设情况报告",
            hangzhou,
            2023,
            standard_body("西湖区", "公平竞争审查"),
            published="2024-03-20",
            warnings=("文号：未找到",),
        ),
        make_report(
            "dept/sifa-2021",
            "司法局2021年度工作总结",
            Place(None, level=Level.DEPARTMENT),
            2021,
            [("司法局全年开展公共法律服务，办理法律援助案件。", M, False)],
        ),
        make_report(
            "evil/probe",
            f"{XSS_SCRIPT}恶意标题{XSS_IMG}",
            Place("江苏省", "南京市", None, None, Level.CITY),
            2023,
            [
                (f"一、{XSS_IMG}主要举措", M, True),
                (f"行政复议 {XSS_SCRIPT} 与 {XSS_IMG} 同段出现。", M, False),
                (FORMULA, M, False),
                ("-2+3 @SUM(A1:A2) 开头是运算符的段落。", M, False),
            ],
            issuer=f"{XSS_IMG}发布机关",
            doc_number=f"{XSS_SCRIPT}〔2023〕1号",
            source_url="javascript:alert(1)",
            warnings=(f"标题中有{XSS_SCRIPT}",),
        ),
    ]


def settings_for(tmp: Path) -> Settings:
    """Settings whose index (and corpus folder) live under ``tmp``."""
    corpus = tmp / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    return load_settings().replace(index_path=tmp / "index", corpus_paths=(corpus,))


@pytest.fixture(scope="session")
def web_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a real index holding ``web_corpus()`` (built once per session)."""
    settings = settings_for(tmp_path_factory.mktemp("web"))
    index_reports(settings, web_corpus())
    return settings


@pytest.fixture(scope="session")
def web_app(web_settings: Settings):  # noqa: ANN201 - flask.Flask
    from webui import create_app

    return create_app({"SETTINGS": web_settings, "TESTING": True})


@pytest.fixture()
def client(web_app):  # noqa: ANN001, ANN201 - flask test client
    return web_app.test_client()


@pytest.fixture()
def make_client(tmp_path: Path):  # noqa: ANN201
    """Factory: a test client over a fresh index of the given reports (in tmp_path)."""
    from webui import create_app

    def build(reports: Sequence[IngestedReport] | None = None, index: bool = True):  # noqa: ANN202
        settings = settings_for(tmp_path)
        if index:
            index_reports(settings, list(reports if reports is not None else web_corpus()))
        app = create_app({"SETTINGS": settings, "TESTING": True})
        return app.test_client(), settings

    return build


# ---------------------------------------------------------------------- live server


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"fazhi serve exited: {proc.stderr.read()}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError("fazhi serve did not answer in time")


def get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    settings: Settings


@contextmanager
def serve(app, port: int | None = None) -> Iterator[str]:  # noqa: ANN001 - flask.Flask
    """Serve ``app`` with waitress, set up as ``fazhi serve`` sets it up, on 127.0.0.1 in a
    thread; yields its base URL."""
    from webui.server import make_server

    settings = app.config["SETTINGS"]
    server = make_server(app, settings, "127.0.0.1", port or free_port())
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(web_app) -> Iterator[LiveServer]:  # noqa: ANN001
    """The web app over ``web_corpus()`` served by waitress on a free loopback port."""
    with serve(web_app) as url:
        yield LiveServer(url=url, settings=web_app.config["SETTINGS"])


# ---------------------------------------------------------------------- expectations


def grep_corpus(
    term: str, reports: Sequence[IngestedReport] | None = None
) -> list[tuple[str, int]]:
    """(report_id, n) of every paragraph whose text contains ``term``: what grep would find."""
    return [
        (item.report.report_id, p.n)
        for item in (reports if reports is not None else web_corpus())
        for p in item.paragraphs
        if term in p.text
    ]


def parse_html(data: bytes):  # noqa: ANN201 - lxml.html.HtmlElement
    """A response body as an lxml tree, for CSS/XPath assertions."""
    import lxml.html

    return lxml.html.fromstring(data.decode("utf-8"))
