"""The sandbox's clock: the system's time plus an offset that "skip ahead" grows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SandboxClock:
    """Hearth's clock in the sandbox, shared with the emulator so both agree on "now"."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        if offset < timedelta(0):
            raise ValueError("the sandbox's clock never runs behind the system's")
        self._offset = offset

    def now(self) -> datetime:
        """Return the sandbox's current time (aware, UTC)."""
        return datetime.now(UTC) + self._offset

    @property
    def offset(self) -> timedelta:
        """Return how far the sandbox runs ahead of the system clock."""
        return self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move the sandbox's time forward by `delta` and return the new time."""
        if delta < timedelta(0):
            raise ValueError("time in the sandbox only moves forward")
        self._offset += delta
        return self.now()


def describe_offset(offset: timedelta) -> str:
    """Say in words how far ahead the sandbox runs ("3 days 2 hours ahead"), or ""."""
    minutes = int(offset.total_seconds() // 60)
    if minutes <= 0:
        return ""
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{count} {unit}{'' if count == 1 or unit == 'min' else 's'}"
        for count, unit in ((days, "day"), (hours, "hour"), (minutes, "min"))
        if count
    ]
    return f"{' '.join(parts[:2])} ahead"
