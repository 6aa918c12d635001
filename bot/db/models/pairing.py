"""Peer pairing.

Profiles hold member ids while a member takes part. What must outlive `/pair leave` so that
blocks and "no repeat" still hold if they rejoin (history, blocks, group membership, follow-up
answers) is keyed by a token: HMAC-SHA256 of the member id under the server's random pairing
key, which cannot be turned back into an id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base, Snowflake
from bot.db.types import UTCDateTime


class PairingSettings(Base):
    """A server's pairing settings and its random key for member tokens."""

    __tablename__ = "pairing_settings"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    secret: Mapped[bytes] = mapped_column(LargeBinary(32))
    channel_id: Mapped[int | None] = mapped_column(Snowflake)
    weekday: Mapped[int | None] = mapped_column(Integer)
    local_time: Mapped[str | None] = mapped_column(String(5))
    zone: Mapped[str | None] = mapped_column(String(64))
    rounds_before_repeat: Mapped[int] = mapped_column(Integer, default=4)
    allow_trios: Mapped[bool] = mapped_column(Boolean, default=True)
    double_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    topics: Mapped[list] = mapped_column(JSON, default=list)
    followup_days: Mapped[int] = mapped_column(Integer, default=3)
    cadence_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PairingProfile(Base):
    """A member who opted in to pairing in one server."""

    __tablename__ = "pairing_profiles"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    token: Mapped[bytes] = mapped_column(LargeBinary(32))
    zone: Mapped[str] = mapped_column(String(64))
    frequency: Mapped[str] = mapped_column(String(24))
    topics: Mapped[list] = mapped_column(JSON, default=list)
    line: Mapped[str | None] = mapped_column(String(200))
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_indefinitely: Mapped[bool] = mapped_column(Boolean, default=False)
    last_matched_round: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The Discord locale the member last joined or updated pairing in: their invitations and
    # follow-ups are written in it (None: the server's language).
    locale: Mapped[str | None] = mapped_column(String(10))


class PairingBlock(Base):
    """One member never to be matched with another (both known only by token)."""

    __tablename__ = "pairing_blocks"
    __table_args__ = (UniqueConstraint("guild_id", "blocker_token", "blocked_token"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    blocker_token: Mapped[bytes] = mapped_column(LargeBinary(32))
    blocked_token: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PairingRound(Base):
    """One round in one server: matched once, in one unit of work, for one schedule slot."""

    __tablename__ = "pairing_rounds"
    __table_args__ = (
        UniqueConstraint("guild_id", "slot"),
        UniqueConstraint("guild_id", "number", name="uq_pairing_rounds_guild_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    number: Mapped[int] = mapped_column(Integer)
    slot: Mapped[datetime] = mapped_column(UTCDateTime)
    seed: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    eligible: Mapped[int] = mapped_column(Integer, default=0)
    left_out: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PairingGroup(Base):
    """A pair or trio of one round and its private thread once it exists."""

    __tablename__ = "pairing_groups"
    __table_args__ = (UniqueConstraint("round_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pairing_rounds.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), index=True)
    score: Mapped[int] = mapped_column(Integer, default=0)
    # Set just before the thread is created: on a resume, look for a thread of this name first.
    thread_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    thread_id: Mapped[int | None] = mapped_column(Snowflake, index=True)
    introduced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followup_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class PairingGroupMember(Base):
    """One member of a group: their answer to the invitation and to the follow-up."""

    __tablename__ = "pairing_group_members"
    __table_args__ = (UniqueConstraint("group_id", "token"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("pairing_groups.id", ondelete="CASCADE"), index=True
    )
    # The member's id while they take part; cleared by `/pair leave` and `/mydata delete`.
    user_id: Mapped[int | None] = mapped_column(Snowflake, index=True)
    token: Mapped[bytes] = mapped_column(LargeBinary(32))
    # Claimed (`*_sent_at`) before the private message goes out, confirmed once it went out (or
    # could not): a claim left unconfirmed by a stop is looked for in the DMs before resending.
    invite_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invite_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response: Mapped[str | None] = mapped_column(String(16))
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followup_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followup_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followup_answer: Mapped[str | None] = mapped_column(String(16))


class PairingHistory(Base):
    """Two members (by token) who were grouped in a round: no repeat for a while."""

    __tablename__ = "pairing_history"
    __table_args__ = (Index("ix_pairing_history_guild_round", "guild_id", "round_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    token_a: Mapped[bytes] = mapped_column(LargeBinary(32))
    token_b: Mapped[bytes] = mapped_column(LargeBinary(32))
    round_number: Mapped[int] = mapped_column(Integer)


class PairingNotice(Base):
    """A private message owed to a member about a round (left out, or their match fell through)."""

    __tablename__ = "pairing_notices"
    __table_args__ = (UniqueConstraint("round_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pairing_rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(Snowflake, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure: Mapped[str | None] = mapped_column(String(32))
