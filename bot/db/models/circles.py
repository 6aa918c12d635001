"""Support circles: meetings, answers, reminders, talking order, notes and feedback."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base, Snowflake
from bot.db.types import UTCDateTime


class Circle(Base):
    """A scheduled support circle; its schedule segments are data the pure domain rebuilds."""

    __tablename__ = "circles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    voice_channel_id: Mapped[int] = mapped_column(Snowflake)
    capacity: Mapped[int | None] = mapped_column(Integer)
    # [{"zone", "first_date", "start_time", "duration_minutes", "rule", "nth", "starts_at"}]
    segments: Mapped[list] = mapped_column(JSON)
    until: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    lead_minutes: Mapped[list] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Open the room only to those who said yes (member overwrites) instead of the member role.
    yes_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CircleOccurrence(Base):
    """The state of one meeting of a circle: skipped, and where it was announced."""

    __tablename__ = "circle_occurrences"
    __table_args__ = (UniqueConstraint("circle_id", "meeting_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    meeting_index: Mapped[int] = mapped_column(Integer)
    local_date: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    announcement_message_id: Mapped[int | None] = mapped_column(Snowflake)
    scheduled_event_id: Mapped[int | None] = mapped_column(Snowflake)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The one talking-order message, edited as the queue changes.
    queue_channel_id: Mapped[int | None] = mapped_column(Snowflake)
    queue_message_id: Mapped[int | None] = mapped_column(Snowflake)
    speaker_id: Mapped[int | None] = mapped_column(Snowflake)


class CircleRoomOverwrite(Base):
    """A voice-room overwrite that opening a meeting changed: as it was, and as opening wrote it.

    Written before the change is made on Discord and erased once closing has put it back, so a
    restart in between changes nothing. No `before_*` means there was no such overwrite.
    """

    __tablename__ = "circle_room_overwrites"

    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("circle_occurrences.id", ondelete="CASCADE"), primary_key=True
    )
    target_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    target_type: Mapped[int] = mapped_column(Integer)  # 0 a role, 1 a member
    before_allow: Mapped[int | None] = mapped_column(BigInteger)
    before_deny: Mapped[int | None] = mapped_column(BigInteger)
    written_allow: Mapped[int] = mapped_column(BigInteger)
    written_deny: Mapped[int] = mapped_column(BigInteger)


class CircleRsvp(Base):
    """A member's answer for one meeting: yes, no, or waitlist with a place in the queue."""

    __tablename__ = "circle_rsvps"
    __table_args__ = (UniqueConstraint("occurrence_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("circle_occurrences.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(Snowflake, index=True)
    status: Mapped[str] = mapped_column(String(16))
    position: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Moved up from the waitlist by something that could not tell them (e.g. /mydata delete).
    notify_promoted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The Discord locale the member answered in: their reminders' language (None: the server's).
    locale: Mapped[str | None] = mapped_column(String(10))


class CircleReminderDelivery(Base):
    """One reminder to one member for one meeting, claimed before it is sent."""

    __tablename__ = "circle_reminder_deliveries"
    __table_args__ = (UniqueConstraint("occurrence_id", "user_id", "lead_minutes"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("circle_occurrences.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(Snowflake, index=True)
    lead_minutes: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure: Mapped[str | None] = mapped_column(String(64))


class CircleSettings(Base):
    """Per-server circle settings (defaults when no row exists)."""

    __tablename__ = "circle_settings"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    events_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    feedback_min_answers: Mapped[int] = mapped_column(Integer, default=5)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CircleHand(Base):
    """A raised hand in one meeting's talking order; the order is the id order."""

    __tablename__ = "circle_hands"
    __table_args__ = (UniqueConstraint("occurrence_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("circle_occurrences.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(Snowflake, index=True)


class CircleNote(Base):
    """A few written words for the facilitator to read aloud; anonymous ones have no author."""

    __tablename__ = "circle_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("circle_occurrences.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(Snowflake, index=True)
    text: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CircleFeedbackVoter(Base):
    """That a member answered a meeting's feedback (never what); erased when feedback closes."""

    __tablename__ = "circle_feedback_voters"

    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("circle_occurrences.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)


class CircleFeedback(Base):
    """One meeting's anonymous feedback as a tally: counts per rating and words in random order.

    There is no row per answer, so no id, rowid or insertion order can tie an answer to a voter.
    """

    __tablename__ = "circle_feedback"

    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("circle_occurrences.id", ondelete="CASCADE"), primary_key=True
    )
    ratings: Mapped[list] = mapped_column(JSON)  # [count of 1s, ..., count of 5s]
    words: Mapped[list] = mapped_column(JSON)  # each new answer's words at a random place
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
