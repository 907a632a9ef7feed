"""Areas and their divisions: which jurisdictions of a level lie inside an area, and where a
report belongs in the gazetteer. What comparison tables and trends count by.

The gazetteer's tree is used as it is: a 直辖市 (北京市, 上海市, 天津市, 重庆市) is a province
whose districts and counties hang directly under it (there is no 市辖区 level in between), a
prefecture-level city without counties (东莞市, 中山市, 儋州市, 嘉峪关市) has its towns directly under
it, and 省直辖县级行政单位 (仙桃市) hang directly under their province. "The divisions of a level
inside an area" are therefore simply the area's *descendants* at that level, whatever lies
between: the counties of 北京市 are its 16 districts, the towns of 东莞市 its towns and streets,
the counties of 湖北省 include 仙桃市.

A report's place is the deepest division its ``province > city > county > town`` names resolve
to, each name looked up among the children (or, across a missing level, the descendants) of the
previous one; full names first, short names (江苏 for 江苏省) only when no full name fits.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import QueryError
from .gazetteer import PREFECTURE, PROVINCE, TOWN, COUNTY, Division, Gazetteer, full_name, \
    load_gazetteer, short_names
from .models import Level, Report

# Row levels of a comparison: models.Level value -> gazetteer level.
LEVEL_DEPTH: dict[str, int] = {
    Level.PROVINCE: PROVINCE,
    Level.CITY: PREFECTURE,
    Level.COUNTY: COUNTY,
    Level.TOWN: TOWN,
}
DEPTH_LEVEL: dict[int, str] = {depth: str(level) for level, depth in LEVEL_DEPTH.items()}
# Report field that holds the name of a division of each gazetteer level.
DEPTH_FIELD: dict[int, str] = {PROVINCE: "province", PREFECTURE: "city", COUNTY: "county",
                               TOWN: "town"}
NATIONAL_NAME = "全国"
MAX_AREA_LENGTH = 100


@dataclass(frozen=True, slots=True)
class Area:
    """An area to look inside: a division, or the whole country (``division`` None)."""

    division: Division | None
    chain: tuple[Division, ...] = ()  # province first; () for the whole country

    @property
    def name(self) -> str:
        return self.division.name if self.division else NATIONAL_NAME

    @property
    def full_name(self) -> str:
        return full_name(self.chain) if self.chain else NATIONAL_NAME

    @property
    def code(self) -> str:
        return self.division.code if self.division else ""

    @property
    def depth(self) -> int:
        """Gazetteer level of the area (0 for the whole country)."""
        return self.division.level if self.division else 0

    def filters(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Search filters naming this area (province=…, city=…, …) for links to passages."""
        return tuple((DEPTH_FIELD[d.level], (d.name,)) for d in self.chain)


NATIONAL = Area(None, ())


class AreaTree:
    """The gazetteer as a tree: children by code, descendants by level, name look-ups."""

    def __init__(self, gaz: Gazetteer) -> None:
        self.gaz = gaz
        self.children: dict[str, list[Division]] = {}
        for div in sorted(gaz.by_code.values(), key=lambda d: d.code):
            self.children.setdefault(div.parent_code, []).append(div)
        self._places: dict[tuple[str | None, ...], Division | None] = {}

    def area(self, division: Division | None) -> Area:
        return Area(division, self.gaz.chain(division)) if division else NATIONAL

    def descendants_at(self, area: Area, depth: int) -> tuple[Division, ...]:
        """The divisions of gazetteer level ``depth`` inside ``area``, in code order."""
        out: list[Division] = []
        stack = list(reversed(self.children.get(area.code, [])))
        while stack:
            div = stack.pop()
            if div.level == depth:
                out.append(div)
            elif div.level < depth:
                stack.extend(reversed(self.children.get(div.code, [])))
        return tuple(out)

    def contains(self, area: Area, division: Division) -> bool:
        """``division`` is the area or lies inside it."""
        return area.division is None or area.division in self.gaz.chain(division)

    # ------------------------------------------------------------------ places of reports

    def place_of(self, report: Report) -> Division | None:
        """The deepest division named by the report's province/city/county/town (None when
        the report names no province, or a name does not fit under the one above it)."""
        key = (report.province, report.city, report.county, report.town)
        if key not in self._places:
            self._places[key] = self._resolve_names(key)
        return self._places[key]

    def _resolve_names(self, names: tuple[str | None, ...]) -> Division | None:
        place: Division | None = None
        for depth, name in zip((PROVINCE, PREFECTURE, COUNTY, TOWN), names):
            if not name:
                continue
            found = self._named_below(place, depth, name)
            if found is None:
                return None
            place = found
        return place

    def _named_below(self, parent: Division | None, depth: int, name: str) -> Division | None:
        candidates = self.descendants_at(self.area(parent), depth) if parent else \
            tuple(self.children.get("", []))
        exact = [d for d in candidates if d.name == name]
        if not exact:
            exact = [d for d in candidates if name in short_names(d.name, d.level)]
        return exact[0] if len(exact) == 1 else None

    # ------------------------------------------------------------------ areas named by users

    def resolve(self, text: str | None) -> Area:
        """The area a user means: "" or 全国 (the whole country), a gazetteer code (320500), a
        name (苏州市, 苏州) or a full name (江苏省苏州市). QueryError when unknown or ambiguous."""
        text = (text or "").strip()
        if len(text) > MAX_AREA_LENGTH:
            raise QueryError(f"地区名称过长（最多 {MAX_AREA_LENGTH} 个字符）")
        if text in ("", NATIONAL_NAME, "中国", "中华人民共和国"):
            return NATIONAL
        if text.isdigit():
            div = self.gaz.by_code.get(text)
            if div is None:
                raise QueryError(f"没有区划代码为 {text} 的地区")
            return self.area(div)
        candidates = self.candidates(text)
        if len(candidates) == 1:
            return self.area(candidates[0])
        if not candidates:
            raise QueryError(f"区划表中没有名为“{text}”的地区")
        listed = "、".join(f"{full_name(self.gaz.chain(d))}（{d.code}）" for d in candidates[:8])
        more = f"等 {len(candidates)} 处" if len(candidates) > 8 else ""
        raise QueryError(f"“{text}”有多处同名：{listed}{more}。请写出上级地区或使用区划代码")

    def candidates(self, text: str) -> list[Division]:
        """Divisions a name denotes: exact or short name of the last place, then those whose
        full chain name is the text or ends with it (江苏省苏州市 → 苏州市 only)."""
        matches = self.gaz.find(text, lenient=True)
        if not matches or matches[-1].end != len(text):
            return list(self.gaz.lookup(text))
        last = matches[-1]
        divisions = list(last.divisions)
        if len(matches) > 1:
            named = {d.code for m in matches[:-1] for d in m.divisions}
            inside = [d for d in divisions if named & {a.code for a in self.gaz.chain(d)[:-1]}]
            divisions = inside or divisions
            whole = [d for d in divisions if full_name(self.gaz.chain(d)) == text]
            divisions = whole or divisions
        return sorted(divisions, key=lambda d: d.code)

    def from_filters(self, filters: Iterable[tuple[str, tuple[str, ...]]],
                     max_depth: int = TOWN) -> Area:
        """The area named by jurisdiction filters (a search page's province=…&city=…): the
        deepest level, down to ``max_depth``, with exactly one value, resolved under the levels
        above it. QueryError when a name does not fit under the one above it."""
        by_field = dict(filters)
        parent: Division | None = None
        for depth in (PROVINCE, PREFECTURE, COUNTY, TOWN):
            values = by_field.get(DEPTH_FIELD[depth], ())
            if not values:
                continue
            if len(values) != 1 or depth > max_depth:
                break
            found = self._named_below(parent, depth, values[0])
            if found is None:
                raise QueryError(f"区划表中没有“{values[0]}”（在{self.area(parent).full_name}）")
            parent = found
        return self.area(parent)


@functools.cache
def area_tree() -> AreaTree:
    """The tree over the packaged gazetteer, built once (about 0.1 s)."""
    return AreaTree(load_gazetteer())


def default_level(area: Area, tree: AreaTree) -> str:
    """The level one below ``area`` that has divisions in it (counties for a 直辖市)."""
    for depth in range(area.depth + 1, TOWN + 1):
        if tree.descendants_at(area, depth):
            return DEPTH_LEVEL[depth]
    return DEPTH_LEVEL[TOWN]


def levels_below(area: Area, tree: AreaTree) -> tuple[str, ...]:
    """Row levels that have divisions inside ``area`` (no 市级 inside a 直辖市)."""
    return tuple(DEPTH_LEVEL[d] for d in (PROVINCE, PREFECTURE, COUNTY, TOWN)
                 if d > area.depth and tree.descendants_at(area, d))


__all__ = ["Area", "AreaTree", "DEPTH_FIELD", "DEPTH_LEVEL", "LEVEL_DEPTH", "NATIONAL", "area_tree",
           "default_level", "levels_below"]
