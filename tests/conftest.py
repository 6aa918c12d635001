"""Shared fixtures: a migrated SQLite file per test, an injected clock, the services."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade
from bot.services import Services, build_services


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate an empty database once; tests copy it."""
    path = tmp_path_factory.mktemp("template") / "hearth.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def database_url(tmp_path: Path, migrated_template: Path) -> str:
    """Return the URL of a fresh, migrated SQLite file for this test."""
    path = tmp_path / "hearth.db"
    shutil.copyfile(migrated_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def clock() -> FakeClock:
    """Return a clock the test moves by hand."""
    return FakeClock()


@pytest.fixture
async def services(database_url: str, clock: FakeClock) -> AsyncIterator[Services]:
    """Return the services on a fresh database."""
    engine = create_engine(database_url)
    yield build_services(create_session_factory(engine), clock)
    await engine.dispose()
