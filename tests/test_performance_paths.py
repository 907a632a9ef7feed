"""The fast paths of issue #5 give the same answers as the slow ones: column store updates,
skipping unchanged files (manifest rows included), the lazy facade, the gazetteer scan."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures_search import make_report
from indexer import SearchRequest, Settings, get_report, index_paths, search
from indexer import index_reports as index_into

QUERIES = ["法治", "调解", "复议 OR 诉讼", "政府 -复议", '"合法性 审查"', "推进", "人"]


def _answers(settings: Settings) -> dict[str, object]:
    """Every query's ranked hits (with scores and highlights) and facet counts."""
    out: dict[str, object] = {}
    for q in QUERIES:
        res = search(settings, SearchRequest(query=q, grouped=False, limit=10**6))
        out[q] = (
            # As a set: scores are Whoosh's BM25F, whose statistics count deleted documents
            # until a merge expunges them (tests/test_ranking.py checks them).
            sorted((h.report_id, h.n, h.text, h.highlights, h.heading_path, h.section)
                   for h in res.hits),
            [(f.name, [(v.value, v.count) for v in f.values]) for f in res.facets],
        )
    return out


def _reports(n: int) -> list:
    return [
        make_report(
            f"r{i:02d}",
            [f"{i}年法治政府建设报告", "一、推进行政复议", f"第{i}段：人民调解员调解纠纷{i}次。",
             "二、加强合法性审查", "政府依法行政，诉讼案件下降。" * (i % 3 + 1)],
            province="江苏省" if i % 2 else "浙江省",
            report_year=2020 + i % 4,
        )
        for i in range(n)
    ]


def test_update_equals_rebuild(tmp_path: Path) -> None:
    """After replacing, adding and removing reports, answers equal a fresh build's."""
    reports = _reports(6)
    changed = make_report("r02", ["二〇二三年法治报告", "一、推进诉讼与复议衔接", "调解员培训"],
                          province="浙江省", report_year=2023)
    extra = make_report("zz", ["法治政府建设情况", "人民调解、行政复议、合法性审查"])
    incremental = Settings(index_path=tmp_path / "a")
    index_into(incremental, reports)
    index_into(incremental, [changed, extra])
    final = [r for r in reports if r.report.report_id != "r02"] + [changed, extra]
    fresh = Settings(index_path=tmp_path / "b")
    index_into(fresh, final, rebuild=True)
    assert _answers(incremental) == _answers(fresh)
    for r in final:
        rid = r.report.report_id
        assert get_report(incremental, rid) == get_report(fresh, rid)


def _corpus(tmp_path: Path, seeds_dir: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in sorted(seeds_dir.glob("*.txt"))[:3]:
        shutil.copy(seed, corpus / seed.name)
    return corpus


def test_manifest_edit_reindexes_only_that_report(tmp_path: Path, seeds_dir: Path) -> None:
    """A changed manifest row re-indexes its report (and only it); a re-run changes nothing."""
    corpus = _corpus(tmp_path, seeds_dir)
    names = sorted(p.name for p in corpus.glob("*.txt"))
    rows = "".join(f"{name},2021\n" for name in names)
    (corpus / "metadata.csv").write_text("path,report_year\n" + rows, encoding="utf-8")
    settings = Settings(index_path=tmp_path / "index", corpus_paths=(corpus,))
    first = index_paths(settings, [corpus])
    assert len(first.indexed) == len(names)
    again = index_paths(settings, [corpus])
    assert again.indexed == () and len(again.unchanged) == len(names)
    edited = rows.replace(f"{names[1]},2021", f"{names[1]},2019")
    (corpus / "metadata.csv").write_text("path,report_year\n" + edited, encoding="utf-8")
    third = index_paths(settings, [corpus])
    rid = Path(names[1]).stem
    assert third.indexed == (rid,)
    assert get_report(settings, rid).report.report_year == 2019


def test_changed_file_after_others_keeps_their_texts(tmp_path: Path, seeds_dir: Path) -> None:
    """Replacing a report in the middle leaves every other report's paragraphs intact."""
    corpus = _corpus(tmp_path, seeds_dir)
    settings = Settings(index_path=tmp_path / "index", corpus_paths=(corpus,))
    index_paths(settings, [corpus])
    files = sorted(corpus.glob("*.txt"))
    before = {f.stem: get_report(settings, f.stem) for f in files}
    middle = files[1]
    middle.write_text(middle.read_text(encoding="utf-8") + "\n\n新增的一段：测试用语料。\n",
                      encoding="utf-8")
    summary = index_paths(settings, [corpus])
    assert summary.indexed == (middle.stem,)
    for f in files:
        if f != middle:
            assert get_report(settings, f.stem) == before[f.stem]
    texts = [p.text for p in get_report(settings, middle.stem).paragraphs]
    assert texts[-1].endswith("新增的一段：测试用语料。")  # the parser may join it to the date
    hits = search(settings, SearchRequest(query="测试用语料", grouped=False)).hits
    assert [(h.report_id, h.text) for h in hits] == [(middle.stem, texts[-1])]


def test_facade_is_lazy_and_complete() -> None:
    """`import indexer` loads neither whoosh nor numpy, and every exported name resolves."""
    code = (
        "import sys, indexer\n"
        "assert 'whoosh' not in sys.modules and 'numpy' not in sys.modules, sorted(sys.modules)\n"
        "for name in indexer.__all__: getattr(indexer, name)\n"
        "import indexer.searching\n"
        "assert callable(indexer.search) and indexer.search.__module__ == 'indexer'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


def test_gazetteer_scan_equals_position_by_position(seeds_dir: Path) -> None:
    """The candidate-position scan finds exactly what trying every position finds."""
    from indexer.gazetteer import load_gazetteer

    gaz = load_gazetteer()

    def every_position(text: str, lenient: bool) -> list:
        found, i = [], 0
        while i < len(text):
            hit = gaz._match_at(text, i, lenient)
            if hit is None:
                i += 1
            else:
                found.append(hit)
                i = hit.end
        return found

    for seed in sorted(seeds_dir.glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        for lenient in (False, True):
            assert gaz.find(text, lenient=lenient) == every_position(text, lenient)


@pytest.mark.parametrize("count", [0, 1])
def test_tiny_indexes(tmp_path: Path, count: int) -> None:
    """An index of zero or one report answers queries (empty column store included)."""
    settings = Settings(index_path=tmp_path / "index")
    index_into(settings, _reports(count), rebuild=True)
    res = search(settings, SearchRequest(query="法治"))
    assert res.total_reports == count
    if count:
        index_into(settings, [make_report("r00", ["改过的唯一一段"])])
        assert [p.text for p in get_report(settings, "r00").paragraphs] == ["改过的唯一一段"]
        assert search(settings, SearchRequest(query="法治")).total_reports == 0
