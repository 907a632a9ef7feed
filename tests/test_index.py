"""Writing the index: incremental upserts, atomic commits, rebuilds, versions and locks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from fixtures_search import all_hits, make_report
from indexer import (
    IndexBusyError,
    IndexMissingError,
    SchemaVersionError,
    SearchRequest,
    search,
)
from indexer import index_reports as index_into
from indexer.index import open_index
from indexer.schema import VERSION_FILE

A = make_report("a", ["一、甲方推进行政复议", "人民调解员调解纠纷"], province="江苏省", report_year=2022)
B = make_report("b", ["二、乙方推进合法性审查"], province="浙江省", report_year=2023)


def test_incremental_add_change_unchanged(index_reports) -> None:
    """Unchanged reports are skipped, changed ones replaced, new ones added."""
    settings = index_reports(A)
    assert all_hits(settings, "行政复议") == {("a", 0)}
    a2 = make_report("a", ["一、甲方推进规范性文件备案"], province="江苏省", report_year=2022)
    summary = index_reports_summary(settings, [a2, B])
    assert summary.indexed == ("a", "b") and summary.unchanged == ()
    assert all_hits(settings, "行政复议") == set()
    assert all_hits(settings, "备案") == {("a", 0)}
    assert all_hits(settings, "人民调解") == set()  # the old second paragraph is gone
    again = index_reports_summary(settings, [a2, B])
    assert again.unchanged == ("a", "b") and again.indexed == ()


def index_reports_summary(settings, reports):
    return index_into(settings, reports)


def test_crash_mid_indexing_keeps_previous_index(index_reports) -> None:
    """An exception while indexing leaves the previous index intact and searchable."""
    settings = index_reports(A)

    def exploding():
        yield replace(B)
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        index_into(settings, exploding())
    assert all_hits(settings, "行政复议") == {("a", 0)}
    assert all_hits(settings, "合法性审查") == set()
    with pytest.raises(RuntimeError):
        index_into(settings, exploding(), rebuild=True)
    assert all_hits(settings, "行政复议") == {("a", 0)}


def test_rebuild_replaces_everything(index_reports) -> None:
    """--rebuild drops reports that are not given again."""
    settings = index_reports(A, B)
    index_into(settings, [B], rebuild=True)
    assert all_hits(settings, "推进") == {("b", 0)}


def test_schema_version_mismatch_asks_for_rebuild(index_reports) -> None:
    """An index of another schema version says to run `fazhi index` (search) or `fazhi index
    --rebuild` (adding reports from memory, which could not rebuild the rest)."""
    settings = index_reports(A)
    (settings.index_path / VERSION_FILE).write_text("0")
    with pytest.raises(SchemaVersionError, match="fazhi index"):
        search(settings, SearchRequest(query="法"))
    with pytest.raises(SchemaVersionError, match="fazhi index --rebuild"):
        index_into(settings, [B])
    index_into(settings, [A, B], rebuild=True)
    assert all_hits(settings, "推进") == {("a", 0), ("b", 0)}


def test_old_layout_is_rebuilt_by_fazhi_index(tmp_path, seeds_dir) -> None:
    """`fazhi index` over an index of an older layout rebuilds it from the corpus and says so;
    nothing indexed is lost."""
    from indexer import index_paths, load_settings

    settings = load_settings().replace(index_path=tmp_path / "index",
                                       corpus_paths=(seeds_dir,))
    first = index_paths(settings)
    (settings.index_path / VERSION_FILE).write_text("4")
    summary = index_paths(settings)
    assert any("older layout" in note for note in summary.notes)
    assert sorted(summary.indexed) == sorted(first.indexed)
    assert search(settings, SearchRequest(query="法治")).total_reports == len(first.indexed)


def test_missing_index(search_settings) -> None:
    """Searching before indexing says to run `fazhi index`."""
    with pytest.raises(IndexMissingError, match="fazhi index"):
        search(search_settings, SearchRequest(query="法"))


def test_second_writer_is_told_the_index_is_busy(index_reports, monkeypatch) -> None:
    """While a writer holds the lock, another run raises IndexBusyError."""
    monkeypatch.setattr("indexer.index.LOCK_TIMEOUT_S", 0.3)
    settings = index_reports(A)
    ix = open_index(settings.index_path)
    writer = ix.writer()
    try:
        with pytest.raises(IndexBusyError, match="another"):
            index_into(settings, [B])
    finally:
        writer.cancel()
    index_into(settings, [B])
    assert all_hits(settings, "合法性审查") == {("b", 0)}


def test_killed_writer_leaves_no_stale_lock(index_reports, monkeypatch) -> None:
    """The lock of a writer killed with SIGKILL dies with its process."""
    monkeypatch.setattr("indexer.index.LOCK_TIMEOUT_S", 0.3)
    settings = index_reports(A)
    code = textwrap.dedent(f"""
        import sys, time
        from whoosh import index
        w = index.open_dir({str(settings.index_path)!r}).writer()
        print("locked", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(IndexBusyError):
            index_into(settings, [B])
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    index_into(settings, [B])
    assert all_hits(settings, "合法性审查") == {("b", 0)}


def test_searcher_sees_new_commits(index_reports) -> None:
    """A search after a new commit sees it without any restart."""
    settings = index_reports(A)
    assert all_hits(settings, "合法性审查") == set()
    index_into(settings, [B])
    assert all_hits(settings, "合法性审查") == {("b", 0)}
    index_into(settings, [A], rebuild=True)
    assert all_hits(settings, "合法性审查") == set()


def test_a_replaced_snapshot_is_freed(index_reports) -> None:
    """After a new commit, the searcher's previous generation is freed at once (its arrays are
    most of a server's memory): it holds no reference cycle, which the garbage collector,
    kept away from open snapshots, would not break."""
    import weakref

    from indexer import searching

    settings = index_reports(A)
    old = weakref.ref(searching.snapshot(settings))
    index_into(settings, [B])
    assert searching.snapshot(settings) is not old()
    assert old() is None


def test_index_paths_add_change_delete_files(search_settings, tmp_path) -> None:
    """fazhi index on a folder: new files added, changed replaced, deleted removed."""
    pytest.importorskip("indexer.ingest")
    from indexer import index_paths

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = "\n\n".join(["张家港市塘桥镇人民政府2022年法治政府建设情况报告",
                        "2022年，我镇推进行政复议工作。", "一、主要举措和成效", "深化合法性审查。"])
    (corpus / "one.txt").write_text(body, encoding="utf-8")
    (corpus / "two.txt").write_text(body.replace("行政复议", "人民调解"), encoding="utf-8")
    first = index_paths(search_settings, [corpus])
    assert sorted(first.indexed) == ["one", "two"]
    assert {rid for rid, _ in all_hits(search_settings, "行政复议")} == {"one"}
    (corpus / "one.txt").write_text(body.replace("行政复议", "八五普法"), encoding="utf-8")
    (corpus / "two.txt").unlink()
    (corpus / "three.txt").write_text(body, encoding="utf-8")
    second = index_paths(search_settings, [corpus])
    assert sorted(second.indexed) == ["one", "three"]
    assert second.removed == ("two",)
    assert {rid for rid, _ in all_hits(search_settings, "行政复议")} == {"three"}
    assert all_hits(search_settings, "人民调解") == set()
    third = index_paths(search_settings, [corpus])
    assert sorted(third.unchanged) == ["one", "three"] and not third.indexed


def test_rebuild_waits_for_a_running_writer(index_reports, monkeypatch) -> None:
    """A rebuild while another writer holds the lock says busy and leaves the index alone."""
    monkeypatch.setattr("indexer.index.LOCK_TIMEOUT_S", 0.3)
    settings = index_reports(A)
    writer = open_index(settings.index_path).writer()
    try:
        with pytest.raises(IndexBusyError):
            index_into(settings, [B], rebuild=True)
    finally:
        writer.cancel()
    assert all_hits(settings, "行政复议") == {("a", 0)}
    assert not [p for p in settings.index_path.parent.iterdir() if p.name.startswith(".")]


def test_same_file_name_in_two_folders_is_two_reports(tmp_path) -> None:
    """`fazhi index a/` then `fazhi index b/` with a/report.txt and b/report.txt: both stay,
    the second under a distinct id, the run says so; re-running changes nothing."""
    from indexer import index_paths, load_settings

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "report.txt").write_text("甲地行政复议工作报告。\n\n甲地办理行政复议案件。\n",
                                               encoding="utf-8")
    (tmp_path / "b" / "report.txt").write_text("乙地行政复议工作报告。\n\n乙地办理行政复议案件。\n",
                                               encoding="utf-8")
    settings = load_settings().replace(index_path=tmp_path / "index")
    first = index_paths(settings, [tmp_path / "a"])
    second = index_paths(settings, [tmp_path / "b"])
    assert first.indexed == ("report",) and second.removed == ()
    assert len(second.indexed) == 1 and second.indexed[0].startswith("report~")
    assert any("belongs to" in note for note in second.notes)
    hits = search(settings, SearchRequest(query="办理行政复议案件", grouped=False, limit=10))
    assert sorted(h.text[:2] for h in hits.hits) == ["乙地", "甲地"]
    again = index_paths(settings, [tmp_path / "b"])
    assert again.indexed == () and again.unchanged == second.indexed
