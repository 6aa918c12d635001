"""Alembic environment: async engine, URL from the same settings the bot reads."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from bot.config import database_url_from, read_environment
from bot.db.engine import create_engine
from bot.db.models import Base

config = context.config
target_metadata = Base.metadata

url = config.attributes.get("database_url")
if url is None:
    # Run from the command line: configure logging and read DATABASE_URL like the bot.
    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    url = database_url_from(read_environment())


def run_migrations_offline() -> None:
    """Emit SQL without a database connection."""
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    """Run migrations on an async engine."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
