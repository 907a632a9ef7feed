"""Incremental updates write small segments and mark replaced reports dead: whatever the
sequence of updates, answers equal a fresh build's, and the segments stay few and tidy."""

from __future__ import annotations

import shutil
from pathlib import Path

from fixtures_search import make_report
from indexer import SearchRequest, Settings, get_report, index_paths, index_stats, search
from indexer import index_reports as index_into
from indexer.errors import ReportNotFoundError
from indexer.segments import MAX_SMALL_SEGMENTS, SEGMENT_PREFIX, read_generation
from whoosh import index as whoosh_index

QUERIES = ["法治", "调解", "复议 OR 诉讼", "政府 -复议", '"合法性 审查"', "第3段", "人", "修订"]


def _report(i: int, version: int = 0):
    extra = [f"第{version}次修订：调解与复议衔接。"] if version else []
    return make_report(
        f"r{i:03d}",
        [f"{i}年法治政府建设报告", "一、推进行政复议", f"第{i}段：人民调解员调解纠纷{i}次。",
         "二、加强合法性审查", *extra, "政府依法行政，诉讼案件下降。" * (i % 3 + 1)],
        province="江苏省" if i % 2 else "浙江省",
        report_year=2020 + i % 4,
    )


def _answers(settings: Settings) -> dict[str, object]:
    out: dict[str, object] = {}
    for q in QUERIES:
        for scope in ("paragraph", "report"):
            res = search(settings, SearchRequest(query=q, grouped=False, limit=10**6, scope=scope))
            out[f"{q}/{scope}"] = (
                res.total_paragraphs, res.total_reports,
                [(h.report_id, h.n, h.text, h.score, h.highlights) for h in res.hits],
                [(f.name, [(v.value, v.count) for v in f.values]) for f in res.facets],
            )
    stats = index_stats(settings)
    out["stats"] = (stats.reports, stats.paragraphs,
                    [(f.name, [(v.value, v.count) for v in f.values]) for f in stats.facets],
                    stats.report_counts)
    return out


def _generation(settings: Settings):
    ix = whoosh_index.open_dir(str(settings.index_path))
    try:
        return read_generation(Path(settings.index_path), ix.latest_generation())
    finally:
        ix.close()


def test_update_sequence_equals_fresh_builds(tmp_path: Path) -> None:
    """Twelve updates (replacing, adding, removing) each give what a fresh build gives, while
    segments are added, merged and compacted."""
    current = {i: _report(i) for i in range(120)}
    settings = Settings(index_path=tmp_path / "inc")
    index_into(settings, list(current.values()))
    seen_segments: list[int] = []
    for step in range(12):
        i = (step * 37) % 120
        current[i] = _report(i, version=step + 1)
        if step % 4 == 3:
            current[1000 + step] = _report(1000 + step, version=step)
        index_into(settings, [current[i]] + ([current[1000 + step]] if step % 4 == 3 else []))
        fresh = Settings(index_path=tmp_path / f"fresh{step}")
        index_into(fresh, list(current.values()), rebuild=True)
        assert _answers(settings) == _answers(fresh), f"step {step}"
        seen_segments.append(len(_generation(settings).segments))
        shutil.rmtree(fresh.index_path)
    assert max(seen_segments) == 1 + MAX_SMALL_SEGMENTS  # small segments piled up...
    drops = [b for a, b in zip(seen_segments, seen_segments[1:]) if b < a]
    assert 2 in drops  # ...then were merged into one beside the first
    assert 1 in drops  # and dead rows plus small segments were compacted into one


def test_same_report_changed_again_and_again(tmp_path: Path) -> None:
    """A report changed many times is found once, in its last version; no dead segment
    piles up."""
    settings = Settings(index_path=tmp_path / "index")
    index_into(settings, [_report(i) for i in range(100)])
    for version in range(1, 9):
        index_into(settings, [_report(7, version)])
    res = search(settings, SearchRequest(query="修订", grouped=False, limit=100))
    assert [(h.report_id, h.text) for h in res.hits] == [("r007", "第8次修订：调解与复议衔接。")]
    texts = [p.text for p in get_report(settings, "r007").paragraphs]
    assert texts == [p.text for p in _report(7, 8).paragraphs]
    assert len(_generation(settings).segments) <= 2


def test_removed_files_disappear_everywhere(tmp_path: Path, seeds_dir: Path) -> None:
    """Deleting source files removes their reports from search, facets, stats and the reader,
    and removing them all leaves an empty index that still answers."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))
    for seed in seeds:
        shutil.copy(seed, corpus / seed.name)
    settings = Settings(index_path=tmp_path / "index", corpus_paths=(corpus,))
    index_paths(settings, [corpus])
    gone = corpus / seeds[0].name
    gone.unlink()
    summary = index_paths(settings, [corpus])
    assert summary.removed == (gone.stem,)
    fresh = Settings(index_path=tmp_path / "fresh", corpus_paths=(corpus,))
    index_paths(fresh, [corpus], rebuild=True)
    assert _answers(settings) == _answers(fresh)
    try:
        get_report(settings, gone.stem)
        raise AssertionError("a removed report is still readable")
    except ReportNotFoundError:
        pass
    for f in corpus.glob("*.txt"):
        f.unlink()
    index_paths(settings, [corpus])
    assert index_stats(settings).paragraphs == 0 and index_stats(settings).reports == 0
    assert search(settings, SearchRequest(query="法治")).total_paragraphs == 0


def test_superseded_segments_are_removed(tmp_path: Path) -> None:
    """Segments no generation uses any more are deleted; a leftover of a killed writer too."""
    settings = Settings(index_path=tmp_path / "index")
    index_into(settings, [_report(i) for i in range(50)])
    orphan = Path(settings.index_path) / f"{SEGMENT_PREFIX}999-deadbeef"
    orphan.mkdir()
    for version in range(1, 12):
        index_into(settings, [_report(version % 5, version)])
    on_disk = {p.name for p in Path(settings.index_path).iterdir()
               if p.name.startswith(SEGMENT_PREFIX)}
    ix = whoosh_index.open_dir(str(settings.index_path))
    latest = ix.latest_generation()
    ix.close()
    used = {s.name for g in (latest, latest - 1)
            for s in read_generation(Path(settings.index_path), g).segments}
    assert on_disk == used
