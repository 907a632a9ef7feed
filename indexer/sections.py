"""Sections found from content where a report gives them no heading, and which standard
sections a report lacks.

Many reports close their measures part with a paragraph that opens the shortcomings without a
heading of its own ("在肯定成绩的同时，…存在一些问题和不足", "但与上级的要求相比还有差距"), and go
on with the plans the same way ("下一步，我镇将…", "2024年，我局将…"). Such a paragraph opens a
passage of that section, which runs until the next heading or the closing lines. The cue must be
the paragraph's first sentence, so measures that deal with problems ("针对排查发现的问题，及时
整改") stay measures.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from .models import SECTION_LABELS, ParsedParagraph, Section

_FIRST_SENTENCE = re.compile(r"^[^。！？；!?;]*")
_SHORTCOMING_CUES = re.compile(
    r"在肯定成绩的同时|(?:存在|还有|仍有|尚有|也有|面临)着?[^。；，,]{0,12}(?:问题|不足|差距|短板|薄弱环节)"
    r"|(?:与|同|对照)[^。；]{0,30}(?:要求|期盼|期待|期望|目标|标准)[^。；]{0,12}(?:差距|不足)"
)
# Measures that deal with problems ("针对检查发现存在的问题"): in the cue's clause, not a
# shortcomings passage.
_PROBLEM_WORK = re.compile(r"整改|排查|化解|解决|查处|查纠|督促|针对|发现|专项|梳理|收集|受理")
_PLAN_START = re.compile(r"^(?:下一步|下一年度?|下阶段|今后|明年|来年|新的一年|展望|下步)")
_YEAR_PLAN = re.compile(
    r"^((?:19|20)\d{2})\s*年[，,]?\s*(?:[\u4e00-\u9fff]{0,12}?(?:我|全|本)[\u4e00-\u9fff]{0,3}?)?"
    r"(?:将|要|计划|拟)"
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
# Before this share of the report, a cue is not taken (openings sum up, they do not criticise).
_MIN_POSITION = 0.25
_MIN_PASSAGE_TEXT = 20  # shorter lines without sentence punctuation (signatures) end a passage
STANDARD_SECTIONS = (Section.LEADERSHIP, Section.MEASURES, Section.SHORTCOMINGS, Section.PLANS)
_LEADERSHIP_CONTENT = re.compile(r"第一责任人")


def _report_year(paragraphs: Sequence[ParsedParagraph]) -> int | None:
    """The year mentioned most often: the year reported on."""
    years = Counter(int(y) for p in paragraphs for y in _YEAR.findall(p.text))
    return years.most_common(1)[0][0] if years else None


def _cue(text: str, report_year: int | None) -> Section | None:
    """The section a paragraph's first sentence opens, if it opens one."""
    first = _FIRST_SENTENCE.match(text.strip())
    sentence = first[0] if first else text
    if _PLAN_START.match(sentence) or _later_year_plan(sentence, report_year):
        return Section.PLANS
    for m in _SHORTCOMING_CUES.finditer(sentence):
        clause_start = max(sentence.rfind(c, 0, m.start()) for c in "，,、：:") + 1
        if not _PROBLEM_WORK.search(sentence[clause_start : m.end()]):
            return Section.SHORTCOMINGS
    return None


def _later_year_plan(sentence: str, report_year: int | None) -> bool:
    m = _YEAR_PLAN.match(sentence)
    return bool(m) and report_year is not None and int(m[1]) > report_year


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？；!?;])", text) if s.strip()]


def refine_sections(paragraphs: Sequence[ParsedParagraph]) -> list[ParsedParagraph]:
    """PARAGRAPHS with unheaded shortcomings and plans passages given their section."""
    year = _report_year(paragraphs)
    start = int(_MIN_POSITION * len(paragraphs))
    out: list[ParsedParagraph] = []
    passage: Section | None = None
    for i, p in enumerate(paragraphs):
        if p.is_heading:
            passage = None
            out.append(p)
            continue
        cue = _cue(p.text, year) if i >= start else None
        if cue is Section.PLANS and p.section is not Section.PLANS:
            passage = Section.PLANS
        elif cue is Section.SHORTCOMINGS and p.section not in (Section.SHORTCOMINGS, Section.PLANS):
            passage = Section.SHORTCOMINGS
        elif passage is not None and _ends_passage(p.text):
            passage = None
        out.append(replace(p, section=passage) if passage is not None else p)
    return out


def _ends_passage(text: str) -> bool:
    return len(text) < _MIN_PASSAGE_TEXT and not re.search(r"[。；！？]", text)


def sections_found(paragraphs: Sequence[ParsedParagraph | object]) -> set[Section]:
    """Standard sections the report has: by section, or (leadership, plans) by content inside
    another section's paragraph ("…存在差距。2024年，我镇将…")."""
    found = {p.section for p in paragraphs}  # type: ignore[attr-defined]
    texts = [p.text for p in paragraphs]  # type: ignore[attr-defined]
    if any(_LEADERSHIP_CONTENT.search(t) for t in texts):
        found.add(Section.LEADERSHIP)
    year = _report_year(paragraphs)  # type: ignore[arg-type]
    if any(_cue(s, year) is Section.PLANS for t in texts for s in _sentences(t)[1:]):
        found.add(Section.PLANS)
    return found


def missing_section_warnings(paragraphs: Sequence[ParsedParagraph]) -> list[str]:
    """One warning per standard section the report does not have at all."""
    found = sections_found(paragraphs)
    return [f"未识别出“{SECTION_LABELS[s]}”部分（标准章节缺失，或报告不完整）"
            for s in STANDARD_SECTIONS if s not in found]


__all__ = ["STANDARD_SECTIONS", "missing_section_warnings", "refine_sections", "sections_found"]
