"""`fazhi inspect`: the JSON contract, JSON Lines for several files, summaries, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from webui.cli import _register, cli

REPORT_KEYS = {
    "report_id", "source_path", "content_sha256", "title", "issuer", "jurisdiction", "province",
    "city", "county", "town", "level", "report_year", "published", "doc_number", "source_url",
    "warnings",
}
PARAGRAPH_KEYS = {"n", "text", "heading_path", "is_heading", "section"}
SECTIONS = {"leadership", "measures", "shortcomings", "plans", "other"}


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


def _seeds(seeds_dir: Path) -> list[str]:
    return [str(p) for p in sorted(seeds_dir.glob("*.txt"))]


def test_json_of_one_file(runner: CliRunner, seeds_dir: Path, parsed_seeds) -> None:
    """One file with --json prints one indented object: Report fields plus paragraphs."""
    result = runner.invoke(cli, ["inspect", "--json", _seeds(seeds_dir)[0]])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("{\n")
    data = json.loads(result.stdout)
    assert set(data) == REPORT_KEYS | {"paragraphs"}
    assert data["report_id"] == "000_b17968ed37a63a16"
    assert data["jurisdiction"] == "江苏省苏州市张家港市塘桥镇" and data["level"] == "town"
    assert [p["text"] for p in data["paragraphs"]] == [p.text for p in parsed_seeds["000"].paragraphs]
    for i, p in enumerate(data["paragraphs"]):
        assert set(p) == PARAGRAPH_KEYS and p["n"] == i + 1 and p["section"] in SECTIONS
        assert isinstance(p["heading_path"], list) and isinstance(p["is_heading"], bool)
    assert "塘桥镇" in result.stdout  # ensure_ascii=False: Chinese printed as is


def test_json_lines_for_several_files(runner: CliRunner, seeds_dir: Path) -> None:
    """Several files print JSON Lines, one report a line, in the order given."""
    files = _seeds(seeds_dir)
    result = runner.invoke(cli, ["inspect", "--json", *files])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [json.loads(line)["report_id"] for line in lines] == [Path(f).stem for f in files]


def test_readable_summary(runner: CliRunner, seeds_dir: Path) -> None:
    """Without --json: metadata table, outline with section names, paragraph count."""
    result = runner.invoke(cli, ["inspect", _seeds(seeds_dir)[1]])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "jurisdiction" in out and "木渎镇" in out
    assert "三、法治政府建设中存在的不足和原因  [shortcomings 存在的不足]" in out
    assert "四、下一年度继续推进法治政府建设的主要安排  [plans 下一年度安排]" in out
    assert "paragraphs" in out


def test_failing_file_exit_1_others_printed(runner: CliRunner, seeds_dir: Path, tmp_path: Path) -> None:
    """A file that fails: its reason on stderr, the others still printed, exit 1."""
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    result = runner.invoke(cli, ["inspect", "--json", _seeds(seeds_dir)[0], str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: empty file" in result.stderr
    assert json.loads(result.stdout.splitlines()[0])["report_id"] == "000_b17968ed37a63a16"


def test_missing_path_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    """A path that does not exist is bad usage: exit 2."""
    result = runner.invoke(cli, ["inspect", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_real_console_script(seeds_dir: Path) -> None:
    """The installed `fazhi` entry point runs inspect in a fresh process."""
    result = subprocess.run(
        [sys.executable, "-c", "from webui.cli import main; main()", "inspect", "--json",
         _seeds(seeds_dir)[3]],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["town"], data["county"], data["city"]) == ("王鲍镇", "启东市", "南通市")
