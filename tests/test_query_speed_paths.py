"""The query-time fast paths give exactly the answers of the slow, obvious ones: highlight
spans without a per-character offset list, term masks from the Whoosh grams postings, packed
sort keys, facet counting from ordinals and filter masks by comparison."""

from __future__ import annotations

import importlib
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from fixtures_search import SEED_META
from indexer import SearchRequest, search
from indexer.facets import build_column, count_facet
from indexer.highlight import find_spans, merge_spans
from indexer.models import FACET_FIELDS, Mode, Scope, Sort
from indexer.normalize import (
    normalize,
    normalize_with_offsets,
    normalized_ends,
    original_span,
    original_spans,
)
from indexer.query import parse_query

M_SEARCH = importlib.import_module("indexer.searching")
M_MATCH = importlib.import_module("indexer.matching")
M_RANK = importlib.import_module("indexer.ranking")
M_RESULTS = importlib.import_module("indexer.results")

# Characters whose normalised form is not themselves, one for one: traditional forms,
# full-width forms, whitespace (dropped), zero-width and combining characters, NFKC
# expansions (ﬁ, ㈱, ﷺ, Ⅻ), a lower case that grows (İ), characters beyond U+FFFF, U+FFFF
# itself, a lone surrogate, and the separator.
AWKWARD = (
    "國家機關執法張鎮規範 法治政府建设的一二（）()，。、“”"
    "ＡＢＣａｂ１２３０ABCabc0123 "
    " \u3000\t\n\r\xa0\u2028\u200b\u200c\u200d\ufeff"
    "e\u0301\u0301\u0308ﬁ㈱\ufdfaⅫİß"
    "𠀀😀\U0002a6a5\uffff\ud800"
)
texts = st.text(alphabet=st.sampled_from(AWKWARD) | st.characters(), max_size=40)


def reference_spans(text: str, needles: list[str]) -> tuple[tuple[int, int], ...]:
    """The highlight spans as first specified: through the full offset list."""
    needles = [n for n in dict.fromkeys(needles) if n]
    if not needles:
        return ()
    norm, offsets = normalize_with_offsets(text)
    spans = []
    for needle in needles:
        i = norm.find(needle)
        while i >= 0:
            spans.append((offsets[i], offsets[i + len(needle) - 1] + 1))
            i = norm.find(needle, i + 1)
    return tuple(merge_spans(spans))


@st.composite
def text_and_needles(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A text and needles: mostly pieces of its normalised form (so that they occur)."""
    text = draw(texts)
    norm = normalize(text)
    needles = []
    for _ in range(draw(st.integers(0, 4))):
        if norm and draw(st.booleans()):
            i = draw(st.integers(0, len(norm) - 1))
            needles.append(norm[i : draw(st.integers(i + 1, len(norm)))])
        else:
            needles.append(normalize(draw(texts)))
    return text, needles


@settings(max_examples=800, suppress_health_check=[HealthCheck.too_slow])
@given(text_and_needles())
def test_find_spans_equals_the_offset_list(case: tuple[str, list[str]]) -> None:
    """Spans found with or without the identity shortcut are those of the offset list."""
    text, needles = case
    assert find_spans(text, needles) == reference_spans(text, needles)


@settings(max_examples=800)
@given(texts)
def test_normalized_ends_is_the_offset_map(text: str) -> None:
    """``normalized_ends`` maps each normalised character to the same original character as
    ``normalize_with_offsets``; None exactly when that map is the identity."""
    norm, offsets = normalize_with_offsets(text)
    ends = normalized_ends(text)
    every = [(i, j) for i in range(len(norm)) for j in range(i + 1, min(len(norm), i + 3) + 1)]
    assert original_spans(text, norm, every) == [original_span(offsets, i, j) for i, j in every]
    if ends is None:
        assert offsets == list(range(len(text))) and norm == normalize(text)
    else:
        assert len(ends) == len(text) and (not ends or ends[-1] == len(norm))
        assert [bisect_right(ends, i) for i in range(len(norm))] == offsets
        assert offsets != list(range(len(text))) or len(norm) != len(text)


@pytest.mark.parametrize(
    ("text", "needles", "expected"),
    [
        ("法治政府", ["政府"], ((2, 4),)),  # identity map
        (" ﬁ法", ["fi"], ((1, 2),)),  # as long as its normal form, yet not one for one
        ("法 治\u3000政府", ["法治", "政府"], ((0, 3), (4, 6))),  # spaces inside and between
        ("國家機關", ["国家"], ((0, 2),)),  # traditional, one for one
        ("ﬁle ﬁ", ["fi"], ((0, 1), (4, 5))),  # one character normalised to two
        ("ﬁle", ["il"], ((0, 2),)),  # a match starting inside an expansion
        ("a\u200bb", ["ab"], ((0, 3),)),
        ("法治", ["無"], ()),
    ],
)
def test_find_spans_examples(text: str, needles: list[str], expected: tuple) -> None:
    """Spans are in original characters whatever normalisation did to them."""
    assert find_spans(text, [normalize(n) for n in needles]) == expected


# ---------------------------------------------------------------- unit masks


def _grep_mask(paragraphs: list[str], unit: str) -> list[bool]:
    return [unit in t for t in paragraphs]


def _live_texts(snap) -> tuple[np.ndarray, list[str]]:
    docs = np.flatnonzero(snap.live)
    return docs, [snap.normed_text(int(d)) for d in docs]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(texts.map(lambda t: "".join(c for c in t if not "\ud800" <= c <= "\udfff")),
                min_size=1, max_size=8), st.data())
def test_unit_mask_equals_grep(tmp_path_factory, monkeypatch, paragraphs: list[str],
                               data: st.DataObject) -> None:
    """Over a real Whoosh index: a unit's mask (from the grams postings, checked against the
    texts; one character by its grams or by a pass over the texts) is grep's for 1-, 2- and
    longer units, pieces of paragraphs, characters beyond U+FFFF and U+FFFF itself included."""
    monkeypatch.setattr(M_MATCH, "SCAN_CHARS", 0)  # the postings, not a small segment's scan
    monkeypatch.setattr(M_MATCH, "CHARS_PER_PREFIX_LIST", data.draw(st.sampled_from([1, 10**9])))
    settings_ = _index_of(tmp_path_factory.mktemp("units"), paragraphs)
    snap = M_SEARCH.snapshot(settings_)
    docs, normed = _live_texts(snap)
    units = [normalize(data.draw(texts)) or "法"]
    for t in normed:
        if t:
            i = data.draw(st.integers(0, len(t) - 1))
            units.append(t[i : data.draw(st.integers(i + 1, len(t)))])
            units.append(t[i])
    for unit in units:
        mask = M_MATCH.unit_mask(snap, unit)
        assert mask[docs].tolist() == _grep_mask(normed, unit), unit
        assert M_MATCH.unit_mask(snap, unit) is mask  # cached


def _index_of(folder, paragraphs: list[str]):
    from fixtures_search import make_report
    from indexer import index_reports, load_settings

    settings_ = load_settings().replace(index_path=folder / "index")
    index_reports(settings_, [make_report("r", paragraphs)])
    return settings_


def test_unit_mask_on_a_real_index(seed_index) -> None:
    """On the seed index: one-character, dense, rare and absent units are grep's."""
    snap = M_SEARCH.snapshot(seed_index)
    docs, normed = _live_texts(snap)
    for unit in ["的", "法", "法治政府", "2023", "(一)", "国家", "治政", "无此词语", "𠀀", "。"]:
        assert M_MATCH.unit_mask(snap, unit)[docs].tolist() == _grep_mask(normed, unit), unit


def test_unit_mask_of_an_empty_index(tmp_path) -> None:
    """An index with a report of no paragraphs: empty masks."""
    from fixtures_search import make_report
    from indexer import index_reports, load_settings

    settings_ = load_settings().replace(index_path=tmp_path / "index")
    index_reports(settings_, [make_report("empty", [])])
    snap = M_SEARCH.snapshot(settings_)
    assert not M_MATCH.unit_mask(snap, "法")[snap.live].any()


# ---------------------------------------------------------------- ranking and order


@dataclass
class _Rows:
    """What ``_order`` reads from a Snapshot."""

    year: np.ndarray
    report_rank: np.ndarray
    report_idx: np.ndarray
    n: np.ndarray
    report_published: np.ndarray  # day number per report, -1: no date


def _reference_order(rows: _Rows, matched: np.ndarray, scores: np.ndarray, sort: Sort,
                     ranked: bool) -> np.ndarray:
    year = rows.year[matched]
    rep = rows.report_rank[rows.report_idx[matched]]
    n = rows.n[matched]
    day = rows.report_published[rows.report_idx[matched]].astype(np.int64)
    last = np.iinfo(np.int64).max  # no date: last in both directions
    if sort is Sort.PUBLISHED_NEWEST:
        keys = (n, rep, np.where(day < 0, last, -day))
    elif sort is Sort.PUBLISHED_OLDEST:
        keys = (n, rep, np.where(day < 0, last, day))
    elif sort is Sort.NEWEST:
        keys = (n, rep, -year)
    elif sort is Sort.OLDEST:
        keys = (n, rep, np.where(year < 0, np.iinfo(np.int32).max, year))
    elif ranked:
        keys = (n, rep, -year, -scores)
    else:
        keys = (n, rep)
    return np.lexsort(keys)


int32s = st.integers(np.iinfo(np.int32).min + 1, np.iinfo(np.int32).max)


@settings(max_examples=400)
@given(st.integers(0, 30), st.data(), st.sampled_from(list(Sort)), st.booleans(), st.booleans())
def test_order_equals_four_key_lexsort(size: int, data: st.DataObject, sort: Sort, ranked: bool,
                                       huge: bool) -> None:
    """Packed keys order the rows as the four-key lexsort, ties and all; so does the
    fallback when the keys would not fit in 63 bits (``huge``)."""
    small = st.integers(-1, 3)
    ints = int32s if huge else small
    rows = _Rows(
        year=np.array(data.draw(st.lists(ints, min_size=size, max_size=size)), dtype=np.int32),
        report_rank=np.array(data.draw(st.lists(ints, min_size=size, max_size=size)),
                             dtype=np.int32),
        report_idx=np.arange(size, dtype=np.int32),
        n=np.array(data.draw(st.lists(ints, min_size=size, max_size=size)), dtype=np.int32),
        report_published=np.array(data.draw(st.lists(
            st.integers(-1, 800_000) if huge else small, min_size=size, max_size=size)),
            dtype=np.int32),
    )
    matched = np.array(sorted(set(data.draw(st.lists(st.integers(0, max(size - 1, 0)))))
                              if size else []), dtype=np.int64)
    scores = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.5, 1.25, 3.0]),
                                         min_size=len(matched), max_size=len(matched))))
    got = M_RANK.order(rows, matched, scores, sort, ranked)  # type: ignore[arg-type]
    assert got.tolist() == _reference_order(rows, matched, scores, sort, ranked).tolist()


def test_packed_gives_up_when_keys_do_not_fit() -> None:
    """Three keys spanning the whole int32 range cannot share 63 bits."""
    wide = np.array([np.iinfo(np.int32).min + 1, np.iinfo(np.int32).max], dtype=np.int32)
    assert M_RANK._packed((wide, wide, wide)) is None
    assert M_RANK._packed((wide,)) is not None


# ---------------------------------------------------------------- facets


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", None]), max_size=30), st.data())
def test_count_facet_from_ordinals_equals_from_mask(values: list, data: st.DataObject) -> None:
    """Counting over ordinals gives the facet counting over the boolean mask gives."""
    column = build_column("province", values)
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(values),
                                       max_size=len(values))), dtype=bool)
    selected = data.draw(st.lists(st.sampled_from(["a", "b", "zz"]), max_size=2, unique=True))
    size = data.draw(st.integers(1, 4))
    assert (count_facet(column, np.flatnonzero(mask), selected, size)
            == count_facet(column, mask, selected, size))


@settings(max_examples=200)
@given(st.lists(st.integers(0, 12), max_size=40), st.lists(st.integers(0, 14), max_size=12))
def test_mask_for_equals_isin(values: list[int], chosen: list[int]) -> None:
    """A few selected values (compared one by one) or many (isin): the same mask."""
    column = build_column("city", [f"v{v}" if v else None for v in values])
    selected = [f"v{c}" for c in chosen]
    codes = [column.code_of(v) for v in selected]
    expected = np.isin(column.codes, [c for c in codes if c is not None])
    assert column.mask_for(selected).tolist() == expected.tolist()


def _reference_facets(snap, masks, scope, filters, size):
    """The facets as first specified: a match per field."""
    out = []
    for name in FACET_FIELDS:
        skip = M_RESULTS.REGION_FIELDS if name in M_RESULTS.REGION_FIELDS else name
        match = M_MATCH.match(snap, masks, scope, M_MATCH.filter_mask(snap, filters, skip))
        out.append(count_facet(snap.columns[name], match, filters.get(name, ()), size,
                               M_RESULTS._year_sort if name == "report_year" else None,
                               snap.report_idx))
    return tuple(out)


@pytest.mark.parametrize("scope", list(Scope))
@pytest.mark.parametrize(
    "filters",
    [{}, {"province": ("江苏省",)}, {"province": ("江苏省", "浙江省"), "report_year": ("2023",)},
     {"level": ("city",), "section": ("measures", "plans")}],
)
def test_facets_equal_one_match_per_field(seed_index, scope: Scope, filters) -> None:
    """Sharing the match of the fields without a filter changes no count."""
    snap = M_SEARCH.snapshot(seed_index)
    for query in ["法治", "政府 -复议", "", "的 OR 法"]:
        masks = M_MATCH.query_masks(snap, parse_query(query, Mode.EXACT))
        assert (M_RESULTS.facets(snap, masks, scope, filters, 50)
                == _reference_facets(snap, masks, scope, filters, 50)), (query, filters)


def test_seed_meta_has_the_filtered_values() -> None:
    """The filters above select values the seed index has (the test is not vacuous)."""
    assert {m["province"] for m in SEED_META} >= {"江苏省", "浙江省"}
    assert any(m.get("report_year") == 2023 for m in SEED_META)


def test_search_highlights_equal_the_offset_list(seed_index) -> None:
    """Through search(): every hit's highlights are the reference spans of its terms."""
    for query in ["法治", "國家 政府", "2023年", "(一)", "的"]:
        needles = [normalize(t) for t in query.split()]
        res = search(seed_index, SearchRequest(query=query, grouped=False, limit=10**6))
        assert res.hits, query
        for hit in res.hits:
            assert hit.highlights == reference_spans(hit.text, needles), (query, hit.n)


def test_common_character_scan_equals_the_gram_union(seed_index) -> None:
    """A one-character term: the pass over a segment's texts, its ``str.find`` scan and the
    union of its grams' postings give the same paragraphs."""
    from indexer import whoosh_read

    snap = M_SEARCH.snapshot(seed_index)
    for ch in ["的", "法", "。", "2", "𠀀", "镇"]:
        found = 0
        for leaf in snap.leaves:
            scanned = leaf.data.docs_with_char(ch).tolist()
            grams = whoosh_read.prefix_terms(leaf.reader, "grams", ch)
            union = sorted({int(d) for g in grams
                            for d in leaf.data.postings(leaf.reader, "grams", g)[0]})
            assert scanned == union == leaf.data.find_docs(ch).tolist(), ch
            found += len(union)
        if ch != "𠀀":
            assert found, ch


@pytest.mark.parametrize("scan_chars,chars_per_list,walk", [
    (0, 1, True), (0, 1, False), (0, 10**9, True), (10**9, 1, True)])
def test_every_way_to_a_unit_equals_grep(seed_index, monkeypatch, scan_chars,
                                         chars_per_list, walk) -> None:
    """Each segment's way to a unit -- the grams' postings checked against the texts, a
    character's grams by a walk along the terms or one by one, the pass over the texts for one
    character, the ``str.find`` scan of a small segment -- is grep's."""
    from indexer import whoosh_read

    if not walk:
        monkeypatch.setattr(whoosh_read, "prefix_extents", lambda *a: None)
    monkeypatch.setattr(M_MATCH, "SCAN_CHARS", scan_chars)
    monkeypatch.setattr(M_MATCH, "CHARS_PER_PREFIX_LIST", chars_per_list)
    monkeypatch.setattr(M_MATCH, "FEW_CANDIDATES", 0)  # body words' postings confirm candidates
    snap = M_SEARCH.snapshot(seed_index)
    docs, normed = _live_texts(snap)
    for unit in ["的", "法", "法治政府", "2023", "(一)", "国家", "治政", "无此词语", "𠀀", "。",
                 "政府", "建设法治", "合法性", "法治政府建设", "行政执法", "人民政府"]:
        found = np.zeros(snap.size, dtype=bool)
        found[M_MATCH.unit_docs(snap, unit)] = True
        assert found[docs].tolist() == _grep_mask(normed, unit), unit
