"""The one-hop aiosqlite driver: same SQL and transactions as upstream, fewer thread hand-offs."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import (
    INLINE,
    create_engine,
    create_read_session_factory,
    create_session_factory,
)
from bot.db.sqlite_async import Checkpoints, OneHopDBAPI


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """Return an engine on a fresh file with one table."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'd.db'}")
    async with create_session_factory(engine)() as session:
        await session.execute(text("CREATE TABLE t (x INTEGER PRIMARY KEY, y TEXT)"))
        await session.commit()
    yield engine
    await engine.dispose()


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every call queued on an aiosqlite connection's thread."""
    seen: list[str] = []
    real = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(fn, "__name__", "call"))
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    return seen


async def test_a_statement_with_its_begin_is_one_hop(engine: AsyncEngine, hops: list[str]) -> None:
    """A read-only unit with one query costs two hops (the query, the rollback), not eight."""
    async with create_read_session_factory(engine)() as session:
        assert (await session.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
    assert len(hops) == 2


async def test_a_unit_that_ran_nothing_costs_nothing(engine: AsyncEngine, hops: list[str]) -> None:
    """Committing or closing a unit of work that never ran a statement makes no round trip."""
    async with create_session_factory(engine)() as session:
        await session.commit()
    assert hops == []


async def test_writers_take_the_write_lock_with_their_first_statement(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """BEGIN IMMEDIATE still goes first: even a writer that only read so far holds the lock."""
    other = sqlite3.connect(tmp_path / "d.db", timeout=0, isolation_level=None)
    async with create_session_factory(engine)() as session:
        await session.execute(text("SELECT count(*) FROM t"))
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        await session.commit()
    other.execute("BEGIN IMMEDIATE")  # released by the commit
    other.execute("ROLLBACK")
    other.close()


async def test_rows_counts_ids_and_rollback_behave_as_upstream(engine: AsyncEngine) -> None:
    """Inserted ids, row counts, many-row inserts, errors and rollback work as before."""
    sessions = create_session_factory(engine)
    async with sessions() as session:
        result = await session.execute(text("INSERT INTO t (y) VALUES ('a')"))
        assert result.lastrowid == 1 and result.rowcount == 1
        await session.execute(text("INSERT INTO t (y) VALUES (:y)"), [{"y": "b"}, {"y": "c"}])
        with pytest.raises(IntegrityError):
            await session.execute(text("INSERT INTO t (x, y) VALUES (1, 'clash')"))
        await session.rollback()
    async with sessions() as session:
        assert (await session.execute(text("SELECT count(*) FROM t"))).scalar_one() == 0
        await session.execute(text("INSERT INTO t (y) VALUES ('kept')"))
        changed = await session.execute(text("UPDATE t SET y = 'kept!' WHERE y = 'kept'"))
        assert changed.rowcount == 1
        await session.commit()
    async with create_read_session_factory(engine)() as session:
        rows = (await session.execute(text("SELECT y FROM t"))).scalars().all()
    assert rows == ["kept!"]


async def test_a_hot_writer_runs_its_statements_inline_once_it_holds_the_lock(
    engine: AsyncEngine, hops: list[str], tmp_path: Path
) -> None:
    """Opted in: nothing goes to SQLite's thread, commit included; the lock is taken first."""
    other = sqlite3.connect(tmp_path / "d.db", timeout=0, isolation_level=None)
    async with create_session_factory(engine)() as session:
        await session.connection(execution_options={INLINE: True})
        await session.execute(text("SELECT count(*) FROM t"))
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")  # the lock was taken before anything ran inline
        await session.execute(text("INSERT INTO t (y) VALUES ('a')"))
        await session.execute(text("INSERT INTO t (y) VALUES ('b')"))
        with pytest.raises(IntegrityError):
            await session.execute(text("INSERT INTO t (x, y) VALUES (1, 'clash')"))
        await session.commit()
    assert hops == []
    assert other.execute("SELECT y FROM t ORDER BY x").fetchall() == [("a",), ("b",)]
    other.close()
    async with create_session_factory(engine)() as session:  # the next unit: the usual path
        await session.execute(text("SELECT 1"))
        timeout = (await session.execute(text("PRAGMA busy_timeout"))).scalar_one()
    assert len(hops) == 3
    assert timeout == 5000  # the inline attempt put the connection's busy timeout back


async def test_a_hot_writer_waits_for_a_busy_lock_off_the_event_loop(
    engine: AsyncEngine, hops: list[str], tmp_path: Path
) -> None:
    """When another connection holds the lock, the hot writer waits on SQLite's thread."""
    other = sqlite3.connect(tmp_path / "d.db", timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    loop = asyncio.get_running_loop()
    loop.call_later(0.05, other.execute, "COMMIT")  # runs only if the loop is not blocked

    async with create_session_factory(engine)() as session:
        await session.connection(execution_options={INLINE: True})
        await session.execute(text("INSERT INTO t (y) VALUES ('after the wait')"))
        await session.commit()
    assert hops == ["_execute"]  # the wait; the commit, with the lock held, runs inline
    assert other.execute("SELECT y FROM t").fetchall() == [("after the wait",)]
    other.close()


async def test_commits_never_checkpoint_and_a_passive_checkpoint_keeps_the_log_bounded(
    tmp_path: Path,
) -> None:
    """No checkpoint inside a commit; one runs off the loop every CHECKPOINT_EVERY writes."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'd.db'}")
    dbapi = engine.dialect.dbapi
    assert isinstance(dbapi, OneHopDBAPI)
    checkpoints = dbapi.checkpoints
    checkpoints.every = 20
    sessions = create_session_factory(engine)
    async with sessions() as session:
        assert (await session.execute(text("PRAGMA wal_autocheckpoint"))).scalar_one() == 0
        await session.execute(text("CREATE TABLE t (x INTEGER PRIMARY KEY, y TEXT)"))
        await session.commit()
    wal = tmp_path / "d.db-wal"
    sizes = []
    for n in range(200):
        async with sessions() as session:
            await session.connection(execution_options={INLINE: n % 2 == 0})
            await session.execute(text("INSERT INTO t (y) VALUES (:y)"), {"y": "x" * 2000})
            await session.commit()
        async with create_read_session_factory(engine)() as session:
            await session.execute(text("SELECT count(*) FROM t"))  # reads don't count
        await checkpoints.settled()
        sizes.append(wal.stat().st_size)
    assert checkpoints.runs == 200 // 20
    # Without checkpoints the log would hold every one of the 200 writes; it is reused instead.
    assert max(sizes) < sizes[19] * 3
    async with sessions() as session:
        assert (await session.execute(text("SELECT count(*) FROM t"))).scalar_one() == 200
    await engine.dispose()


async def test_a_failed_checkpoint_is_a_warning_and_the_next_one_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A checkpoint that fails loses nothing: it is logged as a warning and tried again."""
    checkpoints = Checkpoints(every=1)
    checkpoints.path = str(tmp_path / "missing" / "d.db")  # cannot be opened
    checkpoints.committed()
    await checkpoints.settled()
    assert checkpoints.runs == 0
    assert "checkpoint failed" in caplog.text
    checkpoints.path = str(tmp_path / "d.db")
    sqlite3.connect(checkpoints.path).close()
    checkpoints.committed()
    await checkpoints.settled()
    assert checkpoints.runs == 1
