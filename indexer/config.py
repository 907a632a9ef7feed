"""Settings: every key declared once (name, default, help), loaded once from ``config.toml``."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from .errors import ConfigError

CONFIG_ENV = "FAZHI_CONFIG"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.toml"


@dataclass(frozen=True, slots=True)
class Settings:
    """All settings of fazhi-search; paths are absolute once loaded."""

    corpus_paths: tuple[Path, ...] = field(
        default=(PROJECT_ROOT / "seeds",),
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
        default=PROJECT_ROOT / "var" / "index",
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
    config_path: Path | None = field(
        default=None, metadata={"key": None, "help": "the file these settings came from"}
    )

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def worker_procs(self) -> int:
        return self.procs if self.procs > 0 else (os.cpu_count() or 1)

    def replace(self, **changes: object) -> "Settings":
        """A copy with some settings changed (paths given relative to the cwd)."""
        from dataclasses import replace

        return replace(self, **changes)


_PATH_FIELDS = {"index_path"}
_PATH_TUPLE_FIELDS = {"corpus_paths"}


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Load settings from PATH, else ``$FAZHI_CONFIG``, else the repo's ``config.toml``."""
    chosen = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG).expanduser()
    if not chosen.is_file():
        raise ConfigError(f"config file not found: {chosen}")
    try:
        data = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {chosen} is not valid TOML: {exc}") from exc
    base = chosen.resolve().parent
    values: dict[str, object] = {"config_path": chosen.resolve()}
    known: set[str] = set()
    for f in fields(Settings):
        key = f.metadata.get("key")
        if not key:
            continue
        known.add(key)
        section, name = key.split(".")
        if name not in data.get(section, {}):
            continue
        values[f.name] = _coerce(f.name, data[section][name], base, key)
    unknown = {
        f"{section}.{name}"
        for section, table in data.items()
        if isinstance(table, dict)
        for name in table
    } - known
    if unknown:
        raise ConfigError(f"unknown setting(s) in {chosen}: {', '.join(sorted(unknown))}")
    return Settings(**values)  # type: ignore[arg-type]


def _coerce(name: str, value: object, base: Path, key: str) -> object:
    default = next(f.default for f in fields(Settings) if f.name == name)
    if name in _PATH_FIELDS:
        if not isinstance(value, str):
            raise ConfigError(f"{key} must be a path string")
        return (base / value).resolve()
    if name in _PATH_TUPLE_FIELDS or name in ("extra_words", "exclude"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{key} must be a list of strings")
        if name in _PATH_TUPLE_FIELDS:
            return tuple((base / v).resolve() for v in value)
        return tuple(value)
    expected = type(default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, expected) or isinstance(value, bool) != isinstance(default, bool):
        raise ConfigError(f"{key} must be of type {expected.__name__}")
    return value
