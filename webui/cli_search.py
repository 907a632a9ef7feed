"""fazhi CLI commands (search)."""

COMMANDS: list = []
