"""Rendering benchmark results: one markdown table (both engines and the ratios) and details."""

from __future__ import annotations

import math
from typing import Any

from .measure import mb

SHAPE_TITLES = {"top": "(a) top-20 ms", "facets": "(b) +facets ms", "page": "(c) page ms"}
COLUMNS = (
    "corpus", "engine", "paragraphs", "chars", "build s", "build CPU s", "chars/s", "index MB",
    "build RSS MB", "query RSS MB", *SHAPE_TITLES.values(), "(c) first-time ms", "incr. s",
    "web (4 clients)",
)


def _num(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _lat(shape: dict[str, float] | None) -> str:
    if not shape or not shape.get("n"):
        return "—"
    return f"{_num(shape['p50'])} / {_num(shape['p95'])} / {_num(shape['max'])}"


def _ratio(base: float | None, ours: float | None) -> str:
    if not base or not ours or math.isnan(base) or math.isnan(ours):
        return "—"
    return f"{base / ours:.2f}×"


def _web(web: dict[str, Any] | None) -> str:
    if not web:
        return "—"
    if "error" in web:
        return f"failed: {web['error']}"
    lat = web["latency"]
    return (
        f"{web['rps']:.1f} req/s · p95 {_num(lat['p95'])} ms · {web['errors']} err · "
        f"{mb(web['server_peak_rss']):.0f} MB"
    )


def engine_row(corpus: dict[str, Any], name: str, res: dict[str, Any]) -> list[str]:
    build = res.get("build") or {}
    query = res.get("query") or {}
    shapes = query.get("shapes", {})
    seconds = build.get("seconds")
    cps = corpus["chars"] / seconds if seconds else None
    incr = (res.get("incremental") or {}).get("changed", {}).get("seconds")
    return [
        corpus["name"], name, _num(build.get("paragraphs"), 0), _num(corpus["chars"], 0),
        _num(seconds), _num(build.get("cpu_seconds")), _num(cps, 0),
        _num(mb(build["index_bytes"]) if "index_bytes" in build else None),
        _num(mb(build["peak_rss"]) if "peak_rss" in build else None),
        _num(mb(query["peak_rss"]) if "peak_rss" in query else None),
        *(_lat(shapes.get(s)) for s in SHAPE_TITLES), _lat(query.get("page_first")),
        _num(incr, 2), _web(res.get("web")),
    ]


def ratio_row(corpus: dict[str, Any], base: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    """'× better' for every column: baseline ÷ ours for costs, ours ÷ baseline for chars/s."""
    bb, ob = base.get("build") or {}, ours.get("build") or {}
    bq = (base.get("query") or {}).get("shapes", {})
    oq = (ours.get("query") or {}).get("shapes", {})

    def lat(shape: str) -> str:
        if shape == "page_first":
            b, o = (base.get("query") or {}).get(shape), (ours.get("query") or {}).get(shape)
        else:
            b, o = bq.get(shape), oq.get(shape)
        if not b or not o or not b.get("n") or not o.get("n"):
            return "—"
        return f"{_ratio(b['p50'], o['p50'])} / {_ratio(b['p95'], o['p95'])} / " \
               f"{_ratio(b['max'], o['max'])}"

    return [
        corpus["name"], "**ratio** (× better)", "", "",
        _ratio(bb.get("seconds"), ob.get("seconds")),
        _ratio(bb.get("cpu_seconds"), ob.get("cpu_seconds")),
        _ratio(bb.get("seconds"), ob.get("seconds")),  # same chars: chars/s ratio = time ratio
        _ratio(bb.get("index_bytes"), ob.get("index_bytes")),
        _ratio(bb.get("peak_rss"), ob.get("peak_rss")),
        _ratio((base.get("query") or {}).get("peak_rss"), (ours.get("query") or {}).get("peak_rss")),
        lat("top"), lat("facets"), lat("page"), lat("page_first"), "", "",
    ]


def table(results: dict[str, Any]) -> str:
    """The one results table, markdown."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for entry in results["corpora"]:
        corpus, engines = entry["corpus"], entry["engines"]
        for name in ("baseline", "fazhi-before", "fazhi-search"):
            if name in engines:
                lines.append("| " + " | ".join(engine_row(corpus, name, engines[name])) + " |")
        for base in ("baseline", "fazhi-before"):
            if base in engines and "fazhi-search" in engines:
                row = ratio_row(corpus, engines[base], engines["fazhi-search"])
                row[0] = f"{row[0]} vs {base}"
                lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def per_query(results: dict[str, Any]) -> str:
    """Per-query detail: matching paragraphs and page-query p50 for each engine and corpus."""
    out = []
    for entry in results["corpora"]:
        engines = {n: e.get("query") for n, e in entry["engines"].items() if e.get("query")}
        if not engines:
            continue
        names = list(engines)
        out.append(f"\n### {entry['corpus']['name']}\n")
        head = ["query", "kind"] + [f"{n} hits" for n in names] + [f"{n} (c) p50 ms" for n in names]
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        rows = [engines[n]["queries"] for n in names]
        for i, first in enumerate(rows[0]):
            cells = [first["query"].replace("|", "\\|"), first["kind"]]
            for r in rows:
                page = r[i]["page"]
                cells.append("error" if page["error"] else _num(r[i]["top"]["total"], 0))
            for r in rows:
                cells.append(_num(r[i]["page"].get("p50")))
            out.append("| " + " | ".join(cells) + " |")
        errors = [
            f"- {n}: `{q['query']}` ({s}): {q[s]['error']}"
            for n in names for q in engines[n]["queries"] for s in ("top", "facets", "page")
            if q[s]["error"]
        ]
        out.extend(["", *errors] if errors else [])
    return "\n".join(out)
