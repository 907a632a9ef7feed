"""indexer.whoosh_read reads whoosh3's internals; these tests pin it to Whoosh's public API on a
real index: posting lists of many blocks, inlined ones, reference columns and field lengths."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import index as whoosh_index

from fixtures_search import make_report
from indexer import index_reports, load_settings, whoosh_writer
from indexer.whoosh_read import (
    deleted_docnums,
    doc_frequency,
    docs_of_extents,
    field_lengths,
    postings,
    prefix_extents,
    prefix_terms,
    ref_column,
    ViewStream,
)


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


@pytest.mark.parametrize("prefix", ["法", "第", "独", "无"])
def test_prefix_lists_equal_the_terms_one_by_one(reader, prefix) -> None:
    """The walk along the sorted terms gives each term's postings, as term look-ups do, and
    the term info's document frequency is Whoosh's."""
    seen = 0
    for sub in _leaves(reader):
        terms = prefix_terms(sub, "grams", prefix)
        walked = [ids.tolist() for ids in docs_of_extents(sub, prefix_extents(sub, "grams",
                                                                                prefix))]
        assert walked == [postings(sub, "grams", t)[0].tolist() for t in terms]
        for t in terms:
            assert doc_frequency(sub, "grams", t) == sub.doc_frequency("grams", t)
        seen += len(terms)
    assert seen or prefix == "无"


def test_the_public_fallback_gives_the_same_postings(reader, monkeypatch) -> None:
    """A reader that is not whoosh3's W3 terms reader is read through its matcher: the same
    postings and document frequencies."""
    from indexer import whoosh_read

    expected = {(id(sub), t): postings(sub, "grams", t)[0].tolist()
                for sub in _leaves(reader) for t in ("法治", "独有", "不存在")}
    monkeypatch.setattr(whoosh_read, "_terminfo_bytes", lambda *a: whoosh_read._NO_TERM)
    for sub in _leaves(reader):
        for t in ("法治", "独有", "不存在"):
            assert postings(sub, "grams", t)[0].tolist() == expected[(id(sub), t)]
            assert doc_frequency(sub, "grams", t) == len(expected[(id(sub), t)])


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


def test_array_pool_hands_out_what_whoosh_s_pool_does(tmp_path) -> None:
    """The writer's array pool gives the field writer the same postings, in the same order, as
    Whoosh's own sorting pool, also when a merge adds docnums out of order and when it spills
    sorted runs past its limit."""
    import random

    from whoosh.filedb.filestore import FileStorage
    from whoosh.writing import PostingPool

    rng = random.Random(7)
    items = [(rng.choice(["body", "grams", "title"]), rng.choice(["法治", "复议", "执法", "x"])
              .encode("utf-8"), d, float(rng.randint(1, 3)), rng.choice([b"", b"\x00\x01"]))
             for d in range(3000)]
    items += [("body", "法治".encode("utf-8"), d, 1.0, b"") for d in (3005, 3002, 3009)]  # out of order
    store = FileStorage(str(tmp_path)).create()
    expected_pool = PostingPool(store, None, limitmb=64)
    for item in items:
        expected_pool.add(item)
    expected = list(expected_pool.iter_postings())
    for limit in (64 * 1024 * 1024, 4096):  # in memory; spilling runs every few hundred
        pool = whoosh_writer.ArrayPostingPool(store, None, limitmb=64)
        pool.limit = limit
        for item in items:
            pool.add(item)
        assert (len(pool.runs) > 1) == (limit == 4096)
        assert list(pool.iter_postings()) == expected
        pool.cleanup()


def test_postings_of_a_segment_written_by_whoosh_itself(tmp_path) -> None:
    """A segment of Whoosh's own W3 writer (zlib-compressed tuple blocks of 128 postings, as
    indexes written before the lean writer's raw blocks have): the same postings as its
    matcher."""
    from whoosh import fields

    schema = fields.Schema(body=fields.TEXT(), tag=fields.ID())
    ix = whoosh_index.create_in(str(tmp_path), schema)
    with ix.writer() as w:
        for i in range(700):
            w.add_document(body=" ".join(["common"] * (1 + i % 5) + [f"w{i % 7}"]), tag=str(i))
    with ix.reader() as r:
        for sub in _leaves(r):
            for text in ("common", "w3", "absent"):
                ids, weights = postings(sub, "body", text)
                try:
                    expected_ids, expected_weights = _public(sub, "body", text)
                except Exception:  # noqa: BLE001 - not in this segment
                    expected_ids, expected_weights = [], []
                assert ids.tolist() == expected_ids
                assert np.allclose(weights, expected_weights)
            assert len(postings(sub, "body", "common")[0]) == 700


@given(st.binary(max_size=300), st.lists(st.tuples(st.sampled_from(["read", "readline", "seek",
                                                                   "tell", "readinto"]),
                                                  st.integers(-2, 320)), max_size=25))
def test_view_stream_reads_as_bytesio_does(data: bytes, steps) -> None:
    """The stream Whoosh's own matchers read a segment's files through (no copy of the file)
    answers every read, seek and tell as ``BytesIO`` over the same bytes."""
    ours, theirs = ViewStream(memoryview(data)), io.BytesIO(data)
    for op, n in steps:
        if op == "seek":
            assert ours.seek(max(n, 0)) == theirs.seek(max(n, 0))
        elif op == "readinto":
            a, b = bytearray(max(n, 0)), bytearray(max(n, 0))
            assert ours.readinto(a) == theirs.readinto(b) and a == b
        elif op == "tell":
            assert ours.tell() == theirs.tell()
        else:
            assert getattr(ours, op)(n) == getattr(theirs, op)(n)


def test_pickles_load_from_a_view_stream() -> None:
    import pickle

    blob = pickle.dumps((1, "法治", [2.5, None])) + pickle.dumps({"b": b"\x00\n"}, protocol=0)
    stream = ViewStream(memoryview(blob))
    assert pickle.load(stream) == (1, "法治", [2.5, None])
    assert pickle.load(stream) == {"b": b"\x00\n"}
