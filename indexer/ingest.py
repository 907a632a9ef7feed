"""Ingest: source files in, ``IngestedReport`` records (metadata + paragraphs) out.

``ingest_file`` raises ``IngestError`` for a bad file; ``ingest_paths`` never raises for one:
it yields an ``IngestProblem`` (and logs it) and carries on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath

from .config import Settings
from .errors import IngestError
from .models import IngestedReport, IngestProblem, Paragraph, ParsedReport, Report
from .longparas import cap_paragraphs
from .parse import parse
from .sources import SourceFile, printable_path, read_source, walk_sources

log = logging.getLogger(__name__)

Manifest = Mapping[str, Mapping[str, str]]


def report_id_for(relative_path: str) -> str:
    """The stable report id: the path relative to the corpus root, without its suffix."""
    relative_path = printable_path(relative_path)
    path = PurePosixPath(relative_path)
    return str(path.with_suffix("")) if path.suffix else relative_path


def ingest_file(
    source: SourceFile, settings: Settings, manifest: Manifest | None = None
) -> IngestedReport:
    """Read, parse and describe one file. Raises ``IngestError`` when it cannot be used."""
    raw = read_source(source, settings.max_file_bytes)
    parsed = cap_paragraphs(parse(raw), settings.max_paragraph_chars)
    if not parsed.paragraphs:
        raise IngestError(str(source.path), "no text left after removing page furniture")
    report_id = report_id_for(raw.relative_path)
    report = _build_report(parsed, report_id, _manifest_row(manifest, raw.relative_path))
    paragraphs = tuple(
        Paragraph(
            report_id=report.report_id,
            n=n,
            text=p.text,
            heading_path=p.heading_path,
            is_heading=p.is_heading,
            section=p.section,
        )
        for n, p in enumerate(parsed.paragraphs)
    )
    return IngestedReport(report=report, paragraphs=paragraphs)


def _manifest_row(manifest: Manifest | None, relative_path: str) -> Mapping[str, str] | None:
    if not manifest:
        return None
    from .manifest import manifest_row  # the metadata engineer's matching rules

    return manifest_row(manifest, relative_path)


def _build_report(parsed: ParsedReport, report_id: str, row: Mapping[str, str] | None) -> Report:
    # Imported here: the gazetteer behind metadata is loaded only when a report is built.
    from .metadata import build_report

    return build_report(parsed, report_id, row)


def ingest_paths(
    paths: Sequence[Path], settings: Settings
) -> Iterator[IngestedReport | IngestProblem]:
    """Every source file under PATHS, ingested; each failure an ``IngestProblem``.

    A directory is a corpus root; a file's root is its folder. Each root's manifest
    (``metadata.csv``/``*.jsonl``) is loaded once.
    """
    from .walk import WalkOptions

    options = WalkOptions.from_settings(settings)
    manifests: dict[Path, Manifest] = {}
    for given in paths:
        path = Path(given)
        try:
            found = list(walk_sources([path], options))
        except IngestError as exc:
            yield _problem(exc.path, exc.reason)
            continue
        for source in found:
            if isinstance(source, IngestProblem):
                yield _problem(source.path, source.reason, source.kind)
                continue
            manifest, problems = _manifest_for(source.root, manifests)
            yield from problems
            try:
                yield ingest_file(source, settings, manifest)
            except IngestError as exc:
                yield _problem(str(source.path), exc.reason)
            except Exception as exc:  # noqa: BLE001 - a bug met on one file must not stop a batch
                log.debug("error while ingesting %s", source.path, exc_info=True)
                yield _problem(str(source.path), f"unexpected error: {type(exc).__name__}: {exc}")


def _manifest_for(
    root: Path, cache: dict[Path, Manifest]
) -> tuple[Manifest, list[IngestProblem]]:
    """ROOT's manifest, loaded on first use, and its problems (reported once)."""
    if root in cache:
        return cache[root], []
    from .manifest import read_manifest

    cache[root], problems = read_manifest(root)
    return cache[root], [_problem(p.path, p.reason, p.kind) for p in problems]


def _problem(path: str, reason: str, kind: str = "file") -> IngestProblem:
    path = printable_path(path)
    log.warning("%s %s: %s", "manifest" if kind == "manifest" else "skipped", path, reason)
    return IngestProblem(path=path, reason=reason, kind=kind)
