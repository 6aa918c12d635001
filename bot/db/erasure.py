"""After Hearth erases what someone wrote, make sure the words leave the disk too.

Every SQLite connection runs with `secure_delete` on (bot/db/engine.py), so a deleted or
overwritten value is zeroed in the page that held it. In WAL mode the older version of that page
still sits in the write-ahead log until a checkpoint copies the log into the database; a
TRUNCATE checkpoint then empties the log file. `Erasure.settle()` runs one, through SQLAlchemy on
the driver's own thread (never on the event loop's), and retries while readers still hold old
snapshots. On PostgreSQL old row versions stay until VACUUM; nothing is done here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

# Waits between attempts while a reader still uses an older snapshot (busy): about 4 s in all.
RETRY_DELAYS = (0.0, 0.02, 0.1, 0.25, 0.5, 1.0, 2.0)


class Erasure:
    """Empties SQLite's write-ahead log after an erase, so erased words are on no page on disk."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        before: Callable[[], Awaitable[None]] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._engine = engine
        self._before = before
        self._sleep = sleep
        self._lock = asyncio.Lock()  # two checkpoints at once: one of them would be busy

    @property
    def applies(self) -> bool:
        """Return whether the database keeps a write-ahead log that this can empty."""
        return self._engine.dialect.name == "sqlite"

    async def settle(self) -> bool:
        """Fold the log into the database and truncate it; return whether that completed."""
        if not self.applies:
            return True
        async with self._lock:
            for delay in RETRY_DELAYS:
                if delay:
                    await self._sleep(delay)
                if self._before is not None:
                    await self._before()
                if await self._truncate():
                    return True
        log.warning("The write-ahead log could not be emptied yet; the next tidy will retry")
        return False

    async def _truncate(self) -> bool:
        try:
            async with self._engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                result = await autocommit.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                busy = result.one()[0]  # (busy, log frames, frames checkpointed)
        except OperationalError:  # "database is locked": another checkpoint or a writer
            return False
        return not busy
