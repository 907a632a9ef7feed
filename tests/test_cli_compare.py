"""`fazhi compare` and `fazhi trend`: the same rows as the web exports, clear errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from webui.cli import _register, cli


@pytest.fixture(scope="module")
def run(compare_settings):  # noqa: ANN001, ANN201
    """Invoke the CLI with a config pointing at the comparison fixture's index."""
    _register()
    config = compare_settings.index_path.parent / "config.toml"
    config.write_text(f'[index]\npath = {json.dumps(str(compare_settings.index_path))}\n',
                      encoding="utf-8")

    def invoke(*args: str):  # noqa: ANN202
        return CliRunner().invoke(cli, ["--config", str(config), *args])

    return invoke


@pytest.fixture(scope="module")
def web(compare_settings):  # noqa: ANN001, ANN201
    from webui import create_app

    return create_app({"SETTINGS": compare_settings, "TESTING": True}).test_client()


def test_compare_table_shows_statuses(run) -> None:
    """The default table names every county with 有提及 / 从未提及 / 未收录."""
    result = run("compare", "行政复议", "合法性审查", "--area", "苏州市")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[2:] if line.strip()}
    assert "有提及" in lines["张家港市"] and "2022-2023" in lines["张家港市"]
    assert "从未提及" in lines["昆山市"]
    assert "未收录" in lines["太仓市"]
    assert "常熟市*" in lines  # a department's report, flagged


@pytest.mark.parametrize("args, url", [
    (("compare", "行政复议", "--area", "苏州市", "--order", "-c0"),
     "/compare.csv?q=行政复议&area=苏州市&order=-c0"),
    (("compare", "法律顾问", "--area", "苏州市", "--by-year", "--filter", "section=measures"),
     "/compare.csv?q=法律顾问&area=苏州市&by=year&section=measures"),
    (("trend", "行政复议", "普法", "--level", "county"),
     "/trend.csv?q=行政复议&q=普法&level=county"),
])
def test_csv_equals_the_web_export(run, web, args, url) -> None:
    """--format csv gives the rows of the page's CSV download."""
    result = run(*args, "--format", "csv")
    assert result.exit_code == 0, result.output
    ours = list(csv.reader(io.StringIO(result.output)))
    theirs = list(csv.reader(io.StringIO(web.get(url).data.decode("utf-8-sig"))))
    assert ours == theirs and len(ours) > 1


def test_json_formats(run) -> None:
    """--format json carries the rows and the trend's numerators and denominators."""
    data = json.loads(run("compare", "行政复议", "--area", "苏州市", "--format", "json").output)
    assert {r["status"] for r in data["rows"]} == {"matches", "never", "not_indexed"}
    trend = json.loads(run("trend", "行政复议", "--format", "json").output)
    assert all(p["reports"] >= p["matching_reports"] for p in trend["series"][0]["points"])


def test_trend_table_marks_small_years(run) -> None:
    result = run("trend", "行政复议")
    assert result.exit_code == 0
    assert "2021*" in result.output and "fewer than 5 reports" in result.output


@pytest.mark.parametrize("args", [
    ("compare", "x", "--area", "城关镇"),
    ("compare", "x", "--filter", "province=江苏省"),
    ("compare", '"x'),
    ("trend",),
])
def test_bad_usage_exits_2(run, args) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Error:" in result.output
