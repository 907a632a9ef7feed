"""The shortcuts of a small `fazhi index` update change nothing but its speed: content hashes
reused by stat are never stale, and files prepared by the warm worker process index exactly
as in a rebuild."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from indexer import SearchRequest, Settings, get_report, index_paths, search
from indexer.filehash import CACHE_FILE, RACY_S, FileHashes

REPO_ROOT = Path(__file__).resolve().parent.parent
FAZHI = (sys.executable, "-c", "from webui.cli import main; main()")
QUERIES = ["法治", "行政复议", "增补段落", "调解 OR 诉讼", "政府 -复议"]


def _answers(settings: Settings) -> list[object]:
    out: list[object] = []
    for q in QUERIES:
        res = search(settings, SearchRequest(query=q, grouped=False, limit=10**6))
        # Hits as a set: scores are Whoosh's BM25F, whose statistics count deleted documents
        # until a merge expunges them (tests/test_ranking.py checks them).
        out.append((q, sorted((h.report_id, h.n, h.text, h.highlights) for h in res.hits),
                    [(f.name, [(v.value, v.count) for v in f.values]) for f in res.facets]))
    return out


def _corpus(tmp_path: Path, seeds_dir: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in sorted(seeds_dir.glob("*.txt")):
        shutil.copy(seed, corpus / seed.name)
    return corpus


def _age(path: Path, seconds: float) -> None:
    """Make ``path`` look hashed long after its last change (as in any real corpus)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - int(seconds * 1e9)))


def test_cached_hash_is_reused_only_for_an_unchanged_stat(tmp_path: Path) -> None:
    """A file whose content changed is hashed again even when its size and mtime were put
    back (cp -p, rsync -t, tar do that): its change time moved."""
    folder = tmp_path / "ix"
    folder.mkdir()
    f = tmp_path / "a.txt"
    f.write_text("法治政府建设甲", encoding="utf-8")
    time.sleep(RACY_S + 0.2)  # so that the first hash is not a "racy" one
    first = FileHashes(folder)
    sha_a = first.sha256(f)
    first.save()
    assert (folder / CACHE_FILE).is_file()
    assert FileHashes(folder).sha256(f) == sha_a
    st = f.stat()
    f.write_text("法治政府建设乙", encoding="utf-8")  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime
    assert f.stat().st_size == st.st_size and f.stat().st_mtime_ns == st.st_mtime_ns
    again = FileHashes(folder).sha256(f)
    assert again != sha_a
    import hashlib

    assert again == hashlib.sha256(f.read_bytes()).hexdigest()


def test_a_damaged_hash_cache_is_ignored(tmp_path: Path, seeds_dir: Path) -> None:
    """A garbled cache file costs only time: the update still finds the changed file."""
    corpus = _corpus(tmp_path, seeds_dir)
    settings = Settings(index_path=tmp_path / "index", corpus_paths=(corpus,))
    index_paths(settings, [corpus])
    index_paths(settings, [corpus])  # writes the cache
    (Path(settings.index_path) / CACHE_FILE).write_text('{"version": 1, "files": {"x": 3}',
                                                         encoding="utf-8")
    target = sorted(corpus.glob("*.txt"))[2]
    target.write_text(target.read_text(encoding="utf-8") + "\n\n增补段落：缓存损坏之后。\n",
                      encoding="utf-8")
    summary = index_paths(settings, [corpus])
    assert summary.indexed == (target.stem,)


def test_cli_update_through_the_warm_worker_equals_a_rebuild(tmp_path: Path,
                                                            seeds_dir: Path) -> None:
    """`fazhi index` with two worker processes after editing one file (the warm-worker path)
    gives the same answers and reports as a fresh build of the edited corpus."""
    corpus = _corpus(tmp_path, seeds_dir)
    names = sorted(p.name for p in corpus.glob("*.txt"))
    (corpus / "metadata.csv").write_text(
        "path,report_year,issuer\n" + "".join(f"{n},{2015 + i},测试机关{i}\n"
                                              for i, n in enumerate(names)),
        encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[corpus]\npaths = ["{corpus.as_posix()}"]\n[index]\npath = "index"\nprocs = 2\n',
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}

    def fazhi_index() -> str:
        proc = subprocess.run([*FAZHI, "--config", str(config), "index"], capture_output=True,
                              text=True, timeout=300, env=env, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout + proc.stderr

    fazhi_index()
    for f in corpus.glob("*.txt"):
        _age(f, 60)
    target = sorted(corpus.glob("*.txt"))[1]
    target.write_text(target.read_text(encoding="utf-8") + "\n\n增补段落：温热进程准备。\n",
                      encoding="utf-8")
    assert "indexed 1 report(s)" in fazhi_index()
    assert "indexed 0 report(s)" in fazhi_index()
    incremental = Settings(index_path=tmp_path / "index", corpus_paths=(corpus,))
    fresh = Settings(index_path=tmp_path / "fresh", corpus_paths=(corpus,))
    index_paths(fresh, [corpus], rebuild=True)
    assert _answers(incremental) == _answers(fresh)
    for f in corpus.glob("*.txt"):
        assert get_report(incremental, f.stem) == get_report(fresh, f.stem)
    hits = search(incremental, SearchRequest(query="增补段落", grouped=False)).hits
    assert [h.report_id for h in hits] == [target.stem]
    assert hits[0].report.report_year == 2015 + names.index(target.name)  # its manifest row


def test_first_run_on_a_fresh_machine_prints_only_the_summary(tmp_path: Path,
                                                              seeds_dir: Path) -> None:
    """With every cache cold (ours and jieba's own), `fazhi index` builds them silently:
    stderr carries no jieba log lines ("Building prefix dict ...", "Loading model ...")."""
    corpus = _corpus(tmp_path, seeds_dir)
    config = tmp_path / "fazhi.toml"
    config.write_text(f'[corpus]\npaths = ["{corpus.as_posix()}"]\n\n'
                      f'[index]\npath = "{(tmp_path / "index").as_posix()}"\n', encoding="utf-8")
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "TMPDIR": str(tmp_path / "tmp")}
    proc = subprocess.run([*FAZHI, "--config", str(config), "index"], capture_output=True,
                          text=True, timeout=300, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "indexed 5 report(s)" in proc.stdout
    assert any((tmp_path / "cache" / "fazhi-search").iterdir())  # the caches were built here
    for noise in ("prefix dict", "Loading model", "Dumping model"):
        assert noise not in proc.stderr, proc.stderr


def test_a_hash_taken_within_the_racy_window_is_not_trusted(tmp_path: Path) -> None:
    """A file hashed less than RACY_S after its last change may change again within the same
    timestamp tick unseen: its cached hash is taken again next time; a settled one is reused.
    (The cached digest is replaced by a marker to see which of the two happened.)"""
    import hashlib
    import json

    folder = tmp_path / "ix"
    folder.mkdir()
    fresh, settled = tmp_path / "fresh.txt", tmp_path / "settled.txt"
    settled.write_text("早已写好的文件", encoding="utf-8")
    time.sleep(RACY_S + 0.2)
    fresh.write_text("刚刚写好的文件", encoding="utf-8")
    hashes = FileHashes(folder)
    hashes.sha256(fresh)
    hashes.sha256(settled)
    hashes.save()
    from indexer.integrity import sealed

    data = json.loads((folder / CACHE_FILE).read_text(encoding="utf-8"))
    del data["crc32"]  # the cache is sealed with a CRC-32: edited here, sealed again
    for entry in data["files"].values():
        entry[1] = "0" * 64
    (folder / CACHE_FILE).write_text(sealed(data), encoding="utf-8")
    again = FileHashes(folder)
    assert again.sha256(fresh) == hashlib.sha256(fresh.read_bytes()).hexdigest()
    assert again.sha256(settled) == "0" * 64


def test_a_rebuild_leaves_the_hash_of_every_source_for_the_next_run(tmp_path: Path,
                                                                   seeds_dir: Path) -> None:
    """A full build starts a new index folder without a hash cache; it writes one, so the
    first incremental run after it reuses every file's hash instead of reading them all."""
    import hashlib
    import json

    corpus = _corpus(tmp_path, seeds_dir)
    time.sleep(RACY_S + 0.2)  # settled files, as in any real corpus
    settings = Settings(index_path=tmp_path / "index", corpus_paths=(corpus,))
    index_paths(settings, [corpus], rebuild=True)
    cached = json.loads((tmp_path / "index" / CACHE_FILE).read_text(encoding="utf-8"))["files"]
    files = sorted(corpus.glob("*.txt"))
    assert {Path(k).name for k in cached} == {f.name for f in files}
    for f in files:
        assert cached[str(f)][1] == hashlib.sha256(f.read_bytes()).hexdigest()


def test_hashing_a_fifo_neither_blocks_nor_caches(tmp_path: Path) -> None:
    """A named pipe in the corpus (a rebuild hashes every source file afterwards): no hash,
    and no wait for a writer that never comes."""
    import threading

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(FileHashes(tmp_path).sha256(fifo)),
                              daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "hashing a FIFO blocked"
    assert result == [None]
