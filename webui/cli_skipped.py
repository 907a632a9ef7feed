"""How `fazhi index` (and `fazhi serve`'s first build) list the files they skipped: a count per
reason, then each file with its reason ("  skipped PATH: REASON"), all of them up to
``LIST_ALL`` files, else the first ``PER_REASON`` of each reason and how many more."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import click

from indexer import IngestProblem

LIST_ALL = 200
PER_REASON = 20
_DETAIL = re.compile(r"\s*\([^()]*\)")


def reason_kind(problem: IngestProblem) -> str:
    """The reason without its details: "too large (21.0 MB > limit 20.0 MB)" -> "too large";
    for a manifest problem also without the row's key or what happened to the line."""
    kind = _DETAIL.sub("", problem.reason).strip()
    if problem.kind == "manifest" or kind.startswith("unexpected error"):
        kind = kind.split(": ", 1)[0]
    return kind


def skipped_files(problems: Sequence[IngestProblem]) -> list[IngestProblem]:
    """The problems that are skipped files (not remarks about a manifest)."""
    return [p for p in problems if p.kind != "manifest"]


def skipped_lines(problems: Sequence[IngestProblem]) -> list[str]:
    """Skipped files counted by reason and listed; then manifest problems likewise."""
    notes = [p for p in problems if p.kind == "manifest"]
    return (_grouped(skipped_files(problems), "skipped by reason", "skipped")
            + _grouped(notes, "manifest problems (the rest of each manifest applies)", "manifest"))


def _grouped(problems: Sequence[IngestProblem], title: str, label: str) -> list[str]:
    if not problems:
        return []
    counts = Counter(reason_kind(p) for p in problems)
    kinds = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))  # most first, then by name
    lines = [f"{title}: " + ", ".join(f"{n} {kind}" for kind, n in kinds)]
    shown: Counter[str] = Counter()
    for p in problems:
        kind = reason_kind(p)
        shown[kind] += 1
        if len(problems) <= LIST_ALL or shown[kind] <= PER_REASON:
            lines.append(f"  {label} {p.path}: {p.reason}")
    if len(problems) > LIST_ALL:
        lines += [f"  ... and {n - PER_REASON} more: {kind}"
                  for kind, n in kinds if n > PER_REASON]
    return lines


def echo_skipped(problems: Sequence[IngestProblem]) -> None:
    for line in skipped_lines(problems):
        click.echo(line, err=True)
