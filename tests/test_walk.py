"""The walk of a corpus folder: what is indexed, and every entry skipped with its reason."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from indexer import IngestProblem, ReportNotFoundError, get_report, index_paths
from indexer.config import Settings
from indexer.sources import SourceFile, walk_sources
from indexer.walk import IGNORE_FILE, REASON_DEEP_MANIFEST, REASON_NOTE, REASON_OUTSIDE, WalkOptions

from fixtures_ingest import can_chmod_unreadable

SEED = "000_b17968ed37a63a16.txt"


def _walk(root: Path, **options: object) -> tuple[list[str], dict[str, str]]:
    """(relative paths of the files found, skipped path relative to ROOT -> reason)."""
    found, skipped = [], {}
    for item in walk_sources([root], WalkOptions(**options)):  # type: ignore[arg-type]
        if isinstance(item, SourceFile):
            found.append(item.relative_path)
        else:
            skipped[Path(item.path).relative_to(root).as_posix()] = item.reason
    return found, skipped


@pytest.fixture
def linked_corpus(tmp_path: Path, seeds_dir: Path) -> Path:
    """A corpus with links to a file and a folder outside it, and one to a file inside."""
    outside = tmp_path / "outside"
    (outside / "private").mkdir(parents=True)
    shutil.copy(seeds_dir / SEED, outside / "secret.txt")
    shutil.copy(seeds_dir / SEED, outside / "private" / "other.txt")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(seeds_dir / SEED, corpus / "report.txt")
    (corpus / "passwd.txt").symlink_to(outside / "secret.txt")
    (corpus / "elsewhere").symlink_to(outside / "private", target_is_directory=True)
    (corpus / "alias.txt").symlink_to("report.txt")
    return corpus


def test_links_out_of_the_corpus_are_skipped_with_their_reason(linked_corpus: Path, tmp_path: Path) -> None:
    settings = Settings(index_path=tmp_path / "index")
    summary = index_paths(settings, [linked_corpus])
    assert sorted(summary.indexed) == ["alias", "report"]  # a link inside the corpus is fine
    skipped = {Path(p.path).name: p.reason for p in summary.skipped}
    assert skipped == {"elsewhere": REASON_OUTSIDE, "passwd.txt": REASON_OUTSIDE}
    for rid in ("passwd", "elsewhere/other"):
        with pytest.raises(ReportNotFoundError):
            get_report(settings, rid)


def test_a_setting_follows_links_out_of_the_corpus(linked_corpus: Path) -> None:
    found, skipped = _walk(linked_corpus, follow_external_links=True)
    assert found == ["alias.txt", "passwd.txt", "report.txt", "elsewhere/other.txt"]
    assert skipped == {}


def test_notes_unsupported_files_and_exclusions_are_listed(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    names = [
        "README.md", "SOURCE.md", "UPSTREAM_README.md", "LICENSE", "license.txt", "CHANGELOG.md",
        "report.txt", "notes.zip", "table.xlsx", "drafts/a.txt", "2019/old.txt", "2019/keep.md",
        "2020/x.bak.txt", "sub/readme-first.txt", "metadata.csv", "rows.jsonl", ".hidden.txt",
        "sub/2019/old.txt", "sub/metadata.csv",
    ]
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("某某镇2023年法治政府建设情况报告。\n", encoding="utf-8")
    (root / IGNORE_FILE).write_text("# drafts are not published\ndrafts\n\n*.bak.txt\n", encoding="utf-8")
    found, skipped = _walk(root, exclude=("2019/*.txt",))
    assert found == ["report.txt", "2019/keep.md", "sub/2019/old.txt"]
    assert skipped == {
        "CHANGELOG.md": REASON_NOTE,
        "LICENSE": REASON_NOTE,
        "README.md": REASON_NOTE,
        "SOURCE.md": REASON_NOTE,
        "UPSTREAM_README.md": REASON_NOTE,
        "license.txt": REASON_NOTE,
        "notes.zip": "unsupported file type '.zip'",
        "table.xlsx": "unsupported file type '.xlsx'",
        "2019/old.txt": "excluded by corpus.exclude pattern '2019/*.txt'",
        "2020/x.bak.txt": "excluded by .fazhiignore pattern '*.bak.txt'",
        "drafts": "excluded by .fazhiignore pattern 'drafts'",
        "sub/readme-first.txt": REASON_NOTE,
        "sub/metadata.csv": REASON_DEEP_MANIFEST,
    }


def test_the_exclude_setting_reaches_fazhi_index(tmp_path: Path, seeds_dir: Path) -> None:
    root = tmp_path / "corpus"
    (root / "drafts").mkdir(parents=True)
    shutil.copy(seeds_dir / SEED, root / "r.txt")
    shutil.copy(seeds_dir / SEED, root / "drafts" / "d.txt")
    settings = Settings(index_path=tmp_path / "index", exclude=("drafts",))
    first = index_paths(settings, [root])
    assert list(first.indexed) == ["r"]
    again = index_paths(settings, [root])  # an incremental run walks the same way
    assert (list(again.unchanged), list(again.removed)) == (["r"], [])
    assert [Path(p.path).name for p in again.skipped] == ["drafts"]


def test_a_link_back_to_a_walked_folder_is_listed_once(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "r.txt").write_text("某某镇2023年法治政府建设情况报告。\n", encoding="utf-8")
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    found, skipped = _walk(root)
    assert found == ["sub/r.txt"]
    assert skipped == {"sub/loop": "symbolic link to a folder already walked"}


@pytest.mark.skipif(not can_chmod_unreadable(Path(".")), reason="root ignores permissions")
def test_an_unreadable_folder_is_a_problem_naming_that_folder(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "locked").mkdir(parents=True)
    (root / "locked" / "r.txt").write_text("某某镇报告。\n", encoding="utf-8")
    (root / "open.txt").write_text("某某镇报告。\n", encoding="utf-8")
    os.chmod(root / "locked", 0)
    try:
        items = list(walk_sources([root]))
    finally:
        os.chmod(root / "locked", 0o755)
    problems = [i for i in items if isinstance(i, IngestProblem)]
    assert [(p.path, p.reason.split(" (")[0]) for p in problems] == [
        (str(root / "locked"), "unreadable folder")
    ]
    assert [i.relative_path for i in items if isinstance(i, SourceFile)] == ["open.txt"]


def _fazhi(tmp_path: Path, *args: str, config: str = ""):  # noqa: ANN202 - click's Result
    """Run the `fazhi` CLI with a config in TMP_PATH (index there) plus CONFIG's lines."""
    from click.testing import CliRunner

    from webui.cli import _register, cli

    path = tmp_path / "config.toml"
    path.write_text('[index]\npath = "index"\n' + config, encoding="utf-8")
    _register()
    return CliRunner().invoke(cli, ["--config", str(path), *args])


def test_fazhi_index_counts_and_lists_skipped_files_by_reason(linked_corpus: Path, tmp_path: Path) -> None:
    for name in ("README.md", "LICENSE", "a.xlsx", "b.xlsx", "c.zip"):
        (linked_corpus / name).write_bytes(b"x")
    result = _fazhi(tmp_path, "index", str(linked_corpus), config='[corpus]\nexclude = ["*.zip"]\n')
    assert result.exit_code == 0, result.stderr
    assert "indexed 2 report(s)" in result.stdout and "skipped 7" in result.stdout
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"skipped by reason: 2 not a report: a README/SOURCE/LICENSE note, "
        f"2 {REASON_OUTSIDE.split(' (')[0]}, 2 unsupported file type '.xlsx', "
        "1 excluded by corpus.exclude pattern '*.zip'"
    )
    assert f"  skipped {linked_corpus / 'passwd.txt'}: {REASON_OUTSIDE}" in lines
    assert f"  skipped {linked_corpus / 'a.xlsx'}: unsupported file type '.xlsx'" in lines
    assert len(lines) == 1 + 7


def test_many_skipped_files_are_counted_by_reason_and_listed_in_part() -> None:
    from webui.cli_skipped import PER_REASON, skipped_lines

    problems = [IngestProblem(f"c/{k}.xlsx", "unsupported file type '.xlsx'") for k in range(240)]
    problems += [IngestProblem("c/big.txt", "too large (30.0 MB > limit 20.0 MB)")]
    lines = skipped_lines(problems)
    assert lines[0] == "skipped by reason: 240 unsupported file type '.xlsx', 1 too large"
    assert lines[1 : PER_REASON + 1] == [
        f"  skipped c/{k}.xlsx: unsupported file type '.xlsx'" for k in range(PER_REASON)]
    assert lines[PER_REASON + 1 :] == [
        "  skipped c/big.txt: too large (30.0 MB > limit 20.0 MB)",
        f"  ... and {240 - PER_REASON} more: unsupported file type '.xlsx'",
    ]


def test_manifest_problems_are_listed_apart_from_skipped_files(tmp_path: Path, seeds_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(seeds_dir / SEED, corpus / "r.txt")
    (corpus / "rows.jsonl").write_text('{"file": "r.txt", "year": 2021}\n{"file": \n', encoding="utf-8")
    result = _fazhi(tmp_path, "index", str(corpus))
    assert result.exit_code == 0, result.stderr
    assert "indexed 1 report(s)" in result.stdout and "skipped 0" in result.stdout
    assert result.stderr.splitlines() == [
        "manifest problems (the rest of each manifest applies): 1 invalid JSON",
        f"  manifest {corpus / 'rows.jsonl'}:2: invalid JSON (Expecting value): line ignored",
    ]
    inspect = _fazhi(tmp_path, "inspect", str(corpus), "--json")
    assert inspect.exit_code == 0 and '"report_year": 2021' in inspect.stdout


def test_inspect_of_a_folder_says_what_it_skips_without_failing(tmp_path: Path, seeds_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(seeds_dir / SEED, corpus / "r.txt")
    (corpus / "README.md").write_text("# 说明\n\n本文件夹收录各地报告。\n", encoding="utf-8")
    result = _fazhi(tmp_path, "inspect", str(corpus), "--json")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [f"Skipped: {corpus / 'README.md'}: {REASON_NOTE}"]
    assert result.stdout.count('"report_id"') == 1
