"""The query language and filter validation.

Grammar (items are AND'ed; see ``query_lex`` for separators, quotes and operator spellings):
  query  := item ((AND)? item)*
  item   := NOT? operand (OR operand)*        OR binds tighter than AND: ``a b OR c`` = a AND (b OR c)
  operand:= "-"? term | "(" term (OR? term)* ")"   a bracket holds an OR list
An excluded item (``-term``, ``NOT term``, ``NOT (a OR b)``) cannot be part of an OR. Operators
spelt as words (and, 或者, 不含 …) are read as operators and the reading is recorded in
``ParsedQuery.notes``; quote them (``"和"``) to search for the word. ``*``/``?`` at the start or end
of a term are dropped (matching is by containment already), inside a term they are refused.
Terms are compared after ``normalize``; a term that normalises to nothing is an error.
A term typed ``标题:term`` (or every term, when the search is in titles) is a *title term*
(``Term.in_title``): it is looked for in report titles, not paragraphs; an OR list cannot mix
title and paragraph terms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .errors import QueryError
from .filter_labels import check_filter_value
from .models import FILTER_FIELDS, Mode
from .normalize import normalize
from .query_lex import Kind, Token, lex

WILDCARDS = "*?＊？"


@dataclass(frozen=True, slots=True)
class Term:
    """One query term: as typed, normalised, and its match units (words in fuzzy mode).

    ``variant_of``: for a fuzzy-mode variant from the shipped dictionary, the term as typed
    that it stands for (the engine treats it as one more OR'ed term of the same group).
    ``phrase``: in fuzzy mode, the normalised term without punctuation (an engine may rank
    paragraphs whose punctuation-free text contains it first; matching needs only ``units``).
    """

    text: str
    norm: str
    units: tuple[str, ...]  # exact: (norm,); fuzzy: its finest jieba words (all must be present)
    quoted: bool = False
    variant_of: str | None = None
    phrase: str | None = None
    in_title: bool = False  # looked for in report titles (标题检索), not in paragraphs


@dataclass(frozen=True, slots=True)
class Note:
    """How part of the query was read, in English (CLI, JSON) and Chinese (web page)."""

    en: str
    zh: str


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """AND of ``groups`` (each an OR of terms) and NOT of each of ``negatives``."""

    groups: tuple[tuple[Term, ...], ...]
    negatives: tuple[Term, ...]
    notes: tuple[Note, ...] = ()

    @property
    def positive_terms(self) -> tuple[Term, ...]:
        return tuple(t for g in self.groups for t in g)

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.negatives

    @property
    def has_title_terms(self) -> bool:
        return any(t.in_title for t in (*self.positive_terms, *self.negatives))

    def split_title(self) -> tuple["ParsedQuery", "ParsedQuery"]:
        """(the paragraph terms, the title terms), each as a query of its own (an OR list
        holds terms of one kind, so the AND of the two is this query)."""
        def part(title: bool) -> ParsedQuery:
            return ParsedQuery(tuple(g for g in self.groups if g[0].in_title == title),
                               tuple(t for t in self.negatives if t.in_title == title),
                               self.notes if not title else ())
        return part(False), part(True)


def _strip_wildcards(text: str, notes: list[Note]) -> str:
    core = text.strip(WILDCARDS)
    if any(c in WILDCARDS for c in core):
        raise QueryError(
            f"wildcards (* ?) inside a term are not supported: {text!r}; search the parts as "
            "separate terms (e.g. 行政 复议) or use fuzzy mode"
        )
    if not core:
        raise QueryError(f"the term {text!r} is only wildcards; type the words to find")
    if core != text:
        notes.append(Note(
            f"{text} read as {core}: a term already matches wherever it occurs",
            f"{text} 按 {core} 检索：检索词本来就匹配所有包含它的段落，* ? 已忽略",
        ))
    return core


def _make_terms(tok: Token, mode: Mode, notes: list[Note], in_title: bool = False
                ) -> list[Term]:
    """The term of ``tok`` and, in fuzzy mode, its dictionary variants (title terms when
    ``tok`` has the 标题: prefix or ``in_title``)."""
    terms = _terms_of(tok, mode, notes)
    if tok.in_title or in_title:
        return [replace(t, in_title=True) for t in terms]
    return terms


def _terms_of(tok: Token, mode: Mode, notes: list[Note]) -> list[Term]:
    text = tok.text
    if tok.quoted:
        if any(c in WILDCARDS for c in text):
            notes.append(Note(f'"{text}": * and ? inside quotes are matched as characters',
                              f"“{text}”：引号内的 * ? 按字符本身匹配"))
    else:
        text = _strip_wildcards(text, notes)
    norm = normalize(text)
    if not norm:
        raise QueryError(f"the term {text!r} is empty once spaces are ignored")
    if mode is not Mode.FUZZY:
        return [Term(text=text, norm=norm, units=(norm,), quoted=tok.quoted)]
    from .fuzzy import fuzzy_term, variant_terms

    term = fuzzy_term(text, norm, tok.quoted)
    variants = variant_terms(term)
    if variants:
        names = "、".join(v.text for v in variants)
        notes.append(Note(f"fuzzy mode also finds {', '.join(v.text for v in variants)} for {text}",
                          f"模糊检索同时查找 {text} 的其他写法：{names}"))
    return [term, *variants]


class _Parser:
    def __init__(self, tokens: list[Token], mode: Mode, in_title: bool = False) -> None:
        self.toks = tokens
        self.i = 0
        self.mode = mode
        self.in_title = in_title
        self.groups: list[list[Term]] = []
        self.negatives: list[Term] = []
        self.notes: list[Note] = []

    def peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Token:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def run(self) -> ParsedQuery:
        self._read_word_operators_as_terms()
        while self.peek() is not None:
            tok = self.peek()
            if tok.kind is Kind.AND:
                if not (self.groups or self.negatives) or self._next_kind() in (None, Kind.AND,
                                                                                Kind.OR):
                    raise QueryError(f"{tok.text} (AND) must stand between two terms, "
                                     "e.g. 行政复议 AND 信访")
                self.take()
                continue
            self._item()
        self._note_operator_words()
        return ParsedQuery(tuple(tuple(g) for g in self.groups), tuple(self.negatives),
                           tuple(dict.fromkeys(self.notes)))

    def _next_kind(self) -> Kind | None:
        nxt = self.toks[self.i + 1] if self.i + 1 < len(self.toks) else None
        return nxt.kind if nxt else None

    def _read_word_operators_as_terms(self) -> None:
        """A word operator with nothing to join (``或者`` alone, ``和`` at the end) is a term."""
        toks = self.toks
        for k, tok in enumerate(toks):
            if not tok.is_word_operator:
                continue
            before = toks[k - 1].kind if k else None
            after = toks[k + 1].kind if k + 1 < len(toks) else None
            operand_after = after in (Kind.TERM, Kind.OPEN, Kind.NOT)
            operand_before = before in (Kind.TERM, Kind.CLOSE)
            joins = operand_after if tok.kind is Kind.NOT else operand_before and operand_after
            if not joins:
                toks[k] = Token(Kind.TERM, tok.text)

    def _note_operator_words(self) -> None:
        names = {Kind.AND: ("AND", "并且（AND）"), Kind.OR: ("OR", "或者（OR）"),
                 Kind.NOT: ("NOT", "不含（NOT）")}
        for tok in self.toks:
            if tok.is_word_operator:
                en, zh = names[tok.kind]
                self.notes.append(Note(
                    f'"{tok.text}" read as the operator {en}; quote it ("{tok.text}") to search '
                    "for the word",
                    f"“{tok.text}”按运算符 {zh} 理解；要检索这个字词本身，请加引号：\"{tok.text}\"",
                ))

    def _item(self) -> None:
        negated = False
        if self.peek().kind is Kind.NOT:
            self.take()
            if self.peek() is None or self.peek().kind not in (Kind.TERM, Kind.OPEN):
                raise QueryError("NOT must be followed by a term to exclude, e.g. NOT 调解")
            negated = True
        terms, neg = self._operand()
        if negated and neg:
            raise QueryError("NOT and '-' on the same term: exclude it once, e.g. NOT 调解")
        negated = negated or neg
        while self.peek() is not None and self.peek().kind is Kind.OR:
            self.take()
            if negated:
                raise QueryError("an excluded term (-term) cannot be part of an OR")
            if self.peek() is None or self.peek().kind not in (Kind.TERM, Kind.OPEN):
                raise QueryError("OR must stand between two terms, e.g. 行政复议 OR 行政诉讼")
            more, neg = self._operand()
            if neg:
                raise QueryError("an excluded term (-term) cannot be part of an OR")
            terms.extend(more)
        if len({t.in_title for t in terms}) > 1:
            raise QueryError("an OR list cannot mix title terms (标题:…) and paragraph terms: "
                             "put 标题: before each of them, or before none")
        if negated:
            self.negatives.extend(terms)
        else:
            self.groups.append(terms)

    def _operand(self) -> tuple[list[Term], bool]:
        tok = self.take()
        if tok.kind is Kind.TERM:
            return _make_terms(tok, self.mode, self.notes, self.in_title), tok.negated
        if tok.kind is Kind.OPEN:
            return self._bracket(), False
        if tok.kind is Kind.OR:
            raise QueryError("OR must stand between two terms, e.g. 行政复议 OR 行政诉讼")
        raise QueryError(f"unexpected {tok.text!r} in the query")

    def _bracket(self) -> list[Term]:
        terms: list[Term] = []
        while True:
            tok = self.peek()
            if tok is None:
                raise QueryError("unbalanced bracket: close the group with )")
            self.take()
            if tok.kind is Kind.CLOSE:
                break
            if tok.kind is Kind.OR:
                continue
            if tok.kind is not Kind.TERM or tok.negated:
                raise QueryError("a bracket may only hold terms joined by OR, e.g. "
                                 "(行政复议 OR 行政诉讼) 信访")
            terms.extend(_make_terms(tok, self.mode, self.notes, self.in_title))
        if not terms:
            raise QueryError("empty brackets: put terms joined by OR inside")
        return terms


def parse_query(query: str, mode: Mode = Mode.EXACT, max_length: int = 500,
                in_title: bool = False) -> ParsedQuery:
    """Parse ``query`` (every term a title term with ``in_title``); QueryError with a clear
    message for anything malformed."""
    if len(query) > max_length:
        raise QueryError(f"the query is too long ({len(query)} characters, at most {max_length})")
    return _Parser(lex(query), Mode(mode), in_title).run()


def parse_filters(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Validate ``(field, value)`` pairs into SearchRequest.filters (values of one field OR'ed,
    fields AND'ed, in FILTER_FIELDS order); QueryError for an unknown field or a bad value.
    UI labels are accepted for codes (``level=县级`` is ``county``, ``section=存在的不足`` is
    ``shortcomings``, ``report_year=2023年`` is 2023)."""
    chosen: dict[str, list[str]] = {}
    for name, value in pairs:
        name = (name or "").strip()
        value = (value or "").strip()
        if name not in FILTER_FIELDS:
            raise QueryError(
                f"unknown filter field {name!r}; use one of: {', '.join(FILTER_FIELDS)}"
            )
        if not value:
            raise QueryError(f"the filter {name}= needs a value")
        value = check_filter_value(name, value)
        values = chosen.setdefault(name, [])
        if value not in values:
            values.append(value)
    return tuple((f, tuple(chosen[f])) for f in FILTER_FIELDS if f in chosen)
