"""The reader ``/reports/<report_id>``: a whole report, its outline, and the query's matches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for

from indexer import (
    IngestedReport,
    Paragraph,
    QueryError,
    SearchRequest,
    Settings,
    get_report,
    search,
)

from .messages import user_message
from .params import SearchState, parse_state
from .resources import get_settings
from .views_search import search_url

bp = Blueprint("reader", __name__)

MAX_REPORT_ID_LENGTH = 1_000
# Highlights are looked up through one search limited to the report; a report has far fewer
# paragraphs than this.
MAX_PARAGRAPHS = 100_000


def safe_report_id(report_id: str) -> str:
    """``report_id`` if it could name a report; 404 for traversal attempts and junk.

    Ids are looked up in the index, never opened as files, and they are file paths relative to
    the corpus root: a name may hold a backslash, a tab or ``\\xNN`` escapes of bytes that were
    not UTF-8, and those reports must open. Only what no indexed file name can be is refused:
    an absolute path, empty, ``.`` or ``..`` parts, NUL, over-long ids."""
    parts = report_id.split("/")
    if (
        not report_id
        or len(report_id) > MAX_REPORT_ID_LENGTH
        or report_id.startswith("/")
        or "\x00" in report_id
        or any(part in ("", ".", "..") for part in parts)
    ):
        abort(404)
    return report_id


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    n: int
    text: str
    depth: int


def outline(paragraphs: tuple[Paragraph, ...]) -> list[OutlineEntry]:
    """The report's headings, indented by how many headings sit above them."""
    return [
        OutlineEntry(p.n, p.text, min(len(p.heading_path), 3))
        for p in paragraphs
        if p.is_heading
    ]


def report_highlights(
    settings: Settings, report_id: str, state: SearchState
) -> dict[int, tuple[tuple[int, int], ...]]:
    """Paragraph number -> matched spans of the state's query in this report."""
    if not state.q.strip():
        return {}
    request_ = SearchRequest(
        query=state.q,
        mode=state.mode,
        scope=state.scope,
        filters=(("report_id", (report_id,)),),
        grouped=False,
        limit=MAX_PARAGRAPHS,
        offset=0,
        with_facets=False,
    )
    results = search(settings, request_)
    return {hit.n: hit.highlights for hit in results.hits}


@bp.get("/reports/<path:report_id>")
def report(report_id: str) -> Any:
    settings = get_settings()
    report_id = safe_report_id(report_id)
    ingested: IngestedReport = get_report(settings, report_id)
    error = None
    try:
        state = parse_state(request.args)
        highlights = report_highlights(settings, report_id, state)
    except QueryError as exc:
        state = SearchState(q=request.args.get("q", "") or "")
        highlights, error = {}, user_message(str(exc))
    first_match = min(highlights) if highlights else None
    back_state = SearchState(q=state.q, mode=state.mode, scope=state.scope)
    page = render_template(
        "reader.html",
        ingested=ingested,
        r=ingested.report,
        outline=outline(ingested.paragraphs),
        highlights=highlights,
        first_match=first_match,
        match_count=len(highlights),
        state=state,
        error=error,
        back_url=search_url(back_state) if state.q else url_for("search.index"),
        json_url=url_for("api.report", report_id=report_id),
    )
    return page, (400 if error else 200)
