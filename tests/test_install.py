"""`pip install` of the wheel (not editable) into a fresh venv, then every command run from a
folder without any config: settings from built-in defaults, the index in the user data dir."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TERM = "行政复议"


def run(args: list, **kwargs) -> subprocess.CompletedProcess:  # noqa: ANN003
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300,
                          **kwargs)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding only the built wheel; its dependencies come from this test run's
    environment through a .pth line (no download), the project's sources stay invisible."""
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    for package in ("indexer", "webui"):
        shutil.copytree(REPO / package, src / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                 "--no-index", "-w", tmp / "dist", src])
    if built.returncode != 0 and "bdist_wheel" in built.stdout + built.stderr:
        pytest.skip("setuptools here cannot build wheels (bash .ci/setup-test-env updates it)")
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((tmp / "dist").glob("fazhi_search-*.whl"))
    venv = tmp / "venv"
    assert run([sys.executable, "-m", "venv", "--without-pip", venv]).returncode == 0
    python = venv / "bin" / "python"
    done = run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
                "--no-index", wheel])
    assert done.returncode == 0, done.stderr[-2000:]
    purelib = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
                       ).stdout.strip())
    (purelib / "deps-from-test-env.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv


def test_the_installed_wheel_runs_from_a_folder_without_config(
    installed: Path, tmp_path: Path, seeds_dir: Path
) -> None:
    """inspect, index, search, stats and config work from an empty folder; the index goes to
    the user data dir, nothing is written inside the installed package."""
    home, work, corpus = tmp_path / "home", tmp_path / "work", tmp_path / "reports"
    for folder in (home, work, corpus):
        folder.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))[:2]
    for seed in seeds:
        shutil.copy(seed, corpus / seed.name)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XDG_", "FAZHI_", "PYTHON", "VIRTUAL_ENV"))}
    env["HOME"] = str(home)
    fazhi = installed / "bin" / "fazhi"

    def cmd(*args: object) -> subprocess.CompletedProcess:
        return run([fazhi, *args], cwd=work, env=env)

    where = run([installed / "bin" / "python", "-c", "import indexer; print(indexer.__file__)"],
                cwd=work, env=env).stdout
    assert str(installed) in where  # the wheel's copy, not the checkout
    inspected = cmd("inspect", corpus / seeds[0].name)
    assert inspected.returncode == 0, inspected.stderr
    indexed = cmd("index", corpus)
    assert indexed.returncode == 0, indexed.stderr
    index_dir = home / ".local" / "share" / "fazhi-search" / "index"
    assert index_dir.is_dir() and str(index_dir) in indexed.stdout
    found = cmd("search", TERM, "--json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["total_paragraphs"] > 0
    assert cmd("stats").returncode == 0
    shown = cmd("config")
    assert f'index.path                   = "{index_dir}"  # built-in default' in shown.stdout
    package_root = Path(where.strip()).parent.parent
    assert not list(package_root.glob("var")) and not list(package_root.rglob("*.seg*"))
    assert not list(work.iterdir())  # nothing written in the working folder either
