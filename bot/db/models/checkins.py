"""Anonymous check-ins.

No check-in table holds a member id or name. Tokens are HMACs under a window key; the key
row is deleted after the window plus its grace period, and with it any way to link a check-in.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base, Snowflake
from bot.db.types import UTCDateTime


class CheckinSettings(Base):
    """Per-server check-in settings (defaults when no row exists)."""

    __tablename__ = "checkin_settings"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    max_delay_seconds: Mapped[int] = mapped_column(Integer, default=180)
    daily_limit: Mapped[int] = mapped_column(Integer, default=3)
    threads: Mapped[bool] = mapped_column(Boolean, default=True)
    reveal_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    window_days: Mapped[int] = mapped_column(Integer, default=7)
    grace_days: Mapped[int] = mapped_column(Integer, default=7)
    summary_min_members: Mapped[int] = mapped_column(Integer, default=5)
    note_retention_days: Mapped[int] = mapped_column(Integer, default=30)
    post_retention_days: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CheckinWindow(Base):
    """One rotation window's secret key; deleting the row is what makes check-ins unlinkable."""

    __tablename__ = "checkin_windows"
    __table_args__ = (UniqueConstraint("guild_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    destroy_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary(32))


class Checkin(Base):
    """A check-in, from queued to posted; identity only ever as a token or sealed under a key."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("guild_id", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    ref: Mapped[str] = mapped_column(String(8))
    window_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkin_windows.id", ondelete="SET NULL"), index=True
    )
    author_token: Mapped[bytes | None] = mapped_column(LargeBinary(32), index=True)
    pseudonym: Mapped[str] = mapped_column(String(64))
    mood: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    alert_moderators: Mapped[bool] = mapped_column(Boolean, default=False)
    reveal_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim: Mapped[str | None] = mapped_column(String(32))
    channel_id: Mapped[int | None] = mapped_column(Snowflake)
    message_id: Mapped[int | None] = mapped_column(Snowflake, index=True)
    thread_id: Mapped[int | None] = mapped_column(Snowflake)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The author, sealed under the window key: only while waiting to be posted.
    sealed_author: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The author, sealed under the window key for a reveal: only where the server allows one.
    reveal_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    note_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    post_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    report_message_id: Mapped[int | None] = mapped_column(Snowflake)


class CheckinAlias(Base):
    """The pseudonym a token got in one window (so two members never share a name there)."""

    __tablename__ = "checkin_aliases"
    __table_args__ = (UniqueConstraint("window_id", "pseudonym"),)

    window_id: Mapped[int] = mapped_column(
        ForeignKey("checkin_windows.id", ondelete="CASCADE"), primary_key=True
    )
    author_token: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64))


class CheckinBlock(Base):
    """An author paused from posting, known only by their token in one window."""

    __tablename__ = "checkin_blocks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    window_id: Mapped[int] = mapped_column(
        ForeignKey("checkin_windows.id", ondelete="CASCADE"), index=True
    )
    author_token: Mapped[bytes] = mapped_column(LargeBinary(32), index=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CheckinNotice(Base):
    """A private message for an author Hearth cannot name; shown at their next command."""

    __tablename__ = "checkin_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    window_id: Mapped[int] = mapped_column(
        ForeignKey("checkin_windows.id", ondelete="CASCADE"), index=True
    )
    author_token: Mapped[bytes] = mapped_column(LargeBinary(32), index=True)
    text: Mapped[str] = mapped_column(String(700))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CheckinReveal(Base):
    """A moderator's request to reveal who wrote one check-in; a second moderator decides."""

    __tablename__ = "checkin_reveals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    checkin_id: Mapped[int] = mapped_column(
        ForeignKey("checkins.id", ondelete="CASCADE"), index=True
    )
    requested_by: Mapped[int | None] = mapped_column(Snowflake)
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CheckinHistory(Base):
    """A member's own mood on a day, kept only if they opted in (never the note, never the time)."""

    __tablename__ = "checkin_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Snowflake, index=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    day: Mapped[date] = mapped_column(Date)
    mood: Mapped[int] = mapped_column(Integer)


class CheckinPreference(Base):
    """A member's check-in choices in one server: personal history and reminders."""

    __tablename__ = "checkin_preferences"

    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    keep_history: Mapped[bool] = mapped_column(Boolean, default=False)
    reminder_zone: Mapped[str | None] = mapped_column(String(64))
    reminder_time: Mapped[str | None] = mapped_column(String(5))
    reminder_days: Mapped[int | None] = mapped_column(Integer)
    reminder_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    reminder_locale: Mapped[str | None] = mapped_column(String(10))
    """The Discord locale the member set the reminder in: its DMs speak that language."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
