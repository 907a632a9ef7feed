"""Hostile inputs: every file gets a clear reason (or is read), never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fixtures_ingest import HOSTILE_FILES
from indexer import IngestedReport, IngestProblem, ingest_paths

EXPECTED_PROBLEMS = {name: words for name, (_, words) in HOSTILE_FILES.items() if words}


def test_hostile_folder_through_ingest_paths(hostile_dir: Path, ingest_settings) -> None:
    """Each hostile file is an IngestProblem with its reason; the nested page is read."""
    items = list(ingest_paths([hostile_dir], ingest_settings))
    problems = {Path(i.path).name: i.reason for i in items if isinstance(i, IngestProblem)}
    assert set(problems) == set(EXPECTED_PROBLEMS)
    for name, words in EXPECTED_PROBLEMS.items():
        assert words in problems[name], (name, problems[name])
    assert "30.0 MB > limit 20.0 MB" in problems["huge.txt"]
    [nested] = [i for i in items if isinstance(i, IngestedReport)]
    assert nested.report.report_id == "nested"
    assert [p.text for p in nested.paragraphs] == ["深度嵌套页面中的报告正文，依法行政。"]


def test_hostile_folder_through_fazhi_inspect(hostile_dir: Path) -> None:
    """`fazhi inspect` on the hostile folder: reasons on stderr, exit 1, no traceback."""
    result = subprocess.run(
        [sys.executable, "-c", "from webui.cli import main; main()", "inspect", "--json",
         str(hostile_dir)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    for name, words in EXPECTED_PROBLEMS.items():
        line = next(ln for ln in result.stderr.splitlines() if ln.startswith(f"Error: {hostile_dir / name}:"))
        assert words in line
    assert '"report_id": "nested"' in result.stdout
