"""How a request was understood (terms, operators, mode, scope, filters), and what to try when
it finds nothing (each suggestion counted on the index before it is offered)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .config import Settings
from .filter_values import FilterReading
from .models import LEVEL_LABELS, SECTION_LABELS, Mode, Scope, SearchIn, SearchRequest
from .query import Note, ParsedQuery, Term, parse_query
from .query_lex import lex, quote_term

MODE_LABELS = {Mode.EXACT: "精确检索（与 grep 相同：字符串连续出现）",
               Mode.FUZZY: "模糊检索（各词都出现即可，顺序不限，标点不计，含近义写法）"}
SCOPE_LABELS = {Scope.PARAGRAPH: "同段（所有条件在同一段落）",
                Scope.REPORT: "同篇（各条件可在同一报告的不同段落）"}
IN_LABELS = {SearchIn.FULLTEXT: "检索全文（段落）",
             SearchIn.TITLE: "检索标题（只查报告标题，每篇显示开头一段）"}
FIELD_NAMES = {"province": "省", "city": "市", "county": "县（区）", "town": "乡镇（街道）",
               "level": "层级", "report_year": "年份", "section": "章节", "report_id": "报告"}


@dataclass(frozen=True, slots=True)
class Understanding:
    parsed: ParsedQuery
    request: SearchRequest
    readings: tuple[FilterReading, ...] = ()

    @property
    def notes(self) -> tuple[Note, ...]:
        return self.parsed.notes

    @property
    def in_title(self) -> bool:
        return SearchIn(self.request.search_in) is SearchIn.TITLE

    @property
    def title_only(self) -> bool:
        """Reports found by their titles alone (title terms and no paragraph term)."""
        return any(g[0].in_title for g in self.parsed.groups) and not any(
            not g[0].in_title for g in self.parsed.groups)

    def where_zh(self) -> str:
        """Where the terms were looked for (全文 / 标题 / both, with 标题: terms)."""
        if self.in_title:
            return IN_LABELS[SearchIn.TITLE]
        if self.parsed.has_title_terms:
            return "检索全文，带“标题:”的词只查报告标题"
        return IN_LABELS[SearchIn.FULLTEXT]

    def summary_zh(self) -> str:
        parts = []
        groups = [_group_zh(g, self.in_title) for g in self.parsed.groups]
        if groups:
            parts.append(" 并且 ".join(groups))
        if self.parsed.negatives:
            typed = [t for t in self.parsed.negatives if t.variant_of is None]
            parts.append("不含 " + "、".join(_term_zh(t, self.in_title) for t in typed))
        return "，".join(parts) if parts else "（无检索词，仅按筛选条件）"

    def summary_en(self) -> str:
        groups = [" OR ".join(_term_en(t, self.in_title) for t in g if t.variant_of is None)
                  for g in self.parsed.groups]
        text = " AND ".join(f"({g})" if " OR " in g else g for g in groups)
        for t in self.parsed.negatives:
            if t.variant_of is None:
                text += " NOT " + _term_en(t, self.in_title)
        if self.in_title and text:
            text = f"titles: {text}"
        return text.strip() or "(no terms: filters only)"

    def filter_items(self) -> list[tuple[str, str]]:
        """(field name, value label) of each filter, in Chinese."""
        out = []
        for field, values in self.request.filters:
            labels = [_value_zh(field, v) for v in values]
            out.append((FIELD_NAMES.get(field, field), " 或 ".join(labels)))
        dates = self.dates_zh()
        if dates:
            out.append(("发布日期", dates))
        return out

    def dates_zh(self) -> str | None:
        first, last = self.request.published_from, self.request.published_to
        if not (first or last):
            return None
        if first and last:
            return f"{first} 至 {last}"
        return f"{first} 起" if first else f"至 {last}"


def _term_zh(t: Term, whole_search_in_titles: bool = False) -> str:
    prefix = "标题：" if t.in_title and not whole_search_in_titles else ""
    return f"{prefix}“{t.text}”"


def _term_en(t: Term, whole_search_in_titles: bool = False) -> str:
    prefix = "title:" if t.in_title and not whole_search_in_titles else ""
    return f'{prefix}"{t.text}"'


def _group_zh(group: tuple[Term, ...], in_title: bool = False) -> str:
    typed = [t for t in group if t.variant_of is None]
    names = " 或 ".join(_term_zh(t, in_title) for t in typed)
    return f"（{names}）" if len(typed) > 1 else names


def _value_zh(field: str, value: str) -> str:
    if field == "level":
        return LEVEL_LABELS.get(value, value)
    if field == "section":
        return SECTION_LABELS.get(value, value)
    if field == "report_year":
        return f"{value}年"
    return value


def understand(request: SearchRequest, readings: tuple[FilterReading, ...] = ()) -> Understanding:
    """The parsed form of ``request`` (QueryError when it does not parse)."""
    parsed = parse_query(request.query or "", Mode(request.mode), max_length=10**6,
                         in_title=SearchIn(request.search_in) is SearchIn.TITLE)
    return Understanding(parsed, request, readings)


def _term_dict(t: Term) -> dict[str, Any]:
    return {"text": t.text, "norm": t.norm, "units": list(t.units), "quoted": t.quoted,
            "variant_of": t.variant_of, "in_title": t.in_title}


def understanding_to_dict(u: Understanding, problems: tuple = ()) -> dict[str, Any]:
    """The ``understood`` field of the search JSON (``problems``: FilterProblems)."""
    return {
        "summary": u.summary_en(),
        "summary_zh": u.summary_zh(),
        "groups": [[_term_dict(t) for t in g] for g in u.parsed.groups],
        "negatives": [_term_dict(t) for t in u.parsed.negatives],
        "mode": str(u.request.mode),
        "scope": str(u.request.scope),
        "in": str(u.request.search_in),
        "in_zh": u.where_zh(),
        "filters": {f: list(vs) for f, vs in u.request.filters},
        "published_from": u.request.published_from,
        "published_to": u.request.published_to,
        "filter_readings": [{"field": r.field, "typed": r.typed, "value": r.value}
                            for r in u.readings],
        "notes": [{"en": n.en, "zh": n.zh} for n in u.notes],
        "filter_problems": [
            {"field": p.field, "typed": p.typed, "kind": p.kind, "message": p.message(),
             "choices": [{"field": c.field, "value": c.value, "parent": c.parent}
                         for c in p.choices]}
            for p in problems
        ],
    }


# ---------------------------------------------------------------- suggestions


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Another request worth trying, with how many paragraphs and reports it finds."""

    kind: str  # fulltext | drop_dates | fuzzy | report_scope | drop_term | unquote |
    #            drop_filters | drop_filter | filter_value
    label_zh: str
    label_en: str
    request: SearchRequest
    paragraphs: int
    reports: int


def render_query(groups: list[list[Term]], negatives: list[Term],
                 whole_search_in_titles: bool = False) -> str:
    """A query string that parses back to these typed terms (dictionary variants left out;
    title terms with their 标题: prefix unless the whole search is in titles)."""
    items = []
    for group in groups:
        items.append(" OR ".join(_typed_term(t, whole_search_in_titles) for t in group
                                 if t.variant_of is None))
    items.extend("-" + _typed_term(t, whole_search_in_titles) for t in negatives
                 if t.variant_of is None)
    return " ".join(i for i in items if i)


def _typed_term(t: Term, whole_search_in_titles: bool) -> str:
    prefix = "标题:" if t.in_title and not whole_search_in_titles else ""
    return prefix + quote_term(t.text)


def _typed(terms) -> list[Term]:
    return [t for t in terms if t.variant_of is None]


def _candidates(request: SearchRequest, pq: ParsedQuery) -> list[tuple[str, str, str,
                                                                        SearchRequest]]:
    out: list[tuple[str, str, str, SearchRequest]] = []
    groups = [_typed(g) for g in pq.groups]
    negatives = _typed(pq.negatives)
    in_title = SearchIn(request.search_in) is SearchIn.TITLE
    if request.query.strip() and in_title:
        out.append(("fulltext", "改为检索全文（段落）", "search paragraphs instead of titles",
                    replace(request, search_in=SearchIn.FULLTEXT)))
    if request.published_from or request.published_to:
        out.append(("drop_dates", "去掉发布日期范围", "drop the publication-date range",
                    replace(request, published_from=None, published_to=None)))
    if request.query.strip() and Mode(request.mode) is Mode.EXACT:
        out.append(("fuzzy", "改用模糊检索（各词不必相连，标点不计，含近义写法）",
                    "use fuzzy mode", replace(request, mode=Mode.FUZZY)))
    if Scope(request.scope) is Scope.PARAGRAPH and len(groups) > 1:
        out.append(("report_scope", "放宽到同篇（各词可在同一报告的不同段落）",
                    "widen to report scope", replace(request, scope=Scope.REPORT)))
    if len(groups) + len(negatives) > 1:
        for k, group in enumerate(groups):
            rest = [g for j, g in enumerate(groups) if j != k]
            names = "、".join(t.text for t in group)
            out.append(("drop_term", f"去掉检索词“{names}”", f"drop {names}",
                        replace(request, query=render_query(rest, negatives, in_title))))
        for k, t in enumerate(negatives):
            rest_neg = [n for j, n in enumerate(negatives) if j != k]
            out.append(("drop_term", f"不再排除“{t.text}”", f"do not exclude {t.text}",
                        replace(request, query=render_query(groups, rest_neg, in_title))))
    unquoted = _unquoted_query(groups, negatives, in_title)
    if unquoted is not None:
        out.append(("unquote", f"去掉引号：{unquoted}", f"without quotes: {unquoted}",
                    replace(request, query=unquoted)))
    return out


def _unquoted_query(groups: list[list[Term]], negatives: list[Term],
                    whole_search_in_titles: bool = False) -> str | None:
    """The query with its quoted terms typed bare, when that changes how it is read (a quoted
    term inside an OR list stays quoted: bare, its words would leave the list; so does a
    标题: term, whose prefix would keep only its first word)."""
    changed = False
    items = []
    for group in groups:
        t = group[0]
        bare_ok = whole_search_in_titles or not t.in_title
        if len(group) == 1 and t.quoted and bare_ok and _splits(t.text):
            items.append(t.text)
            changed = True
        else:
            items.append(" OR ".join(_typed_term(t, whole_search_in_titles) for t in group))
    items.extend("-" + _typed_term(t, whole_search_in_titles) for t in negatives)
    return " ".join(items) if changed else None


def _splits(text: str) -> bool:
    try:
        return len(lex(text)) > 1
    except Exception:  # noqa: BLE001 - a text that does not lex bare cannot be offered bare
        return False


def _filter_candidates(settings: Settings, request: SearchRequest
                       ) -> list[tuple[str, str, str, SearchRequest]]:
    from . import search

    out: list[tuple[str, str, str, SearchRequest]] = []
    if len(request.filters) > 1:
        out.append(("drop_filters", "去掉全部筛选", "drop every filter",
                    replace(request, filters=())))
    for field, values in request.filters:
        others = tuple((f, v) for f, v in request.filters if f != field)
        label = FIELD_NAMES.get(field, field)
        typed = " 或 ".join(_value_zh(field, v) for v in values)
        wider = replace(request, filters=others, limit=0, offset=0, with_facets=True)
        out.append(("drop_filter", f"去掉筛选 {label}：{typed}", f"drop the filter {field}",
                    replace(request, filters=others)))
        facet = next((f for f in search(settings, wider).facets if f.name == field), None)
        if facet is None:
            continue
        for value in _nearest_values(field, values, facet.values):
            out.append(("filter_value", f"改为 {label}：{_value_zh(field, value.value)}",
                        f"{field}={value.value} instead",
                        replace(request, filters=(*others, (field, (value.value,))))))
    return out


def _nearest_values(field: str, chosen: tuple[str, ...], values) -> list:
    """Up to three values of the facet (which counts matches without this filter) nearest the
    chosen ones: nearest years, or the places with most matches."""
    if field == "report_year":
        try:
            targets = [int(v) for v in chosen]
            return sorted(values, key=lambda v: min(abs(int(v.value) - t) for t in targets))[:3]
        except ValueError:
            return []
    return sorted(values, key=lambda v: -v.count)[:3]


def suggestions(settings: Settings, request: SearchRequest, limit: int = 8) -> list[Suggestion]:
    """What to try instead of ``request``: only alternatives that find something, each with
    its counts (a search with ``limit=0`` and no facets per candidate)."""
    from . import search

    pq = understand(request).parsed
    found: list[Suggestion] = []
    seen: set[tuple] = set()
    for kind, zh, en, alt in _candidates(request, pq) + _filter_candidates(settings, request):
        key = (alt.query, str(alt.mode), str(alt.scope), alt.filters, str(alt.search_in),
               alt.published_from, alt.published_to)
        if key in seen or not (alt.query.strip() or alt.filters or alt.published_from
                               or alt.published_to):
            continue
        seen.add(key)
        probe = replace(alt, limit=0, offset=0, with_facets=False)
        results = search(settings, probe)
        if results.total_paragraphs:
            found.append(Suggestion(kind, zh, en, replace(alt, offset=0),
                                    results.total_paragraphs, results.total_reports))
        if len(found) >= limit:
            break
    return found


def suggestion_to_dict(s: Suggestion) -> dict[str, Any]:
    return {"kind": s.kind, "label": s.label_en, "label_zh": s.label_zh,
            "query": s.request.query, "mode": str(s.request.mode), "scope": str(s.request.scope),
            "in": str(s.request.search_in), "filters": {f: list(v) for f, v in s.request.filters},
            "published_from": s.request.published_from, "published_to": s.request.published_to,
            "total_paragraphs": s.paragraphs, "total_reports": s.reports}
