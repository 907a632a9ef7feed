"""Shared pytest set-up. Fixtures live in per-area plugin modules, listed here."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["fixtures_ingest", "fixtures_search", "fixtures_web", "fixtures_compare"]


def pytest_configure(config: pytest.Config) -> None:
    """The developer's own user config file and data dir stay out of the tests (and out of
    the commands the tests run): platformdirs follows these variables on Linux."""
    import os
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="fazhi-test-home-"))
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    os.environ.pop("FAZHI_CONFIG", None)
    os.environ.pop("FAZHI_INDEX", None)

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"
SHARED_DIR = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS_DIR


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout; tests that need it skip cleanly when it is absent."""
    if not SHARED_DIR.is_dir():
        pytest.skip("../shared is not beside this checkout")
    return SHARED_DIR
