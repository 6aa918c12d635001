"""Server settings, Hearth's own state and the moderators' audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base, Snowflake
from bot.db.types import UTCDateTime


class GuildSettings(Base):
    """Per-server configuration written by `/setup`."""

    __tablename__ = "guild_settings"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    member_role_id: Mapped[int | None] = mapped_column(Snowflake)
    facilitator_role_id: Mapped[int | None] = mapped_column(Snowflake)
    moderator_role_id: Mapped[int | None] = mapped_column(Snowflake)
    welcome_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    checkin_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    circles_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    alerts_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    modlog_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    welcome_message_id: Mapped[int | None] = mapped_column(Snowflake)
    reaccept_grace_days: Mapped[int] = mapped_column(Integer, default=7)
    # The language of public posts (`/setup language`); None follows the server's own locale.
    language: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AppState(Base):
    """Small facts Hearth keeps about itself, e.g. the hash of the commands it last synced."""

    __tablename__ = "app_state"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """A moderator action, kept for accountability."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    actor_id: Mapped[int | None] = mapped_column(Snowflake, index=True)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
