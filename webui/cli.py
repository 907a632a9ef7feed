"""The ``fazhi`` command: a thin click layer over ``indexer``'s public functions.

Commands live in small modules by concern (cli_config: config; cli_ingest: inspect;
cli_search: index, search, stats; cli_check: check; cli_serve: serve; cli_compare: compare,
trend) and are registered here. Exit codes: 0 success, 2 bad usage or bad query, 1 failure.
An unexpected error is one line, not a traceback, when the index turns out to be damaged or
the system refused a file operation (a full disk, a folder that cannot be written).
"""

from __future__ import annotations

import errno
import logging
import sys

import click

from indexer import ConfigError, Settings, load_settings


class AppContext:
    """Carries the --config and --index choices; settings are loaded once, on first use."""

    def __init__(self, config_path: str | None, index: str | None = None) -> None:
        self.config_path = config_path
        self.index = index
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.config_path, index=self.index)
            except ConfigError as exc:
                raise click.UsageError(str(exc)) from exc
        return self._settings


def _set_index(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(AppContext).index = value


def index_option(command: click.Command) -> click.Command:
    """``--index NAME|PATH`` on a command (the same as before the command name)."""
    return click.option(
        "--index",
        "index_choice",
        metavar="NAME|PATH",
        expose_value=False,
        callback=_set_index,
        is_eager=True,
        help="Use a named index from the config ([indexes.NAME]) or the index folder PATH.",
    )(command)


pass_app = click.make_pass_decorator(AppContext)


def quiet_ingest_log() -> None:
    """Commands that list skipped files in their own summary keep the ingest logger from
    printing each of them a second time."""
    logger = logging.getLogger("indexer.ingest")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False


class FazhiGroup(click.Group):
    """The command group; what a command did not expect is said in one line when the index
    is damaged (``find_index_damage``) or the operating system refused a file operation."""

    def invoke(self, ctx: click.Context):  # noqa: ANN201
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - said in one line, or re-raised
            message = _unexpected(ctx, exc)
            if message is None:
                raise
            click.echo(f"Error: {message}", err=True)
            sys.exit(1)


def _unexpected(ctx: click.Context, exc: Exception) -> str | None:
    from indexer import find_index_damage

    app = ctx.find_object(AppContext)
    if app is not None and app._settings is not None:
        damage = find_index_damage(app._settings)
        if damage is not None:
            return str(damage)
    if isinstance(exc, OSError) and exc.strerror:
        return os_error_message(exc)
    return None


def os_error_message(exc: OSError) -> str:
    """One line for a refused file operation: what and where, and what to do."""
    where = f" ({exc.filename})" if exc.filename else ""
    hints = {
        errno.ENOSPC: "free some space and run the command again",
        errno.EDQUOT: "free some space and run the command again",
        errno.EACCES: "check the folder's permissions, or use another one with --index PATH",
        errno.EPERM: "check the folder's permissions, or use another one with --index PATH",
        errno.EROFS: "the file system is read-only: use another folder with --index PATH",
    }
    hint = hints.get(exc.errno or 0, "check the disk and the path")
    return f"{exc.strerror}{where}: {hint}"


@click.group(cls=FazhiGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="A config file read last, over the user config, ./config.toml and $FAZHI_CONFIG.",
)
@click.option(
    "--index",
    "index_choice",
    metavar="NAME|PATH",
    help="A named index from the config ([indexes.NAME]) or an index folder (also $FAZHI_INDEX).",
)
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, index_choice: str | None) -> None:
    """fazhi-search: full-text search of Chinese government reports.

    Settings come from built-in defaults, then the user config file, ./config.toml,
    $FAZHI_CONFIG and --config (later ones win); `fazhi config` shows them.
    """
    ctx.obj = AppContext(config_path, index_choice)


def _register() -> None:
    from . import cli_check, cli_compare, cli_config, cli_ingest, cli_search, cli_serve

    for module in (cli_config, cli_ingest, cli_search, cli_check, cli_serve, cli_compare):
        for command in module.COMMANDS:
            cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    _register()
    sys.exit(cli.main(standalone_mode=True))
