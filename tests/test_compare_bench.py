"""The comparison/trend benchmark (benchmarks/compare_bench.py) on a small real index."""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # benchmarks/ is a folder of the repo, not an installed package

from benchmarks import compare_bench  # noqa: E402
from benchmarks.queries import load_queries  # noqa: E402


def test_first_time_terms_are_in_no_other_list() -> None:
    """No comparison term occurs in the page query list, so first-time figures are honest."""
    page_words = {w for q in load_queries() for w in q.text.replace('"', " ").split()}
    terms = [t for s in compare_bench.TERM_SETS for t in s]
    assert len(terms) == len(set(terms)) and all(len(s) == 3 for s in compare_bench.TERM_SETS)
    assert not page_words & set(terms)


def test_measure_times_every_shape_and_renders_the_table(compare_settings) -> None:
    """One measuring pass over a real index gives figures for the page and every shape."""
    result = compare_bench.do_measure(compare_settings.index_path, [compare_settings.index_path],
                                      rounds=1, province="苏州市")
    assert result["rows"] == 9 and result["reports"] > 0
    for figures in (result["first_time"], result["repeated"]):
        assert set(figures) == {"page", "compare counties", "compare counties by year",
                                "trend (all reports)", "trend (provinces)"}
        assert all(f["n"] > 0 and f["p95"] >= f["p50"] >= 0 for f in figures.values())
    text = compare_bench.table(result)
    assert "| compare counties |" in text and "the 9 counties of 江苏省苏州市" in text
