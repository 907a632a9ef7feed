"""Nothing of a report's text is lost at ingest: every Chinese sentence of each real source in
``../shared`` (and the seeds) is in the ingested paragraphs, outside recognised page furniture.

Sentences are cut from the source text itself (at 。！？； and blank lines; single line breaks
and spaces removed), so a subscript or footnote line dropped from inside a sentence, a body line
taken for a breadcrumb or a paragraph cut apart is caught. The laws and national reports have no
site furniture at all: no exemption. Web pages (seeds, report excerpts) exempt only lines that
ingest dropped *and* that cannot be report sentences (at most 60 characters, no ， or 。).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.config import Settings
from indexer.ingest import ingest_file
from indexer.parse import parse
from indexer.sources import SourceFile, find_sources, read_source

_CJK = re.compile(r"[\u3400-\u9fff]")
_SPACE = re.compile(r"[\s|｜\u200b]+")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+")
_NOT_TEXT = re.compile(r"[-|: ]+|<!--.*-->")  # Markdown table rules, HTML comments
_MIN_CJK = 4  # shorter pieces are not sentences ("一、", "[1]")


def _sentences(text: str, exempt: set[str]) -> list[str]:
    lines = []
    for line in text.splitlines():
        line = _MD_HEADING.sub("", line).strip()
        if line in exempt or _NOT_TEXT.fullmatch(line):
            continue
        lines.append(line)
    out = []
    for block in re.split(r"\n\s*\n", "\n".join(lines)):
        for piece in re.split(r"[。！？；!?]", _SPACE.sub("", block)):
            if len(_CJK.findall(piece)) >= _MIN_CJK:
                out.append(piece)
    return out


def missing_sentences(source: SourceFile, settings: Settings, *, web: bool) -> tuple[list[str], int]:
    """(sentences of SOURCE missing from its ingested paragraphs, sentences checked)."""
    raw = read_source(source, settings.max_file_bytes)
    exempt: set[str] = set()
    if web:
        dropped = parse(raw).dropped_lines
        exempt = {d for d in dropped if len(d) <= 60 and "，" not in d and "。" not in d}
    text = _SPACE.sub("", "".join(p.text for p in ingest_file(source, settings).paragraphs))
    sentences = _sentences(raw.text, exempt)
    return [s for s in sentences if s not in text], len(sentences)


def _check(roots: list[Path], *, web: bool) -> tuple[dict[str, list[str]], int, int]:
    settings = Settings()
    lost: dict[str, list[str]] = {}
    files = checked = 0
    for source in find_sources(roots):
        missing, n = missing_sentences(source, settings, web=web)
        files += 1
        checked += n
        if missing:
            lost[source.relative_path] = missing
    return lost, files, checked


def test_no_sentence_of_the_seeds_and_report_pages_is_lost(seeds_dir: Path, shared_dir: Path) -> None:
    lost, files, checked = _check(
        [seeds_dir, shared_dir / "corpus" / "report-excerpts" / "reports"], web=True
    )
    assert files == 33 and checked > 700
    assert lost == {}


def test_no_sentence_of_the_national_reports_is_lost(shared_dir: Path) -> None:
    """Wikisource texts: subscripts (M2, PM10), footnote marks and links on lines of their own."""
    lost, files, checked = _check([shared_dir / "corpus" / "prc-gov-work-reports" / "docs"], web=False)
    assert files == 88 and checked > 30_000
    assert lost == {}


@pytest.mark.slow
def test_no_sentence_of_the_laws_is_lost(shared_dir: Path) -> None:
    """All 3,423 laws (about 445,000 sentences), e.g. articles about 邮件所在位置."""
    lost, files, checked = _check([shared_dir / "corpus" / "lawrefbook-laws" / "docs"], web=False)
    assert files >= 3423 and checked > 400_000
    assert lost == {}


def test_a_sentence_that_names_a_breadcrumb_word_is_kept(parse_text) -> None:
    text = (
        "第十四条 邮政企业应当通过互联网等渠道，向用户免费提供国内给据邮件查询服务。\n\n"
        "用户可以凭借邮政企业收寄邮件时出具的收据，在法定期限内查询给据邮件当前所在位置。\n\n"
        "（一）名称、所在位置和建设年代\n\n"
        "第十五条 邮政企业应当加强服务质量管理，完善安全保障措施。\n"
    )
    texts = [p.text for p in parse_text(text).paragraphs]
    assert "用户可以凭借邮政企业收寄邮件时出具的收据，在法定期限内查询给据邮件当前所在位置。" in texts
    assert "（一）名称、所在位置和建设年代" in texts


def test_lines_cut_out_of_a_sentence_are_joined_back(parse_text) -> None:
    """Wikisource-style text: paragraphs between blank lines, inline elements on lines of
    their own (a subscript, a footnote mark, a link)."""
    text = (
        "一、政府工作回顾\n\n"
        "稳健的货币政策要松紧适度。广义货币M\n2\n预期增长12%左右，细颗粒物（PM\n2.5\n）浓度下降。\n\n"
        "今年是我国与\n印度\n、缅甸共同倡导和平共处五项原则发表60周年。\n\n"
        "依据《\n中华人民共和国著作权法\n》第五条，本作品不适用于该法，所以属于\n公有领域\n。\n\n"
        "二要\n更加重视质量。全面提高各级各类学校的教育质量，特别是中小学阶段的教育质量。\n\n"
        "结束语\n\n各位代表，让我们更加紧密地团结起来，为实现目标而努力奋斗。\n\n"
        "Public domain\n\nfalse\n"
    )
    report = parse_text(text)
    assert [(p.text, p.is_heading) for p in report.paragraphs] == [
        ("一、政府工作回顾", True),
        ("稳健的货币政策要松紧适度。广义货币M2预期增长12%左右，细颗粒物（PM2.5）浓度下降。", False),
        ("今年是我国与印度、缅甸共同倡导和平共处五项原则发表60周年。", False),
        ("依据《中华人民共和国著作权法》第五条，本作品不适用于该法，所以属于公有领域。", False),
        ("二要更加重视质量。全面提高各级各类学校的教育质量，特别是中小学阶段的教育质量。", False),
        ("结束语", True),
        ("各位代表，让我们更加紧密地团结起来，为实现目标而努力奋斗。", False),
    ]


def test_sentence_fragments_are_never_headings(parse_text) -> None:
    """Short lines inside a text without blank lines: fragments are not headings, words are."""
    text = (
        "各位代表：\n"
        "过去一年，我们坚持稳中求进工作总基调，经济社会发展取得新的成就。\n"
        "认真实施《\n"
        "国防法\n"
        "》，国防建设取得新进展，各项工作都有了新的提高。\n"
        "工作打算\n"
        "今年，我们将继续深化改革，扩大开放，推动高质量发展取得新成效。\n"
    )
    headings = [p.text for p in parse_text(text).paragraphs if p.is_heading]
    assert headings == ["工作打算"]


def test_page_numbers_of_pdf_text_go_but_lone_numbers_stay(parse_text) -> None:
    """Numbers counting up page by page are page furniture; the sentences they cut are joined."""
    body = "我镇坚持依法行政，全面推进法治政府建设，各项工作取得了新的进展和明显成效"
    text = (
        "某某镇2023年法治政府建设情况报告\n"
        f"一、主要举措\n{body}，严格规范\n- 1 -\n公正文明执法。\n"
        f"二、存在的不足\n{body}，但仍有\n- 2 -\n差距。\n"
        f"三、下一步安排\n{body}，继续推进\n- 3 -\n法治建设。\n"
        f"广义货币M\n2\n预期增长12%左右，{body}。\n"
    )
    texts = [p.text for p in parse_text(text).paragraphs]
    assert f"{body}，严格规范公正文明执法。" in texts
    assert f"{body}，继续推进法治建设。" in texts
    assert f"广义货币M2预期增长12%左右，{body}。" in texts


def test_words_of_furniture_inside_the_text_do_not_make_it_furniture(parse_text) -> None:
    """Short lines naming 首页, 版权所有 or 打印 inside the report stay; the same words at the
    page's edges (navigation above the title, the footer below the text) go."""
    body = "我局坚持依法行政，全面推进法治政府建设，各项工作取得了新的进展和明显成效。"
    text = (
        "网站首页 | 政务公开 | 互动交流\n\n某局2023年法治政府建设情况报告\n\n"
        f"{body}\n\n政府网站首页改版\n\n{body}\n\n作品版权所有人权益保护\n\n{body}\n\n"
        "打印文件不少于三份\n\n"
        f"{body}\n\n版权所有：某局 ICP备12345678号\n"
    )
    texts = [p.text for p in parse_text(text).paragraphs]
    assert texts == ["某局2023年法治政府建设情况报告", body, "政府网站首页改版", body,
                     "作品版权所有人权益保护", body, "打印文件不少于三份", body]
