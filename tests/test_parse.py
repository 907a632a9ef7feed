"""indexer.parse: furniture removal, paragraphs, page-break joins, headings and sections."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from indexer.headings import section_of
from indexer.models import ParsedReport, Section
from indexer.parse import parse
from indexer.sources import SourceFile, read_source

# Every paragraph cut by a page break in the seeds: (seed, end of first part, start of second).
PAGE_BREAK_CUTS = [
    ("000", "梁丰高级中学高新区实", "验学校施教区划分)。"),
    ("000", "发挥“八五”普法规划牵", "引、辐射作用"),
    ("000", "2023年，我镇将深入", "学习贯彻落实习近平法治思想"),
    ("001", "全镇上下形成了党委领导、人", "大监督、政府实施"),
    ("001", "结案率 93.26%。“平安联盟”", "工作机制被评为苏州市"),
    ("001", "坚持用法治思维和法治方", "式化解矛盾、防控风险"),
    ("003", "关于法治建设和", "依法行政的批示"),
    ("003", "行政规范性文件的合法性", "审核机构，承担对文件制定"),
    ("003", "评查2次，以查促改，", "提升王鲍镇执法案卷制作水平"),
    ("003", "形成强大工作", "合力，提升基层解纷质效"),
    ("003", "注重提升依法预防突发", "事件、先期处置和快速反应能力"),
    ("003", "纳入经济和社会发展的全局，制定", "《王鲍镇 2023 年普法依法治理工作要点》"),
]

# Substrings that only page furniture contains.
FURNITURE_MARKS = (
    "当前位置", "当前的位置", "现在的位置", "扫一扫", "二维码", "分享到", "分享至", "打印页面",
    "关闭页面", "【打印】", "访问量", "浏览次数", "浏览量", "点击数", "此件公开发布", "字号", "字体",
    "来源:", "来源：", "发布日期", "索引号", "索 引 号", "无障碍", "IPv6", "欢迎来到", "用户登录",
    "首页", "娱乐",
)
# Words that are furniture when they make up a short paragraph.
SHORT_FURNITURE_WORDS = ("分享", "打印", "关闭", "朗读", "微信", "微博", "阅读", "相关文件", "×")


def _paragraph_with(report: ParsedReport, fragment: str) -> list[str]:
    return [p.text for p in report.paragraphs if fragment in p.text]


@pytest.mark.parametrize(("seed", "first", "second"), PAGE_BREAK_CUTS)
def test_page_break_cuts_are_joined(parsed_seeds, seed: str, first: str, second: str) -> None:
    """A paragraph cut by a page break is one paragraph again, joined without a gap."""
    report = parsed_seeds[seed]
    assert len(_paragraph_with(report, first + second)) == 1
    assert not [p.text for p in report.paragraphs if p.text.startswith(second)]


def test_complete_paragraphs_are_not_joined(parsed_seeds) -> None:
    """A paragraph ending its sentence (here with ；) is not joined to the next one."""
    report = parsed_seeds["003"]
    texts = [p.text for p in report.paragraphs]
    first = next(i for i, t in enumerate(texts) if t.startswith("主要原因是："))
    assert texts[first].endswith("依法行政意识不强；")
    assert texts[first + 1].startswith("二是专业的行政执法培训较少")


def test_head_lines_stay_separate_paragraphs(parsed_seeds) -> None:
    """Letterhead, 文号, title and salutation are never joined to each other or the body."""
    texts = [p.text for p in parsed_seeds["000"].paragraphs]
    assert texts[:4] == [
        "张家港市塘桥镇人民政府文件",
        "塘政发〔2023〕1号",
        "张家港市塘桥镇人民政府 2022年法治政府建设情况报告",
        "张家港市人民政府：",
    ]
    assert texts[-2:] == ["张家港市塘桥镇人民政府", "2023年1月5日"]


def test_headings_are_never_joined_to_the_next_paragraph(parsed_seeds) -> None:
    """Every heading paragraph is a heading line alone (short, no body text after it)."""
    for report in parsed_seeds.values():
        for p in report.paragraphs:
            if p.is_heading:
                assert len(p.text) <= 60, p.text


# ---------------------------------------------------------------- furniture


def _excerpts(shared_dir: Path) -> list[Path]:
    return sorted((shared_dir / "corpus" / "report-excerpts" / "reports").glob("*.txt"))


def _parse_file(path: Path) -> ParsedReport:
    return parse(read_source(SourceFile(path, path.parent), 20 * 1024 * 1024))


def _furniture_left(report: ParsedReport) -> list[str]:
    left = []
    for p in report.paragraphs:
        if any(mark in p.text for mark in FURNITURE_MARKS):
            left.append(p.text)
        elif len(p.text) <= 12 and any(w in p.text for w in SHORT_FURNITURE_WORDS):
            left.append(p.text)
    return left


def test_no_furniture_survives_in_seeds(parsed_seeds) -> None:
    """No paragraph of a seed is page furniture."""
    assert {seed: _furniture_left(r) for seed, r in parsed_seeds.items()} == {
        seed: [] for seed in parsed_seeds
    }


def test_no_furniture_survives_in_report_excerpts(shared_dir: Path) -> None:
    """No paragraph of the 28 real web pages is page furniture."""
    files = _excerpts(shared_dir)
    assert len(files) == 28
    left = {f.name: _furniture_left(_parse_file(f)) for f in files}
    assert left == {f.name: [] for f in files}


def test_furniture_facts_match_the_labelled_publish_dates(shared_dir: Path) -> None:
    """The publish date read from removed furniture agrees with the hand label."""
    truth_path = shared_dir / "corpus" / "report-excerpts" / "truth.jsonl"
    truth = {row["file"]: row for row in map(json.loads, truth_path.read_text("utf-8").splitlines())}
    found = {}
    for f in _excerpts(shared_dir):
        published = _parse_file(f).furniture.get("published")
        if published:
            found[f.name] = re.sub(r"\s.*", "", published)
    assert found  # pages that print a date
    assert found == {name: truth[name]["published"] for name in found}


def test_furniture_facts_of_seeds(parsed_seeds) -> None:
    """Source and publish time of the 来源/发布日期 lines are kept, as printed."""
    assert parsed_seeds["002"].furniture == {"source": "苏州市相城区司法局", "published": "2024-03-20 13:20"}
    assert parsed_seeds["004"].furniture == {"source": "市司法局", "published": "2024-03-04 15:28:11"}
    assert "扫一扫在手机打开当前页" in parsed_seeds["002"].dropped_lines


def test_metadata_table_fields(parse_text) -> None:
    """A metadata table (pipe rows or label/value lines) gives issuer, 文号, index and date."""
    text = (
        "索 引 号 | 11320582/2024-00012 | 分 类 | 司法 |\n---|---|---|---|\n"
        "发布机构 | 某某市某某镇人民政府 | 发文日期 | 2024-02-01 |\n"
        "文 号 | 某政发〔2024〕3号 | 有 效 性 | 有效 |\n\n"
        "标题：\n\n某某镇2023年法治政府建设情况报告\n\n"
        "某某镇2023年法治政府建设情况报告\n\n"
        "2023年，某某镇坚持以习近平法治思想为指导，全面推进依法行政，取得了明显成效。\n"
    )
    report = parse_text(text)
    assert report.furniture == {
        "index_no": "11320582/2024-00012",
        "issuer": "某某市某某镇人民政府",
        "published": "2024-02-01",
        "doc_number": "某政发〔2024〕3号",
        "title": "某某镇2023年法治政府建设情况报告",
    }
    assert [p.text for p in report.paragraphs] == [
        "某某镇2023年法治政府建设情况报告",
        "2023年，某某镇坚持以习近平法治思想为指导，全面推进依法行政，取得了明显成效。",
    ]


def test_site_clock_and_mirror_spam_are_dropped(parse_text) -> None:
    """A site clock is dropped without becoming a date; mirror-site spam leaves the title."""
    text = (
        "2019年12月3日星期二\n\n某某镇2023年法治政府建设情况报告-某某娱乐官网\n\n"
        "2023年，某某镇坚持以习近平法治思想为指导，全面推进依法行政，取得了明显成效。\n"
    )
    report = parse_text(text)
    assert report.furniture == {}
    assert [p.text for p in report.paragraphs][0] == "某某镇2023年法治政府建设情况报告"


# ---------------------------------------------------------------- paragraphs


def test_hard_wrapped_lines_are_joined(parse_text) -> None:
    """Single line breaks inside hard-wrapped paragraphs are joined; headings stay apart."""
    body_a = "一是坚持依法决策，严格落实重大行政决策程序规定，健全公众参与、专家论证、风险评估机制。" * 2
    body_b = "二是规范行政执法，全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度。"
    lines = ["一、主要举措和成效"]
    for body in (body_a, body_b):
        lines += [body[i : i + 24] for i in range(0, len(body), 24)] + [""]
    report = parse_text("\n".join(lines))
    assert [p.text for p in report.paragraphs] == ["一、主要举措和成效", body_a, body_b]


def test_markdown_headings_and_comments(parse_text) -> None:
    """Markdown heading marks and HTML comments do not reach the text."""
    text = (
        "# 某某镇2023年法治政府建设情况报告\n\n<!-- INFO END -->\n\n"
        "## 一、主要举措和成效\n\n坚持依法行政，全面推进法治政府建设，取得了明显成效，群众满意度持续提升。\n"
    )
    report = parse_text(text, "r.md")
    assert [(p.text, p.is_heading) for p in report.paragraphs] == [
        ("某某镇2023年法治政府建设情况报告", False),
        ("一、主要举措和成效", True),
        ("坚持依法行政，全面推进法治政府建设，取得了明显成效，群众满意度持续提升。", False),
    ]


# ---------------------------------------------------------------- headings


def _headings(report: ParsedReport) -> list[tuple[str, int | None]]:
    return [(p.text, p.heading_level) for p in report.paragraphs if p.is_heading]


def test_headings_and_levels_of_seed_001(parsed_seeds) -> None:
    """Markdown-marked numbered headings get their level from the number, not the #s."""
    assert _headings(parsed_seeds["001"]) == [
        ("一、党政主要负责人履行推进法治政府建设第一责任人职责情况", 1),
        ("二、本年度推进法治政府建设的主要举措和成效", 1),
        ("（一）全面履行政府职能情况", 2),
        ("（二）推进行政决策科学化民主化法治化情况", 2),
        ("（三）坚持严格规范公正文明执法情况", 2),
        ("（四）强化行政权力制约监督情况", 2),
        ("（五）依法有效化解社会矛盾纠纷情况", 2),
        ("（六）落实法治政府建设保障措施情况", 2),
        ("三、法治政府建设中存在的不足和原因", 1),
        ("四、下一年度继续推进法治政府建设的主要安排", 1),
    ]


def test_headings_of_seed_003_and_run_in_items(parsed_seeds) -> None:
    """Short numbered lines ending in 。 are headings; 一是…二是… items stay body text."""
    report = parsed_seeds["003"]
    headings = _headings(report)
    assert ("（一）强化组织领导，健全体制机制。", 2) in headings
    assert ("四、下一年度主要安排", 1) in headings
    assert [lvl for _, lvl in headings].count(1) == 4
    items = [p for p in report.paragraphs if re.match(r"^[一二三四五]是", p.text)]
    assert items and not any(p.is_heading for p in items)


def test_run_in_headings_are_body_text_but_shape_the_outline(parsed_seeds) -> None:
    """"（一）标题。正文…" is body text; its first sentence heads the paragraphs after it."""
    report = parsed_seeds["000"]
    run_in = next(p for p in report.paragraphs if p.text.startswith("（一）深入学习贯彻习近平法治思想。"))
    after = next(p for p in report.paragraphs if p.text.startswith("制定实施区镇贯彻落实"))
    assert not run_in.is_heading
    assert run_in.heading_path == ("一、坚持政治引领，高起点谋划全年工作",)
    assert after.heading_path == ("一、坚持政治引领，高起点谋划全年工作", "（一）深入学习贯彻习近平法治思想")


def test_numbered_items_under_subheadings(parsed_seeds) -> None:
    """In seed 002 the "1." … "18." items are body text under 二、 and their （x） heading."""
    items = [p for p in parsed_seeds["002"].paragraphs if re.match(r"^\d{1,2}\.", p.text)]
    assert len(items) == 18
    assert not any(p.is_heading for p in items)
    assert all(p.heading_path[0] == "二、推进法治政府建设的主要举措和成效" for p in items)
    assert items[0].heading_path[1] == "(一)聚焦职能转变,着力提升服务高质量发展效能"
    assert items[-1].heading_path[1] == "(六)强化制约监督,不断提升法治政府建设公信力"


# ---------------------------------------------------------------- sections

# The top-level headings of each seed and the section each opens (read from the seeds).
SEED_TOP_HEADINGS = {
    "000": [
        ("一、坚持政治引领，高起点谋划全年工作", Section.MEASURES),
        ("二、坚持依法履职，高标准完成重点工作", Section.MEASURES),
        ("三、坚持人民中心，高效能推进社会治理", Section.MEASURES),
    ],
    "001": [
        ("一、党政主要负责人履行推进法治政府建设第一责任人职责情况", Section.LEADERSHIP),
        ("二、本年度推进法治政府建设的主要举措和成效", Section.MEASURES),
        ("三、法治政府建设中存在的不足和原因", Section.SHORTCOMINGS),
        ("四、下一年度继续推进法治政府建设的主要安排", Section.PLANS),
    ],
    "002": [
        ("一、党政主要负责人履行推进法治建设第一责任人职责,加强法治政府建设情况", Section.LEADERSHIP),
        ("二、推进法治政府建设的主要举措和成效", Section.MEASURES),
        ("三、存在的不足和原因", Section.SHORTCOMINGS),
        ("四、2024年度推进法治政府建设的主要安排", Section.PLANS),
    ],
    "003": [
        ("一、主要举措和成效", Section.MEASURES),
        ("二、主要负责人履行推进法治建设第一责任人职责情况", Section.LEADERSHIP),
        ("三、存在的不足", Section.SHORTCOMINGS),
        ("四、下一年度主要安排", Section.PLANS),
    ],
    "004": [
        ("一、党政主要负责人严格履行推进法治建设第一责任人职责", Section.LEADERSHIP),
        ("有序推进法治政府建设", Section.MEASURES),  # its "二、" is missing on the page
        ("三、深入推进法治社会建设", Section.MEASURES),
        ("四、2024年度推进工作的主要安排", Section.PLANS),
    ],
}


# Passages without a heading of their own, found from content (indexer/sections.py).
SEED_UNHEADED = {
    "000": ("2022年，我镇在推进法治政府建设方面取得了一定成绩，但与上级的要求", Section.SHORTCOMINGS),
    "004": ("在肯定成绩的同时,我镇在当前法治政府建设中存在一些问题和不足", Section.SHORTCOMINGS),
}


@pytest.mark.parametrize("seed", sorted(SEED_TOP_HEADINGS))
def test_sections_of_every_seed_paragraph(parsed_seeds, seed: str) -> None:
    """Each paragraph has the section of its top-level heading, or of the unheaded passage it
    is in; head, preamble and signature lines are "other"."""
    report = parsed_seeds[seed]
    expected = dict(SEED_TOP_HEADINGS[seed])
    tops = [p.text for p in report.paragraphs if p.is_heading and p.heading_level == 1]
    assert tops == [text for text, _ in SEED_TOP_HEADINGS[seed]]
    got, want = [], []
    for p in report.paragraphs:
        top = p.text if p.text in expected else (p.heading_path[0] if p.heading_path else None)
        got.append(p.section)
        want.append(expected.get(top, Section.OTHER) if top else Section.OTHER)
        unheaded = SEED_UNHEADED.get(seed)
        if unheaded and p.text.startswith(unheaded[0]):
            want[-1] = unheaded[1]
    assert got == want
    first_top = next(i for i, p in enumerate(report.paragraphs) if p.text in expected)
    assert first_top > 0 and all(p.section == Section.OTHER for p in report.paragraphs[:first_top])


@pytest.mark.parametrize(
    ("heading", "section"),
    [
        ("二、存在的不足和原因", Section.SHORTCOMINGS),
        ("三、存在问题及原因", Section.SHORTCOMINGS),
        ("三、法治政府建设存在的短板和薄弱环节", Section.SHORTCOMINGS),
        ("四、下一年度工作安排", Section.PLANS),
        ("2024年工作打算", Section.PLANS),
        ("四、下一步工作思路", Section.PLANS),
        ("党政主要负责人履行推进法治建设第一责任人职责情况", Section.LEADERSHIP),
        ("一、2023年推进法治政府建设的主要举措和成效", Section.MEASURES),
        ("一、工作开展情况", Section.MEASURES),
        ("二、坚持依法履职，高标准完成重点工作", Section.MEASURES),
    ],
)
def test_section_of_top_level_headings(heading: str, section: Section) -> None:
    """Top-level heading wording maps onto the standard outline."""
    assert section_of(heading) == section


def test_unnumbered_top_headings(parse_text) -> None:
    """Short standalone unnumbered headings open sections like numbered ones."""
    body = "坚持依法行政，全面推进法治政府建设，取得了明显成效，群众满意度持续提升。"
    text = "\n\n".join([
        "某某镇2023年法治政府建设情况报告", body,
        "党政主要负责人履行推进法治建设第一责任人职责情况", body,
        "2024年工作打算", "（一）加强学习", body,
        "某某镇人民政府", "2024年1月10日",
    ])
    report = parse_text(text)
    assert [(p.text, p.is_heading, p.section) for p in report.paragraphs] == [
        ("某某镇2023年法治政府建设情况报告", False, Section.OTHER),
        (body, False, Section.OTHER),
        ("党政主要负责人履行推进法治建设第一责任人职责情况", True, Section.LEADERSHIP),
        (body, False, Section.LEADERSHIP),
        ("2024年工作打算", True, Section.PLANS),
        ("（一）加强学习", True, Section.PLANS),
        (body, False, Section.PLANS),
        ("某某镇人民政府", False, Section.OTHER),
        ("2024年1月10日", False, Section.OTHER),
    ]


def test_html_page_paragraphs(parse_text) -> None:
    """An HTML page's blocks become paragraphs; table rows stay rows; <meta> fills facts."""
    page = (
        '<html><head><meta name="PubDate" content="2024-01-17 10:00"></head><body>'
        '<div class="TRS_Editor"><p>一、主要举措和成效</p>'
        "<p>2023年，某某镇坚持以习近平法治思想为指导，全面推进依法行政，成效明显。</p>"
        "<table><tr><td>事项</td><td>件数</td></tr><tr><td>行政复议</td><td>3</td></tr></table>"
        "</div></body></html>"
    )
    report = parse_text(page, "p.html")
    assert [(p.text, p.is_heading) for p in report.paragraphs] == [
        ("一、主要举措和成效", True),
        ("2023年，某某镇坚持以习近平法治思想为指导，全面推进依法行政，成效明显。", False),
        ("事项 | 件数", False),
        ("行政复议 | 3", False),
    ]
    assert report.furniture == {"published": "2024-01-17 10:00"}
