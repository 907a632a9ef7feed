"""jieba for a few files without building its whole dictionary in memory.

Making jieba's prefix dictionary (about 500,000 words) a Python dict takes 0.3 s even from a
pickle: most of what a small `fazhi index` update spends on tokenising. Yet jieba only ever
looks up *substrings of the text it cuts* (``get_DAG``, ``calc``, the HMM's buffers and the
search-mode 2- and 3-grams). So for a small job we hand a ``jieba.Tokenizer`` only the
dictionary entries that occur in its texts, with the same frequencies and the same total:
the cut is exactly the full dictionary's.

Finding those entries: the dictionary is kept (cached on disk) as numpy arrays of
polynomial hashes of its words, sorted, with the words and frequencies in the same order.
The dictionary is prefix-closed (jieba stores every prefix of a word, with frequency 0 when
it is not a word), so substrings are grown one character at a time from each position and
only those whose shorter prefix is an entry are looked up, with ``searchsorted``; every hash
hit is then checked against the word itself (no collision can add a wrong entry).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# The polynomial hash's base (odd, so the map stays invertible modulo 2**64).
_BASE = np.uint64(1_000_003)
_VERSION = 1


@dataclass(frozen=True)
class DictionaryIndex:
    """jieba's dictionary (with fazhi-search's words added) as sorted hash arrays."""

    hashes: np.ndarray  # uint64, sorted
    words: str  # the words in hash order, concatenated
    starts: np.ndarray  # int64, offsets of each word in ``words`` (one past the end last)
    freqs: np.ndarray  # int64, in hash order
    total: int  # jieba's ``total`` (sum of frequencies)


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(
        np.uint64)


def build_index(freq: dict[str, int], total: int) -> DictionaryIndex:
    """The hash index of a jieba prefix dictionary ``freq`` (words -> frequency)."""
    keys = list(freq)
    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    starts = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    cps = _codepoints("".join(keys))
    hashes = np.zeros(len(keys), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(int(lengths.max(initial=0))):
            longer = lengths > j
            hashes[longer] = hashes[longer] * _BASE + cps[starts[:-1][longer] + j] + np.uint64(1)
    order = np.argsort(hashes, kind="stable")
    sorted_keys = [keys[i] for i in order.tolist()]
    sorted_lengths = lengths[order]
    sorted_starts = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(sorted_lengths, out=sorted_starts[1:])
    values = np.fromiter((freq[k] for k in sorted_keys), dtype=np.int64, count=len(keys))
    return DictionaryIndex(hashes[order], "".join(sorted_keys), sorted_starts, values, int(total))


def entries_in(index: DictionaryIndex, text: str) -> dict[str, int]:
    """Every dictionary entry that is a substring of ``text``, with its frequency."""
    found: dict[str, int] = {}
    cps = _codepoints(text)
    n = len(cps)
    table, words, starts, freqs = index.hashes, index.words, index.starts, index.freqs
    if not len(table):
        return found
    positions = np.arange(n, dtype=np.int64)
    hashes = cps + np.uint64(1)  # of the substrings of ``length`` characters at ``positions``
    length = 1
    with np.errstate(over="ignore"):
        while len(positions):
            at = np.minimum(np.searchsorted(table, hashes), len(table) - 1)
            candidates = np.flatnonzero(table[at] == hashes)
            entry = np.zeros(len(positions), dtype=bool)
            for c, i in zip(candidates.tolist(), at[candidates].tolist()):
                k = int(positions[c])
                piece = text[k : k + length]
                while True:  # equal hashes sit side by side: check each word with this hash
                    if words[starts[i] : starts[i + 1]] == piece:
                        found[piece] = int(freqs[i])
                        entry[c] = True
                        break
                    i += 1
                    if i >= len(table) or table[i] != table[i - 1]:
                        break
            # Prefix-closed: a substring one character longer can only be an entry if this
            # one is.
            keep = entry & (positions + length < n)
            positions = positions[keep]
            hashes = hashes[keep] * _BASE + cps[positions + length] + np.uint64(1)
            length += 1
    return found


def subset_tokenizer(texts: Sequence[str]):
    """A ``jieba.Tokenizer`` that cuts ``texts`` exactly as jieba with the full dictionary
    (and fazhi-search's words) does, holding only the entries those texts contain."""
    from .analysis import _import_jieba

    index = dictionary_index()
    jieba = _import_jieba()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = entries_in(index, "\n".join(texts))
    tokenizer.total = index.total
    tokenizer.initialized = True
    return tokenizer


@functools.cache
def dictionary_index() -> DictionaryIndex:
    """The hash index of the dictionary ``analysis`` gives jieba (cached on disk)."""
    from importlib import resources

    from .analysis import _import_jieba, add_userdict, base_dictionary
    from .diskcache import cached, file_key

    def build() -> DictionaryIndex:
        base = base_dictionary(jieba)
        if base is None:
            raise RuntimeError("jieba's dictionary file is missing")
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = base[0], base[1], True
        add_userdict(tokenizer)
        return build_index(tokenizer.FREQ, tokenizer.total)

    jieba = _import_jieba()
    userdict = resources.files("indexer").joinpath("data/userdict.txt")
    key = "-".join((
        file_key(Path(jieba.__file__).with_name(jieba.DEFAULT_DICT_NAME), _VERSION),
        file_key(Path(str(userdict))), file_key(Path(__file__)),
    ))
    return cached(f"jieba-index-{jieba.__version__}", key, build)
