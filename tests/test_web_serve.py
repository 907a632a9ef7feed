"""``fazhi serve``: waitress on loopback, index built first when missing, never debug."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from urllib.parse import quote

from fixtures_web import free_port, get, wait_for

from indexer import index_paths, load_settings

from webui.cli_serve import COMMANDS


NEW_TERM = "星辰大海专项行动"
NEW_REPORT = (
    "无锡市梁溪区2024年法治政府建设情况报告\n\n"
    "一、主要举措和成效\n\n"
    f"2024年，梁溪区开展{NEW_TERM}，推进严格规范公正文明执法。\n"
)


def test_serve_is_registered() -> None:
    """The CLI module exports the serve command."""
    assert [c.name for c in COMMANDS] == ["serve"]


def test_serve_builds_the_index_then_serves_with_waitress(tmp_path: Path, seeds_dir: Path) -> None:
    """With no index, `fazhi serve` indexes the corpus, then answers over waitress, no debug."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))[:2]
    for f in seeds:
        shutil.copy(f, corpus / f.name)
    config = tmp_path / "config.toml"
    config.write_text(
        '[corpus]\npaths = ["corpus"]\n[index]\npath = "index"\nprocs = 1\n', encoding="utf-8"
    )
    port = free_port()
    env = {**os.environ, "FLASK_DEBUG": "1", "FAZHI_CONFIG": str(config)}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from webui.cli import main; main()", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/", proc)
        assert (tmp_path / "index").is_dir()
        status, headers, body = get(base + "/?q=%E6%B3%95%E6%B2%BB")  # 法治
        assert status == 200 and headers["Server"] == "waitress"
        assert "data-total-paragraphs" in body
        status, _, body = get(base + "/console")  # the Werkzeug debugger's console
        assert status == 404 and "Werkzeug" not in body and "Traceback" not in body
        # Another process commits a new report: the running server finds it, no restart.
        (corpus / "new.txt").write_text(NEW_REPORT, encoding="utf-8")
        api = base + "/api/search?q=" + quote(NEW_TERM)
        assert json.loads(get(api)[2])["total_paragraphs"] == 0
        index_paths(load_settings(config))
        assert json.loads(get(api)[2])["total_paragraphs"] == 1
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/" in err
