"""Highlights: exact spans of the matched terms in the original text, and their HTML rendering."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from .normalize import normalize, original_spans


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping and adjacent ones merged; empty spans dropped."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def find_spans(text: str, needles: Iterable[str], norm: str | None = None
               ) -> tuple[tuple[int, int], ...]:
    """[start, end) spans of ``text`` (original) covering every occurrence of every normalised
    needle in the normalised text (``norm``: ``normalize(text)`` when the caller has it),
    merged."""
    needles = [n for n in dict.fromkeys(needles) if n]
    if not needles:
        return ()
    if norm is None:
        norm = normalize(text)
    found = [(i, i + len(needle)) for needle in needles for i in _occurrences(norm, needle)]
    if not found:
        return ()
    return tuple(merge_spans(original_spans(text, norm, found)))


def _occurrences(norm: str, needle: str) -> list[int]:
    """Start of every occurrence of ``needle`` in ``norm``, overlapping ones included."""
    out = []
    i = norm.find(needle)
    while i >= 0:
        out.append(i)
        i = norm.find(needle, i + 1)
    return out


def highlight_html(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` HTML-escaped with ``<mark>`` around each span (spans merged first)."""
    out: list[str] = []
    pos = 0
    for start, end in merge_spans((max(0, s), min(len(text), e)) for s, e in spans):
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)
