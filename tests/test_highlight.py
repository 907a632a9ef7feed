"""Highlight spans and their HTML rendering."""

from __future__ import annotations

import pytest

from indexer import SearchRequest, highlight_html, search
from indexer.highlight import find_spans, merge_spans
from indexer.normalize import normalize


def test_spans_cover_every_occurrence_in_the_original() -> None:
    """Spans point into the original text, across spaces, width and traditional forms."""
    text = "2023 年，國家法治；２０２３年法治"
    spans = find_spans(text, ["2023年", "法治"])
    assert [text[s:e] for s, e in spans] == ["2023 年", "法治", "２０２３年法治"]


def test_overlapping_occurrences_merge() -> None:
    """Overlapping and adjacent occurrences become one span."""
    assert find_spans("啊啊啊", ["啊啊"]) == ((0, 3),)
    assert merge_spans([(0, 2), (2, 4), (6, 7), (1, 3)]) == [(0, 4), (6, 7)]


def test_highlight_html_escapes_everything_else() -> None:
    """Text is escaped; marks wrap the spans."""
    html = highlight_html("<b>法治</b> & 政府", [(3, 5), (4, 5), (12, 14)])
    assert html == "&lt;b&gt;<mark>法治</mark>&lt;/b&gt; &amp; <mark>政府</mark>"


def test_highlight_html_with_markup_in_span() -> None:
    """Markup characters inside a span are escaped too."""
    assert highlight_html("a<b", [(0, 3)]) == "<mark>a&lt;b</mark>"


@pytest.mark.parametrize("query", ["法治", "府法律", "國家", "2022", "法治 政府"])
def test_search_highlights_slice_to_the_terms(seed_index, query) -> None:
    """Every highlight of a search hit normalises to text made of the query's terms."""
    terms = [normalize(t) for t in query.split()]
    res = search(seed_index, SearchRequest(query=query, grouped=False, limit=10**9))
    assert res.hits
    for hit in res.hits:
        norm = normalize(hit.text)
        expected_count = sum(norm.count(t) for t in terms)
        assert hit.highlights and expected_count
        for s, e in hit.highlights:
            piece = normalize(hit.text[s:e])
            assert any(t in piece for t in terms)
            # A merged span is made of occurrences only: its start begins one.
            assert any(piece.startswith(t) for t in terms)
