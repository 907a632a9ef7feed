"""Fixtures for the search tests: real Whoosh indexes in tmp_path, built from records."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from indexer import (
    IngestedReport,
    Level,
    Paragraph,
    Report,
    SearchRequest,
    Section,
    Settings,
    index_reports as _index_reports,
    search,
)
from indexer.normalize import normalize

SEED_META = [  # varied metadata so every filter and facet has several values
    dict(province="江苏省", city="苏州市", county="张家港市", town="塘桥镇", level=Level.TOWN,
         report_year=2022),
    dict(province="江苏省", city="苏州市", county="昆山市", level=Level.COUNTY, report_year=2023),
    dict(province="浙江省", city="杭州市", level=Level.CITY, report_year=2023),
    dict(province="浙江省", level=Level.PROVINCE, report_year=2021),
    dict(province="江苏省", city="无锡市", level=Level.CITY, report_year=None),
]
SECTIONS = [Section.LEADERSHIP, Section.MEASURES, Section.SHORTCOMINGS, Section.PLANS, Section.OTHER]


def make_report(report_id: str, paragraphs: Iterable[str], **meta: object) -> IngestedReport:
    """An IngestedReport from plain paragraph texts (headings: texts starting with 一、 etc.)."""
    texts = list(paragraphs)
    sha = hashlib.sha256("\n\n".join(texts).encode("utf-8")).hexdigest()
    report = Report(report_id=report_id, source_path=f"{report_id}.txt", content_sha256=sha,
                    title=meta.pop("title", texts[0] if texts else None), **meta)  # type: ignore[arg-type]
    paras = tuple(
        Paragraph(report_id=report_id, n=n, text=t, is_heading=t[:2] in {"一、", "二、", "三、", "四、"},
                  section=SECTIONS[n % len(SECTIONS)])
        for n, t in enumerate(texts)
    )
    return IngestedReport(report=report, paragraphs=paras)


def seed_reports(seeds_dir: Path) -> list[IngestedReport]:
    """The seeds as records: through the real ingest when it exists, else split at blank lines;
    metadata overridden from SEED_META so filters have several values."""
    try:
        from indexer.ingest import ingest_paths  # noqa: F401  (ingest is built in parallel)
        from indexer.config import Settings as _S

        items = [i for i in ingest_paths([seeds_dir], _S()) if isinstance(i, IngestedReport)]
    except ImportError:
        items = []
    if not items:
        items = []
        for path in sorted(seeds_dir.glob("*.txt")):
            texts = [t.strip() for t in path.read_text(encoding="utf-8").split("\n\n") if t.strip()]
            items.append(make_report(path.stem, texts))
    out = []
    for i, item in enumerate(sorted(items, key=lambda r: r.report.report_id)):
        from dataclasses import replace

        meta = dict(SEED_META[i % len(SEED_META)])
        meta.setdefault("city", None)
        meta.setdefault("county", None)
        meta.setdefault("town", None)
        report = replace(item.report, **meta)
        paras = tuple(replace(p, section=SECTIONS[p.n % len(SECTIONS)]) if p.section == Section.OTHER
                      and i % 2 else p for p in item.paragraphs)
        out.append(IngestedReport(report=report, paragraphs=paras))
    return out


@pytest.fixture
def search_settings(tmp_path: Path) -> Settings:
    """Settings whose index lives in tmp_path."""
    return Settings(index_path=tmp_path / "index", corpus_paths=(tmp_path / "corpus",),
                    facet_size=50)


@pytest.fixture
def index_reports(search_settings: Settings) -> Callable[..., Settings]:
    """Factory: index the given IngestedReports into tmp_path and return the settings."""

    def build(*reports: IngestedReport, rebuild: bool = False) -> Settings:
        _index_reports(search_settings, reports, rebuild=rebuild)
        return search_settings

    return build


@pytest.fixture(scope="session")
def seed_records(seeds_dir: Path) -> list[IngestedReport]:
    return seed_reports(seeds_dir)


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory, seed_records) -> Settings:
    """A real index of the five seeds (built once per session)."""
    settings = Settings(index_path=tmp_path_factory.mktemp("seedix") / "index")
    _index_reports(settings, seed_records)
    return settings


def all_hits(settings: Settings, query: str = "", **kw: object) -> set[tuple[str, int]]:
    """(report_id, n) of every hit of a query (flat, no page limit)."""
    request = SearchRequest(query=query, grouped=False, limit=10**9, with_facets=False, **kw)
    return {(h.report_id, h.n) for h in search(settings, request).hits}


def grep(records: Iterable[IngestedReport], predicate: Callable[[str], bool],
         filters: dict[str, tuple[str, ...]] | None = None) -> set[tuple[str, int]]:
    """Brute force: (report_id, n) of the paragraphs whose normalised text satisfies
    ``predicate`` (and whose fields pass ``filters``)."""
    out = set()
    for report, p, norm in _normalised(records):
        if filters and not passes(report, p, filters):
            continue
        if predicate(norm):
            out.add((report.report_id, p.n))
    return out


_NORMALISED: dict[int, tuple[object, list]] = {}


def _normalised(records) -> list[tuple[Report, Paragraph, str]]:
    """(report, paragraph, normalised text) of every paragraph, computed once per record list."""
    key = id(records)
    cached = _NORMALISED.get(key)
    if cached is None or cached[0] is not records:
        rows = [(r.report, p, normalize(p.text)) for r in records for p in r.paragraphs]
        cached = _NORMALISED[key] = (records, rows)
    return cached[1]


def field_value(report: Report, paragraph: Paragraph, name: str) -> str | None:
    value = str(paragraph.section) if name == "section" else getattr(report, name)
    return None if value is None else str(value)


def passes(report: Report, paragraph: Paragraph, filters: dict[str, tuple[str, ...]]) -> bool:
    return all(field_value(report, paragraph, f) in vs for f, vs in filters.items())
