"""Concurrency: a real `fazhi serve` answers searches without error while `fazhi index` adds,
changes and removes reports (incrementally and with --rebuild); each answer shows one complete
state; new reports become searchable after the commit without a restart. Two `fazhi index`
at once: one waits or refuses cleanly (exit 1 and a message), and nothing is lost.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # benchmarks/ is a folder of the repo, not a package

from benchmarks.crash_soak import (  # noqa: E402
    FAZHI,
    PROBE_B,
    PROBE_COMMON,
    GeneratedCorpus,
    IndexState,
    read_state,
    run_fazhi,
    write_config,
)
from benchmarks.load import fazhi_serve  # noqa: E402

FILES, PARAGRAPHS = 40, 20
VISIBLE_WITHIN_S = 10.0  # after `fazhi index` exits, the server shows the new state by then
BUSY = "another `fazhi index` is writing this index"


@dataclass
class Watch:
    """What the searching clients saw."""

    answers: int = 0
    errors: list[str] = field(default_factory=list)
    seen: list[tuple[float, int, int, int]] = field(default_factory=list)  # t, reports, common, B
    lock: threading.Lock = field(default_factory=threading.Lock)


def api_counts(conn: http.client.HTTPConnection, query: str) -> tuple[int, int]:
    conn.request("GET", "/api/search?" + urlencode({"q": query, "limit": "1"}))
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        raise AssertionError(f"HTTP {resp.status}: {body[:200]!r}")
    data = json.loads(body)
    return data["total_paragraphs"], data["total_reports"]


def searcher(host_port: str, stop: threading.Event, watch: Watch) -> None:
    """Search continuously: the probe queries over JSON, a page and a facet view in turn."""
    conn = http.client.HTTPConnection(host_port, timeout=60)
    try:
        while not stop.is_set():
            try:
                common, reports = api_counts(conn, PROBE_COMMON)
                probe, _ = api_counts(conn, PROBE_B)
                conn.request("GET", "/?" + urlencode({"q": "行政复议", "view": "flat"}))
                page = conn.getresponse()
                page.read()
                if page.status != 200:
                    raise AssertionError(f"search page HTTP {page.status}")
                with watch.lock:
                    watch.answers += 3
                    watch.seen.append((time.monotonic(), reports, common, probe))
            except (AssertionError, OSError, http.client.HTTPException, ValueError) as exc:
                with watch.lock:
                    watch.errors.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection(host_port, timeout=60)
    finally:
        conn.close()


def view(state: IndexState) -> tuple[int, int]:
    """What the searcher records of a state: (common hits, probe hits)."""
    return state.common_hits, state.probe_hits


@pytest.fixture()
def world(tmp_path: Path):  # noqa: ANN201
    corpus = GeneratedCorpus(tmp_path / "corpus", tmp_path / "stash", FILES, PARAGRAPHS)
    index = tmp_path / "index"
    config = write_config(tmp_path / "config.toml", index=index, corpus=[corpus.root], procs=1,
                          threads=4)
    assert run_fazhi(config, "index", timeout=300).returncode == 0
    return corpus, config


def test_server_answers_while_index_changes(world) -> None:  # noqa: ANN001
    """3 clients search without a single error while `fazhi index` adds/removes reports (then
    rebuilds); every answer shows version A or B; B is visible after its commit, no restart."""
    corpus, config = world
    state_a = read_state(config)
    with fazhi_serve(config) as server:
        stop, watch = threading.Event(), Watch()
        clients = [threading.Thread(target=searcher, args=(server.host_port, stop, watch),
                                    daemon=True) for _ in range(3)]
        for c in clients:
            c.start()
        try:
            time.sleep(1.0)
            corpus.switch()  # to B: 10% removed, 10% changed, 10% added
            update = run_fazhi(config, "index", timeout=300)
            committed_b = time.monotonic()
            assert update.returncode == 0, update.stderr[-2000:]
            state_b = read_state(config)
            corpus.switch()  # back to A, by a full rebuild swapped in under the server
            rebuild = run_fazhi(config, "index", "--rebuild", timeout=300)
            committed_a = time.monotonic()
            assert rebuild.returncode == 0, rebuild.stderr[-2000:]
            time.sleep(VISIBLE_WITHIN_S / 2)
        finally:
            stop.set()
            for c in clients:
                c.join(60)
    assert watch.errors == []
    assert watch.answers > 30
    states = {view(state_a), view(state_b)}
    assert {(common, probe) for _, _, common, probe in watch.seen} <= states
    b_seen = [t for t, _, common, probe in watch.seen if (common, probe) == view(state_b)]
    assert b_seen and min(b_seen) - committed_b < VISIBLE_WITHIN_S
    a_again = [t for t, _, common, probe in watch.seen
               if t > committed_b and (common, probe) == view(state_a)]
    assert a_again and min(a_again) - committed_a < VISIBLE_WITHIN_S
    print(f"\nconcurrency: {watch.answers} answers, 0 errors; B visible "
          f"{max(0.0, min(b_seen) - committed_b):.2f} s after commit")


def start_index(config: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([*FAZHI, "--config", str(config), "index", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=REPO_ROOT)


@pytest.mark.parametrize("first,second", [
    ((), ()),
    (("--rebuild",), ()),
    pytest.param(("--rebuild",), ("--rebuild",), marks=pytest.mark.slow),
])
def test_two_indexers_at_once(world, first: tuple[str, ...], second: tuple[str, ...]) -> None:  # noqa: ANN001
    """Two `fazhi index` started together: each exits 0 (it waited) or 1 with the busy message,
    never a traceback; afterwards the index holds the complete new version."""
    corpus, config = world
    corpus.switch()
    procs = [start_index(config, *first), start_index(config, *second)]
    outs = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=300)
            outs.append((p.returncode, out, err))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for code, out, err in outs:
        assert "Traceback" not in err, err[-2000:]
        assert code == 0 or (code == 1 and BUSY in err), (code, err[-2000:])
    assert any(code == 0 for code, _, _ in outs)
    final = run_fazhi(config, "index", timeout=300)
    assert final.returncode == 0
    after = read_state(config)
    assert after.probe_hits == 2 * (FILES // 10)  # B complete: changed + added files
    assert after.reports == FILES  # 10% removed, 10% added
    assert "indexed 0 report(s)" in final.stdout and "removed 0" in final.stdout  # nothing lost
    print(f"\ntwo indexers {first} {second}: exit codes {[c for c, _, _ in outs]}")


def test_load_smoke(world) -> None:  # noqa: ANN001
    """A bounded run of benchmarks/load.py's clients (4 clients, 4 s) against `fazhi serve`:
    0 errors, every request answered with its expected status."""
    from benchmarks.load import request_mix, run_load

    _corpus, config = world
    with fazhi_serve(config) as server:
        figures = run_load(server, request_mix(), clients=4, seconds=4.0, max_requests=2_000)
    print(f"\nload smoke: {figures}")
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["requests"] > 0
