"""An in-memory limiter that remembers who asked only under a keyed hash, and only briefly."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from bot.clock import Clock


class ForgetfulLimiter:
    """Remembers, in memory only and under a keyed hash, who did something recently.

    Used for anonymous check-in requests: nothing about the person is ever written to the
    database or a log. The key is random per process and never stored, entries vanish once
    their window has passed, and a restart forgets everything (the per-server cap, which is
    stored, still bounds the alerts channel across restarts). Its size is bounded by the
    people who asked within one window.
    """

    def __init__(self, clock: Clock, window: timedelta) -> None:
        self._clock = clock
        self._window = window
        self._key = secrets.token_bytes(32)
        self._seen: dict[bytes, datetime] = {}

    def _tag(self, *parts: int) -> bytes:
        message = ":".join(str(part) for part in parts).encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def _prune(self, now: datetime) -> None:
        expired = [tag for tag, at in self._seen.items() if now - at >= self._window]
        for tag in expired:
            del self._seen[tag]

    def take(self, *parts: int) -> bool:
        """Record an attempt; return False if the same parts tried within the window."""
        now = self._clock.now()
        self._prune(now)
        tag = self._tag(*parts)
        if tag in self._seen:
            return False
        self._seen[tag] = now
        return True

    def give_back(self, *parts: int) -> None:
        """Forget an attempt that did not go through."""
        self._seen.pop(self._tag(*parts), None)

    def __len__(self) -> int:
        return len(self._seen)
