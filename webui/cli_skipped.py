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


def reason_kind(reason: str) -> str:
    """REASON without its details: "too large (21.0 MB > limit 20.0 MB)" -> "too large"."""
    kind = _DETAIL.sub("", reason).strip()
    return kind.split(": ", 1)[0] if kind.startswith("unexpected error") else kind


def skipped_files(problems: Sequence[IngestProblem]) -> list[IngestProblem]:
    """The problems that are skipped files (not remarks about a manifest)."""
    return [p for p in problems if p.kind != "manifest"]


def skipped_lines(problems: Sequence[IngestProblem]) -> list[str]:
    """Skipped files counted by reason and listed; then manifest problems, each listed."""
    notes = [f"  manifest {p.path}: {p.reason}" for p in problems if p.kind == "manifest"]
    if notes:
        notes.insert(0, f"manifest problems: {len(notes)} (the rest of each manifest applies)")
    return _file_lines(skipped_files(problems)) + notes


def _file_lines(problems: Sequence[IngestProblem]) -> list[str]:
    if not problems:
        return []
    counts = Counter(reason_kind(p.reason) for p in problems)
    kinds = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))  # most first, then by name
    lines = ["skipped by reason: " + ", ".join(f"{n} {kind}" for kind, n in kinds)]
    shown: Counter[str] = Counter()
    for p in problems:
        kind = reason_kind(p.reason)
        shown[kind] += 1
        if len(problems) <= LIST_ALL or shown[kind] <= PER_REASON:
            lines.append(f"  skipped {p.path}: {p.reason}")
    if len(problems) > LIST_ALL:
        lines += [f"  ... and {n - PER_REASON} more: {kind}"
                  for kind, n in kinds if n > PER_REASON]
    return lines


def echo_skipped(problems: Sequence[IngestProblem]) -> None:
    for line in skipped_lines(problems):
        click.echo(line, err=True)
