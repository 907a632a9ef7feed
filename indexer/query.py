"""The query language and filter validation.

Grammar (whitespace separates items; all items must match, i.e. AND):
  item   := group | "-" term
  group  := term ("OR" term)*        (OR binds tighter than AND: ``a b OR c`` = a AND (b OR c))
  term   := word | '"' anything but '"' '"'
A word is a run of non-space characters (``OR`` only as an operator when it stands alone and
unquoted). An excluded term cannot be part of an OR group. Terms are compared after
``normalize``; a term that normalises to nothing is an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import QueryError
from .models import FILTER_FIELDS, Level, Mode, Section
from .normalize import normalize


@dataclass(frozen=True, slots=True)
class Term:
    """One query term: as typed, normalised, and its match units (words in fuzzy mode)."""

    text: str
    norm: str
    units: tuple[str, ...]  # exact: (norm,); fuzzy: its jieba words (all must be present)


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """AND of ``groups`` (each an OR of terms) and NOT of each of ``negatives``."""

    groups: tuple[tuple[Term, ...], ...]
    negatives: tuple[Term, ...]

    @property
    def positive_terms(self) -> tuple[Term, ...]:
        return tuple(t for g in self.groups for t in g)

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.negatives


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    quoted: bool
    negated: bool


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            continue
        negated = False
        if ch == "-":
            if i + 1 >= n or query[i + 1].isspace():
                raise QueryError("'-' must be followed by a term to exclude, e.g. -调解")
            negated = True
            i += 1
            ch = query[i]
        if ch in "\"＂":
            end = next((j for j in range(i + 1, n) if query[j] in "\"＂"), -1)
            if end < 0:
                raise QueryError('unbalanced quote: close the quoted term with "')
            tokens.append(_Token(query[i + 1 : end], True, negated))
            i = end + 1
            continue
        j = i
        while j < n and not query[j].isspace() and query[j] not in "\"＂":
            j += 1
        tokens.append(_Token(query[i:j], False, negated))
        i = j
    return tokens


def _make_term(text: str, mode: Mode) -> Term:
    norm = normalize(text)
    if not norm:
        raise QueryError(f"the term {text!r} is empty once spaces are ignored")
    if mode is Mode.FUZZY:
        from .analysis import words

        units = tuple(w for w in words(norm) if w) or (norm,)
    else:
        units = (norm,)
    return Term(text=text, norm=norm, units=units)


def parse_query(query: str, mode: Mode = Mode.EXACT, max_length: int = 500) -> ParsedQuery:
    """Parse ``query``; QueryError with a clear message for anything malformed."""
    if len(query) > max_length:
        raise QueryError(f"the query is too long ({len(query)} characters, at most {max_length})")
    mode = Mode(mode)
    groups: list[list[Term]] = []
    negatives: list[Term] = []
    pending_or = False
    for tok in _lex(query):
        if tok.text == "OR" and not tok.quoted and not tok.negated:
            if not groups or pending_or or groups[-1] is None:
                raise QueryError("OR must stand between two terms, e.g. 行政复议 OR 行政诉讼")
            pending_or = True
            continue
        term = _make_term(tok.text, mode)
        if tok.negated:
            if pending_or:
                raise QueryError("an excluded term (-term) cannot be part of an OR")
            negatives.append(term)
            groups.append(None)  # type: ignore[arg-type]  # marks "last item was not a group"
            continue
        if pending_or:
            groups[-1].append(term)
            pending_or = False
        else:
            groups.append([term])
    if pending_or:
        raise QueryError("OR must stand between two terms, e.g. 行政复议 OR 行政诉讼")
    return ParsedQuery(
        groups=tuple(tuple(g) for g in groups if g is not None),
        negatives=tuple(negatives),
    )


def parse_filters(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Validate ``(field, value)`` pairs into SearchRequest.filters (values of one field OR'ed,
    fields AND'ed, in FILTER_FIELDS order); QueryError for an unknown field or a bad value."""
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
        value = _check_value(name, value)
        values = chosen.setdefault(name, [])
        if value not in values:
            values.append(value)
    return tuple((f, tuple(chosen[f])) for f in FILTER_FIELDS if f in chosen)


def _check_value(name: str, value: str) -> str:
    if name == "report_year":
        try:
            return str(int(value))
        except ValueError:
            raise QueryError(f"report_year must be a year such as 2023, not {value!r}") from None
    if name == "level" and value not in {str(v) for v in Level}:
        raise QueryError(
            f"unknown level {value!r}; use one of: {', '.join(str(v) for v in Level)}"
        )
    if name == "section" and value not in {str(v) for v in Section}:
        raise QueryError(
            f"unknown section {value!r}; use one of: {', '.join(str(v) for v in Section)}"
        )
    return value
