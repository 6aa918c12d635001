"""A writing connection kept open for one hot path, used by one unit of work at a time.

Checking a connection out of the pool, wrapping it in a Session and handing it back costs more
than a small unit of work's own SQL: about 0.45 ms of a 0.7 ms one-insert unit on the
benchmark machine, against 0.25 ms on a connection kept open (`bench/checkins.py`, README).
A hot path (storing a check-in) therefore keeps one connection and runs its units of work on it
through SQLAlchemy Core, one at a time under the path's gate: the same SQL, transactions and
dialects as anywhere else, on SQLite and PostgreSQL alike.

The lane must be closed (`close`) before its engine is disposed; a connection the garbage
collector finds still checked out is reported as an error by SQLAlchemy's pool.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.db.engine import INLINE

log = logging.getLogger(__name__)


class WriteLane:
    """One connection for a hot path's writing units of work, taken in turn under `gate`."""

    def __init__(self, engine: AsyncEngine, gate: asyncio.Lock) -> None:
        # Once such a unit holds SQLite's write lock its statements run inline (see INLINE).
        self._engine = engine.execution_options(**{INLINE: True})
        self._gate = gate
        self._connection: AsyncConnection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncConnection]:
        """Hold the gate and yield the connection; whatever is left uncommitted is rolled back.

        The transaction begins with the first statement; the caller commits. After an error the
        connection is rolled back, or replaced if it broke.
        """
        async with self._gate:
            connection = await self._ready()
            try:
                yield connection
            except BaseException:
                await self._recover(connection)
                raise
            if connection.in_transaction():
                await self._recover(connection)

    async def _ready(self) -> AsyncConnection:
        loop = asyncio.get_running_loop()
        if self._connection is not None and (
            self._loop is not loop or self._connection.closed or self._connection.invalidated
        ):
            await self._drop()
        if self._connection is None:
            self._connection = await self._engine.connect()
            self._loop = loop
        return self._connection

    async def _recover(self, connection: AsyncConnection) -> None:
        try:
            await connection.rollback()
        except Exception as error:
            log.warning("A hot-path connection broke and is replaced (%s)", type(error).__name__)
            await self._drop()
            return
        if connection.invalidated:
            await self._drop()

    async def _drop(self) -> None:
        connection, self._connection, loop = self._connection, None, self._loop
        if connection is None:
            return
        if loop is not asyncio.get_running_loop():
            return  # opened on an event loop that has ended: nothing can be awaited on it now
        with suppress(Exception):
            await connection.close()

    async def close(self) -> None:
        """Give the connection back (before the engine is disposed)."""
        async with self._gate:
            await self._drop()
