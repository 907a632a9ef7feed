"""Web load test: ``fazhi serve`` on a free loopback port, N concurrent clients for S seconds.

Clients are Python threads with urllib (no extra tool needed); each loops over the benchmark
queries requesting the search page ``GET /?q=...&<filters>``. Bounded: the clients stop at the
deadline and the server is terminated afterwards.
"""

from __future__ import annotations

import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from .load import fazhi_serve
from .measure import PeakRss, summarize
from .queries import BenchQuery

REQUEST_TIMEOUT_S = 60.0


@dataclass
class _Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def write_config(path: Path, index_dir: Path, corpus: Path) -> Path:
    """A config.toml at PATH pointing at INDEX_DIR and CORPUS (paths relative to the file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rel_index = os.path.relpath(index_dir, path.parent)
    rel_corpus = os.path.relpath(corpus, path.parent)
    path.write_text(
        "# Written by benchmarks/run.py (web load test, incremental `fazhi index`).\n"
        f'[corpus]\npaths = ["{rel_corpus}"]\n\n[index]\npath = "{rel_index}"\n',
        encoding="utf-8",
    )
    return path


def page_url(base: str, q: BenchQuery) -> str:
    params = [("q", q.text)] + [(name, v) for name, values in q.filters for v in values]
    return f"{base}/?{urllib.parse.urlencode(params)}"


def _client(urls: list[str], start: int, step: int, deadline: float, tally: _Tally) -> None:
    i = start
    while time.monotonic() < deadline:
        url = urls[i % len(urls)]
        i += step
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT_S) as resp:
                resp.read()
                ok = resp.status == 200
                err = None if ok else f"HTTP {resp.status}"
        except urllib.error.HTTPError as exc:
            err = f"HTTP {exc.code} for {urllib.parse.unquote(url)}"
        except (urllib.error.URLError, OSError) as exc:
            err = f"{type(exc).__name__}: {exc}"
        ms = (time.perf_counter() - t0) * 1000
        with tally.lock:
            if err is None:
                tally.latencies_ms.append(ms)
            else:
                tally.errors.append(err)


def run_load(
    config: Path, queries: list[BenchQuery], clients: int = 4, seconds: float = 30.0,
    log_path: Path | None = None,
) -> dict[str, object]:
    """Serve the index named by CONFIG and load it; returns requests/s, latencies, errors."""
    with fazhi_serve(config, log=log_path) as server, PeakRss(server.pid) as rss:
        urls = [page_url(server.base, q) for q in queries]
        for url in urls:  # warm-up: every page once
            try:
                urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT_S).read()
            except (urllib.error.URLError, OSError):
                pass  # counted in the measured run
        tally = _Tally()
        deadline = time.monotonic() + seconds
        start = time.perf_counter()
        threads = [
            threading.Thread(target=_client, args=(urls, k, clients, deadline, tally))
            for k in range(clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
    lat = summarize(tally.latencies_ms)
    return {
        "clients": clients,
        "seconds": elapsed,
        "requests": len(tally.latencies_ms) + len(tally.errors),
        "rps": (len(tally.latencies_ms) + len(tally.errors)) / elapsed if elapsed else 0.0,
        "latency": lat.as_dict(),
        "errors": len(tally.errors),
        "error_samples": sorted(set(tally.errors))[:5],
        "server_peak_rss": rss.peak,
    }
