"""Turn a decoded document into clean paragraphs with headings, outline and sections.

Steps: lines -> page furniture removed (its facts kept) -> hard-wrapped lines joined ->
paragraphs cut by page breaks joined -> headings and levels -> heading paths -> sections.
Nothing here knows a particular site: rules describe kinds of lines, not files. The steps
live in their own modules: ``parse_text`` (lines and the shared text rules), ``furniture``
(page furniture and its facts), ``paragraphs`` (joins, zones, the head) and ``headings``
(heading numbers, heading lines, outline and sections).
"""

from __future__ import annotations

from .furniture import add_html_meta, strip_furniture
from .headings import mark_headings, outline
from .models import ParsedReport, RawDocument
from .paragraphs import join_page_breaks, mark_zones, paragraph_units, tidy_head
from .parse_text import split_lines
from .sections import refine_sections


def parse(raw: RawDocument) -> ParsedReport:
    """Clean RAW of page furniture and cut it into paragraphs with headings and sections."""
    lines = split_lines(raw.text)
    lines, furniture, dropped = strip_furniture(lines)
    add_html_meta(furniture, raw.html_meta)
    units = paragraph_units(lines)
    mark_zones(units)
    units, head_dropped = tidy_head(units)
    dropped.extend(head_dropped)
    mark_headings(units)
    units = join_page_breaks(units)
    paragraphs = refine_sections(outline(units))  # unheaded shortcomings/plans passages
    warnings: list[str] = []
    if not any(u.zone == "body" for u in units):
        warnings.append("未识别出正文（没有编号标题或成句的段落）")
    return ParsedReport(
        raw=raw,
        paragraphs=tuple(paragraphs),
        furniture=furniture,
        dropped_lines=tuple(dropped),
        warnings=tuple(warnings),
    )


__all__ = ["parse"]
