"""Page furniture: the lines a web page or a PDF adds around a report's text, and the facts
they carry.

Every line gets a kind (breadcrumb, navigation, labelled field, date stamp, tool words, footer,
page number, "相关链接" tail …) or none for report text; furniture is dropped anywhere when its
whole shape is furniture, only at the page's edges when a word it contains gives it away.
Labelled fields ("来源：某局", "发布日期：…") and <meta> tags give the report's facts.
"""

from __future__ import annotations

import re

from .headings import is_bodyish
from .parse_text import SENTENCE_PUNCT, Line, ends_sentence, nfkc

# ---------------------------------------------------------------- furniture vocabulary

_CLAUSE_PUNCT = re.compile(r"[，。；！？]")
_DIGITS = frozenset("0123456789０１２３４５６７８９")
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
_NO_VALUE = frozenset({"", "无", "-", "--", "—", "暂无", "/"})


# ---------------------------------------------------------------- kinds of lines


def _token_only(text: str) -> bool:
    tokens = [t for t in _TOKEN_SPLIT.split(text) if t]
    return bool(tokens) and all(t in _FURNITURE_WORDS or t.isdigit() for t in tokens)


def _line_kind(text: str) -> str | None:
    """What kind of page furniture TEXT is, or None for report text."""
    n = len(text)
    if n > 150:  # furniture lines are short; report paragraphs are not
        return None
    if n <= 60 and _TAIL_CUT.match(text) and not SENTENCE_PUNCT.search(text.rstrip(":：")):
        return "tail"
    if n <= 120 and _FOOTER.search(text) and not is_bodyish(text):
        return "footer"
    if n <= 150 and _BREADCRUMB.match(text) and not _CLAUSE_PUNCT.search(text):
        return "crumb"
    if (
        n <= 120
        and "<" not in text  # markup, not a trail of ">" separators
        and len(_CRUMB_SEP.findall(text)) >= 2
        and ("首页" in text or not SENTENCE_PUNCT.search(text))
    ):
        return "crumb"
    if n <= 100 and _WELCOME.match(text):
        return "nav"
    if n <= 60 and "首页" in text and not SENTENCE_PUNCT.search(text):
        return "nav"
    if n <= 40 and _SITE_CLOCK.match(nfkc(text)):
        return "clock"
    if _LABEL_COLON.match(text.lstrip("【[（( ")) or _table_cells(text):
        return "field"
    if text[0] in _DIGITS and _is_stamp(nfkc(text)):
        return "stamp"
    if n <= 80 and _token_only(text):
        return "words" if _has_strong_token(text) else "weak_words"
    if n <= 60 and _PHRASES.search(text) and not is_bodyish(text):
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
    m0 = _ISO_DATETIME.match(nfkc(norm)) or _CN_DATETIME.match(nfkc(norm))
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


# ---------------------------------------------------------------- dropping furniture, keeping its facts


def strip_furniture(lines: list[Line]) -> tuple[list[Line], dict[str, str], list[str]]:
    """Drop page furniture; return the kept lines, the facts read from it, the dropped lines."""
    kinds = [_line_kind(line.text) for line in lines]
    for i in _page_numbers(lines):
        kinds[i] = "page"
    head_end = next(
        (i for i, (line, kind) in enumerate(zip(lines, kinds)) if kind is None and is_bodyish(line.text)),
        len(lines),
    )
    last_body = max(
        (i for i, (line, kind) in enumerate(zip(lines, kinds)) if kind is None and is_bodyish(line.text)),
        default=-1,
    )
    # Everything above the last breadcrumb/navigation line of the head is the site's header.
    header_end = max((i for i in range(head_end) if kinds[i] in ("crumb", "nav")), default=-1)
    body_chars = [len(line.text) if kind is None and is_bodyish(line.text) else 0
                  for line, kind in zip(lines, kinds)]
    facts: dict[str, str] = {}
    ranks: dict[str, int] = {}
    kept: list[Line] = []
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
                line = Line(line.text, True, line.indent, line.md_heading)
            kept.append(line)
            last_dropped = len(dropped)
        i += 1
    return kept, facts, dropped


_PAGE_NUMBER = re.compile(r"^[-—–~\s]*(第\s*)?(\d{1,4})(\s*页)?(\s*[/／]\s*\d{1,4}\s*页?)?[-—–~\s]*$")


def _page_numbers(lines: list[Line]) -> list[int]:
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


def _inside_sentence(lines: list[Line], kinds: list[str | None], i: int) -> bool:
    """Line I stands between two lines of text and the sentence before it goes on ("…会议["
    "1" "]以来…"): a footnote mark or subscript cut out of the line, not a page counter."""
    return (
        0 < i < len(lines) - 1
        and kinds[i - 1] is None
        and kinds[i + 1] is None
        and not ends_sentence(lines[i - 1].text)
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


def add_html_meta(furniture: dict[str, str], meta: dict[str, str]) -> None:
    """Fill facts the page's text did not print from its <meta> tags."""
    lowered = {k.lower(): v.strip() for k, v in meta.items() if v.strip()}
    for key, names in _META_NAMES.items():
        if key in furniture:
            continue
        value = next((lowered[n] for n in names if n in lowered), None)
        if value:
            furniture[key] = value
