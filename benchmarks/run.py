"""Benchmark fazhi-search against the naive Whoosh + jieba baseline, in one run.

    python benchmarks/run.py [--quick] [--corpus NAME ...] [--shared PATH] [--engines LIST]

Prepares the corpora, builds both indexes (each build in its own process, peak RSS of its process
tree sampled), runs the fixed query list in three shapes (each engine in its own process, warm-up
first), measures an incremental re-index after changing one file and a web load test, then prints
one markdown table and writes it with the details to benchmarks/out/results.md and results.json.
See benchmarks/README.md for what each column means.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import corpora, report  # noqa: E402
from benchmarks.measure import PeakRss, dir_size  # noqa: E402
from benchmarks.queries import QUERIES_FILE, load_queries  # noqa: E402

REPO_ROOT = corpora.REPO_ROOT
ENGINE_NAMES = {"baseline": "baseline", "ours": "fazhi-search", "before": "fazhi-before"}
# The last commit before the engine became one Whoosh document per paragraph (issue 11): the
# "before" engine is that commit's code, checked out beside the run (a git worktree in
# benchmarks/out/) and run with this virtualenv's packages (the dependencies did not change).
BEFORE_COMMIT = "c4e52568b0bceb94db32cfed43c425fd7644ac0b"
QUICK_CORPORA = ("seeds", "reports", "laws20k")
FULL_CORPORA = ("seeds", "reports", "laws100k", "laws")
EDIT_MARK = "\n\n基准测试追加的一段：本段只用于测量增量索引的耗时，测量后即删除。\n"


def log(msg: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def run_worker(command: str, engine: str, corpus: Path, index: Path, out: Path,
               extra: list[str] | None = None) -> dict[str, Any]:
    """Run benchmarks.worker in a subprocess; its result plus the peak RSS of its process tree."""
    root = before_checkout() if engine == "before" else REPO_ROOT
    cmd = [sys.executable, "-m", "benchmarks.worker", command,
           "--engine", "ours" if engine == "before" else engine,
           "--corpus", str(corpus), "--index", str(index), "--out", str(out), *(extra or [])]
    env = {**os.environ, "PYTHONPATH": str(root)}
    out.unlink(missing_ok=True)
    err_path = out.with_suffix(".stderr")
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(err_path, "wb") as err:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=err, stderr=subprocess.STDOUT)
        with PeakRss(proc.pid) as rss:
            code = proc.wait()
    if code != 0 or not out.is_file():
        tail = err_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"{command} ({engine}) failed with code {code}: " + " | ".join(tail))
    result = json.loads(out.read_text(encoding="utf-8"))
    result["peak_rss"] = max(rss.peak, result.get("self_peak_rss", 0))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU of the worker and of every process it waited for (its pool), user + system.
    result["cpu_seconds"] = round((after.ru_utime - before.ru_utime)
                                  + (after.ru_stime - before.ru_stime), 2)
    # Keep the tree's peak with the figures, so that --skip-build can report them again.
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def before_checkout(out_dir: Path = corpora.OUT_DIR) -> Path:
    """A git worktree of ``BEFORE_COMMIT`` (made once, under benchmarks/out/)."""
    path = out_dir / "engine-before"
    if not (path / "indexer").is_dir():
        shutil.rmtree(path, ignore_errors=True)
        subprocess.run(["git", "worktree", "prune"], cwd=REPO_ROOT, check=False)
        subprocess.run(["git", "worktree", "add", "--detach", str(path), BEFORE_COMMIT],
                       cwd=REPO_ROOT, check=True, capture_output=True)
    return path


def build(engine: str, corpus: corpora.Corpus, index: Path, work: Path,
          profile: bool) -> dict[str, Any]:
    if index.exists():
        shutil.rmtree(index)
    extra = ["--profile", str(work / f"profile-build-{corpus.name}-{engine}.prof")] if profile else []
    log(f"{corpus.name}: building {ENGINE_NAMES[engine]} index ({corpus.paragraphs:,} paragraphs)")
    res = run_worker("build", engine, corpus.root, index, work / f"build-{corpus.name}-{engine}.json",
                     extra)
    res["index_bytes"] = dir_size(index)
    log(f"{corpus.name}: {ENGINE_NAMES[engine]} built in {res['seconds']:.1f} s "
        f"({res['cpu_seconds']:.1f} CPU s)")
    return res


def query(engine: str, corpus: corpora.Corpus, index: Path, work: Path, rounds: int,
          queries_file: Path, profile: bool) -> dict[str, Any]:
    extra = ["--rounds", str(rounds), "--queries", str(queries_file)]
    if profile:
        extra += ["--profile", str(work / f"profile-query-{corpus.name}-{engine}.prof")]
    log(f"{corpus.name}: querying {ENGINE_NAMES[engine]} ({rounds} rounds after warm-up)")
    return run_worker("query", engine, corpus.root, index, work / f"query-{corpus.name}-{engine}.json",
                      extra)


def exactness(corpus: corpora.Corpus, index: Path, work: Path,
              queries_file: Path) -> dict[str, Any]:
    """Every benchmark query's matches per report against a substring scan of the index's
    paragraphs (benchmarks/exactness.py), in a worker of its own."""
    log(f"{corpus.name}: checking every query against a substring scan")
    res = run_worker("exact", "ours", corpus.root, index, work / f"exact-{corpus.name}.json",
                     ["--queries", str(queries_file)])
    wrong = [r["query"] for r in res["queries"] if not r["equal"]]
    log(f"{corpus.name}: {res['equal']}/{res['checked']} queries equal the scan"
        + (f"; different: {', '.join(wrong)}" if wrong else ""))
    return res


def incremental(corpus: corpora.Corpus, index: Path, work: Path) -> dict[str, Any]:
    """Change one file of the corpus and time `fazhi index` (the CLI, wall clock: start-up,
    imports and all); restore the file and time it again."""
    from benchmarks.webload import write_config

    files = corpora.corpus_files(corpus.root)
    target = files[len(files) // 2]
    original = target.read_bytes()
    config = write_config(work / "incremental" / f"config-{corpus.name}.toml", index, corpus.root)
    log(f"{corpus.name}: incremental `fazhi index` after changing "
        f"{target.relative_to(corpus.root)}")
    try:
        target.write_bytes(original + EDIT_MARK.encode("utf-8"))
        changed = fazhi_index(config)
    finally:
        target.write_bytes(original)
    # Re-index the restored file so that the index matches the corpus again.
    restored = fazhi_index(config)
    log(f"{corpus.name}: changed {changed['seconds']:.2f} s, restored {restored['seconds']:.2f} s")
    return {"file": str(target.relative_to(corpus.root)), "changed": changed,
            "restored": restored}


def fazhi_index(config: Path) -> dict[str, Any]:
    """Run `fazhi --config CONFIG index` in a fresh process: wall seconds, peak RSS, output."""
    cmd = [sys.executable, "-c", "from webui.cli import main; main()", "--config", str(config),
           "index"]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    with PeakRss(proc.pid) as rss:
        output, _ = proc.communicate()
    seconds = time.perf_counter() - start
    text = output.decode("utf-8", errors="replace").strip()
    if proc.returncode != 0:
        raise RuntimeError(f"fazhi index failed with code {proc.returncode}: {text[-500:]}")
    return {"seconds": seconds, "peak_rss": rss.peak, "output": text.splitlines()[-1:]}


def web(corpus: corpora.Corpus, index: Path, work: Path, seconds: float,
        clients: int, queries_file: Path) -> dict[str, Any]:
    from benchmarks.load import LoadError
    from benchmarks.webload import run_load, write_config

    config = write_config(work / "web" / f"config-{corpus.name}.toml", index, corpus.root)
    log(f"{corpus.name}: web load test, {clients} clients for {seconds:.0f} s")
    try:
        return run_load(config, load_queries(queries_file), clients, seconds,
                        log_path=work / "web" / f"serve-{corpus.name}.log")
    except (LoadError, OSError) as exc:
        log(f"{corpus.name}: web load test failed: {exc}")
        return {"error": str(exc)}


def serve_start(corpus: corpora.Corpus, index: Path, work: Path) -> dict[str, Any]:
    """Seconds from starting `fazhi serve` on the built index to its first answered search
    page (a query none ran before in that process)."""
    import urllib.request

    from benchmarks.load import fazhi_serve
    from benchmarks.webload import write_config

    config = write_config(work / "serve" / f"config-{corpus.name}.toml", index, corpus.root)
    start = time.monotonic()
    with fazhi_serve(config) as server:
        ready = time.monotonic() - start
        with urllib.request.urlopen(server.base + "/?q=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE",
                                    timeout=60) as resp:
            resp.read()
        first_page = time.monotonic() - start
    log(f"{corpus.name}: fazhi serve answered / after {ready:.1f} s, a search page after "
        f"{first_page:.1f} s")
    return {"ready_s": round(ready, 2), "first_search_page_s": round(first_page, 2)}


def bench_corpus(name: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    corpus = corpora.prepare(name, args.shared_path, work)
    log(f"{name}: {corpus.files:,} files, {corpus.paragraphs:,} paragraphs, {corpus.chars:,} chars")
    entry: dict[str, Any] = {"corpus": corpus.as_dict(), "engines": {}}
    profile_here = args.profile and name == args.corpora[-1]
    for engine in args.engines:
        index = work / "indexes" / name / engine
        res: dict[str, Any] = {}
        try:
            if args.skip_build and index.exists():
                prev = work / f"build-{name}-{engine}.json"
                res["build"] = json.loads(prev.read_text()) if prev.is_file() else None
                if res["build"] is not None:
                    res["build"]["index_bytes"] = dir_size(index)
            else:
                res["build"] = build(engine, corpus, index, work, profile_here and engine == "ours")
            if engine == "ours" and not args.no_incremental:
                try:
                    res["incremental"] = incremental(corpus, index, work)
                except RuntimeError as exc:  # a failed update must not cost the query figures
                    log(f"{name}: incremental re-index failed: {exc}")
                    res["incremental"] = {"failure": str(exc)}
            if engine == "ours":
                try:
                    res["serve_start"] = serve_start(corpus, index, work)
                except Exception as exc:  # noqa: BLE001 - a figure, not a reason to stop
                    log(f"{name}: serve start failed: {exc}")
            res["query"] = query(engine, corpus, index, work, args.rounds, args.queries,
                                 profile_here and engine == "ours")
            if engine == "ours" and not args.no_exactness:
                res["exactness"] = exactness(corpus, index, work, args.queries)
            if engine == "ours" and name == args.web_corpus and args.web_seconds > 0:
                res["web"] = web(corpus, index, work, args.web_seconds, args.web_clients,
                                 args.queries)
        except RuntimeError as exc:
            log(f"{name}: {ENGINE_NAMES[engine]} failed: {exc}")
            res["failure"] = str(exc)
        entry["engines"][ENGINE_NAMES[engine]] = res
    return entry


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true",
                   help=f"a few minutes: corpora {', '.join(QUICK_CORPORA)}, 2 rounds, 10 s web test")
    p.add_argument("--corpus", action="append", choices=corpora.CORPUS_NAMES,
                   help="corpus to run (repeatable; default: the quick or full set)")
    p.add_argument("--shared", help="the shared material folder (default: ../shared beside the repo)")
    p.add_argument("--engines", default="baseline,before,ours",
                   help="comma-separated: baseline, ours, before (the engine of BEFORE_COMMIT); "
                        "default all three")
    p.add_argument("--rounds", type=int, help="measured rounds over the query list (default 3; 2 quick)")
    p.add_argument("--queries", type=Path, default=QUERIES_FILE, help="query list file")
    p.add_argument("--web-corpus", help="corpus of the web load test (default laws100k; quick: "
                   "the largest corpus run)")
    p.add_argument("--web-seconds", type=float, help="web load test length (default 30; 10 quick; 0 = skip)")
    p.add_argument("--web-clients", type=int, default=4)
    p.add_argument("--no-incremental", action="store_true", help="skip the incremental re-index test")
    p.add_argument("--no-exactness", action="store_true",
                   help="skip the check of every query against a substring scan")
    p.add_argument("--skip-build", action="store_true",
                   help="reuse the indexes and build figures of the previous run")
    p.add_argument("--profile", action="store_true",
                   help="cProfile fazhi-search's build and queries on the last corpus "
                        "(benchmarks/out/profile-*.prof)")
    p.add_argument("--out", type=Path, default=corpora.OUT_DIR, help="output folder")
    args = p.parse_args(argv)
    args.corpora = tuple(args.corpus or (QUICK_CORPORA if args.quick else FULL_CORPORA))
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not args.engines or any(e not in ENGINE_NAMES for e in args.engines):
        p.error("--engines takes a comma-separated list of: baseline, ours, before")
    args.rounds = args.rounds or (2 if args.quick else 3)
    if args.web_seconds is None:
        args.web_seconds = 10.0 if args.quick else 30.0
    if args.web_corpus is None:
        args.web_corpus = "laws100k" if "laws100k" in args.corpora else args.corpora[-1]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    needs_shared = any(c != "seeds" for c in args.corpora)
    try:
        args.shared_path = corpora.find_shared(args.shared) if needs_shared else None
    except corpora.CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if "ours" in args.engines:
        from benchmarks.engine import EngineUnavailable, settings_for

        try:
            from benchmarks.engine import _api

            for name, module in (("index_paths", "index"), ("search", "search")):
                _api(name, module)
            settings_for(args.out, args.out)
        except EngineUnavailable as exc:
            print(f"error: fazhi-search's engine is not usable yet ({exc}); "
                  "run with --engines baseline", file=sys.stderr)
            return 1
    work = args.out
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "args": {"corpora": args.corpora, "engines": args.engines, "rounds": args.rounds,
                 "queries": len(load_queries(args.queries)), "web_seconds": args.web_seconds,
                 "web_clients": args.web_clients},
        "corpora": [],
    }
    for name in args.corpora:
        results["corpora"].append(bench_corpus(name, args, work))
    results["elapsed_s"] = time.perf_counter() - started
    table = report.table(results)
    (work / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1),
                                       encoding="utf-8")
    head = (f"# fazhi-search benchmark\n\n{results['started']}, {os.cpu_count()} CPUs, "
            f"{results['args']['queries']} queries × {args.rounds} rounds, "
            f"run took {results['elapsed_s'] / 60:.1f} min.\n\n")
    (work / "results.md").write_text(
        head + table + "\n\n## Per query\n" + report.per_query(results) + "\n", encoding="utf-8"
    )
    print(table)
    log(f"done in {results['elapsed_s'] / 60:.1f} min: {work / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
