"""The query language and filter validation."""

from __future__ import annotations

import pytest

from indexer import Mode, QueryError, parse_filters
from indexer.query import parse_query


def _shape(q: str, mode: Mode = Mode.EXACT):
    pq = parse_query(q, mode)
    return [[t.norm for t in g] for g in pq.groups], [t.norm for t in pq.negatives]


@pytest.mark.parametrize(("query", "expected"), [
    ("法治 政府", ([["法治"], ["政府"]], [])),
    ("a OR b c", ([["a", "b"], ["c"]], [])),
    ("法治 -政府", ([["法治"]], ["政府"])),
    ('"法治 政府" -"OR x"', ([["法治政府"]], ["orx"])),
    ("2022-2023", ([["2022-2023"]], [])),
    ('"OR"', ([["or"]], [])),
    ("國家", ([["国家"]], [])),
    ("", ([], [])),
])
def test_parse(query, expected) -> None:
    """AND of OR groups, negatives, quotes, normalised terms."""
    assert _shape(query) == expected


def test_fuzzy_units_are_jieba_words() -> None:
    """In fuzzy mode a term's units are its jieba words."""
    pq = parse_query("推进法治政府建设", Mode.FUZZY)
    assert len(pq.groups[0][0].units) > 1
    assert "".join(pq.groups[0][0].units) == "推进法治政府建设"


@pytest.mark.parametrize("query", ['"open', "OR a", "a OR", "a OR OR b", "-", "a -", "-a OR b",
                                   '""', '" "'])
def test_syntax_errors(query) -> None:
    """Malformed queries raise QueryError."""
    with pytest.raises(QueryError):
        parse_query(query)


def test_too_long() -> None:
    """Queries longer than the limit are rejected with the limit in the message."""
    with pytest.raises(QueryError, match="at most 10"):
        parse_query("x" * 11, max_length=10)


def test_parse_filters() -> None:
    """Filters are grouped per field in FILTER_FIELDS order, values deduplicated."""
    got = parse_filters([("section", "plans"), ("province", "江苏省"), ("province", "浙江省"),
                         ("province", "江苏省"), ("report_year", " 2023 ")])
    assert got == (("province", ("江苏省", "浙江省")), ("report_year", ("2023",)),
                   ("section", ("plans",)))


@pytest.mark.parametrize("pair", [("colour", "red"), ("report_year", "last"), ("level", "galaxy"),
                                  ("section", "intro"), ("province", "")])
def test_bad_filters(pair) -> None:
    """Unknown fields and bad values raise QueryError."""
    with pytest.raises(QueryError):
        parse_filters([pair])
