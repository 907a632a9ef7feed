"""Ranking: the BM25F part of a score is Whoosh's own BM25F for the same query, on a fresh index
and on one with deletions (Whoosh's statistics count deleted documents until a merge)."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh import query as wq
from whoosh import scoring

from fixtures_search import make_report
from indexer import Mode, index_reports, load_settings
from indexer.query import parse_query
from indexer.ranking import bm25f, clauses
from indexer.searching import snapshot

QUERIES = ["行政复议", "法治政府建设", "人民调解 OR 调解", "依法行政 审查", "第一责任人"]


def _whoosh_scores(snap, clause_list) -> dict[int, float]:
    q = wq.Or([wq.Term(f, w, boost=b) for f, w, b in clause_list])
    from whoosh.searching import Searcher

    searcher = Searcher(snap.reader, weighting=scoring.BM25F())
    return {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}


def _check(settings) -> int:
    snap = snapshot(settings)
    compared = 0
    for text in QUERIES:
        pq = parse_query(text, Mode.EXACT)
        clause_list = clauses(snap, pq)
        assert clause_list, text
        expected = _whoosh_scores(snap, clause_list)
        docs = np.array(sorted(expected), dtype=np.int64)
        ours = bm25f(snap, clause_list, docs)
        assert np.allclose(ours, [expected[int(d)] for d in docs], rtol=1e-6), text
        assert (ours > 0).all()
        compared += len(docs)
    return compared


def test_scores_equal_whooshs_bm25f(seed_index) -> None:
    assert _check(seed_index) > 50


def test_scores_equal_whooshs_bm25f_after_updates(tmp_path, seed_records) -> None:
    settings = load_settings().replace(index_path=tmp_path / "index")
    index_reports(settings, seed_records)
    index_reports(settings, [make_report("extra", ["行政复议案件同比下降。", "推进法治政府建设。"])])
    # Delete one report without a merge (small segments are merged by an ordinary update).
    from whoosh import index as whoosh_index

    from indexer.whoosh_writer import segment_writer

    ix = whoosh_index.open_dir(str(settings.index_path))
    writer = segment_writer(ix, limitmb=64, timeout=5)  # the checksummed writer
    writer.delete_by_term("report_id", seed_records[0].report.report_id)
    writer.commit(merge=False)
    snap = snapshot(settings)
    assert snap.reader.has_deletions()
    assert _check(settings) > 50


@pytest.mark.parametrize("field", ["body", "heading", "title"])
def test_each_field_contributes(seed_index, field) -> None:
    """Every ranking field has postings for a common term (the clauses are not vacuous)."""
    snap = snapshot(seed_index)
    assert sum(len(ids) for _leaf, ids, _tf in snap.leaf_postings(field, "法治")) > 0
