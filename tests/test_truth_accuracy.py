"""Metadata accuracy on 28 real report pages (../shared/corpus/report-excerpts, labels in
truth.jsonl: the dev set) and on the held-out pages of tests/data/heldout (labelled before the
code was run on them, never tuned to).

The real pipeline runs on each page (sources -> parse -> metadata). The only thing given besides
the page text is its URL, as a crawl's manifest would give it (``source_url``); the labels'
convention takes ``published`` from the page, else from a full date in the URL. Nothing here is
tuned per file: the same code is judged on held-out pages of the same kind.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.metadata import build_report
from indexer.models import Report
from indexer.parse import parse
from indexer.sources import SourceFile, read_source

FIELDS = ("province", "city", "county", "town", "level", "report_year", "published", "doc_number")
HELDOUT = Path(__file__).parent / "data" / "heldout"
PLACE = ("province", "city", "county", "town")
THRESHOLDS = {"province": 0.95, "level": 0.95, "report_year": 0.95, "published": 0.95, "chain": 0.90,
              "title": 0.90}
# Measured and printed, no bar: the labels' issuer convention is not consistent enough to tune
# to (吉林市坚持… is labelled null, 清波街道以… is labelled 清波街道; 靖边县政府 in the text is
# labelled 靖边县人民政府), and the held-out set judges it.
MEASURED_ONLY = ("issuer",)


def _value(report: Report, name: str) -> object:
    value = getattr(report, name)
    return str(value) if name == "level" and value is not None else value


def in_level_model(label: dict) -> dict:
    """A label in the current level model: the dev set's labels predate it and call every
    department "department" and national organs' region null; a department's level is now its
    status plus the level of the area served, national organs are "national" in region 全国."""
    label = dict(label)
    if label.get("jurisdiction") == "中华人民共和国":
        label.update(level="national", province="全国")
    elif label.get("level") == "department":
        area = next((k for k in ("town", "county", "city", "province") if label.get(k)), None)
        label["level"] = {"town": "town", None: "department"}.get(area, f"{area}_department")
    return label


def _accuracy(root: Path, with_url: bool) -> tuple[dict[str, float], list[str]]:
    labels = [in_level_model(json.loads(line))
              for line in (root / "truth.jsonl").read_text("utf-8").splitlines() if line.strip()]
    right = dict.fromkeys((*FIELDS, "chain", *MEASURED_ONLY, "title"), 0)
    false_numbers = 0  # a 文号 extracted where the page has none
    titled = 0  # pages whose label has a title (null: the page shows none)
    misses: list[str] = []
    for label in labels:
        path = root / "reports" / label["file"]
        parsed = parse(read_source(SourceFile(path, root), 10_000_000))
        row = {"source_url": label["url"]} if with_url and label.get("url") else None
        report = build_report(parsed, path.stem, row)
        for name in FIELDS:
            if _value(report, name) == label[name]:
                right[name] += 1
            else:
                misses.append(f"{label['file']} {name}: {_value(report, name)!r} != {label[name]!r}")
        right["chain"] += all(_value(report, n) == label[n] for n in PLACE)
        false_numbers += label["doc_number"] is None and report.doc_number is not None
        for name in MEASURED_ONLY:
            right[name] += _value(report, name) == label[name]
        if label["title"] is not None:
            titled += 1
            right["title"] += report.title == label["title"]
            if report.title != label["title"]:
                misses.append(f"{label['file']} title: {report.title!r} != {label['title']!r}")
    acc = {name: n / len(labels) for name, n in right.items() if name != "title"}
    acc["title"] = right["title"] / titled if titled else 1.0
    acc["false_doc_numbers"] = false_numbers
    return acc, misses


def _table(title: str, acc: dict[str, float]) -> str:
    rows = "\n".join(f"  {name:<18} {value:6.1%}" if isinstance(value, float)
                     else f"  {name:<18} {value:>6}" for name, value in acc.items())
    return f"{title}\n{rows}"


@pytest.fixture(scope="module")
def excerpts(shared_dir: Path) -> Path:
    root = shared_dir / "corpus" / "report-excerpts"
    if not (root / "truth.jsonl").is_file():
        pytest.skip("report-excerpts corpus not present")
    return root


def test_metadata_accuracy_on_real_pages(excerpts: Path) -> None:
    """Per-field accuracy meets the bar: >= 95% province/level/report_year/published, >= 90% chain
    and >= 90% of the labelled titles; issuer is measured and printed."""
    acc, misses = _accuracy(excerpts, with_url=True)
    print("\n" + _table("report-excerpts, page text + URL:", acc))
    print("\n".join(f"  miss: {m}" for m in misses))
    for name, bar in THRESHOLDS.items():
        assert acc[name] >= bar, (name, acc[name], misses)
    assert acc["false_doc_numbers"] == 0, misses


def test_metadata_accuracy_from_page_text_alone(excerpts: Path) -> None:
    """Without the URL only `published` may drop (dates printed only in URLs); the rest holds."""
    acc, _ = _accuracy(excerpts, with_url=False)
    print("\n" + _table("report-excerpts, page text only:", acc))
    for name, bar in THRESHOLDS.items():
        if name != "published":
            assert acc[name] >= bar, (name, acc[name])


def test_metadata_accuracy_on_held_out_pages() -> None:
    """The held-out pages (all levels, 直辖市, autonomous regions, national organs, departments,
    towns named alike in several counties; page text plus the URL a crawl's manifest gives):
    >= 95% province/level/report_year, >= 90% chain/published/title, no false 文号."""
    acc, misses = _accuracy(HELDOUT, with_url=True)
    print("\n" + _table("held-out pages, page text + URL:", acc))
    print("\n".join(f"  miss: {m}" for m in misses))
    bars = {**THRESHOLDS, "published": 0.90}
    for name, bar in bars.items():
        assert acc[name] >= bar, (name, acc[name], misses)
    assert acc["false_doc_numbers"] == 0, misses
