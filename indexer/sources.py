"""Find source files and read them into ``RawDocument`` records (decode, HTML to text).

A directory is a corpus root, walked recursively in sorted order (``walk.py``); a file's root is
its folder.
Every failure is an ``IngestError`` with a short reason a user can act on.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import IngestError
from .formats_docx import CONVERT_HINTS, read_docx
from .formats_pdf import read_pdf
from .models import IngestProblem, RawDocument

if TYPE_CHECKING:
    from .walk import WalkOptions

# suffix (lower case) -> RawDocument.kind
SUFFIX_KINDS: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
# Formats that need a converter: walked so that each is listed as skipped with its hint.
# kind -> reader of the raw bytes: (text, meta)
_BINARY_READERS: dict[str, Callable[[bytes, str], tuple[str, dict[str, str]]]] = {
    "pdf": read_pdf,
    "docx": read_docx,
}
MANIFEST_NAMES = frozenset({"metadata.csv"})
MANIFEST_SUFFIXES = frozenset({".jsonl"})

# Bytes that never occur in text files besides \t \n \v \f \r and ESC (some terminals' output).
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])
_MAX_CONTROL_SHARE = 0.01
# Share of characters that must be "common" for GB18030 to be believed (see _plausible_gb).
_MIN_COMMON_SHARE = 0.9
# Hangul syllables (count, share of non-ASCII characters) that make CP949-decodable bytes Korean.
_MIN_HANGUL = 20
_MIN_HANGUL_SHARE = 0.9
_HTML_START = re.compile(r"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I | re.S)


@dataclass(frozen=True)
class SourceFile:
    """One file to ingest and the corpus root its ``relative_path`` is measured from."""

    path: Path
    root: Path

    @cached_property
    def relative_path(self) -> str:
        """Path relative to the root, "/"-separated, suffix kept, always valid Unicode."""
        path, root = str(self.path), str(self.root)
        if path.startswith(root) and path[len(root) : len(root) + 1] == os.sep and root != ".":
            rel = path[len(root) + 1 :].replace(os.sep, "/")  # pathlib's answer, 10x faster
        else:
            try:
                rel = self.path.relative_to(self.root).as_posix()
            except ValueError:
                rel = self.path.name
        return printable_path(rel)

    @property
    def kind(self) -> str | None:
        return SUFFIX_KINDS.get(self.path.suffix.lower())


def unsupported_reason(suffix: str) -> str:
    """Why a file of SUFFIX is not read (with a hint to convert legacy office formats)."""
    return CONVERT_HINTS.get(suffix.lower()) or f"unsupported file type {suffix or '(no suffix)'!r}"


def printable_path(path: str) -> str:
    """PATH as valid Unicode: bytes of a non-UTF-8 file name (kept by Python as surrogates)
    are written as \\xNN escapes, so ids stay unique and can be stored and printed."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def is_manifest(path: Path) -> bool:
    """True for manifest files (``metadata.csv``, ``*.jsonl``), which are not reports."""
    return path.name.lower() in MANIFEST_NAMES or path.suffix.lower() in MANIFEST_SUFFIXES


def find_sources(paths: Sequence[Path], options: WalkOptions | None = None) -> Iterator[SourceFile]:
    """Every source file under PATHS (directories walked recursively, sorted); the files a
    walk skips are left out (``walk_sources`` says which, and why).

    Raises ``IngestError`` for a path that does not exist or an explicit file with an
    unsupported suffix.
    """
    for item in walk_sources(paths, options):
        if isinstance(item, SourceFile):
            yield item


def walk_sources(
    paths: Sequence[Path], options: WalkOptions | None = None
) -> Iterator[SourceFile | IngestProblem]:
    """Every source file under PATHS, and an ``IngestProblem`` for each entry of a walked
    folder that is not indexed (see ``walk.py``). An explicit file is taken as given.

    Raises ``IngestError`` for a path that does not exist or an explicit file with an
    unsupported suffix.
    """
    from .walk import WalkOptions, walk_folder

    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from walk_folder(path, options or WalkOptions())
        elif path.exists() or path.is_symlink():
            if path.suffix.lower() not in SUFFIX_KINDS:
                raise IngestError(str(path), unsupported_reason(path.suffix))
            yield SourceFile(path=path, root=path.parent)
        else:
            raise IngestError(str(path), "no such file or directory")


# ---------------------------------------------------------------- reading and decoding


def read_source(source: SourceFile, max_bytes: int) -> RawDocument:
    """Read and decode SOURCE; HTML is reduced to the text of its main block.

    Raises ``IngestError`` when the file is unreadable, empty, larger than MAX_BYTES, binary,
    not UTF-8/GB18030 text, or (HTML) has no text.
    """
    path = source.path
    kind = source.kind
    if kind is None:
        raise IngestError(str(path), unsupported_reason(path.suffix))
    data = _read_bytes(path, max_bytes)
    if kind in _BINARY_READERS:
        text, html_meta = _BINARY_READERS[kind](data, str(path))
        return RawDocument(
            source_path=printable_path(str(path)),
            relative_path=source.relative_path,
            content_sha256=hashlib.sha256(data).hexdigest(),
            encoding="binary",
            kind=kind,
            text=text,
            html_meta=html_meta,
        )
    text, encoding = decode_bytes(data, str(path))
    html_meta: dict[str, str] = {}
    if kind == "html" or (kind == "txt" and looks_like_html(text)):
        text, html_meta = html_to_text(text, str(path))
        kind = "html"
    if not text.strip():
        raise IngestError(str(path), "no text")
    return RawDocument(
        source_path=printable_path(str(path)),
        relative_path=source.relative_path,
        content_sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        kind=kind,
        text=text,
        html_meta=html_meta,
    )


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, after checking (before reading) that it is a readable, small file."""
    try:
        st = path.stat()
    except FileNotFoundError:
        reason = "broken symbolic link" if path.is_symlink() else "no such file"
        raise IngestError(str(path), reason) from None
    except OSError as exc:
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise IngestError(str(path), "is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise IngestError(str(path), "not a regular file")
    if st.st_size == 0:
        raise IngestError(str(path), "empty file")
    if st.st_size > max_bytes:
        raise IngestError(str(path), f"too large ({_mb(st.st_size)} > limit {_mb(max_bytes)})")
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError:
        raise IngestError(str(path), "permission denied") from None
    except OSError as exc:
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # grew since stat()
        raise IngestError(str(path), f"too large (> limit {_mb(max_bytes)})")
    if not data.strip():
        raise IngestError(str(path), "empty file")
    return data


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode DATA: BOM (UTF-8, UTF-16 LE/BE), else strict UTF-8, else plausible GB18030.

    Returns (text, encoding name). Raises ``IngestError`` for binary or undecodable data.
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding.removesuffix("-sig"))
            except UnicodeDecodeError:
                raise IngestError(name, f"invalid {encoding} text after its byte-order mark") from None
            if "\x00" in text:
                raise IngestError(name, "binary file (NUL characters)")
            return text, "utf-8-sig" if encoding == "utf-8-sig" else "utf-16"
    if b"\x00" in data:
        raise IngestError(name, "binary file (NUL bytes)")
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    many_controls = controls > _MAX_CONTROL_SHARE * len(sample)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if many_controls:
            raise IngestError(name, "binary file (control characters)")
        return text, "utf-8"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise IngestError(name, "not UTF-8 or GB18030 text") from None
    # Control bytes or rare characters: other bytes (UTF-16 without BOM, Big5, Latin-1 ...)
    # that GB18030 happens to accept.
    if many_controls or not plausible_chinese(text):
        raise IngestError(name, "not UTF-8 or GB18030 text")
    if reads_as_korean(data):
        raise IngestError(name, "not UTF-8 or GB18030 text (reads as Korean EUC-KR/CP949)")
    return text, "gb18030"


def reads_as_korean(data: bytes) -> bool:
    """True when DATA is Korean text in EUC-KR/CP949, which GB18030 misreads as common hanzi.

    Both encodings use the same byte range, and EUC-KR's Hangul rows are GB2312's level-1
    hanzi, so the plausibility test cannot tell them apart. Chinese text practically never
    decodes as CP949 (row 0xC9, which holds 上 社 生 设 ..., is unassigned there) and never
    decodes to Hangul syllables almost only; Korean text does both.
    """
    try:
        # Not final: the sample may end inside a character.
        korean = codecs.getincrementaldecoder("cp949")().decode(data[:400_000], final=False)
    except UnicodeDecodeError:
        return False
    wide = [c for c in korean if ord(c) >= 0x80]
    hangul = sum(1 for c in wide if "\uac00" <= c <= "\ud7a3")
    return hangul >= _MIN_HANGUL and hangul >= _MIN_HANGUL_SHARE * len(wide)


def _is_common(ch: str) -> bool:
    """ASCII, GB2312 hanzi, CJK and full-width punctuation: what real GB text is made of."""
    o = ord(ch)
    if o < 0x80:
        return True
    if 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or 0x2010 <= o <= 0x2027:
        return True
    if 0x4E00 <= o <= 0x9FFF:
        try:
            return len(ch.encode("gb2312")) == 2
        except UnicodeEncodeError:
            return False
    return False


def plausible_chinese(text: str) -> bool:
    """True when TEXT reads like Chinese/ASCII text rather than other bytes misread as GB18030.

    GB18030 decodes almost any byte string; Latin-1, Big5, Shift-JIS or UTF-16 bytes misread
    as GB18030 give rare hanzi, kana or symbols, so the share of common characters drops.
    """
    # Judge the non-ASCII characters only: a few misread accented letters in long ASCII
    # text ("Größe, Übung") would otherwise hide behind the ASCII majority.
    chars = [c for c in text[:400_000] if ord(c) >= 0x80]
    if not chars:
        return bool(text.strip())
    common = sum(1 for c in chars if _is_common(c))
    return common >= _MIN_COMMON_SHARE * len(chars)


def looks_like_html(text: str) -> bool:
    """True when a .txt file is clearly an HTML page (starts with a doctype/html/head/body tag)."""
    return bool(_HTML_START.match(text[:4096]))


# ---------------------------------------------------------------- HTML to text

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
