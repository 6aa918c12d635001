"""The schema only changes through migrations, and they go both ways."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect

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
    subprocess.run(
        [*alembic, "upgrade", "head"], cwd=root, env=env, check=True, capture_output=True
    )
    sync = create_engine(f"sqlite:///{database}")
    assert "agreement_versions" in inspect(sync).get_table_names()
    subprocess.run(
        [*alembic, "downgrade", "base"], cwd=root, env=env, check=True, capture_output=True
    )
    assert inspect(sync).get_table_names() == ["alembic_version"]
    sync.dispose()


def test_models_match_migrations_on_postgresql(request: pytest.FixtureRequest) -> None:
    """On PostgreSQL too, autogenerate finds no difference (when HEARTH_TEST_POSTGRES_URL is set)."""
    import asyncio

    from bot.db.engine import create_engine as create_async
    from tests.conftest import POSTGRES_URL, _postgres_url

    if not POSTGRES_URL:
        pytest.skip("HEARTH_TEST_POSTGRES_URL is not set")
    url = _postgres_url(request.getfixturevalue("postgres_template"))

    def diff(connection: Connection) -> list:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async def compare() -> list:
        engine = create_async(url)
        async with engine.connect() as connection:
            found = await connection.run_sync(diff)
        await engine.dispose()
        return found

    assert asyncio.run(compare()) == []


async def test_reads_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    """On SQLite a read-only unit of work proceeds while another one holds the write lock."""
    import asyncio

    from sqlalchemy import text

    from bot.db.engine import create_engine as create_async
    from bot.db.engine import create_read_session_factory, create_session_factory

    engine = create_async(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    async with create_session_factory(engine)() as session:
        await session.execute(text("CREATE TABLE t (x INTEGER)"))
        await session.commit()
    async with (
        create_session_factory(engine)() as writer,
        create_read_session_factory(engine)() as reader,
    ):
        await writer.execute(text("INSERT INTO t VALUES (1)"))  # holds the write lock
        count = await asyncio.wait_for(reader.scalar(text("SELECT count(*) FROM t")), 1)
        assert count == 0
        await writer.commit()
    await engine.dispose()


def test_0007_keeps_what_closing_an_open_room_would_undo(tmp_path: Path) -> None:
    """A room open while 0007 runs keeps its close (member role locked again, grants removed),
    and no RSVP under the changed table is lost, up or down."""
    from sqlalchemy import text

    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0006")
    sync = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with sync.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO guild_settings (guild_id, member_role_id, reaccept_grace_days, "
                "created_at, updated_at) VALUES (1, 77, 7, '2030-01-01', '2030-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO circles (id, guild_id, title, description, segments, "
                "voice_channel_id, lead_minutes, created_at, yes_only) "
                "VALUES (1, 1, 't', '', '[]', 5, '[15]', '2030-01-01', 1)"
            )
        )
        for occurrence, opened, closed in ((1, "2030-01-02", None), (2, "2030-01-03", "x")):
            connection.execute(
                text(
                    "INSERT INTO circle_occurrences (id, circle_id, meeting_index, local_date, "
                    "starts_at, skipped, opened_at, closed_at, room_grants) VALUES "
                    "(:id, 1, :id, '2030-01-02', '2030-01-02', 0, :opened, :closed, '[501, 502]')"
                ),
                {"id": occurrence, "opened": opened, "closed": closed},
            )
        connection.execute(
            text(
                "INSERT INTO circle_rsvps (occurrence_id, user_id, status, updated_at, "
                "notify_promoted) VALUES (1, 501, 'yes', '2030-01-01', 0)"
            )
        )
    upgrade(url)
    with sync.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT occurrence_id, target_id, target_type, before_allow, before_deny, "
                "written_allow, written_deny FROM circle_room_overwrites ORDER BY target_id"
            )
        ).all()
        kept = connection.execute(text("SELECT count(*) FROM circle_rsvps")).scalar_one()
    assert kept == 1  # changing circle_occurrences must not cascade to the rows under it
    view, connect = 1 << 10, 1 << 20
    assert [tuple(r) for r in rows] == [
        (1, 77, 0, view, connect, view, connect),
        (1, 501, 1, None, None, view | connect, 0),
        (1, 502, 1, None, None, view | connect, 0),
    ]
    downgrade(url, "0006")
    with sync.connect() as connection:
        grants = connection.execute(
            text("SELECT id, room_grants FROM circle_occurrences ORDER BY id")
        ).all()
        kept = connection.execute(text("SELECT count(*) FROM circle_rsvps")).scalar_one()
    assert [(i, g and json.loads(g)) for i, g in grants] == [(1, [501, 502]), (2, None)]
    assert kept == 1
    sync.dispose()
