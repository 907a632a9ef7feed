"""Layered settings: defaults < user config < ./config.toml < $FAZHI_CONFIG < --config, the
default index in the user data dir, `fazhi config`, and named indexes kept apart."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import ConfigError, load_settings
from indexer.config import user_config_file
from webui.cli import _register, cli

_register()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory without config.toml, and a user config/data dir of its own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


def test_without_any_config_the_index_is_in_the_user_data_dir(nowhere: Path) -> None:
    """No file anywhere: built-in defaults, the index under the user data dir, no corpus."""
    settings = load_settings()
    assert settings.index_path == nowhere / "xdg-data" / "fazhi-search" / "index"
    assert settings.corpus_paths == () and settings.config_files == ()
    assert settings.origin("index.path") == "built-in default"


def test_layers_override_key_by_key_in_order(nowhere: Path, monkeypatch) -> None:  # noqa: ANN001
    """Each layer overrides only the keys it sets; later layers win; origins say which."""
    write(user_config_file(), "[search]\npage_size = 11\nfacet_size = 7\n[server]\nport = 1111\n")
    write(Path("config.toml"), "[search]\npage_size = 12\n[server]\nport = 2222\n")
    env_file = write(nowhere / "env.toml", "[server]\nport = 3333\nthreads = 3\n")
    cli_file = write(nowhere / "cli.toml", "[server]\nthreads = 9\n")
    monkeypatch.setenv("FAZHI_CONFIG", str(env_file))
    settings = load_settings(cli_file)
    assert (settings.facet_size, settings.page_size, settings.port, settings.threads) == (
        7, 12, 3333, 9)
    assert settings.origin("search.facet_size").startswith("user config")
    assert settings.origin("search.page_size").startswith("./config.toml")
    assert settings.origin("server.port").startswith("$FAZHI_CONFIG")
    assert settings.origin("server.threads").startswith("--config")
    assert settings.origin("search.max_query_length") == "built-in default"


def test_relative_paths_are_relative_to_the_file_that_sets_them(nowhere: Path) -> None:
    """index.path and corpus.paths in a file resolve against that file's folder."""
    conf = write(nowhere / "proj" / "c.toml", '[corpus]\npaths = ["docs"]\n[index]\npath = "ix"\n')
    settings = load_settings(conf)
    assert settings.index_path == nowhere / "proj" / "ix"
    assert settings.corpus_paths == (nowhere / "proj" / "docs",)


@pytest.mark.parametrize(
    ("text", "message"),
    [("[search]\npage_size = -3\n", "negative"), ("[search]\npagesize = 3\n", "unknown"),
     ("[indexes.laws]\ncorpus = []\n", "path"), ("not toml [", "TOML")],
)
def test_bad_config_files_are_named_in_a_clear_error(nowhere: Path, text, message) -> None:  # noqa: ANN001
    """An invalid file gives a ConfigError naming the problem (the CLI shows it, exit 2)."""
    conf = write(nowhere / "bad.toml", text)
    with pytest.raises(ConfigError, match=message):
        load_settings(conf)
    result = CliRunner().invoke(cli, ["--config", str(conf), "config"])
    assert result.exit_code == 2 and message in result.output


def test_fazhi_config_prints_each_setting_and_its_origin(nowhere: Path) -> None:
    """`fazhi config` lists every key with its value and where it came from."""
    write(Path("config.toml"), "[search]\npage_size = 12\n")
    result = CliRunner().invoke(cli, ["config", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["settings"]["search.page_size"] == {
        "value": "12", "origin": f"./config.toml {Path.cwd() / 'config.toml'}"}
    assert data["settings"]["server.port"]["origin"] == "built-in default"
    text = CliRunner().invoke(cli, ["config"]).output
    assert "search.page_size" in text and "./config.toml" in text and "built-in default" in text


def test_index_without_a_corpus_says_what_to_give(nowhere: Path) -> None:
    """`fazhi index` with no PATH and no corpus.paths: exit 2 and what to do, no traceback."""
    result = CliRunner().invoke(cli, ["index"])
    assert result.exit_code == 2
    assert "fazhi index ~/reports" in result.output and "Traceback" not in result.output


def report_text(place: str, term: str) -> str:
    return f"{place}2023年法治政府建设情况报告\n\n一、主要举措和成效\n\n{place}推进{term}工作。\n"


def test_two_named_indexes_are_kept_apart(nowhere: Path) -> None:
    """[indexes.NAME] with its own corpus: `--index NAME` indexes and searches only that one."""
    write(nowhere / "a" / "r1.txt", report_text("苏州市", "甲类事项"))
    write(nowhere / "b" / "r2.txt", report_text("杭州市", "乙类事项"))
    write(Path("config.toml"), '[index]\nprocs = 1\n'
          '[indexes.first]\npath = "ix-a"\ncorpus = ["../a"]\n'
          '[indexes.second]\npath = "ix-b"\ncorpus = ["../b"]\n')
    runner = CliRunner()
    for name in ("first", "second"):
        result = runner.invoke(cli, ["--index", name, "index"])
        assert result.exit_code == 0, result.output
    found = {}
    for name in ("first", "second"):
        for term in ("甲类事项", "乙类事项"):
            result = runner.invoke(cli, ["search", term, "--index", name, "--json"])
            found[name, term] = json.loads(result.output)["total_paragraphs"]
    assert found == {("first", "甲类事项"): 1, ("first", "乙类事项"): 0,
                     ("second", "甲类事项"): 0, ("second", "乙类事项"): 1}
    assert (Path.cwd() / "ix-a").is_dir() and (Path.cwd() / "ix-b").is_dir()
    by_path = runner.invoke(cli, ["--index", str(Path.cwd() / "ix-b"), "search", "乙类事项",
                                  "--json"])
    assert json.loads(by_path.output)["total_paragraphs"] == 1
    unknown = runner.invoke(cli, ["--index", "third", "stats"])
    assert unknown.exit_code == 2 and "first, second" in unknown.output


def test_cli_limit_over_the_engine_maximum_is_refused(nowhere: Path) -> None:
    """--limit above what the engine returns is refused, not silently capped."""
    result = CliRunner().invoke(cli, ["search", "x", "--limit", "10001"])
    assert result.exit_code == 2 and "10000" in result.output


def test_fazhi_config_env_is_one_layer_not_a_replacement(nowhere: Path, monkeypatch) -> None:  # noqa: ANN001
    """$FAZHI_CONFIG is read over ./config.toml (keys it does not set keep their value)."""
    write(Path("config.toml"), "[search]\npage_size = 12\n")
    monkeypatch.setenv("FAZHI_CONFIG", str(write(nowhere / "e.toml", "[server]\nport = 9\n")))
    settings = load_settings()
    assert (settings.page_size, settings.port) == (12, 9)
    assert [layer for layer, _ in settings.config_files] == ["./config.toml", "$FAZHI_CONFIG"]
    assert os.environ["FAZHI_CONFIG"].endswith("e.toml")


def test_the_repo_config_sets_every_key_and_keeps_the_readme_commands_local() -> None:
    """The repo's config.toml loads, names every setting (each documented there) and keeps the
    README's index in ./var/index and corpus in ./seeds."""
    from indexer.config import KEYED_FIELDS

    repo = Path(__file__).resolve().parent.parent
    settings = load_settings(repo / "config.toml")
    assert settings.index_path == repo / "var" / "index"
    assert settings.corpus_paths == (repo / "seeds",)
    assert {key for key, _ in settings.origins} == {f.metadata["key"] for f in KEYED_FIELDS}
