"""Filter values as people write them, for the fields with fixed values.

``level`` and ``section`` take their codes or the UI's Chinese labels (县级, 存在的不足) and a few
everyday forms (县, 乡镇, 不足); ``report_year`` takes 2023 or 2023年. Place names are resolved
against the index (``indexer.filter_values``), not here.
"""

from __future__ import annotations

from .errors import QueryError
from .models import LEVEL_LABELS, SECTION_LABELS, Level, Section

_LEVEL_WORDS: dict[str, str] = {
    **{label: code for code, label in LEVEL_LABELS.items()},
    "省": Level.PROVINCE, "省级": Level.PROVINCE,
    "市": Level.CITY, "地级": Level.CITY, "地市级": Level.CITY, "市级": Level.CITY,
    "县": Level.COUNTY, "区": Level.COUNTY, "县区": Level.COUNTY, "县（区）": Level.COUNTY,
    "县区级": Level.COUNTY, "区级": Level.COUNTY, "县级": Level.COUNTY,
    "乡镇": Level.TOWN, "街道": Level.TOWN, "乡镇（街道）": Level.TOWN, "镇": Level.TOWN,
    "乡": Level.TOWN, "乡镇级": Level.TOWN, "乡镇街道": Level.TOWN,
    "部门": Level.DEPARTMENT, "部门级": Level.DEPARTMENT,
}
_SECTION_WORDS: dict[str, str] = {
    **{label: code for code, label in SECTION_LABELS.items()},
    "第一责任人": Section.LEADERSHIP, "主要举措": Section.MEASURES, "举措和成效": Section.MEASURES,
    "成效": Section.MEASURES, "不足": Section.SHORTCOMINGS, "存在的问题": Section.SHORTCOMINGS,
    "问题": Section.SHORTCOMINGS, "下一步": Section.PLANS, "工作安排": Section.PLANS,
    "下一年度": Section.PLANS,
}


def check_filter_value(name: str, value: str) -> str:
    """The canonical form of ``value`` for field ``name``; QueryError naming the valid ones."""
    if name == "report_year":
        return _year(value)
    if name == "level":
        return _coded(value, {str(v) for v in Level}, _LEVEL_WORDS, "level", LEVEL_LABELS)
    if name == "section":
        return _coded(value, {str(v) for v in Section}, _SECTION_WORDS, "section",
                      SECTION_LABELS)
    return value


def _year(value: str) -> str:
    text = value.removesuffix("年度").removesuffix("年").strip()
    try:
        return str(int(text))
    except ValueError:
        raise QueryError(f"report_year must be a year such as 2023, not {value!r}") from None


def _coded(value: str, codes: set[str], words: dict[str, str], field: str,
           labels: dict[str, str]) -> str:
    if value.lower() in codes:
        return value.lower()
    if value in words:
        return str(words[value])
    allowed = ", ".join(f"{code} ({label})" for code, label in labels.items())
    raise QueryError(f"unknown {field} {value!r}; use one of: {allowed}")
