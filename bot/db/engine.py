"""Engine and session factory, built once at start-up."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, cast

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SessionFactory = async_sessionmaker[AsyncSession]


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder that will hold a SQLite database file."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin), as the SQLAlchemy docs advise.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted and overwritten values are zeroed, not left in free space (see bot/db/erasure.py).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


READ_ONLY = "hearth_read_only"


def _sqlite_begin(connection: Any) -> None:
    # Units of work that write take the write lock up front: a read-then-write transaction can
    # otherwise fail with SQLITE_BUSY when another writer got in between, and busy_timeout cannot
    # help then. Read-only units of work (see create_read_session_factory) never wait for it.
    options = connection.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return  # statements that must run outside a transaction (a checkpoint)
    connection.exec_driver_sql("BEGIN" if options.get(READ_ONLY) else "BEGIN IMMEDIATE")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine (stock dialects); SQLite gets WAL mode and foreign keys."""
    ensure_sqlite_dir(url)
    kwargs.setdefault("hide_parameters", True)  # values members wrote never reach a log
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


class WriterTurns:
    """One writing unit of work at a time in this process, queued in asyncio, on SQLite.

    SQLite has one writer at a time. Writers that all try at once would wait in its busy
    handler, which sleeps in growing steps (up to 100 ms) and serves them in no order; queued
    here they go in turn, first come first served, and a reader never waits. A task that already
    holds the turn (a unit of work opened inside another) goes on without waiting.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None
        self._depth = 0

    async def acquire(self) -> None:
        """Wait for this task's turn (at once if it already has it)."""
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            self._depth += 1
            return
        await self._lock.acquire()
        self._holder, self._depth = task, 1

    def release(self) -> None:
        """Give the turn back (to the next writer waiting)."""
        self._depth -= 1
        if self._depth == 0:
            self._holder = None
            self._lock.release()


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    """Return the session factory for units of work that write (on SQLite, taking turns)."""
    if engine.dialect.name != "sqlite":
        return async_sessionmaker(engine, expire_on_commit=False)
    turns = WriterTurns()

    class TakingTurns(AsyncSession):
        """A unit of work that writes: it waits for its turn before it begins."""

        async def __aenter__(self) -> TakingTurns:
            await turns.acquire()
            try:
                return cast(TakingTurns, await super().__aenter__())
            except BaseException:
                turns.release()
                raise

        async def __aexit__(self, *exc: object) -> None:
            try:
                await super().__aexit__(*exc)
            finally:
                turns.release()

    return async_sessionmaker(engine, class_=TakingTurns, expire_on_commit=False)


def create_read_session_factory(engine: AsyncEngine) -> SessionFactory:
    """Return a session factory for read-only units of work (they never take the write lock)."""
    return async_sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
