"""Where a report belongs: its jurisdiction chain (province first) and level, from the
place names the gazetteer finds in its title, organs, top lines, opening and signature.

Names elsewhere in the body and the site's host only disambiguate; cues such as 我县, 全市,
镇党委 say at which level the author speaks; a department (司法局) serves the area above it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .gazetteer import (
    COUNTY,
    PREFECTURE,
    PROVINCE,
    TOWN,
    Division,
    Gazetteer,
    PlaceMatch,
    full_name,
    load_gazetteer,
)

if TYPE_CHECKING:
    from .hosts import HostHint

# Short names of provinces and prefectures that are also words or idioms (长治久安, 白银, 三明治);
# never used for weak inferences.
_WORDLIKE_SHORT = frozenset(
    "长治 安康 白银 来宾 三明 阿里 四平 中山 普洱 大同 黄山 白山 红河 太平 和平 永安 吉安 海东 海南"
    " 宁德 通化 长春 大理 丽江 玉溪 金昌 定西 平凉 庆阳 临夏 昌都 林芝 鹤壁 新乡 安顺 北海 黄南 山南".split()
)
NATIONAL = "中华人民共和国"
NATIONWIDE = "全国"
_LEVEL_OF_DEPTH = {PROVINCE: "province", PREFECTURE: "city", COUNTY: "county", TOWN: "town"}
_GOVERNMENT_END = re.compile(r"(人民政府|政府|办事处|党工委|党委|工委|管委会|办公室)$")
_DEPARTMENT_END = re.compile(r"(局|厅|(?<![党支])部|委员会|署)$")
# Organs whose own reports are national: the State Council, the NPC, the Party centre.
_NATIONAL_GOVERNMENT = re.compile(r"^(?:中华人民共和国)?(?:国务院(?:办公厅)?|全国人民代表大会|全国人大|中共中央|中国共产党中央委员会|中央人民政府)$")
_NATIONAL_ORGAN = re.compile(r"^(?:国务院|国家|中华人民共和国|中央)|^[\u4e00-\u9fff]{2,8}部$")
_UNIT_LEVEL = {"省": PROVINCE, "市": PREFECTURE, "州": PREFECTURE, "盟": PREFECTURE,
               "县": COUNTY, "区": COUNTY, "旗": COUNTY, "镇": TOWN, "乡": TOWN, "街": TOWN}
# Nameless organs and "我X/全X" phrases that say at which level the report's author sits.
_CUES = {
    PROVINCE: re.compile(r"我省|全省|省委|省政府|省人民政府|(?<![市县区])省司法厅"),
    PREFECTURE: re.compile(r"我市|全市|(?<![省县区])市委|(?<![省县区])市政府|(?<![省县区])市人民政府|"
                           r"我州|全州|州党委|州委|州政府|(?<![省县区])市司法局"),
    COUNTY: re.compile(r"我县|全县|县委|县政府|县人民政府|我区|全区|(?<![自治])区委|区政府|区人民政府|"
                       r"我旗|全旗|旗委|县司法局|区司法局"),
    TOWN: re.compile(r"我镇|全镇|镇党委|镇政府|镇人民政府|我乡|全乡|乡党委|乡政府|乡人民政府|我街道|"
                     r"全街道|街道党工委|街党工委|街道办事处"),
}
_UNDER_CLAUSE = re.compile(r"在[^，,。；]{0,60}?(?:领导|指导|支持|监督|关心|部署)下")


@dataclass(frozen=True, slots=True)
class PlaceResult:
    """Where a report belongs: a chain (province first), or the whole country, plus the level."""

    chain: tuple[Division, ...] = ()
    national: bool = False
    level: str | None = None  # a models.Level value
    warnings: tuple[str, ...] = ()

    def fields(self) -> dict[str, str | None]:
        """jurisdiction, province, city, county, town (None where absent)."""
        out: dict[str, str | None] = dict.fromkeys(("province", "city", "county", "town"))
        for div in self.chain:
            out[_LEVEL_OF_DEPTH[div.level]] = div.name
        out["jurisdiction"] = NATIONAL if self.national else (full_name(self.chain) or None)
        if self.national:
            out["province"] = NATIONWIDE  # the region facet's value for national organs
        return out

    def complete_organ(self, organ: str) -> str:
        """"市司法局" -> "大连市司法局" when the chain ends in a 市."""
        if self.chain and organ[:1] in _UNIT_LEVEL and self.chain[-1].name.endswith(organ[0]):
            return self.chain[-1].name + organ[1:]
        return organ


def is_department(organ: str) -> bool:
    """A government department (司法局, 教育局, 公安分局, 司法部), not a people's government."""
    organ = organ.strip()
    return (
        bool(_DEPARTMENT_END.search(organ))
        and not _GOVERNMENT_END.search(organ)
        and "依法治" not in organ
    )


def cue_level(text: str) -> int | None:
    """The level the author speaks from (全省 -> 1, 我市 -> 2, 我县 -> 3, 乡党委 -> 4), by the most
    frequent cue outside "在…领导下" clauses; None without cues."""
    text = _UNDER_CLAUSE.sub("", text)
    if "自治区" in text:
        # 自治区人民政府/自治区党委 are provincial organs; an autonomous region calls itself
        # 全区/我区 too, which are a district's cues only when a district's organ is named.
        text = text.replace("自治区", "省")
        if not re.search(r"区委|区政府|区人民政府", text):
            text = text.replace("全区", "全省").replace("我区", "我省")
    counts = {level: len(p.findall(text)) for level, p in _CUES.items()}
    best = max(counts.values())
    if best == 0:
        return None
    return next(level for level, n in counts.items() if n == best)


def _resolve(gaz: Gazetteer, match: PlaceMatch, context: Callable[[], list[PlaceMatch]],
             cue: int | None, hinted: frozenset[str] = frozenset()
             ) -> tuple[Division | None, str | None]:
    """One match's division, using the other names around it, then the site's host (HINTED:
    codes of the divisions it names); (None, reason) when ambiguous."""
    if len(match.divisions) == 1:
        return match.divisions[0], None
    mentioned = {d.code for m in context() if m.text != match.text for d in m.divisions}
    scores = [(sum(a.code in mentioned for a in gaz.chain(d)[:-1]), d) for d in match.divisions]
    top = max(s for s, _ in scores)
    best = [d for s, d in scores if s == top]
    if top > 0 and len(best) == 1:
        return best[0], None
    on_host = [d for d in match.divisions if any(a.code in hinted for a in gaz.chain(d))]
    if len(on_host) == 1:
        return on_host[0], None
    if cue is not None:
        at_cue = [d for d in best if d.level == cue]
        if len(at_cue) == 1:
            return at_cue[0], None
    return None, (
        f"地名“{match.text}”有{len(match.divisions)}处同名，上下文无法确定，未填写该级区划"
    )


def _infer(gaz: Gazetteer, level: int, opening: str, body: str, within: Division | None = None
           ) -> tuple[Division | None, str]:
    """Weak inference of the author's division at ``level`` from names in the text (only
    divisions under ``within`` when given)."""
    found: dict[str, Division] = {}
    counts: dict[str, int] = {}
    for text, allow_short in ((opening, True), (body, False)):
        for m in gaz.find(text, lenient=True):
            if m.short and (not allow_short or m.text in _WORDLIKE_SHORT):
                continue
            # Short names count only in the opening and only for provinces and prefectures:
            # county short names are too often pieces of words (十九大关于 -> 大关县).
            divs = [d for d in m.divisions if d.level <= PREFECTURE] if m.short else m.divisions
            ancestors = {a.code: a for d in divs if d.level >= level
                         for a in [gaz.ancestor_at(d, level)] if a}
            if within is not None:
                ancestors = {c: a for c, a in ancestors.items() if within in gaz.chain(a)}
            if len(ancestors) == 1:
                (code, div), = ancestors.items()
                found[code] = div
                counts[code] = counts.get(code, 0) + 1
    if len(found) == 1:
        div = next(iter(found.values()))
        return div, f"正文未写明本级名称，区划由正文提及的“{div.name}”推断"
    if found:
        names = "、".join(d.name for d in found.values())
        return None, f"正文未写明本级名称，提及的地名不一致（{names}），未填写区划"
    return None, "未能确定区划：文中未写明本级名称，也没有可据以推断的地名"


def resolve_place(
    *,
    title: str | None,
    organs: list[str],
    top: tuple[str, ...],
    opening: str,
    signature: tuple[str, ...],
    body: str,
    subject: str | None,
    hint: HostHint | None = None,
) -> PlaceResult:
    """The report's jurisdiction chain and level from its title, organs, top lines, opening
    sentence and signature; names elsewhere in the body, then the site's host (HINT), only
    disambiguate; the host fills the chain when the text names no place."""
    gaz = load_gazetteer()
    hinted = hint.codes() if hint is not None else frozenset()
    if any(_NATIONAL_GOVERNMENT.search(o) for o in [*organs, subject or ""] if o):
        return PlaceResult(national=True, level="national")
    head = opening[:250]
    # Strong evidence names the author; the salutation (苏州市人民政府：) names the addressee and
    # page furniture (欢迎来到…, 来源:…) the site, so both only serve as context.
    strong_texts = [title or "", *organs, *(t for t in top if _is_own_line(t)), *signature, subject or ""]
    strong = [m for t in strong_texts for m in gaz.find(t)]
    # Names in the top lines, opening and body only disambiguate, so they are looked for
    # only when some name is ambiguous (scanning the body is most of resolve_place's cost).
    context = functools.cache(
        lambda: strong + [m for t in (*top, head, body) for m in gaz.find(t)]
    )
    cue = cue_level(f"{subject or ''}\n{opening}\n{body[:1500]}")
    tiers = [strong, gaz.find(head)]

    department = next((o for o in [*organs, subject or ""] if o and is_department(o)), None)
    if department:
        own = gaz.find(department)
        if own:
            tiers.insert(0, own)
        elif department[:1] in _UNIT_LEVEL or department.startswith("我"):
            cue = _UNIT_LEVEL.get(department[:1], cue)
        elif _NATIONAL_ORGAN.search(department):
            return PlaceResult(national=True, level="national")

    deepest: Division | None = None
    ambiguous_levels: list[int] = []
    warnings: list[str] = []
    for tier in tiers:
        deepest, levels, why = _pick(gaz, tier, context, cue, hinted)
        ambiguous_levels += levels
        warnings += why
        if deepest is not None:
            break
    speaker = cue_level(subject) if subject and not department else None
    if deepest is not None and speaker is not None and speaker > deepest.level:
        # "我镇…" on a county's site: the author sits below the named place.
        below, why_not = _infer(gaz, speaker, head, body, within=deepest)
        warnings.append(why_not)
        if below is not None:
            deepest = below
        else:
            ambiguous_levels.append(speaker)
    deepest, host_note = _apply_host(gaz, hint, deepest, cue, speaker, head, body)
    if deepest is None and hint is not None and hint.national:
        return PlaceResult(national=True, level="national", warnings=(host_note,))
    if deepest is not None:
        chain = gaz.chain(deepest)
        kind = max([deepest.level, *(lv for lv in ambiguous_levels if lv > deepest.level)])
        if kind == deepest.level and speaker is None:
            warnings = []
        if host_note:
            warnings.append(host_note)
    elif cue is not None:
        div, why_not = _infer(gaz, cue, head, body)
        warnings.append(why_not)
        chain = gaz.chain(div) if div else ()
        kind = cue
    else:
        if not warnings:
            warnings.append("未能确定区划：标题、落款和开头均无地名")
        chain, kind = (), max(ambiguous_levels, default=None)
    area = _LEVEL_OF_DEPTH[kind] if kind else None
    if department:  # status plus the level of the area served (a town's offices are the town's)
        level = ("town" if area == "town" else f"{area}_department") if area else "department"
    else:
        level = area
    return PlaceResult(chain=chain, level=level, warnings=tuple(dict.fromkeys(w for w in warnings if w)))


def _apply_host(gaz: Gazetteer, hint: HostHint | None, deepest: Division | None, cue: int | None,
                speaker: int | None, head: str, body: str) -> tuple[Division | None, str]:
    """DEEPEST completed from the host: the host's division when the text names no place of its
    own (县政府, 我局), or when the text names only an area above it while speaking from the
    host's level. Returns (division, a note saying the host was used, or "")."""
    on_host = hint.unique if hint is not None else None
    if on_host is None:
        return deepest, ""
    note = f"区划由网站域名“{hint.host}”推断"  # type: ignore[union-attr]
    if deepest is None and (cue is None or cue >= on_host.level):
        if cue is None or cue == on_host.level:
            return on_host, note
        below, _ = _infer(gaz, cue, head, body, within=on_host)
        return (below, note) if below is not None else (on_host, note + f"；正文未写明{on_host.name}下的本级名称")
    if (deepest is not None and deepest.level < on_host.level and deepest in gaz.chain(on_host)
            and max(cue or 0, speaker or 0) >= on_host.level):
        return on_host, note  # "湖北省…" in the text, "我县" speaking, 房县's host: 房县
    return deepest, ""


_FURNITURE_LINE = re.compile(r"欢迎|当前位置|您的位置|首页|来源|发布|网站|>|》\s*$")


def _is_own_line(line: str) -> bool:
    """A top line that may name the author (not the salutation, not page furniture)."""
    text = line.strip()
    return len(text) <= 60 and not text.endswith(("：", ":")) and not _FURNITURE_LINE.search(text)


def _pick(gaz: Gazetteer, matches: list[PlaceMatch], context: Callable[[], list[PlaceMatch]],
          cue: int | None, hinted: frozenset[str] = frozenset()
          ) -> tuple[Division | None, list[int], list[str]]:
    """The deepest division the matches resolve to (first of equals), the levels of ambiguous
    names, and why they stayed ambiguous."""
    resolved: list[Division] = []
    ambiguous_levels: list[int] = []
    warnings: list[str] = []
    for m in matches:
        div, why = _resolve(gaz, m, context, cue, hinted)
        if div is not None:
            resolved.append(div)
            continue
        warnings.append(why or "")
        levels = {d.level for d in m.divisions}
        if len(levels) == 1:
            ambiguous_levels.append(levels.pop())
    deepest = max(resolved, key=lambda d: d.level) if resolved else None
    return deepest, ambiguous_levels, warnings
