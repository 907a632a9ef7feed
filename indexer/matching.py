"""Which paragraphs match: terms from Whoosh's postings, boolean logic, filters and scopes.

Exact mode (grep's hit set, by construction):
- a term of one character ``c``: every ``grams`` term that starts with ``c`` (every character
  of a text starts a gram: the next character or ``END`` follows it); the union of their
  postings is exactly the paragraphs holding ``c`` (for a common character, with thousands of
  such grams, a numpy pass over the normalised texts gives the same set faster);
- a term of two characters: the postings of that gram (exactly the paragraphs holding it);
- longer terms: the intersection of the postings of its rarest grams (Whoosh's document
  frequencies choose them) gives candidates that hold every gram; each candidate's normalised
  text is then checked to contain the term (a substring test), so nothing else is kept --
  but for candidates in the term's own ``body`` postings, when it is a jieba word: each jieba
  word of a paragraph is a piece of its normalised text, so these hold it.
Each segment is searched on its own (its term look-ups, its document frequencies); a small
segment (what an update adds) by ``str.find`` over its texts, which is grep itself.
Fuzzy mode: every unit (jieba word of the term) matched the same way, in any order.

Masks are boolean arrays over the snapshot's docnums; ``live`` (paragraphs not deleted) is
applied by the filter mask, so every result, count and facet leaves deleted documents out.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from . import whoosh_read
from .models import Scope
from .query import ParsedQuery, Term
from .schema import END
from .snapshot import Leaf, Snapshot

# Grams intersected at most per term before checking candidates' texts.
MAX_GRAMS = 4
# Stop intersecting once this few candidates are left (checking them is cheaper).
FEW_CANDIDATES = 64
# A segment of at most this many normalised characters (a few reports: what an update adds)
# is searched by ``str.find`` over its texts: cheaper than looking its terms up.
SCAN_CHARS = 20_000
# A one-character term is found by a pass over the segment's texts (``docs_with_char``) when
# the segment has more than one gram starting with it per this many characters of text (the
# pass costs about 0.4 ns a character, the union of the grams' postings about 5 us a list).
CHARS_PER_PREFIX_LIST = 12_000
# Term masks remembered per snapshot.
MASK_CACHE_SIZE = 512


def _grams(unit: str) -> list[str]:
    return list(dict.fromkeys(unit[i : i + 2] for i in range(len(unit) - 1)))


def unit_docs(snap: Snapshot, unit: str) -> np.ndarray:
    """Sorted docnums (deleted ones included) whose normalised text contains ``unit``: each
    segment's own (in docnum order, so the concatenation is sorted)."""
    parts = [leaf_unit_docs(leaf, unit) + leaf.offset for leaf in snap.leaves]
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)


def leaf_unit_docs(leaf: Leaf, unit: str) -> np.ndarray:
    """The segment's docnums whose normalised text contains ``unit``, sorted."""
    data, reader = leaf.data, leaf.reader
    if len(data.normed) <= SCAN_CHARS or not _encodable(unit):
        # A small segment, or a lone surrogate (no term of the index holds it): the texts.
        return data.find_docs(unit)
    if len(unit) == 1:
        return _char_docs(leaf, unit)
    if len(unit) == 2 and END not in unit:
        return data.postings(reader, "grams", unit)[0]
    grams = _grams(unit)
    grams.sort(key=lambda g: whoosh_read.doc_frequency(reader, "grams", g))
    docs = data.postings(reader, "grams", grams[0])[0]
    for g in grams[1:MAX_GRAMS]:
        if len(docs) <= FEW_CANDIDATES:
            break
        before = len(docs)
        docs = _intersect(docs, data.postings(reader, "grams", g)[0], data.doc_count)
        if len(docs) * 20 > before * 19:  # it kept 95%: the next, commoner gram keeps more
            break
    if not len(docs):
        return docs
    return docs[_holding(leaf, docs, unit)]


def _holding(leaf: Leaf, docs: np.ndarray, unit: str) -> np.ndarray:
    """Per candidate of ``docs``: whether its normalised text contains ``unit``. When the
    unit is a ``body`` word, the paragraphs whose jieba words include it hold it (each word is
    a piece of the normalised text), so only the other candidates' texts are looked at (the
    word's postings are the ranking's, read once)."""
    data = leaf.data
    if unit not in data.body_words or len(docs) <= FEW_CANDIDATES:
        return data.contains(docs, unit)
    cut = np.zeros(data.doc_count, dtype=bool)
    cut[data.postings(leaf.reader, "body", unit)[0]] = True
    held = cut[docs]
    rest = np.flatnonzero(~held)
    held[rest] = data.contains(docs[rest], unit)
    return held


def _char_docs(leaf: Leaf, ch: str) -> np.ndarray:
    """The segment's docnums whose text holds the character ``ch``: the union of the postings
    of its grams that start with ``ch``, or a pass over the texts when there are many."""
    data, reader = leaf.data, leaf.reader
    infos = whoosh_read.prefix_extents(reader, "grams", ch)
    grams = whoosh_read.prefix_terms(reader, "grams", ch) if infos is None else infos
    if len(grams) * CHARS_PER_PREFIX_LIST > len(data.normed):
        return data.docs_with_char(ch)
    if infos is None:  # not whoosh3's terms reader: term by term
        parts = [data.postings(reader, "grams", g)[0] for g in grams]
    else:
        parts = whoosh_read.docs_of_extents(reader, infos)
    if not parts:
        return np.zeros(0, dtype=np.int32)
    held = np.zeros(data.doc_count, dtype=bool)  # the union: a scatter, not a sort
    for part in parts:
        held[part] = True
    return np.flatnonzero(held).astype(np.int32)


def _intersect(docs: np.ndarray, other: np.ndarray, size: int) -> np.ndarray:
    """The docnums of sorted ``docs`` that are also in sorted ``other`` (a scatter into a mask
    of ``size`` docnums: linear, where a sorted merge of long lists is not)."""
    if len(docs) * 16 < len(other):  # few candidates, a long list: binary search
        pos = np.searchsorted(other, docs).clip(max=len(other) - 1)
        return docs[other[pos] == docs]
    seen = np.zeros(size, dtype=bool)
    seen[other] = True
    return docs[seen[docs]]


def _encodable(unit: str) -> bool:
    try:
        unit.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unit_mask(snap: Snapshot, unit: str) -> np.ndarray:
    """Boolean mask over docnums of ``unit_docs`` (cached per snapshot)."""
    cache: OrderedDict = snap._term_cache
    with snap._lock:
        hit = cache.get(unit)
        if hit is not None:
            cache.move_to_end(unit)
            return hit
    mask = np.zeros(snap.size, dtype=bool)
    mask[unit_docs(snap, unit)] = True
    mask.flags.writeable = False
    with snap._lock:
        cache[unit] = mask
        while len(cache) > MASK_CACHE_SIZE:
            cache.popitem(last=False)
    return mask


def term_mask(snap: Snapshot, term: Term) -> np.ndarray:
    mask = unit_mask(snap, term.units[0])
    for unit in term.units[1:]:
        mask = mask & unit_mask(snap, unit)
    return mask


def filter_mask(snap: Snapshot, filters: dict[str, tuple[str, ...]],
                skip: str | frozenset[str] | None = None) -> np.ndarray:
    """Live paragraphs passing every filter (but those of the field(s) ``skip``): a fresh
    mask."""
    skipped = {skip} if isinstance(skip, str) else (skip or frozenset())
    mask = snap.live.copy()
    for name, values in filters.items():
        if name not in skipped:
            mask &= snap.columns[name].mask_for(values)
    return mask


@dataclass
class Masks:
    groups: list[np.ndarray]  # one per AND item (OR of its terms)
    negative: np.ndarray | None
    any_positive: np.ndarray | None


def query_masks(snap: Snapshot, pq: ParsedQuery) -> Masks:
    groups = []
    for group in pq.groups:
        m = term_mask(snap, group[0])
        for t in group[1:]:
            m = m | term_mask(snap, t)
        groups.append(m)
    negative = None
    for t in pq.negatives:
        m = term_mask(snap, t)
        negative = m if negative is None else negative | m
    any_positive = None
    for m in groups:
        any_positive = m if any_positive is None else any_positive | m
    return Masks(groups, negative, any_positive)


def match(snap: Snapshot, masks: Masks, scope: Scope, filt: np.ndarray) -> np.ndarray:
    """The matching paragraphs among those passing ``filt``.

    Report scope: a report matches when every AND item matches some (filtered) paragraph of
    it and no (filtered) paragraph of it holds an excluded term; its hits are its filtered
    paragraphs that match at least one positive term (all of them if there is none)."""
    if scope is Scope.PARAGRAPH:
        out = filt.copy()
        for m in masks.groups:
            out &= m
        if masks.negative is not None:
            out &= ~masks.negative
        return out
    nrep = len(snap.reports)
    ok = np.ones(nrep + 1, dtype=bool)  # the last slot: documents of no report
    ok[nrep] = False
    rep = np.where(snap.report_idx < 0, nrep, snap.report_idx)
    for m in masks.groups:
        ok &= np.bincount(rep[m & filt], minlength=nrep + 1) > 0
    if masks.negative is not None:
        ok &= np.bincount(rep[masks.negative & filt], minlength=nrep + 1) == 0
    out = filt & ok[rep]
    if masks.any_positive is not None:
        out &= masks.any_positive
    return out
