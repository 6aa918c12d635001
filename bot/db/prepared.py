"""A Core statement compiled once per dialect and run straight through the DB-API cursor.

For the hottest statement only (storing a check-in). SQLAlchemy's compiler still renders the
SQL, so it is right for SQLite and PostgreSQL alike, and SQLAlchemy's types still convert the
values; what is skipped is the work a Core execution repeats on every call (the statement's
cache key, the execution context, the result machinery). For the check-in insert, a statement
of 37 parameters, that work cost about 0.9 ms of 1.2 ms on the benchmark machine (bench/).

Limits: positional paramstyles only (SQLite's qmark, asyncpg's numeric_dollar), no expanding
("IN" list) parameters, and rows come back as plain tuples with no result-type processing.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import Executable


def as_sqlalchemy_error(sql: str, error: Exception, base: type[Exception]) -> DBAPIError:
    """Return a DB-API error as SQLAlchemy's (IntegrityError...), without its parameters."""
    return DBAPIError.instance(sql, None, error, base, hide_parameters=True)


@dataclass(frozen=True)
class _Rendered:
    sql: str
    names: tuple[str, ...]  # each parameter once
    processors: tuple[Callable[[Any], Any] | None, ...]  # for each of `names`
    order: Callable[[list[Any]], tuple[Any, ...]]  # converted values -> the SQL's positions


class Prepared:
    """A statement compiled once per dialect; `run` executes it on a sync Connection."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._rendered: dict[type[Dialect], _Rendered] = {}

    def _for(self, dialect: Dialect) -> _Rendered:
        rendered = self._rendered.get(type(dialect))
        if rendered is None:
            compiled = self.statement.compile(dialect=dialect)
            if not compiled.positional or compiled.positiontup is None:
                raise ValueError(f"{dialect.name}: only positional paramstyles are supported")
            binds = compiled.binds
            if any(bind.expanding for bind in binds.values()):
                raise ValueError("expanding parameters are not supported")
            positions = tuple(compiled.positiontup)
            names = tuple(dict.fromkeys(positions))  # a parameter used twice is converted once
            # What SQLAlchemy applies to each value for this dialect (a TypeDecorator's own
            # conversion, then its implementation's: a UTC datetime becomes SQLite's text).
            processors = tuple(
                binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
            )
            index = {name: i for i, name in enumerate(names)}
            pick = operator.itemgetter(*(index[name] for name in positions))
            order = (lambda values: (pick(values),)) if len(positions) == 1 else pick
            rendered = _Rendered(compiled.string, names, processors, order)
            self._rendered[type(dialect)] = rendered
        return rendered

    def bind(self, dialect: Dialect, parameters: Mapping[str, Any]) -> tuple[str, tuple[Any, ...]]:
        """Return the dialect's SQL and the values, converted by their types, in order."""
        rendered = self._for(dialect)
        converted = [
            value if process is None else process(value)
            for process, value in zip(
                rendered.processors, (parameters[name] for name in rendered.names), strict=True
            )
        ]
        return rendered.sql, rendered.order(converted)

    def run(self, connection: Connection, parameters: Mapping[str, Any]) -> Sequence[Any]:
        """Execute in the connection's transaction (beginning one if needed); return the rows.

        Call it through `AsyncConnection.run_sync`. A database error is raised as SQLAlchemy's
        (IntegrityError and so on) without its parameters, as the engine would.
        """
        sql, values = self.bind(connection.dialect, parameters)
        if not connection.in_transaction():
            connection.begin()  # the "begin" event runs as for any statement
        dbapi = connection.dialect.loaded_dbapi
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, values)
            return cursor.fetchall() if cursor.description else []
        except dbapi.Error as error:
            raise as_sqlalchemy_error(sql, error, dbapi.Error) from error
        finally:
            cursor.close()
