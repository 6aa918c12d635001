"""Discord's refusals are operating conditions, not bugs: one log line, no traceback.

A 403 (50001 Missing Access, 50013 Missing Permissions, 50007 a member's closed DMs) or a 404
10003 (the channel was deleted) means a moderator has something to change; a traceback is for
bugs. Read from discord.py's HTTPException by its public attributes (status, code, response),
so the services that log can stay free of discord.
"""

from __future__ import annotations

import logging
import re
from typing import Any

EXPECTED = {
    (403, 50001): "Missing Access",
    (403, 50013): "Missing Permissions",
    (403, 50007): "Cannot send messages to this user",
    (404, 10003): "Unknown Channel",
}
_SNOWFLAKE = re.compile(r"\d{5,}")


def refusal(error: BaseException) -> str | None:
    """Describe an expected refusal as "403 50013 Missing Permissions on POST /channels/{id}/
    messages"; None when the error is not one (a bug, or a fault worth its traceback)."""
    status, code = getattr(error, "status", None), getattr(error, "code", None)
    meaning = EXPECTED.get((status, code))  # type: ignore[arg-type]
    if meaning is None:
        return None
    response: Any = getattr(error, "response", None)
    method = getattr(response, "method", None) or "?"
    path = getattr(getattr(response, "url", None), "path", None) or "?"
    return f"{status} {code} {meaning} on {method} {_SNOWFLAKE.sub('{id}', path)}"


def log_failure(
    logger: logging.Logger, level: int, message: str, *args: object, error: BaseException
) -> None:
    """Log a failure: a refusal as one warning line, anything else at `level` with its traceback."""
    said = refusal(error)
    if said is not None:
        logger.warning(message + " (Discord refused: %s)", *args, said)
    else:
        logger.log(level, message, *args, exc_info=error)
