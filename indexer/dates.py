"""Dates and years as printed in Chinese government pages.

Handles 2024年1月17日, 二〇二四年一月十七日 (〇/○/Ｏ/零), 2024-03-20 13:20, 2024/3/20,
2024.03.20, "2023 年" with spaces and full-width digits (NFKC first), and finds the year a report
is about from its title or opening.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "o": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3,
              "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_DIGIT_CLASS = "〇○零OoＯ一二三四五六七八九"
_CN_SMALL = f"[{_CN_DIGIT_CLASS}十]{{1,3}}"

_ARABIC_CN = re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ARABIC_SEP = re.compile(r"(?<![\d.])(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?![\d])")
_CHINESE = re.compile(rf"([{_CN_DIGIT_CLASS}]{{4}})\s*年\s*({_CN_SMALL})\s*月\s*({_CN_SMALL})\s*日")
# A year followed by a dash/range marker and another year is a period, not "the year".
_YEAR = re.compile(r"(?<![\d〔\[(（—\-–~～至到])((?:19|20)\d{2})\s*年(?!\s*[-—–~～至到]\s*\d)")
_RANGE_START = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-—–~～至到]+\s*(?:19|20)?\d{2}")


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date found in text, with its [start, end) span in the normalised text."""

    value: date
    start: int
    end: int


def normalize(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII); the length may change."""
    return unicodedata.normalize("NFKC", text)


def _cn_number(token: str) -> int | None:
    """一 -> 1, 十七 -> 17, 二十 -> 20, 三十一 -> 31, 〇五 -> 5."""
    if "十" in token:
        head, _, tail = token.partition("十")
        tens = _CN_DIGITS.get(head, None) if head else 1
        ones = _CN_DIGITS.get(tail, None) if tail else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    value = 0
    for ch in token:
        if ch not in _CN_DIGITS:
            return None
        value = value * 10 + _CN_DIGITS[ch]
    return value


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str) -> list[FoundDate]:
    """Every full date (year, month, day) in ``text`` (NFKC-normalised first), in order."""
    norm = normalize(text)
    found: list[FoundDate] = []
    for m in _ARABIC_CN.finditer(norm):
        d = _make(int(m[1]), int(m[2]), int(m[3]))
        if d:
            found.append(FoundDate(d, m.start(), m.end()))
    for m in _ARABIC_SEP.finditer(norm):
        d = _make(int(m[1]), int(m[3]), int(m[4]))
        if d:
            found.append(FoundDate(d, m.start(), m.end()))
    for m in _CHINESE.finditer(norm):
        y = _cn_number(m[1])
        mo, dd = _cn_number(m[2]), _cn_number(m[3])
        if y is not None and mo is not None and dd is not None:
            d = _make(y, mo, dd)
            if d:
                found.append(FoundDate(d, m.start(), m.end()))
    found.sort(key=lambda f: f.start)
    return found


def parse_date(text: str | None) -> date | None:
    """The first full date in ``text``, or None."""
    if not text:
        return None
    dates = find_dates(text)
    return dates[0].value if dates else None


def to_iso(text: str | None) -> str | None:
    """The first full date in ``text`` as ``YYYY-MM-DD``, or None."""
    d = parse_date(text)
    return d.isoformat() if d else None


def is_date_line(text: str) -> bool:
    """True when a line is nothing but a date (a signature date such as 二〇二四年一月十七日)."""
    norm = normalize(text).strip()
    dates = find_dates(norm)
    return len(dates) == 1 and len(norm) - (dates[0].end - dates[0].start) <= 1


_URL_DATE_PATTERNS = (
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})[-/](\d{1,2})/"),  # /art/2025/3/3/, /2021/03-30/
    re.compile(r"(?<![0-9a-zA-Z])[t_/-]?((?:19|20)\d{2})(\d{2})(\d{2})(?![0-9])"),  # t20230330
)


def date_from_url(url: str | None) -> str | None:
    """A full date embedded in a URL (``t20230111_…``, ``/art/2025/3/3/``) as ISO, or None."""
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]+", "", url.strip())
    for pattern in _URL_DATE_PATTERNS:
        for m in pattern.finditer(path):
            d = _make(int(m[1]), int(m[2]), int(m[3]))
            if d:
                return d.isoformat()
    return None


def years_in(text: str) -> list[int]:
    """Years written as "2023年" (not the start of a period like 2021—2025年), in order."""
    norm = normalize(text)
    range_starts = {m.start(1) for m in _RANGE_START.finditer(norm)}
    return [int(m[1]) for m in _YEAR.finditer(norm) if m.start(1) not in range_starts]


# "2023年度…报告", "关于2022年法治政府建设情况的报告", "2023 年度法治政府建设情况报告"
_TOPIC = r"(?:法治|依法|工作|推进|度)"
_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*" + _TOPIC)
_OPENING_START = re.compile(r"^\s*((?:19|20)\d{2})\s*年(?:度)?(?![-—–~～至到\d])")
_REPORT_PHRASE = re.compile(r"现[将对就把][^。；;]{0,15}?((?:19|20)\d{2})\s*年")
_CLAUSE_YEAR = re.compile(r"[，,。]\s*((?:19|20)\d{2})\s*年度?\s*[，,]")
_TOPIC_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度?\s*(?:法治政府|法治建设|依法行政|全面依法)")


def report_year_from_title(title: str | None) -> int | None:
    """The year a title says the report is about ("2023年度…报告"), or None."""
    if not title:
        return None
    norm = normalize(title)
    m = _TITLE_YEAR.search(norm)
    if m:
        return int(m[1])
    years = years_in(norm)
    return years[0] if years else None


def report_year_from_opening(text: str | None) -> int | None:
    """The year an opening paragraph is about: "2022年，…", "现将2022年…报告如下", or None."""
    if not text:
        return None
    norm = normalize(text)
    m = _OPENING_START.match(norm)
    if m:
        return int(m[1])
    m = _REPORT_PHRASE.search(norm)
    if m:
        return int(m[1])
    m = _TOPIC_YEAR.search(norm)
    if m:
        return int(m[1])
    m = _CLAUSE_YEAR.search(norm[:400])  # "…具体部署，2023年，清波街道以…"
    if m:
        return int(m[1])
    return None


def report_year_from_body(text: str) -> int | None:
    """Weak fallback: the year most named with a rule-of-law topic ("2022年法治政府建设工作要点"),
    else None."""
    norm = normalize(text)
    counts = Counter(int(m[1]) for m in _TOPIC_YEAR.finditer(norm)) or Counter(years_in(norm))
    if not counts:
        return None
    (year, n), *rest = counts.most_common(2) + [(None, 0)]
    return year if n > rest[0][1] else None
