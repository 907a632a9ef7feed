"""Publication dates as search reads them: the range filter's bounds and each report's date.

A bound is typed as a year (``2023``), a month (``2023-06``) or a day (``2023-06-30``); ``/``,
``.`` and 年/月/日 are accepted as separators (``2023年6月``). The range is inclusive and a partial
bound covers its whole period: ``from=2023`` starts on 2023-01-01, ``to=2023-06`` ends on
2023-06-30. Dates are compared as proleptic Gregorian day numbers (``date.toordinal``); a report
without a publication date has day number ``UNDATED`` (-1): a range leaves it out, a date sort
puts it last.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from .errors import QueryError

UNDATED = -1
_BOUND = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?年?$")


@dataclass(frozen=True, slots=True)
class DateRange:
    """An inclusive range of day numbers; ``first``/``last`` None: open on that side."""

    first: int | None
    last: int | None

    def describe_zh(self, typed_from: str | None, typed_to: str | None) -> str:
        if typed_from and typed_to:
            return f"{typed_from} 至 {typed_to}"
        return f"{typed_from} 起" if typed_from else f"至 {typed_to}"


def parse_bound(text: str, *, end: bool, name: str) -> int:
    """The day number of bound ``text`` (its first day, or with ``end`` its last day);
    QueryError naming ``name`` for anything that is not a real date."""
    raw = text.strip()
    m = _BOUND.match(raw.replace(" ", ""))
    if not m:
        raise QueryError(f"{name}={raw!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD "
                         "(e.g. 2023, 2023-06, 2023-06-30)")
    year = int(m[1])
    month = int(m[2]) if m[2] else None
    day = int(m[3]) if m[3] else None
    if not 1 <= year or (month is not None and not 1 <= month <= 12):
        raise QueryError(f"{name}={raw!r} is not a date: the month must be 1 to 12")
    if month is None:
        month, day = (12, 31) if end else (1, 1)
    elif day is None:
        day = calendar.monthrange(year, month)[1] if end else 1
    try:
        return date(year, month, day).toordinal()
    except ValueError:
        raise QueryError(f"{name}={raw!r} is not a date: {year}-{month:02d} has no day "
                         f"{day}") from None


def date_range(published_from: str | None, published_to: str | None) -> DateRange | None:
    """The range of the two bounds as typed (None when neither is given); QueryError for a
    bad date or a start after the end."""
    first = (parse_bound(published_from, end=False, name="published_from")
             if published_from and published_from.strip() else None)
    last = (parse_bound(published_to, end=True, name="published_to")
            if published_to and published_to.strip() else None)
    if first is None and last is None:
        return None
    if first is not None and last is not None and first > last:
        raise QueryError(f"published_from={published_from.strip()} is after "
                         f"published_to={published_to.strip()}: swap them or widen the range")
    return DateRange(first, last)


def day_number(iso: str | None) -> int:
    """The day number of a report's ``published`` (ISO ``YYYY-MM-DD``), UNDATED when it has
    none or it does not read as a date."""
    if not iso:
        return UNDATED
    try:
        return date.fromisoformat(iso[:10]).toordinal()
    except ValueError:
        return UNDATED


def day_iso(number: int) -> str:
    return date.fromordinal(number).isoformat()
