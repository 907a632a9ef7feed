"""The fixed benchmark query list (``benchmarks/queries.txt``) and its parser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

QUERIES_FILE = Path(__file__).resolve().parent / "queries.txt"
FILTERABLE = ("province", "city", "county", "town", "level", "report_year", "section", "report_id")
_CJK = re.compile(r"[\u3400-\u9fff]")


class QueryListError(ValueError):
    """A line of the query list is malformed."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one query produced: matching paragraphs, and shown hits (for sanity checks)."""

    total: int
    shown: int
    groups: int = 0


@dataclass(frozen=True, slots=True)
class BenchQuery:
    """One benchmark query: the query string and its filters (field -> accepted values)."""

    text: str
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def kind(self) -> str:
        """A rough class of the query, for reading the results."""
        stripped = self.text.strip()
        words = stripped.split()
        if self.filters:
            return "filter"
        if '"' in stripped:
            return "phrase"
        if "OR" in words or any(w.startswith("-") for w in words):
            return "or/not"
        if len(words) > 1:
            return "and"
        if len(stripped) == 1 and _CJK.match(stripped):
            return "one-char"
        return "word"

    @property
    def label(self) -> str:
        if not self.filters:
            return self.text
        spec = " ".join(f"{f}={v}" for f, values in self.filters for v in values)
        return f"{self.text} | {spec}"


def parse_line(line: str) -> BenchQuery | None:
    """A query from one line of the list (None for blanks and comments)."""
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    text, _, spec = line.partition(" | ")
    filters: dict[str, list[str]] = {}
    for pair in spec.split():
        name, sep, value = pair.partition("=")
        if not sep or not value or name not in FILTERABLE:
            raise QueryListError(f"bad filter {pair!r} in line {line!r}")
        filters.setdefault(name, []).append(value)
    if not text.strip():
        raise QueryListError(f"empty query in line {line!r}")
    return BenchQuery(text.strip(), tuple((k, tuple(v)) for k, v in filters.items()))


def load_queries(path: Path = QUERIES_FILE) -> list[BenchQuery]:
    """All queries of the list at PATH, in order."""
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        query = parse_line(line)
        if query is not None:
            queries.append(query)
    return queries
