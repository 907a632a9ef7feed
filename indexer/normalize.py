"""Normalisation for matching: compatibility folding that keeps numerals distinct, lower case,
no whitespace, traditional folded to simplified.

What is folded (users mean the same thing): full-width and half-width forms (Ａ２，→ a2,),
mathematical letters, ligatures, Kangxi radicals and CJK compatibility ideographs (⼀ 豈 → 一 豈),
no-break and other spaces (dropped, like all whitespace), case, traditional characters.
What is kept distinct (users mean something else): circled and enclosed numbers and letters
(① ㊀ Ⓐ), Roman numerals (Ⅰ Ⅻ ⅰ), superscripts and subscripts (² ₂ ™), vulgar fractions (½),
squared units (㎡) and digit-full-stop forms (⒈): NFKC would turn ① into 1 and Ⅰ into i, so
that a query for ① matched every 1.

Index and query go through the same function, so "contains" after normalisation is the whole
exact-match contract. Each original character is normalised on its own (one character in,
zero or more out), which is what lets every normalised character map back to the original
character it came from (``normalize_with_offsets``).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate

# Bumped whenever the fold changes: indexes store normalised text, so an index built with
# another version must be rebuilt (the engine's schema version includes it).
NORMALIZATION_VERSION = 2

# Compatibility decompositions that change what a character means, not how it is drawn.
_KEPT_TAGS = frozenset({"<circle>", "<super>", "<sub>", "<fraction>", "<square>"})
_KEPT_RANGES = (
    (0x2160, 0x2188),  # Roman numerals Ⅰ..ↈ
    (0x2488, 0x249B),  # digit full stop ⒈..⒛
)


def _keeps_identity(ch: str) -> bool:
    """Whether compatibility folding would turn ``ch`` into a character of another meaning."""
    code = ord(ch)
    if any(lo <= code <= hi for lo, hi in _KEPT_RANGES):
        return True
    decomposition = unicodedata.decomposition(ch)
    return decomposition.split(" ", 1)[0] in _KEPT_TAGS if decomposition else False


# Characters that separate paragraphs in the in-memory column; normalisation never emits it
# because it is whitespace.
SEPARATOR = "\n"


@lru_cache(maxsize=1)
def _fold_table() -> dict[str, str]:
    """zhconv's zh-hans table restricted to 1:1 character pairs (a pure character fold).

    Cached on disk: importing zhconv (which imports pkg_resources) and reading its table
    costs about 0.25 s, most of a small `fazhi index` update's normalising."""
    from importlib.util import find_spec
    from pathlib import Path

    from .diskcache import cached, file_key

    def build() -> dict[str, str]:
        from zhconv import zhconv

        table = zhconv.getdict("zh-hans")
        return {k: v for k, v in table.items() if len(k) == 1 and len(v) == 1 and k != v}

    spec = find_spec("zhconv")
    try:
        key = file_key(Path(spec.origin).with_name("zhcdict.json"))  # type: ignore[union-attr,arg-type]
    except (OSError, AttributeError, TypeError):
        return build()
    return cached("zhconv-fold", key, build)


def _fold_char(ch: str) -> str:
    """The normalised form of one original character ('' for whitespace)."""
    fold = _fold_table()
    out = []
    base = unicodedata.normalize("NFC", ch) if _keeps_identity(ch) else unicodedata.normalize(
        "NFKC", ch)
    for c in base.lower():
        if c.isspace() or c in "\u200b\u200c\u200d\ufeff":
            continue
        # NFKC may give a traditional form, and folding may give a character NFKC changes.
        c = fold.get(c, c)
        out.append(c)
    return "".join(out)


class _Table(dict):
    """A ``str.translate`` table that computes (and remembers) each character's fold."""

    def __missing__(self, code: int) -> str:
        value = _fold_char(chr(code))
        self[code] = value
        return value


_TABLE = _Table()


def normalize(text: str) -> str:
    """The normalised text used for matching (C-speed once the characters are known)."""
    return text.translate(_TABLE)


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index of the original
    character it came from."""
    parts: list[str] = []
    offsets: list[int] = []
    table = _TABLE
    for i, ch in enumerate(text):
        folded = table[ord(ch)]
        if folded:
            parts.append(folded)
            offsets.extend([i] * len(folded))
    return "".join(parts), offsets


def original_span(offsets: list[int], start: int, end: int) -> tuple[int, int]:
    """The [start, end) span of the original text that normalised [start, end) came from."""
    return offsets[start], offsets[end - 1] + 1


class _LengthTable(dict):
    """A ``str.translate`` table: each character to ``chr(n)``, ``n`` the number of
    characters its normalised form has (computed from ``_TABLE`` and remembered)."""

    def __missing__(self, code: int) -> str:
        value = chr(len(_TABLE[code]))
        self[code] = value
        return value


_LENGTHS = _LengthTable()


# The characters that normalise to nothing: whitespace and the zero-width ones
# (tests/test_normalize.py checks every code point against ``_fold_char``).
VANISHING = re.compile(r"[\s\u200b\u200c\u200d\ufeff]")


def original_spans(text: str, norm: str, spans: Iterable[tuple[int, int]]
                   ) -> list[tuple[int, int]]:
    """[start, end) spans of ``norm`` (``normalize(text)``) as spans of ``text``: the original
    characters they came from (``original_span`` over ``normalize_with_offsets``).

    When ``norm`` is as long as the text less its vanishing characters, every other character
    gave exactly one (vanishing ones give none, every other at least one): the map is then the
    positions of the vanishing characters alone, no look-up per character."""
    gone = [m.start() for m in VANISHING.finditer(text)]
    if len(norm) == len(text) - len(gone):
        if not gone:
            return list(spans)
        gaps = [g - j for j, g in enumerate(gone)]  # where each gap falls in ``norm``
        return [(s + bisect_right(gaps, s), e + bisect_right(gaps, e - 1)) for s, e in spans]
    ends = normalized_ends(text) or list(range(1, len(text) + 1))
    return [(bisect_right(ends, s), bisect_right(ends, e - 1) + 1) for s, e in spans]


def normalized_ends(text: str) -> list[int] | None:
    """For each character ``j`` of ``text``, ``len(normalize(text[: j + 1]))``; None when every
    character normalises to exactly one character (normalised offsets are then original ones).

    The normalised character ``i`` comes from original character ``bisect_right(ends, i)``:
    the same map as ``normalize_with_offsets``, at C speed (a ``translate`` and, only when
    needed, an ``accumulate``, instead of a Python loop per character).
    """
    lengths = text.translate(_LENGTHS)
    if lengths.count("\x01") == len(lengths):
        return None
    return list(accumulate(map(ord, lengths)))
