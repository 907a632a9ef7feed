"""The query lexer: what people type, cut into terms and operators.

Separators: whitespace (any, full-width too), Chinese ``，`` ``、`` ``；`` and ASCII ``;`` (and
``,`` when not between two digits). Quotes: ``"…"`` ``＂…＂`` ``“…”`` ``‘…’`` ``「…」`` ``『…』``.
Operators: ``AND`` ``&`` ``&&`` (and the words and 并且 且 和 与), ``OR`` ``|`` ``||`` (or 或 或者),
``NOT`` (not 不含 不包含 不包括 排除) and a leading ``-``/``－`` on a term; ``(``…``)`` groups an OR
list when it holds more than one item. Wildcards ``*``/``?`` are left in the words for the parser.
Field prefix: ``标题:term`` (``标题：``, ``title:``; also before a quoted term and after ``-``) looks
for the term in report titles only (``Token.in_title``); quote it (``"标题:…"``) to search the
characters themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .errors import QueryError


class Kind(Enum):
    TERM = "term"
    AND = "and"
    OR = "or"
    NOT = "not"
    OPEN = "("
    CLOSE = ")"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str  # the term, or the operator as typed
    quoted: bool = False
    negated: bool = False  # a "-" stuck to the term
    in_title: bool = False  # typed with the 标题: prefix

    @property
    def is_word_operator(self) -> bool:
        """An operator spelt as an ordinary word (and, 或者 …): the page says how it was read."""
        return self.kind in (Kind.AND, Kind.OR, Kind.NOT) and not self.text.isupper() and (
            self.text not in _SYMBOL_OPERATORS)


QUOTES = {'"': '"', "＂": "＂", "“": "”", "‘": "’", "「": "」", "『": "』"}
_SEPARATORS = frozenset("，、；;")
_OPEN, _CLOSE = "(（", ")）"
_SYMBOL_OPERATORS = {"&": Kind.AND, "&&": Kind.AND, "＆": Kind.AND, "|": Kind.OR, "||": Kind.OR,
                     "｜": Kind.OR}
_SYMBOL_CHARS = frozenset("&|＆｜")
_WORD_OPERATORS = {
    "and": Kind.AND, "并且": Kind.AND, "且": Kind.AND, "和": Kind.AND, "与": Kind.AND,
    "or": Kind.OR, "或": Kind.OR, "或者": Kind.OR,
    "not": Kind.NOT, "不含": Kind.NOT, "不包含": Kind.NOT, "不包括": Kind.NOT, "排除": Kind.NOT,
}
_NEGATION = "-－"
TITLE_PREFIXES = ("标题:", "标题：", "title:", "title：")


def lex(query: str) -> list[Token]:
    """The tokens of ``query``; QueryError for an unclosed quote or a bare ``-``."""
    return _Lexer(query).run()


class _Lexer:
    def __init__(self, query: str) -> None:
        self.q = query
        self.i = 0
        self.out: list[Token] = []

    def run(self) -> list[Token]:
        q, n = self.q, len(self.q)
        while self.i < n:
            ch = q[self.i]
            if self._is_separator(self.i):
                self.i += 1
            elif ch in _SYMBOL_CHARS:
                self._symbol()
            elif ch in _OPEN and self._group_end() is not None:
                self.out.append(Token(Kind.OPEN, ch))
                self.i += 1
            elif ch in _OPEN and self._unclosed_group():
                raise QueryError("unbalanced bracket: close the group with )")
            elif ch in _CLOSE and self._open_groups() > 0:
                self.out.append(Token(Kind.CLOSE, ch))
                self.i += 1
            else:
                self._term()
        return self.out

    def _is_separator(self, i: int) -> bool:
        ch = self.q[i]
        if ch.isspace() or ch in _SEPARATORS:
            return True
        if ch == ",":  # 1,000 is a number, 行政复议,信访 two terms
            before = self.q[i - 1] if i else ""
            after = self.q[i + 1] if i + 1 < len(self.q) else ""
            return not (before.isdigit() and after.isdigit())
        return False

    def _symbol(self) -> None:
        q, j = self.q, self.i
        while j < len(q) and q[j] in _SYMBOL_CHARS:
            j += 1
        text = q[self.i : j]
        kind = _SYMBOL_OPERATORS.get(text)
        if kind is None:
            raise QueryError(f"unknown operator {text!r}: use & (AND) or | (OR)")
        self.out.append(Token(kind, text))
        self.i = j

    def _open_groups(self) -> int:
        return sum(1 if t.kind is Kind.OPEN else -1 if t.kind is Kind.CLOSE else 0
                   for t in self.out)

    def _group_end(self) -> int | None:
        """Where the ``(`` at ``i`` closes, when it groups several items (a bracket around one
        word, as in （一）, is part of the word)."""
        q = self.q
        for j in range(self.i + 1, len(q)):
            if q[j] in _CLOSE:
                inner = q[self.i + 1 : j]
                several = any(self._is_separator(self.i + 1 + k) or c in _SYMBOL_CHARS
                              for k, c in enumerate(inner))
                return j if several else None
            if q[j] in _OPEN:
                return None
        return None

    def _unclosed_group(self) -> bool:
        """A ``(`` with no ``)`` after it, before several items: a group left open."""
        rest = self.q[self.i + 1 :]
        if any(c in _CLOSE for c in rest):
            return False
        return any(self._is_separator(self.i + 1 + k) for k in range(len(rest)))

    def _term(self) -> None:
        q, n = self.q, len(self.q)
        negated = False
        if q[self.i] in _NEGATION:
            if self.i + 1 >= n or self._is_separator(self.i + 1):
                raise QueryError("'-' must be followed by a term to exclude, e.g. -调解")
            negated = True
            self.i += 1
        in_title = self._title_prefix()
        ch = q[self.i]
        if ch in QUOTES:
            self._quoted(negated, in_title)
            return
        j = self.i
        while j < n and not self._is_separator(j) and q[j] not in QUOTES and (
                q[j] not in _SYMBOL_CHARS) and not (q[j] in _CLOSE and self._open_groups() > 0):
            j += 1
        word = q[self.i : j]
        self.i = j
        kind = _WORD_OPERATORS.get(word.lower()) if not negated else None
        if word in ("AND", "OR", "NOT"):
            kind = Kind[word]
        if in_title and kind:
            kind = None  # 标题:和 is the word 和 in titles
        self.out.append(Token(kind, word) if kind else
                        Token(Kind.TERM, word, negated=negated, in_title=in_title))

    def _title_prefix(self) -> bool:
        """Skip a ``标题:`` prefix at ``i`` (when a term follows it); whether there was one."""
        rest = self.q[self.i : self.i + 6].lower()
        for prefix in TITLE_PREFIXES:
            if rest.startswith(prefix):
                after = self.i + len(prefix)
                if after >= len(self.q) or self._is_separator(after):
                    raise QueryError(f"{self.q[self.i:after]} must be followed by the words "
                                     "to find in titles, e.g. 标题:法治政府")
                self.i = after
                return True
        return False

    def _quoted(self, negated: bool, in_title: bool = False) -> None:
        q = self.q
        opener = q[self.i]
        closer = QUOTES[opener]
        end = q.find(closer, self.i + 1)
        if end < 0:
            raise QueryError(f"unbalanced quote: close the quoted term with {QUOTES[opener]}")
        self.out.append(Token(Kind.TERM, q[self.i + 1 : end], quoted=True, negated=negated,
                              in_title=in_title))
        self.i = end + 1


def needs_quotes(text: str) -> bool:
    """Whether ``text`` typed bare would not lex as this one term."""
    return lex_is_not_one_term(text)


def lex_is_not_one_term(text: str) -> bool:
    """Whether ``text`` typed bare would not lex as this one term, alone or between other
    terms (a lone ``(`` is a term, but opens a group when more follows; ``OR`` alone is a
    term, but an operator between two)."""
    if any(c in "*?＊？" for c in text):
        return True
    for typed, at in ((text, 0), (f"甲 {text} 乙", 1)):
        try:
            toks = lex(typed)
        except Exception:  # noqa: BLE001 - any refusal means "quote it"
            return True
        if (len(toks) != at * 2 + 1 or toks[at].kind is not Kind.TERM
                or toks[at].text != text):
            return True
    return False


def quote_term(text: str) -> str:
    """``text`` as one term of a query: bare when that lexes as itself, else in the first pair
    of quotes whose closing mark it does not hold (empty when every pair occurs in it)."""
    if not needs_quotes(text):
        return text
    for opener, closer in QUOTES.items():
        if closer not in text:
            return f"{opener}{text}{closer}"
    return ""
