"""Real PDF and DOCX files for the format tests: PDFs printed by headless Chromium from an HTML
page with Chinese text (running header, page numbers in the footer, paragraphs crossing page
breaks), a scan of such a page (an image-only PDF rendered by PDFium), DOCX made by python-docx."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextlib.contextmanager
def headless_chromium() -> Iterator[object]:
    """Debian's chromium driven by Playwright (never a downloaded browser); skips without it."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()

TITLE = "青阳镇人民政府关于2023年度法治政府建设情况的报告"
RUNNING_HEADER = "青阳镇人民政府办公室 政务公开"
FILLER = ("镇党委、镇政府坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党的二十大精神，"
          "全面推进依法行政，持续深化法治政府建设，不断提升基层治理法治化水平，")
# The sentence a page break cuts (asserted by the tests before they rely on it).
BREAK_SENTENCE = "全镇行政执法案卷评查合格率达到百分之百并建立执法问题整改台账"
CLOSING_SENTENCE = "青阳镇人民政府将继续推进基层法治建设，不断提高依法行政水平。"


def report_html(paragraph_count: int = 7, push: bool = True) -> str:
    """A report page: title, source/date line, numbered headings, long indented paragraphs
    (with PUSH, the BREAK_SENTENCE paragraph starts on the last line of a page)."""
    body = "".join(
        f"<p>{FILLER * 5}第{i + 1}项工作取得实效。</p>" for i in range(paragraph_count)
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{TITLE}</title><style>
    body {{ font-family: 'Noto Sans CJK SC', sans-serif; font-size: 16px; line-height: 30px;
           orphans: 1; widows: 1; }}
    /* a new page whose first 890 of 933 px are blank: the next paragraph's first line ends it */
    .push {{ break-before: page; height: 890px; }}
    h1 {{ text-align: center; font-size: 22px; }} h2 {{ font-size: 16px; margin: 0; }}
    p {{ text-indent: 2em; margin: 0; }} .meta {{ text-align: center; text-indent: 0; }}
    </style></head><body>
    <h1>{TITLE}</h1>
    <p class="meta">发布时间：2024-03-18</p>
    <p>2023年，青阳镇在江阴市委、市政府的坚强领导下，扎实推进法治政府建设，现将有关情况报告如下。</p>
    <h2>一、主要举措和成效</h2>{body}
    {'<div class="push"></div>' if push else ''}<p>在规范行政执法方面，镇综合执法办公室，{BREAK_SENTENCE}，{FILLER * 2}形成长效机制。</p>
    <h2>二、存在的不足</h2><p>法治宣传的针对性还不够强，基层执法人员力量仍然不足。</p>
    <h2>三、下一年度工作安排</h2><p>{CLOSING_SENTENCE}</p>
    </body></html>"""


def print_pdf(browser: object, html: str) -> bytes:
    """HTML printed to PDF by Chromium, with a running header and "- N -" page numbers."""
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.set_content(html)
        return page.pdf(
            format="A4", display_header_footer=True,
            margin={"top": "25mm", "bottom": "25mm", "left": "26mm", "right": "26mm"},
            header_template=f'<div style="font-size:9px;width:100%;text-align:center">{RUNNING_HEADER}</div>',
            footer_template='<div style="font-size:9px;width:100%;text-align:center">'
                            '- <span class="pageNumber"></span> -</div>',
        )
    finally:
        page.close()


def scan_pdf(pdf_bytes: bytes, scale: float = 2.0) -> bytes:
    """An image-only copy of a PDF (each page rendered to a bitmap): what a scanner gives."""
    import io

    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(pdf_bytes)
    out = pdfium.PdfDocument.new()
    for i in range(len(src)):
        page = src[i]
        width, height = page.get_size()
        image = pdfium.PdfImage.new(out)
        image.set_bitmap(page.render(scale=scale))
        image.set_matrix(pdfium.PdfMatrix().scale(width, height))
        scanned = out.new_page(width, height)
        scanned.insert_obj(image)
        scanned.gen_content()
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def page_texts(pdf_bytes: bytes) -> list[str]:
    """The raw text layer of each page (to check where the page breaks fall)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_bytes)
    return ["".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]


def make_docx(path: Path) -> Path:
    """A DOCX report: Title style, unnumbered Heading 1 sections, a header and a page footer,
    a paragraph with a soft line break, a table."""
    import docx

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = RUNNING_HEADER
    section.footer.paragraphs[0].text = "第 1 页"
    document.add_paragraph("城东街道办事处2023年度法治政府建设工作报告", style="Title")
    document.add_paragraph("2023年，城东街道办事处认真落实法治政府建设各项任务，现将有关情况报告如下。")
    document.add_heading("主要举措和成效", level=1)
    document.add_heading("推进严格规范公正文明执法", level=2)
    soft = document.add_paragraph("街道综合行政执法队全年办理案件一百二十件，")
    soft.add_run().add_break()
    soft.add_run("执法全过程记录实现全覆盖。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "指标", "完成情况"
    table.cell(1, 0).text, table.cell(1, 1).text = "行政复议纠错率", "百分之三"
    document.add_heading("存在的不足", level=1)
    document.add_paragraph("法治宣传教育的覆盖面还不够广。")
    document.add_heading("下一年度工作安排", level=1)
    document.add_paragraph("城东街道将持续深化法治建设。")
    document.save(str(path))
    return path
