"""Report metadata from a parsed report: title, issuer, jurisdiction chain, level, report year,
publish date, 文号, and manifest overrides (what a manifest gives wins)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from . import dates
from .gazetteer import load_gazetteer
from .hosts import hint_from_url
from .jurisdiction import NATIONAL, NATIONWIDE, PlaceResult, resolve_place
from .levels import settle_level
from .sections import missing_section_warnings
from .models import Level, ParsedReport, Report

_REPORT_WORDS = ("报告", "情况", "总结")
_TITLE_TOPIC = re.compile(r"法治|依法行政|依法治")
_NOT_TITLE = re.compile(r"当前位置|您的位置|首页|>|来源|发布|浏览|点击|访问|字号|字体|打印|分享|索\s*引\s*号")
_SITE_SEPARATORS = re.compile(r"\s*(?:[-_|｜]|——|—)\s*")
_BRACKET_PREFIX = re.compile(r"^【[^】]{0,30}】")
_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔［\[（(【]\s*(?:19|20)\d{2}\s*[〕］\]）)】]\s*第?\s*\d{1,5}\s*号"
)
_DOC_NUMBER_FIELD = re.compile(r"^(?:文\s*号|发文字号)\s*[:：|]?\s*(.+)$")
_EMPTY_VALUES = frozenset({"", "无", "-", "—", "/", "暂无", "null", "none"})
_ORGAN_END = re.compile(
    r"(人民政府|政府|办事处|党工委|党委|工委|管委会|委员会|分局|局|厅|(?<![党支])部|委|署|办公室)$"
)
_SITE_CLOCK = re.compile(r"星期|礼拜|今天是|周[一二三四五六日天](?![\u4e00-\u9fff])")
_DATE_FIELD = re.compile(r"(发布日期|发布时间|发文日期|成文日期|日期|时间|更新时间)\s*[:：|]?\s*$")


@dataclass(frozen=True, slots=True)
class _Doc:
    """The parts of a parsed report that metadata reads."""

    texts: tuple[str, ...]  # paragraph texts, stripped of markdown markers
    top: tuple[str, ...]  # short lines before the body (title, 文号, salutation …)
    opening: str  # first body paragraph
    signature: tuple[str, ...]  # short closing lines (organ, date)
    furniture: Mapping[str, str]
    dropped: tuple[str, ...]
    html_title: str
    body_head: str  # the first ~3000 characters of the body, for context


# Very common traditional characters: their presence means the page is in traditional script.
_TRADITIONAL_HINTS = frozenset("縣區鎮鄉報設關於發會國為們個東長門開時間實際體與這來務資")


@functools.cache
def _simplify_table() -> dict[int, str]:
    """zhconv's one-character traditional -> simplified pairs, as a str.translate table."""
    from zhconv import zhconv

    pairs = zhconv.getdict("zh-hans")
    return {ord(k): v for k, v in pairs.items() if len(k) == 1 and len(v) == 1 and k != v}


def _simplified(text: str) -> str:
    """Text folded to simplified characters when it is written in traditional ones (gateway
    pages), so that 靖邊縣 is found as 靖边县."""
    if _TRADITIONAL_HINTS.isdisjoint(text):
        return text
    return text.translate(_simplify_table())


def _clean(text: str) -> str:
    return _simplified(re.sub(r"^#+\s*", "", text.strip()).strip())


def _is_body(p_text: str, is_heading: bool) -> bool:
    text = dates.normalize(p_text)
    return is_heading or len(text) >= 60 or text.endswith(("。", "：", ":", "；"))


def _read(parsed: ParsedReport) -> _Doc:
    texts = tuple(_clean(p.text) for p in parsed.paragraphs)
    body_start = next(
        (i for i, p in enumerate(parsed.paragraphs) if _is_body(texts[i], p.is_heading)), len(texts)
    )
    top = tuple(t for t in texts[: min(body_start, 12)] if t)
    opening = next(
        (t for t, p in zip(texts[body_start:], parsed.paragraphs[body_start:], strict=True)
         if not p.is_heading and len(t) >= 30),
        "",
    )
    tail: list[str] = []
    for t in reversed(texts[max(body_start + 1, len(texts) - 6) :]):
        norm = dates.normalize(t)
        if len(norm) > 40 or re.search(r"[。；：，,;:]", norm):
            break
        tail.append(t)
    html_title = _simplified((parsed.raw.html_meta or {}).get("title", ""))
    return _Doc(
        texts=texts,
        top=top,
        opening=opening,
        signature=tuple(reversed(tail)),
        furniture={k: _simplified(v) for k, v in (parsed.furniture or {}).items()},
        dropped=tuple(_simplified(line) for line in parsed.dropped_lines),
        html_title=html_title,
        body_head="\n".join(texts[body_start:])[:3000],
    )


# ---------------------------------------------------------------- title


def _title_piece(line: str) -> str:
    """A line with 【栏目】 prefixes and site names after a separator removed."""
    line = _BRACKET_PREFIX.sub("", dates.normalize(line).strip()).strip()
    pieces = [p for p in _SITE_SEPARATORS.split(line) if p]
    best = [p for p in pieces if _TITLE_TOPIC.search(p)]
    return (best[0] if best else line).strip()


def _looks_like_title(text: str) -> bool:
    return (
        6 <= len(text) <= 90
        and bool(_TITLE_TOPIC.search(text))
        and any(w in text for w in _REPORT_WORDS)
        and not _NOT_TITLE.search(text)
        and not text.endswith(("。", "；", "：", ":"))
    )


def extract_title(doc: _Doc) -> str | None:
    """The report's own title from the top lines, else the furniture or HTML title."""
    top = list(doc.top)
    gaz = load_gazetteer()
    for i, raw_line in enumerate(top):
        line = _title_piece(raw_line)
        nxt = dates.normalize(top[i + 1]).strip() if i + 1 < len(top) else ""
        if not line.endswith(_REPORT_WORDS) and nxt and len(nxt) <= 24 and nxt.endswith(("报告", "情况")):
            line = line + nxt  # a title broken over two lines
        if not _looks_like_title(line):
            continue
        prev = dates.normalize(top[i - 1]).strip() if i else ""
        if prev and len(prev) <= 12 and gaz.find(prev) and not gaz.find(line):
            line = prev + line  # "王鲍镇" on the line above "2023 年度…报告"
        return line
    for candidate in (doc.furniture.get("title", ""), doc.html_title):
        piece = _title_piece(candidate) if candidate else ""
        if piece and _looks_like_title(piece):
            return piece
    return None


# ---------------------------------------------------------------- issuer


def _title_organ(title: str | None) -> str | None:
    """The organ or place a title starts with: 金华市教育局关于… -> 金华市教育局."""
    if not title:
        return None
    text = re.sub(r"^\s*(?:关于)?\s*(?:19|20)\d{2}\s*年度?", "", dates.normalize(title))
    if text.startswith("关于"):
        return None
    m = re.match(r"^\s*(.{2,30}?)\s*(?:关于|(?:19|20)\d{2}\s*年|法治|依法|年度)", text)
    return m[1].strip() if m else None


def _header_organ(doc: _Doc) -> str | None:
    for line in doc.top:
        m = re.match(r"^(.{2,30}?)\s*文\s*件$", dates.normalize(line).strip())
        if m:
            return m[1]
    return None


def _signature_organ(doc: _Doc) -> str | None:
    for line in doc.signature:
        norm = dates.normalize(line).strip()
        if not dates.find_dates(norm) and _ORGAN_END.search(norm) and len(norm) <= 30:
            return norm
    return None


_SUBJECT_LEAD = re.compile(r"^\s*(?:(?:19|20)\d{2}\s*年度?|一年来|过去一年|今年以来)\s*[，,、]?\s*")
_UNDER = re.compile(r"在[^，,。；]{0,60}?(?:领导|指导|支持|监督|关心|部署)下\s*[，,]?")
_SUBJECT = re.compile(
    r"^([\u4e00-\u9fff、（）()]{2,25}?)(?=坚持|深入|认真|全面|以|高举|始终|紧紧|扎实|积极|持续|围绕|"
    r"立足|聚焦|紧扣|着力|按照|根据|不断|切实|进一步|在|贯彻|牢固|紧密|强化|严格|结合|把|将|对|为)"
)


def opening_subject(opening: str) -> str | None:
    """Who the opening sentence is about: "2024年，在市委…领导下，市司法局深入…" -> 市司法局."""
    text = _SUBJECT_LEAD.sub("", dates.normalize(opening))
    text = _UNDER.sub("", text, count=1).lstrip("，, ")
    m = _SUBJECT.match(text)
    return m[1] if m else None


# ---------------------------------------------------------------- 文号, dates, year


def extract_doc_number(doc: _Doc) -> str | None:
    """The report's own 文号: a metadata-table field, or a 文号 line above the body."""
    given = dates.normalize(doc.furniture.get("doc_number", "")).strip()
    if given.lower() not in _EMPTY_VALUES:
        return given
    for line in doc.top:
        norm = dates.normalize(line).strip()
        m = _DOC_NUMBER_FIELD.match(norm)
        value = m[1].strip() if m else norm
        if _DOC_NUMBER.fullmatch(value):
            return re.sub(r"\s+", "", value)
    return None


def _dated_line(line: str) -> str | None:
    """A publish date on a furniture-like line ("发布日期:2024-03-20", "2023-02-15 14:49")."""
    norm = dates.normalize(line).strip()
    if _SITE_CLOCK.search(norm):  # "2019年12月3日星期二" is today's date, not the page's
        return None
    for found in dates.find_dates(norm):
        before = norm[: found.start]
        if not before.strip() or _DATE_FIELD.search(before):
            return found.value.isoformat()
    return None


def extract_published(doc: _Doc, url: str | None) -> str | None:
    """The date printed on the page, else the signature date, else a full date in the URL."""
    printed = dates.to_iso(doc.furniture.get("published"))
    if printed:
        return printed
    for line in (*doc.dropped, *doc.top):
        iso = _dated_line(line)
        if iso:
            return iso
    for line in reversed(doc.signature):
        if dates.is_date_line(line):
            return dates.to_iso(line)
    return dates.date_from_url(url or doc.furniture.get("url"))


def extract_report_year(doc: _Doc, title: str | None) -> tuple[int | None, str | None]:
    """(year the report is about, warning or None): title, else opening, else body mentions."""
    year = dates.report_year_from_title(title) or dates.report_year_from_title(
        next((t for t in doc.top if _TITLE_TOPIC.search(t)), None)
    )
    if year:
        return year, None
    year = dates.report_year_from_opening(doc.opening)
    if year:
        return year, None
    year = dates.report_year_from_body(doc.body_head)
    if year:
        return year, f"报告年度由正文提及推断（{year}年）"
    return None, "未能确定报告年度：标题和开头均无年份"


# ---------------------------------------------------------------- manifest


_LEVEL_NAMES = {
    "省": Level.PROVINCE, "省级": Level.PROVINCE, "市": Level.CITY, "市级": Level.CITY,
    "地市": Level.CITY, "县": Level.COUNTY, "县级": Level.COUNTY, "区县": Level.COUNTY,
    "乡镇": Level.TOWN, "乡镇街道": Level.TOWN, "街道": Level.TOWN, "镇": Level.TOWN,
    "部门": Level.DEPARTMENT, "国家级": Level.NATIONAL, "全国": Level.NATIONAL, "中央": Level.NATIONAL,
    "国家": Level.NATIONAL, "省级部门": Level.PROVINCE_DEPARTMENT, "市级部门": Level.CITY_DEPARTMENT,
    "县级部门": Level.COUNTY_DEPARTMENT,
}
_PLACE_FIELDS = ("province", "city", "county", "town")


def _coerce_year(value: str) -> int | None:
    norm = dates.normalize(value).strip()
    m = re.fullmatch(r"((?:19|20)\d{2})(?:\.0)?\s*年?度?", norm)
    return int(m[1]) if m else None


def _coerce_level(value: str) -> Level | None:
    norm = value.strip().lower()
    try:
        return Level(norm)
    except ValueError:
        return _LEVEL_NAMES.get(norm)


def _manifest_place(value: str) -> PlaceResult | None:
    """A manifest's jurisdiction ("全国", "上海", "江苏省苏州市") as a place chain."""
    norm = dates.normalize(value).strip()
    if norm in (NATIONWIDE, "中国", "中央", NATIONAL):
        return PlaceResult(chain=(), national=True)
    gaz = load_gazetteer()
    matches = gaz.find(norm, lenient=True)
    if not matches:
        return None
    last = matches[-1]
    candidates = [d for d in last.divisions
                  if all(any(a.code in {x.code for x in m.divisions} for a in gaz.chain(d))
                         for m in matches[:-1])]
    if len(candidates) > 1:  # a label like "上海" means the largest unit of that name
        top = min(d.level for d in candidates)
        candidates = [d for d in candidates if d.level == top]
    if len(candidates) != 1:
        return None
    return PlaceResult(chain=gaz.chain(candidates[0]))


def _apply_manifest(values: dict, row: Mapping[str, str], warnings: list[str]) -> None:
    """Overwrite extracted values with what the manifest gives, validating each."""
    for key in ("title", "issuer", "doc_number", "source_url"):
        if row.get(key):
            values[key] = row[key].strip()
    if row.get("report_year"):
        year = _coerce_year(row["report_year"])
        if year:
            values["report_year"] = year
        else:
            warnings.append(f"清单中的年份无效：{row['report_year']!r}")
    if row.get("published"):
        iso = dates.to_iso(row["published"])
        if iso:
            values["published"] = iso
        else:
            warnings.append(f"清单中的发布日期无效：{row['published']!r}")
    if row.get("jurisdiction") and not any(row.get(k) for k in _PLACE_FIELDS):
        place = _manifest_place(row["jurisdiction"])
        if place is None:
            values.update(dict.fromkeys(_PLACE_FIELDS))
            values["jurisdiction"] = row["jurisdiction"].strip()
            warnings.append(f"清单中的地区无法在区划表中唯一确定：{row['jurisdiction']!r}")
        else:
            values.update(place.fields())
    if any(row.get(k) for k in _PLACE_FIELDS):
        for key in _PLACE_FIELDS:
            values[key] = row.get(key, "").strip() or None
        values["jurisdiction"] = row.get("jurisdiction", "").strip() or "".join(
            values[k] for k in _PLACE_FIELDS if values[k]
        )
    if row.get("level"):
        level = _coerce_level(row["level"])
        if level:
            values["level"] = level
        else:
            warnings.append(f"清单中的级别无效：{row['level']!r}")


# ---------------------------------------------------------------- build_report


def _issuer(doc: _Doc, title: str | None, place: PlaceResult) -> str | None:
    header = _header_organ(doc)
    furniture = doc.furniture.get("issuer", "").strip() or None
    organ = _title_organ(title)
    signed = _signature_organ(doc)
    if header or furniture:
        return header or furniture
    if organ and _ORGAN_END.search(organ):
        return organ
    if signed:
        return signed
    subject = opening_subject(doc.opening)
    if subject and _ORGAN_END.search(subject):
        return place.complete_organ(subject)
    return organ


def build_report(
    parsed: ParsedReport, report_id: str, manifest_row: Mapping[str, str] | None = None
) -> Report:
    """Metadata of one parsed report; ``manifest_row`` (Report field names) wins over extraction."""
    doc = _read(parsed)
    warnings: list[str] = list(parsed.warnings)
    title = extract_title(doc)
    organs = [o for o in (
        _header_organ(doc), doc.furniture.get("issuer"), _title_organ(title), _signature_organ(doc),
    ) if o]
    url = (manifest_row or {}).get("source_url") or doc.furniture.get("url")
    place = resolve_place(
        hint=hint_from_url(url),
        title=title,
        organs=organs,
        top=doc.top,
        opening=doc.opening,
        signature=doc.signature,
        body=doc.body_head,
        subject=opening_subject(doc.opening),
    )
    warnings.extend(place.warnings)
    year, year_warning = extract_report_year(doc, title)
    if year_warning:
        warnings.append(year_warning)
    values: dict = {
        "title": title,
        "issuer": _issuer(doc, title, place),
        "report_year": year,
        "published": extract_published(doc, url),
        "doc_number": extract_doc_number(doc),
        "source_url": None,
        "level": Level(place.level) if place.level else None,
        **place.fields(),
    }
    if manifest_row:
        _apply_manifest(values, manifest_row, warnings)
        # what the manifest settled is no longer unknown: its extraction warnings go
        settled = {year_warning} if values["report_year"] != year else set()
        if any(values[k] != v for k, v in place.fields().items()):
            settled |= set(place.warnings)
        warnings = [w for w in warnings if w not in settled]
    values["level"], level_warnings = settle_level(values["level"], values)
    warnings.extend(level_warnings)
    if title and _looks_like_title(title):  # a 法治政府建设 report: its standard outline
        warnings.extend(missing_section_warnings(parsed.paragraphs))
    if values["published"] is None:
        warnings.append("未找到发布日期")
    return Report(
        report_id=report_id,
        source_path=parsed.raw.source_path,
        content_sha256=parsed.raw.content_sha256,
        warnings=tuple(dict.fromkeys(warnings)),
        **values,
    )


__all__ = ["build_report", "extract_doc_number", "extract_published", "extract_title", "opening_subject"]
