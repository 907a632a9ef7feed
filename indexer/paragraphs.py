"""Paragraphs from lines: wrapped lines joined, head / body / closing zones, the head tidied,
paragraphs cut by page breaks joined again.

A line that carries on the sentence above it (a hard-wrapped file, text pulled from inline
elements, a bare "二要" run-in mark) joins the paragraph; the head (title, letterhead, 文号)
loses mirror-site spam and repeated titles; after headings are marked, a body paragraph that
a page break cut in the middle of a sentence is joined to the next one.
"""

from __future__ import annotations

import re

from .headings import RUN_IN_ITEM, is_bodyish, is_pure_heading, marker, run_in_title
from .parse_text import (
    CN_NUM,
    CONTINUATION_START,
    DATE_LINE,
    OPEN_END,
    SENTENCE_PUNCT,
    Line,
    Unit,
    ends_sentence,
    glue,
    nfkc,
)

# ---------------------------------------------------------------- units (paragraph candidates)


def paragraph_units(lines: list[Line]) -> list[Unit]:
    """One unit per line, or (in hard-wrapped files) per run of wrapped lines; a line that
    carries on the sentence of the line above it is joined to it (see ``_continues``)."""
    if not _hard_wrapped(lines):
        blank_separated = _blank_separated(lines)
        units = []
        prev: Line | None = None
        for line in lines:
            if prev is not None and units and _continues(prev, line, blank_separated):
                units[-1].text = glue(units[-1].text, line.text)
            else:
                units.append(Unit(line.text, line.md_heading))
            prev = line
        return units
    lengths = sorted(len(line.text) for line in lines)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    uses_indent = 0 < sum(line.indent for line in lines) < len(lines)
    units: list[Unit] = []
    prev: Line | None = None
    for line in lines:
        new = (
            prev is None
            or line.blank_before
            or line.md_heading
            or prev.md_heading
            or marker(line.text) is not None
            or is_pure_heading(prev.text)
            or (uses_indent and line.indent)
            or (ends_sentence(prev.text) and len(prev.text) < 0.85 * width)
        )
        if new:
            units.append(Unit(line.text, line.md_heading))
        else:
            units[-1].text = glue(units[-1].text, line.text)
        prev = line
    return units
# "二要" alone on its line (a bold run-in mark cut off its item): the item follows
_BARE_ITEM_MARK = re.compile(rf"^(其)?[{CN_NUM}]+[是要]$")
_LIST_ITEM = re.compile(r"^([-*+•·▪●○]\s|\|)")


def _blank_separated(lines: list[Line]) -> bool:
    """True when paragraphs are separated by blank lines: most lines that end a sentence are
    followed by one. A single line break inside such a file is not a paragraph break but a
    wrap (text pulled from inline elements, "…我国与\n印度\n、缅甸…")."""
    ends = [i for i in range(len(lines) - 1) if ends_sentence(lines[i].text)]
    return len(ends) >= 2 and sum(lines[i + 1].blank_before for i in ends) >= 0.6 * len(ends)


def _continues(prev: Line, line: Line, blank_separated: bool) -> bool:
    """LINE, right below PREV without a blank line, is the rest of PREV's sentence."""
    if line.blank_before or line.md_heading or prev.md_heading:
        return False
    if _LIST_ITEM.match(line.text) or _LIST_ITEM.match(prev.text):
        return False
    if line.text[0] in CONTINUATION_START or _BARE_ITEM_MARK.match(prev.text):
        return True
    if not blank_separated or ends_sentence(prev.text) or marker(line.text) is not None:
        return False
    if is_pure_heading(prev.text) and prev.text[-1] not in OPEN_END:
        return False
    # "工作打算" + "2024年，我们将……": a heading above its first paragraph stays apart
    return not (_heading_like(prev.text) and is_bodyish(line.text))


def _heading_like(text: str) -> bool:
    return len(text) <= 30 and not SENTENCE_PUNCT.search(text)


def _hard_wrapped(lines: list[Line]) -> bool:
    """True when most lines are short and continue on the next line without a blank line."""
    if len(lines) < 8:
        return False
    followed = sum(1 for nxt in lines[1:] if not nxt.blank_before)
    lengths = sorted(len(line.text) for line in lines)
    p90 = lengths[int(0.9 * (len(lengths) - 1))]
    return followed >= 0.5 * (len(lines) - 1) and p90 <= 100


# ---------------------------------------------------------------- zones: head / body / closing


# A signature line ends with the organ's kind (…人民政府, …司法局, …镇).
_ORGAN_END = re.compile(
    r"(人民政府|政府|办事处|委员会|管委会|局|厅|委|办公室|镇|乡|街道|司法所|部|院|党委|党工委|党组|中心|公司)$"
)


def _is_closing_line(text: str) -> bool:
    """A signature or date line at the end of a report."""
    if len(text) > 40:
        return False
    norm = nfkc(text)
    if len(norm) <= 20 and DATE_LINE.match(norm):
        return True
    return len(norm) <= 40 and not SENTENCE_PUNCT.search(norm) and bool(_ORGAN_END.search(norm))


def mark_zones(units: list[Unit]) -> None:
    """Head: title, letterhead, 文号, salutation before the first body line. Closing: signature
    and date lines after the last one."""
    first = next((i for i, u in enumerate(units) if is_bodyish(u.text)), len(units))
    for u in units[:first]:
        u.zone = "head"
    for u in reversed(units[first:]):
        if not _is_closing_line(u.text):
            break
        u.zone = "closing"


# Mirror-site spam appended to a page title ("…报告 - 某某娱乐官网").
_SPAM = re.compile(
    r"娱乐|彩票|博彩|棋牌|赌场|真人|投注|下注|开户|官网|官方网站|下载|体育|电竞|百家乐|老虎机|"
    r"威尼斯人|葡京|澳门|皇冠|亚博|开云|半岛|乐鱼|九游|bet|BET|365"
)
_SPAM_SUFFIX = re.compile(r"^(.*?\S)\s*[-_—–|｜]+\s*([^-_—–|｜]{2,30})$")


def tidy_head(units: list[Unit]) -> tuple[list[Unit], list[str]]:
    """In the head: strip mirror-site spam from titles, drop repeated lines, join a title
    printed over two lines ("…关于2023年法治政府" + "建设工作情况的报告")."""
    out: list[Unit] = []
    dropped: list[str] = []
    seen: set[str] = set()
    for u in units:
        if u.zone != "head":
            out.append(u)
            continue
        m = _SPAM_SUFFIX.match(u.text)
        if m and _SPAM.search(m.group(2)) and not _SPAM.search(m.group(1)):
            dropped.append(u.text)
            u.text = m.group(1)
        key = re.sub(r"\s+", "", u.text)
        if key in seen and len(key) <= 60:  # a title printed twice (page title, then heading)
            dropped.append(u.text)
            continue
        prev = out[-1] if out and out[-1].zone == "head" else None
        if prev is not None and _title_continues(prev.text, u.text):
            joined = glue(prev.text, u.text)
            if re.sub(r"\s+", "", joined) in seen:  # the same title printed twice
                dropped.extend((prev.text, u.text))
                out.pop()
            else:
                seen.add(re.sub(r"\s+", "", joined))
                prev.text = joined
            continue
        seen.add(key)
        out.append(u)
    return out, dropped


def _title_continues(a: str, b: str) -> bool:
    if SENTENCE_PUNCT.search(a) or SENTENCE_PUNCT.search(b):
        return False
    if len(a) < 8 or len(b) > 20 or b[0].isdigit() or re.search(r"(报告|情况|总结|文件|号)$", a):
        return False
    return bool(re.search(r"(报告|情况|总结)$", a + b))


# ---------------------------------------------------------------- page-break joins


def _joinable(prev: Unit, cur: Unit) -> bool:
    """PREV was cut by a page break and CUR carries on its sentence."""
    return (
        prev.zone == "body"
        and cur.zone == "body"
        and not prev.heading
        and not cur.heading
        and cur.level is None
        and not RUN_IN_ITEM.match(cur.text)
        and not _is_table_row(prev.text)  # table rows are never page-break cuts
        and not _is_table_row(cur.text)
        and not ends_sentence(prev.text)
    )


def _is_table_row(text: str) -> bool:
    """A row of an HTML table ("a | b") or a Markdown one ("| a |b |")."""
    return " | " in text or text.startswith(("|", "｜")) or text.endswith(("|", "｜"))


def join_page_breaks(units: list[Unit]) -> list[Unit]:
    out: list[Unit] = []
    for u in units:
        if out and _joinable(out[-1], u):
            prev = out[-1]
            prev.text = glue(prev.text, u.text)
            if prev.level is not None and not prev.heading:
                prev.outline = run_in_title(prev.text)
            continue
        out.append(u)
    return out
