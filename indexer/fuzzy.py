"""Fuzzy (模糊) terms: the finest words of a term, and its variants from the shipped dictionary.

Fuzzy mode finds paragraphs holding all the words of a term in any order. A term's units are
its jieba words cut once more into the dictionary words they are made of (行政执法三项制度 ->
行政 执法 三项 制度), so quotes, 、 and other punctuation inside the phrase in the text
(行政执法“三项制度”, “八五”普法规划) do not stop a match. Variants come from
``indexer/data/variants.txt`` (groups of terms with the same meaning): each variant is one
more term OR'ed with the typed one, so the engine only ever sees units.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

from .normalize import normalize

MAX_VARIANTS = 6  # per typed term


def _is_punctuation(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PSZ"


def without_punctuation(norm: str) -> str:
    return "".join(c for c in norm if not _is_punctuation(c))


def finest_pieces(word: str, known: set[str]) -> list[str]:
    """``word`` cut into the most pieces of two or more characters that are all ``known``
    dictionary words; ``[word]`` when no such cut covers it."""
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[n] = []
    for i in range(n - 1, -1, -1):
        for j in range(i + 2, n + 1):
            piece = word[i:j]
            rest = best[j]
            if rest is not None and (piece in known or (i == 0 and j == n)):
                candidate = [piece, *rest]
                if best[i] is None or len(candidate) > len(best[i]):
                    best[i] = candidate
    return best[0] or [word]


def fuzzy_units(norm: str) -> tuple[str, ...]:
    """The units (all must be present) of a fuzzy term with normalised text ``norm``."""
    from .analysis import _jieba, words

    jieba = _jieba()
    units: list[str] = []
    for word in words(without_punctuation(norm)) or [norm]:
        known = {w for w in jieba.cut_for_search(word, HMM=False) if len(w) >= 2}
        pieces = finest_pieces(word, known) if len(word) > 2 else [word]
        units.extend(p for p in pieces if p not in units)
    return tuple(units) or (norm,)


def fuzzy_term(text: str, norm: str, quoted: bool):
    from .query import Term

    return Term(text=text, norm=norm, units=fuzzy_units(norm), quoted=quoted,
                phrase=without_punctuation(norm) or norm)


@lru_cache(maxsize=1)
def variant_groups() -> tuple[tuple[str, ...], ...]:
    """The dictionary's groups, normalised (longest terms first inside each group)."""
    text = resources.files("indexer").joinpath("data/variants.txt").read_text(encoding="utf-8")
    groups = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        members = tuple(dict.fromkeys(normalize(m) for m in line.split() if normalize(m)))
        if len(members) > 1:
            groups.append(tuple(sorted(members, key=len, reverse=True)))
    return tuple(groups)


def _variant_norms(norm: str) -> list[str]:
    """Other spellings of ``norm``: each dictionary term in it replaced by its group mates."""
    out: list[str] = []
    for group in variant_groups():
        found = next((m for m in group if m in norm), None)  # longest member present
        if found is None:
            continue
        for mate in group:
            if mate == found:
                continue
            alt = norm.replace(found, mate)
            if norm not in alt and alt not in out:
                out.append(alt)
    return out[:MAX_VARIANTS]


def variant_terms(term) -> list:
    """The dictionary variants of fuzzy ``term`` as Terms (``variant_of`` = the typed text)."""
    from .query import Term

    out = []
    for alt in _variant_norms(term.norm):
        units = fuzzy_units(alt)
        if set(units) >= set(term.units):
            continue  # every paragraph it finds is found by the typed term already
        out.append(Term(text=alt, norm=alt, units=units, variant_of=term.text,
                        phrase=without_punctuation(alt) or alt))
    return out
