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
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot.db.engine import INLINE
from bot.db.prepared import Prepared, as_sqlalchemy_error
from bot.db.sqlite_async import OneHopConnection

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

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """Like `unit`, as an ORM Session on the lane's connection (the caller commits)."""
        async with self.unit() as connection:
            session = AsyncSession(bind=connection, expire_on_commit=False)
            try:
                yield session
            finally:
                await session.close()

    def now(
        self,
        first: Prepared,
        parameters: Mapping[str, Any],
        more: Callable[[Sequence[Any]], Iterable[tuple[Prepared, Mapping[str, Any]]]],
    ) -> Sequence[Any] | None:
        """Run a short transaction of its own at once, without waiting for anything, if it can.

        For SQLite through the one-hop driver, when no unit of work holds the gate and no
        other connection holds the write lock: BEGIN IMMEDIATE, `first`, the statements `more`
        returns for its rows, and COMMIT if `first` returned rows (ROLLBACK otherwise), all on
        the event loop's thread. Returns `first`'s rows, or None when it could not start (the
        caller then uses `unit`). The SQL is the one SQLAlchemy compiles for the dialect.
        A database error is raised as SQLAlchemy's, without its parameters.
        """
        connection = self._connection
        if (
            connection is None
            or self._gate.locked()
            or self._loop is not asyncio.get_running_loop()
            or connection.closed
            or connection.invalidated
            or connection.in_transaction()
        ):
            return None
        driver = _driver(connection)
        if driver is None:
            return None  # PostgreSQL: units of work only
        dialect = connection.dialect

        def follow(rows: Sequence[Any]) -> list[tuple[str, Sequence[Any]]]:
            return [statement.bind(dialect, values) for statement, values in more(rows)]

        sql, values = first.bind(dialect, parameters)
        try:
            return driver.transaction_now((sql, values), follow)
        except dialect.loaded_dbapi.Error as error:
            raise as_sqlalchemy_error(sql, error, dialect.loaded_dbapi.Error) from error

    async def _ready(self) -> AsyncConnection:
        loop = asyncio.get_running_loop()
        if self._connection is not None and (
            self._loop is not loop or self._connection.closed or self._connection.invalidated
        ):
            await self._drop()
        if self._connection is None:
            connection = await self._engine.connect()
            driver = _driver(connection)
            if driver is not None:
                driver.stop_waiting()  # trying the write lock becomes one statement
            self._connection, self._loop = connection, loop
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
        driver = _driver(connection)
        try:
            if driver is not None:
                if connection.in_transaction():
                    raise RuntimeError("closing in a transaction")
                driver.wait_again()  # as every other connection in the pool
        except Exception:
            # Its busy timeout may still be 0: no one else gets it from the pool.
            with suppress(Exception):
                await connection.invalidate()
        with suppress(Exception):
            await connection.close()

    async def close(self) -> None:
        """Give the connection back (before the engine is disposed)."""
        async with self._gate:
            await self._drop()


def _driver(connection: AsyncConnection) -> OneHopConnection | None:
    """Return the one-hop SQLite connection under `connection`, if that is what it is."""
    sync = connection.sync_connection
    if sync is None or sync.closed or sync.invalidated:
        return None
    driver = sync.connection.dbapi_connection
    return driver if isinstance(driver, OneHopConnection) else None
