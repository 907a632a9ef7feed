"""A government site's host name as evidence of its jurisdiction.

Chinese government sites spell their area in the host, in full pinyin or in initials, the
larger area to the right and, inside one label, the larger area first: ``www.jingbian.gov.cn``
(靖边县), ``henan.gov.cn`` (河南省), ``www.qzlc.gov.cn`` (泉州市鲤城区), ``sft.hubei.gov.cn``
(湖北省 司法厅), ``sfj.dl.gov.cn`` (大连市 司法局). Keys are made offline with pypinyin from the
gazetteer's names (short and full, every reading of a heteronym), for provinces, prefectures
and counties (township sites live under their county's host). A label is read as one key or two
keys parent first; a label to the left must name a place inside the one to its right. What
stays ambiguous is returned as several candidates: the page text decides among them.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .gazetteer import COUNTY, Division, Gazetteer, load_gazetteer, short_names

# Department initials on government hosts -> the organ (厅 at province level, 局 below).
DEPARTMENT_CODES: dict[str, str] = {
    "sft": "司法厅", "sfj": "司法局", "jyt": "教育厅", "jyj": "教育局", "gat": "公安厅", "gaj": "公安局",
    "czt": "财政厅", "czj": "财政局", "mzt": "民政厅", "mzj": "民政局", "rst": "人力资源和社会保障厅",
    "rsj": "人力资源和社会保障局", "rlsbj": "人力资源和社会保障局", "zrzyt": "自然资源厅",
    "zrzyj": "自然资源局", "sthjt": "生态环境厅", "sthjj": "生态环境局", "zjt": "住房和城乡建设厅",
    "zjj": "住房和城乡建设局", "jtt": "交通运输厅", "jtj": "交通运输局", "jtysj": "交通运输局",
    "slt": "水利厅", "slj": "水利局", "nynct": "农业农村厅", "nyncj": "农业农村局", "swt": "商务厅",
    "swj": "商务局", "wjw": "卫生健康委员会", "wsjkw": "卫生健康委员会", "fgw": "发展和改革委员会",
    "gxt": "工业和信息化厅", "gxj": "工业和信息化局", "sjt": "审计厅", "sjj": "审计局",
    "scjgj": "市场监督管理局", "amr": "市场监督管理局", "yjt": "应急管理厅", "yjj": "应急管理局",
    "yjglj": "应急管理局", "tjj": "统计局", "ybj": "医疗保障局", "whlyt": "文化和旅游厅",
    "wlt": "文化和旅游厅", "wlj": "文化和旅游局", "whlyj": "文化和旅游局", "lyj": "林业局",
    "lyt": "林业厅", "xzspj": "行政审批局", "tyj": "体育局", "kjt": "科学技术厅", "kjj": "科学技术局",
}
# Labels that say nothing about the area (site sections, mirrors).
_NOISE_LABELS = frozenset(
    "www www1 www2 m wap zwgk xxgk gk zfxxgk news xw portal web site gov zw fzzf fz".split()
)
_MAX_READINGS = 8  # readings kept per name (heteronyms multiply)


# Hosts of national organs (the central government and ministries' sites).
NATIONAL_HOSTS = frozenset(
    """gov.cn www.gov.cn moj.gov.cn mps.gov.cn mof.gov.cn ndrc.gov.cn miit.gov.cn mca.gov.cn
    mohrss.gov.cn mnr.gov.cn mee.gov.cn mohurd.gov.cn mot.gov.cn mwr.gov.cn moa.gov.cn
    mofcom.gov.cn mct.gov.cn nhc.gov.cn audit.gov.cn samr.gov.cn mem.gov.cn stats.gov.cn
    moe.gov.cn most.gov.cn npc.gov.cn chinatax.gov.cn customs.gov.cn""".split()
)


@dataclass(frozen=True, slots=True)
class HostHint:
    """What a host says: candidate divisions (one, or several for initials), a department, or
    that it is a national organ's site."""

    host: str
    candidates: tuple[Division, ...] = ()
    department: str | None = None
    national: bool = False

    @property
    def unique(self) -> Division | None:
        return self.candidates[0] if len(self.candidates) == 1 else None

    def codes(self) -> frozenset[str]:
        """Codes of the candidates: a division is covered when one of its chain is here."""
        return frozenset(d.code for d in self.candidates)


def host_labels(url: str | None) -> tuple[str, tuple[str, ...]] | None:
    """(host, labels before ``gov.cn``, right to left) of a government URL, else None."""
    if not url:
        return None
    try:
        host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    except ValueError:
        return None
    if not host.endswith(".gov.cn"):
        return None
    labels = [lb for lb in host[: -len(".gov.cn")].split(".") if lb]
    return host, tuple(reversed(labels))


@dataclass(frozen=True, slots=True)
class _Key:
    division: Division
    full: bool  # full pinyin (more specific than initials)


@functools.cache
def _keys() -> dict[str, tuple[_Key, ...]]:
    """pinyin key -> divisions of level 1-3 it spells (cached on disk like the gazetteer)."""
    from pathlib import Path

    from .diskcache import cached, file_key

    gaz = load_gazetteer()
    try:
        key = f"{file_key(Path(__file__))}-{len(gaz)}"
    except OSError:
        return _build_keys(gaz)
    return cached("hostkeys", key, lambda: _build_keys(gaz))


def _build_keys(gaz: Gazetteer) -> dict[str, tuple[_Key, ...]]:
    """pinyin key -> divisions of level 1-3 it spells (full pinyin and initials, short and full name)."""
    table: dict[str, list[_Key]] = {}
    for div in gaz.by_code.values():
        if div.level > COUNTY or div.name in ("市辖区", "县", "省直辖县级行政区划"):
            continue
        for name in {div.name, *short_names(div.name, div.level)}:
            for full, initials in _readings(name):
                table.setdefault(full, []).append(_Key(div, True))
                if len(initials) >= 2:
                    table.setdefault(initials, []).append(_Key(div, False))
    return {k: tuple(dict.fromkeys(v)) for k, v in table.items()}


def _readings(name: str) -> list[tuple[str, str]]:
    """(full pinyin, initials) of NAME: the phrase reading first, then other heteronym readings."""
    from pypinyin import Style, lazy_pinyin, pinyin

    readings = [("".join(lazy_pinyin(name)), "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)))]
    per_char = pinyin(name, style=Style.NORMAL, heteronym=True)
    for combo in itertools.islice(itertools.product(*per_char), _MAX_READINGS):
        readings.append(("".join(combo), "".join(s[0] for s in combo if s)))
    return list(dict.fromkeys((f, i) for f, i in readings if re.fullmatch(r"[a-z]+", f)))


def _label_places(label: str, within: tuple[Division, ...], gaz: Gazetteer) -> tuple[Division, ...]:
    """Divisions LABEL spells (one key, or two keys parent first), inside WITHIN when given."""
    keys = _keys()

    def inside(div: Division) -> bool:
        return not within or any(w in gaz.chain(div) and w != div for w in within)

    def best(found: list[_Key]) -> tuple[Division, ...]:
        found = [k for k in found if inside(k.division)]
        if any(k.full for k in found):
            found = [k for k in found if k.full]
            top = min(k.division.level for k in found)  # parent first: the larger area wins
            found = [k for k in found if k.division.level == top]
        # initials (dl: 大连市, 大理州, 东丽区 …) stay ambiguous across levels: the text decides
        return tuple(dict.fromkeys(k.division for k in found))

    whole = best(list(keys.get(label, ())))
    if whole:
        return whole
    pairs: list[Division] = []
    for cut in range(2, len(label) - 1):
        parents = best(list(keys.get(label[:cut], ())))
        if not parents:
            continue
        children = _label_places(label[cut:], parents, gaz)
        pairs.extend(children)
    return tuple(dict.fromkeys(pairs))


def hint_from_url(url: str | None) -> HostHint | None:
    """The jurisdiction a government URL's host names (None for other hosts or no match)."""
    parsed = host_labels(url)
    if parsed is None:
        return None
    host, labels = parsed
    bare = host.removeprefix("www.")
    if host in NATIONAL_HOSTS or bare in NATIONAL_HOSTS:
        return HostHint(host=host, national=True)
    gaz = load_gazetteer()
    candidates: tuple[Division, ...] = ()
    department = None
    for label in labels:
        if label in _NOISE_LABELS or label.isdigit():
            continue
        if label in DEPARTMENT_CODES:
            department = department or DEPARTMENT_CODES[label]
            continue
        found = _label_places(label, candidates, gaz)
        if found:
            candidates = found
    if not candidates and department is None:
        return None
    return HostHint(host=host, candidates=candidates, department=department)


__all__ = ["DEPARTMENT_CODES", "NATIONAL_HOSTS", "HostHint", "hint_from_url", "host_labels"]
