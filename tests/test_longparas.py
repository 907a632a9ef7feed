"""Over-long paragraphs are split at sentence ends at ingest (corpus.max_paragraph_chars)."""

from __future__ import annotations

from pathlib import Path

from indexer import IngestedReport, SearchRequest, index_paths, ingest_paths, search
from indexer.config import Settings
from indexer.longparas import split_text

SENTENCE = "全面推进依法行政，严格规范公正文明执法，持续优化法治化营商环境。"  # 32 characters


def _one_line_file(path: Path, sentences: int, marker: str) -> str:
    body = SENTENCE * (sentences // 2) + marker + SENTENCE * (sentences - sentences // 2)
    text = "某某镇2023年法治政府建设情况报告\n\n" + body + "\n"
    path.write_text(text, encoding="utf-8")
    return body


def test_a_huge_one_line_paragraph_is_split_at_sentence_ends(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    marker = "今年新建成智慧法务平台一个。"
    body = _one_line_file(corpus / "huge.txt", 3000, marker)  # about 96,000 characters
    settings = Settings(index_path=tmp_path / "index", corpus_paths=(corpus,))
    [item] = list(ingest_paths([corpus], settings))
    assert isinstance(item, IngestedReport)
    pieces = [p.text for p in item.paragraphs if p.text != "某某镇2023年法治政府建设情况报告"]
    assert len(pieces) >= len(body) // 5000
    assert all(len(p) <= 5000 for p in pieces)
    assert all(p.endswith("。") for p in pieces)  # cut after sentences, never inside one
    assert "".join(pieces) == body  # nothing lost
    assert any("超过 5000 字" in w for w in item.report.warnings)
    # the sentence in the middle is found, in a paragraph of bounded size
    index_paths(settings)
    results = search(settings, SearchRequest(query="智慧法务平台", grouped=False))
    assert [len(h.text) <= 5000 for h in results.hits] == [True]


def test_the_cap_is_a_setting(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = _one_line_file(corpus / "r.txt", 100, "")
    capped = list(ingest_paths([corpus], Settings(max_paragraph_chars=1000)))[0]
    assert max(len(p.text) for p in capped.paragraphs) <= 1000
    uncapped = list(ingest_paths([corpus], Settings(max_paragraph_chars=0)))[0]
    assert body in [p.text for p in uncapped.paragraphs]
    assert not any("字，已在句末拆分" in w for w in uncapped.report.warnings)


def test_text_without_sentence_ends_is_cut_at_clauses_then_at_the_cap() -> None:
    clauses = "依法行政，" * 300  # 1500 characters, commas only
    assert [len(p) for p in split_text(clauses, 400)] == [400, 400, 400, 300]
    assert all(p.endswith("，") for p in split_text(clauses, 400))
    solid = "法" * 1000
    assert split_text(solid, 400) == ["法" * 400, "法" * 400, "法" * 200]
