"""jieba with only the dictionary entries of a text cuts that text exactly like jieba with the
whole dictionary (what a small `fazhi index` update tokenises with)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analysis import _jieba, word_counts
from indexer.jieba_subset import (
    DictionaryIndex,
    build_index,
    dictionary_index,
    entries_in,
    subset_tokenizer,
)
from indexer.normalize import normalize

# Characters of real reports (common words, place names, digits, Latin, punctuation).
ALPHABET = "法治政府建设行政复议执法诉讼调解人民年度报告工作推进依法苏州市相城区镇街道一二三〇123abAB，。、：；“”（）《》 \n"


def _cut_both(texts: list[str]) -> tuple[list[dict[str, int]], list[dict[str, int]]]:
    tokenizer = subset_tokenizer(texts)
    return [word_counts(t, tokenizer) for t in texts], [word_counts(t) for t in texts]


def test_seed_reports_cut_alike(seeds_dir: Path) -> None:
    """Every paragraph of every seed report: the same words and counts."""
    for seed in sorted(seeds_dir.glob("*.txt")):
        texts = [normalize(line) for line in seed.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
        subset, full = _cut_both(texts)
        assert subset == full, seed.name


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, min_size=0, max_size=80), min_size=1, max_size=4))
def test_any_text_cuts_alike(texts: list[str]) -> None:
    """Random mixes of words, fragments, digits and punctuation: the same words and counts."""
    texts = [normalize(t) for t in texts]
    subset, full = _cut_both(texts)
    assert subset == full


def test_entries_are_exactly_the_dictionary_substrings() -> None:
    """The subset holds every dictionary entry occurring in the text, with its frequency,
    and nothing else."""
    text = normalize("推进法治政府建设，深化行政复议体制改革，苏州市相城区黄埭镇。")
    freq = _jieba().dt.FREQ
    expected = {text[i:j]: freq[text[i:j]] for i in range(len(text))
                for j in range(i + 1, len(text) + 1) if text[i:j] in freq}
    assert entries_in(dictionary_index(), text) == expected


def test_hash_collisions_never_add_a_wrong_entry() -> None:
    """Words with equal hashes are told apart by comparing the words themselves: the entry
    found is the one spelled like the text, whichever comes first."""
    import numpy as np

    real = build_index({"甲": 1, "乙": 2}, 3)
    h_yi = real.hashes[real.words.index("乙")]  # one character each: word i is words[i]
    for words, freqs in (("甲乙", [1, 2]), ("乙甲", [2, 1])):
        clash = DictionaryIndex(np.array([h_yi, h_yi], dtype=np.uint64), words,
                                np.array([0, 1, 2]), np.array(freqs), 3)
        assert entries_in(clash, "丙乙丙") == {"乙": 2}
