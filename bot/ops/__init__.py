"""What an operator needs around Hearth: health and metrics over HTTP, structured logs, backups."""
