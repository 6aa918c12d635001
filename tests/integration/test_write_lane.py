"""The kept connection for hot paths (WriteLane) and statements run through the cursor (Prepared)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine
from bot.db.lane import WriteLane
from bot.db.prepared import Prepared
from bot.db.types import UTCDateTime

metadata = MetaData()
things = Table(
    "lane_things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), unique=True),
    Column("at", UTCDateTime),
    Column("ok", Boolean),
)
ADD = Prepared(
    insert(things)
    .values(
        name=bindparam("name", type_=things.c.name.type),
        at=bindparam("at", type_=things.c.at.type),
        ok=bindparam("ok", type_=things.c.ok.type),
    )
    .returning(things.c.id)
)
WHEN = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh database (SQLite and PostgreSQL) with one extra table."""
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    async with engine.begin() as connection:
        await connection.run_sync(metadata.drop_all)
    await engine.dispose()


@pytest.fixture
async def lane(engine: AsyncEngine) -> AsyncIterator[WriteLane]:
    """A lane on that engine, closed afterwards."""
    lane = WriteLane(engine, asyncio.Lock())
    yield lane
    await lane.close()


def _sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


async def test_prepared_stores_values_exactly_as_core_does(
    engine: AsyncEngine, lane: WriteLane
) -> None:
    """Same types, same conversions: a row through the cursor reads back like one through Core."""
    async with lane.unit() as connection:
        await connection.execute(insert(things), {"name": "core", "at": WHEN, "ok": True})
        rows = await connection.run_sync(ADD.run, {"name": "cursor", "at": WHEN, "ok": True})
        await connection.commit()
    assert len(rows) == 1
    async with engine.connect() as connection:
        found = (await connection.execute(select(things.c.at, things.c.ok))).all()
        assert found == [(WHEN, True), (WHEN, True)]
        if _sqlite(engine):
            stored = (await connection.execute(text("SELECT at, ok FROM lane_things"))).all()
            assert stored[0] == stored[1] == ("2026-03-01 12:30:00.000000", 1)


async def test_prepared_raises_sqlalchemy_errors_with_the_parameters_hidden(
    lane: WriteLane,
) -> None:
    """A unique clash is SQLAlchemy's IntegrityError, which does not list the bound values."""
    async with lane.unit() as connection:
        await connection.run_sync(ADD.run, {"name": "twice", "at": WHEN, "ok": False})
        with pytest.raises(IntegrityError) as caught:
            await connection.run_sync(ADD.run, {"name": "twice", "at": WHEN, "ok": False})
    assert "[parameters:" not in str(caught.value)  # as with hide_parameters=True


async def test_the_lane_keeps_one_connection_and_rolls_back_what_is_not_committed(
    engine: AsyncEngine, lane: WriteLane
) -> None:
    """Units of work share the connection; an uncommitted one leaves nothing behind."""
    async with lane.unit() as connection:
        first = connection
        await connection.run_sync(ADD.run, {"name": "kept", "at": WHEN, "ok": True})
        await connection.commit()
    async with lane.unit() as connection:
        assert connection is first
        await connection.run_sync(ADD.run, {"name": "dropped", "at": WHEN, "ok": True})
    with pytest.raises(RuntimeError):
        async with lane.unit() as connection:
            await connection.run_sync(ADD.run, {"name": "failed", "at": WHEN, "ok": True})
            raise RuntimeError("the caller failed")
    async with engine.connect() as connection:
        names = (await connection.execute(select(things.c.name))).scalars().all()
    assert names == ["kept"]


async def test_a_broken_connection_is_replaced(engine: AsyncEngine, lane: WriteLane) -> None:
    """After its connection was invalidated, the next unit of work gets a new one."""
    async with lane.unit() as connection:
        broken = connection
        await connection.invalidate()
    async with lane.unit() as connection:
        assert connection is not broken
        await connection.run_sync(ADD.run, {"name": "after", "at": WHEN, "ok": True})
        await connection.commit()


async def test_now_runs_a_transaction_at_once_on_sqlite_only_when_nothing_waits(
    engine: AsyncEngine, lane: WriteLane, tmp_path: Path
) -> None:
    """`now` commits at once if it can; with the gate held or the lock taken, it does nothing."""
    parameters = {"name": "now", "at": WHEN, "ok": True}
    assert lane.now(ADD, parameters, lambda rows: []) is None  # no connection kept yet
    async with lane.unit():
        pass
    if not _sqlite(engine):
        assert lane.now(ADD, parameters, lambda rows: []) is None  # units of work only
        return
    async with lane._gate:
        assert lane.now(ADD, parameters, lambda rows: []) is None
    path = engine.url.database
    assert path is not None
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    assert lane.now(ADD, parameters, lambda rows: []) is None  # never waits on the loop
    other.execute("COMMIT")
    follow = {"name": "then", "at": WHEN, "ok": False}
    rows = lane.now(ADD, parameters, lambda rows: [(ADD, follow)])
    assert rows is not None and len(rows) == 1
    assert sorted(r[0] for r in other.execute("SELECT name FROM lane_things")) == ["now", "then"]
    with pytest.raises(IntegrityError):  # all or nothing: the clash undoes the first insert
        lane.now(ADD, {**parameters, "name": "new"}, lambda rows: [(ADD, follow)])
    assert sorted(r[0] for r in other.execute("SELECT name FROM lane_things")) == ["now", "then"]
    other.close()


async def test_closing_puts_the_busy_timeout_back(engine: AsyncEngine, lane: WriteLane) -> None:
    """While kept, the connection never waits on the loop; given back, it waits as others do."""
    if not _sqlite(engine):
        pytest.skip("SQLite's busy timeout")
    async with lane.unit() as connection:
        kept = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
        await connection.commit()
    await lane.close()
    async with engine.connect() as connection:  # the pool hands the same connection back
        again = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
    assert (kept, again) == (0, 5000)
