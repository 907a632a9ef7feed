"""Subprocess entry points: one build, one incremental update or one query series per process,
so that each gets its own peak RSS and neither engine warms the other's caches.

    python -m benchmarks.worker build  --engine baseline|ours --corpus DIR --index DIR --out F
    python -m benchmarks.worker update --engine ours --corpus DIR --index DIR --out F
    python -m benchmarks.worker query  --engine baseline|ours --corpus DIR --index DIR --out F
                                       [--rounds N] [--queries FILE]

Each writes one JSON object to ``--out``; ``--profile F`` also dumps cProfile stats of the timed
part to F (read them with ``python -m pstats F``).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import resource
import time
from pathlib import Path
from typing import Any, Callable

from .measure import summarize
from .queries import QUERIES_FILE, BenchQuery, load_queries

SHAPES = ("top", "facets", "page")
# Not in queries.txt: its first run pays for opening the index and loading caches.
PRIMING_QUERY = "中华人民共和国"


def _engine_module(name: str) -> Any:
    """The module of one engine, imported alone: the baseline's ``jieba.analyse`` holds about
    130 MB (its IDF table), which must not count in fazhi-search's figures, nor the other way."""
    if name == "baseline":
        from . import baseline

        return baseline
    from . import engine

    return engine


def _self_peak_rss() -> int:
    """This process's peak RSS in bytes (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _profiled(profile: str | None, func: Callable[[], Any]) -> Any:
    if not profile:
        return func()
    prof = cProfile.Profile()
    try:
        return prof.runcall(func)
    finally:
        prof.dump_stats(profile)


def do_build(args: argparse.Namespace) -> dict[str, Any]:
    corpus, index_dir = Path(args.corpus), Path(args.index)
    module = _engine_module(args.engine)
    start = time.perf_counter()
    info = _profiled(args.profile, lambda: module.build(corpus, index_dir))
    return {"seconds": time.perf_counter() - start, **info, "self_peak_rss": _self_peak_rss()}


def do_update(args: argparse.Namespace) -> dict[str, Any]:
    if args.engine != "ours":
        raise SystemExit("update: only the fazhi-search engine ('ours') is incremental")
    start = time.perf_counter()
    engine = _engine_module("ours")
    info = _profiled(args.profile, lambda: engine.update(Path(args.corpus), Path(args.index)))
    return {"seconds": time.perf_counter() - start, **info}


def _open(args: argparse.Namespace) -> Any:
    if args.engine == "baseline":
        return _engine_module("baseline").BaselineSession(Path(args.index))
    return _engine_module("ours").OursSession(Path(args.index), Path(args.corpus))


def _call(session: Any, shape: str, q: BenchQuery) -> tuple[float, Any, str | None]:
    start = time.perf_counter()
    try:
        out = getattr(session, shape)(q)
    except Exception as exc:  # noqa: BLE001 - a failing query is a finding, reported per query
        return (time.perf_counter() - start) * 1000, None, f"{type(exc).__name__}: {exc}"
    return (time.perf_counter() - start) * 1000, out, None


def do_query(args: argparse.Namespace) -> dict[str, Any]:
    queries = load_queries(Path(args.queries))
    start = time.perf_counter()
    session = _open(args)
    open_s = time.perf_counter() - start
    # Priming: one query outside the list loads what an engine loads on first use.
    prime_ms, _out, prime_err = _call(session, "page", BenchQuery(PRIMING_QUERY))
    # Warm-up: every query in every shape once, the page first, so that the page latencies
    # here are those of a query string seen for the first time (no per-query cache helps).
    warm_start = time.perf_counter()
    first = [
        {shape: _call(session, shape, q) for shape in ("page", "top", "facets")} for q in queries
    ]
    warm_s = time.perf_counter() - warm_start
    per_shape: dict[str, list[float]] = {shape: [] for shape in SHAPES}
    per_query: list[dict[str, list[float]]] = [{s: [] for s in SHAPES} for _ in queries]

    def measured() -> None:
        for r in range(args.rounds):
            for i, q in enumerate(queries):
                # Rotate the order of the shapes so that none always runs first (cold) after
                # a new query string.
                k = (r + i) % len(SHAPES)
                for shape in SHAPES[k:] + SHAPES[:k]:
                    ms, _out, err = _call(session, shape, q)
                    if err is None:
                        per_shape[shape].append(ms)
                        per_query[i][shape].append(ms)

    _profiled(args.profile, measured)
    session.close()
    rows = []
    for i, q in enumerate(queries):
        row: dict[str, Any] = {"query": q.label, "kind": q.kind}
        for shape in SHAPES:
            ms, out, err = first[i][shape]
            row[shape] = {
                "total": out.total if out else None,
                "shown": out.shown if out else None,
                "groups": out.groups if out else None,
                "error": err,
                "first_ms": ms,
                **{k: v for k, v in summarize(per_query[i][shape]).as_dict().items() if k != "n"},
            }
        rows.append(row)
    return {
        "open_s": open_s,
        "warmup_s": warm_s,
        "rounds": args.rounds,
        "prime_ms": prime_ms,
        "prime_error": prime_err,
        "shapes": {s: summarize(v).as_dict() for s, v in per_shape.items()},
        "page_first": summarize(
            [f["page"][0] for f in first if f["page"][2] is None]
        ).as_dict(),
        "errors": sum(1 for r in rows for s in SHAPES if r[s]["error"]),
        "queries": rows,
        "self_peak_rss": _self_peak_rss(),
    }


def do_exact(args: argparse.Namespace) -> dict[str, Any]:
    if args.engine != "ours":
        raise SystemExit("exact: the substring scan checks fazhi-search ('ours')")
    from .exactness import check

    return check(Path(args.index), Path(args.corpus), load_queries(Path(args.queries)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("command", choices=("build", "update", "query", "exact"))
    parser.add_argument("--engine", choices=("baseline", "ours"), required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--index", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", default=str(QUERIES_FILE))
    parser.add_argument("--profile")
    args = parser.parse_args(argv)
    handler = {"build": do_build, "update": do_update, "query": do_query,
               "exact": do_exact}[args.command]
    result = handler(args)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
