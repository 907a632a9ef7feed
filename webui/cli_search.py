"""fazhi CLI commands: index, search, stats."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from indexer import (
    FazhiError,
    IndexMissingError,
    Mode,
    QueryError,
    SchemaVersionError,
    FacetSort,
    Scope,
    SearchIn,
    SearchRequest,
    Sort,
    index_paths,
    index_stats,
    parse_filters,
    results_to_dict,
    search,
)
from indexer import FilterResolution, resolve_filters
from indexer import LEVEL_LABELS, SECTION_LABELS, Hit, SearchResults
from indexer import paragraph_number
from indexer import suggestion_to_dict, suggestions, understand_query

from .cli import AppContext, index_option, os_error_message, pass_app, quiet_ingest_log
from .cli_skipped import echo_skipped, skipped_files


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


# ---------------------------------------------------------------- index

# The engine returns at most this many hits (or reports) per request (indexer.search.MAX_LIMIT):
# a larger --limit is refused rather than capped while the JSON echoes the asked value.
MAX_CLI_LIMIT = 10_000

NO_CORPUS = (
    "no corpus to index: give the folder, e.g. `fazhi index ~/reports`, or set "
    "corpus.paths in a config file (`fazhi config` shows which files are read)"
)


@click.command("index")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--rebuild", is_flag=True, help="Build the index from scratch.")
@index_option
@pass_app
def index_command(app: AppContext, paths: tuple[Path, ...], rebuild: bool) -> None:
    """Index PATH... (default: the corpus.paths of the config), incrementally."""
    settings = app.settings
    if not paths and not settings.corpus_paths:
        _fail(NO_CORPUS, 2)
    quiet_ingest_log()
    try:
        summary = index_paths(
            settings, list(paths) or None, rebuild=rebuild, progress=sys.stderr.isatty()
        )
    except FazhiError as exc:
        _fail(str(exc))
        return
    except OSError as exc:
        if not exc.strerror:
            raise
        kept = (" (the index is as it was before this run)"
                if Path(settings.index_path).is_dir() else "")
        _fail(f"could not write the index at {settings.index_path}: {os_error_message(exc)}"
              + kept)
        return
    click.echo(
        f"indexed {len(summary.indexed)} report(s) ({summary.paragraphs} paragraphs), "
        f"unchanged {len(summary.unchanged)}, removed {len(summary.removed)}, "
        f"skipped {len(skipped_files(summary.skipped))} in {summary.elapsed_s:.1f}s "
        f"-> {settings.index_path}"
    )
    for note in summary.notes:
        click.echo(f"  note: {note}", err=True)
    echo_skipped(summary.skipped)
    done = summary.indexed or summary.unchanged or summary.removed
    if not done:
        _fail("nothing could be indexed" + (" (see the reasons above)" if summary.skipped else
                                            ": no .txt/.md/.html files found"))


# ---------------------------------------------------------------- search


def _parse_filter_options(values: tuple[str, ...]) -> list[tuple[str, str]]:
    pairs = []
    for item in values:
        name, sep, value = item.partition("=")
        if not sep:
            raise QueryError(f"--filter needs FIELD=VALUE, got {item!r}")
        pairs.append((name.strip(), value.strip()))
    return pairs


def _snippet(hit: Hit, color: bool, width: int = 120) -> str:
    """The hit's text around its first match, matches emphasised."""
    return _emphasised(hit.text, hit.highlights, color, width)


def _emphasised(text: str, highlights, color: bool, width: int = 120) -> str:  # noqa: ANN001
    """``text`` around its first span (at most ``width`` characters), spans emphasised."""
    spans = list(highlights)
    lo = max(0, spans[0][0] - width // 3) if spans and len(text) > width else 0
    hi = min(len(text), lo + width)
    out, pos = [], lo
    for s, e in spans:
        if e <= lo or s >= hi:
            continue
        s, e = max(s, lo), min(e, hi)
        out.append(text[pos:s])
        out.append(click.style(text[s:e], fg="red", bold=True) if color else f"【{text[s:e]}】")
        pos = e
    out.append(text[pos:hi])
    return ("…" if lo > 0 else "") + "".join(out) + ("…" if hi < len(text) else "")


def _print_understanding(results: SearchResults, resolution: FilterResolution) -> None:
    understood = understand_query(results.request, resolution.readings)
    request = results.request
    filters = " ".join(f"{f}={'|'.join(vs)}" for f, vs in request.filters)
    where = ", in titles" if understood.in_title else ""
    dates = ""
    if request.published_from or request.published_to:
        dates = f", published {request.published_from or '…'} to {request.published_to or '…'}"
    click.echo(f"query: {understood.summary_en()}  [mode {request.mode}, scope {request.scope}"
               f"{where}{', ' + filters if filters else ''}{dates}]")
    if results.undated_reports:
        click.echo(f"  note: {results.undated_reports} matching report(s) have no publication "
                   "date and are left out by the date range")
    for reading in resolution.readings:
        click.echo(f"  read {reading.field}={reading.typed} as {reading.field}={reading.value}")
    for note in understood.notes:
        click.echo(f"  note: {note.en}")


def _print_suggestions(settings, results: SearchResults) -> None:
    tips = suggestions(settings, results.request)
    if tips:
        click.echo("\nnothing found; these find something:")
    for tip in tips:
        req = tip.request
        args = [f"'{req.query}'"] + [f"--filter {f}={v}" for f, vs in req.filters for v in vs]
        if req.mode != results.request.mode:
            args.append(f"--mode {req.mode}")
        if req.scope != results.request.scope:
            args.append(f"--scope {req.scope}")
        if req.search_in != results.request.search_in:
            args.append(f"--in {req.search_in}")
        for name in ("published_from", "published_to"):
            if getattr(req, name):
                args.append(f"--{name.replace('_', '-')} {getattr(req, name)}")
        click.echo(f"  {tip.label_en}: {tip.paragraphs} paragraph(s) in {tip.reports} "
                   f"report(s)  -> fazhi search {' '.join(args)}")


def _print_results(results: SearchResults, color: bool) -> None:
    click.echo(
        f"{results.total_paragraphs} paragraph(s) in {results.total_reports} report(s) "
        f"({results.elapsed_ms:.0f} ms)"
    )
    if results.request.grouped:
        for group in results.groups:
            r = group.report
            where = r.jurisdiction or r.issuer or "?"
            level = LEVEL_LABELS.get(r.level, "") if r.level else ""
            title = r.title or r.report_id
            if r.title and group.hits and group.hits[0].title_highlights:
                title = _emphasised(r.title, group.hits[0].title_highlights, color, len(r.title))
            title = click.style(title, bold=True) if color else title
            click.echo(f"\n{title}")
            published = f" published {r.published}" if r.published else ""
            click.echo(f"  {where} {level} {r.report_year or ''}{published}  [{r.report_id}]  "
                       f"{group.hit_count} paragraph(s)")
            for hit in group.hits:
                click.echo(f"  #{paragraph_number(hit.n)} {SECTION_LABELS.get(hit.section, '')}: {_snippet(hit, color)}")
    else:
        for hit in results.hits:
            r = hit.report
            click.echo(f"\n{r.jurisdiction or r.report_id} {r.report_year or ''} #{paragraph_number(hit.n)} "
                       f"{SECTION_LABELS.get(hit.section, '')}")
            click.echo(f"  {_snippet(hit, color)}")


@click.command("search", context_settings={"ignore_unknown_options": True})
@click.argument("query_words", nargs=-1, required=True, metavar="QUERY...")
@click.option("--filter", "filters", multiple=True, metavar="FIELD=VALUE",
              help="Restrict to a field value (repeat a field for OR).")
@click.option("--mode", type=click.Choice([m.value for m in Mode]), default=Mode.EXACT.value,
              show_default=True, help="exact: literal substring; fuzzy: all jieba words.")
@click.option("--scope", type=click.Choice([s.value for s in Scope]),
              default=Scope.PARAGRAPH.value, show_default=True,
              help="All terms in one paragraph, or anywhere in one report.")
@click.option("--sort", type=click.Choice([s.value for s in Sort]), default=Sort.RELEVANCE.value,
              show_default=True, help="newest/oldest: report year; published_newest/"
              "published_oldest: publication date (reports without one last).")
@click.option("--in", "search_in", type=click.Choice([s.value for s in SearchIn]),
              default=SearchIn.FULLTEXT.value, show_default=True,
              help="title: find reports by their titles (标题检索); 标题:TERM does it per term.")
@click.option("--published-from", metavar="DATE", default=None,
              help="Publication date from (YYYY, YYYY-MM or YYYY-MM-DD, inclusive).")
@click.option("--published-to", metavar="DATE", default=None,
              help="Publication date to (inclusive); reports without a date are left out.")
@click.option("--facet-sort", type=click.Choice([s.value for s in FacetSort]),
              default=FacetSort.PARAGRAPHS.value, show_default=True,
              help="Order of the facet values in --json (years stay in year order).")
@click.option("--limit", type=click.IntRange(min=0, max=MAX_CLI_LIMIT), default=None,
              help=f"Reports (or paragraphs with --flat) to show, at most {MAX_CLI_LIMIT} "
                   "[default: page_size].")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--flat", is_flag=True, help="One line per paragraph instead of grouping by report.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON of DESIGN.md.")
@index_option
@pass_app
def search_command(app: AppContext, query_words: tuple[str, ...], filters: tuple[str, ...], mode: str, scope: str,
                   sort: str, search_in: str, published_from: str | None,
                   published_to: str | None, facet_sort: str, limit: int | None, offset: int,
                   flat: bool, as_json: bool) -> None:
    """Search the index for QUERY (space = AND, OR, -term or NOT term, "quoted term"; the
    words of QUERY... are joined with spaces, so -调解 needs no --)."""
    settings = app.settings
    query = " ".join(query_words)
    try:
        resolution = resolve_filters(settings, parse_filters(_parse_filter_options(filters)))
        for problem in resolution.problems:
            click.echo(f"note: {problem.message()}", err=True)
        request = SearchRequest(
            query=query,
            mode=Mode(mode),
            scope=Scope(scope),
            filters=resolution.filters,
            sort=Sort(sort),
            grouped=not flat,
            limit=settings.page_size if limit is None else limit,
            offset=offset,
            paragraphs_per_report=settings.paragraphs_per_report,
            with_facets=as_json,
            search_in=SearchIn(search_in),
            published_from=published_from,
            published_to=published_to,
            facet_sort=FacetSort(facet_sort),
        )
        results = search(settings, request)
    except QueryError as exc:
        _fail(str(exc), 2)
        return
    except (IndexMissingError, SchemaVersionError, FazhiError) as exc:
        _fail(str(exc))
        return
    empty = results.total_paragraphs == 0
    if as_json:
        data = results_to_dict(results, resolution.readings, resolution.problems)
        if empty:
            data["suggestions"] = [suggestion_to_dict(t) for t in suggestions(settings, request)]
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    _print_understanding(results, resolution)
    _print_results(results, color=sys.stdout.isatty())
    if empty:
        _print_suggestions(settings, results)


# ---------------------------------------------------------------- stats


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@index_option
@pass_app
def stats_command(app: AppContext, as_json: bool) -> None:
    """Reports and paragraphs in the index, per facet value, and its size."""
    settings = app.settings
    try:
        stats = index_stats(settings)
    except FazhiError as exc:
        _fail(str(exc))
        return
    if as_json:
        data = {
            "index_path": str(settings.index_path),
            "reports": stats.reports,
            "paragraphs": stats.paragraphs,
            "size_bytes": stats.size_bytes,
            "last_modified": stats.last_modified,
            "facets": {
                f.name: [
                    {"value": v.value, "paragraphs": v.count,
                     "reports": stats.report_counts.get(f.name, {}).get(v.value, 0)}
                    for v in f.values
                ]
                for f in stats.facets
            },
        }
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"index: {settings.index_path} ({stats.size_bytes / 1e6:.1f} MB, "
               f"last change {stats.last_modified})")
    click.echo(f"{stats.reports} report(s), {stats.paragraphs} paragraph(s)")
    for facet in stats.facets:
        click.echo(f"\n{facet.name}:")
        counts = stats.report_counts.get(facet.name, {})
        for v in facet.values:
            label = f" {v.label}" if v.label else ""
            click.echo(f"  {v.value}{label}: {counts.get(v.value, 0)} report(s), "
                       f"{v.count} paragraph(s)")


COMMANDS = [index_command, search_command, stats_command]
