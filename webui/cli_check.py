"""fazhi CLI command (index upkeep): ``fazhi check [--json]``.

Verifies every file of the index against its checksums and structure; exit 0 when sound, 1
with one line per bad file (the file, what is wrong, the fix) otherwise.
"""

from __future__ import annotations

import json
import sys

import click

from indexer import FazhiError, check_index

from .cli import AppContext, index_option, pass_app


@click.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@index_option
@pass_app
def check_command(app: AppContext, as_json: bool) -> None:
    """Verify the whole index (checksums of every file); name each bad file and its fix."""
    settings = app.settings
    try:
        found = check_index(settings)
    except FazhiError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps({
            "index_path": found.path, "sound": found.sound, "generation": found.generation,
            "files_checked": found.files_checked, "bytes_checked": found.bytes_checked,
            "problems": [{"file": p.file, "problem": p.problem, "fix": p.fix,
                          "rebuild": p.rebuild} for p in found.problems],
            "leftovers": list(found.leftovers), "elapsed_s": round(found.elapsed_s, 3),
        }, ensure_ascii=False))
        sys.exit(0 if found.sound else 1)
    for problem in found.problems:
        click.echo(f"{found.path}/{problem.line()}")
    for name in found.leftovers:
        click.echo(f"  note: {name} is a leftover of an interrupted or cancelled writer "
                   "(the next `fazhi index` removes it)", err=True)
    if not found.sound:
        sys.exit(1)
    click.echo(f"index sound: {found.files_checked} files ({found.bytes_checked / 1e6:.1f} MB) "
               f"of generation {found.generation} match their checksums "
               f"({found.elapsed_s:.2f}s) -> {found.path}")


COMMANDS: list[click.Command] = [check_command]
