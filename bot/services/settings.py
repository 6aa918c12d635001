"""Per-server settings written by `/setup`."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import GuildSettings
from bot.errors import InvalidInput, NotConfigured
from bot.i18n import N_, SHIPPED
from bot.services.audit import AuditRecord, AuditService

ROLE_FIELDS = ("member_role_id", "facilitator_role_id", "moderator_role_id")
CHANNEL_FIELDS = (
    "welcome_channel_id",
    "checkin_channel_id",
    "circles_channel_id",
    "alerts_channel_id",
    "modlog_channel_id",
)
MAX_GRACE_DAYS = 90


@dataclass(frozen=True)
class GuildConfig:
    """A server's settings, detached from the database."""

    guild_id: int
    member_role_id: int | None = None
    facilitator_role_id: int | None = None
    moderator_role_id: int | None = None
    welcome_channel_id: int | None = None
    checkin_channel_id: int | None = None
    circles_channel_id: int | None = None
    alerts_channel_id: int | None = None
    modlog_channel_id: int | None = None
    welcome_message_id: int | None = None
    reaccept_grace_days: int = 7
    language: str | None = None  # public posts' language code (`/setup language`), else Discord's
    updated_at: datetime | None = None

    @classmethod
    def from_row(cls, row: GuildSettings) -> GuildConfig:
        """Copy a database row into a frozen value."""
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


class SettingsService:
    """Reads and changes server settings; every change is audited."""

    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        audit: AuditService,
        reads: SessionFactory | None = None,
    ) -> None:
        self._sessions = sessions
        self._reads = reads or sessions
        self._clock = clock
        self._audit = audit

    async def get(self, guild_id: int) -> GuildConfig | None:
        """Return the server's settings, or None if `/setup` was never run."""
        async with self._reads() as session:
            row = await session.get(GuildSettings, guild_id)
            return GuildConfig.from_row(row) if row else None

    async def get_or_default(self, guild_id: int) -> GuildConfig:
        """Return the server's settings, or the defaults."""
        return await self.get(guild_id) or GuildConfig(guild_id=guild_id)

    async def require(self, guild_id: int, *needed: str) -> GuildConfig:
        """Return the settings, or explain kindly what `/setup` step is missing."""
        config = await self.get(guild_id)
        if config is None:
            raise NotConfigured(
                N_(
                    "Hearth isn't set up in this server yet. "
                    "A moderator can start with `/setup roles`."
                )
            )
        missing = [name for name in needed if getattr(config, name) is None]
        if missing:
            raise NotConfigured(
                N_(
                    "This needs a moderator to finish setting up Hearth first (missing: "
                    "%(missing)s). They can use `/setup roles` and `/setup channels`."
                ),
                missing=", ".join(name.removesuffix("_id").replace("_", " ") for name in missing),
            )
        return config

    async def _row(self, session: AsyncSession, guild_id: int) -> GuildSettings:
        row = await session.get(GuildSettings, guild_id)
        if row is None:
            now = self._clock.now()
            row = GuildSettings(
                guild_id=guild_id, reaccept_grace_days=7, created_at=now, updated_at=now
            )
            session.add(row)
        return row

    async def set_language(self, guild_id: int, actor_id: int, code: str | None) -> GuildConfig:
        """Choose the language of the server's public posts (None: follow Discord's locale)."""
        if code is not None and code not in SHIPPED:
            raise InvalidInput(N_("I don't speak %(code)s yet."), code=code)
        async with self._sessions() as session:
            row = await self._row(session, guild_id)
            row.language = code
            row.updated_at = self._clock.now()
            summary = f"set the server language to {code or 'the server default'}"
            record = self._audit.add(session, guild_id, actor_id, "settings.language", summary)
            await session.commit()
            config = GuildConfig.from_row(row)
        await self._audit.publish(record)
        return config

    async def update(
        self, guild_id: int, actor_id: int, summary: str, **changes: int | None
    ) -> GuildConfig:
        """Change some settings, audit it, and return the new settings."""
        allowed = (
            set(ROLE_FIELDS) | set(CHANNEL_FIELDS) | {"reaccept_grace_days", "welcome_message_id"}
        )
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        grace = changes.get("reaccept_grace_days")
        if grace is not None and not 0 <= grace <= MAX_GRACE_DAYS:
            raise InvalidInput(
                N_("The grace period can be 0 (off) to %(count)s days."), count=MAX_GRACE_DAYS
            )
        async with self._sessions() as session:
            row = await self._row(session, guild_id)
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = self._clock.now()
            record: AuditRecord | None = None
            if summary:
                record = self._audit.add(session, guild_id, actor_id, "settings.update", summary)
            await session.commit()
            config = GuildConfig.from_row(row)
        if record is not None:
            await self._audit.publish(record)
        return config
