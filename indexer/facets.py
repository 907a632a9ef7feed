"""Facet counting with arrays over paragraph ordinals (no per-hit Python objects).

Each facet field is a column of integer codes, one per paragraph (code 0 = no value). Counting
the matches of a facet is one ``numpy.bincount`` over the codes of the matching paragraphs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .models import LEVEL_LABELS, SECTION_LABELS, Facet, FacetSort, FacetValue, Level, Section

_LABELS: dict[str, Mapping[str, str]] = {"level": LEVEL_LABELS, "section": SECTION_LABELS}
# Up to this many selected values, ``mask_for`` compares codes one value at a time.
_FEW_CODES = 8


@dataclass(frozen=True)
class FacetColumn:
    """Codes per paragraph and the value of each code (``values[0]`` is None: no value)."""

    name: str
    codes: np.ndarray  # int32, one per paragraph ordinal
    values: tuple[str | None, ...]
    parents: tuple[str | None, ...]  # the value one level up (jurisdiction drill-down)
    # The code of each report (by ordinal) when every live paragraph of a report has the same
    # one (a report's place, level, year; not its sections): reports are then counted per
    # report, not per (value, report) pair of the matches.
    report_codes: np.ndarray | None = None

    def code_of(self, value: str) -> int | None:
        try:
            return self.values.index(value)
        except ValueError:
            return None

    def mask_for(self, selected: Sequence[str]) -> np.ndarray:
        """Paragraphs whose value is one of ``selected``."""
        codes = [c for c in (self.code_of(v) for v in selected) if c is not None]
        if len(codes) > _FEW_CODES:
            return np.isin(self.codes, np.asarray(codes, dtype=np.int32))
        # A few values (the usual filter): one vectorised comparison each beats ``isin``'s
        # sort or lookup table by an order of magnitude.
        mask = np.zeros(len(self.codes), dtype=bool)
        for code in codes:
            mask |= self.codes == code
        return mask


def build_column(
    name: str, per_paragraph: Sequence[str | None], parent_of: Mapping[str, str | None] | None = None
) -> FacetColumn:
    """A FacetColumn from one value (or None) per paragraph."""
    index: dict[str | None, int] = {None: 0}
    codes = np.fromiter(
        (index.setdefault(v, len(index)) for v in per_paragraph), dtype=np.int32,
        count=len(per_paragraph),
    )
    values = tuple(index)
    parents = tuple((parent_of or {}).get(v) if v is not None else None for v in values)
    return FacetColumn(name, codes, values, parents)


def count_facet(
    column: FacetColumn, mask: np.ndarray, selected: Sequence[str], size: int,
    sort_key: Callable[[str], object] | None = None,
    report_idx: np.ndarray | None = None,
    order: FacetSort | str = FacetSort.PARAGRAPHS,
    per_report: np.ndarray | None = None,
) -> Facet:
    """The facet of ``column`` over the paragraphs in ``mask`` (a boolean mask, or the
    paragraphs' ordinals: cheaper to gather from): the ``size`` values with most matching
    paragraphs (with ``order`` reports: most matching reports), listed in ``order`` (most
    paragraphs, most reports, or by value: ``value_sort_key``) -- ``sort_key`` (years), when
    given, breaks ties and orders by value; selected values always listed; flagged when
    truncated. With ``report_idx`` (report ordinal per paragraph), each value also counts its
    reports (needed for ``order`` reports); ``per_report`` (the paragraphs of ``mask`` in each
    report, by ordinal) lets a column whose value is the report's count per report."""
    order = FacetSort(order)
    # Python ints from here on: indexing numpy arrays value by value is the slow part.
    counts: list[int]
    reports: list[int] | None = None
    if per_report is not None and column.report_codes is not None:
        # A report-level value: sums over the reports, not over every matching paragraph.
        size_all = len(column.values)
        counts = np.bincount(column.report_codes, weights=per_report,
                             minlength=size_all).astype(np.int64).tolist()
        reports = np.bincount(column.report_codes[per_report > 0], minlength=size_all).tolist()
    else:
        codes = column.codes[mask]
        counts = np.bincount(codes, minlength=len(column.values)).tolist()
        if report_idx is not None:
            reports = _report_counts(codes, report_idx[mask], len(column.values))
    values = column.values
    by_value = sort_key or value_sort_key(column.name)
    present = [c for c in range(1, len(counts)) if counts[c]]
    main = reports if order is FacetSort.REPORTS and reports is not None else counts
    present.sort(key=lambda c: (-main[c], -counts[c], by_value(values[c])))
    chosen = present[:size]
    truncated = len(present) > size
    if order is FacetSort.VALUE:
        chosen.sort(key=lambda c: by_value(values[c]))
    for value in selected:
        code = column.code_of(value)
        if code is None or code not in chosen:
            chosen.append(code if code is not None else -1)
    labels = _LABELS.get(column.name, {})
    out = []
    for code in chosen:
        if code == -1:
            continue
        value = column.values[code]
        out.append(
            FacetValue(
                value=str(value),
                count=counts[code],
                reports=reports[code] if reports is not None else None,
                selected=value in selected,
                label=labels.get(value) if value is not None else None,
                parent=column.parents[code],
            )
        )
    missing = [v for v in selected if column.code_of(v) is None]
    out.extend(FacetValue(value=v, count=0, selected=True, label=labels.get(v),
                          reports=0 if reports is not None else None) for v in missing)
    return Facet(name=column.name, values=tuple(out), truncated=truncated)


_ENUM_ORDER: dict[str, dict[str, int]] = {
    "level": {str(v): i for i, v in enumerate(Level)},
    "section": {str(v): i for i, v in enumerate(Section)},
}


def value_sort_key(field: str) -> Callable[[str], object]:
    """How the values of ``field`` sort "by value": levels national to town, sections in the
    outline's order, places by their pinyin (then by characters), others as strings."""
    ranks = _ENUM_ORDER.get(field)
    if ranks is not None:
        return lambda v: (ranks.get(v, len(ranks)), v)
    if field in ("province", "city", "county", "town"):
        return _pinyin_key
    return lambda v: ("" if v is None else str(v))


def load_sort_tables() -> None:
    """Load pypinyin's tables (some 190,000 lists) now: searching loads them with the index,
    before it moves what is alive out of the garbage collector's way, so that the first
    facet sorted by place does not load them among a request's short-lived objects."""
    import pypinyin  # noqa: F401


@lru_cache(maxsize=65536)
def _pinyin_key(value: str) -> tuple[str, str]:
    from pypinyin import lazy_pinyin

    return (" ".join(lazy_pinyin(value or "")), value or "")


def _report_counts(codes: np.ndarray, reports: np.ndarray, size: int) -> list[int]:
    """Distinct reports per code among paragraphs with ``codes`` of ``reports``."""
    if not len(codes):
        return [0] * size
    # Report ordinals shifted by one, so that -1 (no report) is a valid column.
    reports = reports.astype(np.int64) + 1
    span = int(reports.max()) + 1
    if size * span <= _DENSE_PAIRS:
        # One flag per (code, report): a scatter and a row sum, no sort of the matches.
        seen = np.zeros(size * span, dtype=bool)
        seen[codes.astype(np.int64) * span + reports] = True
        return seen.reshape(size, span).sum(axis=1).tolist()
    pairs = np.unique(codes.astype(np.int64) * span + reports)
    return np.bincount(pairs // span, minlength=size).tolist()


# Up to this many (value, report) pairs, reports are counted with a table of flags.
_DENSE_PAIRS = 1 << 23
