"""The jieba Whoosh tokenizer behaves like a Whoosh tokenizer."""

from __future__ import annotations

import pickle

from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import QueryParser

from indexer.analysis import ChineseAnalyzer, JiebaTokenizer, userdict_words, words

TEXT_ = "张家港市塘桥镇推进行政复议体制改革，落实八五普法规划。"


def test_positions_count_tokens_and_chars_slice_back() -> None:
    """Positions are consecutive token numbers; start/end chars slice the input to the token."""
    tokens = [(t.text, t.pos, t.startchar, t.endchar)
              for t in JiebaTokenizer()(TEXT_, positions=True, chars=True)]
    assert [pos for _, pos, _, _ in tokens] == list(range(len(tokens)))
    assert all(TEXT_[s:e] == text for text, _, s, e in tokens)
    assert "，" not in [t for t, *_ in tokens]


def test_start_pos_and_start_char_are_honoured() -> None:
    """start_pos and start_char shift positions and offsets."""
    tokens = list(t.copy() for t in JiebaTokenizer()("法治政府", positions=True, chars=True,
                                                    start_pos=10, start_char=100))
    assert tokens[0].pos == 10
    assert tokens[0].startchar == 100


def test_user_dictionary_terms_stay_whole() -> None:
    """Shipped government terms are single words."""
    for term in ("行政复议", "八五普法", "枫桥经验", "一村一法律顾问", "合法性审查"):
        assert term in words(f"我们推进{term}工作")
    assert len(userdict_words()) >= 300


def test_search_mode_emits_subwords() -> None:
    """Index-time (search mode) segmentation also yields the sub-words of long words."""
    out = words("中华人民共和国", search_mode=True)
    assert "中华人民共和国" in out and "人民" in out


def test_analyzer_pickles_and_a_quoted_phrase_matches() -> None:
    """The analyzer survives pickling and a quoted Chinese phrase finds its document."""
    analyzer = pickle.loads(pickle.dumps(ChineseAnalyzer(search_mode=False)))
    schema = Schema(id=ID(stored=True), body=TEXT(analyzer=analyzer))
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        w.add_document(id="a", body="全面落实八五普法规划")
        w.add_document(id="b", body="规划落实八五普法")
    with ix.searcher() as s:
        q = QueryParser("body", ix.schema).parse('"八五普法 规划"')
        assert [h["id"] for h in s.search(q)] == ["a"]
