"""The damage matrix: damage one file of a good index at a time and see what the user meets.

A small real index (the seed reports, built then updated twice, so that it has three segments,
deletions in its table of contents, accelerators and the file-hash cache) is copied once per
case; one of its files is truncated to half, has one byte changed (for a text file one ASCII
letter or digit replaced by another, so it stays valid UTF-8) or is deleted; then, as a user
would: ``fazhi check``, ``fazhi search`` (answers compared with those of the undamaged index),
``fazhi stats``, ``fazhi index`` (it must repair), ``fazhi search`` again (must equal a fresh
build) and ``fazhi index`` once more (nothing left to do).

    .venv/bin/python -m benchmarks.damage_matrix [--subprocess] [--json FILE]

``--subprocess`` runs every command as its own ``fazhi`` process (slower; what the figures in
docs/reliability.md were taken with); the default runs the real CLI in this process through
click's test runner (what ``tests/test_index_damage.py`` does).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.crash_soak import run_fazhi, write_config

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS = REPO_ROOT / "seeds"
DAMAGES = ("truncate", "flip", "delete")
QUERIES = ("行政复议", "法治政府", "政府 -建设")
EDITS = (
    ("000_b17968ed37a63a16.txt", "\n\n新增一段：行政复议案件全部按期办结，法治政府建设持续推进。\n"),
    ("new_report.txt", "某镇2023年法治政府建设情况报告\n\n一、主要工作\n\n全面推进行政复议体制改革。\n"),
)


@dataclass(frozen=True, slots=True)
class Run:
    """What one command gave: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    @property
    def traceback(self) -> bool:
        text = self.out + self.err
        return "Traceback" in text or "Aborted!" in text

    def first_error(self) -> str:
        lines = [line for line in self.err.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("Error:")]
        return (errors or lines or [""])[0][:300]


Runner = Callable[..., Run]


def subprocess_runner(config: Path) -> Runner:
    def run(*args: str) -> Run:
        result = run_fazhi(config, *args, timeout=300)
        return Run(result.returncode, result.stdout, result.stderr)

    return run


def cli_runner(config: Path) -> Runner:
    from click.testing import CliRunner

    from webui.cli import _register, cli

    _register()

    def run(*args: str) -> Run:
        result = CliRunner().invoke(cli, ["--config", str(config), *args])
        err = result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            import traceback

            err += "".join(traceback.format_exception(result.exception))
        return Run(result.exit_code, result.stdout, err)

    return run


def answers(run: Runner) -> tuple | None:
    """The hits of QUERIES (paragraph ids and totals), or None when a search failed."""
    out = []
    for query in QUERIES:
        result = run("search", query, "--json", "--flat", "--limit", "10000")
        if result.code != 0:
            return None
        data = json.loads(result.out)
        hits = sorted((h["report_id"], h["n"]) for h in data["hits"])
        out.append((data["total_paragraphs"], data["total_reports"], tuple(hits)))
    return tuple(out)


def build_index(folder: Path, make_runner: Callable[[Path], Runner] = cli_runner):
    """A corpus and an index of it with three segments (a build and two updates)."""
    corpus = folder / "corpus"
    shutil.copytree(SEEDS, corpus)
    index = folder / "index"
    config = write_config(folder / "config.toml", index=index, corpus=[corpus], procs=1)
    run = make_runner(config)
    assert run("index").code == 0
    for name, text in EDITS:
        with open(corpus / name, "a", encoding="utf-8") as fh:
            fh.write(text)
        assert run("index").code == 0
    return corpus, index, config


def index_files(index: Path) -> list[str]:
    return sorted(str(p.relative_to(index)) for p in index.rglob("*") if p.is_file())


def damage(path: Path, kind: str) -> bool:
    """Damage the file at ``path``; False when this damage does not apply (an empty file)."""
    if kind == "delete":
        path.unlink()
        return True
    data = bytearray(path.read_bytes())
    if not data:
        return False
    if kind == "truncate":
        path.write_bytes(bytes(data[: len(data) // 2]))
        return True
    try:
        data.decode("utf-8")
        text = True
    except UnicodeDecodeError:
        text = False
    middle = len(data) // 2
    if text:  # the nearest ASCII letter or digit, replaced by another: still UTF-8
        spots = [i for i in range(len(data)) if chr(data[i]).isascii() and chr(data[i]).isalnum()]
        if not spots:
            return False
        i = min(spots, key=lambda j: abs(j - middle))
        c = chr(data[i])
        data[i] = ord("0123456789"[(int(c) + 1) % 10] if c.isdigit()
                      else ("b" if c.lower() == "a" else "a"))
    else:
        data[middle] ^= 0x5A
    path.write_bytes(bytes(data))
    return True


@dataclass
class Case:
    file: str
    damage: str
    check: tuple[int, str] | None = None  # exit code, first line
    search: str = ""  # right / WRONG / message / traceback
    search_message: str = ""
    stats: str = ""
    index: tuple[int, str] | None = None  # exit code, first line of notes or error
    after: str = ""  # right / WRONG / message / traceback (search after `fazhi index`)
    again: str = ""  # the output of a second `fazhi index`
    check_after: int | None = None
    notes: list[str] = field(default_factory=list)


def _outcome(result: Run, good: tuple, got: tuple | None) -> str:
    if result.traceback:
        return "traceback"
    if result.code != 0:
        return "message"
    return "right" if got == good else "WRONG"


def run_case(good_index: Path, corpus: Path, folder: Path, rel: str, kind: str,
             good: tuple, make_runner: Callable[[Path], Runner], has_check: bool) -> Case | None:
    index = folder / "index"
    shutil.copytree(good_index, index)
    if not damage(index / rel, kind):
        shutil.rmtree(index)
        return None
    config = write_config(folder / "config.toml", index=index, corpus=[corpus], procs=1)
    run = make_runner(config)
    case = Case(rel, kind)
    if has_check:
        result = run("check")
        case.check = (result.code, (result.out + result.err).strip().splitlines()[0][:300]
                      if (result.out + result.err).strip() else "")
        if result.traceback:
            case.notes.append("check: traceback")
    first = run("search", QUERIES[0], "--json", "--flat", "--limit", "10000")
    got = answers(run) if first.code == 0 and not first.traceback else None
    case.search = _outcome(first, good, got)
    case.search_message = first.first_error()
    stats = run("stats")
    case.stats = "traceback" if stats.traceback else ("message" if stats.code else "ok")
    indexed = run("index")
    notes = [line.strip() for line in indexed.err.splitlines() if "note:" in line]
    case.index = (indexed.code, "traceback" if indexed.traceback
                  else (notes[0] if notes else indexed.first_error() or indexed.out.strip()[:200]))
    after = run("search", QUERIES[0], "--json", "--flat", "--limit", "10000")
    got = answers(run) if after.code == 0 and not after.traceback else None
    case.after = _outcome(after, good, got)
    again = run("index")
    case.again = "traceback" if again.traceback else again.out.strip()[:120]
    if has_check:
        case.check_after = run("check").code
    return case


def run_matrix(folder: Path, make_runner: Callable[[Path], Runner] = cli_runner,
               files: list[str] | None = None, damages=DAMAGES) -> tuple[list[Case], tuple, list[str]]:
    """Every (file, damage) case on copies of one good index; the good answers; the files."""
    corpus, good_index, config = build_index(folder / "good", make_runner)
    good = answers(make_runner(config))
    assert good is not None and good[0][0] > 0
    has_check = make_runner(config)("check", "--help").code == 0
    names = files if files is not None else index_files(good_index)
    cases: list[Case] = []
    for n, rel in enumerate(names):
        for kind in damages:
            case = run_case(good_index, corpus, folder / f"case{n}-{kind}", rel, kind, good,
                            make_runner, has_check)
            if case is not None:
                cases.append(case)
    return cases, good, names


def _kind(name: str) -> str:
    """A file's name with its segment id and generation replaced by placeholders."""
    import re

    return re.sub(r"_\d+\.", "_<gen>.", re.sub(r"[0-9a-z]{16}", "<segid>", name))


def _index_outcome(case: Case) -> str:
    code, line = case.index or (None, "")
    if line == "traceback":
        return "traceback"
    if code != 0:
        return "exit 1, message"
    if "damaged" in line or "older layout" in line:
        return "rebuilt, says why"
    return "rebuilt" if not line.startswith("indexed 0 ") else "exit 0, \"unchanged\""


def summarize(cases: list[Case]) -> list[str]:
    """A markdown table: per kind of file and damage, what each command gave."""
    from collections import Counter, defaultdict

    rows: dict = defaultdict(lambda: defaultdict(Counter))
    for c in cases:
        row = rows[(_kind(c.file), c.damage)]
        row["check"]["-" if c.check is None else f"exit {c.check[0]}"] += 1
        row["search"][c.search] += 1
        row["index"][_index_outcome(c)] += 1
        row["after"][c.after] += 1
    out = ["| file | damage | cases | `fazhi check` | `fazhi search` | `fazhi index` | "
           "search after |", "|---|---|---|---|---|---|---|"]
    for (kind, damage_kind), row in sorted(rows.items()):
        cells = [", ".join(f"{k}" + (f" ×{n}" if n > 1 else "") for k, n in row[col].items())
                 for col in ("check", "search", "index", "after")]
        out.append(f"| `{kind}` | {damage_kind} | {sum(row['search'].values())} | "
                   + " | ".join(cells) + " |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subprocess", action="store_true", help="one fazhi process per command")
    parser.add_argument("--json", help="write the cases as JSON to this file")
    args = parser.parse_args()
    make_runner = subprocess_runner if args.subprocess else cli_runner
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        cases, _good, names = run_matrix(Path(tmp), make_runner)
    print(f"{len(names)} files, {len(cases)} cases in {time.monotonic() - start:.0f} s")
    print("\n".join(summarize(cases)))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(c) for c in cases], ensure_ascii=False,
                                              indent=1), encoding="utf-8")
    sys.exit(0)


if __name__ == "__main__":
    main()
