"""Filter values as people write them, resolved against the values in the index.

``city=苏州`` means 苏州市, ``province=江苏`` 江苏省, ``town=木渎`` 木渎镇, ``city=巴州``
巴音郭楞蒙古自治州: a place value that is not in the index is looked up among the index's values
of that field by the gazetteer's short names and aliases (and, failing that, as the start of a
name). One match is used (and the reading reported); several are offered as a choice; none gets
the nearest valid values, including places of another level (``city=木渎`` -> town 木渎镇).
A year not in the index gets the nearest years. Values already in the index pass unchanged, and
so does a value nothing resolves (it finds nothing; the problem says what would).
"""

from __future__ import annotations

import difflib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .models import FacetValue

PLACE_LEVELS = {"province": 1, "city": 2, "county": 3, "town": 4}
MAX_CHOICES = 8


@dataclass(frozen=True, slots=True)
class Choice:
    """A valid filter value offered instead of what was typed."""

    field: str
    value: str
    parent: str | None = None  # the place one level up, to tell namesakes apart


@dataclass(frozen=True, slots=True)
class FilterReading:
    """``field=typed`` was read as ``field=value``."""

    field: str
    typed: str
    value: str


@dataclass(frozen=True, slots=True)
class FilterProblem:
    """``field=typed`` names no value of the index: ``ambiguous`` (choose one of ``choices``)
    or ``unknown`` (``choices`` are the nearest valid values, maybe none)."""

    field: str
    typed: str
    kind: str
    choices: tuple[Choice, ...]

    def message(self) -> str:
        names = ", ".join(_choice_text(c, self.field) for c in self.choices)
        if self.kind == "ambiguous":
            return f"{self.field}={self.typed} is ambiguous: choose one of {names}"
        nearest = f"; nearest: {names}" if names else ""
        return f"no {self.field}={self.typed} in the index{nearest}"


@dataclass(frozen=True, slots=True)
class FilterResolution:
    filters: tuple[tuple[str, tuple[str, ...]], ...]  # resolved (problems' values kept as typed)
    readings: tuple[FilterReading, ...] = ()
    problems: tuple[FilterProblem, ...] = ()


def _choice_text(choice: Choice, field: str) -> str:
    where = f" ({choice.parent})" if choice.parent else ""
    other = f"{choice.field}=" if choice.field != field else ""
    return f"{other}{choice.value}{where}"


def resolve_filters(
    settings: Settings, filters: tuple[tuple[str, tuple[str, ...]], ...]
) -> FilterResolution:
    """Resolve ``filters`` (already validated by ``parse_filters``) against the index."""
    checked = [f for f, _ in filters if f in PLACE_LEVELS or f == "report_year"]
    if not checked:
        return FilterResolution(filters)
    values = _index_values(settings)
    out: list[tuple[str, tuple[str, ...]]] = []
    readings: list[FilterReading] = []
    problems: list[FilterProblem] = []
    for field, typed_values in filters:
        kept: list[str] = []
        for typed in typed_values:
            known = values.get(field)
            if field not in checked or known is None or typed in known:
                kept.append(typed)
                continue
            value, problem = _resolve_one(field, typed, values)
            if value is not None:
                readings.append(FilterReading(field, typed, value))
                kept.append(value)
            else:
                problems.append(problem)  # type: ignore[arg-type]
                kept.append(typed)
        out.append((field, tuple(dict.fromkeys(kept))))
    return FilterResolution(tuple(out), tuple(readings), tuple(problems))


def _resolve_one(
    field: str, typed: str, values: dict[str, dict[str, FacetValue]]
) -> tuple[str | None, FilterProblem | None]:
    if field == "report_year":
        return None, FilterProblem(field, typed, "unknown", _nearest_years(typed, values[field]))
    matches = _place_matches(field, typed, values[field])
    if len(matches) == 1:
        return matches[0].value, None
    if matches:
        return None, FilterProblem(field, typed, "ambiguous", tuple(matches[:MAX_CHOICES]))
    elsewhere = [c for other in PLACE_LEVELS if other != field
                 for c in _place_matches(other, typed, values.get(other, {}))]
    near = [Choice(field, v, values[field][v].parent)
            for v in difflib.get_close_matches(typed, list(values[field]), n=4, cutoff=0.4)]
    return None, FilterProblem(field, typed, "unknown", tuple((elsewhere + near)[:MAX_CHOICES]))


def _place_matches(field: str, typed: str, known: dict[str, FacetValue]) -> list[Choice]:
    """Index values of ``field`` that ``typed`` names: by gazetteer short name or alias, else
    as the start of the name (two characters at least)."""
    from .gazetteer import load_gazetteer, short_names

    level = PLACE_LEVELS[field]
    aliases = {d.name for d in load_gazetteer().lookup(typed)}
    named = [v for v in known if v in aliases or typed in short_names(v, level)]
    if not named and len(typed) >= 2:
        named = [v for v in known if v.startswith(typed)]
    return [Choice(field, v, known[v].parent) for v in sorted(named)]


def places_named(field: str, typed: str, known: dict[str, FacetValue]) -> set[str]:
    """The values of ``known`` (places of ``field``) that ``typed`` names by gazetteer short
    name or alias (巴州 -> 巴音郭楞蒙古自治州), or as the start of their name."""
    if field not in PLACE_LEVELS or not typed:
        return set()
    return {c.value for c in _place_matches(field, typed, known)}


def _nearest_years(typed: str, known: dict[str, FacetValue]) -> tuple[Choice, ...]:
    years = sorted(known, key=lambda y: (abs(int(y) - int(typed)), y))
    return tuple(Choice("report_year", y) for y in years[:3])


# ---------------------------------------------------------------- the index's values

_CACHE: dict[str, tuple[tuple, dict[str, dict[str, FacetValue]]]] = {}
_LOCK = threading.Lock()


def _index_values(settings: Settings) -> dict[str, dict[str, FacetValue]]:
    """field -> value -> FacetValue over the whole index (remembered per index generation)."""
    from . import index_stats

    path = Path(settings.index_path)
    try:
        key = tuple(sorted(n for n in os.listdir(path) if n.endswith(".toc")))
    except OSError:
        key = ()
    with _LOCK:
        cached = _CACHE.get(str(path))
    if cached and cached[0] == key and key:
        return cached[1]
    stats = index_stats(settings)
    values = {f.name: {v.value: v for v in f.values} for f in stats.facets}
    with _LOCK:
        _CACHE[str(path)] = (key, values)
    return values
