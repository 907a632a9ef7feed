"""Tests of the benchmark harness (benchmarks/): query list, corpora, baseline, measuring, table."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import jieba
import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # benchmarks/ is a folder of the repo, not an installed package

from benchmarks import baseline, corpora, report  # noqa: E402
from benchmarks.measure import percentile, summarize  # noqa: E402
from benchmarks.queries import BenchQuery, QueryListError, load_queries, parse_line  # noqa: E402


def test_query_list_has_30_queries_of_every_kind() -> None:
    """The fixed list holds >= 30 queries covering words, one character, AND, phrases, OR/NOT
    and filters."""
    queries = load_queries()
    assert len(queries) >= 30
    assert {q.kind for q in queries} >= {"word", "one-char", "and", "phrase", "or/not", "filter"}


def test_filter_syntax_groups_values_by_field() -> None:
    """`query | f=a f=b g=c` gives OR values per field, fields in order of appearance."""
    q = parse_line("生态环境 -罚款 | province=山东省 level=province province=河南省")
    assert q == BenchQuery(
        "生态环境 -罚款", (("province", ("山东省", "河南省")), ("level", ("province",)))
    )
    assert parse_line("# comment") is None and parse_line("   ") is None


@pytest.mark.parametrize("line", ["法 | nofield=1", "法 | province", "法 | province="])
def test_bad_filter_is_rejected(line: str) -> None:
    """A malformed filter in the query list is an error naming the line."""
    with pytest.raises(QueryListError, match="bad filter"):
        parse_line(line)


def test_percentile_matches_numpy_linear() -> None:
    """Percentiles interpolate between closest ranks like numpy's default."""
    rng = random.Random(5)
    for size in (1, 2, 7, 100):
        values = [rng.uniform(0, 100) for _ in range(size)]
        for q in (50, 95, 100):
            assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert summarize([3.0, 1.0, 2.0]).max == 3.0


def test_split_paragraphs_on_blank_lines() -> None:
    """Paragraphs are blank-line separated blocks; whitespace-only lines count as blank."""
    text = "第一条 甲。\n续行\n\n \n第二条 乙。\r\n\r\n\u3000\n第三条 丙。\n"
    assert corpora.split_paragraphs(text) == ["第一条 甲。\n续行", "第二条 乙。", "第三条 丙。"]


def test_laws_subset_is_deterministic_and_minimal(shared_dir: Path, tmp_path: Path) -> None:
    """laws20k takes whole files in a fixed order until 20,000 paragraphs, no more files than
    needed, and its manifest lists every file with the province of local regulations."""
    first = corpora.prepare("laws20k", shared_dir, tmp_path / "a")
    again = corpora.prepare("laws20k", shared_dir, tmp_path / "b")
    files = [p.relative_to(first.root).as_posix() for p in corpora.corpus_files(first.root)]
    assert files == [p.relative_to(again.root).as_posix() for p in corpora.corpus_files(again.root)]
    assert first.paragraphs >= corpora.SUBSET_TARGETS["laws20k"]
    ordered = [r for r in corpora.subset_order(files)]
    last = first.root / ordered[-1]
    last_count = len(corpora.split_paragraphs(corpora.decode(last.read_bytes())))
    assert first.paragraphs - last_count < corpora.SUBSET_TARGETS["laws20k"]
    manifest = corpora.read_manifest(first.root)
    assert sorted(manifest) == sorted(files)
    dlc = [m for f, m in manifest.items() if f.startswith("DLC/")]
    assert dlc and all(m["level"] == "province" and m["province"].endswith(("省", "市"))
                       for m in dlc)


def test_missing_shared_folder_is_a_clear_error(tmp_path: Path) -> None:
    """Without the shared corpora, preparing says where it looked and how to point at them."""
    with pytest.raises(corpora.CorpusError, match="--shared"):
        corpora.find_shared(tmp_path)


def test_baseline_finds_paragraphs_by_jieba_words(seeds_dir: Path, tmp_path: Path) -> None:
    """The baseline matches a one-word query in exactly the paragraphs whose jieba search-mode
    tokens include that word, and its page shows at most 3 paragraphs for each of <= 20 reports."""
    info = baseline.build(seeds_dir, tmp_path / "ix")
    paragraphs = [
        text
        for path in corpora.corpus_files(seeds_dir)
        for text in corpora.split_paragraphs(corpora.decode(path.read_bytes()))
    ]
    assert info == {"reports": 5, "paragraphs": len(paragraphs)}
    word = "依法行政"
    expected = sum(
        1 for text in paragraphs if word in {w for w, _s, _e in jieba.tokenize(text, mode="search")}
    )
    session = baseline.BaselineSession(tmp_path / "ix")
    try:
        q = BenchQuery(word)
        assert expected > 0
        assert session.top(q).total == expected
        assert session.facets(q).total == expected
        page = session.page(q)
        assert page.total == expected and page.groups <= 20 and page.shown <= 3 * page.groups
    finally:
        session.close()


def test_table_has_both_engines_and_ratio_row() -> None:
    """The table shows a row per engine and a ratio row where > 1 means fazhi-search is better."""
    shapes = {s: {"n": 3, "p50": 10.0, "p95": 20.0, "max": 30.0} for s in ("top", "facets", "page")}
    fast = {s: {"n": 3, "p50": 5.0, "p95": 4.0, "max": 3.0} for s in shapes}
    corpus = {"name": "seeds", "chars": 1000}
    results = {"corpora": [{"corpus": corpus, "engines": {
        "baseline": {"build": {"seconds": 10.0, "cpu_seconds": 12.0, "paragraphs": 9,
                               "index_bytes": 2**20,
                               "peak_rss": 2**20}, "query": {"shapes": shapes, "peak_rss": 2**20}},
        "fazhi-search": {"build": {"seconds": 2.0, "cpu_seconds": 4.0, "paragraphs": 9,
                                   "index_bytes": 2**21,
                                   "peak_rss": 2**20}, "query": {"shapes": fast, "peak_rss": 2**20}},
    }}]}
    lines = report.table(results).splitlines()
    assert len(lines) == 2 + 3
    ratio = [c.strip() for c in lines[-1].strip("|").split("|")]
    assert ratio[4] == "5.00×" and ratio[5] == "3.00×" and ratio[7] == "0.50×"
    assert ratio[12] == "2.00× / 5.00× / 10.00×"


def _loaded_by_worker(engine: str, modules: tuple[str, ...]) -> list[bool]:
    """Which of ``modules`` a fresh process holds after a worker loads ``engine``."""
    import subprocess

    code = ("import sys; from benchmarks import worker; "
            f"worker._engine_module({engine!r}); "
            f"print(*(m in sys.modules for m in {modules!r}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                         text=True, timeout=120, check=True).stdout.split()
    return [word == "True" for word in out]


def test_fazhi_search_worker_does_not_load_the_baseline() -> None:
    """A worker measuring fazhi-search must not hold the baseline's jieba.analyse (about 130 MB
    of IDF table) in its RSS, nor the baseline worker fazhi-search's modules."""
    assert _loaded_by_worker("ours", ("jieba.analyse", "benchmarks.baseline", "benchmarks.engine")
                             ) == [False, False, True]
    assert _loaded_by_worker("baseline", ("indexer", "jieba.analyse")) == [False, True]


@pytest.mark.slow
def test_run_on_seeds_writes_table_and_json(tmp_path: Path) -> None:
    """run.py on the seeds with the baseline prints the table and writes results.md/.json."""
    import subprocess

    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "run.py"), "--corpus", "seeds",
         "--engines", "baseline", "--rounds", "1", "--web-seconds", "0", "--out", str(out)],
        capture_output=True, text=True, timeout=300, check=True,
    )
    assert "| seeds | baseline |" in proc.stdout
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert data["corpora"][0]["engines"]["baseline"]["query"]["errors"] == 0
    assert (out / "results.md").read_text(encoding="utf-8").count("| seeds | baseline |") == 1

    # --skip-build reuses the index and reports the first run's build figures, peak RSS included.
    again = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "run.py"), "--corpus", "seeds",
         "--engines", "baseline", "--rounds", "1", "--web-seconds", "0", "--skip-build",
         "--out", str(out)],
        capture_output=True, text=True, timeout=300, check=True,
    )
    reused = json.loads((out / "results.json").read_text(encoding="utf-8"))
    first_build = data["corpora"][0]["engines"]["baseline"]["build"]
    reused_build = reused["corpora"][0]["engines"]["baseline"]["build"]
    assert reused_build["peak_rss"] == first_build["peak_rss"] > 0
    assert reused_build["seconds"] == first_build["seconds"]
    assert "| seeds | baseline |" in again.stdout


def test_exactness_check_agrees_with_a_scan_of_the_seeds(seeds_dir: Path, tmp_path: Path) -> None:
    """The benchmark's exactness step: every query (AND, OR, NOT, phrase, one character,
    filters) counted per report by the engine and by a substring scan; they agree, and the
    scan really finds paragraphs (a check over empty answers would prove nothing)."""
    from benchmarks.engine import build
    from benchmarks.exactness import check

    index = tmp_path / "index"
    build(seeds_dir, index)
    queries = [parse_line(line) for line in (
        "行政复议", "法", "依法 行政", '"法治政府建设"', "行政复议 OR 行政诉讼", "法治 -行政",
        "执法 | report_year=2023", "复议 | level=town level=county",
        # the grams of these occur in the seeds, the terms (nearly) never: the text check counts
        "行政执法人员", "执法行政", "政府法治")]
    result = check(index, seeds_dir, queries)
    assert result["checked"] == len(queries)
    assert result["equal"] == len(queries), [r for r in result["queries"] if not r["equal"]]
    assert all(r["scan"] > 0 for r in result["queries"][:6])
    assert result["paragraphs"] > 100
