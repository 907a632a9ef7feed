"""Build time and query latency (median, p95) of the search engine on one corpus folder.

    .venv/bin/python benchmarks/latency_cli.py seeds
    .venv/bin/python benchmarks/latency_cli.py ../shared/corpus/prc-gov-work-reports/docs

Builds a fresh index in a temporary folder, then runs QUERIES (each as the search page would:
grouped by report, facets over all matches, highlights of the page) and prints the figures.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from indexer import Mode, Scope, SearchRequest, Settings, index_paths, search

QUERIES: list[tuple[str, dict]] = [
    ("行政复议", {}), ("法治政府建设", {}), ("政府建设", {}), ("府法律", {}), ("人民调解", {}),
    ("八五普法", {}), ("法", {}), ("的", {}), ("2023", {}), ("2023年", {}),
    ("改革 开放", {}), ("经济 增长 OR 发展", {}), ("就业 -疫情", {}), ('"国内生产总值"', {}),
    ("國家", {}), ("科技创新", {}), ("乡村振兴", {}), ("生态环境保护", {}),
    ("全面深化改革", {"mode": Mode.FUZZY}), ("依法行政 政府", {"scope": Scope.REPORT}),
    ("gdp", {}), ("5g", {}), ("人民", {"filters": (("report_year", ("2020", "2021")),)}),
    ("法治", {"filters": (("section", ("measures",)),)}), ("民生", {}), ("教育 医疗", {}),
    ("一带一路", {}), ("营商环境", {}), ("住房", {}), ("安全生产", {}),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the query list")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_path=Path(tmp) / "index", corpus_paths=(args.corpus,))
        t0 = time.perf_counter()
        summary = index_paths(settings)
        build = time.perf_counter() - t0
        chars = sum(len(p) for p in [])  # filled below from the index
        t0 = time.perf_counter()
        first = search(settings, SearchRequest(query="法治"))
        cold = time.perf_counter() - t0
        from indexer.search import snapshot

        chars = len(snapshot(settings).joined)
        times: list[float] = []
        for _ in range(args.repeat):
            for query, extra in QUERIES:
                t0 = time.perf_counter()
                search(settings, SearchRequest(query=query, limit=20, **extra))
                times.append((time.perf_counter() - t0) * 1000)
        print(f"corpus: {args.corpus}")
        print(f"reports {len(summary.indexed)}, paragraphs {summary.paragraphs}, "
              f"{chars:,} normalised chars, skipped {len(summary.skipped)}")
        print(f"build {build:.1f}s ({chars / build:,.0f} chars/s); first query (loads the "
              f"snapshot) {cold * 1000:.0f} ms; {first.total_paragraphs} hits for 法治")
        print(f"{len(QUERIES)} queries x {args.repeat}: median {statistics.median(times):.1f} ms, "
              f"p95 {percentile(times, 95):.1f} ms, max {max(times):.1f} ms")


if __name__ == "__main__":
    main()
