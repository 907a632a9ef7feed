"""Ranking: Whoosh's BM25F over the jieba fields, computed with numpy, and result order.

A query's ranking is a list of *clauses* ``(field, word, boost)``: every indexed jieba word
inside each positive term, in ``body`` (boost 1), ``heading`` (the paragraph's heading path)
and ``title`` (the report's title), plus the term itself in ``body`` when it is a word of the
index. A paragraph's score is what Whoosh gives the query ``Or([Term(f, w, boost=b), ...])``
under ``scoring.BM25F()`` (B=0.75, K1=1.2): for each clause,
``b * idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * fl / avgfl))`` with Whoosh's own
statistics -- ``idf = log(N / (df + 1)) + 1`` (N: ``doc_count_all``, df: ``doc_frequency``),
``avgfl = field_length / N``, tf the posting's weight, fl the document's stored field length
-- read from the same segments (tests/test_ranking.py compares the two on a sample).
"""

from __future__ import annotations

from math import log

import numpy as np

from .models import Sort
from .query import ParsedQuery
from .snapshot import Snapshot

BM25_B = 0.75
BM25_K1 = 1.2
FIELD_BOOSTS = {"body": 1.0, "heading": 0.5, "title": 0.3}
WHOLE_WORD_BOOST = 1.0
# Longest jieba word looked for inside a term (jieba's dictionary holds few longer ones).
LONGEST_WORD = 8

Clause = tuple[str, str, float]


def term_words(snap: Snapshot, norm: str) -> list[str]:
    """The indexed jieba words inside a normalised term: every substring (up to
    ``LONGEST_WORD`` characters, single characters only for one-character terms) that is a
    term of the ``body`` field. Search-mode segmentation with the index's own vocabulary: a
    query never loads jieba; the vocabulary is a set, so most substrings (no word) cost no
    look-up in Whoosh's term index."""
    found: dict[str, None] = {}
    for i in range(len(norm)):
        for k in range(min(LONGEST_WORD, len(norm) - i), 0, -1):
            piece = norm[i : i + k]
            if (k > 1 or len(norm) == 1) and piece in snap.body_words:
                found.setdefault(piece, None)
    return list(found)


def clauses(snap: Snapshot, pq: ParsedQuery) -> list[Clause]:
    """The ranking clauses of ``pq``'s positive terms (each clause once)."""
    out: dict[Clause, None] = {}
    for term in pq.positive_terms:
        for clause in _term_clauses(snap, term.norm):
            out.setdefault(clause, None)
    return list(out)


def _term_clauses(snap: Snapshot, norm: str) -> list[Clause]:
    """One term's clauses (remembered per snapshot): every word in ``body``; in ``heading``
    and ``title`` only the words no longer found word contains (a heading or title that holds
    人民代表大会 is not counted again for 人民 and 代表: fewer, shorter posting lists)."""
    cached = snap._clause_cache.get(norm)
    if cached is not None:
        return cached
    words = term_words(snap, norm)
    widest = [w for w in words if not any(w != o and w in o for o in words)]
    out = [("body", w, FIELD_BOOSTS["body"]) for w in words]
    for fieldname in ("heading", "title"):
        out += [(fieldname, w, FIELD_BOOSTS[fieldname]) for w in widest]
    if norm in words:
        out.append(("body", norm, WHOLE_WORD_BOOST))
    snap._clause_cache[norm] = out
    while len(snap._clause_cache) > CLAUSE_CACHE_SIZE:
        snap._clause_cache.popitem(last=False)
    return out


CLAUSE_CACHE_SIZE = 1024


def bm25f(snap: Snapshot, clause_list: list[Clause], docs: np.ndarray) -> np.ndarray:
    """Whoosh's BM25F score of the clauses for each docnum of ``docs`` (sorted; aligned),
    computed at the postings of ``docs`` alone, segment by segment: each posting list is
    mapped onto the matches with one gather (``slot``), whatever its length."""
    out = np.zeros(len(docs), dtype=np.float64)
    if not len(docs) or not clause_list:
        return out
    slot = np.full(snap.size, -1, dtype=np.int32)  # per docnum: its index in ``docs``
    slot[docs] = np.arange(len(docs), dtype=np.int32)
    for clause in clause_list:
        fieldname, word, _boost = clause
        parts = snap.leaf_postings(fieldname, word)
        # Whoosh's doc_frequency: the term's postings in every segment, deleted ones included.
        df = sum(len(ids) for _leaf, ids, _tf in parts)
        where, tfs = [], []
        for leaf, ids, tf in parts:
            at = slot[leaf.offset : leaf.offset + leaf.data.doc_count][ids]
            held = at >= 0
            where.append(at[held])
            tfs.append(tf[held])
        if where:
            at, tf = (where[0], tfs[0]) if len(where) == 1 else (np.concatenate(where),
                                                                 np.concatenate(tfs))
            if len(at):
                out[at] += _bm25(snap, clause, df, docs[at], tf)
    return out


def _bm25(snap: Snapshot, clause: Clause, df: int, ids: np.ndarray, tf: np.ndarray
          ) -> np.ndarray:
    """boost x Whoosh's BM25F of a clause at the postings ``ids`` (term frequencies ``tf``);
    ``df``: the clause's postings in every segment, deleted ones included (Whoosh's
    ``doc_frequency``)."""
    fieldname, _word, boost = clause
    n_all = snap.doc_count_all or 1
    idf = log(n_all / (df + 1)) + 1
    avgfl = (snap.field_totals[fieldname] / n_all) or 1.0
    fl = snap.lengths[fieldname][ids]
    tf = tf.astype(np.float64)
    norm = BM25_K1 * ((1 - BM25_B) + BM25_B * fl / avgfl)
    return boost * (idf * ((tf * (BM25_K1 + 1)) / (tf + norm)))


def scores(snap: Snapshot, pq: ParsedQuery, docs: np.ndarray) -> np.ndarray:
    """The relevance score of each matched docnum (aligned with ``docs``): BM25F times what
    this domain knows of a paragraph (``domain_weights``), repeated texts demoted."""
    if not pq.positive_terms or not len(docs):
        return np.zeros(len(docs), dtype=np.float64)
    score = bm25f(snap, clauses(snap, pq), docs) * domain_weights(snap, docs)
    return demote_repeats(snap, docs, score)


def title_scores(snap: Snapshot, titles: ParsedQuery, docs: np.ndarray) -> np.ndarray:
    """The relevance of paragraphs found by their report's title alone: Whoosh's BM25F of the
    title terms' words in the ``title`` field (equal for every paragraph of a report)."""
    found: dict[Clause, None] = {}
    for term in titles.positive_terms:
        for word in term_words(snap, term.norm):
            found.setdefault(("title", word, 1.0), None)
    if not found or not len(docs):
        return np.zeros(len(docs), dtype=np.float64)
    return bm25f(snap, list(found), docs)


# What the domain offers (docs/relevance.md measures each on the judged set):
# a bare heading names a topic, the paragraphs under it (lifted by the ``heading`` field) say
# what was done; a one-line clause is rarely the answer; statute articles are boilerplate next
# to a report's account; a paragraph with concrete figures (件, 起, %, 次) reports results.
HEADING_WEIGHT = 0.35
SHORT_CHARS = 30
SHORT_WEIGHT = 0.6
ARTICLE_WEIGHT = 0.5
FIGURES_WEIGHT = 1.3
REPORT_WEIGHT = 1.3
REPEAT_WEIGHT = 0.3


def domain_weights(snap: Snapshot, docs: np.ndarray) -> np.ndarray:
    from .segment_cache import SIGNAL_ARTICLE, SIGNAL_FIGURES

    w = np.ones(len(docs), dtype=np.float64)
    w[snap.is_heading_arr[docs]] *= HEADING_WEIGHT
    w[snap.norm_len[docs] < SHORT_CHARS] *= SHORT_WEIGHT
    signals = snap.signals[docs]
    w[(signals & SIGNAL_ARTICLE) > 0] *= ARTICLE_WEIGHT
    w[(signals & SIGNAL_FIGURES) > 0] *= FIGURES_WEIGHT
    w[snap.report_is_report[snap.report_idx[docs]]] *= REPORT_WEIGHT
    return w


def demote_repeats(snap: Snapshot, docs: np.ndarray, score: np.ndarray) -> np.ndarray:
    """The same normalised text in several places (boilerplate repeated across reports or
    laws): only its best-scored copy keeps its score. Only texts that occur more than once in
    the index (``snap.repeated_text``) can be repeats, so only those are sorted."""
    maybe = np.flatnonzero(snap.repeated_text[docs])
    if not len(maybe):
        return score
    best_first = maybe[np.argsort(-score[maybe], kind="stable")]
    _, first = np.unique(snap.text_hash[docs[best_first]], return_index=True)
    repeat = np.ones(len(best_first), dtype=bool)
    repeat[first] = False
    out = score.copy()
    out[best_first[repeat]] *= REPEAT_WEIGHT
    return out


def order(snap: Snapshot, docs: np.ndarray, score: np.ndarray, sort: Sort,
          ranked: bool) -> np.ndarray:
    """Indices into ``docs`` in result order (ties: newer year, then report, position)."""
    year = snap.year[docs]
    rep = snap.report_rank[snap.report_idx[docs]] if len(snap.report_rank) else docs * 0
    n = snap.n[docs]
    primary = None
    if sort in (Sort.PUBLISHED_NEWEST, Sort.PUBLISHED_OLDEST):
        day = snap.report_published[snap.report_idx[docs]].astype(np.int64)
        undated = day < 0  # last either way
        day = -day if sort is Sort.PUBLISHED_NEWEST else day
        keys = (n, rep, np.where(undated, np.iinfo(np.int32).max, day))
    elif sort is Sort.NEWEST:
        keys = (n, rep, -year)
    elif sort is Sort.OLDEST:
        keys = (n, rep, np.where(year < 0, np.iinfo(np.int32).max, year))
    elif ranked:
        keys, primary = (n, rep, -year), -score
    else:
        keys = (n, rep)
    packed = _packed(keys)
    if packed is None:
        return np.lexsort(keys if primary is None else (*keys, primary))
    return np.argsort(packed, kind="stable") if primary is None else np.lexsort((packed, primary))


def _packed(keys: tuple[np.ndarray, ...]) -> np.ndarray | None:
    """One int64 per row that orders the rows as ``np.lexsort(keys)`` does (integer keys, the
    last one primary); None when the packed values would not fit."""
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    if not len(packed):
        return packed
    scale = 1
    for key in keys:
        low, high = int(key.min()), int(key.max())
        if scale * (high - low + 1) >= 2**62:
            return None
        packed += (key.astype(np.int64) - low) * scale
        scale *= high - low + 1
    return packed
