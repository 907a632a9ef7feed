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


# ---------------------------------------------------------------- what people type (issue 12.1)


@pytest.mark.parametrize(("query", "expected"), [
    ("行政复议 AND 信访", ([["行政复议"], ["信访"]], [])),
    ("行政复议 and 信访", ([["行政复议"], ["信访"]], [])),
    ("行政复议 & 信访", ([["行政复议"], ["信访"]], [])),
    ("行政复议&信访", ([["行政复议"], ["信访"]], [])),
    ("行政复议 并且 信访", ([["行政复议"], ["信访"]], [])),
    ("行政复议 | 行政诉讼", ([["行政复议", "行政诉讼"]], [])),
    ("行政复议 or 行政诉讼", ([["行政复议", "行政诉讼"]], [])),
    ("行政复议 或者 行政诉讼", ([["行政复议", "行政诉讼"]], [])),
    ("法治 NOT 政府", ([["法治"]], ["政府"])),
    ("法治 not 政府", ([["法治"]], ["政府"])),
    ("法治 不含 政府", ([["法治"]], ["政府"])),
    ("法治 －政府", ([["法治"]], ["政府"])),
    ("法治 NOT (政府 OR 调解)", ([["法治"]], ["政府", "调解"])),
    ("(行政复议 OR 行政诉讼) 信访", ([["行政复议", "行政诉讼"], ["信访"]], [])),
    ("（行政复议 | 行政诉讼） 信访", ([["行政复议", "行政诉讼"], ["信访"]], [])),
    ("“三项制度” ‘八五’ 「普法」 『复议』", ([["三项制度"], ["八五"], ["普法"], ["复议"]], [])),
    ("“法治 政府”", ([["法治政府"]], [])),
    ("行政复议，信访、调解；普法", ([["行政复议"], ["信访"], ["调解"], ["普法"]], [])),
    ("1,000 件", ([["1,000"], ["件"]], [])),  # a comma between digits is part of the number
    ("（一）", ([["(一)"]], [])),  # a bracket around one word is part of the word
    ('"和"', ([["和"]], [])),  # quoted, an operator word is a term
    ("和", ([["和"]], [])),  # alone, it has nothing to join: a term
    ("行政* *复议 普法?", ([["行政"], ["复议"], ["普法"]], [])),
])
def test_operators_quotes_and_separators(query, expected) -> None:
    """AND/OR/NOT in capitals, lower case, symbols and Chinese words; Chinese quotes; ，、；."""
    assert _shape(query) == expected


def test_word_operators_are_explained() -> None:
    """Operators spelt as words are read as operators and the reading is noted (with how to
    search the word itself); capitals and symbols need no note."""
    notes = parse_query("行政复议 或者 行政诉讼 和 信访").notes
    assert any("或者" in n.zh and "OR" in n.zh for n in notes)
    assert any("“和”" in n.zh and '"和"' in n.zh for n in notes)
    assert not parse_query("行政复议 OR 行政诉讼 & 信访").notes


def test_wildcards_are_dropped_at_the_ends_and_refused_inside() -> None:
    """Never matched as a literal *: at a term's ends they are dropped with a note, inside a
    term refused with a message; inside quotes they are characters, and the page says so."""
    pq = parse_query("行政*")
    assert pq.groups[0][0].norm == "行政" and "忽略" in pq.notes[0].zh
    for query in ("行政*议", "行?复议", "*"):
        with pytest.raises(QueryError, match="wildcard"):
            parse_query(query)
    quoted = parse_query('"5*8"')
    assert quoted.groups[0][0].norm == "5*8" and "字符" in quoted.notes[0].zh


@pytest.mark.parametrize("query", ["a AND", "AND a", "a AND AND b", "NOT", "a OR NOT b",
                                   "(a OR b", "NOT -a", "a & | b"])
def test_operator_misuse_is_an_error(query) -> None:
    """Operators in impossible places are refused with a message, never searched."""
    with pytest.raises(QueryError):
        parse_query(query)


@pytest.mark.parametrize("text", ["行政复议", "和", "a OR b", '含"引号', "“八五”普法", "5*8",
                                  "(一) 二", "-调解", "行政，复议"])
def test_quote_term_round_trips(text) -> None:
    """quote_term gives a query that parses back to exactly that one term."""
    from indexer.query_lex import quote_term

    pq = parse_query(quote_term(text))
    assert [[t.text for t in g] for g in pq.groups] == [[text]] and not pq.negatives


# ---------------------------------------------------------------- fuzzy terms (issue 12.7)


def test_fuzzy_units_ignore_punctuation_inside_the_phrase() -> None:
    """A fuzzy term's units are its finest dictionary words, so punctuation the text puts
    inside the phrase does not stop a match; its phrase is the text without punctuation."""
    term = parse_query("行政执法三项制度", Mode.FUZZY).groups[0][0]
    assert term.units == ("行政", "执法", "三项", "制度")
    assert parse_query('"行政执法·三项制度"', Mode.FUZZY).groups[0][0].phrase == "行政执法三项制度"
    assert parse_query("八五普法规划", Mode.FUZZY).groups[0][0].units == ("八五", "普法", "规划")


def test_fuzzy_variants_come_from_the_dictionary() -> None:
    """A fuzzy term with a dictionary entry in it gets its group mates as OR'ed terms that
    say which typed term they stand for; exact mode never does."""
    group = parse_query("12345热线", Mode.FUZZY).groups[0]
    variants = {t.text: t.variant_of for t in group[1:]}
    assert variants.get("政务服务便民热线") == "12345热线"
    # 12345政务服务便民热线 holds every unit of 12345热线: it would find nothing new.
    assert "12345政务服务便民热线" not in variants
    assert [t.norm for t in parse_query("12345热线").groups[0]] == ["12345热线"]
    negative = parse_query("法治 -行政复议", Mode.FUZZY).negatives
    assert {t.norm for t in negative} == {"行政复议", "复议"}


def test_filter_labels_are_accepted() -> None:
    """The UI's labels and everyday forms work as filter values."""
    assert parse_filters([("level", "县级"), ("level", "乡镇"), ("section", "存在的不足"),
                          ("report_year", "2023年")]) == (
        ("level", ("county", "town")), ("report_year", ("2023",)), ("section", ("shortcomings",)))


@pytest.mark.parametrize("text", ["(", "（", "OR", "or", "和", "NOT", "（一）", "法治", "a-b"])
def test_a_rendered_term_reads_back_as_itself_between_others(text) -> None:
    """``quote_term`` quotes what would lex otherwise in the middle of a query (a lone ``(``
    opens a group when more follows, ``OR`` is an operator between terms): suggestions and
    links built from the terms parse back to them."""
    from indexer.query_lex import quote_term

    pq = parse_query(f"甲 {quote_term(text)} -乙", Mode.EXACT, 200)
    assert [[t.text for t in g] for g in pq.groups] == [["甲"], [text]]
    assert [t.text for t in pq.negatives] == ["乙"]
