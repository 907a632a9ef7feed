"""fazhi CLI commands (serve): the web UI under waitress, a production WSGI server."""

from __future__ import annotations

import click

from indexer import IndexMissingError, Settings, index_paths, index_stats, warm_up

from .cli import AppContext, pass_app, quiet_ingest_log
from .cli_skipped import echo_skipped, skipped_files


def ensure_index(settings: Settings) -> None:
    """Build the index from the configured corpus when there is none yet."""
    try:
        index_stats(settings)
        return
    except IndexMissingError:
        pass
    roots = ", ".join(str(p) for p in settings.corpus_paths)
    click.echo(f"no index at {settings.index_path}: indexing {roots} first", err=True)
    quiet_ingest_log()
    summary = index_paths(settings, progress=True)
    click.echo(
        f"indexed {len(summary.indexed)} reports ({summary.paragraphs} paragraphs), "
        f"skipped {len(skipped_files(summary.skipped))}",
        err=True,
    )
    echo_skipped(summary.skipped)


@click.command("serve")
@click.option("--host", default=None, help="Address to bind (default: server.host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (default 8000).")
@pass_app
def serve(app_ctx: AppContext, host: str | None, port: int | None) -> None:
    """Serve the search UI with waitress (never Flask's debug server)."""
    from waitress import serve as waitress_serve

    from . import create_app

    settings = app_ctx.settings
    ensure_index(settings)
    warm_up(settings)  # snapshot and jieba now, not on the first (fuzzy) query
    app = create_app({"SETTINGS": settings, "DEBUG": False, "TESTING": False})
    app.debug = False  # FLASK_DEBUG in the environment must not turn the debugger on here
    host = host or settings.host
    port = settings.port if port is None else port
    click.echo(f"fazhi-search: serving http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    waitress_serve(app, host=host, port=port, threads=settings.threads)


COMMANDS: list[click.Command] = [serve]
