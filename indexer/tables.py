"""Comparison and trend tables as JSON-ready dicts and CSV rows: one shape for the web API, the
CSV downloads and ``fazhi compare|trend --format json|csv``, so every export holds the same rows
as the page."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from typing import Any

from .compare import STATUS_LABELS, Cell, CompareRow, Comparison
from .models import LEVEL_LABELS
from .trend import SMALL_SAMPLE, Trend

# Spreadsheets run cells that start with these as formulas (CSV injection, OWASP); a term such
# as "=HYPERLINK(...)" is a valid query and ends up in a header.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

CellLink = Callable[[CompareRow, Cell], str]


def _request_dict(request: Any) -> dict[str, Any]:
    return {
        "terms": list(request.terms),
        "level": request.level,
        "mode": str(request.mode),
        "scope": str(request.scope),
        "filters": {name: list(values) for name, values in request.filters},
    }


def _area_dict(area: Any) -> dict[str, Any]:
    return {"code": area.code or None, "name": area.name, "full_name": area.full_name}


def column_label(column: Any) -> str:
    return f"{column.term} {column.year}年" if column.year is not None else column.term


# ---------------------------------------------------------------------- comparison


def comparison_to_dict(comparison: Comparison, rows: Iterable[CompareRow] | None = None,
                       link: CellLink | None = None) -> dict[str, Any]:
    """The comparison as JSON (``rows`` in the order given, default gazetteer order; ``link``
    adds each cell's passages URL)."""
    request = comparison.request
    return {
        "request": {**_request_dict(request), "by_year": request.by_year,
                    "include_departments": request.include_departments},
        "area": _area_dict(comparison.area),
        "level_label": LEVEL_LABELS[request.level],
        "columns": [{"key": c.key, "term": c.term, "year": c.year, "label": column_label(c)}
                    for c in comparison.columns],
        "years": list(comparison.years),
        "status_counts": comparison.status_counts,
        "unplaced_reports": comparison.unplaced,
        "rows": [_row_dict(row, link) for row in (comparison.rows if rows is None else rows)],
        "elapsed_ms": round(comparison.elapsed_ms, 1),
    }


def _row_dict(row: CompareRow, link: CellLink | None) -> dict[str, Any]:
    return {
        "code": row.division.code,
        "name": row.name,
        "full_name": row.full_name,
        "status": str(row.status),
        "status_label": STATUS_LABELS[row.status],
        "reports": len(row.report_ids),
        "report_ids": list(row.report_ids),
        "years": list(row.years),
        "department_reports": row.department_reports,
        "cells": [_cell_dict(row, cell, link) for cell in row.cells],
    }


def _cell_dict(row: CompareRow, cell: Cell, link: CellLink | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "column": cell.column.key,
        "status": str(cell.status),
        "reports": cell.reports,
        "matching_reports": cell.matching_reports,
        "paragraphs": cell.paragraphs,
        "first_year": cell.first_year,
        "last_year": cell.last_year,
        "matching_report_ids": list(cell.matching_ids),
    }
    if link is not None and cell.matching_reports:
        out["passages_url"] = link(row, cell)
    return out


def comparison_header(comparison: Comparison) -> list[str]:
    head = ["区划代码", "地区", "全称", "状态", "已收录报告", "报告年份", "其中部门报告"]
    for column in comparison.columns:
        label = column_label(column)
        head += [f"{label}：状态", f"{label}：报告", f"{label}：匹配报告", f"{label}：匹配段落",
                 f"{label}：首次提及年份", f"{label}：最近提及年份"]
    return head


def comparison_rows(comparison: Comparison, rows: Iterable[CompareRow] | None = None
                    ) -> list[list[str]]:
    """The table as text cells, header first (the CSV export and the CLI's table)."""
    out = [comparison_header(comparison)]
    for row in comparison.rows if rows is None else rows:
        line = [row.division.code, row.name, row.full_name, STATUS_LABELS[row.status],
                str(len(row.report_ids)), "、".join(map(str, row.years)),
                str(row.department_reports)]
        for cell in row.cells:
            line += [STATUS_LABELS[cell.status], str(cell.reports), str(cell.matching_reports),
                     str(cell.paragraphs), _text(cell.first_year), _text(cell.last_year)]
        out.append(line)
    return out


# ---------------------------------------------------------------------- trend


def trend_to_dict(trend: Trend, link: Callable[[str, int], str] | None = None
                  ) -> dict[str, Any]:
    """The trend as JSON (``link(term, year)`` adds the passages URL of each point)."""
    return {
        "request": _request_dict(trend.request),
        "area": _area_dict(trend.area),
        "years": list(trend.years),
        "reports_per_year": list(trend.reports_per_year),
        "undated_reports": trend.undated,
        "small_sample_below": SMALL_SAMPLE,
        "series": [
            {
                "term": s.term,
                "points": [
                    {
                        "year": p.year,
                        "matching_reports": p.matching,
                        "reports": p.reports,
                        "share": None if p.share is None else round(p.share, 4),
                        "paragraphs": p.paragraphs,
                        "small_sample": p.small,
                        **({"passages_url": link(s.term, p.year)} if link and p.matching else {}),
                    }
                    for p in s.points
                ],
            }
            for s in trend.series
        ],
        "elapsed_ms": round(trend.elapsed_ms, 1),
    }


def trend_rows(trend: Trend) -> list[list[str]]:
    """One line per term and year, header first."""
    out = [["检索词", "年份", "提及的报告", "报告总数", "比例", "匹配段落", "样本少（<5 篇）"]]
    for s in trend.series:
        for p in s.points:
            share = "" if p.share is None else f"{p.share * 100:.1f}%"
            out.append([s.term, str(p.year), str(p.matching), str(p.reports), share,
                        str(p.paragraphs), "是" if p.small else ""])
    return out


# ---------------------------------------------------------------------- CSV


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text: a leading apostrophe before = + - @ (CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def csv_text(rows: Iterable[list[str]], bom: bool = True) -> str:
    """CSV (CRLF, UTF-8 BOM for spreadsheets) with formula-looking cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(c) for c in row])
    return ("\ufeff" if bom else "") + buffer.getvalue()


def _text(value: object) -> str:
    return "" if value is None else str(value)


__all__ = ["column_label", "comparison_rows", "comparison_to_dict", "csv_text", "neutralise",
           "trend_rows", "trend_to_dict"]
