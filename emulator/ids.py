"""Snowflake ids and timestamps shaped like Discord's."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from emulator.errors import EmulatorUsageError

DISCORD_EPOCH_MS = 1_420_070_400_000

Now = Callable[[], dt.datetime]
"""A source of the current aware UTC time (the emulator's clock)."""


class SnowflakeFactory:
    """Hand out increasing snowflakes whose timestamp part is the clock's current time."""

    def __init__(self, now: Now | None = None) -> None:
        self._now = now or utcnow
        self._last = 0

    def next(self) -> int:
        """Return a new snowflake, strictly larger than every earlier one."""
        candidate = (int(self._now().timestamp() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last

    def skip_past(self, snowflake: int) -> None:
        """Never hand out `snowflake` or anything below it (after restoring a saved world)."""
        self._last = max(self._last, snowflake)


def utcnow() -> dt.datetime:
    """Return the current aware UTC time."""
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime | None = None) -> str:
    """Format a time the way Discord does (ISO 8601 with offset)."""
    return (moment or utcnow()).isoformat()


def parse_iso(value: str) -> dt.datetime:
    """Parse an ISO 8601 timestamp; naive values are taken as UTC."""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def new_token(prefix: str = "") -> str:
    """Return a random url-safe token."""
    return prefix + secrets.token_urlsafe(24)


def as_id(value: Any, what: str = "id") -> int:
    """Accept an int, a digit string, an object with .id or a dict with "id" (not a bool)."""
    if isinstance(value, bool):
        raise EmulatorUsageError(f"{what}: expected an id, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    found = getattr(value, "id", None)
    if isinstance(found, int):
        return found
    if isinstance(value, Mapping) and "id" in value:
        return int(value["id"])
    raise EmulatorUsageError(f"{what}: expected an id or object with .id, got {value!r}")
