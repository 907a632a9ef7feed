"""PDF reports: the text layer (pypdfium2), or OCR of a scan when the ``ocr`` extra is installed.

pypdfium2 binds PDFium, the PDF engine of Chromium: prebuilt wheels with no system libraries,
fast (a 30-page report in well under a second), robust on the malformed files government sites
serve, and it gives each character's box, which is what page furniture removal and paragraph
rebuilding need (``layout``). pdfplumber (pdfminer.six, pure Python) gives the same boxes about
ten times slower.

A PDF whose pages carry (almost) no text is a scan: without OCR it is skipped with the reason
"scanned PDF: no text layer"; with ``pip install fazhi-search[ocr]`` (rapidocr-onnxruntime,
whose detection and recognition models ship inside its wheel: nothing is downloaded) its pages
are rendered and read, and the recognised lines go through the same layout rules.
"""

from __future__ import annotations

import functools
import re

from .errors import IngestError
from .layout import Page, PageLine, glue, pages_to_text

SCANNED_REASON = "scanned PDF: no text layer"
# Fewer non-space characters than this per page on average: no usable text layer.
_MIN_CHARS_PER_PAGE = 20
_MAX_PAGES = 2000
_OCR_SCALE = 2.0  # render scale for OCR (72 dpi * 2 = 144 dpi: 16 px characters at 11 pt)
_SPACE = re.compile(r"\s+")


def read_pdf(data: bytes, name: str) -> tuple[str, dict[str, str]]:
    """(text, meta) of a PDF: paragraphs separated by blank lines; meta has its title if any.
    Raises ``IngestError`` for an unreadable, encrypted or scanned (without OCR) file."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = "encrypted PDF (password required)" if "password" in str(exc).lower() else (
            f"unreadable PDF ({exc})")
        raise IngestError(name, reason) from None
    try:
        if len(pdf) == 0:
            raise IngestError(name, "PDF without pages")
        if len(pdf) > _MAX_PAGES:
            raise IngestError(name, f"PDF with too many pages ({len(pdf)} > {_MAX_PAGES})")
        pages = [_text_layer(pdf[i]) for i in range(len(pdf))]
        chars = sum(len(_SPACE.sub("", ln.text)) for p in pages for ln in p.lines)
        if chars < _MIN_CHARS_PER_PAGE * len(pages):
            ocr = ocr_engine()
            if ocr is None:
                raise IngestError(name, SCANNED_REASON)
            pages = [_ocr_page(pdf[i], ocr) for i in range(len(pdf))]
        meta = _meta(pdf)
    finally:
        pdf.close()
    text = pages_to_text(pages)
    if not text.strip():
        raise IngestError(name, SCANNED_REASON if ocr_engine() is None else "no text (OCR found none)")
    return text, meta


def _meta(pdf: object) -> dict[str, str]:
    try:
        info = pdf.get_metadata_dict(skip_empty=True)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - metadata is optional
        return {}
    title = (info.get("Title") or "").strip()
    return {"title": title} if title else {}


def _text_layer(page: object) -> Page:
    """The lines of one page's text layer, from PDFium's character boxes."""
    import pypdfium2.raw as raw

    width, height = page.get_size()  # type: ignore[attr-defined]
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    lines: list[PageLine] = []
    chars: list[str] = []
    box: list[float] = []  # x0, x1, top, bottom of the current line

    def flush() -> None:
        text = "".join(chars).strip()
        if text and box:
            lines.append(PageLine(text, box[0], box[1], box[2], box[3]))
        chars.clear()
        box.clear()

    try:
        for i in range(textpage.count_chars()):
            code = raw.FPDFText_GetUnicode(textpage.raw, i)
            if code in (10, 13):
                flush()
                continue
            ch = chr(code) if 0 < code < 0x110000 else ""
            if not ch or code == 0xFFFE:
                continue
            if raw.FPDFText_IsGenerated(textpage.raw, i) == 1 or ch.isspace():
                chars.append(" ")
                continue
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            y_top, y_bottom = height - top, height - bottom
            if box and (y_top > box[3] or left < box[0] - 1 and y_top > box[2] + 0.5 * (box[3] - box[2])):
                flush()  # below the current line, or back at the left margin: a new line
            chars.append(ch)
            if box:
                box[:] = [min(box[0], left), max(box[1], right), min(box[2], y_top), max(box[3], y_bottom)]
            else:
                box[:] = [left, right, y_top, y_bottom]
        flush()
    finally:
        textpage.close()
    return Page(width=width, height=height, lines=tuple(lines))


# ---------------------------------------------------------------- OCR (optional extra)


@functools.cache
def ocr_engine() -> object | None:
    """The OCR engine when the ``ocr`` extra is installed, else None (loaded once)."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        return None
    return RapidOCR()


def _ocr_page(page: object, ocr: object) -> Page:
    """One scanned page rendered and recognised; each text box becomes a line."""
    bitmap = page.render(scale=_OCR_SCALE)  # type: ignore[attr-defined]
    image = bitmap.to_numpy()
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[:, :, :3]
    # Pages of reports are upright: the angle classifier (a third model) is skipped.
    result, _ = ocr(image, use_cls=False)  # type: ignore[operator]
    width, height = page.get_size()  # type: ignore[attr-defined]
    boxes: list[PageLine] = []
    for quad, text, _score in result or ():
        xs = [pt[0] / _OCR_SCALE for pt in quad]
        ys = [pt[1] / _OCR_SCALE for pt in quad]
        if text.strip():
            boxes.append(PageLine(text.strip(), min(xs), max(xs), min(ys), max(ys)))
    return Page(width=width, height=height, lines=tuple(_ocr_lines(boxes)))


def _ocr_lines(boxes: list[PageLine]) -> list[PageLine]:
    """Recognised boxes grouped into lines (boxes whose vertical centres are within half a line
    height of each other), each line read left to right, lines top to bottom."""
    rows: list[list[PageLine]] = []
    for box in sorted(boxes, key=lambda b: (b.top + b.bottom) / 2):
        centre = (box.top + box.bottom) / 2
        if rows:
            last = rows[-1]
            last_centre = sum((b.top + b.bottom) / 2 for b in last) / len(last)
            if abs(centre - last_centre) < 0.5 * min(box.height, last[0].height):
                last.append(box)
                continue
        rows.append([box])
    lines = []
    for row in rows:
        row.sort(key=lambda b: b.x0)
        text = ""
        for b in row:
            text = glue(text, b.text)
        lines.append(PageLine(text, row[0].x0, max(b.x1 for b in row),
                              min(b.top for b in row), max(b.bottom for b in row)))
    return lines
    return Page(width=width, height=height, lines=tuple(lines))


__all__ = ["SCANNED_REASON", "ocr_engine", "read_pdf"]
