"""Server-side time of the search page ``/`` (median, p95) through the Flask test client.

Two corpora: the embedded seeds, and the 88 national reports of
``../shared/corpus/prc-gov-work-reports/docs`` (or the folder given as argument; skipped when
absent). Each is indexed into a temporary folder, then ~30 queries (single terms, AND, OR,
exclusion, phrases, fuzzy, same-report scope, facet filters, year sorts, page 2, flat view) are
requested as full HTML pages. The first pass asks each URL once after one warm-up request (the
engine's per-query caches are cold for it); the second pass repeats them (caches warm).

    .venv/bin/python benchmarks/web_latency.py [NATIONAL_DOCS_DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer import index_paths, index_stats, load_settings  # noqa: E402
from webui import create_app  # noqa: E402

DEFAULT_NATIONAL = REPO.parent / "shared" / "corpus" / "prc-gov-work-reports" / "docs"

QUERIES: list[dict[str, str]] = [
    {"q": "法治"},
    {"q": "行政执法"},
    {"q": "行政复议"},
    {"q": "合法性审查"},
    {"q": "法律顾问"},
    {"q": "普法"},
    {"q": "改革"},
    {"q": "经济"},
    {"q": "人民"},
    {"q": "依法行政"},
    {"q": "放管服"},
    {"q": "营商环境"},
    {"q": "政府 法治"},
    {"q": "改革 开放 发展"},
    {"q": "行政复议 OR 行政诉讼"},
    {"q": "法治 -经济"},
    {"q": '"依法治国"'},
    {"q": "社会主义市场经济"},
    {"q": "农业 农村 农民"},
    {"q": "法治政府建设", "mode": "fuzzy"},
    {"q": "执法 监督", "mode": "fuzzy"},
    {"q": "法治 改革", "scope": "report"},
    {"q": "政府", "sort": "newest"},
    {"q": "政府", "sort": "oldest"},
    {"q": "发展", "page": "2"},
    {"q": "建设", "view": "flat"},
    {"q": "建设", "view": "flat", "page": "3"},
    {"q": "法治", "section": "measures"},
    {"q": "人民", "report_year": "2023"},
    {"q": "政府", "level": "town"},
    {"q": "的"},
    {"q": "科技创新"},
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def measure(client, urls: list[str]) -> list[float]:  # noqa: ANN001 - flask test client
    times = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    return times


def bench(name: str, corpus: Path, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="fazhi-bench-") as tmp:
        settings = load_settings().replace(
            index_path=Path(tmp) / "index", corpus_paths=(corpus,)
        )
        start = time.perf_counter()
        summary = index_paths(settings)
        built = time.perf_counter() - start
        stats = index_stats(settings)
        client = create_app({"SETTINGS": settings}).test_client()
        urls = ["/?" + urlencode(q) for q in QUERIES]
        measure(client, ["/?q=warmup"])
        first = measure(client, urls)
        again: list[float] = []
        for _ in range(repeat):
            again += measure(client, urls)
        print(
            f"{name}: {stats.reports} reports, {stats.paragraphs} paragraphs "
            f"(indexed in {built:.1f} s, {len(summary.skipped)} skipped); {len(urls)} queries"
        )
        for label, values in (("first request", first), (f"repeated x{repeat}", again)):
            print(
                f"  {label:>14}: median {statistics.median(values):6.1f} ms, "
                f"p95 {percentile(values, 95):6.1f} ms, max {max(values):6.1f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("national", nargs="?", type=Path, default=DEFAULT_NATIONAL)
    parser.add_argument("--repeat", type=int, default=3, help="passes with warm caches")
    args = parser.parse_args()
    bench("seeds", REPO / "seeds", args.repeat)
    if args.national.is_dir():
        bench("national reports", args.national, args.repeat)
    else:
        print(f"national reports: skipped ({args.national} not found)")


if __name__ == "__main__":
    main()
