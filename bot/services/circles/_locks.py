"""One asyncio lock per key (a message, a meeting), kept only while someone holds or awaits it."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class KeyedLocks:
    """Locks by key that are dropped once unused, so the table never outgrows what is in use."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._users: Counter[Hashable] = Counter()

    def locked(self, key: Hashable) -> bool:
        """Say whether someone holds the lock for this key."""
        lock = self._locks.get(key)
        return lock is not None and lock.locked()

    def any_locked(self) -> bool:
        """Say whether any lock is held."""
        return any(lock.locked() for lock in self._locks.values())

    def __len__(self) -> int:
        """Return how many keys have a lock in use."""
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        """Hold the key's lock (waiting for it), and drop it afterwards if nobody else wants it."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] += 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                del self._locks[key]
