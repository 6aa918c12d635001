"""Small portable query helpers (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Executable, FromClause, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


async def insert_ignore(
    executor: AsyncSession | AsyncConnection,
    table: FromClause,
    values: dict[str, Any],
    conflict: list[str],
) -> bool:
    """Insert a row unless one with the same `conflict` columns exists; return True if inserted."""
    bind = executor if isinstance(executor, AsyncConnection) else executor.bind
    dialect = bind.dialect.name if bind is not None else "sqlite"
    module = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict)
    )
    return bool(await rows_changed(executor, statement))


async def rows_changed(executor: AsyncSession | AsyncConnection, statement: Executable) -> int:
    """Run an INSERT, UPDATE or DELETE and return how many rows it changed."""
    result = await executor.execute(statement)
    if not isinstance(result, CursorResult):
        raise TypeError("only an INSERT, UPDATE or DELETE has a row count")
    return result.rowcount or 0


async def upsert(
    executor: AsyncSession | AsyncConnection,
    table: Table,
    values: dict[str, Any],
    conflict: list[str],
) -> None:
    """Insert a row, or update the existing one with the same `conflict` columns."""
    bind = executor if isinstance(executor, AsyncConnection) else executor.bind
    dialect = bind.dialect.name if bind is not None else "sqlite"
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table).values(**values)
    changes = {name: statement.excluded[name] for name in values if name not in conflict}
    await executor.execute(statement.on_conflict_do_update(index_elements=conflict, set_=changes))
