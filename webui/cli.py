"""The ``fazhi`` command: a thin click layer over ``indexer``'s public functions.

Commands live in small modules by concern (cli_config: config; cli_ingest: inspect;
cli_search: index, search, stats; cli_serve: serve; cli_compare: compare, trend) and are
registered here. Exit codes: 0 success, 2 bad usage or bad query, 1 failure.
"""

from __future__ import annotations

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    from . import cli_compare, cli_config, cli_ingest, cli_search, cli_serve

    for module in (cli_config, cli_ingest, cli_search, cli_serve, cli_compare):
        for command in module.COMMANDS:
            cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    _register()
    sys.exit(cli.main(standalone_mode=True))
