"""The database schema. It changes only through Alembic migrations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Snowflake = BigInteger


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (needed for PostgreSQL migrations)."""

    metadata = MetaData(naming_convention=NAMING)


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


class AgreementVersion(Base):
    """One saved version of a server's group agreement."""

    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("guild_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake, index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    change_kind: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    grace_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AgreementAcceptance(Base):
    """The ledger: who accepted which version, and when."""

    __tablename__ = "agreement_acceptances"
    __table_args__ = (UniqueConstraint("user_id", "version_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    user_id: Mapped[int] = mapped_column(Snowflake)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_versions.id", ondelete="CASCADE"), index=True
    )
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)


Index(
    "ix_agreement_acceptances_guild_user", AgreementAcceptance.guild_id, AgreementAcceptance.user_id
)


class AgreementStanding(Base):
    """Where one member stands with the agreement: role granted, re-acceptance asked."""

    __tablename__ = "agreement_standing"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    accepted_number: Mapped[int] = mapped_column(Integer)
    role_granted: Mapped[bool] = mapped_column(Boolean, default=False)
    asked_number: Mapped[int | None] = mapped_column(Integer)
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    asked_by_dm: Mapped[bool] = mapped_column(Boolean, default=False)
    told_in_app: Mapped[bool] = mapped_column(Boolean, default=False)
    role_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AgreementQuiz(Base):
    """An optional comprehension question asked before acceptance."""

    __tablename__ = "agreement_quiz"

    guild_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    question: Mapped[str] = mapped_column(String(200))
    options: Mapped[list] = mapped_column(JSON)
    correct_index: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[int | None] = mapped_column(Snowflake)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AgreementQuizResult(Base):
    """Pass or fail of one quiz attempt; the answer given is never kept."""

    __tablename__ = "agreement_quiz_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(Snowflake)
    user_id: Mapped[int] = mapped_column(Snowflake, index=True)
    version_number: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


# ----- Crisis signpost ------------------------------------------------------------------------


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


# ----- Anonymous check-ins --------------------------------------------------------------------
# No check-in table holds a member id or name. Tokens are HMACs under a window key; the key row
# is deleted after the window plus its grace period, and with it any way to link a check-in.


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
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


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


# ----- Peer pairing ---------------------------------------------------------------------------
# Profiles hold member ids while a member takes part. What must outlive `/pair leave` so that
# blocks and "no repeat" still hold if they rejoin (history, blocks, group membership, follow-up
# answers) is keyed by a token: HMAC-SHA256 of the member id under the server's random pairing
# key, which cannot be turned back into an id.


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
