"""Error classes. User-fixable problems have their own classes with safe messages."""

from __future__ import annotations


class FazhiError(Exception):
    """Base class of every error fazhi-search raises on purpose."""


class ConfigError(FazhiError):
    """The configuration file is missing or invalid."""


class IngestError(FazhiError):
    """A file could not be read or parsed; ``reason`` says why in a few words."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class QueryError(FazhiError, ValueError):
    """The user's query or filters are invalid (HTTP 400, exit 2)."""


class IndexMissingError(FazhiError):
    """No index exists yet at the configured path."""


class IndexBusyError(FazhiError):
    """Another process is writing the index."""


class SchemaVersionError(FazhiError):
    """The index on disk was built by an incompatible version: rebuild it."""


class ReportNotFoundError(FazhiError, LookupError):
    """No report with that id is in the index."""


class IndexDamagedError(FazhiError):
    """A file of the index is missing, truncated or altered (its checksum or its structure
    says so): rebuild the index from the corpus."""

    def __init__(self, index_path: object, file: str, reason: str) -> None:
        super().__init__(
            f"the index at {index_path} is damaged ({file}: {reason}): run `fazhi index` to "
            "rebuild it from the corpus (or `fazhi index --rebuild`)"
        )
        self.index_path = index_path
        self.file = file
        self.reason = reason
