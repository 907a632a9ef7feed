"""The one-way data flow the project promises, read from the source's imports.

Front ends (``webui``: the CLI and the Flask app) use only what ``indexer/__init__.py``
exports; nothing in ``indexer`` imports Flask or the front ends; the read side of the engine
never imports the writer, so a search process cannot start writing an index.
"""

from __future__ import annotations

import ast
from pathlib import Path

import indexer

ROOT = Path(__file__).resolve().parent.parent
WRITER_MODULES = {"index", "whoosh_writer", "segment_upkeep", "documents", "pipeline"}
READ_ENTRY = "searching"


def _imports(path: Path) -> list[tuple[str, tuple[str, ...], int]]:
    """(module, imported names, level) for every import statement of ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, (), 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = tuple(alias.name for alias in node.names)
            found.append((node.module or "", names, node.level))
    return found


def test_front_ends_use_only_the_public_names_of_indexer():
    offences = []
    for path in sorted((ROOT / "webui").glob("*.py")):
        for module, names, level in _imports(path):
            if level == 0 and module.startswith("indexer."):
                offences.append(f"{path.name}: imports {module}")
            if level == 0 and module == "indexer":
                offences += [f"{path.name}: indexer.{name} is not exported"
                             for name in names if name not in indexer.__all__]
    assert offences == []


def test_every_exported_name_resolves():
    missing = [name for name in indexer.__all__ if not hasattr(indexer, name)]
    assert missing == []


def test_the_engine_imports_no_front_end():
    offences = [
        f"{path.name}: imports {module}"
        for path in sorted((ROOT / "indexer").glob("*.py"))
        for module, _names, level in _imports(path)
        if level == 0 and module.split(".")[0] in {"flask", "webui", "waitress", "jinja2"}
    ]
    assert offences == []


def _engine_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in (ROOT / "indexer").glob("*.py"):
        targets = set()
        for module, names, level in _imports(path):
            if level == 1 and module:
                targets.add(module.split(".")[0])
            elif level == 1:  # from . import x
                targets.update(names)
            elif level == 0 and module.startswith("indexer."):
                targets.add(module.split(".")[1])
        graph[path.stem] = targets
    return graph


def test_the_search_side_never_imports_the_writer():
    graph = _engine_graph()
    seen, todo = set(), [READ_ENTRY]
    while todo:
        name = todo.pop()
        if name in seen or name not in graph:
            continue
        seen.add(name)
        todo.extend(graph[name])
    assert seen & WRITER_MODULES == set()
