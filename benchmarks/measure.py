"""Measuring tools: timers, percentiles, peak RSS of a process tree, size of a folder."""

from __future__ import annotations

import math
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True, slots=True)
class Latency:
    """Summary of a list of latencies, in milliseconds."""

    n: int
    p50: float
    p95: float
    max: float
    mean: float

    def as_dict(self) -> dict[str, float]:
        return {"n": self.n, "p50": self.p50, "p95": self.p95, "max": self.max, "mean": self.mean}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(latencies_ms: list[float]) -> Latency:
    """p50, p95, max and mean of LATENCIES_MS."""
    if not latencies_ms:
        return Latency(0, math.nan, math.nan, math.nan, math.nan)
    return Latency(
        n=len(latencies_ms),
        p50=percentile(latencies_ms, 50),
        p95=percentile(latencies_ms, 95),
        max=max(latencies_ms),
        mean=sum(latencies_ms) / len(latencies_ms),
    )


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """``with stopwatch() as t: ...`` then ``t[0]`` is the elapsed seconds."""
    box: list[float] = []
    start = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - start)


def tree_rss(proc: psutil.Process) -> int:
    """Resident memory (bytes) of PROC and all its descendants, summed."""
    total = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue  # a worker may exit between listing and reading
    return total


class PeakRss:
    """Samples the summed RSS of a process tree in a background thread; ``peak`` is the maximum.

    Sampling (every ``interval`` s) can miss a spike shorter than the interval; builds and servers
    hold their memory for seconds, so 50 ms is ample.
    """

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self._proc = psutil.Process(pid)
        self._interval = interval
        self._stop = threading.Event()
        self.peak = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self._proc))
            self._stop.wait(self._interval)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def dir_size(path: Path) -> int:
    """Total bytes of the regular files under PATH."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def mb(n_bytes: float) -> float:
    return n_bytes / (1024 * 1024)


def stop_process(proc: "subprocess.Popen[bytes] | subprocess.Popen[str]", timeout: float = 15.0) -> None:
    """Terminate PROC, and kill it if it has not exited within TIMEOUT seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
