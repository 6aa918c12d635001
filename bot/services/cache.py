"""A small in-memory cache of values read from the database, for the hottest read paths.

Rules that keep it correct:

- this process forgets a key (`forget`) right after committing any change to what it holds,
  so here a change is seen at once;
- a read that started before such a change can never store what it read (`generation` is
  taken before reading and `put` refuses when it moved), so a stale value cannot come back;
- every value is dropped at the latest `ttl` seconds after it was read: that is how long a
  change made by *another* process (several bots on one PostgreSQL database) may go unseen.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TimedCache(Generic[K, V]):
    """Values by key, each kept at most `ttl` seconds and forgotten when this process changes it."""

    def __init__(self, ttl: float, now: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._now = now
        self._values: dict[K, tuple[float, V]] = {}
        self._generations: dict[K, int] = {}
        self._epoch = 0  # moved by clear()

    def get(self, key: K) -> V | None:
        """Return the value, or None when it is unknown or too old."""
        found = self._values.get(key)
        if found is None:
            return None
        expires, value = found
        if self._now() >= expires:
            del self._values[key]
            return None
        return value

    def generation(self, key: K) -> tuple[int, int]:
        """Return the key's generation: take it before reading what `put` will store."""
        return self._epoch, self._generations.get(key, 0)

    def put(self, key: K, value: V, generation: tuple[int, int]) -> None:
        """Store a value read after `generation` was taken, unless the key changed since."""
        if self.generation(key) == generation:
            self._values[key] = (self._now() + self.ttl, value)

    def replace(self, key: K, value: V, generation: tuple[int, int]) -> None:
        """Update a value still held (with this process's own additions), keeping its age.

        Unlike `put`, this never makes a value look freshly read: it is dropped when it was
        first due to be, whatever was added to it since.
        """
        found = self._values.get(key)
        if found is not None and self.generation(key) == generation:
            self._values[key] = (found[0], value)

    def forget(self, key: K) -> None:
        """Drop the key's value; reads already under way will not store theirs."""
        self._values.pop(key, None)
        self._generations[key] = self._generations.get(key, 0) + 1

    def clear(self) -> None:
        """Drop every value (reads under way will not store theirs)."""
        self._values.clear()
        self._generations.clear()
        self._epoch += 1
