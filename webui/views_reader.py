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
    number: int  # 1-based paragraph number (the anchor #p<number>)
    text: str
    depth: int
    matches: int = 0  # matching paragraphs in the section (the heading and all under it)


def outline(paragraphs: tuple[Paragraph, ...], matched: frozenset[int] = frozenset()
            ) -> list[OutlineEntry]:
    """The report's headings, indented by how many headings sit above them, each with the
    number of ``matched`` paragraphs (engine numbers) in its section: from the heading to the
    next heading at the same or a higher level."""
    headings = [(k, p) for k, p in enumerate(paragraphs) if p.is_heading]
    entries = []
    for i, (k, p) in enumerate(headings):
        depth = len(p.heading_path)
        end = next((k2 for k2, p2 in headings[i + 1:] if len(p2.heading_path) <= depth),
                   len(paragraphs))
        count = sum(1 for q in paragraphs[k:end] if q.n in matched)
        entries.append(OutlineEntry(p.n + 1, p.text, min(depth, 3), count))
    return entries


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
    matches = sorted(highlights)
    first_match = matches[0] + 1 if matches else None
    back_state = SearchState(q=state.q, mode=state.mode, scope=state.scope)
    page = render_template(
        "reader.html",
        ingested=ingested,
        r=ingested.report,
        outline=outline(ingested.paragraphs, frozenset(highlights)),
        match_numbers=[n + 1 for n in matches],
        highlights=highlights,
        first_match=first_match,
        match_count=len(highlights),
        state=state,
        error=error,
        back_url=search_url(back_state) if state.q else url_for("search.index"),
        json_url=url_for("api.report", report_id=report_id),
    )
    return page, (400 if error else 200)
