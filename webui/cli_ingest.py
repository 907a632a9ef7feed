"""fazhi CLI commands (ingest): ``fazhi inspect FILE... [--json]``.

Parse only, no index: shows exactly what ingest makes of each file.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from indexer import (
    LEVEL_LABELS,
    SECTION_LABELS,
    IngestedReport,
    IngestProblem,
    ingest_paths,
    ingested_to_dict,
)

from indexer import REASON_UNREADABLE

from .cli import AppContext, pass_app, quiet_ingest_log

_FIELDS = (
    ("title", "标题"),
    ("issuer", "发布机关"),
    ("jurisdiction", "行政区划"),
    ("province", "省"),
    ("city", "市"),
    ("county", "县"),
    ("town", "乡镇"),
    ("level", "层级"),
    ("report_year", "报告年度"),
    ("published", "发布日期"),
    ("doc_number", "文号"),
    ("source_url", "来源网址"),
)


@click.command("inspect")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (JSON Lines for several reports).")
@pass_app
def inspect_command(app: AppContext, files: tuple[Path, ...], as_json: bool) -> None:
    """Show what ingest makes of FILE... (metadata, outline, paragraphs); no index involved.

    With --json: one file prints one JSON object, several print one report per line.
    A file that cannot be read is reported on stderr and the exit code is 1.
    """
    settings = app.settings
    quiet_ingest_log()
    one_object = len(files) == 1 and files[0].is_file()
    failed = False
    first = True
    for item in ingest_paths(list(files), settings):
        if isinstance(item, IngestProblem):
            if item.kind in ("manifest", "walk") and not item.reason.startswith(REASON_UNREADABLE):
                # a manifest line, or an entry a folder's walk leaves out on purpose: no error
                label = "Warning" if item.kind == "manifest" else "Skipped"
                click.echo(f"{label}: {item.path}: {item.reason}", err=True)
                continue
            click.echo(f"Error: {item.path}: {item.reason}", err=True)
            failed = True
            continue
        if as_json:
            data = ingested_to_dict(item)
            if one_object:
                click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            else:
                click.echo(json.dumps(data, ensure_ascii=False))
        else:
            if not first:
                click.echo("")
            click.echo(summary_text(item))
        first = False
    if failed:
        sys.exit(1)


def summary_text(item: IngestedReport) -> str:
    """A readable summary: metadata table, outline with section names, counts, warnings."""
    report = item.report
    lines = [f"== {report.source_path}", f"   report_id    {report.report_id}"]
    for name, label in _FIELDS:
        value = getattr(report, name)
        if name == "level" and value is not None:
            value = f"{value} ({LEVEL_LABELS.get(value, value)})"
        lines.append(f"   {name:<13}{'—' if value is None else value}    [{label}]")
    headings = sum(p.is_heading for p in item.paragraphs)
    lines.append(f"   paragraphs   {len(item.paragraphs)} ({headings} headings)")
    counts = Counter(str(p.section) for p in item.paragraphs)
    lines.append(
        "   sections     "
        + ", ".join(f"{name} {counts[name]}" for name in SECTION_LABELS if counts[name])
    )
    lines.append("   outline:")
    lines.extend(_outline_lines(item) or ["     (no headings)"])
    if report.warnings:
        lines.append("   warnings:")
        lines.extend(f"     - {w}" for w in report.warnings)
    return "\n".join(lines)


def _outline_lines(item: IngestedReport) -> list[str]:
    """Headings (and run-in headings, marked with …) indented by depth, with their section."""
    out: list[str] = []
    shown: set[tuple[str, ...]] = set()
    for p in item.paragraphs:
        for depth in range(len(p.heading_path)):
            chain = p.heading_path[: depth + 1]
            if chain not in shown:
                shown.add(chain)
                out.append(f"     {'  ' * depth}{chain[-1]} …")
        if p.is_heading:
            chain = (*p.heading_path, p.text)
            if chain not in shown:
                shown.add(chain)
                label = SECTION_LABELS.get(p.section, str(p.section))
                out.append(
                    f"     {'  ' * len(p.heading_path)}{p.text}  [{p.section} {label}]"
                )
    return out


COMMANDS: list[click.Command] = [inspect_command]
