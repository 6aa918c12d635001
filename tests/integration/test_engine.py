"""The SQLite engine: stock aiosqlite, WAL, secure_delete, writers lock first, nothing on the loop."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine, create_read_session_factory, create_session_factory
from bot.db.erasure import Erasure


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """Return an engine on a fresh file with one table."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'd.db'}")
    async with create_session_factory(engine)() as session:
        await session.execute(text("CREATE TABLE t (x INTEGER PRIMARY KEY, y TEXT)"))
        await session.commit()
    yield engine
    await engine.dispose()


async def test_the_stock_aiosqlite_dialect_is_used(engine: AsyncEngine) -> None:
    """No driver of Hearth's own: SQLAlchemy's aiosqlite dialect with the aiosqlite module."""
    assert engine.dialect.driver == "aiosqlite"
    assert type(engine.dialect).__module__ == "sqlalchemy.dialects.sqlite.aiosqlite"


async def test_connections_use_wal_foreign_keys_and_secure_delete(engine: AsyncEngine) -> None:
    """Every connection runs in WAL mode, with foreign keys and secure_delete on."""
    async with create_read_session_factory(engine)() as session:
        pragmas = [
            (await session.execute(text(f"PRAGMA {name}"))).scalar_one()
            for name in ("journal_mode", "foreign_keys", "secure_delete")
        ]
    assert pragmas == ["wal", 1, 1]


async def test_no_statement_runs_on_the_event_loops_thread(engine: AsyncEngine) -> None:
    """SQLite works on the driver's own thread: the event loop is never blocked by a query."""
    threads: list[int] = []

    def remember_thread(raw: Any, _record: Any) -> None:
        raw.run_async(
            lambda conn: conn.create_function(
                "thread_id", 0, lambda: threads.append(threading.get_ident()) or 0
            )
        )

    event.listen(engine.sync_engine, "connect", remember_thread)
    await engine.dispose()  # new connections get the function
    async with create_session_factory(engine)() as session:
        await session.execute(text("SELECT thread_id()"))
        await session.commit()
    assert threads and threading.get_ident() not in threads


async def test_writers_take_the_write_lock_with_their_first_statement(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """BEGIN IMMEDIATE goes first: even a writer that only read so far holds the lock."""
    other = sqlite3.connect(tmp_path / "d.db", timeout=0, isolation_level=None)
    async with create_session_factory(engine)() as session:
        await session.execute(text("SELECT count(*) FROM t"))
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        await session.commit()
    other.execute("BEGIN IMMEDIATE")  # released by the commit
    async with create_read_session_factory(engine)() as session:  # readers never wait
        assert (await session.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
    other.execute("ROLLBACK")
    other.close()


async def test_rows_ids_errors_and_rollback_behave(engine: AsyncEngine) -> None:
    """Inserted ids, row counts, many-row inserts, errors and rollback work as SQLAlchemy's."""
    sessions = create_session_factory(engine)
    async with sessions() as session:
        result = await session.execute(text("INSERT INTO t (y) VALUES ('a')"))
        assert result.lastrowid == 1 and result.rowcount == 1
        await session.execute(text("INSERT INTO t (y) VALUES (:y)"), [{"y": "b"}, {"y": "c"}])
        with pytest.raises(IntegrityError):
            await session.execute(text("INSERT INTO t (x, y) VALUES (1, 'clash')"))
        await session.rollback()
    async with sessions() as session:
        await session.execute(text("INSERT INTO t (y) VALUES ('kept')"))
        await session.commit()
    async with create_read_session_factory(engine)() as session:
        rows = (await session.execute(text("SELECT y FROM t"))).scalars().all()
    assert rows == ["kept"]


async def test_erasure_empties_the_write_ahead_log(engine: AsyncEngine, tmp_path: Path) -> None:
    """After an erase and settle(), the deleted text is in neither the file nor its log."""
    sessions = create_session_factory(engine)
    async with sessions() as session:
        await session.execute(text("INSERT INTO t (y) VALUES ('erase me 7731')"))
        await session.commit()
    async with sessions() as session:
        await session.execute(text("DELETE FROM t"))
        await session.commit()
    assert await Erasure(engine).settle()
    wal = tmp_path / "d.db-wal"
    raw = (tmp_path / "d.db").read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert b"erase me 7731" not in raw
