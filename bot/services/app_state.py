"""Small facts Hearth keeps about itself (for now: what it last registered with Discord)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, select

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import AppState
from bot.db.queries import upsert


class AppStateService:
    """Read and remember named values in `app_state`."""

    def __init__(self, sessions: SessionFactory, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def get(self, name: str) -> str | None:
        """Return the value remembered under `name`, if any."""
        async with self._sessions() as session:
            return await session.scalar(select(AppState.value).where(AppState.name == name))

    async def put(self, name: str, value: str) -> None:
        """Remember `value` under `name`."""
        async with self._sessions() as session:
            await upsert(
                session,
                cast(Table, AppState.__table__),
                {"name": name, "value": value, "updated_at": self._clock.now()},
                ["name"],
            )
            await session.commit()
