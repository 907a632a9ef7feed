"""The two engines of the relevance harness, each built and queried in its own process.

Isolation matters for correctness, not only memory: fazhi-search adds its government terms to
jieba's global default tokenizer, which the baseline's ``ChineseAnalyzer`` also uses, so in one
process the baseline's queries (and index) would depend on whether fazhi-search ran first.
``rank_all`` runs each engine in a fresh interpreter (``spawn``) and returns plain Results.
"""

from __future__ import annotations

import multiprocessing
import shutil
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .corpora import corpus_files
from .relevance_score import Need, Result

BASELINE = "baseline"
FAZHI = "fazhi"  # the need's own mode
FAZHI_FUZZY = "fazhi-fuzzy"
ENGINES = (BASELINE, FAZHI, FAZHI_FUZZY)
# Pool-only runs of fazhi-search: what a better ranking would surface, so that it is judged.
UNDER_HEADING = "under-heading"
REPORTS = "reports"
LOCAL_REPORT_PARTS = ("seeds", "report-excerpts")  # folders of the judged corpus
LAW_PART = "lawrefbook-laws"

Rankings = dict[str, dict[str, list[Result]]]  # run -> need id -> ranked results


def rank_all(corpus: Path, work: Path, needs: Sequence[Need], k: int, engines: Sequence[str],
             reuse: bool = False, pool_runs: bool = False, pool_depth: int = 25) -> Rankings:
    """Build (unless REUSE finds them) and query each engine's index under WORK, one process
    per engine; the runs asked for in ENGINES (plus the pool-only runs when POOL_RUNS)."""
    out: Rankings = {}
    if BASELINE in engines:
        out.update(_in_fresh_process(_baseline_worker, corpus, work / "baseline", list(needs), k,
                                     reuse))
    fazhi_runs = [e for e in engines if e != BASELINE]
    if fazhi_runs or pool_runs:
        out.update(_in_fresh_process(_fazhi_worker, corpus, work / "ours", list(needs), k, reuse,
                                     fazhi_runs, pool_runs, pool_depth))
    return out


def _in_fresh_process(func, *args) -> Rankings:
    """FUNC(*ARGS) in a new interpreter of its own (nothing shared with other engines)."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as ex:
        return ex.submit(func, *args).result()


def source_map(corpus: Path) -> dict[str, str]:
    """report id (relative path without suffix) -> source file relative to CORPUS."""
    from .baseline import report_id_of

    rels = (p.relative_to(corpus).as_posix() for p in corpus_files(corpus))
    return {report_id_of(rel): rel for rel in rels}


def _fresh(index_dir: Path, reuse: bool) -> bool:
    """True when the index at INDEX_DIR must be (re)built."""
    if reuse and index_dir.is_dir():
        return False
    shutil.rmtree(index_dir, ignore_errors=True)
    return True


def _baseline_worker(corpus: Path, index_dir: Path, needs: list[Need], k: int,
                     reuse: bool) -> Rankings:
    from whoosh import index
    from whoosh.qparser import PlusMinusPlugin, QueryParser

    from . import baseline

    if _fresh(index_dir, reuse):
        baseline.build(corpus, index_dir)
    sources = source_map(corpus)
    ix = index.open_dir(str(index_dir))
    parser = QueryParser("text", ix.schema)  # exactly as benchmarks.baseline parses
    parser.add_plugin(PlusMinusPlugin())
    runs: dict[str, list[Result]] = {}
    with ix.searcher() as searcher:
        for need in needs:
            hits = searcher.search(parser.parse(need.query), limit=k)
            runs[need.id] = [Result(sources[h["report_id"]], h["text"]) for h in hits]
    ix.close()
    return {BASELINE: runs}


def _fazhi_worker(corpus: Path, index_dir: Path, needs: list[Need], k: int, reuse: bool,
                  runs: list[str], pool_runs: bool, pool_depth: int) -> Rankings:
    from . import engine

    if _fresh(index_dir, reuse):
        engine.build(corpus, index_dir)
    searcher = _FazhiSearch(engine.settings_for(index_dir, corpus), source_map(corpus))
    out: Rankings = {run: {} for run in runs}
    if pool_runs:
        out[UNDER_HEADING], out[REPORTS] = {}, {}
    for need in needs:
        if FAZHI in runs:
            out[FAZHI][need.id] = searcher.results(need.query, need.mode, k)
        if FAZHI_FUZZY in runs:
            out[FAZHI_FUZZY][need.id] = searcher.results(need.query, "fuzzy", k)
        if pool_runs:
            out[UNDER_HEADING][need.id] = searcher.under_headings(need, k)
            out[REPORTS][need.id] = searcher.local_reports(need, pool_depth)
    return out


class _FazhiSearch:
    """fazhi-search's ``indexer.search`` (flat list, relevance order) as Results."""

    def __init__(self, settings, sources: dict[str, str]) -> None:
        self._settings = settings
        self._sources = sources

    def _hits(self, query: str, mode: str, k: int):
        import indexer

        request = indexer.SearchRequest(query=query, mode=indexer.Mode(mode), grouped=False,
                                        limit=k, with_facets=False)
        return indexer.search(self._settings, request).hits

    def _source(self, report_id: str) -> str:
        return self._sources.get(report_id, report_id)

    def results(self, query: str, mode: str, k: int) -> list[Result]:
        return [Result(self._source(h.report_id), h.text) for h in self._hits(query, mode, k)]

    def under_headings(self, need: Need, k: int, per_heading: int = 8) -> list[Result]:
        """Paragraphs of the report sections whose headings are in the top K: what a ranking
        that lifts a heading's section would show."""
        import indexer

        out: list[Result] = []
        for hit in self._hits(need.query, need.mode, k):
            source = self._source(hit.report_id)
            if not hit.is_heading or source.split("/", 1)[0] == LAW_PART:
                continue
            report = indexer.get_report(self._settings, hit.report_id)
            under = [p for p in report.paragraphs if hit.text in p.heading_path and p.n != hit.n]
            out += [Result(source, p.text) for p in under[:per_heading]]
        return out

    def local_reports(self, need: Need, depth: int) -> list[Result]:
        """The first DEPTH matches in the local reports (seeds, excerpts) at any rank: what a
        ranking putting reports over boilerplate would show."""
        hits = self.results(need.query, need.mode, 2000)
        return [r for r in hits if r.source.split("/", 1)[0] in LOCAL_REPORT_PARTS][:depth]
