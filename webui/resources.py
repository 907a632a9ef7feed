"""Request-scoped access to the app's resources.

The engine keeps its own searcher open and refreshes it when ``fazhi index`` commits, so the web
layer holds no Whoosh object: a request needs only the Settings (one per app) and records when
it started, for the server-side time shown on the page.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, g

from indexer import Settings


def get_settings() -> Settings:
    """The Settings of the running app (given by ``test_config`` or loaded once at start)."""
    return current_app.config["SETTINGS"]


def request_elapsed_ms() -> float:
    """Milliseconds since this request started (server-side time of the page)."""
    started = g.get("started")
    return (time.perf_counter() - started) * 1000 if started is not None else 0.0


def _start_timer() -> None:
    g.started = time.perf_counter()


def _add_timing_header(response):  # noqa: ANN001, ANN202 - flask.Response
    # Server-Timing lets the browser's dev tools and the benchmark read the server-side time.
    response.headers["Server-Timing"] = f"app;dur={request_elapsed_ms():.1f}"
    return response


def init_app(app: Flask) -> None:
    """Register the per-request hooks on ``app``."""
    app.before_request(_start_timer)
    app.after_request(_add_timing_header)
