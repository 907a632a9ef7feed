"""fazhi CLI commands (serve)."""

COMMANDS: list = []
