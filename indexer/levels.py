"""A report's level made consistent with its place (``models.Level``).

Governments: the level of the deepest place of the chain (a 直辖市's or an autonomous region's
own report is provincial; national organs are ``national``). Departments: department status
plus the level of the area served (北京市司法局: province_department; 房县司法局:
county_department). A level without its place (county with no county) is kept, since the text
said so, but warned about; a level that the chain contradicts (city for 重庆市 itself) is fixed.
"""

from __future__ import annotations

from .models import LEVEL_LABELS, Level

_PLACE_OF = {Level.PROVINCE: "province", Level.CITY: "city", Level.COUNTY: "county",
             Level.TOWN: "town", Level.PROVINCE_DEPARTMENT: "province",
             Level.CITY_DEPARTMENT: "city", Level.COUNTY_DEPARTMENT: "county"}
_UNIT_NAMES = {"province": "省（区、市）", "city": "市（州、盟）", "county": "县（市、区、旗）",
               "town": "乡镇（街道）"}
_DEPARTMENT_AT = {"national": Level.NATIONAL, "province": Level.PROVINCE_DEPARTMENT,
                  "city": Level.CITY_DEPARTMENT, "county": Level.COUNTY_DEPARTMENT,
                  "town": Level.TOWN}
_GOVERNMENT_AT = {"national": Level.NATIONAL, "province": Level.PROVINCE, "city": Level.CITY,
                  "county": Level.COUNTY, "town": Level.TOWN}
_DEPARTMENTS = frozenset({Level.PROVINCE_DEPARTMENT, Level.CITY_DEPARTMENT,
                          Level.COUNTY_DEPARTMENT, Level.DEPARTMENT})
_NATIONWIDE = "全国"


def is_department_level(level: Level | None) -> bool:
    return level in _DEPARTMENTS


def _area(values: dict) -> str | None:
    """The deepest place field set ("national" for the whole country)."""
    if values.get("province") == _NATIONWIDE:
        return "national"
    return next((k for k in ("town", "county", "city", "province") if values.get(k)), None)


def settle_level(level: Level | None, values: dict) -> tuple[Level | None, list[str]]:
    """LEVEL made consistent with the place fields of VALUES; (level, warnings)."""
    area = _area(values)
    if area == "national":
        return Level.NATIONAL, []
    if level is None:
        return None, []
    if level is Level.NATIONAL:
        return (Level.NATIONAL if area is None else government_level(area)), []
    if level is Level.DEPARTMENT:
        return (_DEPARTMENT_AT[area] if area else Level.DEPARTMENT), []
    if level is Level.CITY and area == "province" and _is_municipality(values.get("province")):
        return Level.PROVINCE, []  # 重庆市's own report: a 直辖市 is provincial
    place = _PLACE_OF.get(level)
    if place and not values.get(place):
        if place == "city" and _is_municipality(values.get("province")) and values.get("county"):
            return level, []  # districts of a 直辖市 have no city
        unit = _UNIT_NAMES[place]
        return level, [f"层级为{LEVEL_LABELS[level]}，但未能确定所属{unit}"]
    return level, []


def department_level(area_level: str | None) -> Level:
    """The level of a department serving an area of AREA_LEVEL ("county" -> county_department)."""
    return _DEPARTMENT_AT.get(area_level or "", Level.DEPARTMENT)


def government_level(area_level: str | None) -> Level | None:
    return _GOVERNMENT_AT.get(area_level or "")


def _is_municipality(province: str | None) -> bool:
    return province in ("北京市", "天津市", "上海市", "重庆市")


__all__ = ["department_level", "government_level", "is_department_level", "settle_level"]
