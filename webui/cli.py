"""The ``fazhi`` command: a thin click layer over ``indexer``'s public functions.

Commands live in small modules by concern (cli_ingest: inspect; cli_search: index, search, stats;
cli_serve: serve; cli_compare: compare, trend) and are registered here. Exit codes: 0 success, 2 bad usage or bad query,
1 failure.
"""

from __future__ import annotations

import logging
import sys

import click

from indexer import ConfigError, Settings, load_settings


class AppContext:
    """Carries the --config choice; settings are loaded once, on first use."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.config_path)
            except ConfigError as exc:
                raise click.UsageError(str(exc)) from exc
        return self._settings


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
    envvar="FAZHI_CONFIG",
    help="config.toml to use (default: the repo's; also $FAZHI_CONFIG).",
)
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """fazhi-search: full-text search of Chinese government reports."""
    ctx.obj = AppContext(config_path)


def _register() -> None:
    from . import cli_compare, cli_ingest, cli_search, cli_serve

    for module in (cli_ingest, cli_search, cli_serve, cli_compare):
        for command in module.COMMANDS:
            cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    _register()
    sys.exit(cli.main(standalone_mode=True))
