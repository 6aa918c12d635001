"""Shared fixtures: a migrated SQLite file per test, an injected clock, the services."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy.engine import make_url

from bot.clock import FakeClock
from bot.db.engine import create_engine, create_read_session_factory, create_session_factory
from bot.db.migrate import upgrade
from bot.services import Services, build_services
from bot.services.pairing import inline_matcher

# The suite is repeatable: the same examples on every run (and in CI). Explore with
# `HYPOTHESIS_PROFILE=explore bash scripts/test.sh tests/unit` to draw new ones.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate an empty database once; tests copy it."""
    path = tmp_path_factory.mktemp("template") / "hearth.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


# Set HEARTH_TEST_POSTGRES_URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres, with
# asyncpg installed) to run every database test on PostgreSQL too.
POSTGRES_URL = os.environ.get("HEARTH_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


async def _postgres_admin(sql: str) -> None:
    import asyncpg  # only needed when PostgreSQL tests are asked for

    url = make_url(POSTGRES_URL)
    connection = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _postgres_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """Migrate a template database once; tests clone it."""
    name = f"hearth_template_{uuid.uuid4().hex[:8]}"
    asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}"'))
    upgrade(_postgres_url(name))
    yield name
    asyncio.run(_postgres_admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_template: Path
) -> Iterator[str]:
    """Return the URL of a fresh, migrated database for this test (SQLite; PostgreSQL if asked)."""
    if request.param == "sqlite":
        path = tmp_path / "hearth.db"
        shutil.copyfile(migrated_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = f"hearth_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _postgres_url(name)
    asyncio.run(_postgres_admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture
def clock() -> FakeClock:
    """Return a clock the test moves by hand."""
    return FakeClock()


@pytest.fixture
async def services(database_url: str, clock: FakeClock) -> AsyncIterator[Services]:
    """Return the services on a fresh database."""
    engine = create_engine(database_url)
    built = build_services(
        create_session_factory(engine),
        clock,
        reads=create_read_session_factory(engine),
        matcher=inline_matcher,
    )
    yield built
    await engine.dispose()
