"""indexer.whoosh_read reads whoosh3's internals; these tests pin it to Whoosh's public API on a
real index: posting lists of many blocks, inlined ones, reference columns and field lengths."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh import index as whoosh_index

from fixtures_search import make_report
from indexer import index_reports, load_settings, whoosh_writer
from indexer.whoosh_read import deleted_docnums, field_lengths, postings, ref_column


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    """An index where 法治 has postings over several 128-posting blocks and 独有词 one
    (blocks of 128 postings, Whoosh's default and the size of indexes written before
    fazhi-search's longer blocks: reading must follow a chain of blocks)."""
    folder = tmp_path_factory.mktemp("wr")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(whoosh_writer, "BLOCK_POSTINGS", 128)
        yield from _build(folder)


def _build(folder):
    settings = load_settings().replace(index_path=folder / "index")
    reports = [
        make_report(f"r{i:03d}", [f"第{i}年推进法治政府建设。" * (1 + i % 3), "独有词" if i == 7 else
                                  f"其他内容{i}"], province="江苏省" if i % 2 else "浙江省",
                    report_year=2020 + i % 4)
        for i in range(300)
    ]
    index_reports(settings, reports)
    index_reports(settings, [make_report("extra", ["另一份报告。法治。"])])  # a second segment
    ix = whoosh_index.open_dir(str(settings.index_path))
    writer = ix.writer()
    writer.delete_by_term("report_id", "r005")  # a deletion, kept (no merge)
    writer.commit(merge=False)
    with ix.reader() as r:
        yield r


def _leaves(r):
    return [sub for sub, _ in r.leaf_readers()] if hasattr(r, "leaf_readers") else [r]


def _public(sub, fieldname, text):
    """Whoosh's public matcher (which leaves deleted documents out)."""
    m = sub.postings(fieldname, text)
    ids, weights = [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    return ids, weights


@pytest.mark.parametrize("fieldname,text", [("grams", "法治"), ("body", "法治"),
                                             ("grams", "独有"), ("body", "独有"),
                                             ("grams", "不存在")])
def test_postings_equal_the_matcher(reader, fieldname, text) -> None:
    total = 0
    for sub in _leaves(reader):
        ids, weights = postings(sub, fieldname, text)
        live = np.array([not sub.is_deleted(int(d)) for d in ids], dtype=bool)
        ids, weights = ids[live], weights[live]
        try:
            expected_ids, expected_weights = _public(sub, fieldname, text)
        except Exception:  # noqa: BLE001 - the term is not in this segment
            expected_ids, expected_weights = [], []
        assert ids.tolist() == expected_ids
        assert np.allclose(weights, expected_weights)
        total += len(ids)
    if text == "法治":
        assert total >= 300  # three blocks of 128 postings were read


def test_ref_columns_equal_the_column_reader(reader) -> None:
    for sub in _leaves(reader):
        for name in ("province", "report_year", "report_id"):
            codes, values = ref_column(sub, name)
            public = list(sub.column_reader(name, translate=False))
            assert [values[c] for c in codes] == public


def test_field_lengths_equal_doc_field_length(reader) -> None:
    for sub in _leaves(reader):
        for name in ("body", "title", "heading"):
            got = field_lengths(sub, name)
            expected = [sub.doc_field_length(d, name) or 0 for d in range(sub.doc_count_all())]
            assert got.tolist() == expected


def test_deleted_docnums_are_whooshs(reader) -> None:
    found = 0
    for sub in _leaves(reader):
        deleted = sorted(deleted_docnums(sub).tolist())
        assert deleted == [d for d in range(sub.doc_count_all()) if sub.is_deleted(d)]
        found += len(deleted)
    assert found == 3  # report r005's document and its two paragraphs
