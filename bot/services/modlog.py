"""Mirroring the audit trail to each server's moderator-log channel."""

from __future__ import annotations

from typing import Protocol

from bot.services.audit import AuditRecord
from bot.services.settings import SettingsService


class ModlogPort(Protocol):
    """The Discord side: one line in the moderator-log channel."""

    async def post_record(self, channel_id: int, record: AuditRecord) -> None:
        """Post the record in the channel (nothing if it is no longer a text channel)."""
        ...


class ModeratorLog:
    """Posts each committed audit record where the server's moderators chose to read them."""

    def __init__(self, settings: SettingsService, port: ModlogPort) -> None:
        self._settings = settings
        self._port = port

    async def publish(self, record: AuditRecord) -> None:
        """Post the record in the server's moderator-log channel, if it has one."""
        config = await self._settings.get(record.guild_id)
        if config is None or config.modlog_channel_id is None:
            return
        await self._port.post_record(config.modlog_channel_id, record)
