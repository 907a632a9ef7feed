"""A damaged index is detected, explained and repaired; failures of the environment are said.

The damage matrix (``benchmarks/damage_matrix.py``) damages every file of a small real index
(three segments, deletions, accelerators, the file-hash cache), one at a time, by truncating it,
changing one byte (text files stay valid UTF-8) or deleting it, and runs the real CLI as a user
would: ``check``, ``search``, ``stats``, ``index``, ``search``, ``index``. Then the cases the
matrix cannot show: files altered under a running server, a server whose new generation is
damaged, leftovers of killed and cancelled writers, a full disk, a read-only folder, an index of
another schema version at ``fazhi serve``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # benchmarks/ is a folder of the repo, not a package

from benchmarks.crash_soak import run_fazhi, write_config  # noqa: E402
from benchmarks.damage_matrix import (  # noqa: E402
    QUERIES,
    answers,
    build_index,
    cli_runner,
    damage,
    index_files,
    run_matrix,
)
from fixtures_web import free_port, get, wait_for  # noqa: E402

# Damage that takes nothing away: the lock file is made again, an accelerator is made from
# its segment, the file-hash cache only saves time.
HARMLESS = {("MAIN_WRITELOCK", "delete"), ("file-hashes.json", "delete")}
REWRITTEN = ("fazhi-cache/", "file-hashes.json")  # damaged: rewritten, no rebuild


def _harmless(file: str, kind: str) -> bool:
    return (file, kind) in HARMLESS or (file.startswith("fazhi-cache/") and kind == "delete")


def test_every_damaged_file_is_detected_explained_and_repaired(tmp_path: Path) -> None:
    """Each file of the index, truncated, altered or deleted: `fazhi check` names it (exit 1),
    search and stats give right answers or one line naming `fazhi index` (never a wrong answer
    or a traceback), `fazhi index` repairs it, and the answers equal the undamaged index's."""
    cases, _good, files = run_matrix(tmp_path)
    assert {f.split("/")[0] for f in files} >= {"fazhi-cache", "file-hashes.json",
                                                "FAZHI_SCHEMA_VERSION", "MAIN_WRITELOCK"}
    assert sum(f.endswith(".seg") for f in files) == 3
    assert any(f.endswith(".toc") for f in files) and any("CHECKSUMS" in f for f in files)
    table = Counter()
    for c in cases:
        where = f"{c.file} {c.damage}: {c}"
        assert not c.notes, where
        code, line = c.check
        if _harmless(c.file, c.damage):
            assert code == 0, where
        else:
            assert code == 1 and c.file in line and "fix: run `fazhi index`" in line, where
        assert c.search in ("right", "message"), where  # never WRONG, never a traceback
        assert c.stats in ("ok", "message"), where
        if c.search == "message":
            assert "fazhi index" in c.search_message and "Traceback" not in c.search_message
        if not c.file.startswith(REWRITTEN) and not _harmless(c.file, c.damage):
            assert c.search == "message", where  # a damaged generation is never searched
        assert c.index is not None and c.index[0] == 0, where
        if c.search == "message":  # rebuilt, and said so
            assert "rebuilt" in c.index[1] or "older layout" in c.index[1], where
        assert c.after == "right", where
        assert "unchanged" in c.again and "indexed 0 report(s)" in c.again, where
        assert c.check_after == 0, where
        table[(c.search, "repaired")] += 1
    print(f"\ndamage matrix: {len(files)} files, {len(cases)} cases: {dict(table)}")


def test_no_op_runs_leave_no_files_behind(tmp_path: Path) -> None:
    """Runs of `fazhi index` that change nothing leave the index folder exactly as it was."""
    _corpus, index, config = build_index(tmp_path)
    run = cli_runner(config)
    before = index_files(index)
    for _ in range(3):
        result = run("index")
        assert result.code == 0 and "indexed 0 report(s)" in result.out
    assert index_files(index) == before


KILLED_WRITER = """
import sys, time
from whoosh import index
from indexer.whoosh_writer import segment_writer
ix = index.open_dir(sys.argv[1])
writer = segment_writer(ix, limitmb=1, timeout=5)
for i in range(3000):
    writer.add_document(kind="p", report_id="killed", text="留下的临时文件" * 20, n=i,
                        grams="留下的临时文件")
print("writing", flush=True)
time.sleep(600)
"""


def test_a_killed_writers_files_are_removed_by_the_next_run(tmp_path: Path) -> None:
    """A writer killed half-way leaves its pool folder and segment files in the index folder:
    `fazhi check` lists them as leftovers (the index is sound), the next `fazhi index` removes
    them and the answers are unchanged."""
    _corpus, index, config = build_index(tmp_path)
    run = cli_runner(config)
    good = answers(run)
    before = index_files(index)
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(index)],
                              stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    try:
        assert writer.stdout.readline().strip() == "writing"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    left = sorted(set(index_files(index)) - set(before))
    assert any(name.startswith("MAIN.tmp/") for name in left), left
    (index / "_MAIN_9.toc.1733000000.0").write_bytes(b"half a table of contents")
    check = run("check")
    assert check.code == 0 and "leftover" in check.err, check.err
    assert run("index").code == 0
    assert index_files(index) == before
    assert "leftover" not in run("check").err
    assert answers(run) == good


def test_a_page_that_meets_damage_gets_503_with_the_fix(tmp_path: Path) -> None:
    """A segment altered under a running process (after it was verified on open): every
    search page and API answer is a 503 naming the file and `fazhi index`, never a 500 or a
    silently wrong count; after `fazhi index` the answers are those of before."""
    from indexer import index_paths, load_settings
    from webui import create_app

    _corpus, index, config = build_index(tmp_path)
    settings = load_settings(config)
    client = create_app({"SETTINGS": settings, "TESTING": True}).test_client()
    before = {q: client.get("/api/search?q=" + quote(q)).get_json()["total_paragraphs"]
              for q in QUERIES}
    segment = max(index.glob("MAIN_*.seg"), key=lambda p: p.stat().st_size)
    size = segment.stat().st_size
    with open(segment, "r+b") as fh:  # same size, other bytes: only the checksum tells
        fh.seek(size // 4)
        fh.write(random.Random(7).randbytes(size // 2))
    for q in QUERIES:
        response = client.get("/api/search?q=" + quote(q))
        assert response.status_code == 503, (q, response.get_json())
        error = response.get_json()["error"]
        assert segment.name in error["message"] and "fazhi index" in error["hint"]
    page = client.get("/?q=" + quote(QUERIES[0]))
    text = page.get_data(as_text=True)
    assert page.status_code == 503 and "索引文件已损坏" in text and "fazhi index" in text
    summary = index_paths(settings)
    assert any("damaged" in note and segment.name in note for note in summary.notes)
    after = {q: client.get("/api/search?q=" + quote(q)).get_json()["total_paragraphs"]
             for q in QUERIES}
    assert after == before


def _serve(config: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "from webui.cli import main; main()", "--config", str(config),
         "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT,
    )


def test_a_server_keeps_answering_from_the_last_good_generation(tmp_path: Path) -> None:
    """`fazhi serve` is running; an update commits a generation whose new segment is then
    damaged: the server keeps answering from the previous generation (one log line), and the
    next `fazhi index` repairs the index, which the server then serves."""
    corpus, index, config = build_index(tmp_path)
    port = free_port()
    server = _serve(config, port)
    api = f"http://127.0.0.1:{port}/api/search?q=" + quote("星辰大海专项行动")
    try:
        wait_for(f"http://127.0.0.1:{port}/", server, timeout=90)
        assert json.loads(get(api)[2])["total_paragraphs"] == 0
        (corpus / "added.txt").write_text("某区法治政府建设情况报告\n\n开展星辰大海专项行动。\n",
                                          encoding="utf-8")
        segments = set(index.glob("MAIN_*.seg"))
        assert run_fazhi(config, "index", timeout=300).returncode == 0
        (new,) = set(index.glob("MAIN_*.seg")) - segments
        assert damage(new, "flip")
        for _ in range(3):
            status, _, body = get(api)
            assert status == 200 and json.loads(body)["total_paragraphs"] == 0
        repaired = run_fazhi(config, "index", timeout=300)
        assert repaired.returncode == 0 and "damaged" in repaired.stderr, repaired.stderr
        status, _, body = get(api)
        assert status == 200 and json.loads(body)["total_paragraphs"] == 1
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    lines = [line for line in err.splitlines() if "still answering" in line]
    assert len(lines) == 1 and new.name in lines[0] and "Traceback" not in err, err


def test_serve_says_in_one_line_what_is_wrong_with_the_index(tmp_path: Path) -> None:
    """`fazhi serve` over an index of another schema version, or a damaged one: one line
    naming the fix, exit 1, no traceback."""
    _corpus, index, config = build_index(tmp_path)
    (index / "FAZHI_SCHEMA_VERSION").write_text("6", encoding="ascii")
    old = run_fazhi(config, "serve", "--port", str(free_port()), timeout=120)
    assert old.returncode == 1 and "Traceback" not in old.stderr
    assert "schema version 6" in old.stderr and "fazhi index" in old.stderr
    (index / "FAZHI_SCHEMA_VERSION").write_text("7", encoding="ascii")
    segment = next(index.glob("MAIN_*.seg"))
    damage(segment, "truncate")
    bad = run_fazhi(config, "serve", "--port", str(free_port()), timeout=120)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    errors = [line for line in bad.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and segment.name in errors[0] and "fazhi index" in errors[0]


def test_a_truncated_segment_met_by_an_update_is_rebuilt(tmp_path: Path) -> None:
    """A real `fazhi index` process over a corpus with a change and an index with a truncated
    segment: not "Aborted!", but a rebuild that says so; the answers equal a fresh build's."""
    corpus, index, config = build_index(tmp_path)
    damage(next(index.glob("MAIN_*.seg")), "truncate")
    (corpus / "added.txt").write_text("某区法治政府建设情况报告\n\n行政复议案件办理。\n",
                                      encoding="utf-8")
    result = run_fazhi(config, "index", timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Aborted" not in result.stderr and "Traceback" not in result.stderr
    assert "the index was damaged" in result.stderr and "rebuilt" in result.stderr
    fresh_config = write_config(tmp_path / "fresh.toml", index=tmp_path / "fresh",
                                corpus=[corpus], procs=1)
    assert cli_runner(fresh_config)("index").code == 0
    assert answers(cli_runner(config)) == answers(cli_runner(fresh_config))


def test_check_reports_one_line_per_damaged_file(tmp_path: Path) -> None:
    """`fazhi check`: exit 0 and a summary when sound; with two damaged files, exit 1 and one
    line each, naming the file and the fix; --json says the same."""
    _corpus, index, config = build_index(tmp_path)
    run = cli_runner(config)
    sound = run("check")
    assert sound.code == 0 and "index sound" in sound.out
    seg = sorted(index.glob("MAIN_*.seg"))[0]
    cache = next(index.glob("fazhi-cache/*.npz"))
    damage(seg, "flip")
    damage(cache, "truncate")
    bad = run("check")
    lines = bad.out.strip().splitlines()
    assert bad.code == 1 and len(lines) == 2, bad.out
    assert seg.name in lines[0] and "fazhi index" in lines[0]
    assert cache.name in lines[1] and "fazhi index" in lines[1]
    data = json.loads(run("check", "--json").out)
    assert data["sound"] is False and [p["rebuild"] for p in data["problems"]] == [True, False]


# ---------------------------------------------------------------- the environment


def _mount_tmpfs(where: Path, size_kb: int, *options: str) -> bool:
    """Mount a small tmpfs at ``where`` (root only; False when that is not possible here)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    where.mkdir(parents=True, exist_ok=True)
    opts = ",".join((f"size={size_kb}k", *options))
    return subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(where)],
                          capture_output=True).returncode == 0


def _umount(where: Path) -> None:
    # lazily: this process still maps files of the index there (its open snapshots)
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_a_full_disk_keeps_the_previous_index(tmp_path: Path, seeds_dir: Path) -> None:
    """The index on a small file system that fills up: an update and a rebuild fail with one
    line saying so (exit 1), the previous index answers as before, nothing is left behind;
    with space again, `fazhi index` completes."""
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, 6 * 1024):
        pytest.skip("needs root and tmpfs to make a small file system")
    try:
        corpus = tmp_path / "corpus"
        shutil.copytree(seeds_dir, corpus)
        config = write_config(tmp_path / "config.toml", index=disk / "index", corpus=[corpus],
                              procs=1)
        run = cli_runner(config)
        assert run("index").code == 0
        assert run("index").code == 0  # writes the file-hash cache too
        good, files = answers(run), index_files(disk / "index")
        free = shutil.disk_usage(disk).free
        (disk / "filler").write_bytes(b"\0" * (free - 200 * 1024))
        for i in range(4):
            shutil.copy(next(iter(sorted(seeds_dir.glob("*.txt")))), corpus / f"copy{i}.txt")
        for args in (("index",), ("index", "--rebuild")):
            result = run(*args)
            assert result.code == 1, result.out
            assert "No space left on device" in result.err and "as it was" in result.err
            assert "Traceback" not in result.err
            assert answers(run) == good
            assert index_files(disk / "index") == files
            assert sorted(p.name for p in disk.iterdir()) == ["filler", "index"]
        (disk / "filler").unlink()
        assert run("index").code == 0
        assert run("check").code == 0
    finally:
        _umount(disk)


def test_an_unwritable_index_folder_is_said_in_one_line(tmp_path: Path, seeds_dir: Path) -> None:
    """An index whose parent folder cannot be written (a read-only file system as root, a
    folder without write permission otherwise): `fazhi index` says so in one line (exit 1);
    an index already there keeps answering."""
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds_dir, corpus)
    parent = tmp_path / "parent"
    as_root = os.geteuid() == 0
    if as_root and not _mount_tmpfs(parent, 8 * 1024):
        pytest.skip("running as root without tmpfs: no way to make an unwritable folder")
    parent.mkdir(exist_ok=True)
    try:
        config = write_config(tmp_path / "config.toml", index=parent / "index",
                              corpus=[corpus], procs=1)
        run = cli_runner(config)
        assert run("index").code == 0
        good = answers(run)
        if as_root:
            assert subprocess.run(["mount", "-o", "remount,ro", str(parent)]).returncode == 0
        else:
            os.chmod(parent, 0o555)
            os.chmod(parent / "index", 0o555)
        for args in (("index", "--rebuild"), ("index",)):
            (corpus / "new.txt").write_text("某镇法治政府建设情况报告\n\n行政复议。\n",
                                            encoding="utf-8")
            result = run(*args)
            errors = [line for line in result.err.splitlines() if line.startswith("Error:")]
            assert result.code == 1 and len(errors) == 1, result.err
            assert "Traceback" not in result.err and str(parent) in errors[0]
        assert answers(run) == good
        nested = write_config(tmp_path / "nested.toml", index=parent / "a" / "index",
                              corpus=[corpus], procs=1)
        result = cli_runner(nested)("index")
        assert result.code == 1 and result.err.startswith("Error:") and "Traceback" not in result.err
    finally:
        if as_root:
            _umount(parent)
        else:
            os.chmod(parent, 0o755)
            if (parent / "index").exists():
                os.chmod(parent / "index", 0o755)
