"""What the search page shows about the query itself: how it was read, the filter values that
need a choice, matched dictionary variants, suggestions, and the order of hits in a card."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable

from indexer import Hit, ReportGroup
from indexer import FilterResolution
from indexer import normalize_text as normalize
from indexer import ParsedQuery
from indexer import Suggestion

from .params import SearchState
from .present import FIELD_LABELS, value_label

UrlFor = Callable[[SearchState], str]


@dataclass(frozen=True, slots=True)
class ChoiceLink:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class ProblemBox:
    """A filter value that names nothing in the index, with the values to choose from."""

    text: str
    choices: tuple[ChoiceLink, ...]


def filter_problems(resolution: FilterResolution, state: SearchState, url_for: UrlFor
                    ) -> list[ProblemBox]:
    boxes = []
    for problem in resolution.problems:
        field_label = FIELD_LABELS.get(problem.field, problem.field)
        if problem.kind == "ambiguous":
            text = f"{field_label}“{problem.typed}”可指多个地方，请选择："
        elif problem.choices:
            text = f"索引中没有{field_label}“{problem.typed}”。最接近的有效值："
        else:
            text = f"索引中没有{field_label}“{problem.typed}”，也没有相近的值。"
        links = []
        for choice in problem.choices:
            typed_gone = state.with_filter(
                problem.field, (v for v in state.filter_values(problem.field) if v != problem.typed))
            chosen = typed_gone.with_filter(
                choice.field, (*typed_gone.filter_values(choice.field), choice.value))
            where = f"（{choice.parent}）" if choice.parent else ""
            other = f"{FIELD_LABELS.get(choice.field, choice.field)}：" if (
                choice.field != problem.field) else ""
            links.append(ChoiceLink(f"{other}{value_label(choice.field, choice.value)}{where}",
                                    url_for(chosen)))
        boxes.append(ProblemBox(text, tuple(links)))
    return boxes


class VariantMatcher:
    """Which dictionary variants of the query (fuzzy mode) a hit's text holds."""

    def __init__(self, parsed: ParsedQuery) -> None:
        terms = parsed.positive_terms
        self.variants = [t for t in terms if t.variant_of is not None]
        self.typed = {t.text: t for t in terms if t.variant_of is None}

    def __call__(self, hit: Hit) -> list[str]:
        """The variants that found ``hit`` where its typed term did not (naming a variant
        when the typed term is there too would only distract)."""
        if not self.variants:
            return []
        norm = normalize(hit.text)

        def holds(term) -> bool:  # noqa: ANN001
            return all(u in norm for u in term.units)

        return [f"{t.text}（{t.variant_of}）" for t in self.variants
                if holds(t) and not holds(self.typed.get(t.variant_of, t))]


def ordered_groups(groups: Iterable[ReportGroup], order: str) -> list[ReportGroup]:
    """The page's report cards, their hits best first or (``document``) in report order."""
    if order != "document":
        return list(groups)
    return [replace(g, hits=tuple(sorted(g.hits, key=lambda h: h.n))) for g in groups]


@dataclass(frozen=True, slots=True)
class Tip:
    label: str
    url: str
    paragraphs: int
    reports: int


def tip(suggestion: Suggestion, state: SearchState, url_for: UrlFor) -> Tip:
    req = suggestion.request
    changed = state.with_(q=req.query, mode=req.mode, scope=req.scope, filters=req.filters)
    return Tip(suggestion.label_zh, url_for(changed), suggestion.paragraphs, suggestion.reports)
