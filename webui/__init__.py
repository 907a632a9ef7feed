"""fazhi-search web UI (Flask). ``create_app`` is the application factory.

Flask is imported lazily so that the CLI's non-web commands start fast.
"""

from __future__ import annotations

from typing import Any


def create_app(test_config: dict[str, Any] | None = None):  # noqa: ANN201 - Flask imported lazily
    """Build the Flask app; ``test_config`` overrides settings (e.g. {"SETTINGS": Settings})."""
    from .app import create_app as _create_app

    return _create_app(test_config)
