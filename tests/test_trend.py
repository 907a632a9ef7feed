"""Trends (indexer.trend): per report year, reports mentioning each term out of the reports of
that year, recomputed from the flat search results; small years flagged."""

from __future__ import annotations

import pytest
from fixtures_compare import compare_corpus, flat_counts

from indexer import Level, QueryError
from indexer.areas import area_tree
from indexer.trend import SMALL_SAMPLE, TrendRequest, trend

TERMS = ("行政复议", "合法性审查")


def _expected(settings, term, keep) -> dict[int, tuple[int, int]]:
    """year -> (matching reports, reports) over the records that ``keep`` accepts."""
    counts = flat_counts(settings, term)
    out: dict[int, list[int]] = {}
    for item in compare_corpus():
        r = item.report
        if r.report_year is None or not keep(r):
            continue
        cell = out.setdefault(r.report_year, [0, 0])
        cell[0] += bool(counts.get(r.report_id))
        cell[1] += 1
    return {y: (m, n) for y, (m, n) in out.items()}


@pytest.mark.parametrize("level, area, keep", [
    (None, "", lambda r: True),
    ("county", "", lambda r: r.level == Level.COUNTY),
    (None, "苏州市", lambda r: r.city == "苏州市"),
    ("town", "江苏省", lambda r: r.province == "江苏省" and r.level == Level.TOWN),
])
def test_numerators_and_denominators_equal_the_flat_results(compare_settings, level, area,
                                                            keep) -> None:
    """Each point's matching reports / reports equal a recount over the records."""
    result = trend(compare_settings, TrendRequest(terms=TERMS, level=level,
                                                  area=area_tree().resolve(area)))
    for series in result.series:
        expected = _expected(compare_settings, series.term, keep)
        assert result.years == tuple(sorted(expected))
        assert {p.year: (p.matching, p.reports) for p in series.points} == expected
    assert result.reports_per_year == tuple(n for _, n in
                                            (expected[y] for y in result.years))


def test_undated_reports_are_left_out_and_counted(compare_settings) -> None:
    """吴江区's undated report is not in any year; the trend says one was left out."""
    result = trend(compare_settings, TrendRequest(terms=("行政复议",),
                                                  area=area_tree().resolve("苏州市")))
    assert result.undated == 1
    assert sum(result.reports_per_year) == sum(
        1 for i in compare_corpus() if i.report.city == "苏州市" and i.report.report_year)


def test_small_years_are_flagged(compare_settings) -> None:
    """A year with fewer than SMALL_SAMPLE reports is small; share is numerator/denominator."""
    result = trend(compare_settings, TrendRequest(terms=("行政复议",)))
    for p in result.series[0].points:
        assert p.small == (p.reports < SMALL_SAMPLE)
        assert p.share == pytest.approx(p.matching / p.reports)
    assert any(not p.small for p in result.series[0].points)  # 2023 has enough reports
    assert any(p.small for p in result.series[0].points)


@pytest.mark.parametrize("terms, message", [((), "至少"), (("",), "至少"),
                                            (tuple("abcdefghijk"), "最多")])
def test_bad_terms(compare_settings, terms, message) -> None:
    with pytest.raises(QueryError, match=message):
        trend(compare_settings, TrendRequest(terms=terms))


def test_unknown_level(compare_settings) -> None:
    with pytest.raises(QueryError, match="层级"):
        trend(compare_settings, TrendRequest(terms=("x",), level="village"))
