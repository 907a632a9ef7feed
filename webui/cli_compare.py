"""fazhi CLI commands: compare (jurisdictions x terms) and trend (terms over report years).

Both print a readable table by default, or with ``--format csv|json`` the same rows as the web
page's CSV and JSON exports.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

import click

from indexer import FazhiError, Level, Mode, QueryError, Scope, parse_filters
from indexer import LEVEL_DEPTH, area_tree, default_level
from indexer import STATUS_LABELS, Comparison, CompareRequest, compare_areas, sort_rows
from indexer import (
    column_label,
    comparison_rows,
    comparison_to_dict,
    csv_text,
    trend_rows,
    trend_to_dict,
)
from indexer import Trend, TrendRequest, trend_over_years

from .cli import AppContext, pass_app
from .cli_search import _fail, _parse_filter_options

T = TypeVar("T")

FORMATS = ("table", "csv", "json")


def _filters(values: tuple[str, ...]):  # noqa: ANN202 - SearchRequest.filters
    return parse_filters(_parse_filter_options(values))


def _answer(compute: Callable[[], T]) -> T:
    """``compute()``, or exit 2 on a bad request (QueryError), 1 on any other engine error."""
    try:
        return compute()
    except QueryError as exc:
        _fail(str(exc), 2)
    except FazhiError as exc:
        _fail(str(exc))
    raise SystemExit(1)  # not reached: _fail exits


def _emit(fmt: str, as_dict: Callable[[], dict], rows: Callable[[], list[list[str]]],
          table: Callable[[], None]) -> None:
    if fmt == "json":
        click.echo(json.dumps(as_dict(), ensure_ascii=False))
    elif fmt == "csv":
        click.echo(csv_text(rows(), bom=False), nl=False)
    else:
        table()


def _common(func):  # noqa: ANN001, ANN202 - click decorator stack
    for option in reversed((
        click.argument("terms", nargs=-1),
        click.option("--area", default="", metavar="AREA",
                     help="Area: a name (苏州市), a full name (江苏省苏州市) or a code (320500); "
                          "default the whole country."),
        click.option("--filter", "filters", multiple=True, metavar="FIELD=VALUE",
                     help="report_year, section or report_id (repeat a field for OR)."),
        click.option("--mode", type=click.Choice([m.value for m in Mode]),
                     default=Mode.EXACT.value, show_default=True),
        click.option("--scope", type=click.Choice([s.value for s in Scope]),
                     default=Scope.PARAGRAPH.value, show_default=True),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                     show_default=True),
    )):
        func = option(func)
    return func


@click.command("compare")
@_common
@click.option("--level", type=click.Choice([str(v) for v in LEVEL_DEPTH]), default=None,
              help="Row level [default: the level below the area].")
@click.option("--by-year", is_flag=True, help="One column per term and report year.")
@click.option("--no-departments", is_flag=True,
              help="Leave department reports (e.g. 司法局) out of their jurisdiction's row.")
@click.option("--order", default="name", show_default=True,
              help="name, reports, status or a column key c0, c1…; '-' in front: descending.")
@pass_app
def compare_command(app: AppContext, terms: tuple[str, ...], area: str, filters: tuple[str, ...],
                    mode: str, scope: str, fmt: str, level: str | None, by_year: bool,
                    no_departments: bool, order: str) -> None:
    """One row per jurisdiction of LEVEL inside AREA (as the gazetteer lists them): reports
    indexed, and for each TERM the reports and paragraphs that match (从未提及 / 未收录 told
    apart). Each TERM is a query (quote it to keep spaces)."""
    def run() -> tuple[Comparison, tuple]:
        tree = area_tree()
        where = tree.resolve(area)
        request = CompareRequest(
            terms=terms, level=level or default_level(where, tree), area=where,
            mode=Mode(mode), scope=Scope(scope), filters=_filters(filters), by_year=by_year,
            include_departments=not no_departments)
        result = compare_areas(app.settings, request)
        return result, sort_rows(result, order)

    result, rows = _answer(run)
    _emit(fmt, lambda: comparison_to_dict(result, rows), lambda: comparison_rows(result, rows),
          lambda: _print_comparison(result, rows))


def _print_comparison(result: Comparison, rows) -> None:  # noqa: ANN001
    tally = "  ".join(f"{STATUS_LABELS[s]} {n}" for s, n in result.status_counts.items())
    click.echo(f"{result.area.full_name}: {len(rows)} jurisdiction(s) at level "
               f"{result.request.level}  [{tally}]  ({result.elapsed_ms:.0f} ms)")
    head = ["地区", "状态", "报告", *(column_label(c) for c in result.columns)]
    lines = [head]
    for row in rows:
        dept = "*" if row.department_reports else ""
        line = [row.name + dept, STATUS_LABELS[row.status], str(len(row.report_ids))]
        for cell in row.cells:
            if cell.matching_reports:
                span = "" if result.request.by_year or not cell.first_year else (
                    f" {cell.first_year}" if cell.first_year == cell.last_year
                    else f" {cell.first_year}-{cell.last_year}")
                line.append(f"{cell.matching_reports}/{cell.reports}篇 {cell.paragraphs}段{span}")
            else:
                line.append(STATUS_LABELS[cell.status])
        lines.append(line)
    _print_columns(lines)
    if any(r.department_reports for r in rows):
        click.echo("* includes department reports (e.g. 司法局) of that jurisdiction")
    if result.unplaced:
        click.echo(f"{result.unplaced} report(s) with an incomplete place were not given a row")


@click.command("trend")
@_common
@click.option("--level", type=click.Choice([str(v) for v in Level]), default=None,
              help="Only reports of this level [default: every level].")
@pass_app
def trend_command(app: AppContext, terms: tuple[str, ...], area: str, filters: tuple[str, ...],
                  mode: str, scope: str, fmt: str, level: str | None) -> None:
    """Per report year, how many of the indexed reports (in AREA, of LEVEL) mention each TERM:
    numerator/denominator and share; years with fewer than 5 reports are marked."""
    result = _answer(lambda: trend_over_years(app.settings, TrendRequest(
        terms=terms, level=level, area=area_tree().resolve(area), mode=Mode(mode),
        scope=Scope(scope), filters=_filters(filters))))
    _emit(fmt, lambda: trend_to_dict(result), lambda: trend_rows(result),
          lambda: _print_trend(result))


def _print_trend(result: Trend) -> None:
    click.echo(f"{result.area.full_name}{' ' + result.request.level if result.request.level else ''}"
               f": {result.total_reports} dated report(s) in {len(result.years)} year(s)"
               f"{f', {result.undated} undated (not counted)' if result.undated else ''}"
               f"  ({result.elapsed_ms:.0f} ms)")
    lines = [["年度", "报告", *(s.term for s in result.series)]]
    for i, year in enumerate(result.years):
        total = result.reports_per_year[i]
        line = [f"{year}{'*' if total < 5 else ''}", str(total)]
        for s in result.series:
            p = s.points[i]
            line.append(f"{p.matching}/{p.reports} ({(p.share or 0) * 100:.0f}%)")
        lines.append(line)
    _print_columns(lines)
    if any(t < 5 for t in result.reports_per_year):
        click.echo("* fewer than 5 reports that year: the share rests on few reports")


def _print_columns(lines: list[list[str]]) -> None:
    """Left-aligned columns, widths counting CJK characters as two."""
    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)

    widths = [max(width(line[i]) for line in lines) for i in range(len(lines[0]))]
    for line in lines:
        click.echo("  ".join(cell + " " * (widths[i] - width(cell))
                             for i, cell in enumerate(line)).rstrip())


COMMANDS = [compare_command, trend_command]
