"""One place every feature plugs into, so members can see and erase what Hearth keeps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.erasure import Erasure
from bot.i18n import N_

ABOUT = N_("Everything Hearth stores about you, across every server that uses it.")


@dataclass(frozen=True)
class ExportChoice:
    """What the member asked to include in their export."""

    checkin_words: bool = False
    """Include the words, references and pseudonyms of their check-ins (off by default: the file
    would then show anyone who sees it which anonymous posts are theirs)."""


class PersonalDataSource(Protocol):
    """A service that stores something about members."""

    section: str

    def describe(self) -> str:
        """Say in plain words what is stored, for how long, and who can see it (an `N_` text)."""
        ...

    async def export_user(self, session: AsyncSession, user_id: int, choice: ExportChoice) -> Any:
        """Return everything stored about the member, as JSON-ready data."""
        ...

    async def delete_user(self, session: AsyncSession, user_id: int) -> int:
        """Erase what is stored about the member; return how many records were touched."""
        ...


@dataclass(frozen=True)
class DeletionReport:
    """How many records each part erased."""

    per_section: dict[str, int]

    @property
    def total(self) -> int:
        """Return the number of records touched."""
        return sum(self.per_section.values())


class DataRightsService:
    """Exports and deletes a member's data across every feature in one unit of work."""

    def __init__(
        self, sessions: SessionFactory, clock: Clock, erasure: Erasure | None = None
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._erasure = erasure or Erasure(sessions.kw["bind"])
        self._sources: list[PersonalDataSource] = []

    def register(self, source: PersonalDataSource) -> None:
        """Add a feature's data to export, deletion and the privacy notice."""
        if any(existing.section == source.section for existing in self._sources):
            raise ValueError(f"data section {source.section!r} registered twice")
        self._sources.append(source)

    def describe(self) -> list[str]:
        """Return each feature's plain description (catalog text: shown in the reader's language)."""
        return [source.describe() for source in self._sources]

    async def export(self, user_id: int, choice: ExportChoice | None = None) -> dict[str, Any]:
        """Return everything Hearth stores about the member (check-in words only if chosen)."""
        choice = choice or ExportChoice()
        async with self._sessions() as session:
            data = {
                source.section: await source.export_user(session, user_id, choice)
                for source in self._sources
            }
        return {
            "about": ABOUT,
            "user_id": str(user_id),
            "exported_at": self._clock.now().isoformat(),
            "data": data,
        }

    async def delete(self, user_id: int) -> DeletionReport:
        """Erase the member's data across all features, all or nothing."""
        async with self._sessions() as session:
            counts = {
                source.section: await source.delete_user(session, user_id)
                for source in self._sources
            }
            await session.commit()
        await self._erasure.settle()
        return DeletionReport(counts)
