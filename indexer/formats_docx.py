"""DOCX reports (python-docx): body paragraphs and tables in document order, headings from styles.

Headers, footers and page numbers live in their own parts of a .docx and are never read. A
paragraph whose style is a heading (Heading 1-9, 标题 1-9, or an outline level set on the
paragraph or its style) is written as a markdown heading line, which ``parse`` takes as a
heading; soft line breaks inside a paragraph are joined. Legacy formats that would need a
converter (.doc, .wps, .ofd) are skipped with a hint.
"""

from __future__ import annotations

import io
import re
import zipfile

from .errors import IngestError

# suffix -> why it is skipped and what to do
CONVERT_HINTS: dict[str, str] = {
    ".doc": "legacy Word .doc is not read: convert it to .docx or PDF (e.g. libreoffice --convert-to docx)",
    ".wps": "WPS .wps is not read: convert it to .docx or PDF (Save As in WPS Office)",
    ".ofd": "OFD is not read: convert it to PDF (export it from an OFD reader)",
}
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_TITLE_STYLES = frozenset({"title", "标题"})
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(data: bytes, name: str) -> tuple[str, dict[str, str]]:
    """(text, meta) of a .docx: one block per paragraph or table row, headings as ``# `` lines."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(name, f"unreadable DOCX ({type(exc).__name__})") from None
    blocks: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == f"{_W}p":
            block = _paragraph_block(child, document)
            if block:
                blocks.append(block)
        elif child.tag == f"{_W}tbl":
            blocks.extend(_table_rows(child))
    title = (document.core_properties.title or "").strip()
    return "\n\n".join(blocks) + "\n", ({"title": title} if title else {})


def _paragraph_text(p_element: object) -> str:
    """The paragraph's text with soft line breaks and tabs joined away."""
    parts = []
    for node in p_element.iter(f"{_W}t", f"{_W}tab", f"{_W}br"):  # type: ignore[attr-defined]
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _heading_level(p_element: object, document: object) -> int | None:
    """The paragraph's heading level from its style name or outline level (None for body)."""
    from docx.text.paragraph import Paragraph

    para = Paragraph(p_element, document)  # type: ignore[arg-type]
    style = para.style
    names = []
    while style is not None:
        names.append((style.name or "").strip())
        level = _outline_level(style.element)
        if level is not None:
            return level
        style = style.base_style
    own = _outline_level(p_element)
    if own is not None:
        return own
    for style_name in names:
        m = _HEADING_STYLE.match(style_name)
        if m:
            return int(m[1])
    return None


def _outline_level(element: object) -> int | None:
    node = element.find(f".//{_W}outlineLvl")  # type: ignore[attr-defined]
    if node is None:
        return None
    try:
        value = int(node.get(f"{_W}val"))
    except (TypeError, ValueError):
        return None
    return value + 1 if 0 <= value < 9 else None


def _is_title(p_element: object, document: object) -> bool:
    from docx.text.paragraph import Paragraph

    style = Paragraph(p_element, document).style  # type: ignore[arg-type]
    return style is not None and (style.name or "").strip().lower() in _TITLE_STYLES


def _paragraph_block(p_element: object, document: object) -> str:
    text = _paragraph_text(p_element)
    if not text:
        return ""
    if _is_title(p_element, document):
        return text
    level = _heading_level(p_element, document)
    return f"{'#' * min(level, 6)} {text}" if level else text


def _table_rows(tbl: object) -> list[str]:
    """A table's rows as "cell | cell" lines (as the HTML path writes them)."""
    rows = []
    for tr in tbl.iter(f"{_W}tr"):  # type: ignore[attr-defined]
        cells = [" ".join(_paragraph_text(p) for p in tc.iter(f"{_W}p")) for tc in tr.iter(f"{_W}tc")]
        cells = [c for c in cells if c]
        if cells:
            rows.append(" | ".join(cells))
    return rows


__all__ = ["CONVERT_HINTS", "read_docx"]
