"""fazhi CLI commands (serve): the web UI under waitress, a production WSGI server."""

from __future__ import annotations

import errno
import socket
import sys

import click

from indexer import FazhiError, IndexMissingError, Settings, index_paths, index_stats, warm_up

from .cli import AppContext, index_option, pass_app, quiet_ingest_log
from .cli_skipped import echo_skipped, skipped_files


def ensure_index(settings: Settings) -> None:
    """Build the index from the configured corpus when there is none yet."""
    try:
        index_stats(settings)
        return
    except IndexMissingError:
        pass
    if not settings.corpus_paths:
        _fail(
            f"no index at {settings.index_path} and no corpus to build it from: run "
            "`fazhi index FOLDER` first, or set corpus.paths in a config file"
        )
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
@index_option
@pass_app
def serve(app_ctx: AppContext, host: str | None, port: int | None) -> None:
    """Serve the search UI with waitress (never Flask's debug server)."""
    from . import create_app
    from .server import is_loopback, make_server

    settings = app_ctx.settings
    host = host or settings.host
    port = settings.port if port is None else port
    app = create_app({"SETTINGS": settings, "DEBUG": False, "TESTING": False})
    app.debug = False  # FLASK_DEBUG in the environment must not turn the debugger on here
    try:  # a busy port is said at once, not after indexing (and said again if taken since)
        probe_port(host, port)
        ensure_index(settings)
        warm_up(settings)  # snapshot and jieba now, not on the first (fuzzy) query
        server = make_server(app, settings, host, port)
    except FazhiError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(bind_error(exc, host, port))
    if not is_loopback(host):
        click.echo(
            f"Warning: listening on {host}, reachable from other machines. The search UI has "
            "no authentication: anyone who can reach this port can read every indexed report.",
            err=True,
        )
    where = f"http://{'[' + host + ']' if ':' in host else host}:{server.effective_port}/"
    click.echo(f"fazhi-search: serving {where} (Ctrl-C to stop)", err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def probe_port(host: str, port: int) -> None:
    """OSError now if ``host:port`` cannot be listened on (clients must not wait on a bound
    socket while the index is built, so the real server binds after indexing)."""
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
        return


def bind_error(exc: OSError, host: str, port: int) -> str:
    """One line saying why the server could not listen on host:port, and what to try."""
    if exc.errno == errno.EADDRINUSE:
        return (f"port {port} on {host} is already in use (another fazhi serve?); "
                f"try another one, e.g. `fazhi serve --port {port + 1}`")
    if exc.errno == errno.EACCES:
        return (f"not allowed to listen on {host}:{port} (ports below 1024 need privileges); "
                f"try `fazhi serve --port 8000`")
    if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        return f"cannot listen on {host}: no such address on this machine; try --host 127.0.0.1"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


COMMANDS: list[click.Command] = [serve]
