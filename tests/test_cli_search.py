"""The `fazhi index`, `fazhi search` and `fazhi stats` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from webui.cli import _register, cli

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Invoke the CLI with a config whose index lives in a temporary folder."""
    _register()
    folder = tmp_path_factory.mktemp("cli")
    config = folder / "config.toml"
    config.write_text(
        f'[corpus]\npaths = [{json.dumps(str(SEEDS))}]\n[index]\npath = "index"\n',
        encoding="utf-8",
    )

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--config", str(config), *args])

    return invoke


def test_search_before_index_fails_clearly(tmp_path) -> None:
    """Searching with no index: a message and exit 1."""
    _register()
    config = tmp_path / "config.toml"
    config.write_text('[index]\npath = "nowhere"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "search", "法治"])
    assert result.exit_code == 1
    assert "fazhi index" in result.output
    stats = CliRunner().invoke(cli, ["--config", str(config), "stats"])
    assert stats.exit_code == 1


def test_index_search_stats(run) -> None:
    """index then search prints grouped results; a second index run finds all unchanged."""
    first = run("index")
    assert first.exit_code == 0, first.output
    assert "indexed 5 report(s)" in first.output
    again = run("index")
    assert again.exit_code == 0 and "unchanged 5" in again.output
    result = run("search", "行政复议")
    assert result.exit_code == 0
    assert "【行政复议】" in result.output
    stats = run("stats", "--json")
    data = json.loads(stats.output)
    assert data["reports"] == 5 and data["paragraphs"] > 0 and data["size_bytes"] > 0
    assert run("stats").exit_code == 0


def test_search_json_shape(run) -> None:
    """--json prints the DESIGN.md shape; --limit up to the engine's maximum is honoured."""
    assert run("index").exit_code == 0
    result = run("search", "法治 政府", "--json", "--limit", "10000", "--flat")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"query", "mode", "scope", "total_paragraphs", "total_reports", "hits", "facets"} <= set(data)
    assert len(data["hits"]) == data["total_paragraphs"] > 0
    hit = data["hits"][0]
    assert {"report_id", "n", "text", "highlights", "heading_path", "section", "score",
            "report"} <= set(hit)
    assert "warnings" not in hit["report"] and "report_id" in hit["report"]
    for s, e in hit["highlights"]:
        assert hit["text"][s:e]
    assert set(data["facets"]) == {"province", "city", "county", "town", "level",
                                   "report_year", "section"}
    assert all({"value", "count"} <= set(v) for vs in data["facets"].values() for v in vs)


@pytest.mark.parametrize("args", [
    ('"unclosed',),
    ("法治", "--filter", "colour=red"),
    ("法治", "--filter", "report_year"),
    ("x" * 600,),
])
def test_bad_query_exits_2(run, args) -> None:
    """Bad queries and filters: a message (no traceback) and exit 2."""
    assert run("index").exit_code == 0
    result = run("search", *args)
    assert result.exit_code == 2
    assert "Error:" in result.output and "Traceback" not in result.output


def test_index_nothing_to_do_exits_1(run, tmp_path) -> None:
    """An index run over a folder with nothing indexable exits 1."""
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("index", str(empty))
    assert result.exit_code == 1
