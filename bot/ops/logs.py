"""Logging as text or as JSON lines (LOG_FORMAT), with the same rule for both.

Log records never carry the token, what members wrote, or who wrote an anonymous post: the
code that logs keeps to that (ids of servers and check-ins, counts and error codes only), and
discord.py's raw traffic (which names who pressed what) is kept above DEBUG.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and the error if any."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one line of JSON."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: int, log_format: str = "text") -> None:
    """Log at `level` as text or JSON; keep the libraries' chatty or identifying loggers down."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("discord.http").setLevel(max(level, logging.INFO))
    # At DEBUG discord.py logs every gateway event, including who pressed a button: that would
    # name the author of an anonymous request. Keep it at INFO or above.
    logging.getLogger("discord.gateway").setLevel(max(level, logging.INFO))
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
