"""Benchmark of the comparison and trend tables (issue #14) against the search page query, timed
in the same process of the same run: at all laws + the national reports (about 360k
paragraphs), a 3-term comparison over all counties of a province, the same by year, and a
3-term trend must each answer in p95 <= 200 ms.

    .venv/bin/python -m benchmarks.compare_bench [--corpus laws|laws100k|laws20k] [--rounds 5]
                                                 [--province 江苏省] [--skip-build] [--shared DIR]

The corpora are prepared by ``corpora.py`` (the laws with their province and year from the
manifest, the reports with theirs) and indexed together, once, in a subprocess
(``benchmarks/out/compare/index``; ``--skip-build`` reuses it). The timing runs in a second
fresh process: it primes the engine with one query outside every list, then

- **first-time**: every page query of ``queries.txt`` once, and every 3-term set once (terms
  that are in no other list, so no per-term cache of the engine can help): what a new question
  costs;
- **repeated**: ``--rounds`` passes over the same lists (the engine's caches warm).

It prints a table (p50 / p95 / max ms, and p95 as a multiple of the page query's p95) and writes
``benchmarks/out/compare/results.json``. Nothing in ``indexer/`` or ``webui/`` imports this.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from . import corpora
from .measure import summarize
from .queries import QUERIES_FILE, load_queries

OUT = corpora.OUT_DIR / "compare"
PRIMING_QUERY = "中华人民共和国"
# Terms a researcher compares (3 per set); none is in queries.txt, so first-time figures are
# first-time for the engine's per-term caches too.
TERM_SETS = (
    ("合法性审查", "公平竞争审查", "一村一法律顾问"),
    ("综合行政执法", "行政执法公示", "执法全过程记录"),
    ("规范性文件", "决策程序", "权责清单"),
    ("法治宣传", "普法责任制", "以案释法"),
    ("行政调解", "行政裁决", "复议委员会"),
    ("政务服务", "一网通办", "容缺受理"),
    ("法律援助", "公证", "司法鉴定"),
    ("安全生产", "应急管理", "消防"),
    ("环境保护", "污染防治", "河长制"),
    ("行政强制", "查封", "扣押"),
    ("城市管理", "市容", "违法建设"),
    ("矛盾纠纷", "多元化解", "网格化"),
)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _settings(index: Path, roots: list[Path]) -> Any:
    from indexer import load_settings

    return load_settings().replace(index_path=index, corpus_paths=tuple(roots))


# ---------------------------------------------------------------------- subprocess entry points


def do_build(index: Path, roots: list[Path]) -> dict[str, Any]:
    from indexer import index_paths

    if index.exists():
        shutil.rmtree(index)
    start = time.perf_counter()
    summary = index_paths(_settings(index, roots), roots, rebuild=True)
    return {"seconds": time.perf_counter() - start, "reports": len(summary.indexed),
            "paragraphs": summary.paragraphs, "skipped": len(summary.skipped)}


def _timed(func: Callable[[], Any]) -> float:
    start = time.perf_counter()
    func()
    return (time.perf_counter() - start) * 1000


def do_measure(index: Path, roots: list[Path], rounds: int, province: str) -> dict[str, Any]:
    from indexer import SearchRequest, index_stats, search
    from indexer.areas import area_tree
    from indexer.compare import CompareRequest, compare
    from indexer.trend import TrendRequest, trend

    from .engine import OursSession

    settings = _settings(index, roots)
    session = OursSession(index, roots[0])  # the corpus path only names the index's settings
    tree = area_tree()
    area = tree.resolve(province)
    page_queries = load_queries(QUERIES_FILE)
    stats = index_stats(settings)
    search(settings, SearchRequest(query=PRIMING_QUERY))  # opens the index, loads caches

    shapes: dict[str, Callable[[tuple[str, ...]], Any]] = {
        "compare counties": lambda terms: compare(settings, CompareRequest(
            terms=terms, level="county", area=area)),
        "compare counties by year": lambda terms: compare(settings, CompareRequest(
            terms=terms, level="county", area=area, by_year=True)),
        "trend (all reports)": lambda terms: trend(settings, TrendRequest(terms=terms)),
        "trend (provinces)": lambda terms: trend(settings, TrendRequest(terms=terms,
                                                                        level="province")),
    }
    first: dict[str, list[float]] = {"page": [_timed(lambda q=q: session.page(q))
                                              for q in page_queries]}
    for i, (name, run) in enumerate(shapes.items()):
        # Each shape meets fresh terms on its first pass: rotate the sets between shapes.
        sets = TERM_SETS[i::len(shapes)]
        first[name] = [_timed(lambda t=t: run(t)) for t in sets]
    repeated: dict[str, list[float]] = {k: [] for k in first}
    for _ in range(rounds):
        repeated["page"] += [_timed(lambda q=q: session.page(q)) for q in page_queries]
        for name, run in shapes.items():
            repeated[name] += [_timed(lambda t=t: run(t)) for t in TERM_SETS]
    sample = compare(settings, CompareRequest(terms=TERM_SETS[0], level="county", area=area))
    return {
        "reports": stats.reports, "paragraphs": stats.paragraphs, "province": area.full_name,
        "rows": len(sample.rows), "rounds": rounds,
        "first_time": {k: summarize(v).as_dict() for k, v in first.items()},
        "repeated": {k: summarize(v).as_dict() for k, v in repeated.items()},
    }


# ---------------------------------------------------------------------- driver


def _subprocess(args: list[str]) -> dict[str, Any]:
    out = OUT / f"{args[0]}.json"
    out.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(corpora.REPO_ROOT)}
    cmd = [sys.executable, "-m", "benchmarks.compare_bench", *args, "--result", str(out)]
    code = subprocess.call(cmd, cwd=corpora.REPO_ROOT, env=env)
    if code != 0 or not out.is_file():
        raise SystemExit(f"{args[0]} failed with exit code {code}")
    return json.loads(out.read_text(encoding="utf-8"))


def table(result: dict[str, Any]) -> str:
    lines = [f"{result['paragraphs']:,} paragraphs in {result['reports']:,} reports; comparison "
             f"rows: the {result['rows']} counties of {result['province']}; "
             f"{result['rounds']} repeated rounds",
             "",
             "| shape | first-time p50 / p95 / max ms | repeated p50 / p95 / max ms "
             "| repeated p95 ÷ page p95 |",
             "|---|---|---|---|"]
    page_p95 = result["repeated"]["page"]["p95"]
    for name, rep in result["repeated"].items():
        one = result["first_time"][name]
        lines.append(f"| {name} | {one['p50']:.0f} / {one['p95']:.0f} / {one['max']:.0f} "
                     f"| {rep['p50']:.0f} / {rep['p95']:.0f} / {rep['max']:.0f} "
                     f"| {rep['p95'] / page_p95:.2f} |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="run", choices=("run", "build", "measure"))
    parser.add_argument("--corpus", default="laws", choices=("laws", "laws100k", "laws20k"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--province", default="江苏省")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--shared", default=None)
    parser.add_argument("--root", action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--result", default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    index = OUT / "index"
    if args.command != "run":
        roots = [Path(r) for r in args.root]
        result = (do_build(index, roots) if args.command == "build"
                  else do_measure(index, roots, args.rounds, args.province))
        Path(args.result).write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
        return 0
    shared = corpora.find_shared(args.shared)
    OUT.mkdir(parents=True, exist_ok=True)
    names = (args.corpus, "reports", "seeds")
    prepared = [corpora.prepare(name, shared) for name in names]
    root_args = [a for c in prepared for a in ("--root", str(c.root))]
    if not (args.skip_build and index.exists()):
        log(f"building one index of {' + '.join(names)}")
        built = _subprocess(["build", *root_args])
        log(f"built in {built['seconds']:.0f} s: {built['paragraphs']:,} paragraphs")
    log("measuring (a fresh process)")
    result = _subprocess(["measure", *root_args, "--rounds", str(args.rounds),
                          "--province", args.province])
    (OUT / "results.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")
    print(table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
