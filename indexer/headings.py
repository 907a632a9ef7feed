"""Headings of a report: heading numbers, heading lines, heading paths and sections.

Numbered headings are found by their marker ("一、", "（二）", "3.") and told from paragraphs
that merely start with one (run-in titles); unnumbered short lines between paragraphs are
top-level headings. The outline gives every paragraph its heading path, and the top-level
heading it stands under gives its section.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .models import ParsedParagraph, Section
from .parse_text import (
    CN_NUM,
    CONTINUATION_START,
    DATE_LINE,
    OPEN_END,
    SENTENCE_PUNCT,
    Unit,
    ends_sentence,
    nfkc,
)

# ---------------------------------------------------------------- heading markers

_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^第[{CN_NUM}]+(部分|章|篇)\s*")),
    (1, re.compile(rf"^[{CN_NUM}]+\s*[、.．]\s*")),
    (2, re.compile(rf"^[（(]\s*[{CN_NUM}]+\s*[）)]\s*[、.．]?\s*")),
    (2, re.compile(rf"^第[{CN_NUM}]+节\s*")),
    (2, re.compile(rf"^第[{CN_NUM}]+\s*[，,、]\s*")),
    (3, re.compile(r"^\d{1,2}\s*[、.．](?!\d)\s*")),
    (4, re.compile(r"^[（(]\s*\d{1,2}\s*[）)]\s*[、.．]?\s*")),
    (5, re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]\s*")),
)
RUN_IN_ITEM = re.compile(rf"^(其)?[{CN_NUM}]+是")  # 一是…二是… items stay body text
_HEADING_MAX = 50  # longest text (after the marker) a heading line may have
_INNER_STOP = re.compile(r"[。！？；!?;]")


# ---------------------------------------------------------------- heading lines


def _strip_marker(text: str) -> str:
    m = marker(text)
    return text[m[1] :] if m else text


@lru_cache(maxsize=4096)
def marker(text: str) -> tuple[int, int] | None:
    """(level, end of marker) when TEXT starts with a heading number."""
    norm = nfkc(text[:16])  # markers are short: normalise only the start of long paragraphs
    for level, rx in _MARKERS:
        m = rx.match(norm)
        if m and m.end() < len(text):
            return level, m.end()
    return None


def is_pure_heading(text: str) -> bool:
    """A numbered line that is a heading, not a paragraph that starts with one."""
    m = marker(text)
    if m is None:
        return False
    rest = text[m[1] :].strip()
    # a list item ending in ；，、 ("（一）国家机关；") is body text, not a heading
    return (
        0 < len(rest) <= _HEADING_MAX
        and not _INNER_STOP.search(rest[:-1])
        and rest[-1] not in "；;，,、"
    )


def run_in_title(text: str) -> str | None:
    """The heading sentence of a run-in paragraph ("（一）深入学习…思想。始终把…")."""
    m = marker(text)
    if m is None:
        return None
    stop = _INNER_STOP.search(text, m[1])
    if stop is None or stop.start() - m[1] > _HEADING_MAX or stop.start() == m[1]:
        return None
    return text[: stop.start()]


def is_bodyish(text: str) -> bool:
    """A line that can only be report text: a numbered heading or a long sentence."""
    if marker(text) is not None:
        return True
    return len(text) >= 30 and bool(SENTENCE_PUNCT.search(text))


def mark_headings(units: list[Unit]) -> None:
    """Set level/heading/outline of body units from markers, markdown and unnumbered lines."""
    levels = []
    for u in units:
        if u.zone != "body":
            continue
        m = marker(u.text)
        if m is not None:
            u.level = m[0]
            if is_pure_heading(u.text) or u.md_heading:
                u.heading, u.outline = True, u.text
            else:
                u.outline = run_in_title(u.text)
            levels.append(u.level)
    body = [i for i, u in enumerate(units) if u.zone == "body"]
    for i in body:
        u = units[i]
        if u.level is not None:
            continue
        prev = units[i - 1] if i > 0 else None
        nxt = units[i + 1] if i + 1 < len(units) else None
        standalone = (
            u.md_heading
            or (
                len(u.text) <= 30
                and _can_be_heading(u.text)
                and not SENTENCE_PUNCT.search(u.text)
                and "|" not in u.text  # a table row
                and not RUN_IN_ITEM.match(u.text)
                and not DATE_LINE.match(nfkc(u.text))
                and (prev is None or prev.zone != "body" or ends_sentence(prev.text) or prev.heading)
                and nxt is not None
                and nxt.zone == "body"
            )
        )
        if standalone:  # unnumbered headings are top-level ones ("2024年工作打算")
            u.level, u.heading, u.outline = 1, True, u.text


_MIN_HEADING_CJK = 2


def _can_be_heading(text: str) -> bool:
    """An unnumbered line that may be a heading: real words ("结束语", "工作打算"), not a
    fragment of a sentence ("、", "据", "今年是我国与", "认真实施《") or English boilerplate
    ("Public domain", "false")."""
    return (
        len(_CJK_CHAR.findall(text)) >= _MIN_HEADING_CJK
        and text[0] not in CONTINUATION_START
        and text[-1] not in OPEN_END
    )


_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")


# ---------------------------------------------------------------- outline and sections

_SECTION_FIRST = (
    (Section.SHORTCOMINGS, re.compile(r"不足|差距|短板|薄弱环节|存在.{0,8}问题|问题(和|及|与)(原因|不足|困难)|^(主要)?问题$")),
    (Section.PLANS, re.compile(r"下一年|下一步|下步|明年|来年|今后|新的一年|工作展望|^展望")),
)
_LEADERSHIP = re.compile(r"第一责任人|主要负责人.{0,12}(职责|履职)")
_MEASURES = re.compile(r"举措|成效|做法|措施|情况|成绩|进展|完成|开展|主要工作")
_YEAR_PLAN = re.compile(
    r"(\d{4}|[〇零一二三四五六七八九]{4})\s*年度?.{0,15}(安排|打算|计划|思路|设想|目标|重点)"
    r"|(工作|主要)(安排|打算|计划|思路|设想)"
)


def section_of(heading: str) -> Section:
    """The section a top-level heading opens (thematic headings of the measures part: measures)."""
    text = _strip_marker(heading)
    hits = [(m.start(), sec) for sec, rx in _SECTION_FIRST if (m := rx.search(text))]
    if hits:
        return min(hits, key=lambda h: h[0])[1]
    if _LEADERSHIP.search(text):
        return Section.LEADERSHIP
    if _MEASURES.search(text):
        return Section.MEASURES
    if _YEAR_PLAN.search(text):
        return Section.PLANS
    return Section.MEASURES


def outline(units: list[Unit]) -> list[ParsedParagraph]:
    """Heading paths (outermost first) and sections, inherited from the top-level heading."""
    levels = [u.level for u in units if u.zone == "body" and u.level is not None and u.outline]
    top = min(levels, default=1)
    stack: list[tuple[int, str]] = []
    section = Section.OTHER
    out: list[ParsedParagraph] = []
    for u in units:
        if u.zone != "body":
            out.append(ParsedParagraph(text=u.text))
            continue
        path = tuple(text for _, text in stack)
        if u.level is not None and u.outline:
            while stack and stack[-1][0] >= u.level:
                stack.pop()
            path = tuple(text for _, text in stack)
            if u.level <= top:
                section = section_of(u.outline)
            stack.append((u.level, u.outline))
        out.append(
            ParsedParagraph(
                text=u.text,
                is_heading=u.heading,
                heading_level=u.level if u.heading else None,
                heading_path=path,
                section=section,
            )
        )
    return out
