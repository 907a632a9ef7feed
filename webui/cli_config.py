"""fazhi CLI command ``config``: the settings in force and where each came from."""

from __future__ import annotations

import json

import click

from indexer import CONFIG_ENV, INDEX_ENV, settings_table, user_config_file

from .cli import AppContext, index_option, pass_app


@click.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
@index_option
@pass_app
def config_command(app: AppContext, as_json: bool) -> None:
    """Print the settings in force, each with the file (or default) it came from."""
    settings = app.settings
    rows = settings_table(settings)
    if as_json:
        data = {
            "settings": {key: {"value": value, "origin": origin} for key, value, origin in rows},
            "files": [{"layer": layer, "path": str(path)} for layer, path in settings.config_files],
            "indexes": {
                ix.name: {"path": str(ix.path), "corpus": [str(p) for p in ix.corpus_paths]}
                for ix in settings.indexes
            },
            "index_name": settings.index_name,
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo("# config files read (later ones win):")
    for layer, path in settings.config_files or ():
        click.echo(f"#   {layer}: {path}")
    if not settings.config_files:
        click.echo("#   none: built-in defaults only")
    click.echo(f"# user config file: {user_config_file()}"
               f"{'' if user_config_file().is_file() else ' (absent)'}")
    click.echo(f"# also: ./config.toml, ${CONFIG_ENV}, --config; ${INDEX_ENV} or --index NAME|PATH")
    width = max(len(key) for key, _, _ in rows)
    for key, value, origin in rows:
        click.echo(f"{key:<{width}} = {value}  # {origin}")
    for ix in settings.indexes:
        mark = "  (in use)" if ix.name == settings.index_name else ""
        corpus = ", ".join(str(p) for p in ix.corpus_paths) or "no corpus (give PATH)"
        click.echo(f"index {ix.name}: {ix.path}; corpus {corpus}{mark}")


COMMANDS: list[click.Command] = [config_command]
