"""Cap paragraph length: a paragraph longer than the cap is split at sentence ends.

A one-line file of millions of characters would otherwise be one paragraph that every common
search hits and every response carries whole. The pieces keep the paragraph's heading path and
section; the report gets a warning saying how many paragraphs were split.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .models import ParsedParagraph, ParsedReport

# Where a piece may end, best first: after a sentence, after a clause, anywhere.
_SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’」』）)】\]]*")
_CLAUSE_END = re.compile(r"[，、：,:]+")


def cap_paragraphs(parsed: ParsedReport, max_chars: int) -> ParsedReport:
    """PARSED with every paragraph longer than MAX_CHARS split into pieces of at most
    MAX_CHARS characters, cut after the last sentence end that fits (else the last clause
    end, else at the cap). Nothing is dropped: the pieces joined are the paragraph."""
    if max_chars <= 0 or all(len(p.text) <= max_chars for p in parsed.paragraphs):
        return parsed
    out: list[ParsedParagraph] = []
    split = 0
    for p in parsed.paragraphs:
        if len(p.text) <= max_chars:
            out.append(p)
            continue
        split += 1
        out.extend(
            replace(p, text=piece, is_heading=False, heading_level=None)
            for piece in split_text(p.text, max_chars)
        )
    warning = f"{split} 个段落超过 {max_chars} 字，已在句末拆分"
    return replace(parsed, paragraphs=tuple(out), warnings=(*parsed.warnings, warning))


def split_text(text: str, max_chars: int) -> list[str]:
    """TEXT cut into pieces of at most MAX_CHARS, each ending at a sentence end if one fits."""
    pieces: list[str] = []
    start = 0
    while len(text) - start > max_chars:
        end = _cut(text, start, start + max_chars)
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return pieces


def _cut(text: str, start: int, limit: int) -> int:
    """The best end in (start, limit]: after the last sentence end, else clause end, else LIMIT."""
    window = text[start:limit]
    for rx in (_SENTENCE_END, _CLAUSE_END):
        last = None
        for m in rx.finditer(window):
            last = m
        # a piece of at least a fifth of the cap: no crumbs before a long unpunctuated run
        if last is not None and last.end() >= len(window) // 5:
            return start + last.end()
    return limit
