"""Settings: every key declared once (name, default, help), loaded in layers.

Built-in defaults are overridden, key by key and in this order, by the user config file
(platformdirs' user config dir, e.g. ``~/.config/fazhi-search/config.toml``), ``./config.toml``
in the working directory, the file named by ``$FAZHI_CONFIG`` and the file given with
``--config``. Relative paths in a file are relative to that file. The default index lives in the
user data dir (``~/.local/share/fazhi-search/index``), never inside the installed package.
``Settings.origins`` records where each key's value came from (``fazhi config`` prints it).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from .errors import ConfigError

APP_NAME = "fazhi-search"
CONFIG_ENV = "FAZHI_CONFIG"
INDEX_ENV = "FAZHI_INDEX"
LOCAL_CONFIG_NAME = "config.toml"
DEFAULT_ORIGIN = "built-in default"


def user_config_file() -> Path:
    """The per-user config file (it need not exist)."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "config.toml"


def default_index_path() -> Path:
    """Where the index lives when no config file says otherwise: the user data dir."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "index"


@dataclass(frozen=True, slots=True)
class NamedIndex:
    """A corpus kept apart from the default one (``[indexes.NAME]`` in a config file)."""

    name: str
    path: Path
    corpus_paths: tuple[Path, ...] = ()
    origin: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    """All settings of fazhi-search; paths are absolute once loaded."""

    corpus_paths: tuple[Path, ...] = field(
        default=(),
        metadata={"key": "corpus.paths", "help": "folders or files indexed when no PATH is given"},
    )
    max_file_mb: float = field(
        default=20, metadata={"key": "corpus.max_file_mb", "help": "larger files are skipped"}
    )
    max_paragraph_chars: int = field(
        default=5000,
        metadata={"key": "corpus.max_paragraph_chars",
                  "help": "longer paragraphs are split at sentence ends (0 = no cap)"},
    )
    exclude: tuple[str, ...] = field(
        default=(),
        metadata={"key": "corpus.exclude", "help": "glob patterns of files/folders not indexed"},
    )
    follow_external_links: bool = field(
        default=False,
        metadata={"key": "corpus.follow_external_links",
                  "help": "follow symbolic links that lead outside the corpus folder"},
    )
    index_path: Path = field(
        default_factory=default_index_path,
        metadata={"key": "index.path", "help": "where the Whoosh index lives"},
    )
    writer_limitmb: int = field(
        default=256, metadata={"key": "index.writer_limitmb", "help": "memory per writer (MB)"}
    )
    procs: int = field(
        default=0, metadata={"key": "index.procs", "help": "tokenising processes (0 = cores)"}
    )
    extra_words: tuple[str, ...] = field(
        default=(), metadata={"key": "analysis.extra_words", "help": "extra jieba words"}
    )
    max_query_length: int = field(
        default=500, metadata={"key": "search.max_query_length", "help": "longest query"}
    )
    page_size: int = field(
        default=20, metadata={"key": "search.page_size", "help": "reports (or hits) per page"}
    )
    paragraphs_per_report: int = field(
        default=3,
        metadata={"key": "search.paragraphs_per_report", "help": "hits shown per report"},
    )
    facet_size: int = field(
        default=50, metadata={"key": "search.facet_size", "help": "values listed per facet"}
    )
    host: str = field(default="127.0.0.1", metadata={"key": "server.host", "help": "bind address"})
    port: int = field(default=8000, metadata={"key": "server.port", "help": "bind port"})
    threads: int = field(default=4, metadata={"key": "server.threads", "help": "server threads"})
    connection_limit: int = field(
        default=500,
        metadata={"key": "server.connection_limit", "help": "open connections accepted at once"},
    )
    channel_timeout: int = field(
        default=30,
        metadata={"key": "server.channel_timeout", "help": "seconds before an idle connection closes"},
    )
    config_path: Path | None = field(
        default=None, metadata={"key": None, "help": "the highest-priority file read"}
    )
    config_files: tuple[tuple[str, Path], ...] = field(
        default=(), metadata={"key": None, "help": "(layer, file) read, lowest priority first"}
    )
    origins: tuple[tuple[str, str], ...] = field(
        default=(), metadata={"key": None, "help": "(key, where its value came from)"}
    )
    indexes: tuple[NamedIndex, ...] = field(
        default=(), metadata={"key": None, "help": "named indexes ([indexes.NAME])"}
    )
    index_name: str | None = field(
        default=None, metadata={"key": None, "help": "the named index in use, if any"}
    )

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def worker_procs(self) -> int:
        return self.procs if self.procs > 0 else (os.cpu_count() or 1)

    def replace(self, **changes: object) -> "Settings":
        """A copy with some settings changed (paths given relative to the cwd)."""
        return replace(self, **changes)

    def origin(self, key: str) -> str:
        """Where the value of ``key`` (e.g. ``index.path``) came from."""
        return dict(self.origins).get(key, DEFAULT_ORIGIN)

    def with_index(self, choice: str, origin: str = "--index") -> "Settings":
        """These settings on another index: a name from ``[indexes.NAME]`` or a folder path."""
        named = {ix.name: ix for ix in self.indexes}
        origins = dict(self.origins)
        if choice in named:
            ix = named[choice]
            origins["index.path"] = f"{origin} {choice} ({ix.origin})"
            origins["corpus.paths"] = origins["index.path"]
            return replace(
                self,
                index_path=ix.path,
                corpus_paths=ix.corpus_paths,
                index_name=choice,
                origins=tuple(origins.items()),
            )
        if os.sep not in choice and "/" not in choice and not Path(choice).exists():
            known = ", ".join(sorted(named)) or "none configured"
            raise ConfigError(
                f"no index named {choice!r} (named indexes: {known}); "
                f"give a folder path such as ./{choice} to use a folder"
            )
        origins["index.path"] = origin
        path = Path(choice).expanduser().resolve()
        return replace(self, index_path=path, index_name=None, origins=tuple(origins.items()))


KEYED_FIELDS = tuple(f for f in fields(Settings) if f.metadata.get("key"))
_PATH_FIELDS = {"index_path"}
_PATH_TUPLE_FIELDS = {"corpus_paths"}


def config_layers(path: str | os.PathLike[str] | None = None) -> list[tuple[str, Path]]:
    """The config files that apply, lowest priority first, as (layer name, file)."""
    layers: list[tuple[str, Path]] = []
    user_file = user_config_file()
    if user_file.is_file():
        layers.append(("user config", user_file))
    local = Path.cwd() / LOCAL_CONFIG_NAME
    if local.is_file():
        layers.append(("./config.toml", local))
    env = os.environ.get(CONFIG_ENV)
    if env:
        layers.append((f"${CONFIG_ENV}", _existing(Path(env).expanduser(), f"${CONFIG_ENV}")))
    if path:
        layers.append(("--config", _existing(Path(path).expanduser(), "--config")))
    # The same file in two layers counts once, at its higher priority.
    resolved = [file.resolve() for _, file in layers]
    return [item for i, item in enumerate(layers) if resolved[i] not in resolved[i + 1 :]]


def _existing(path: Path, layer: str) -> Path:
    if not path.is_file():
        raise ConfigError(f"config file not found: {path} (from {layer})")
    return path


def load_settings(
    path: str | os.PathLike[str] | None = None, *, index: str | None = None
) -> Settings:
    """Settings from the defaults and every config layer (see the module docstring); ``path``
    is the ``--config`` file, ``index`` the ``--index`` choice (else ``$FAZHI_INDEX``)."""
    values: dict[str, object] = {}
    origins: dict[str, str] = {}
    named: dict[str, NamedIndex] = {}
    layers = config_layers(path)
    for layer, file in layers:
        label = f"{layer} {file}"
        data = _read_toml(file)
        base = file.resolve().parent
        for name, value in _layer_values(data, base, file).items():
            values[name] = value
            origins[_key_of(name)] = label
        named.update(_named_indexes(data.get("indexes", {}), base, file, label))
    settings = Settings(
        **values,  # type: ignore[arg-type]
        config_path=layers[-1][1].resolve() if layers else None,
        config_files=tuple((layer, file.resolve()) for layer, file in layers),
        origins=tuple(origins.items()),
        indexes=tuple(named.values()),
    )
    if index:
        return settings.with_index(index, "--index")
    if os.environ.get(INDEX_ENV):
        return settings.with_index(os.environ[INDEX_ENV], f"${INDEX_ENV}")
    return settings


def _key_of(name: str) -> str:
    return next(f.metadata["key"] for f in KEYED_FIELDS if f.name == name)


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {file} is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"config file {file} cannot be read: {exc.strerror}") from exc


def _layer_values(data: dict[str, Any], base: Path, file: Path) -> dict[str, object]:
    """The settings one file gives (field name -> coerced value); unknown keys refused."""
    values: dict[str, object] = {}
    known: set[str] = set()
    for f in KEYED_FIELDS:
        key = f.metadata["key"]
        known.add(key)
        section, name = key.split(".")
        table = data.get(section, {})
        if isinstance(table, dict) and name in table:
            values[f.name] = _coerce(f.name, table[name], base, key)
    unknown = {
        f"{section}.{name}"
        for section, table in data.items()
        if isinstance(table, dict) and section != "indexes"
        for name in table
    } - known
    unknown |= {s for s, v in data.items() if not isinstance(v, dict)}
    if unknown:
        raise ConfigError(f"unknown setting(s) in {file}: {', '.join(sorted(unknown))}")
    return values


def _named_indexes(
    table: object, base: Path, file: Path, label: str
) -> dict[str, NamedIndex]:
    """``[indexes.NAME]`` tables: ``path`` (required) and ``corpus`` (list of folders)."""
    if not isinstance(table, dict):
        raise ConfigError(f"indexes in {file} must be tables such as [indexes.laws]")
    out: dict[str, NamedIndex] = {}
    for name, spec in table.items():
        where = f"indexes.{name} in {file}"
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            raise ConfigError(f"{where} needs path = \"FOLDER\"")
        extra = set(spec) - {"path", "corpus"}
        if extra:
            raise ConfigError(f"unknown key(s) {', '.join(sorted(extra))} in {where}")
        corpus = spec.get("corpus", [])
        if not isinstance(corpus, list) or not all(isinstance(c, str) for c in corpus):
            raise ConfigError(f"corpus of {where} must be a list of strings")
        out[name] = NamedIndex(
            name=name,
            path=(base / spec["path"]).resolve(),
            corpus_paths=tuple((base / c).resolve() for c in corpus),
            origin=label,
        )
    return out


def _coerce(name: str, value: object, base: Path, key: str) -> object:
    if name in _PATH_FIELDS:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{key} must be a path string")
        return (base / Path(value).expanduser()).resolve()
    if name in _PATH_TUPLE_FIELDS or name in ("extra_words", "exclude"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{key} must be a list of strings")
        if name in _PATH_TUPLE_FIELDS:
            return tuple((base / Path(v).expanduser()).resolve() for v in value)
        return tuple(value)
    default = next(f.default for f in KEYED_FIELDS if f.name == name)
    expected = type(default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, expected) or isinstance(value, bool) != isinstance(default, bool):
        raise ConfigError(f"{key} must be of type {expected.__name__}")
    if expected in (int, float) and value < 0:
        raise ConfigError(f"{key} must not be negative")
    return value


def settings_table(settings: Settings) -> list[tuple[str, str, str]]:
    """(key, value as TOML would write it, origin) for every setting: what ``fazhi config``
    prints."""
    rows = []
    for f in KEYED_FIELDS:
        value = getattr(settings, f.name)
        if isinstance(value, tuple):
            shown = "[" + ", ".join(f'"{v}"' for v in value) + "]"
        elif isinstance(value, (str, Path)):
            shown = f'"{value}"'
        else:
            shown = str(value)
        rows.append((f.metadata["key"], shown, settings.origin(f.metadata["key"])))
    return rows
