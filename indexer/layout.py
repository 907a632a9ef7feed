"""Text lines with positions (from a PDF's text layer or from OCR) back to paragraphs.

A page is a list of ``PageLine`` records. Page furniture is removed first: page numbers
("- 3 -", "第 3 页", "3/12") in the top or bottom band of a page, and header/footer lines that
repeat (digits aside) on most pages. The rest is rebuilt into paragraphs from the geometry a
typeset document has: a line starts a paragraph when it is indented (首行缩进), follows a line
that stopped short of the right margin, stands after a wider vertical gap, or is centred
(titles, headings); otherwise it continues the previous line, across a page break too.
The result is plain text, one paragraph per blank-line-separated block, ready for ``parse``.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# Share of the page height at the top and bottom where running headers/footers live.
_EDGE_BAND = 0.1
# A header/footer repeats (digits folded) on at least this share of pages (and on 2 or more).
_REPEAT_SHARE = 0.5
_PAGE_NUMBER = re.compile(
    r"^[-—–－_~·•\s]*(?:第\s*)?[0-9０-９]{1,4}\s*(?:页)?(?:\s*[/／]\s*[0-9]{1,4}|\s*共\s*[0-9]{1,4}\s*页)?"
    r"[-—–－_~·•\s]*$|^(?:page\s*)?\d{1,4}\s*(?:of\s*\d{1,4})?$",
    re.I,
)
_SENTENCE_END = tuple("。！？；：!?;:")
_HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*、|[（(]\s*[一二三四五六七八九十]+\s*[）)]|"
                            r"\d{1,2}\s*[、.．](?!\d)|第[一二三四五六七八九十]+[部章节])")


@dataclass(frozen=True, slots=True)
class PageLine:
    """One line of text on a page; coordinates grow rightwards and downwards from the top left."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)


@dataclass(frozen=True, slots=True)
class Page:
    width: float
    height: float
    lines: tuple[PageLine, ...]


def pages_to_text(pages: Sequence[Page]) -> str:
    """The paragraphs of PAGES (furniture removed, wraps and page breaks joined), blank-line
    separated."""
    bodies = strip_page_furniture(pages)
    body_lines = [ln for lines in bodies for ln in lines]
    if not body_lines:
        return ""
    geometry = _Geometry.of(body_lines)
    paragraphs: list[str] = []
    prev: PageLine | None = None
    for lines in bodies:
        for i, line in enumerate(lines):
            first_on_page = i == 0
            if prev is None or geometry.starts_paragraph(prev, line, first_on_page):
                paragraphs.append(line.text)
            else:
                paragraphs[-1] = glue(paragraphs[-1], line.text)
            prev = line
    return "\n\n".join(p.strip() for p in paragraphs if p.strip()) + "\n"


def glue(a: str, b: str) -> str:
    """Two pieces of one paragraph joined (a space only between two Latin words or numbers)."""
    a, b = a.rstrip(), b.lstrip()
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return f"{a} {b}"
    return a + b


def _fold_digits(text: str) -> str:
    return re.sub(r"[0-9０-９]+", "#", re.sub(r"\s+", "", text))


def _in_edge(line: PageLine, page: Page) -> bool:
    band = _EDGE_BAND * page.height
    return line.top < band or line.bottom > page.height - band


def strip_page_furniture(pages: Sequence[Page]) -> list[list[PageLine]]:
    """Each page's lines without page numbers and repeated running headers/footers."""
    repeated: Counter[str] = Counter()
    for page in pages:
        repeated.update({_fold_digits(ln.text) for ln in page.lines if _in_edge(ln, page)})
    threshold = max(2, _REPEAT_SHARE * len(pages))
    out: list[list[PageLine]] = []
    for page in pages:
        kept = []
        for ln in page.lines:
            edge = _in_edge(ln, page)
            if edge and _PAGE_NUMBER.match(ln.text.strip()):
                continue
            if edge and len(pages) >= 2 and repeated[_fold_digits(ln.text)] >= threshold:
                continue
            kept.append(ln)
        out.append(kept)
    return out


@dataclass(frozen=True, slots=True)
class _Geometry:
    """The body's text block: left margin, right margin, usual line height and line pitch."""

    left: float
    right: float
    char: float  # a character's width (about the line height for CJK text)
    pitch: float  # usual distance between the tops of two lines of a paragraph

    @classmethod
    def of(cls, lines: Sequence[PageLine]) -> _Geometry:
        char = statistics.median(ln.height for ln in lines)
        lefts = Counter(round(ln.x0 / (char / 2)) for ln in lines)
        left = lefts.most_common(1)[0][0] * (char / 2)
        rights = sorted(ln.x1 for ln in lines)
        right = rights[int(0.9 * (len(rights) - 1))]
        gaps = [b.top - a.top for a, b in zip(lines, lines[1:]) if 0 < b.top - a.top < 4 * char]
        pitch = statistics.median(gaps) if gaps else 1.5 * char
        return cls(left=left, right=right, char=char, pitch=pitch)

    def indented(self, line: PageLine) -> bool:
        return line.x0 > self.left + 1.2 * self.char

    def full(self, line: PageLine) -> bool:
        """The line reaches (nearly) the right margin, so its paragraph goes on."""
        return line.x1 >= self.right - 1.5 * self.char

    def centred(self, line: PageLine) -> bool:
        middle = (self.left + self.right) / 2
        return (
            self.indented(line)
            and not self.full(line)
            and abs((line.x0 + line.x1) / 2 - middle) < 2 * self.char
        )

    def starts_paragraph(self, prev: PageLine, line: PageLine, first_on_page: bool) -> bool:
        if not self.full(prev) or self.indented(line) or self.centred(prev):
            return True
        if prev.text.rstrip().endswith(_SENTENCE_END) and _HEADING_START.match(line.text):
            return True  # a numbered heading after a paragraph whose last line was full
        if abs(line.height - prev.height) > 0.2 * self.char:
            return True  # a change of font size: a heading or a title
        if not first_on_page and line.top - prev.top > 1.6 * self.pitch:
            return True
        return False


__all__ = ["Page", "PageLine", "glue", "pages_to_text", "strip_page_furniture"]
