"""Crash soak: ``kill -9`` a running ``fazhi index`` at random moments, again and again.

Each round switches the corpus between two versions (A and B: some files removed, some changed,
some added), starts ``fazhi index`` (incremental, or ``--rebuild`` every third round) and kills
its whole process group with SIGKILL after a random delay. Then:

1. the index must open and answer with exactly the previous or the new complete state
   (report count, paragraph count and the hit count of a probe query equal one of the two);
2. the next ``fazhi index`` must complete (exit 0) and give the new state, whatever the kill left
   behind (stale ``WRITELOCK`` files, half-written segments, staging folders);
3. no leftovers of killed writers (``.index.building-*``, ``.index.retired-*``) survive it.

The bounded version runs in the default test suite (``tests/test_crash_safety.py``, a generated
corpus); the long one on the 3,423 laws of ``../shared/corpus/lawrefbook-laws``:

    .venv/bin/python -m benchmarks.crash_soak --files 200 --kills 20   # 200 laws, ~5 min
    .venv/bin/python -m benchmarks.crash_soak --kills 20              # all 3,423 laws, ~30 min
    .venv/bin/python -m benchmarks.crash_soak --corpus generated --kills 5

Everything happens in a temporary folder that is removed at the end; every subprocess has a
timeout and is killed in ``finally``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"
LAWS_DOCS = Path("corpus") / "lawrefbook-laws" / "docs"
# The CLI exactly as a user runs it, through the interpreter running this code.
FAZHI = (sys.executable, "-c", "from webui.cli import main; main()")
# A term in every generated/changed version-B file, never in version A.
PROBE_B = "崩溃测试探针乙"
# A term in every generated file of both versions.
PROBE_COMMON = "依法行政"


# ---------------------------------------------------------------- running fazhi


@dataclass(frozen=True)
class RunResult:
    """What one ``fazhi`` subprocess did."""

    args: tuple[str, ...]
    returncode: int  # negative: killed by that signal
    stdout: str
    stderr: str
    elapsed_s: float
    peak_rss_bytes: int  # ru_maxrss of the process (and the children it waited for)
    killed: bool = False


def write_config(
    path: Path,
    *,
    index: Path,
    corpus: Sequence[Path] = (),
    max_file_mb: float | None = None,
    procs: int | None = None,
    threads: int | None = None,
) -> Path:
    """A config.toml at PATH for an index and corpus in a scratch folder (absolute paths)."""
    lines = ["[corpus]", "paths = " + json.dumps([str(p) for p in corpus], ensure_ascii=False)]
    if max_file_mb is not None:
        lines.append(f"max_file_mb = {max_file_mb}")
    lines += ["[index]", f"path = {json.dumps(str(index), ensure_ascii=False)}"]
    if procs is not None:
        lines.append(f"procs = {procs}")
    if threads is not None:
        lines += ["[server]", f"threads = {threads}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_fazhi(
    config: Path,
    *args: str,
    timeout: float = 600.0,
    kill_after: float | None = None,
    env: dict[str, str] | None = None,
    kill_when=None,
) -> RunResult:
    """Run ``fazhi --config CONFIG ARGS...`` to the end (or SIGKILL its process group after
    KILL_AFTER seconds, or as soon as ``kill_when()`` is true). Output goes to files, so a chatty run cannot block on a full pipe;
    peak RSS comes from ``wait4``'s rusage of that very child."""
    cmd = (*FAZHI, "--config", str(config), *args)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True,
            cwd=REPO_ROOT, env=env,
        )
        killed = False
        status, rusage = None, None
        try:
            while True:
                pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                elapsed = time.monotonic() - start
                due = kill_after is not None and elapsed >= kill_after
                if (due or (kill_when is not None and kill_when())) and not killed:
                    _kill_group(proc.pid)
                    killed = True
                elif elapsed > timeout and not killed:
                    _kill_group(proc.pid)
                    raise TimeoutError(f"{' '.join(args)} did not finish in {timeout:.0f} s")
                time.sleep(0.005)
        finally:
            if status is None:
                _kill_group(proc.pid)
                os.wait4(proc.pid, 0)
            proc.returncode = -9  # reaped here: stop Popen from waiting again
        elapsed = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return RunResult(
            args=tuple(args),
            returncode=os.waitstatus_to_exitcode(status),
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            elapsed_s=elapsed,
            peak_rss_bytes=rusage.ru_maxrss * 1024,
            killed=killed,
        )


def _kill_group(pid: int) -> None:
    """SIGKILL the indexer and any worker process it started (its own process group)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------- index state


@dataclass(frozen=True)
class IndexState:
    """What a reader sees: enough to tell two complete states (and any mix of them) apart."""

    reports: int
    paragraphs: int
    common_hits: int  # paragraphs matching PROBE_COMMON
    probe_hits: int  # paragraphs matching PROBE_B


STATE_SCRIPT = f"""
import json, sys
from indexer import SearchRequest, index_stats, load_settings, search
s = load_settings(sys.argv[1])
st = index_stats(s)
hits = [search(s, SearchRequest(query=q, limit=0, with_facets=False)).total_paragraphs
        for q in ({PROBE_COMMON!r}, {PROBE_B!r})]
print(json.dumps([st.reports, st.paragraphs, *hits]))
"""


def read_state(config: Path, timeout: float = 300.0) -> IndexState:
    """The index's state as a fresh process opening it sees it (AssertionError if it cannot)."""
    proc = subprocess.run(
        [sys.executable, "-c", STATE_SCRIPT, str(config)], capture_output=True, text=True,
        timeout=timeout, cwd=REPO_ROOT,
    )
    if proc.returncode != 0:
        raise AssertionError(f"the index does not open after the kill:\n{proc.stderr[-2000:]}")
    return IndexState(*json.loads(proc.stdout))


def leftovers(index: Path) -> list[str]:
    """Staging/retired folders of killed writers beside the index."""
    return sorted(
        p.name for p in index.parent.iterdir()
        if p.name.startswith((f".{index.name}.building-", f".{index.name}.retired-"))
    )


# ---------------------------------------------------------------- corpora with two versions


class Corpus:
    """A corpus folder that can be switched between version A and version B."""

    def __init__(self, root: Path, stash: Path) -> None:
        self.root = root
        self.stash = stash  # files of A that B does not have, and A's text of changed files
        self.version = "A"

    def switch(self) -> str:
        raise NotImplementedError


GENERATED_PLACES = ("塘桥镇", "凤凰镇", "锦丰镇", "乐余镇", "南丰镇", "大新镇", "杨舍镇", "金港街道")


def generated_report(k: int, paragraphs: int, extra: str = "") -> str:
    """A report of PARAGRAPHS paragraphs in the official outline (deterministic in K)."""
    place = GENERATED_PLACES[k % len(GENERATED_PLACES)]
    rng = random.Random(k)
    words = ("行政执法", "合法性审查", "行政复议", "法律顾问", "普法宣传", "公平竞争审查",
             "矛盾纠纷化解", "政务公开", "营商环境", "人民调解")
    heads = ("一、党政主要负责人履行推进法治建设第一责任人职责情况", "二、主要举措和成效",
             "三、存在的不足和原因", "四、下一年度工作安排")
    lines = [f"{place}{2018 + k % 6}年法治政府建设情况报告（第{k}号）", ""]
    per = max(1, paragraphs // len(heads))
    for h, head in enumerate(heads):
        lines += [head, ""]
        for i in range(per):
            w1, w2 = rng.choice(words), rng.choice(words)
            lines += [f"{place}坚持{PROBE_COMMON}，第{k}篇第{h}章第{i}段：深入推进{w1}，"
                      f"健全{w2}工作机制，全年办理案件{rng.randint(1, 999)}件。", ""]
    if extra:
        lines += [extra, ""]
    return "\n".join(lines)


class GeneratedCorpus(Corpus):
    """FILES reports of about PARAGRAPHS paragraphs; B drops 10%, changes 10%, adds 10%."""

    def __init__(self, root: Path, stash: Path, files: int, paragraphs: int) -> None:
        super().__init__(root, stash)
        self.files, self.paragraphs = files, paragraphs
        tenth = max(1, files // 10)
        self.removed = range(0, tenth)
        self.changed = range(tenth, 2 * tenth)
        self.added = range(files, files + tenth)
        root.mkdir(parents=True, exist_ok=True)
        for k in range(files):
            self._write(k, b_version=False)

    def _path(self, k: int) -> Path:
        return self.root / f"{k // 100:02d}" / f"report-{k:05d}.txt"

    def _write(self, k: int, b_version: bool) -> None:
        path = self._path(k)
        path.parent.mkdir(parents=True, exist_ok=True)
        extra = f"{PROBE_B}：第{k}篇在乙版本中修订。" if b_version else ""
        path.write_text(generated_report(k, self.paragraphs, extra), encoding="utf-8")

    def switch(self) -> str:
        to_b = self.version == "A"
        for k in self.removed:
            if to_b:
                self._path(k).unlink()
            else:
                self._write(k, b_version=False)
        for k in self.changed:
            self._write(k, b_version=to_b)
        for k in self.added:
            if to_b:
                self._write(k, b_version=True)
            else:
                self._path(k).unlink()
        self.version = "B" if to_b else "A"
        return self.version


class CopiedCorpus(Corpus):
    """A copy of a real corpus; B moves out FRACTION of the files and appends a probe paragraph
    to as many others."""

    def __init__(self, source: Path, root: Path, stash: Path, fraction: float = 0.02,
                 seed: int = 0, limit: int | None = None) -> None:
        super().__init__(root, stash)
        chosen = sorted(p for p in source.rglob("*") if p.is_file() and p.suffix in (".md", ".txt"))
        if limit is not None:  # a fixed shuffle (by path hash) that keeps every category
            chosen = sorted(chosen, key=lambda p: hashlib.sha256(
                p.relative_to(source).as_posix().encode()).hexdigest())[:limit]
        for path in chosen:
            target = root / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        files = sorted(root / p.relative_to(source) for p in chosen)
        rng = random.Random(seed)
        picked = rng.sample(files, max(2, int(len(files) * fraction) * 2))
        half = len(picked) // 2
        self.removed, self.changed = picked[:half], picked[half:]
        stash.mkdir(parents=True, exist_ok=True)

    def _stash_path(self, path: Path, tag: str) -> Path:
        return self.stash / tag / path.relative_to(self.root)

    def switch(self) -> str:
        to_b = self.version == "A"
        for path in self.removed:
            kept = self._stash_path(path, "removed")
            kept.parent.mkdir(parents=True, exist_ok=True)
            if to_b:
                path.rename(kept)
            else:
                kept.rename(path)
        for path in self.changed:
            original = self._stash_path(path, "original")
            if to_b:
                original.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, original)
                with path.open("a", encoding="utf-8") as fh:
                    fh.write(f"\n\n{PROBE_B}：本条在乙版本中修订。\n")
            else:
                shutil.copy2(original, path)
        self.version = "B" if to_b else "A"
        return self.version


# ---------------------------------------------------------------- the soak


@dataclass
class KillRecord:
    round: int
    rebuild: bool
    kill_after_s: float
    outcome: str  # "previous" | "new" | "finished" (the run ended before the kill)
    recovery_s: float
    leftovers_after_kill: int


@dataclass
class SoakReport:
    corpus: str
    kills: list[KillRecord] = field(default_factory=list)
    states: dict[str, IndexState] = field(default_factory=dict)
    full_run_s: dict[str, float] = field(default_factory=dict)
    peak_rss_bytes: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        outcomes = [k.outcome for k in self.kills]
        return {
            "corpus": self.corpus,
            "kills": len(self.kills),
            "rebuild_kills": sum(k.rebuild for k in self.kills),
            "previous_state": outcomes.count("previous"),
            "new_state": outcomes.count("new"),
            "finished_before_kill": outcomes.count("finished"),
            "half_states": outcomes.count("half"),
            "errors": self.errors,
            "states": {name: asdict(s) for name, s in self.states.items()},
            "full_run_s": self.full_run_s,
            "max_recovery_s": max((k.recovery_s for k in self.kills), default=0.0),
            "peak_rss_mb": round(self.peak_rss_bytes / 2**20, 1),
        }


def soak(
    corpus: Corpus,
    config: Path,
    index: Path,
    kills: int,
    *,
    seed: int = 0,
    timeout: float = 1800.0,
    log=None,  # noqa: ANN001 - a print-like callable
) -> SoakReport:
    """Kill ``fazhi index`` KILLS times as described in the module docstring; problems are
    collected in ``report.errors`` (empty when every check held)."""
    say = log or (lambda *a: None)
    rng = random.Random(seed)
    report = SoakReport(corpus=type(corpus).__name__)

    def full_run(*args: str) -> RunResult:
        result = run_fazhi(config, "index", *args, timeout=timeout)
        report.peak_rss_bytes = max(report.peak_rss_bytes, result.peak_rss_bytes)
        if result.returncode != 0 or "Traceback" in result.stderr:
            raise AssertionError(f"fazhi index {' '.join(args)} failed ({result.returncode}):\n"
                                 f"{result.stderr[-3000:]}")
        return result

    # The two complete states, and how long a full run of each kind takes.
    first = full_run()
    report.states["A"] = read_state(config)
    report.full_run_s["build"] = first.elapsed_s
    corpus.switch()
    update = full_run()
    report.states["B"] = read_state(config)
    report.full_run_s["update"] = update.elapsed_s
    say(f"states {report.states}, full runs {report.full_run_s}")
    if report.states["A"] == report.states["B"]:
        raise AssertionError("versions A and B give the same state: the soak could not tell them apart")

    for i in range(kills):
        previous = corpus.version
        new = corpus.switch()
        rebuild = i % 3 == 2
        args = ("--rebuild",) if rebuild else ()
        span = report.full_run_s["build" if rebuild else "update"]
        # Start-up and reading take most of a run; the writes come at its end: aim there more.
        delay = rng.uniform(0.3, 1.05) * span
        killed = run_fazhi(config, "index", *args, kill_after=delay, timeout=timeout)
        state = read_state(config)
        left = len(leftovers(index))
        if killed.killed:
            if state == report.states[previous]:
                outcome = "previous"
            elif state == report.states[new]:
                outcome = "new"
            else:
                outcome = "half"
                report.errors.append(
                    f"round {i}: after a kill at {delay:.2f} s the index shows {state}, neither "
                    f"{previous}={report.states[previous]} nor {new}={report.states[new]}")
        else:
            outcome = "finished"
            if killed.returncode != 0 or state != report.states[new]:
                report.errors.append(f"round {i}: unkilled run ended {killed.returncode} "
                                     f"with {state}:\n{killed.stderr[-2000:]}")
        recovery = full_run()
        after = read_state(config)
        if after != report.states[new]:
            report.errors.append(f"round {i}: the run after the kill gives {after}, "
                                 f"not {new}={report.states[new]}")
        remaining = leftovers(index)
        if remaining:
            report.errors.append(f"round {i}: leftovers of killed writers stay: {remaining}")
        record = KillRecord(i, rebuild, round(delay, 3), outcome, round(recovery.elapsed_s, 2), left)
        report.kills.append(record)
        say(f"kill {i + 1}/{kills}: {record}")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=("laws", "generated"), default="laws")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--files", type=int, default=None,
                        help="laws: use this many files (a fixed shuffle; default all); "
                             "generated: files (default 300)")
    parser.add_argument("--paragraphs", type=int, default=40, help="generated: paragraphs/file")
    parser.add_argument("--shared", type=Path, default=SHARED_DIR)
    parser.add_argument("--json", type=Path, help="also write the summary to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fazhi-crash-soak-") as tmp:
        work = Path(tmp)
        if args.corpus == "laws":
            source = args.shared / LAWS_DOCS
            if not source.is_dir():
                print(f"no laws corpus at {source} (give --shared)", file=sys.stderr)
                return 2
            corpus: Corpus = CopiedCorpus(source, work / "corpus", work / "stash", seed=args.seed,
                                          limit=args.files)
        else:
            corpus = GeneratedCorpus(work / "corpus", work / "stash", args.files or 300,
                                     args.paragraphs)
        index = work / "index"
        config = write_config(work / "config.toml", index=index, corpus=[corpus.root])
        report = soak(corpus, config, index, args.kills, seed=args.seed,
                      log=lambda *a: print(*a, file=sys.stderr, flush=True))
    summary = report.summary()
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
