"""Crash safety: `fazhi index` killed with SIGKILL at random moments never leaves a half index.

After each kill the index opens and shows exactly the previous or the new complete state (report
and paragraph counts, hits of two probe queries); the next `fazhi index` completes and gives the
new state; nothing of the killed writer (stale lock, staging folder) gets in the way or stays.
The bounded version here kills 5 times on a generated corpus of about 2,000 paragraphs; the
long one (`benchmarks/crash_soak.py`, or `-m slow` here) kills 20 times on the laws corpus.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # benchmarks/ is a folder of the repo, not a package

from benchmarks.crash_soak import (  # noqa: E402
    LAWS_DOCS,
    CopiedCorpus,
    GeneratedCorpus,
    leftovers,
    read_state,
    run_fazhi,
    soak,
    write_config,
)

KILLS = 5
FILES, PARAGRAPHS = 50, 40  # about 2,000 paragraphs (+ titles), built in a few seconds


def test_random_kills_leave_previous_or_new_state(tmp_path: Path) -> None:
    """5 SIGKILLs of `fazhi index` (incremental and --rebuild) at random moments: each time
    the index shows one of the two complete states, and the next run completes."""
    corpus = GeneratedCorpus(tmp_path / "corpus", tmp_path / "stash", FILES, PARAGRAPHS)
    index = tmp_path / "index"
    config = write_config(tmp_path / "config.toml", index=index, corpus=[corpus.root], procs=1)
    report = soak(corpus, config, index, KILLS, seed=7, timeout=300)
    summary = report.summary()
    print(f"\ncrash safety (bounded): {summary}")
    assert report.errors == []
    assert len(report.kills) == KILLS
    assert summary["states"]["A"]["reports"] == FILES
    assert summary["states"]["B"]["probe_hits"] == 2 * (FILES // 10)  # changed + added files


def test_stale_lock_of_a_killed_writer_is_no_obstacle(tmp_path: Path) -> None:
    """A writer killed while holding the index's write lock leaves its lock file behind; the next
    `fazhi index` still takes the lock and completes (the kernel released the flock)."""
    corpus = GeneratedCorpus(tmp_path / "corpus", tmp_path / "stash", 5, 8)
    index = tmp_path / "index"
    config = write_config(tmp_path / "config.toml", index=index, corpus=[corpus.root], procs=1)
    assert run_fazhi(config, "index", timeout=300).returncode == 0
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from whoosh import index; "
         "lock = index.open_dir(sys.argv[1]).lock('WRITELOCK'); "
         "assert lock.acquire(); print('locked', flush=True); time.sleep(600)", str(index)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        busy = run_fazhi(config, "index", timeout=300)
        assert busy.returncode == 1 and "another `fazhi index`" in busy.stderr
        assert "Traceback" not in busy.stderr
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    assert list(index.glob("*WRITELOCK"))  # the stale lock file is still there
    corpus.switch()
    start = time.monotonic()
    after = run_fazhi(config, "index", timeout=300)
    assert after.returncode == 0, after.stderr[-2000:]
    assert read_state(config).probe_hits == 2  # version B is in: 1 changed + 1 added file
    print(f"\nstale lock: next run took {time.monotonic() - start:.1f} s")


def test_killed_rebuild_keeps_the_old_index_and_cleans_up(tmp_path: Path) -> None:
    """`fazhi index --rebuild` killed half-way: the old index still answers in full, and the next
    run removes the killed build's staging folder."""
    corpus = GeneratedCorpus(tmp_path / "corpus", tmp_path / "stash", FILES, PARAGRAPHS)
    index = tmp_path / "index"
    config = write_config(tmp_path / "config.toml", index=index, corpus=[corpus.root], procs=1)
    full = run_fazhi(config, "index", timeout=300)
    assert full.returncode == 0
    before = read_state(config)
    # Killed while its writer is adding documents to the staging index (not at a moment guessed
    # from the first run's duration, which a fast machine may pass before the kill).
    def writing() -> bool:
        return any((staging / "MAIN_WRITELOCK").exists()
                   for staging in index.parent.glob(f".{index.name}.building-*"))

    killed = run_fazhi(config, "index", "--rebuild", kill_when=writing, timeout=300)
    assert killed.killed
    assert list(index.parent.glob(f".{index.name}.building-*"))  # it died half-way
    assert read_state(config) == before
    again = run_fazhi(config, "index", timeout=300)
    assert again.returncode == 0 and read_state(config) == before
    assert leftovers(index) == []


@pytest.mark.slow
def test_twenty_kills_on_the_laws_corpus(tmp_path: Path, shared_dir: Path) -> None:
    """The long version: 20 kills on 200 laws (a fixed shuffle of lawrefbook-laws)."""
    corpus = CopiedCorpus(shared_dir / LAWS_DOCS, tmp_path / "corpus", tmp_path / "stash",
                          seed=1, limit=200)
    index = tmp_path / "index"
    config = write_config(tmp_path / "config.toml", index=index, corpus=[corpus.root])
    report = soak(corpus, config, index, 20, seed=1, timeout=1800)
    print(f"\ncrash soak (laws): {report.summary()}")
    assert report.errors == []



def test_rebuild_killed_between_its_two_renames_restores_the_previous_index(
    index_reports, tmp_path: Path
) -> None:
    """A rebuild killed after retiring the old index but before moving the new one in: the
    next reader finds the previous index again instead of 'no index'."""
    from fixtures_search import make_report

    from indexer import SearchRequest, search

    settings = index_reports(make_report("a/one", ["行政复议案件办理情况良好。"]))
    before = search(settings, SearchRequest(query="行政复议"))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    index = Path(settings.index_path)
    index.rename(index.parent / f".{index.name}.retired-{dead.pid}")

    after = search(settings, SearchRequest(query="行政复议"))

    assert (after.total_paragraphs, after.total_reports) == (
        before.total_paragraphs, before.total_reports) == (1, 1)
    assert not list(index.parent.glob(f".{index.name}.retired-*"))
