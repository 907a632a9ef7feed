"""Turn a decoded document into clean paragraphs with headings, outline and sections.

Steps: lines -> page furniture removed (its facts kept) -> hard-wrapped lines joined ->
paragraphs cut by page breaks joined -> headings and levels -> heading paths -> sections.
Nothing here knows a particular site: rules describe kinds of lines, not files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .models import ParsedParagraph, ParsedReport, RawDocument, Section
from .sections import refine_sections

# ---------------------------------------------------------------- character classes

# A paragraph ending in one of these ends a sentence (a closing quote/bracket only counts
# when the sentence inside it ended: "…“平安联盟”" + "工作机制…" is a page-break cut).
_TERMINAL = "。！？；：!?;:…"
_CLOSERS = "”’」』）)】]》>"
_SENTENCE_PUNCT = re.compile(r"[，。；：！？,;:!?]")
_CLAUSE_PUNCT = re.compile(r"[，。；！？]")
_INNER_STOP = re.compile(r"[。！？；!?;]")
_CN_NUM = "一二三四五六七八九十百零〇两"
_DIGITS = frozenset("0123456789０１２３４５６７８９")
_ORGAN_END = re.compile(
    r"(人民政府|政府|办事处|委员会|管委会|局|厅|委|办公室|镇|乡|街道|司法所|部|院|党委|党工委|党组|中心|公司)$"
)

# ---------------------------------------------------------------- heading markers

_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^第[{_CN_NUM}]+(部分|章|篇)\s*")),
    (1, re.compile(rf"^[{_CN_NUM}]+\s*[、.．]\s*")),
    (2, re.compile(rf"^[（(]\s*[{_CN_NUM}]+\s*[）)]\s*[、.．]?\s*")),
    (2, re.compile(rf"^第[{_CN_NUM}]+节\s*")),
    (2, re.compile(rf"^第[{_CN_NUM}]+\s*[，,、]\s*")),
    (3, re.compile(r"^\d{1,2}\s*[、.．](?!\d)\s*")),
    (4, re.compile(r"^[（(]\s*\d{1,2}\s*[）)]\s*[、.．]?\s*")),
    (5, re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]\s*")),
)
_RUN_IN_ITEM = re.compile(rf"^(其)?[{_CN_NUM}]+是")  # 一是…二是… items stay body text
_HEADING_MAX = 50  # longest text (after the marker) a heading line may have

# ---------------------------------------------------------------- furniture vocabulary

_FIELD_KEYS: dict[str, tuple[str | None, int]] = {
    # label -> (furniture key or None for facts we drop, rank: lower wins for the same key)
    "来源": ("source", 0), "信息来源": ("source", 0), "文章来源": ("source", 0),
    "稿件来源": ("source", 0), "稿源": ("source", 1), "出处": ("source", 1),
    "发布日期": ("published", 0), "发布时间": ("published", 0), "公开日期": ("published", 0),
    "公布日期": ("published", 0), "发文日期": ("published", 2), "成文日期": ("published", 2),
    "印发日期": ("published", 2), "时间": ("published", 1), "日期": ("published", 1),
    "文号": ("doc_number", 0), "发文字号": ("doc_number", 0), "文件编号": ("doc_number", 1),
    "标题": ("title", 0), "名称": ("title", 1), "文件名称": ("title", 0),
    "发布机构": ("issuer", 0), "发文机关": ("issuer", 0), "发文单位": ("issuer", 0),
    "发布单位": ("issuer", 1), "成文机关": ("issuer", 1), "发布部门": ("issuer", 1),
    "索引号": ("index_no", 0),
}
_DROPPED_LABELS = (
    "主题分类 分类 信息分类 体裁分类 组配分类 主题词 有效性 生效日期 废止日期 公开方式 公开范围 "
    "公开形式 公开时限 服务对象 访问量 访问次数 浏览次数 浏览量 点击数 点击量 点击率 阅读 阅读量 "
    "阅读数 阅读次数 字号 字体 作者 编辑 责任编辑 发布人 所属机构 统一编号 登记号 责任部门 "
    "更新时间 更新日期 所属主题 关键词 信息类别 内容分类"
).split()
_ALL_LABELS = sorted([*_FIELD_KEYS, *_DROPPED_LABELS], key=len, reverse=True)
_ALL_LABEL_SET = frozenset(_ALL_LABELS)
# Page counters and tools: a line with only such a label has no value on the next line.
_COUNTER_LABELS = frozenset(
    "访问量 访问次数 浏览次数 浏览量 点击数 点击量 点击率 阅读 阅读量 阅读数 阅读次数 字号 字体 "
    "作者 编辑 责任编辑 发布人".split()
)


def _spaced(label: str) -> str:
    return r"\s*".join(map(re.escape, label))


_LABEL_COLON = re.compile(rf"({'|'.join(_spaced(lb) for lb in _ALL_LABELS)})\s*[:：]")
_ISO_DATETIME = re.compile(r"^(\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}(\s+\d{1,2}:\d{2}(:\d{2})?)?)")
_CN_DATETIME = re.compile(r"^(\d{4}年\d{1,2}月\d{1,2}日(\s*\d{1,2}:\d{2}(:\d{2})?)?)")
_SITE_CLOCK = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日\s*(星期|周|礼拜)[一二三四五六日天]")
_DATE_LINE = re.compile(
    r"^[（(]?\s*([\d〇零○Ｏ一二三四五六七八九]{4})\s*年\s*[\d〇零○一二三四五六七八九十]{1,3}\s*月"
    r"\s*[\d〇零○一二三四五六七八九十]{1,3}\s*日\s*[）)]?$"
    r"|^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$"
)
# A breadcrumb trail starts with its label ("您当前的位置：首页 > …"); a sentence that merely
# contains the words ("查询给据邮件所在位置") is report text.
_BREADCRUMB = re.compile(
    r"^[【\[（(]?\s*[您你]?(当前位置|现在的位置|的位置|所在位置|当前的位置|现在位置|当前页面)\s*[:：>＞»]?"
)
_CRUMB_SEP = re.compile(r"\s*(>>|>|»|›|＞|→)\s*")
_WELCOME = re.compile(r"^欢迎(来到|访问|您|光临)")
_PHRASES = re.compile(
    r"扫一扫|二维码|手机打开|分享到|分享至|分享文章|打印页面|打印本页|关闭页面|关闭窗口|【打印】|【关闭】|"
    r"此件公开发布|此件依申请公开|访问量|访问次数|浏览次数|浏览量|点击数|点击量|阅读次数|"
    r"字号[:：]|字体[:：]|【字体|网站标识码|ICP备|公网安备|版权所有|Copyright|技术支持[:：]"
)
_FOOTER = re.compile(r"网站标识码|ICP备|公网安备|版权所有|Copyright|©|主办单位[:：]|承办单位[:：]|技术支持[:：]")
_TAIL_CUT = re.compile(r"^(相关文件|相关链接|相关阅读|相关新闻|相关信息|相关稿件|相关文章|延伸阅读|推荐阅读|上一篇|下一篇)\s*[:：]?")
_FURNITURE_WORDS = frozenset(
    (
        "用户登录 登录 注册 退出 无障碍 网站无障碍 无障碍浏览 无障碍阅读 适老版 适老化 关怀版 长者版 老年版 "
        "长者模式 繁體 繁体 简体 繁體版 繁体版 简体版 English ENGLISH 支持IPv6 IPv6 移动版 手机版 朗读 "
        "语音播报 智能问答 搜索 打印 打印本页 打印页面 打印此页 关闭 关闭页面 关闭窗口 分享 分享到 分享文章到 "
        "分享至 微信 微博 头条 今日头条 空间 QQ空间 qq QQ 收藏 加入收藏 字体 字号 大 中 小 默认 × x X "
        "返回顶部 顶部 网站地图 联系我们 纠错 我要纠错 护眼 视力保护色 标准版 设为首页 "
        "首页 网站首页 政务微博 政务微信 人次 次 浏览 阅读 0 [] [ ] 【 】"
    ).split()
)
_TOKEN_SPLIT = re.compile(r"[\s|｜/丨·•【】\[\]:：()（）<>,，]+")
_SPAM = re.compile(
    r"娱乐|彩票|博彩|棋牌|赌场|真人|投注|下注|开户|官网|官方网站|下载|体育|电竞|百家乐|老虎机|"
    r"威尼斯人|葡京|澳门|皇冠|亚博|开云|半岛|乐鱼|九游|bet|BET|365"
)
_SPAM_SUFFIX = re.compile(r"^(.*?\S)\s*[-_—–|｜]+\s*([^-_—–|｜]{2,30})$")
_NO_VALUE = frozenset({"", "无", "-", "--", "—", "暂无", "/"})

# ---------------------------------------------------------------- sections

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


# ---------------------------------------------------------------- records used while parsing


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    blank_before: bool
    indent: bool
    md_heading: bool


@dataclass(slots=True)
class _Unit:
    text: str
    md_heading: bool = False
    zone: str = "body"  # "head" | "body" | "closing"
    level: int | None = None  # marker level, or top level for unnumbered headings
    heading: bool = False  # a heading line (not a run-in paragraph)
    outline: str | None = None  # text this unit puts in the outline, if any


# ---------------------------------------------------------------- public entry point


def parse(raw: RawDocument) -> ParsedReport:
    """Clean RAW of page furniture and cut it into paragraphs with headings and sections."""
    lines = _split_lines(raw.text)
    lines, furniture, dropped = strip_furniture(lines)
    _add_html_meta(furniture, raw.html_meta)
    units = _units(lines)
    _mark_zones(units)
    units, head_dropped = _tidy_head(units)
    dropped.extend(head_dropped)
    _mark_headings(units)
    units = _join_page_breaks(units)
    paragraphs = refine_sections(_outline(units))  # unheaded shortcomings/plans passages
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


# ---------------------------------------------------------------- lines


_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HTML_COMMENT = re.compile(r"^<!--.*-->$")


def _split_lines(text: str) -> list[_Line]:
    """Non-empty lines, stripped, with whether a blank line or indentation precedes them."""
    out: list[_Line] = []
    blank = True
    for raw_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw_line.rstrip()
        stripped = line.strip(" \t\u3000\xa0\ufeff")
        if not stripped or _HTML_COMMENT.match(stripped) or _MD_RULE.match(stripped):
            blank = blank or not stripped
            continue
        indent = line[: len(line) - len(line.lstrip(" \t\u3000\xa0"))]
        md = bool(_MD_HEADING.match(stripped))
        if md:
            stripped = _MD_HEADING.sub("", stripped).strip()
        out.append(_Line(stripped, blank, len(indent.replace("\u3000", "  ")) >= 2, md))
        blank = False
    return out


# ---------------------------------------------------------------- furniture


# Full-width ASCII forms and the ideographic space folded to ASCII (the part of NFKC that
# matters for numbers and dates), length-preserving and much faster than unicodedata.
_FULLWIDTH = str.maketrans({**{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}, "\u3000": " "})


_HAS_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")


def _nfkc(text: str) -> str:
    return text.translate(_FULLWIDTH) if _HAS_FULLWIDTH.search(text) else text


def _is_bodyish(text: str) -> bool:
    """A line that can only be report text: a numbered heading or a long sentence."""
    if _marker(text) is not None:
        return True
    return len(text) >= 30 and bool(_SENTENCE_PUNCT.search(text))


def _token_only(text: str) -> bool:
    tokens = [t for t in _TOKEN_SPLIT.split(text) if t]
    return bool(tokens) and all(t in _FURNITURE_WORDS or t.isdigit() for t in tokens)


def _line_kind(text: str) -> str | None:
    """What kind of page furniture TEXT is, or None for report text."""
    n = len(text)
    if n > 150:  # furniture lines are short; report paragraphs are not
        return None
    if n <= 60 and _TAIL_CUT.match(text) and not _SENTENCE_PUNCT.search(text.rstrip(":：")):
        return "tail"
    if n <= 120 and _FOOTER.search(text) and not _is_bodyish(text):
        return "footer"
    if n <= 150 and _BREADCRUMB.match(text) and not _CLAUSE_PUNCT.search(text):
        return "crumb"
    if (
        n <= 120
        and "<" not in text  # markup, not a trail of ">" separators
        and len(_CRUMB_SEP.findall(text)) >= 2
        and ("首页" in text or not _SENTENCE_PUNCT.search(text))
    ):
        return "crumb"
    if n <= 100 and _WELCOME.match(text):
        return "nav"
    if n <= 60 and "首页" in text and not _SENTENCE_PUNCT.search(text):
        return "nav"
    if n <= 40 and _SITE_CLOCK.match(_nfkc(text)):
        return "clock"
    if _LABEL_COLON.match(text.lstrip("【[（( ")) or _table_cells(text):
        return "field"
    if text[0] in _DIGITS and _is_stamp(_nfkc(text)):
        return "stamp"
    if n <= 80 and _token_only(text):
        return "words" if _has_strong_token(text) else "weak_words"
    if n <= 60 and _PHRASES.search(text) and not _is_bodyish(text):
        return "phrase"
    if n <= 40 and _LATIN_ONLY.match(text):
        return "latin"
    return None


# Kinds recognised by a word or phrase a line contains, or lines that are furniture only by
# where they are (a lone "0" is a counter above the text, "2" a subscript inside it): page
# furniture only at the page's edges, before the first or after the last line of report text.
_EDGE_KINDS = frozenset({"nav", "footer", "weak_words", "phrase", "latin"})
# English boilerplate lines ("Public domain", "false"): letters only, no digits.
_LATIN_ONLY = re.compile(r"^[A-Za-z][A-Za-z .,'-]*$")
# Labels whose line is site furniture wherever it stands.
_STRONG_FIELD_KEYS = frozenset({"source", "published", "index_no", "doc_number", "issuer"})


def _has_strong_token(text: str) -> bool:
    """A token-only line with a real furniture word ("打印", "分享到"), not only digits, single
    characters or brackets."""
    return any(len(t) >= 2 and not t.isdigit() for t in _TOKEN_SPLIT.split(text) if t)


def _is_furniture(kind: str | None, text: str, edge: bool) -> bool:
    """Whether a line of KIND is dropped: anywhere when its whole shape is furniture, only at
    the page's edges when it is recognised by a word it contains."""
    if kind is None:
        return False
    if edge:
        return True
    if kind in _EDGE_KINDS:
        return False
    if kind == "field":
        return _strong_field(text)
    return True


def _strong_field(text: str) -> bool:
    """A labelled line inside the text that is still the site's: a metadata table row, several
    labels, or one of the labels only site pages print (来源, 发布日期, 索引号, 文号 …)."""
    pairs = _field_pairs(text)
    if _table_cells(text) or len(pairs) >= 2:
        return True
    return bool(pairs) and _FIELD_KEYS.get(pairs[0][0], (None, 0))[0] in _STRONG_FIELD_KEYS


def _is_stamp(text: str) -> bool:
    """A site's date stamp: "2023-02-15 14:49", "2023-03-31 17:05:00 来源: 某局 打印", or a
    Chinese date followed by labelled fields. A Chinese date alone is a report's date line."""
    m = _ISO_DATETIME.match(text)
    if m:
        rest = text[m.end() :].strip()
        return not rest or bool(_LABEL_COLON.match(rest)) or _token_only(rest)
    m = _CN_DATETIME.match(text)
    return bool(m) and bool(_LABEL_COLON.match(text[m.end() :].strip()))


def _table_cells(text: str) -> list[tuple[str, str]]:
    """(label, value) pairs of a "索引号 | 0123 | 分类 | 司法" row, or [] if it is not one."""
    if "|" not in text and "｜" not in text:
        return []
    cells = [c.strip() for c in re.split(r"[|｜]", text.strip().strip("|｜"))]
    if len(cells) < 2:
        return []
    pairs = []
    for i in range(0, len(cells) - 1, 2):
        label = re.sub(r"\s+", "", cells[i]).rstrip(":：")
        if label not in _FIELD_KEYS and label not in _DROPPED_LABELS:
            return []
        pairs.append((label, cells[i + 1]))
    return pairs


def _field_pairs(text: str) -> list[tuple[str, str]]:
    """(label, value) pairs of a line such as "来源: 某局 发布日期: 2024-03-20 13:20 访问量:"."""
    cells = _table_cells(text)
    if cells:
        return cells
    norm = text.strip().strip("【】[]").strip()
    pairs: list[tuple[str, str]] = []
    m0 = _ISO_DATETIME.match(_nfkc(norm)) or _CN_DATETIME.match(_nfkc(norm))
    if m0 and not _LABEL_COLON.match(norm):
        pairs.append(("发布时间", m0.group(1)))
    matches = list(_LABEL_COLON.finditer(norm))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(norm)
        label = re.sub(r"\s+", "", m.group(1))
        pairs.append((label, norm[m.end() : end]))
    return pairs


def _clean_value(value: str) -> str:
    value = value.strip().strip("|｜【】[]").strip()
    tokens = value.split()
    while tokens and tokens[-1] in _FURNITURE_WORDS:
        tokens.pop()
    return " ".join(tokens)


def _record(facts: dict[str, str], ranks: dict[str, int], pairs: list[tuple[str, str]]) -> None:
    for label, value in pairs:
        key, rank = _FIELD_KEYS.get(label, (None, 0))
        value = _clean_value(value)
        if key is None or value in _NO_VALUE:
            continue
        if key == "published" and not re.search(r"\d", value):
            continue
        if key not in facts or rank < ranks[key]:
            facts[key] = value
            ranks[key] = rank


def _is_table_label(text: str) -> bool:
    """A line that is only the label cell of a metadata table ("索引号：")."""
    label = re.sub(r"\s+", "", text).rstrip(":：")
    return label in _ALL_LABEL_SET and label not in _COUNTER_LABELS


def strip_furniture(lines: list[_Line]) -> tuple[list[_Line], dict[str, str], list[str]]:
    """Drop page furniture; return the kept lines, the facts read from it, the dropped lines."""
    kinds = [_line_kind(line.text) for line in lines]
    for i in _page_numbers(lines):
        kinds[i] = "page"
    head_end = next(
        (i for i, (line, kind) in enumerate(zip(lines, kinds)) if kind is None and _is_bodyish(line.text)),
        len(lines),
    )
    last_body = max(
        (i for i, (line, kind) in enumerate(zip(lines, kinds)) if kind is None and _is_bodyish(line.text)),
        default=-1,
    )
    # Everything above the last breadcrumb/navigation line of the head is the site's header.
    header_end = max((i for i in range(head_end) if kinds[i] in ("crumb", "nav")), default=-1)
    body_chars = [len(line.text) if kind is None and _is_bodyish(line.text) else 0
                  for line, kind in zip(lines, kinds)]
    facts: dict[str, str] = {}
    ranks: dict[str, int] = {}
    kept: list[_Line] = []
    dropped: list[str] = []
    last_dropped = 0  # len(dropped) when the last line was kept
    i = 0
    while i < len(lines):
        line, kind = lines[i], kinds[i]
        text = line.text
        edge = (i < head_end or i > last_body) and not (
            kind == "weak_words" and _inside_sentence(lines, kinds, i)
        )
        if kind == "latin":  # English boilerplate ends a page ("Public domain"); a title may not
            edge = i > last_body
        if i <= header_end or (
            kind in ("crumb", "nav", "clock", "words", "weak_words", "phrase", "latin", "page")
            and _is_furniture(kind, text, edge)
        ):
            dropped.append(text)
        elif i < head_end and _is_table_label(text) and i + 1 < len(lines) and kinds[i + 1] is None:
            # a metadata table whose label and value cells came out on separate lines
            label = re.sub(r"\s+|[:：]", "", text)
            _record(facts, ranks, [(label, lines[i + 1].text)])
            dropped.extend((text, lines[i + 1].text))
            i += 1
        elif (kind == "tail" and _is_page_tail(body_chars, i)) or (kind == "footer" and i > last_body):
            dropped.extend(ln.text for ln in lines[i:])
            break
        elif kind in ("field", "stamp") and _is_furniture(kind, text, edge):
            _record(facts, ranks, _field_pairs(text))
            dropped.append(text)
        elif kind == "footer" and edge:
            dropped.append(text)
        else:
            if len(dropped) > last_dropped and not line.blank_before:
                # what stood above it was removed: it does not carry on the kept line above
                line = _Line(line.text, True, line.indent, line.md_heading)
            kept.append(line)
            last_dropped = len(dropped)
        i += 1
    return kept, facts, dropped


_PAGE_NUMBER = re.compile(r"^[-—–~\s]*(第\s*)?(\d{1,4})(\s*页)?(\s*[/／]\s*\d{1,4}\s*页?)?[-—–~\s]*$")


def _page_numbers(lines: list[_Line]) -> list[int]:
    """Lines that are page numbers of text taken from a PDF ("- 3 -", "4", "第5页"): the
    longest run (3 or more) of number lines counting up page by page. A number outside the run
    (a subscript: M2) or in brackets (a footnote mark: [1]) is not one."""
    chains: dict[int, list[int]] = {}  # page number -> the longest run ending with it
    for i, line in enumerate(lines):
        m = _PAGE_NUMBER.match(line.text)
        if m is None or (i > 0 and lines[i - 1].text.endswith(("[", "［", "【"))):
            continue
        n = int(m.group(2))
        chains[n] = [*chains.get(n - 1, []), i]
    best = max(chains.values(), key=len, default=[])
    return best if len(best) >= 3 else []


def _inside_sentence(lines: list[_Line], kinds: list[str | None], i: int) -> bool:
    """Line I stands between two lines of text and the sentence before it goes on ("…会议["
    "1" "]以来…"): a footnote mark or subscript cut out of the line, not a page counter."""
    return (
        0 < i < len(lines) - 1
        and kinds[i - 1] is None
        and kinds[i + 1] is None
        and not _ends_sentence(lines[i - 1].text)
    )


def _is_page_tail(body_chars: list[int], i: int) -> bool:
    """A "相关链接"/"上一篇" line at I starts the page's tail (dropped to the end) unless much
    report text follows it: then it is a line of the report."""
    return sum(body_chars[i + 1 :]) < 0.25 * sum(body_chars[:i])


# <meta> names that government CMSs (TRS, 大汉 …) and Open Graph use for the same facts.
_META_NAMES: dict[str, tuple[str, ...]] = {
    "published": ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "publishtime"),
    "title": ("articletitle", "og:title"),
    "source": ("contentsource", "source"),
    "url": ("og:url", "url"),
}


def _add_html_meta(furniture: dict[str, str], meta: dict[str, str]) -> None:
    """Fill facts the page's text did not print from its <meta> tags."""
    lowered = {k.lower(): v.strip() for k, v in meta.items() if v.strip()}
    for key, names in _META_NAMES.items():
        if key in furniture:
            continue
        value = next((lowered[n] for n in names if n in lowered), None)
        if value:
            furniture[key] = value


# ---------------------------------------------------------------- units (paragraph candidates)


def _units(lines: list[_Line]) -> list[_Unit]:
    """One unit per line, or (in hard-wrapped files) per run of wrapped lines; a line that
    carries on the sentence of the line above it is joined to it (see ``_continues``)."""
    if not _hard_wrapped(lines):
        blank_separated = _blank_separated(lines)
        units = []
        prev: _Line | None = None
        for line in lines:
            if prev is not None and units and _continues(prev, line, blank_separated):
                units[-1].text = _glue(units[-1].text, line.text)
            else:
                units.append(_Unit(line.text, line.md_heading))
            prev = line
        return units
    lengths = sorted(len(line.text) for line in lines)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    uses_indent = 0 < sum(line.indent for line in lines) < len(lines)
    units: list[_Unit] = []
    prev: _Line | None = None
    for line in lines:
        new = (
            prev is None
            or line.blank_before
            or line.md_heading
            or prev.md_heading
            or _marker(line.text) is not None
            or _is_pure_heading(prev.text)
            or (uses_indent and line.indent)
            or (_ends_sentence(prev.text) and len(prev.text) < 0.85 * width)
        )
        if new:
            units.append(_Unit(line.text, line.md_heading))
        else:
            units[-1].text = _glue(units[-1].text, line.text)
        prev = line
    return units


# A line starting with one of these carries on the sentence above it (no paragraph starts so).
_CONTINUATION_START = "，。、；：！？）》」』”’】,;:!?)]"
# "二要" alone on its line (a bold run-in mark cut off its item): the item follows
_BARE_ITEM_MARK = re.compile(rf"^(其)?[{_CN_NUM}]+[是要]$")
_LIST_ITEM = re.compile(r"^([-*+•·▪●○]\s|\|)")


def _blank_separated(lines: list[_Line]) -> bool:
    """True when paragraphs are separated by blank lines: most lines that end a sentence are
    followed by one. A single line break inside such a file is not a paragraph break but a
    wrap (text pulled from inline elements, "…我国与\n印度\n、缅甸…")."""
    ends = [i for i in range(len(lines) - 1) if _ends_sentence(lines[i].text)]
    return len(ends) >= 2 and sum(lines[i + 1].blank_before for i in ends) >= 0.6 * len(ends)


def _continues(prev: _Line, line: _Line, blank_separated: bool) -> bool:
    """LINE, right below PREV without a blank line, is the rest of PREV's sentence."""
    if line.blank_before or line.md_heading or prev.md_heading:
        return False
    if _LIST_ITEM.match(line.text) or _LIST_ITEM.match(prev.text):
        return False
    if line.text[0] in _CONTINUATION_START or _BARE_ITEM_MARK.match(prev.text):
        return True
    if not blank_separated or _ends_sentence(prev.text) or _marker(line.text) is not None:
        return False
    if _is_pure_heading(prev.text) and prev.text[-1] not in _OPEN_END:
        return False
    # "工作打算" + "2024年，我们将……": a heading above its first paragraph stays apart
    return not (_heading_like(prev.text) and _is_bodyish(line.text))


def _heading_like(text: str) -> bool:
    return len(text) <= 30 and not _SENTENCE_PUNCT.search(text)


def _hard_wrapped(lines: list[_Line]) -> bool:
    """True when most lines are short and continue on the next line without a blank line."""
    if len(lines) < 8:
        return False
    followed = sum(1 for nxt in lines[1:] if not nxt.blank_before)
    lengths = sorted(len(line.text) for line in lines)
    p90 = lengths[int(0.9 * (len(lengths) - 1))]
    return followed >= 0.5 * (len(lines) - 1) and p90 <= 100


def _glue(a: str, b: str) -> str:
    """Join two pieces of one paragraph (a space only between two Latin words or two numbers:
    "M" + "2" is "M2", "PM" + "10" is "PM10")."""
    if a and b and a[-1].isascii() and b[0].isascii() and (
        (a[-1].isalpha() and b[0].isalpha()) or (a[-1].isdigit() and b[0].isdigit())
    ):
        return f"{a} {b}"
    return a + b


def _ends_sentence(text: str) -> bool:
    text = text.rstrip()
    if not text:
        return True
    if text[-1] in _TERMINAL:
        return True
    stripped = text.rstrip(_CLOSERS)
    return len(stripped) < len(text) and bool(stripped) and stripped[-1] in _TERMINAL


# ---------------------------------------------------------------- zones: head / body / closing


def _is_closing_line(text: str) -> bool:
    """A signature or date line at the end of a report."""
    if len(text) > 40:
        return False
    norm = _nfkc(text)
    if len(norm) <= 20 and _DATE_LINE.match(norm):
        return True
    return len(norm) <= 40 and not _SENTENCE_PUNCT.search(norm) and bool(_ORGAN_END.search(norm))


def _mark_zones(units: list[_Unit]) -> None:
    """Head: title, letterhead, 文号, salutation before the first body line. Closing: signature
    and date lines after the last one."""
    first = next((i for i, u in enumerate(units) if _is_bodyish(u.text)), len(units))
    for u in units[:first]:
        u.zone = "head"
    for u in reversed(units[first:]):
        if not _is_closing_line(u.text):
            break
        u.zone = "closing"


def _tidy_head(units: list[_Unit]) -> tuple[list[_Unit], list[str]]:
    """In the head: strip mirror-site spam from titles, drop repeated lines, join a title
    printed over two lines ("…关于2023年法治政府" + "建设工作情况的报告")."""
    out: list[_Unit] = []
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
            joined = _glue(prev.text, u.text)
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
    if _SENTENCE_PUNCT.search(a) or _SENTENCE_PUNCT.search(b):
        return False
    if len(a) < 8 or len(b) > 20 or b[0].isdigit() or re.search(r"(报告|情况|总结|文件|号)$", a):
        return False
    return bool(re.search(r"(报告|情况|总结)$", a + b))


# ---------------------------------------------------------------- headings


def _strip_marker(text: str) -> str:
    m = _marker(text)
    return text[m[1] :] if m else text


@lru_cache(maxsize=4096)
def _marker(text: str) -> tuple[int, int] | None:
    """(level, end of marker) when TEXT starts with a heading number."""
    norm = _nfkc(text[:16])  # markers are short: normalise only the start of long paragraphs
    for level, rx in _MARKERS:
        m = rx.match(norm)
        if m and m.end() < len(text):
            return level, m.end()
    return None


def _is_pure_heading(text: str) -> bool:
    """A numbered line that is a heading, not a paragraph that starts with one."""
    m = _marker(text)
    if m is None:
        return False
    rest = text[m[1] :].strip()
    # a list item ending in ；，、 ("（一）国家机关；") is body text, not a heading
    return (
        0 < len(rest) <= _HEADING_MAX
        and not _INNER_STOP.search(rest[:-1])
        and rest[-1] not in "；;，,、"
    )


def _run_in_title(text: str) -> str | None:
    """The heading sentence of a run-in paragraph ("（一）深入学习…思想。始终把…")."""
    m = _marker(text)
    if m is None:
        return None
    stop = _INNER_STOP.search(text, m[1])
    if stop is None or stop.start() - m[1] > _HEADING_MAX or stop.start() == m[1]:
        return None
    return text[: stop.start()]


def _mark_headings(units: list[_Unit]) -> None:
    """Set level/heading/outline of body units from markers, markdown and unnumbered lines."""
    levels = []
    for u in units:
        if u.zone != "body":
            continue
        m = _marker(u.text)
        if m is not None:
            u.level = m[0]
            if _is_pure_heading(u.text) or u.md_heading:
                u.heading, u.outline = True, u.text
            else:
                u.outline = _run_in_title(u.text)
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
                and not _SENTENCE_PUNCT.search(u.text)
                and "|" not in u.text  # a table row
                and not _RUN_IN_ITEM.match(u.text)
                and not _DATE_LINE.match(_nfkc(u.text))
                and (prev is None or prev.zone != "body" or _ends_sentence(prev.text) or prev.heading)
                and nxt is not None
                and nxt.zone == "body"
            )
        )
        if standalone:  # unnumbered headings are top-level ones ("2024年工作打算")
            u.level, u.heading, u.outline = 1, True, u.text


# A heading never ends in a word or mark that needs what follows (与 和 的 《 …).
_OPEN_END = "与和及的在对把被从向于为是了并或、，《“‘（(「『[【"
_MIN_HEADING_CJK = 2


def _can_be_heading(text: str) -> bool:
    """An unnumbered line that may be a heading: real words ("结束语", "工作打算"), not a
    fragment of a sentence ("、", "据", "今年是我国与", "认真实施《") or English boilerplate
    ("Public domain", "false")."""
    return (
        len(_CJK_CHAR.findall(text)) >= _MIN_HEADING_CJK
        and text[0] not in _CONTINUATION_START
        and text[-1] not in _OPEN_END
    )


_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")


# ---------------------------------------------------------------- page-break joins


def _joinable(prev: _Unit, cur: _Unit) -> bool:
    """PREV was cut by a page break and CUR carries on its sentence."""
    return (
        prev.zone == "body"
        and cur.zone == "body"
        and not prev.heading
        and not cur.heading
        and cur.level is None
        and not _RUN_IN_ITEM.match(cur.text)
        and not _is_table_row(prev.text)  # table rows are never page-break cuts
        and not _is_table_row(cur.text)
        and not _ends_sentence(prev.text)
    )


def _is_table_row(text: str) -> bool:
    """A row of an HTML table ("a | b") or a Markdown one ("| a |b |")."""
    return " | " in text or text.startswith(("|", "｜")) or text.endswith(("|", "｜"))


def _join_page_breaks(units: list[_Unit]) -> list[_Unit]:
    out: list[_Unit] = []
    for u in units:
        if out and _joinable(out[-1], u):
            prev = out[-1]
            prev.text = _glue(prev.text, u.text)
            if prev.level is not None and not prev.heading:
                prev.outline = _run_in_title(prev.text)
            continue
        out.append(u)
    return out


# ---------------------------------------------------------------- outline and sections


def _outline(units: list[_Unit]) -> list[ParsedParagraph]:
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


__all__ = ["parse", "section_of", "strip_furniture"]
