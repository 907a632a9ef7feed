"""Adapter over fazhi-search's public API, shaped like the baseline (build / update / session).

Uses only what ``indexer`` exports (``load_settings``, ``Settings.replace``, ``index_paths``,
``search``, ``SearchRequest``, ``highlight_html``); falls back to the defining modules while the
names are not yet re-exported from ``indexer/__init__.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from .queries import BenchQuery, Outcome


class EngineUnavailable(RuntimeError):
    """fazhi-search's engine cannot be imported or lacks a function the benchmark needs."""


def _api(name: str, module: str) -> Callable[..., Any]:
    try:
        import indexer
    except ImportError as exc:  # pragma: no cover - the repo always has indexer/
        raise EngineUnavailable(f"cannot import indexer: {exc}") from exc
    func = getattr(indexer, name, None)
    if func is None:
        try:
            mod = __import__(f"indexer.{module}", fromlist=[name])
            func = getattr(mod, name)
        except (ImportError, AttributeError) as exc:
            raise EngineUnavailable(f"indexer.{name} is not available yet: {exc}") from exc
    return func


def settings_for(index_dir: Path, corpus: Path) -> Any:
    """The repo's settings with the index and corpus paths replaced."""
    load_settings = _api("load_settings", "config")
    return load_settings().replace(index_path=Path(index_dir), corpus_paths=(Path(corpus),))


def _summary(summary: Any) -> dict[str, Any]:
    return {
        "reports": len(summary.indexed) + len(summary.unchanged),
        "indexed": len(summary.indexed),
        "unchanged": len(summary.unchanged),
        "removed": len(summary.removed),
        "skipped": len(summary.skipped),
        "skipped_reasons": sorted({p.reason for p in summary.skipped})[:10],
        "paragraphs": summary.paragraphs,
    }


def build(corpus: Path, index_dir: Path) -> dict[str, Any]:
    """Full rebuild of fazhi-search's index of CORPUS at INDEX_DIR."""
    index_paths = _api("index_paths", "index")
    summary = index_paths(settings_for(index_dir, corpus), [Path(corpus)], rebuild=True)
    return _summary(summary)


def update(corpus: Path, index_dir: Path) -> dict[str, Any]:
    """Incremental re-index of CORPUS (what ``fazhi index`` does on an existing index)."""
    index_paths = _api("index_paths", "index")
    summary = index_paths(settings_for(index_dir, corpus), [Path(corpus)], rebuild=False)
    return _summary(summary)


class OursSession:
    """fazhi-search answering the three benchmark query shapes through ``indexer.search``."""

    name = "fazhi-search"

    def __init__(self, index_dir: Path, corpus: Path) -> None:
        self._settings = settings_for(index_dir, corpus)
        self._search = _api("search", "search")
        self._request = _api("SearchRequest", "models")
        self._highlight_html = _api("highlight_html", "highlight")

    def close(self) -> None:
        """Nothing to release: the engine manages its own searchers."""

    def _run(self, q: BenchQuery, **kw: Any) -> Any:
        return self._search(self._settings, self._request(query=q.text, filters=q.filters, **kw))

    def top(self, q: BenchQuery) -> Outcome:
        """(a) the top 20 paragraphs, no facets."""
        res = self._run(q, grouped=False, limit=20, with_facets=False)
        return Outcome(res.total_paragraphs, len(res.hits))

    def facets(self, q: BenchQuery) -> Outcome:
        """(b) the top 20 paragraphs plus facet counts over all matches."""
        res = self._run(q, grouped=False, limit=20, with_facets=True)
        return Outcome(res.total_paragraphs, len(res.hits))

    def page(self, q: BenchQuery) -> Outcome:
        """(c) the search page: 20 report groups, best 3 paragraphs each, highlighted; facets."""
        res = self._run(
            q,
            grouped=True,
            limit=self._settings.page_size,
            paragraphs_per_report=self._settings.paragraphs_per_report,
            with_facets=True,
        )
        shown = 0
        for group in res.groups:
            for hit in group.hits:
                self._highlight_html(hit.text, hit.highlights)
                shown += 1
        return Outcome(res.total_paragraphs, shown, len(res.groups))
