"""Turning matched docnums into what a page shows: hits, report groups, facets."""

from __future__ import annotations

import numpy as np

from .facets import count_facet
from .highlight import find_spans
from .matching import Masks, filter_mask, match
from .models import FACET_FIELDS, Facet, FacetSort, Hit, Paragraph, ReportGroup, Scope
from .snapshot import Snapshot


def hit(snap: Snapshot, doc: int, score: float, needles: tuple[str, ...],
        title_needles: tuple[str, ...] = ()) -> Hit:
    """The hit of paragraph ``doc``: ``needles`` highlighted in its text, ``title_needles``
    (title terms) in its report's title."""
    text, normed = snap.texts(doc)
    report = snap.reports[int(snap.report_idx[doc])]
    return Hit(
        title_highlights=find_spans(report.title, title_needles)
        if title_needles and report.title else (),
        report_id=report.report_id,
        n=int(snap.n[doc]),
        text=text,
        highlights=find_spans(text, needles, normed),
        heading_path=snap.heading_path(doc),
        is_heading=bool(snap.is_heading_arr[doc]),
        section=snap.section(doc),
        score=round(float(score), 4),
        report=report,
    )


def paragraph(snap: Snapshot, doc: int) -> Paragraph:
    return Paragraph(
        report_id=snap.reports[int(snap.report_idx[doc])].report_id,
        n=int(snap.n[doc]),
        text=snap.text(doc),
        heading_path=snap.heading_path(doc),
        is_heading=bool(snap.is_heading_arr[doc]),
        section=snap.section(doc),
    )


def grouped_page(
    snap: Snapshot,
    doc_sorted: np.ndarray,
    score_sorted: np.ndarray,
    offset: int,
    limit: int,
    per_report: int,
    needles: tuple[str, ...],
    title_needles: tuple[str, ...] = (),
) -> tuple[list[Hit], list[ReportGroup]]:
    """Reports ordered by their best paragraph; each with its best ``per_report`` hits."""
    if not len(doc_sorted):
        return [], []
    rep_sorted = snap.report_idx[doc_sorted]
    # A stable sort by report keeps the ranking order inside each report's run.
    by_report = np.argsort(rep_sorted, kind="stable")
    runs = rep_sorted[by_report]
    first_in_run = np.flatnonzero(np.concatenate(([True], runs[1:] != runs[:-1])))
    counts = np.diff(np.append(first_in_run, len(runs)))
    uniq = runs[first_in_run]
    best_pos = by_report[first_in_run]  # rank of each report's best paragraph
    report_order = np.argsort(best_pos, kind="stable")[offset : offset + limit]
    hits: list[Hit] = []
    groups: list[ReportGroup] = []
    for k in report_order.tolist():
        run = by_report[first_in_run[k] : first_in_run[k] + min(per_report, counts[k])]
        group_hits = tuple(hit(snap, int(doc_sorted[i]), score_sorted[i], needles, title_needles)
                           for i in run)
        hits.extend(group_hits)
        groups.append(ReportGroup(
            report=snap.reports[int(uniq[k])],
            hits=group_hits,
            hit_count=int(counts[k]),
            best_score=round(float(score_sorted[best_pos[k]]), 4),
        ))
    return hits, groups


def _year_sort(value: str) -> object:
    return -int(value)


REGION_FIELDS = frozenset({"province", "city", "county", "town"})


def facets(snap: Snapshot, masks: Masks, scope: Scope, filters: dict[str, tuple[str, ...]],
           size: int, restrict: np.ndarray | None = None,
           order: FacetSort | str = FacetSort.PARAGRAPHS) -> tuple[Facet, ...]:
    """Each facet field counted over the matches under every filter but its own (so that its
    other values stay visible) and under ``restrict`` (per docnum: the report conditions,
    title terms and date range). The four region fields are one tree: each is counted under
    the other facets' filters but none of the region filters, so the places beside a
    selected one are listed under their own parents. ``order``: see ``count_facet``."""
    rows = FacetRows(snap, masks, scope, filters, restrict)
    out = []
    for name in FACET_FIELDS:
        # Years are few and read as a sequence: every year present is listed, never a top-N.
        limit = len(snap.columns[name].values) if name == "report_year" else size
        out.append(count_facet(snap.columns[name], rows.of(name), filters.get(name, ()), limit,
                               year_sort_key(name), snap.report_idx, order,
                               rows.per_report(name)))
    return tuple(out)


class FacetRows:
    """The matching docnums each facet field is counted over (computed once per distinct
    set of filters left out)."""

    def __init__(self, snap: Snapshot, masks: Masks, scope: Scope,
                 filters: dict[str, tuple[str, ...]], restrict: np.ndarray | None) -> None:
        self.snap, self.masks, self.scope = snap, masks, scope
        self.filters, self.restrict = filters, restrict
        self._rows: dict[frozenset[str], np.ndarray] = {}
        self._per_report: dict[frozenset[str], np.ndarray] = {}

    def _skip(self, name: str) -> frozenset[str]:
        if name in REGION_FIELDS and REGION_FIELDS & self.filters.keys():
            return frozenset(REGION_FIELDS)
        if name in self.filters:
            return frozenset({name})
        return frozenset()

    def per_report(self, name: str) -> np.ndarray:
        """The rows of ``name`` counted per report ordinal."""
        skip = self._skip(name)
        counts = self._per_report.get(skip)
        if counts is None:
            counts = self._per_report[skip] = np.bincount(
                self.snap.report_idx[self.of(name)], minlength=len(self.snap.reports))
        return counts

    def of(self, name: str) -> np.ndarray:
        skip = self._skip(name)
        rows = self._rows.get(skip)
        if rows is None:
            filt = filter_mask(self.snap, self.filters, skip)
            if self.restrict is not None:
                filt &= self.restrict
            rows = self._rows[skip] = np.flatnonzero(match(self.snap, self.masks, self.scope,
                                                           filt))
        return rows


def year_sort_key(name: str):
    return _year_sort if name == "report_year" else None
