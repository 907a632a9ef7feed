"""JSON API (``/api/search``, ``/api/reports/<id>``, ``/api/facets``) and the CSV export.

One data function, two renderers: these call the same ``indexer.search`` with the same URL
parameters as the search page, which links to its JSON and CSV twins.
"""

from __future__ import annotations

import csv
import io
import threading
from typing import Any, Iterable, Iterator

from flask import Blueprint, Response, current_app, request, stream_with_context

from indexer import Hit, Settings, get_report, ingested_to_dict, results_to_dict, search

from indexer import resolve_filters
from indexer import paragraph_number
from indexer import suggestion_to_dict, suggestions

from .params import SearchState, parse_state
from .present import level_label, section_label
from .resources import get_settings
from .views_reader import safe_report_id

bp = Blueprint("api", __name__)

CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("report_id", "报告编号"),
    ("title", "标题"),
    ("jurisdiction", "地区"),
    ("province", "省"),
    ("city", "市"),
    ("county", "县（区）"),
    ("town", "乡镇（街道）"),
    ("level", "层级"),
    ("report_year", "年份"),
    ("published", "发布日期"),
    ("doc_number", "文号"),
    ("issuer", "发布机关"),
    ("source_url", "来源网址"),
    ("n", "段落序号"),
    ("section", "章节"),
    ("heading_path", "所在标题"),
    ("text", "段落原文"),
)
# Spreadsheets run cells that start with these as formulas (CSV injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Hits fetched per engine call while exporting (below the engine's own page cap).
CSV_CHUNK = 5_000
# CSV text handed to the server at a time (rows are batched up to this size).
CSV_WRITE_BYTES = 64 * 1024


# How long an export waits for a free slot before it is refused with 503 and Retry-After.
EXPORT_WAIT_S = 2.0


def max_exports(threads: int) -> int:
    """Exports running at once, at most: each holds a server thread while its client reads, and
    clients that never read must not take every thread (the others answer searches). With
    server.threads = 4 that is 2; one more concurrent export gets 503 with Retry-After."""
    return max(1, threads // 2)


@bp.get("/api/search")
def search_json() -> Any:
    """The same JSON as ``fazhi search --json`` for the page's parameters (plus ``limit``)."""
    settings = get_settings()
    state, resolution = resolved_state(settings, parse_state(request.args, allow_limit=True))
    results = search(settings, state.to_request(settings))
    body = results_to_dict(results, resolution.readings, resolution.problems, public=True)
    body["page"] = state.page
    if not results.total_paragraphs:
        body["suggestions"] = [suggestion_to_dict(s) for s in suggestions(settings, results.request)]
    return body


def resolved_state(settings: Settings, state: SearchState) -> tuple[SearchState, Any]:
    """``state`` with its filter values resolved against the index (city=苏州 -> 苏州市), and
    the resolution (its problems name the choices for values that name nothing indexed)."""
    from dataclasses import replace

    resolution = resolve_filters(settings, state.filters)
    return replace(state, filters=resolution.filters), resolution


@bp.get("/api/facets")
def facets_json() -> Any:
    """Facet counts over every match of the query and filters (no hits); with ``field=``,
    every value of that facet, ``limit`` (1-1,000, default 200) a page, those containing
    ``contains`` (the facet listing page's JSON)."""
    settings = get_settings()
    if request.args.get("field") is not None:
        from .views_facets import listing_to_dict, read_listing

        listing = read_listing(settings, request.args, allow_limit=True)
        state = listing.state
        return {"query": state.q, "mode": state.mode.value, "scope": state.scope.value,
                "in": state.search_in.value,
                "filters": {field: list(values) for field, values in state.filters},
                **listing_to_dict(listing)}
    state, _ = resolved_state(settings, parse_state(request.args, allow_limit=True))
    results = search(settings, state.to_request(settings, limit=0, offset=0))
    return {
        "query": state.q,
        "mode": state.mode.value,
        "scope": state.scope.value,
        "in": state.search_in.value,
        "filters": {field: list(values) for field, values in state.filters},
        "facet_sort": state.facet_sort.value,
        "total_paragraphs": results.total_paragraphs,
        "total_reports": results.total_reports,
        "facets": {
            facet.name: {
                "truncated": facet.truncated,
                "values": [
                    {
                        "value": v.value,
                        "count": v.count,
                        "reports": v.reports,
                        "selected": v.selected,
                        "label": v.label,
                        "parent": v.parent,
                    }
                    for v in facet.values
                ],
            }
            for facet in results.facets
        },
    }


@bp.get("/api/reports/<path:report_id>")
def report(report_id: str) -> Any:
    """One report with every paragraph (the JSON of ``fazhi inspect --json``)."""
    settings = get_settings()
    return ingested_to_dict(get_report(settings, safe_report_id(report_id)), public=True)


@bp.get("/export.csv")
def export_csv() -> Response:
    """Every paragraph matching the search (not just one page), one CSV row each, streamed:
    the server never holds the whole file, and the client's first bytes come at once."""
    settings = get_settings()
    state, _ = resolved_state(settings, parse_state(request.args).with_(view="flat"))
    slots = _export_slots()
    # Before any search, so a refused export costs nothing; a short wait lets an export that
    # arrives while others finish (they take milliseconds) go through instead of failing.
    if not slots.acquire(timeout=EXPORT_WAIT_S):
        return _busy()
    try:
        first = search(settings, _chunk_request(settings, state, 0))  # errors become a 400 here
    except BaseException:
        slots.release()
        raise

    def body() -> Iterator[str]:
        try:
            yield "\ufeff"
            yield from csv_lines(all_hits(settings, state, first))
        finally:
            slots.release()

    response = Response(stream_with_context(body()), mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = (
        "attachment; filename=\"fazhi-search.csv\"; filename*=UTF-8''fazhi-search.csv"
    )
    return response


def _export_slots() -> threading.BoundedSemaphore:
    """The app's export semaphore (one per app, sized from server.threads)."""
    slots = current_app.extensions.get("fazhi_export_slots")
    if slots is None:
        slots = threading.BoundedSemaphore(max_exports(get_settings().threads))
        current_app.extensions["fazhi_export_slots"] = slots
    return slots


def _busy() -> Response:
    response = Response(
        "导出任务繁忙：其他导出正在进行，请稍后重试。\n", status=503, mimetype="text/plain"
    )
    response.charset = "utf-8"
    response.headers["Retry-After"] = "10"
    return response


def _chunk_request(settings: Settings, state: SearchState, offset: int):  # noqa: ANN202
    return state.to_request(
        settings, grouped=False, limit=CSV_CHUNK, offset=offset, with_facets=False
    )


def all_hits(settings: Settings, state: SearchState, first=None) -> Iterator[Hit]:  # noqa: ANN001
    """Every hit of ``state``'s search, fetched in chunks (the engine caps one page's size);
    ``first``: the first chunk's results when already fetched."""
    offset = 0
    while True:
        results = first if (first is not None and offset == 0) else search(
            settings, _chunk_request(settings, state, offset)
        )
        yield from results.hits
        offset += len(results.hits)
        if not results.hits or offset >= results.total_paragraphs:
            return


def csv_lines(hits: Iterable[Hit]) -> Iterator[str]:
    """The CSV text, header first, one line per hit, formula-looking cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([label for _, label in CSV_COLUMNS])
    yield _drain(buffer)
    for hit in hits:
        writer.writerow([neutralise(cell) for cell in _row(hit)])
        if buffer.tell() >= CSV_WRITE_BYTES:
            yield _drain(buffer)
    yield _drain(buffer)


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text: a leading apostrophe before = + - @ (CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def _row(hit: Hit) -> list[str]:
    r = hit.report
    values: dict[str, Any] = {
        "report_id": r.report_id,
        "title": r.title,
        "jurisdiction": r.jurisdiction,
        "province": r.province,
        "city": r.city,
        "county": r.county,
        "town": r.town,
        "level": level_label(r),
        "report_year": r.report_year,
        "published": r.published,
        "doc_number": r.doc_number,
        "issuer": r.issuer,
        "source_url": r.source_url,
        "n": paragraph_number(hit.n),
        "section": section_label(hit.section),
        "heading_path": " › ".join(hit.heading_path),
        "text": hit.text,
    }
    return [_text(values[name]) for name, _ in CSV_COLUMNS]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text

