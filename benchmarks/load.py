"""Load test on loopback: ``fazhi serve`` answering N concurrent clients for S seconds.

    .venv/bin/python -m benchmarks.load                      # 8 clients, 60 s, the 88 reports
    .venv/bin/python -m benchmarks.load --clients 2 --seconds 5 --corpus seeds

The index is built (in a temporary folder) from the 88 national reports of
``../shared/corpus/prc-gov-work-reports/docs`` (read in place), or from the seeds.
Each client is a thread with its own keep-alive ``http.client`` connection to 127.0.0.1, looping
over a mixed request list: the benchmark queries (``benchmarks/queries.txt``) as search pages
(grouped and flat, page 2, sorted), as ``/api/search`` and ``/api/facets`` JSON, facet-filtered
pages, CSV exports, report pages with highlights, and a few bad queries (which must get 400).
Bounded in time and count; the server is terminated at the end.

Reported: requests/s, latency p50/p95/p99/max, errors (any answer but the expected status, and
any connection failure; must be 0), the server's peak RSS (sampled every 50 ms with psutil).
The clients run on the same 2 cores as the server, so the figures are a floor, not a ceiling.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from .crash_soak import FAZHI, REPO_ROOT, SHARED_DIR, run_fazhi, write_config
from .measure import PeakRss, percentile, stop_process
from .queries import load_queries

REPORTS_DIR = Path("corpus") / "prc-gov-work-reports"
READY_TIMEOUT_S = 120.0
REQUEST_TIMEOUT_S = 60.0


class LoadError(RuntimeError):
    """The server could not be started or did not answer."""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:PORT
    host_port: str
    pid: int


@contextmanager
def fazhi_serve(config: Path, *, log: Path | None = None) -> Iterator[Server]:
    """``fazhi serve`` on a free 127.0.0.1 port, ready to answer; terminated on exit."""
    port = free_port()
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [*FAZHI, "--config", str(config), "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=REPO_ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise LoadError(f"fazhi serve exited with code {proc.returncode}")
            try:
                with urllib.request.urlopen(base + "/", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise LoadError(f"fazhi serve did not answer on {base}")
            time.sleep(0.2)
        yield Server(base=base, host_port=f"127.0.0.1:{port}", pid=proc.pid)
    finally:
        stop_process(proc)
        if log:
            out.close()  # type: ignore[union-attr]


# ---------------------------------------------------------------- the request mix


@dataclass(frozen=True)
class Target:
    path: str  # path and query string
    expect: int = 200


def request_mix(report_ids: Sequence[str] = (), seed: int = 0) -> list[Target]:
    """The mixed request list (shuffled with SEED)."""
    queries = load_queries()
    targets: list[Target] = []
    for bq in queries:
        params = [("q", bq.text)] + [(f, v) for f, vs in bq.filters for v in vs]
        qs = urlencode(params)
        targets += [
            Target(f"/?{qs}"),
            Target(f"/?{qs}&view=flat"),
            Target(f"/api/search?{qs}&limit=20"),
        ]
    for bq in queries[::4]:
        qs = urlencode([("q", bq.text)])
        targets += [
            Target(f"/?{qs}&page=2"),
            Target(f"/?{qs}&sort=newest&scope=report"),
            Target(f"/?{qs}&mode=fuzzy"),
            Target(f"/api/facets?{qs}"),
            Target(f"/export.csv?{qs}"),
        ]
    for rid in report_ids[:10]:
        targets.append(Target(f"/reports/{quote(rid)}?q={quote('改革')}"))
    targets += [Target("/"), Target("/?q=%22unbalanced", 400), Target("/api/search?q=OR", 400),
                Target("/reports/no/such/report", 404)]
    random.Random(seed).shuffle(targets)
    return targets


# ---------------------------------------------------------------- clients


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client_loop(host_port: str, targets: Sequence[Target], start: int, step: int,
                deadline: float, max_requests: int, tally: Tally) -> None:
    """One client: a keep-alive connection, requests in turn until the deadline."""
    conn = http.client.HTTPConnection(host_port, timeout=REQUEST_TIMEOUT_S)
    i, done = start, 0
    try:
        while time.monotonic() < deadline and done < max_requests:
            target = targets[i % len(targets)]
            i += step
            done += 1
            t0 = time.perf_counter()
            error, status = None, 0
            try:
                conn.request("GET", target.path)
                resp = conn.getresponse()
                resp.read()
                status = resp.status
                if status != target.expect:
                    error = f"HTTP {status} (expected {target.expect}) for {target.path}"
            except (OSError, http.client.HTTPException) as exc:
                error = f"{type(exc).__name__}: {exc} for {target.path}"
                conn.close()
                conn = http.client.HTTPConnection(host_port, timeout=REQUEST_TIMEOUT_S)
            ms = (time.perf_counter() - t0) * 1000
            with tally.lock:
                tally.statuses[status] = tally.statuses.get(status, 0) + 1
                if error is None:
                    tally.latencies_ms.append(ms)
                else:
                    tally.errors.append(error)
    finally:
        conn.close()


def run_load(server: Server, targets: Sequence[Target], clients: int = 8, seconds: float = 60.0,
             max_requests: int = 1_000_000) -> dict[str, object]:
    """CLIENTS threads for SECONDS (at most MAX_REQUESTS each) against SERVER."""
    tally = Tally()
    with PeakRss(server.pid) as rss:
        deadline = time.monotonic() + seconds
        start = time.perf_counter()
        threads = [threading.Thread(target=client_loop, daemon=True,
                                    args=(server.host_port, targets, k, clients, deadline,
                                          max_requests, tally)) for k in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + REQUEST_TIMEOUT_S + 10)
        elapsed = time.perf_counter() - start
    lat = tally.latencies_ms
    total = len(lat) + len(tally.errors)
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": total,
        "requests_per_s": round(total / elapsed, 1) if elapsed else 0.0,
        "latency_ms": {k: round(percentile(lat, q), 1) for k, q in
                       (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))},
        "errors": len(tally.errors),
        "error_samples": sorted(set(tally.errors))[:5],
        "statuses": dict(sorted(tally.statuses.items())),
        "server_peak_rss_mb": round(rss.peak / 2**20, 1),
        "distinct_requests": len(targets),
    }


# ---------------------------------------------------------------- main


def prepare_corpus(name: str, shared: Path, work: Path) -> Path:
    """The corpus folder to index: the 88 reports with their manifest, or the seeds."""
    if name == "seeds":
        return REPO_ROOT / "seeds"
    source = shared / REPORTS_DIR / "docs"
    if not source.is_dir():
        raise LoadError(f"no reports corpus at {source} (give --shared)")
    return source  # read only: the index goes to WORK


WRK_SCRIPT = """-- generated by benchmarks/load.py: each request takes the next path of the mix
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def run_wrk(server: Server, targets: Sequence[Target], clients: int, seconds: float,
            work: Path) -> dict:
    """The same load through Debian's ``wrk`` (2 threads, CLIENTS connections, SECONDS), over
    the requests of the mix that should answer 200; errors = non-2xx/3xx + socket errors."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (apt-get install wrk), or use --tool threads")
    ok_paths = [t.path for t in targets if t.expect == 200]
    script = work / "mix.lua"
    script.write_text(WRK_SCRIPT % ", ".join(json.dumps(p) for p in ok_paths), encoding="utf-8")
    cmd = [wrk, "-t2", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "10s", "--latency",
           "-s", str(script), server.base]
    with PeakRss(server.pid) as rss:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    return {"tool": "wrk", "clients": clients, "seconds": seconds, "distinct_requests":
            len(ok_paths), **parse_wrk(out), "server_peak_rss_mb": round(rss.peak / 2**20, 1)}


def parse_wrk(out: str) -> dict:
    """Requests/s, latency percentiles (ms) and errors from wrk's --latency output."""
    def ms(value: str, unit: str) -> float:
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    figures: dict = {"errors": 0}
    for pct, value, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M):
        figures[f"p{pct}_ms"] = round(ms(value, unit), 1)
    if m := re.search(r"(\d+) requests in", out):
        figures["requests"] = int(m.group(1))
    if m := re.search(r"Requests/sec:\s+([\d.]+)", out):
        figures["requests_per_s"] = float(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        figures["errors"] += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        figures["errors"] += sum(int(g) for g in m.groups())
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=("reports", "seeds"), default="reports")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=200_000, help="per client")
    parser.add_argument("--threads", type=int, default=None, help="server threads (config)")
    parser.add_argument("--shared", type=Path, default=SHARED_DIR)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--tool", choices=("threads", "wrk"), default="threads",
                        help="load generator: Python threads (all requests, incl. expected "
                             "400/404) or Debian's wrk (the requests that answer 200)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fazhi-load-") as tmp:
        work = Path(tmp)
        corpus = prepare_corpus(args.corpus, args.shared, work)
        config = write_config(work / "config.toml", index=work / "index", corpus=[corpus],
                              threads=args.threads)
        built = run_fazhi(config, "index", timeout=1800)
        if built.returncode != 0:
            print(built.stderr[-3000:], file=sys.stderr)
            return 1
        from indexer import load_settings
        from indexer.search import snapshot

        report_ids = list(snapshot(load_settings(config)).report_ord)
        targets = request_mix(report_ids)
        with fazhi_serve(config, log=work / "serve.log") as server:
            for t in targets:  # warm-up: each distinct request once
                try:
                    urllib.request.urlopen(server.base + t.path, timeout=REQUEST_TIMEOUT_S).read()
                except (urllib.error.URLError, OSError):
                    pass
            if args.tool == "wrk":
                figures = run_wrk(server, targets, args.clients, args.seconds, work)
            else:
                figures = run_load(server, targets, args.clients, args.seconds, args.max_requests)
    figures = {"corpus": args.corpus, "reports": len(report_ids),
               "index_build_s": round(built.elapsed_s, 1), **figures}
    text = json.dumps(figures, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
