"""The records and text rules every step of parsing shares.

A decoded document's lines (``Line``: text, blank line above, indentation, Markdown heading),
the paragraph candidates the steps refine (``Unit``), splitting text into lines, and the
character rules: sentence ends, joining two pieces of one paragraph, the full-width fold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ---------------------------------------------------------------- character classes

# A paragraph ending in one of these ends a sentence (a closing quote/bracket only counts
# when the sentence inside it ended: "…“平安联盟”" + "工作机制…" is a page-break cut).
_TERMINAL = "。！？；：!?;:…"
_CLOSERS = "”’」』）)】]》>"
SENTENCE_PUNCT = re.compile(r"[，。；：！？,;:!?]")
CN_NUM = "一二三四五六七八九十百零〇两"
# A line that is only a date ("二〇二四年一月五日", "2024-01-05"): a report's date line.
DATE_LINE = re.compile(
    r"^[（(]?\s*([\d〇零○Ｏ一二三四五六七八九]{4})\s*年\s*[\d〇零○一二三四五六七八九十]{1,3}\s*月"
    r"\s*[\d〇零○一二三四五六七八九十]{1,3}\s*日\s*[）)]?$"
    r"|^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$"
)


# ---------------------------------------------------------------- records used while parsing


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    blank_before: bool
    indent: bool
    md_heading: bool


@dataclass(slots=True)
class Unit:
    text: str
    md_heading: bool = False
    zone: str = "body"  # "head" | "body" | "closing"
    level: int | None = None  # marker level, or top level for unnumbered headings
    heading: bool = False  # a heading line (not a run-in paragraph)
    outline: str | None = None  # text this unit puts in the outline, if any


# ---------------------------------------------------------------- lines


_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HTML_COMMENT = re.compile(r"^<!--.*-->$")


def split_lines(text: str) -> list[Line]:
    """Non-empty lines, stripped, with whether a blank line or indentation precedes them."""
    out: list[Line] = []
    blank = True
    for raw_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw_line.rstrip()
        stripped = line.strip(" \t\u3000\xa0\ufeff")
        if not stripped or _HTML_COMMENT.match(stripped) or _MD_RULE.match(stripped):
            blank = blank or not stripped
            continue
        indent = line[: len(line) - len(line.lstrip(" \t\u3000\xa0"))]
        md = bool(_MD_HEADING.match(stripped))
        if md:
            stripped = _MD_HEADING.sub("", stripped).strip()
        out.append(Line(stripped, blank, len(indent.replace("\u3000", "  ")) >= 2, md))
        blank = False
    return out


# ---------------------------------------------------------------- text rules


# Full-width ASCII forms and the ideographic space folded to ASCII (the part of NFKC that
# matters for numbers and dates), length-preserving and much faster than unicodedata.
_FULLWIDTH = str.maketrans({**{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}, "\u3000": " "})


_HAS_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")


def nfkc(text: str) -> str:
    return text.translate(_FULLWIDTH) if _HAS_FULLWIDTH.search(text) else text


# A line starting with one of these carries on the sentence above it (no paragraph starts so).
CONTINUATION_START = "，。、；：！？）》」』”’】,;:!?)]"


def glue(a: str, b: str) -> str:
    """Join two pieces of one paragraph (a space only between two Latin words or two numbers:
    "M" + "2" is "M2", "PM" + "10" is "PM10")."""
    if a and b and a[-1].isascii() and b[0].isascii() and (
        (a[-1].isalpha() and b[0].isalpha()) or (a[-1].isdigit() and b[0].isdigit())
    ):
        return f"{a} {b}"
    return a + b


def ends_sentence(text: str) -> bool:
    text = text.rstrip()
    if not text:
        return True
    if text[-1] in _TERMINAL:
        return True
    stripped = text.rstrip(_CLOSERS)
    return len(stripped) < len(text) and bool(stripped) and stripped[-1] in _TERMINAL


# A heading never ends in a word or mark that needs what follows (与 和 的 《 …).
OPEN_END = "与和及的在对把被从向于为是了并或、，《“‘（(「『[【"
