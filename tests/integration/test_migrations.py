"""The schema only changes through migrations, and they go both ways."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from bot.db.migrate import downgrade, upgrade
from bot.db.models import Base


def test_upgrade_to_head_and_down_to_base(tmp_path: Path) -> None:
    """Migrations go up to head and back down to base on an empty database."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"
    upgrade(url)
    sync = create_engine(f"sqlite:///{tmp_path / 'h.db'}")
    assert set(Base.metadata.tables) <= set(inspect(sync).get_table_names())
    downgrade(url)
    assert inspect(sync).get_table_names() == ["alembic_version"]
    upgrade(url)
    assert set(Base.metadata.tables) <= set(inspect(sync).get_table_names())
    sync.dispose()


def test_models_match_migrations(migrated_template: Path) -> None:
    """Autogenerate finds no difference between the models and the migrated schema."""
    sync = create_engine(f"sqlite:///{migrated_template}")
    with sync.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    sync.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    """The engine turns on WAL and foreign keys for every connection."""
    import asyncio

    from sqlalchemy import text

    from bot.db.engine import create_engine as create_async

    async def check() -> tuple[str, int]:
        engine = create_async(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
        async with engine.connect() as connection:
            mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
            keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
        await engine.dispose()
        return mode, keys

    assert asyncio.run(check()) == ("wal", 1)


def test_alembic_command_line_reads_database_url(tmp_path: Path) -> None:
    """`alembic upgrade head` / `downgrade base` from the repo root use DATABASE_URL like the bot."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    database = tmp_path / "cli.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    alembic = [sys.executable, "-m", "alembic"]
    subprocess.run([*alembic, "upgrade", "head"], cwd=root, env=env, check=True, capture_output=True)  # noqa: S603
    sync = create_engine(f"sqlite:///{database}")
    assert "agreement_versions" in inspect(sync).get_table_names()
    subprocess.run([*alembic, "downgrade", "base"], cwd=root, env=env, check=True, capture_output=True)  # noqa: S603
    assert inspect(sync).get_table_names() == ["alembic_version"]
    sync.dispose()
