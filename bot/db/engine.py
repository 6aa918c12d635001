"""Engine and session factory, built once at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    """Return the session factory for units of work that write."""
    return async_sessionmaker(engine, expire_on_commit=False)


def create_read_session_factory(engine: AsyncEngine) -> SessionFactory:
    """Return a session factory for read-only units of work (they never take the write lock)."""
    return async_sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
