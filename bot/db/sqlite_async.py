"""SQLAlchemy's aiosqlite adapter, with one thread hop per statement instead of three or four.

aiosqlite runs every call on its connection's own thread and wakes the event loop with the
result. SQLAlchemy's adapter makes one such call to open a cursor, one to execute, one to fetch
and one to close, and a transaction's ``BEGIN`` is a statement of its own: a read-only unit of
work with one query costs eight round trips between threads. Here a statement (with the
``BEGIN`` that precedes it, if any) is one function run on the connection's thread, and a
commit or rollback with no transaction open costs nothing. The SQL sent to SQLite, its order
and the transactions are exactly the same: only the hand-offs between threads are fewer.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_only

log = logging.getLogger(__name__)

# Hearth's connections never checkpoint inside a commit (PRAGMA wal_autocheckpoint=0, see
# bot/db/engine.py): a commit is then only an append to the write-ahead log (no fsync with
# synchronous=NORMAL), short enough to run on the event loop's thread. Instead, after every
# CHECKPOINT_EVERY commits that wrote, a PASSIVE checkpoint runs on a worker thread through a
# connection of its own: it copies the log into the database without blocking writers or
# readers, so the log is reused from its start and never grows without bound.
CHECKPOINT_EVERY = 200


def _passive_checkpoint(path: str) -> tuple[int, int, int]:
    """Run on a worker thread: fold what it can of the log into the database."""
    connection = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        busy, frames, done = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(busy), int(frames), int(done)
    finally:
        connection.close()


def _execute(
    raw: sqlite3.Connection,
    begin: str | None,
    operation: str,
    parameters: Any,
    many: bool,
    wait_ms: int | None = None,
) -> tuple[Any, list[Any], int | None, int]:
    """Run on the connection's thread: the pending BEGIN, then the statement and its rows.

    `wait_ms`: for a connection that never waits for locks (kept by a WriteLane), how long
    this BEGIN and statement may wait here, on the connection's own thread.
    """
    if wait_ms is not None and begin is not None:
        raw.execute(f"PRAGMA busy_timeout={wait_ms}")
        try:
            return _execute(raw, begin, operation, parameters, many)
        finally:
            raw.execute("PRAGMA busy_timeout=0")
    if begin is not None:
        raw.execute(begin)
    cursor = raw.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


def _lock_now(raw: sqlite3.Connection, timeout_ms: int | None) -> bool:
    """Take the write lock on the event loop's thread if it is free; never wait for it there.

    `timeout_ms` is the connection's busy timeout, put back afterwards (None: it is 0 already).
    """
    if timeout_ms is None:
        try:
            raw.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return False
        return True
    raw.execute("PRAGMA busy_timeout=0")
    try:
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return False  # held by another connection: wait for it on the connection's thread
    finally:
        raw.execute(f"PRAGMA busy_timeout={timeout_ms}")
    return True


async def _inline(
    raw: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> tuple[Any, list[Any], int | None, int]:
    """Run a statement on the event loop's thread (awaited, as SQLAlchemy requires an await)."""
    return _execute(raw, None, operation, parameters, many)


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose execute is a single call on the connection's thread."""

    __slots__ = ()

    def _run(self, operation: Any, parameters: Any, many: bool) -> None:
        adapted = cast(OneHopConnection, self._adapt_connection)
        begin, adapted.pending_begin = adapted.pending_begin, None
        try:
            connection = self._connection
            if (
                begin == "BEGIN IMMEDIATE"
                and adapted.inline_when_locked
                and _lock_now(connection._conn, adapted.restore_timeout_ms())
            ):
                adapted.holds_write_lock, begin = True, None
            if adapted.holds_write_lock:
                found = self.await_(_inline(connection._conn, operation, parameters, many))
            else:
                wait = None if adapted.waits else adapted.busy_timeout_ms()
                found = self.await_(
                    connection._execute(
                        _execute, connection._conn, begin, operation, parameters, many, wait
                    )
                )
                if begin == "BEGIN IMMEDIATE" and adapted.inline_when_locked:
                    adapted.holds_write_lock = True
            description, rows, lastrowid, rowcount = found
        except Exception as error:
            adapted._handle_exception(error)
        if description:
            self.description = description
            self.lastrowid = self.rowcount = -1
            self._rows = deque(rows)
        else:
            self.description = None
            self.lastrowid = lastrowid
            self.rowcount = rowcount

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        """Execute one statement (after the transaction's BEGIN, if it is still to be sent)."""
        self._run(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        """Execute one statement for many parameter sets."""
        self._run(operation, seq_of_parameters, many=True)


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """A connection that sends BEGIN with the first statement and skips empty commits."""

    def __init__(self, dbapi: Any, connection: aiosqlite.Connection) -> None:
        super().__init__(dbapi, connection)
        self.checkpoints = cast(OneHopDBAPI, dbapi).checkpoints
        self.writing = False  # this transaction began with BEGIN IMMEDIATE
        self.pending_begin: str | None = None
        self.inline_when_locked = False  # this transaction opted in (see the module docstring)
        self.holds_write_lock = False  # BEGIN IMMEDIATE went through: run statements inline
        self._busy_timeout_ms: int | None = None
        self.waits = True  # SQLite's busy handler waits for locks (False: kept by a lane)

    def busy_timeout_ms(self) -> int:
        """Return the connection's busy timeout (read once; Hearth sets it once, at connect)."""
        if self._busy_timeout_ms is None:
            (timeout,) = self._connection._conn.execute("PRAGMA busy_timeout").fetchone()
            self._busy_timeout_ms = int(timeout)
        return self._busy_timeout_ms

    def restore_timeout_ms(self) -> int | None:
        """Return the busy timeout to put back after trying a lock (None: it stays 0)."""
        return self.busy_timeout_ms() if self.waits else None

    def stop_waiting(self) -> None:
        """Never wait for a lock on the event loop's thread: busy timeout 0 until `wait_again`.

        For a connection a WriteLane keeps: trying the write lock is then one statement. A
        BEGIN that has to go to the connection's thread still waits there, as long as before.
        Call while nothing is queued on the connection.
        """
        self.busy_timeout_ms()  # remembered before it becomes 0
        self._connection._conn.execute("PRAGMA busy_timeout=0")
        self.waits = False

    def wait_again(self) -> None:
        """Undo `stop_waiting` (before the connection goes back to the pool)."""
        self._connection._conn.execute(f"PRAGMA busy_timeout={self.busy_timeout_ms()}")
        self.waits = True

    def transaction_now(
        self,
        first: tuple[str, Sequence[Any]],
        more: Callable[[list[Any]], Iterable[tuple[str, Sequence[Any]]]],
    ) -> list[Any] | None:
        """Run a short writing transaction of its own on the event loop's thread, if it can now.

        Returns None, having done nothing, while a transaction is open on this connection or
        another connection holds the write lock. Otherwise: BEGIN IMMEDIATE, the `first`
        statement, the statements `more` returns for its rows, then COMMIT if `first` returned
        rows (ROLLBACK if none, or on any error, which is raised). Returns `first`'s rows.
        The caller must hold the connection for itself (no call may be queued on it).
        """
        if self.pending_begin is not None or self._in_transaction():
            return None
        raw = self._connection._conn
        if not _lock_now(raw, self.restore_timeout_ms()):
            return None
        try:
            rows = raw.execute(*first).fetchall()
            if not rows:
                raw.rollback()
                return rows
            for statement in more(rows):
                raw.execute(*statement).fetchall()
            raw.commit()
        except BaseException:
            if raw.in_transaction:
                raw.rollback()
            raise
        self.checkpoints.committed()
        return rows

    def begin(self, statement: str, *, inline: bool = False) -> None:
        """Open a transaction with `statement`, sent together with the first statement in it."""
        self.pending_begin = statement
        self.writing = statement == "BEGIN IMMEDIATE"
        self.inline_when_locked = inline
        self.holds_write_lock = False

    def _end(self) -> None:
        self.pending_begin = None
        self.inline_when_locked = self.holds_write_lock = self.writing = False

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        """Return a cursor (server-side cursors keep the stock behaviour)."""
        return super().cursor(server_side) if server_side else OneHopCursor(self)

    def _in_transaction(self) -> bool:
        # Read on the event loop's thread while no call is queued on this connection (SQLAlchemy
        # awaits each one), so the connection's thread is idle.
        try:
            return self._connection._conn.in_transaction
        except ValueError:  # closed: let the stock path raise what it raises
            return True

    def commit(self) -> None:
        """Commit, unless no statement ever opened a transaction.

        A hot writer holding the write lock commits on the event loop's thread: with no
        checkpoint inside a commit (see CHECKPOINT_EVERY), that is an append to the log.
        """
        inline, writing = self.holds_write_lock, self.writing
        self._end()
        if not self._in_transaction():
            return
        if inline:
            try:
                self._connection._conn.commit()
            except Exception as error:
                self._handle_exception(error)
        else:
            super().commit()
        if writing:
            self.checkpoints.committed()

    def rollback(self) -> None:
        """Roll back, unless no statement ever opened a transaction."""
        self._end()
        if self._in_transaction():
            super().rollback()


class Checkpoints:
    """Runs a PASSIVE checkpoint off the event loop after every `every` commits that wrote."""

    def __init__(self, every: int = CHECKPOINT_EVERY) -> None:
        self.every = every
        self.path: str | None = None  # the database file (None: in memory, nothing to do)
        self.since = 0  # commits that wrote since the last checkpoint began
        self.runs = 0  # checkpoints finished (for tests)
        self.running: asyncio.Future[tuple[int, int, int]] | None = None

    def committed(self) -> None:
        """Count a commit that wrote; start a checkpoint when it is time and none is running."""
        self.since += 1
        if self.since < self.every or self.path is None:
            return
        if self.running is not None and not self.running.done():
            return
        self.since = 0
        loop = asyncio.get_running_loop()
        self.running = loop.run_in_executor(None, _passive_checkpoint, self.path)
        self.running.add_done_callback(self._finished)

    def _finished(self, running: asyncio.Future[tuple[int, int, int]]) -> None:
        if running.cancelled():
            return
        error = running.exception()
        if error is not None:  # the next one will try again; nothing is lost meanwhile
            log.warning("A write-ahead log checkpoint failed (%s)", type(error).__name__)
            return
        self.runs += 1

    async def settled(self) -> None:
        """Wait until no checkpoint started here is running (before a TRUNCATE one)."""
        running = self.running
        if running is not None and not running.done():
            await asyncio.wait([running])


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DB-API module SQLAlchemy sees: it hands out one-hop connections."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checkpoints = Checkpoints()

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        """Open an aiosqlite connection (its thread is a daemon, as upstream does)."""
        database = arg[0] if arg else kw.get("database")
        if (
            isinstance(database, str)
            and database not in ("", ":memory:")
            and not database.startswith("file:")
            and not kw.get("uri")
        ):
            self.checkpoints.path = database
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True
        return OneHopConnection(self, await_only(connection))


def one_hop_dbapi() -> OneHopDBAPI:
    """Return the DB-API to pass as `module` when creating an aiosqlite engine."""
    return OneHopDBAPI(aiosqlite, sqlite3)
