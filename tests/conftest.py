"""Shared pytest set-up. Fixtures live in per-area plugin modules, listed here."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["fixtures_ingest", "fixtures_search", "fixtures_web", "fixtures_compare"]

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
