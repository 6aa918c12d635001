"""The crisis signpost: countries, settings, local resources, alerts and limits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base, Snowflake
from bot.db.types import UTCDateTime


class CrisisMemberCountry(Base):
    """The country a member chose for `/crisis` (their data: exported and erased by /mydata)."""

    __tablename__ = "crisis_member_country"

    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    country_code: Mapped[str] = mapped_column(String(2))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CrisisSettings(Base):
    """Per-server crisis settings: default country and the detection opt-ins (off by default)."""

    __tablename__ = "crisis_settings"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    default_country: Mapped[str | None] = mapped_column(String(2))
    detection_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    alert_on_detection: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CrisisResource(Base):
    """A local resource a server's moderators added; shown after the national lines."""

    __tablename__ = "crisis_resources"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 (ids are never reused)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    name: Mapped[str] = mapped_column(String(80))
    reach: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(200))
    country_code: Mapped[str | None] = mapped_column(String(2))
    author_id: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CrisisAlert(Base):
    """A member's request for a check-in; anonymous rows hold nothing that identifies them."""

    __tablename__ = "crisis_alerts"
    # Ids are never reused, so an old card's buttons can't act on a newer request.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    # Named requests only: who asked and where (so a private thread can be opened there).
    user_id: Mapped[int | None] = mapped_column(Snowflake, index=True)
    origin_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    status: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[int | None] = mapped_column(Snowflake)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    backup_by: Mapped[int | None] = mapped_column(Snowflake)
    backup_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel_id: Mapped[int | None] = mapped_column(Snowflake)
    message_id: Mapped[int | None] = mapped_column(Snowflake)
    thread_id: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class CrisisCooldown(Base):
    """When someone last shared or received support resources (for the limits only)."""

    __tablename__ = "crisis_cooldowns"

    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CrisisShareOptOut(Base):
    """A member who asked not to be sent support resources by others."""

    __tablename__ = "crisis_share_optouts"

    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
