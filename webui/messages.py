"""Chinese wording for the engine's QueryError messages (the UI speaks Chinese, the engine and
CLI English). Unknown messages are shown as they are: a new engine message is never hidden."""

from __future__ import annotations

import re

from indexer import LEVEL_LABELS

_LEVELS = "、".join(f"{value}（{label}）" for value, label in LEVEL_LABELS.items())
_SECTIONS = "leadership、measures、shortcomings、plans、other"

# (pattern on the engine's message, Chinese template using the pattern's groups)
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), t)
    for p, t in (
        (r"^OR must stand between two terms", "OR 必须位于两个检索词之间，例如：行政复议 OR 行政诉讼。"),
        (r"^'-' must be followed by a term", "“-”后面要紧跟要排除的词，例如：-调解。"),
        (r"^an excluded term \(-term\) cannot be part of an OR", "排除词（-词）不能用在 OR 中。"),
        (r"^the term (.*) is empty once spaces are ignored", "检索词 {0} 去掉空格后为空。"),
        (
            r"^the query is too long \((\d+) characters, at most (\d+)\)",
            "检索词过长（{0} 个字符，最多 {1} 个）。",
        ),
        (r"^report_year must be a year such as 2023, not (.*)$", "年份应为 2023 这样的数字，收到 {0}。"),
        (r"^unknown level (.*?);", "未知的层级 {0}，可选 " + _LEVELS + "。"),
        (r"^unknown section (.*?);", "未知的章节 {0}，可选 " + _SECTIONS + "。"),
        (r"^the filter (\w+)= needs a value", "筛选条件 {0}= 缺少值。"),
        (r"^unbalanced quote: close the quoted term with (.)", "引号不成对：请用 {0} 结束引起来的检索词。"),
        (r"^wildcards \(\* \?\) inside a term are not supported: (.*?); ",
         "不支持词中间的通配符 * ?（{0}）：请把前后两部分作为两个检索词（如 行政 复议），或改用模糊检索。"),
        (r"^the term (.*) is only wildcards", "检索词 {0} 只有通配符，请输入要查找的字词。"),
        (r"^(.*) \(AND\) must stand between two terms", "{0}（并且）必须位于两个检索词之间，例如：行政复议 AND 信访。"),
        (r"^NOT must be followed by a term", "NOT（不含）后面要跟要排除的词，例如：NOT 调解。"),
        (r"^NOT and '-' on the same term", "NOT 和“-”不能同时用于一个词：排除一次即可，例如：NOT 调解。"),
        (r"^unbalanced bracket", "括号不成对：请用 ) 结束分组。"),
        (r"^a bracket may only hold terms joined by OR", "括号内只能是用 OR 连接的检索词，例如：(行政复议 OR 行政诉讼) 信访。"),
        (r"^empty brackets", "括号内没有检索词。"),
        (r"^unknown operator (.*?):", "未知的运算符 {0}：请用 &（并且）或 |（或者）。"),
        (r"^(published_from|published_to)=(.*?) is not a date",
         "发布日期 {0}={1} 不是有效日期：请写成 2023、2023-06 或 2023-06-30。"),
        (r"^published_from=(.*?) is after published_to=(.*?):",
         "发布日期范围有误：起始 {0} 晚于截止 {1}，请对调或放宽范围。"),
        (r"^an OR list cannot mix title terms",
         "OR 不能混用标题词（标题:…）和正文词：请给每个词都加上“标题:”，或都不加。"),
        (r"^(.*?) must be followed by the words to find in titles",
         "{0} 后面要紧跟要在标题中查找的词，例如：标题:法治政府。"),
    )
)


def user_message(message: str) -> str:
    """The Chinese text for an engine QueryError ``message`` (itself when not recognised)."""
    for pattern, template in _RULES:
        match = pattern.search(message)
        if match:
            return template.format(*match.groups())
    return message
