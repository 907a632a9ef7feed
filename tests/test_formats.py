"""PDF and DOCX reports come in like text ones: real files made in tmp_path (Chromium's
print-to-PDF, a rendered scan, python-docx), ingested and indexed for real."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures_formats import (
    BREAK_SENTENCE,
    CLOSING_SENTENCE,
    RUNNING_HEADER,
    TITLE,
    headless_chromium,
    make_docx,
    page_texts,
    print_pdf,
    report_html,
    scan_pdf,
)

from indexer import SearchRequest, Settings, index_paths, search
from indexer import formats_pdf
from indexer.ingest import ingest_file, ingest_paths
from indexer.models import IngestedReport, IngestProblem, Level, Section
from indexer.sources import SourceFile


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with headless_chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def report_pdf(browser) -> bytes:
    return print_pdf(browser, report_html())


def _ingest(path: Path) -> IngestedReport:
    return ingest_file(SourceFile(path, path.parent), Settings(index_path=path.parent / "index"))


def _texts(report: IngestedReport) -> list[str]:
    return [p.text for p in report.paragraphs]


def test_pdf_paragraphs_have_no_page_furniture_and_cross_page_breaks(report_pdf, tmp_path) -> None:
    pages = page_texts(report_pdf)
    assert len(pages) >= 2 and not any(BREAK_SENTENCE in page for page in pages), \
        "the fixture's sentence must be cut by a page break"
    path = tmp_path / "qingyang.pdf"
    path.write_bytes(report_pdf)
    report = _ingest(path)
    texts = _texts(report)
    assert sum(BREAK_SENTENCE in t for t in texts) == 1
    assert not any(RUNNING_HEADER in t for t in texts)
    assert not any(t.strip(" -").isdigit() for t in texts)
    # every paragraph of the page is one paragraph: 7 filler ones, the one cut by a page break
    long_ones = [t for t in texts if t.endswith("取得实效。")]
    assert len(long_ones) == 7 and all(len(t) > 300 for t in long_ones)
    headings = [p for p in report.paragraphs if p.is_heading]
    assert [h.text for h in headings] == ["一、主要举措和成效", "二、存在的不足", "三、下一年度工作安排"]
    by_text = {p.text: p for p in report.paragraphs}
    assert by_text[CLOSING_SENTENCE].section == Section.PLANS
    assert by_text["法治宣传的针对性还不够强，基层执法人员力量仍然不足。"].section == Section.SHORTCOMINGS


def test_pdf_metadata(report_pdf, tmp_path) -> None:
    path = tmp_path / "qingyang.pdf"
    path.write_bytes(report_pdf)
    r = _ingest(path).report
    assert r.title == TITLE
    assert (r.report_year, r.published) == (2023, "2024-03-18")
    assert r.jurisdiction == "江苏省无锡市江阴市青阳镇" and r.level == Level.TOWN


def test_search_finds_a_sentence_across_a_page_break(report_pdf, tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "qingyang.pdf").write_bytes(report_pdf)
    make_docx(corpus / "chengdong.docx")
    settings = Settings(index_path=tmp_path / "index", corpus_paths=(corpus,))
    summary = index_paths(settings, [corpus])
    assert sorted(summary.indexed) == ["chengdong", "qingyang"] and not summary.skipped
    hits = search(settings, SearchRequest(query=BREAK_SENTENCE)).hits
    assert [h.report_id for h in hits] == ["qingyang"]
    assert search(settings, SearchRequest(query=RUNNING_HEADER)).total_paragraphs == 0
    docx_hits = search(settings, SearchRequest(query="一百二十件，执法全过程记录")).hits
    assert [h.report_id for h in docx_hits] == ["chengdong"]


def test_docx_headings_from_styles_and_no_header_or_footer(tmp_path) -> None:
    report = _ingest(make_docx(tmp_path / "chengdong.docx"))
    texts = _texts(report)
    assert texts[0] == "城东街道办事处2023年度法治政府建设工作报告"
    assert report.report.title == texts[0] and report.report.report_year == 2023
    assert not any(RUNNING_HEADER in t or "第 1 页" in t for t in texts)
    headings = {p.text: p for p in report.paragraphs if p.is_heading}
    assert set(headings) == {"主要举措和成效", "推进严格规范公正文明执法", "存在的不足", "下一年度工作安排"}
    sections = {p.text: p.section for p in report.paragraphs}
    assert sections["法治宣传教育的覆盖面还不够广。"] == Section.SHORTCOMINGS
    assert sections["城东街道将持续深化法治建设。"] == Section.PLANS
    assert "街道综合行政执法队全年办理案件一百二十件，执法全过程记录实现全覆盖。" in texts
    assert "行政复议纠错率 | 百分之三" in texts


def test_scanned_pdf_without_ocr_is_skipped_with_its_reason(report_pdf, tmp_path, monkeypatch) -> None:
    # The machine may have the ocr extra; a machine without it has no engine.
    monkeypatch.setattr(formats_pdf, "ocr_engine", lambda: None)
    (tmp_path / "scan.pdf").write_bytes(scan_pdf(report_pdf, scale=1.0))
    results = list(ingest_paths([tmp_path], Settings(index_path=tmp_path / "index")))
    assert [(Path(r.path).name, r.reason) for r in results if isinstance(r, IngestProblem)] == [
        ("scan.pdf", "scanned PDF: no text layer")
    ]


def test_scanned_pdf_is_read_by_ocr_when_the_extra_is_installed(browser, tmp_path) -> None:
    """With the ocr extra, `fazhi inspect scan.pdf` reads the scan (in its own process: the OCR
    models take some 400 MB, which the test process would otherwise keep)."""
    pytest.importorskip("rapidocr_onnxruntime")
    pdf = print_pdf(browser, report_html(paragraph_count=0, push=False))  # one page
    assert len(page_texts(pdf)) == 1
    (tmp_path / "scan.pdf").write_bytes(scan_pdf(pdf, scale=2.0))
    result = subprocess.run(
        [sys.executable, "-c", "from webui.cli import main; main()", "inspect", "--json",
         str(tmp_path / "scan.pdf")], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    data = json.loads(result.stdout)
    texts = [p["text"] for p in data["paragraphs"]]
    assert data["title"] == TITLE
    assert any(BREAK_SENTENCE in t for t in texts)
    assert CLOSING_SENTENCE in texts
    assert not any(RUNNING_HEADER in t for t in texts)


@pytest.mark.parametrize("suffix", [".doc", ".wps", ".ofd"])
def test_legacy_office_formats_are_skipped_with_a_hint_to_convert(tmp_path, suffix) -> None:
    (tmp_path / f"report{suffix}").write_bytes(b"\xd0\xcf\x11\xe0legacy")
    (tmp_path / "ok.txt").write_text("2023年法治政府建设情况报告。依法行政工作扎实推进。", "utf-8")
    results = list(ingest_paths([tmp_path], Settings(index_path=tmp_path / "index")))
    problems = [r for r in results if isinstance(r, IngestProblem)]
    assert len(problems) == 1 and problems[0].path.endswith(suffix)
    assert "convert" in problems[0].reason or "save it as" in problems[0].reason
    assert sum(isinstance(r, IngestedReport) for r in results) == 1


@pytest.mark.parametrize("name", ["broken.pdf", "broken.docx"])
def test_broken_pdf_or_docx_is_a_problem_not_a_crash(tmp_path, name) -> None:
    (tmp_path / name).write_bytes(b"PK\x03\x04 not really" * 20)
    results = list(ingest_paths([tmp_path], Settings(index_path=tmp_path / "index")))
    assert len(results) == 1 and isinstance(results[0], IngestProblem)
    assert "unreadable" in results[0].reason
