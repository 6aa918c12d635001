"""The audit trail of moderator actions, mirrored to the moderator-log channel."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.models import AuditEntry
from bot.db.queries import rows_changed
from bot.i18n import N_
from bot.ops.refusals import log_failure
from bot.services.data_rights import ExportChoice

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditRecord:
    """One moderator action, as written to the audit table."""

    guild_id: int
    actor_id: int | None
    action: str
    summary: str
    created_at: datetime


Publisher = Callable[[AuditRecord], Awaitable[None]]


class AuditService:
    """Writes moderator actions to the audit table and hands them to the moderator log."""

    section = "moderator_actions"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._publishers: list[Publisher] = []

    def subscribe(self, publisher: Publisher) -> None:
        """Call `publisher` with every record after it was committed."""
        self._publishers.append(publisher)

    def add(
        self,
        session: AsyncSession,
        guild_id: int,
        actor_id: int | None,
        action: str,
        summary: str,
        **detail: Any,
    ) -> AuditRecord:
        """Add an audit row to the caller's unit of work and return the record to publish."""
        now = self._clock.now()
        session.add(
            AuditEntry(
                guild_id=guild_id,
                actor_id=actor_id,
                action=action,
                detail={"summary": summary, **detail},
                created_at=now,
            )
        )
        return AuditRecord(guild_id, actor_id, action, summary, now)

    async def publish(self, *records: AuditRecord) -> None:
        """Hand committed records to the moderator log; a failure there is logged, not raised."""
        for record in records:
            for publisher in self._publishers:
                try:
                    await publisher(record)
                except Exception as error:
                    log_failure(
                        log,
                        logging.WARNING,
                        "Could not post %s to the moderator log",
                        record.action,
                        error=error,
                    )

    # Data rights: moderators' own actions are their data too.
    def describe(self) -> str:
        """Say in plain words what this part stores."""
        return N_(
            "**Moderator actions**: when a moderator changes settings or the agreement, "
            "Hearth notes who did what and when. Moderators can see this; it is kept "
            "while the server uses Hearth."
        )

    async def export_user(
        self, session: AsyncSession, user_id: int, choice: ExportChoice
    ) -> list[dict[str, Any]]:
        """Return the actions this person took as a moderator."""
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.actor_id == user_id).order_by(AuditEntry.id)
        )
        return [
            {
                "server_id": str(row.guild_id),
                "action": row.action,
                "summary": row.detail.get("summary", ""),
                "at": row.created_at.isoformat(),
            }
            for row in rows
        ]

    async def delete_user(self, session: AsyncSession, user_id: int) -> int:
        """Remove the person's id from the actions they took (the actions stay, unnamed)."""
        return await rows_changed(
            session, update(AuditEntry).where(AuditEntry.actor_id == user_id).values(actor_id=None)
        )
