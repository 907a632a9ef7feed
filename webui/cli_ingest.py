"""fazhi CLI commands (ingest)."""

COMMANDS: list = []
