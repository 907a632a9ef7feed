"""The naive baseline engine that issue #5 measures fazhi-search against.

Exactly what a first attempt with the stack looks like: Whoosh with
``jieba.analyse.ChineseAnalyzer`` on the text field, one default writer (``ix.writer()``, no
extra processes), facet fields as ID fields counted with ``groupedby``, Whoosh's default
highlighter (``hit.highlights("text")``, which re-tokenises the stored text), queries through
Whoosh's ``QueryParser`` on the text field (plus ``PlusMinusPlugin`` so that ``-term`` excludes,
as in fazhi-search's syntax). Paragraphs are blank-line separated blocks of each file; report
metadata comes only from the corpus manifest (``metadata.csv``), never extracted.

The schema's analyzer is ``jieba.analyse``'s, so the index opens from any process (Whoosh pickles
the analyzer into the index).
"""

from __future__ import annotations

from pathlib import Path

from jieba.analyse import ChineseAnalyzer
from whoosh import fields, index
from whoosh.qparser import PlusMinusPlugin, QueryParser
from whoosh.query import And, Or, Query, Term

from .corpora import corpus_files, decode, read_manifest, split_paragraphs
from .queries import BenchQuery, Outcome

FACETS: tuple[str, ...] = ("province", "city", "county", "town", "level", "report_year", "section")
PAGE_REPORTS = 20
PER_REPORT = 3


def build_schema() -> fields.Schema:
    """Text analysed by jieba's ChineseAnalyzer; facets as stored ID fields."""
    facet_fields = {name: fields.ID(stored=True) for name in FACETS}
    return fields.Schema(
        pid=fields.ID(stored=True, unique=True),
        report_id=fields.ID(stored=True),
        n=fields.STORED(),
        title=fields.STORED(),
        text=fields.TEXT(analyzer=ChineseAnalyzer(), stored=True),
        **facet_fields,
    )


def report_id_of(rel_path: str) -> str:
    """The report id: relative path without suffix (as fazhi-search defines it)."""
    return rel_path.rsplit(".", 1)[0] if "." in rel_path.rsplit("/", 1)[-1] else rel_path


def build(corpus: Path, index_dir: Path) -> dict[str, int]:
    """Index every file of CORPUS into a new index at INDEX_DIR with one default writer."""
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), build_schema())
    manifest = read_manifest(corpus)
    reports = paragraphs = 0
    writer = ix.writer()
    try:
        for path in corpus_files(corpus):
            rel = path.relative_to(corpus).as_posix()
            meta = manifest.get(rel, {})
            rid = report_id_of(rel)
            facet_values = {f: meta[f] for f in FACETS if meta.get(f)}
            facet_values.setdefault("section", "other")
            for n, text in enumerate(split_paragraphs(decode(path.read_bytes()))):
                writer.add_document(
                    pid=f"{rid}#{n}",
                    report_id=rid,
                    n=n,
                    title=meta.get("title", ""),
                    text=text,
                    **facet_values,
                )
                paragraphs += 1
            reports += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return {"reports": reports, "paragraphs": paragraphs}


class BaselineSession:
    """An open baseline index answering the three benchmark query shapes."""

    name = "baseline"

    def __init__(self, index_dir: Path) -> None:
        self._ix = index.open_dir(str(index_dir))
        self._searcher = self._ix.searcher()
        self._parser = QueryParser("text", self._ix.schema)
        self._parser.add_plugin(PlusMinusPlugin())

    def close(self) -> None:
        self._searcher.close()
        self._ix.close()

    def _parse(self, q: BenchQuery) -> tuple[Query, Query | None]:
        query = self._parser.parse(q.text)
        if not q.filters:
            return query, None
        parts = [Or([Term(name, v) for v in values]) for name, values in q.filters]
        return query, And(parts)

    def top(self, q: BenchQuery) -> Outcome:
        """(a) the top 20 paragraphs with their stored fields."""
        query, flt = self._parse(q)
        res = self._searcher.search(query, limit=20, filter=flt)
        shown = [hit.fields() for hit in res]
        return Outcome(len(res), len(shown))

    def facets(self, q: BenchQuery) -> Outcome:
        """(b) the top 20 plus the count of every facet value over all matches."""
        query, flt = self._parse(q)
        res = self._searcher.search(query, limit=20, filter=flt, groupedby=list(FACETS))
        shown = [res[i].fields() for i in range(min(20, res.scored_length()))]
        counts = {f: {k: len(v) for k, v in res.groups(f).items()} for f in FACETS}
        assert len(counts) == len(FACETS)
        return Outcome(len(res), len(shown))

    def page(self, q: BenchQuery) -> Outcome:
        """(c) the search page: 20 reports (by best paragraph) with their best 3 paragraphs
        highlighted, the total of matching reports, and facet counts over all matches."""
        query, flt = self._parse(q)
        res = self._searcher.search(
            query, limit=None, filter=flt, groupedby=[*FACETS, "report_id"]
        )
        counts = {f: {k: len(v) for k, v in res.groups(f).items()} for f in FACETS}
        by_report = res.groups("report_id")
        report_of = {doc: rid for rid, docs in by_report.items() for doc in docs}
        groups: dict[str, list[int]] = {}
        for pos, (_score, docnum) in enumerate(res.top_n):
            rid = report_of[docnum]
            if rid not in groups:
                if len(groups) == PAGE_REPORTS:
                    continue
                groups[rid] = []
            if len(groups[rid]) < PER_REPORT:
                groups[rid].append(pos)
            if len(groups) == PAGE_REPORTS and all(len(v) == PER_REPORT for v in groups.values()):
                break
        shown = 0
        for positions in groups.values():
            for pos in positions:
                hit = res[pos]
                hit.fields()
                hit.highlights("text")
                shown += 1
        assert len(counts) == len(FACETS)
        return Outcome(len(res), shown, len(groups))
