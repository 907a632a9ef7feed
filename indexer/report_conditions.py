"""Conditions on a paragraph's report rather than on its text: title terms (标题检索) and the
publication-date range (发布日期).

Both are decided once per report, then spread over the report's paragraphs through
``Snapshot.report_idx``; they restrict the paragraphs a search considers exactly as a filter
does (facets count under them, report scope sees only the reports that pass).

- A title term matches a report when the report's normalised title contains it (exact mode:
  grep over the titles) or contains every one of its fuzzy units (fuzzy mode: its jieba words,
  in any order, punctuation not counted), the same units paragraph search uses. Groups of title
  terms are AND'ed, the terms of a group OR'ed, excluded title terms leave reports out.
- A date range keeps the reports whose ``published`` day is inside it (bounds inclusive,
  partial bounds cover their whole year or month); reports without a date are left out, and
  how many matching reports that left out is counted for the page.

When a query has title terms and no positive paragraph term, a report matched by its title is
shown by one paragraph, its *lead*: the first paragraph under the filters that is not a heading
and has at least ``LEAD_CHARS`` characters (the opening of the text, past the document header
lines), else its first paragraph. Totals count those reports (one hit each); facets count every
filtered paragraph of them, so a facet's report numbers are the matching reports that have the
value (a section facet: the reports that have such a section).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .pubdates import UNDATED, DateRange, date_range
from .query import ParsedQuery, Term
from .snapshot import Snapshot

LEAD_CHARS = 30


@dataclass(frozen=True, slots=True)
class ReportConditions:
    body: ParsedQuery  # the paragraph terms of the query
    titles: ParsedQuery  # its title terms
    dates: DateRange | None

    @property
    def title_only(self) -> bool:
        """Reports are found by their titles alone: each is shown by its lead paragraph."""
        return bool(self.titles.groups) and not self.body.groups

    @property
    def active(self) -> bool:
        return not self.titles.is_empty or self.dates is not None

    def title_needles(self) -> tuple[str, ...]:
        return tuple(u for t in self.titles.positive_terms for u in t.units)


def report_conditions(pq: ParsedQuery, published_from: str | None,
                      published_to: str | None) -> ReportConditions:
    """Split ``pq`` into paragraph and title terms and read the date range (QueryError for a
    bad date or a start after the end)."""
    body, titles = pq.split_title()
    return ReportConditions(body, titles, date_range(published_from, published_to))


def _title_term(titles: list[str], term: Term) -> np.ndarray:
    ok = np.fromiter((all(u in t for u in term.units) for t in titles), dtype=bool,
                     count=len(titles))
    return np.append(ok, False)


def title_reports(snap: Snapshot, titles: ParsedQuery) -> np.ndarray:
    """Per report ordinal (+1 slot for paragraphs of no report): whether its title matches."""
    ok = np.ones(len(snap.reports) + 1, dtype=bool)
    ok[-1] = False
    for group in titles.groups:
        any_term = np.zeros_like(ok)
        for term in group:
            any_term |= _title_term(snap.report_titles, term)
        ok &= any_term
    for term in titles.negatives:
        ok &= ~_title_term(snap.report_titles, term)
    return ok


def dated_reports(snap: Snapshot, dates: DateRange) -> np.ndarray:
    """Per report ordinal (+1 slot): whether its publication day is inside ``dates``."""
    day = snap.report_published
    ok = day != UNDATED
    if dates.first is not None:
        ok &= day >= dates.first
    if dates.last is not None:
        ok &= day <= dates.last
    return ok


def title_restriction(snap: Snapshot, cond: ReportConditions) -> np.ndarray | None:
    """Per docnum: its report's title matches (None: no title terms)."""
    if cond.titles.is_empty:
        return None
    return title_reports(snap, cond.titles)[snap.report_idx]


def date_restriction(snap: Snapshot, cond: ReportConditions) -> np.ndarray | None:
    """Per docnum: its report's publication date is in range (None: no range)."""
    if cond.dates is None:
        return None
    return dated_reports(snap, cond.dates)[snap.report_idx]


def restriction(*masks: np.ndarray | None) -> np.ndarray | None:
    """Per docnum: its report passes every report condition of ``masks`` (those of
    ``title_restriction`` and ``date_restriction``; None: there is none)."""
    present = [m for m in masks if m is not None]
    if not present:
        return None
    out = present[0]
    for m in present[1:]:
        out = out & m
    return out


def undated_count(snap: Snapshot, matched_any_date: np.ndarray) -> int:
    """Reports among the paragraphs ``matched_any_date`` (docnums) that have no date."""
    reports = np.unique(snap.report_idx[matched_any_date])
    reports = reports[reports >= 0]
    return int((snap.report_published[reports] == UNDATED).sum())


def lead_paragraphs(snap: Snapshot, docs: np.ndarray) -> np.ndarray:
    """One docnum per report of ``docs`` (sorted): its lead paragraph among ``docs``."""
    if not len(docs):
        return docs
    rep = snap.report_idx[docs]
    weak = snap.is_heading_arr[docs] | (snap.norm_len[docs] < LEAD_CHARS)
    by = np.lexsort((snap.n[docs], weak, rep))
    _, first = np.unique(rep[by], return_index=True)
    return np.sort(docs[by[first]])
