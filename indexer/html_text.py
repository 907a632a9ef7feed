"""HTML to text: the page's main block (a content container by id/class, else the block with
the most Chinese text), one block element per paragraph, table cells joined by " | ", and the
page's <title> and <meta> pairs.

Parsed with lxml, never resolving entities from a DTD or fetching anything; pages nested deeper
than libxml2 builds are flattened first, so no text is lost.
"""

from __future__ import annotations

import re

from .errors import IngestError

_HTML_START = re.compile(r"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I | re.S)


def looks_like_html(text: str) -> bool:
    """True when a .txt file is clearly an HTML page (starts with a doctype/html/head/body tag)."""
    return bool(_HTML_START.match(text[:4096]))


# Elements whose content is never report text.
_DROP_TAGS = (
    "script", "style", "noscript", "nav", "header", "footer", "form", "iframe", "template",
    "select", "button", "object", "embed", "svg", "canvas", "audio", "video", "map",
)
# Elements that start a new line of text.
_BLOCK_TAGS = frozenset(
    "p div br li tr h1 h2 h3 h4 h5 h6 table tbody thead tfoot ul ol dl dt dd section article "
    "aside main blockquote pre address center hr caption figure figcaption body html".split()
)
_CELL_TAGS = frozenset({"td", "th"})
# id/class words of the containers that hold an article on government sites.
_CONTENT_HINT = re.compile(
    r"content|article|trs_?editor|zoom|^main|main$|detail|^zw|zwnr|text|^con$|newsbody|pages?_?con",
    re.I,
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_SPACES = re.compile(r"[ \t\r\f\v\xa0\u2002\u2003\u2009\u200b]+")
# A leftover internal DTD subset (the HTML parser keeps it as text; never expanded).
_DTD_LEFTOVER = re.compile(r"^\s*\]>")


def html_to_text(html: str, name: str = "<html>") -> tuple[str, dict[str, str]]:
    """The text of HTML's main block, one block element per paragraph, and its title/meta.

    Entities are never resolved from a DTD and nothing is fetched; the tree is walked
    iteratively, so any nesting depth is safe. Raises ``IngestError`` when there is no text.
    """
    import lxml.etree as etree
    import lxml.html

    parser = lxml.html.HTMLParser(
        huge_tree=True, remove_comments=True, remove_pis=True, no_network=True, recover=True
    )
    html = _flatten_if_deep(html)
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise IngestError(name, f"unparsable HTML ({exc})") from None
    meta = _html_meta(root)
    for el in list(root.iter(*_DROP_TAGS)):
        el.drop_tree()
    block = _main_block(root, etree)
    if block is None:
        raise IngestError(name, "no text")
    text = _block_text(block, etree)
    text = _DTD_LEFTOVER.sub("", text)
    if not text.strip():
        raise IngestError(name, "no text")
    return text, meta


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_VOID_TAGS = frozenset("area base br col embed hr img input link meta source track wbr".split())
_CONTAINER_TAG = re.compile(
    r"</?(?:div|span|font|section|article|aside|main|center|blockquote|b|i|u|em|strong|small|big)\b[^>]*>",
    re.I,
)
# libxml2 stops building the tree (and drops the rest of the page) beyond this depth
_MAX_DEPTH = 1000


def _flatten_if_deep(html: str) -> str:
    """Replace container tags by line breaks when nesting is deeper than libxml2 handles.

    Pathologically nested pages would otherwise lose all text after the depth limit.
    """
    depth = deepest = 0
    for m in _TAG.finditer(html):
        closing, tag, selfclosing = m.group(1), m.group(2).lower(), m.group(3)
        if tag in _VOID_TAGS or selfclosing:
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        deepest = max(deepest, depth)
        if deepest > _MAX_DEPTH:
            return _CONTAINER_TAG.sub("\n<br>\n", html)
    return html


def _html_meta(root: object) -> dict[str, str]:
    """``<title>`` and ``<meta name|property=... content=...>`` pairs."""
    meta: dict[str, str] = {}
    for el in root.iter("title"):  # type: ignore[attr-defined]
        title = _SPACES.sub(" ", el.text_content()).strip()
        if title:
            meta["title"] = title
            break
    for el in root.iter("meta"):  # type: ignore[attr-defined]
        key = (el.get("name") or el.get("property") or el.get("http-equiv") or "").strip()
        value = (el.get("content") or "").strip()
        if key and value and key not in meta:
            meta[key] = value
    return meta


def _main_block(root: object, etree: object) -> object | None:
    """The element holding the report: a content container by id/class, else the block
    with the most CJK text of its own (text directly in it or in its inline children)."""
    total: dict[object, int] = {}
    own: dict[object, int] = {}
    has_block: dict[object, bool] = {}
    for event, el in etree.iterwalk(root, events=("end",)):  # type: ignore[attr-defined]
        if not isinstance(el.tag, str):
            continue
        t = len(_CJK.findall(el.text or ""))
        o = t
        blocky = False
        for child in el:
            if not isinstance(child.tag, str):
                continue
            tail = len(_CJK.findall(child.tail or ""))
            t += total.get(child, 0) + tail
            o += tail
            child_block = child.tag in _BLOCK_TAGS and has_block.get(child, False)
            if child.tag in ("p", "br", "span", "font", "strong", "b", "a", "em", "i", "u") or not child_block:
                o += total.get(child, 0)
            blocky = blocky or child.tag in _BLOCK_TAGS or has_block.get(child, False)
        total[el] = t
        own[el] = o
        has_block[el] = blocky
    body_total = total.get(root, 0)
    if body_total == 0:
        return None
    hinted = [
        el
        for el in total
        if total[el] >= 0.3 * body_total
        and el.tag not in ("html", "body")  # type: ignore[attr-defined]
        and _CONTENT_HINT.search(" ".join((el.get("id") or "", el.get("class") or "")))  # type: ignore[attr-defined]
    ]
    if hinted:
        best = max(total[el] for el in hinted)
        # the tightest container that still holds most of the best one's text
        return min((el for el in hinted if total[el] >= 0.8 * best), key=lambda el: total[el])
    densest = max(own, key=lambda el: own[el])
    if own[densest] >= 0.5 * body_total:
        return densest
    # text spread over sibling blocks: their common parent is the block with the most text
    return _common_text_parent(root, total, body_total)


def _common_text_parent(root: object, total: dict[object, int], body_total: int) -> object:
    """Deepest element that still holds at least 80% of the page's CJK text."""
    best = root
    for el in total:
        if total[el] >= 0.8 * body_total and total[el] <= total[best]:
            best = el
    return best


def _block_text(block: object, etree: object) -> str:
    """Text of BLOCK with every block element (and table row) on lines of its own."""
    parts: list[str] = []
    for event, el in etree.iterwalk(block, events=("start", "end")):  # type: ignore[attr-defined]
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            elif tag in _CELL_TAGS:
                parts.append(" | ")
            if el.text and tag:
                parts.append(el.text)
        else:
            if tag in _BLOCK_TAGS:
                parts.append("\n\n")
            if el.tail and el is not block:
                parts.append(el.tail)
    lines = []
    for line in "".join(parts).split("\n"):
        line = _SPACES.sub(" ", line).strip().strip("|").strip()
        lines.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
