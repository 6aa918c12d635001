"""Anonymous check-ins: posting, undo, limits, moderation, reveal, history, reminders, summary.

Nothing here stores who wrote a check-in. A member is known to a check-in only through an
author token (an HMAC under the rotation window's random key) and, while the post is waiting,
their id sealed under that same key. Deleting the key row (see CheckinDeliveryService.tidy)
destroys every way to link a check-in to its author.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import random
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, delete, func, insert, null, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.erasure import Erasure
from bot.db.models import (
    Checkin,
    CheckinAlias,
    CheckinBlock,
    CheckinHistory,
    CheckinNotice,
    CheckinPreference,
    CheckinReveal,
    CheckinSettings,
    CheckinWindow,
    GuildSettings,
)
from bot.db.queries import insert_ignore
from bot.domain import checkins as domain
from bot.domain.pseudonyms import author_token, pseudonym
from bot.errors import InvalidInput, NotAllowed, NotConfigured, NotFound, RateLimited
from bot.services.agreement import AgreementService
from bot.services.audit import AuditService
from bot.services.checkins.keys import new_window_key, open_author, seal_author
from bot.services.data_rights import ExportChoice
from bot.services.zones import require_zone

log = logging.getLogger(__name__)

PENDING, POSTING, POSTED, FAILED, REMOVED = "pending", "posting", "posted", "failed", "removed"
REVEAL_PENDING, REVEAL_APPROVED, REVEAL_DECLINED, REVEAL_EXPIRED = (
    "pending",
    "approved",
    "declined",
    "expired",
)
SEAL_PENDING, SEAL_REVEAL = "pending", "reveal"
RATE_WINDOW = timedelta(hours=24)
MAX_PAUSE_DAYS = 7
HISTORY_DAYS = 90
REMINDER_LATE_LIMIT = timedelta(hours=1)
SUMMARY_PERIOD = timedelta(days=7)

# Setting name -> (lowest, highest) allowed.
SETTING_RANGES: Mapping[str, tuple[int, int]] = {
    "max_delay_seconds": (0, 15 * 60),
    "daily_limit": (1, 10),
    "window_days": (1, 28),
    "grace_days": (2, 30),
    "summary_min_members": (3, 50),
    "note_retention_days": (1, 365),
    "post_retention_days": (0, 365),
}


# ----- values ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckinConfig:
    """A server's check-in settings (the defaults when never changed)."""

    guild_id: int
    max_delay_seconds: int = 180
    daily_limit: int = 3
    threads: bool = True
    reveal_enabled: bool = False
    window_days: int = 7
    grace_days: int = 7
    summary_min_members: int = 5
    note_retention_days: int = 30
    post_retention_days: int | None = None

    @classmethod
    def from_row(cls, row: CheckinSettings | None, guild_id: int) -> CheckinConfig:
        """Copy a settings row, or return the defaults."""
        if row is None:
            return cls(guild_id=guild_id)
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class Opening:
    """What the check-in form tells the member before they write."""

    reveal_enabled: bool
    max_delay_seconds: int
    keep_history: bool


@dataclass(frozen=True)
class Receipt:
    """What the member is told, privately, once their check-in is safely queued."""

    checkin_id: int
    ref: str
    pseudonym: str
    mood: int
    channel_id: int
    due_at: datetime
    unlinkable_at: datetime
    reveal_enabled: bool
    note_retention_days: int
    post_retention_days: int | None
    history_kept: bool
    show_crisis_card: bool


@dataclass(frozen=True)
class CheckinPost:
    """A check-in as moderators may see it: never who wrote it."""

    id: int
    ref: str
    guild_id: int
    status: str
    pseudonym: str
    mood: int
    channel_id: int | None
    message_id: int | None
    thread_id: int | None
    posted_at: datetime | None
    reveal_possible: bool
    report_count: int
    report_message_id: int | None


@dataclass(frozen=True)
class Pause:
    """A pause on an author nobody can name."""

    post: CheckinPost
    until: datetime
    shortened: bool


@dataclass(frozen=True)
class RevealRequest:
    """A moderator's request to reveal, waiting for a second moderator."""

    id: int
    post: CheckinPost
    requested_by: int
    reason: str
    expires_at: datetime


@dataclass(frozen=True)
class Revealed:
    """The outcome of an approved reveal (shown only to the two moderators and the author)."""

    request: RevealRequest
    approved_by: int
    author_id: int


@dataclass(frozen=True)
class History:
    """A member's own moods, if they chose to keep them."""

    kept: bool
    days: int
    today: date
    entries: tuple[tuple[date, int], ...]

    @property
    def per_day(self) -> dict[date, int]:
        """Return one mood per day."""
        return domain.daily_moods(self.entries)

    @property
    def words(self) -> str:
        """Say in simple words how the days went."""
        return domain.history_words(self.entries, self.today, self.days)


@dataclass(frozen=True)
class Reminder:
    """A member's reminder choice."""

    guild_id: int
    zone: str
    at: str
    days: frozenset[int]
    next_at: datetime


@dataclass(frozen=True)
class ReminderDue:
    """A reminder to send now."""

    user_id: int
    guild_id: int
    slot: datetime


@dataclass(frozen=True)
class CommunitySummary:
    """How the community has been over the last week, if enough members checked in."""

    summary: domain.MoodSummary | None
    k: int
    since: datetime


class CrisisDetection(Protocol):
    """What the crisis feature says about a note."""

    show_card: bool
    alert_moderators: bool


class CrisisDetector(Protocol):
    """The crisis feature's opt-in detection (servers choose; off by default)."""

    async def detection(self, guild_id: int, text: str) -> CrisisDetection:
        """Say whether to show the author the card, and whether to alert moderators."""
        ...


class CheckinStoreError(Exception):
    """The check-in could not be stored (the database error is not chained: it holds the note)."""


# ----- helpers shared with the delivery service ----------------------------------------------
async def load_config(session: AsyncSession, guild_id: int) -> CheckinConfig:
    """Return the server's check-in settings."""
    return CheckinConfig.from_row(await session.get(CheckinSettings, guild_id), guild_id)


@dataclass(frozen=True)
class WindowKey:
    """A rotation window and its key, as read from its row (kept in memory while it lives)."""

    id: int
    guild_id: int
    starts_at: datetime
    ends_at: datetime
    destroy_at: datetime
    secret: bytes = field(repr=False)


_WINDOW_COLUMNS = (
    CheckinWindow.id,
    CheckinWindow.guild_id,
    CheckinWindow.starts_at,
    CheckinWindow.ends_at,
    CheckinWindow.destroy_at,
    CheckinWindow.secret,
)


async def live_windows(
    source: AsyncSession | AsyncConnection, guild_id: int, now: datetime
) -> list[WindowKey]:
    """Return the windows of a server whose keys still exist (not yet past window + grace)."""
    connection = source if isinstance(source, AsyncConnection) else await source.connection()
    rows = await connection.execute(
        select(*_WINDOW_COLUMNS)
        .where(CheckinWindow.guild_id == guild_id, CheckinWindow.destroy_at > now)
        .order_by(CheckinWindow.starts_at)
    )
    return [WindowKey(*row) for row in rows]


def tokens_for(windows: Iterable[WindowKey], guild_id: int, user_id: int) -> dict[int, bytes]:
    """Return the member's author token in each window."""
    return {w.id: author_token(w.secret, guild_id, user_id) for w in windows}


def _post(row: Checkin, window: CheckinWindow | WindowKey | None, now: datetime) -> CheckinPost:
    return CheckinPost(
        id=row.id,
        ref=row.ref,
        guild_id=row.guild_id,
        status=row.status,
        pseudonym=row.pseudonym,
        mood=row.mood,
        channel_id=row.channel_id,
        message_id=row.message_id,
        thread_id=row.thread_id,
        posted_at=row.posted_at,
        reveal_possible=bool(row.reveal_sealed and window is not None and window.destroy_at > now),
        report_count=row.report_count,
        report_message_id=row.report_message_id,
    )


def _context_statement(tokens_count: int) -> Select[Any]:
    """Build the one read a check-in needs: channel, settings, choices, pause and recent count."""
    guild, user = bindparam("guild_id"), bindparam("user_id")
    columns: list[Any] = [
        GuildSettings.checkin_channel_id,
        CheckinSettings.guild_id,
        *(getattr(CheckinSettings, name) for name in _CONFIG_NAMES),
        CheckinPreference.keep_history,
    ]
    if tokens_count:
        tokens = [bindparam(f"token_{n}") for n in range(tokens_count)]
        # No guild condition: a token is an HMAC of the guild and member under one of this
        # guild's window keys, so it names the guild already; with one, SQLite walks the
        # guild's index (every check-in the server has) instead of the token's.
        recent = Checkin.author_token.in_(tokens) & (Checkin.created_at > bindparam("since"))
        columns += [
            select(func.max(CheckinBlock.until))
            .where(
                CheckinBlock.guild_id == guild,
                CheckinBlock.author_token.in_(tokens),
                CheckinBlock.until > bindparam("now"),
            )
            .scalar_subquery(),
            select(func.count(Checkin.id)).where(recent).scalar_subquery(),
            select(func.min(Checkin.created_at)).where(recent).scalar_subquery(),
        ]
    else:
        columns += [null(), null(), null()]
    return (
        select(*columns)
        .select_from(GuildSettings)
        .outerjoin(CheckinSettings, CheckinSettings.guild_id == GuildSettings.guild_id)
        .outerjoin(
            CheckinPreference,
            (CheckinPreference.guild_id == GuildSettings.guild_id)
            & (CheckinPreference.user_id == user),
        )
        .where(GuildSettings.guild_id == guild)
    )


_CONFIG_NAMES = tuple(f.name for f in fields(CheckinConfig) if f.name != "guild_id")


@dataclass
class _Context:
    """What a check-in reads before anything is decided."""

    channel_id: int
    config: CheckinConfig
    keep_history: bool
    windows: list[WindowKey]
    tokens: dict[int, bytes]
    paused_until: datetime | None
    recent_count: int
    recent_oldest: datetime | None


async def _read_context(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime
) -> _Context:
    """Read the channel, the settings, the member's choices, pauses and recent count."""
    windows = await live_windows(session, guild_id, now)
    tokens = tokens_for(windows, guild_id, user_id)
    parameters: dict[str, Any] = {"guild_id": guild_id, "user_id": user_id}
    if tokens:
        parameters.update({f"token_{n}": token for n, token in enumerate(tokens.values())})
        parameters.update(now=now, since=now - RATE_WINDOW)
    found = (await session.execute(_context_statement(len(tokens)), parameters)).first()
    if found is None or found[0] is None:
        raise NotConfigured(
            "Check-ins aren't open here yet: a moderator needs to choose the check-in "
            "channel with `/setup channels`."
        )
    channel_id, settings_guild, *values = found[: 2 + len(_CONFIG_NAMES)]
    keep_history, paused_until, count, oldest = found[2 + len(_CONFIG_NAMES) :]
    config = (
        CheckinConfig(guild_id)
        if settings_guild is None
        else CheckinConfig(guild_id, **dict(zip(_CONFIG_NAMES, values, strict=True)))
    )
    return _Context(
        channel_id, config, bool(keep_history), windows, tokens, paused_until, count or 0, oldest
    )


async def _check_may_post(session: AsyncSession, guild_id: int, context: _Context) -> None:
    """Refuse kindly if this (unnamed) author is paused or has posted enough for today."""
    if context.paused_until is not None:
        block = (
            await session.execute(
                select(CheckinBlock.until, CheckinBlock.reason)
                .where(
                    CheckinBlock.guild_id == guild_id,
                    CheckinBlock.author_token.in_(list(context.tokens.values())),
                )
                .order_by(CheckinBlock.until.desc())
                .limit(1)
            )
        ).first()
        reason = block.reason if block is not None else ""
        until = _aware(block.until if block is not None else context.paused_until)
        raise NotAllowed(
            "The moderators have paused check-ins from you until "
            f"<t:{int(until.timestamp())}:f>. "
            f"They didn't learn who you are. Their reason: {reason or 'none given'}. "
            "If you need support now, `/crisis` lists people you can reach."
        )
    count = context.recent_count
    if count >= context.config.daily_limit and context.recent_oldest is not None:
        again = _aware(context.recent_oldest) + RATE_WINDOW
        raise RateLimited(
            f"You've shared {count} check-ins in the last day, which is as many as this "
            f"server allows for now. You can check in again <t:{int(again.timestamp())}:R>. "
            "Take care of yourself in the meantime 💛 — and if things feel heavy right now, "
            "`/crisis` has people you can reach."
        )


async def _current_window(
    session: AsyncSession, context: _Context, guild_id: int, user_id: int, now: datetime
) -> WindowKey:
    """Return the window holding `now`, creating it (and its key) when a new one begins."""
    for window in context.windows:
        if window.starts_at <= now < window.ends_at:
            return window
    last_end = max((w.ends_at for w in context.windows), default=None)
    if last_end is None:
        last_end = await session.scalar(
            select(func.max(CheckinWindow.ends_at)).where(CheckinWindow.guild_id == guild_id)
        )
    start, end = domain.window_bounds(now, context.config.window_days, last_end)
    await insert_ignore(
        session,
        CheckinWindow.__table__,
        {
            "guild_id": guild_id,
            "starts_at": start,
            "ends_at": end,
            "destroy_at": end + timedelta(days=context.config.grace_days),
            "secret": new_window_key(),
        },
        ["guild_id", "starts_at"],
    )
    found = (
        await session.execute(
            select(*_WINDOW_COLUMNS).where(
                CheckinWindow.guild_id == guild_id, CheckinWindow.starts_at == start
            )
        )
    ).first()
    if found is None:  # pragma: no cover - the insert above guarantees a row
        raise LookupError("no current check-in window")
    window = WindowKey(*found)
    context.windows.append(window)
    context.tokens[window.id] = author_token(window.secret, guild_id, user_id)
    return window


async def _pseudonym(session: AsyncSession, window: WindowKey, token: bytes) -> str:
    """Return the member's pseudonym in this window, giving one no one else has yet."""
    mine = await session.scalar(
        select(CheckinAlias.pseudonym).where(
            CheckinAlias.window_id == window.id, CheckinAlias.author_token == token
        )
    )
    if mine is not None:
        return mine
    candidates = [pseudonym(token, n) for n in range(64)]
    taken = set(
        await session.scalars(
            select(CheckinAlias.pseudonym).where(
                CheckinAlias.window_id == window.id, CheckinAlias.pseudonym.in_(candidates)
            )
        )
    )
    name = next(
        (candidate for candidate in candidates if candidate not in taken),
        f"{candidates[0]} {secrets.randbelow(900) + 100}",
    )
    # The unique (window, pseudonym) constraint decides if another writer took it meanwhile.
    await session.execute(
        insert(CheckinAlias).values(window_id=window.id, author_token=token, pseudonym=name)
    )
    return name


def _aware(value: datetime) -> datetime:
    """Return a UTC datetime read through an aggregate (SQLite may hand back a naive one)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _clean_reason(reason: str | None, limit: int = 300) -> str:
    return " ".join((reason or "").split())[:limit]


class CheckinService:
    """Decides everything about check-ins; cogs only show and ask."""

    section = "checkins"

    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        audit: AuditService,
        agreement: AgreementService,
        crisis: CrisisDetector | None = None,
        rng: random.Random | None = None,
        gate: asyncio.Lock | None = None,
        erasure: Erasure | None = None,
        reads: SessionFactory | None = None,
    ) -> None:
        self._sessions = sessions
        self._reads = reads or sessions
        self._clock = clock
        self._audit = audit
        self._agreement = agreement
        self.erasure = erasure or Erasure(sessions.kw["bind"])
        self.crisis = crisis
        self.rng = rng or random.SystemRandom()
        # This process's check-in writers (posting and delivery) take turns here rather than in
        # SQLite's busy handler, which sleeps in coarse steps while another writer holds the
        # lock. Another process still waits in the busy handler; the database decides.
        self.gate = gate or asyncio.Lock()

    # ----- settings --------------------------------------------------------------------------
    async def config(self, guild_id: int) -> CheckinConfig:
        """Return the server's check-in settings."""
        async with self._reads() as session:
            return await load_config(session, guild_id)

    async def update_settings(
        self, guild_id: int, actor_id: int, **changes: int | bool | None
    ) -> CheckinConfig:
        """Change settings (audited). Turning reveal off erases every sealed id kept for it."""
        known = {f.name for f in fields(CheckinConfig)} - {"guild_id"}
        if set(changes) - known:
            raise ValueError(f"unknown settings: {sorted(set(changes) - known)}")
        changes = {k: v for k, v in changes.items() if v is not None}
        if not changes:
            raise InvalidInput("Choose at least one setting to change.")
        for name, value in changes.items():
            if name in SETTING_RANGES:
                low, high = SETTING_RANGES[name]
                if not isinstance(value, int) or not low <= value <= high:
                    raise InvalidInput(f"{name.replace('_', ' ')} must be {low} to {high}.")
        if changes.get("post_retention_days") == 0:
            changes["post_retention_days"] = None
        now = self._clock.now()
        async with self._sessions() as session:
            row = await session.get(CheckinSettings, guild_id)
            if row is None:
                defaults = CheckinConfig(guild_id)
                row = CheckinSettings(
                    **{f.name: getattr(defaults, f.name) for f in fields(CheckinConfig)},
                    updated_at=now,
                )
                session.add(row)
            before = CheckinConfig.from_row(row, guild_id)
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = now
            after = CheckinConfig.from_row(row, guild_id)
            if before.reveal_enabled and not after.reveal_enabled:
                # The promise shrinks: erase what a reveal would have needed, now.
                await session.execute(
                    update(Checkin)
                    .where(Checkin.guild_id == guild_id, Checkin.reveal_sealed.is_not(None))
                    .values(reveal_sealed=None)
                )
                await session.execute(
                    update(CheckinReveal)
                    .where(
                        CheckinReveal.guild_id == guild_id,
                        CheckinReveal.status == REVEAL_PENDING,
                    )
                    .values(status=REVEAL_EXPIRED, decided_at=now)
                )
            if after.grace_days < before.grace_days:
                # A shorter grace period applies to existing windows too (never a longer one).
                windows = await session.scalars(
                    select(CheckinWindow).where(CheckinWindow.guild_id == guild_id)
                )
                for window in windows:
                    window.destroy_at = min(
                        window.destroy_at, window.ends_at + timedelta(days=after.grace_days)
                    )
            summary = "changed check-in settings: " + describe_changes(before, after)
            record = self._audit.add(session, guild_id, actor_id, "checkins.settings", summary)
            await session.commit()
        await self._audit.publish(record)
        return after

    # ----- posting ---------------------------------------------------------------------------
    async def open(self, guild_id: int, user_id: int) -> Opening:
        """Check the member may check in now (before they write), and say what applies.

        Only reads (no write lock is waited for), so the form opens at once even while others
        are storing.
        """
        await self._agreement.require_agreement(guild_id, user_id)
        now = self._clock.now()
        async with self._reads() as session:
            context = await _read_context(session, guild_id, user_id, now)
            await _check_may_post(session, guild_id, context)
        config = context.config
        return Opening(config.reveal_enabled, config.max_delay_seconds, context.keep_history)

    async def submit(self, guild_id: int, user_id: int, mood: int, note: str | None) -> Receipt:
        """Store a check-in from a form `open` allowed, queued for posting after a random delay.

        Limits and pauses are checked again here, in the same unit of work as the insert. The
        member is told only once it is committed (stored before told).
        """
        try:
            domain.mood(mood)
        except ValueError as error:
            raise InvalidInput("Please choose how you're doing, from 1 to 5.") from error
        try:
            cleaned = domain.clean_note(note)
        except ValueError:
            raise InvalidInput(
                f"Your note is a little long: please keep it to {domain.NOTE_MAX} characters."
            ) from None
        detection = None
        if cleaned and self.crisis is not None:
            detection = await self.crisis.detection(guild_id, cleaned)
        now = self._clock.now()
        async with self.gate:
            for attempt in range(3):
                try:
                    receipt = await self._store(guild_id, user_id, mood, cleaned, now, detection)
                    break
                except IntegrityError:
                    # A reference, a pseudonym or a window another writer took meanwhile.
                    if attempt == 2:
                        raise CheckinStoreError("the check-in could not be stored") from None
                except SQLAlchemyError:
                    # The database error would carry the note in its parameters: never chain it.
                    raise CheckinStoreError("the check-in could not be stored") from None
        log.info("Queued check-in %s in guild %s", receipt.checkin_id, guild_id)
        return receipt

    async def _store(
        self,
        guild_id: int,
        user_id: int,
        mood: int,
        note: str | None,
        now: datetime,
        detection: CrisisDetection | None,
    ) -> Receipt:
        async with self._sessions() as session:
            context = await _read_context(session, guild_id, user_id, now)
            await _check_may_post(session, guild_id, context)
            window = await _current_window(session, context, guild_id, user_id, now)
            token = context.tokens[window.id]
            name = await _pseudonym(session, window, token)
            config = context.config
            due = now + domain.delivery_delay(config.max_delay_seconds, self.rng)
            values = {
                "guild_id": guild_id,
                # Unique per server; a clash (about one in 10^9) fails the insert and is retried.
                "ref": domain.public_ref(secrets.token_bytes(8)),
                "mood": mood,
                "note": note,
                "status": PENDING,
                "alert_moderators": bool(detection and detection.alert_moderators),
                "created_at": now,
                "attempts": 0,
                "report_count": 0,
                "window_id": window.id,
                "author_token": token,
                "pseudonym": name,
                "reveal_allowed": config.reveal_enabled,
                "due_at": due,
                "next_attempt_at": due,
                "sealed_author": seal_author(
                    window.secret, SEAL_PENDING, guild_id, window.id, user_id
                ),
                "reveal_sealed": (
                    seal_author(window.secret, SEAL_REVEAL, guild_id, window.id, user_id)
                    if config.reveal_enabled
                    else None
                ),
            }
            checkin_id = await session.scalar(insert(Checkin).values(values).returning(Checkin.id))
            if context.keep_history:  # the day and the mood, never the note or the minute
                await session.execute(
                    insert(CheckinHistory).values(
                        user_id=user_id, guild_id=guild_id, day=now.date(), mood=mood
                    )
                )
            await session.commit()
        return Receipt(
            checkin_id=int(checkin_id or 0),
            ref=values["ref"],
            pseudonym=name,
            mood=mood,
            channel_id=context.channel_id,
            due_at=due,
            unlinkable_at=window.destroy_at,
            reveal_enabled=config.reveal_enabled,
            note_retention_days=config.note_retention_days,
            post_retention_days=config.post_retention_days,
            history_kept=context.keep_history,
            show_crisis_card=bool(detection and detection.show_card),
        )

    async def undo(self, guild_id: int, checkin_id: int, user_id: int) -> None:
        """Take back a check-in that has not been posted yet; it is erased entirely."""
        async with self._sessions() as session:
            row = await session.get(Checkin, checkin_id)
            window = await session.get(CheckinWindow, row.window_id) if row else None
            if row is None or row.guild_id != guild_id or window is None:
                raise NotFound("That check-in isn't waiting any more, so there is nothing to undo.")
            mine = hmac.compare_digest(
                row.author_token or b"", author_token(window.secret, guild_id, user_id)
            )
            if not mine:
                raise NotAllowed("Only the person who wrote a check-in can undo it.")
            if row.status != PENDING:
                raise NotFound(
                    "It has already been posted, so it can't be undone from here. "
                    "A moderator can remove it if you ask them (they won't learn it was yours "
                    "unless you tell them)."
                )
            await session.execute(
                delete(CheckinHistory).where(
                    CheckinHistory.id
                    == select(func.max(CheckinHistory.id))
                    .where(
                        CheckinHistory.user_id == user_id,
                        CheckinHistory.guild_id == guild_id,
                        CheckinHistory.day == row.created_at.date(),
                        CheckinHistory.mood == row.mood,
                    )
                    .scalar_subquery()
                )
            )
            await session.delete(row)
            await session.commit()
        log.info("Check-in %s was undone before posting in guild %s", checkin_id, guild_id)
        await self.erasure.settle()

    # ----- notices for authors nobody can name ----------------------------------------------
    async def _mark_notices_delivered(
        self, session: AsyncSession, guild_id: int, tokens: dict[int, bytes], now: datetime
    ) -> list[str]:
        rows = list(
            await session.scalars(
                select(CheckinNotice)
                .where(
                    CheckinNotice.guild_id == guild_id,
                    CheckinNotice.author_token.in_(list(tokens.values())),
                    CheckinNotice.delivered_at.is_(None),
                )
                .order_by(CheckinNotice.id)
            )
        )
        for row in rows:
            row.delivered_at = now
        return [row.text for row in rows]

    async def has_undelivered_notices(self, guild_id: int) -> bool:
        """Say cheaply whether anyone in this server has a notice waiting."""
        async with self._reads() as session:
            found = await session.scalar(
                select(CheckinNotice.id)
                .where(CheckinNotice.guild_id == guild_id, CheckinNotice.delivered_at.is_(None))
                .limit(1)
            )
        return found is not None

    async def take_notices(self, guild_id: int, user_id: int) -> list[str]:
        """Return (once) the notices waiting for this member, found through their tokens."""
        now = self._clock.now()
        async with self._sessions() as session:
            tokens = tokens_for(await live_windows(session, guild_id, now), guild_id, user_id)
            texts = await self._mark_notices_delivered(session, guild_id, tokens, now)
            await session.commit()
        return texts

    async def leave_notice(self, checkin_id: int, text_: str) -> bool:
        """Queue a private notice for a check-in's author, shown at their next command."""
        now = self._clock.now()
        async with self._sessions() as session:
            row = await session.get(Checkin, checkin_id)
            if row is None or row.window_id is None or row.author_token is None:
                return False
            session.add(
                CheckinNotice(
                    guild_id=row.guild_id,
                    window_id=row.window_id,
                    author_token=row.author_token,
                    text=text_[:700],
                    created_at=now,
                )
            )
            await session.commit()
        return True

    # ----- moderation --------------------------------------------------------------------
    async def find_post(self, guild_id: int, message_id: int) -> CheckinPost:
        """Return the check-in behind a posted message."""
        now = self._clock.now()
        async with self._sessions() as session:
            row = await session.scalar(
                select(Checkin).where(
                    Checkin.guild_id == guild_id, Checkin.message_id == message_id
                )
            )
            if row is None:
                raise NotFound("That message isn't an anonymous check-in Hearth knows about.")
            window = await session.get(CheckinWindow, row.window_id) if row.window_id else None
            return _post(row, window, now)

    async def post(self, guild_id: int, checkin_id: int) -> CheckinPost:
        """Return one check-in of this server."""
        now = self._clock.now()
        async with self._sessions() as session:
            row = await session.get(Checkin, checkin_id)
            if row is None or row.guild_id != guild_id:
                raise NotFound("That check-in is no longer in Hearth's records.")
            window = await session.get(CheckinWindow, row.window_id) if row.window_id else None
            return _post(row, window, now)

    async def report(self, guild_id: int, message_id: int) -> CheckinPost:
        """Count a member's report of a posted check-in (who reported is not kept)."""
        now = self._clock.now()
        async with self._sessions() as session:
            row = await session.scalar(
                select(Checkin).where(
                    Checkin.guild_id == guild_id, Checkin.message_id == message_id
                )
            )
            if row is None or row.status != POSTED:
                raise NotFound("That message isn't an anonymous check-in Hearth can report.")
            row.report_count += 1
            window = await session.get(CheckinWindow, row.window_id) if row.window_id else None
            await session.commit()
            post = _post(row, window, now)
        log.info("Check-in %s was reported in guild %s", post.id, guild_id)
        return post

    async def record_report_card(self, checkin_id: int, message_id: int) -> None:
        """Remember the moderator card for reports, so later reports update it."""
        async with self._sessions() as session:
            await session.execute(
                update(Checkin).where(Checkin.id == checkin_id).values(report_message_id=message_id)
            )
            await session.commit()

    async def remove(
        self, guild_id: int, checkin_id: int, moderator_id: int, reason: str | None
    ) -> CheckinPost:
        """Mark a check-in removed, erase its note, and tell its author at their next command."""
        now = self._clock.now()
        reason = _clean_reason(reason)
        async with self._sessions() as session:
            row = await session.get(Checkin, checkin_id)
            if row is None or row.guild_id != guild_id:
                raise NotFound("That check-in is no longer in Hearth's records.")
            if row.status == REMOVED:
                raise InvalidInput("That check-in was already removed.")
            window = await session.get(CheckinWindow, row.window_id) if row.window_id else None
            post = _post(row, window, now)
            row.status = REMOVED
            row.note = None
            row.note_erased_at = now
            row.sealed_author = None
            if row.window_id is not None and row.author_token is not None:
                when = f"<t:{int((row.posted_at or row.created_at).timestamp())}:f>"
                session.add(
                    CheckinNotice(
                        guild_id=guild_id,
                        window_id=row.window_id,
                        author_token=row.author_token,
                        text=(
                            f"A moderator removed your anonymous check-in from {when}. They "
                            "did not learn who you are. "
                            f"Their reason: {reason or 'none given'}."
                        ),
                        created_at=now,
                    )
                )
            record = self._audit.add(
                session,
                guild_id,
                moderator_id,
                "checkins.remove",
                f"removed check-in {row.ref}" + (f" (reason: {reason})" if reason else ""),
                ref=row.ref,
            )
            await session.commit()
        await self.erasure.settle()
        await self._audit.publish(record)
        return post

    async def pause(
        self, guild_id: int, checkin_id: int, moderator_id: int, days: int, reason: str | None
    ) -> Pause:
        """Pause the author of a check-in from posting, without learning who they are.

        The pause is kept by the author's token, so it cannot outlive the window key that
        recognises them: it ends at the latest when that key is destroyed.
        """
        if not 1 <= days <= MAX_PAUSE_DAYS:
            raise InvalidInput(f"A pause can last 1 to {MAX_PAUSE_DAYS} days.")
        reason = _clean_reason(reason)
        now = self._clock.now()
        async with self._sessions() as session:
            row = await session.get(Checkin, checkin_id)
            if row is None or row.guild_id != guild_id:
                raise NotFound("That check-in is no longer in Hearth's records.")
            window = await session.get(CheckinWindow, row.window_id) if row.window_id else None
            if window is None or row.author_token is None or window.destroy_at <= now:
                raise InvalidInput(
                    "This check-in is too old: nothing links it to its author any more, so "
                    "nobody can be paused for it."
                )
            wanted = now + timedelta(days=days)
            until = min(wanted, window.destroy_at)
            session.add(
                CheckinBlock(
                    guild_id=guild_id,
                    window_id=window.id,
                    author_token=row.author_token,
                    until=until,
                    reason=reason,
                    created_by=moderator_id,
                    created_at=now,
                )
            )
            session.add(
                CheckinNotice(
                    guild_id=guild_id,
                    window_id=window.id,
                    author_token=row.author_token,
                    text=(
                        "The moderators paused check-ins from you until "
                        f"<t:{int(until.timestamp())}:f>, because of your check-in as "
                        f"{row.pseudonym}. They did not learn who you are. "
                        f"Their reason: {reason or 'none given'}."
                    ),
                    created_at=now,
                )
            )
            record = self._audit.add(
                session,
                guild_id,
                moderator_id,
                "checkins.pause",
                f"paused the author of check-in {row.ref} until <t:{int(until.timestamp())}:f>"
                + (f" (reason: {reason})" if reason else ""),
                ref=row.ref,
            )
            post = _post(row, window, now)
            await session.commit()
        await self._audit.publish(record)
        return Pause(post, until, until < wanted)

    # ----- reveal (off by default) -----------------------------------------------------------
    async def request_reveal(
        self, guild_id: int, checkin_id: int, moderator_id: int, reason: str
    ) -> RevealRequest:
        """Ask to reveal who wrote a check-in; a second moderator must approve."""
        reason = _clean_reason(reason)
        if len(reason) < 5:
            raise InvalidInput("Please give a reason: it goes to the moderator log.")
        now = self._clock.now()
        async with self._sessions() as session:
            config = await load_config(session, guild_id)
            row = await session.get(Checkin, checkin_id)
            if row is None or row.guild_id != guild_id:
                raise NotFound("That check-in is no longer in Hearth's records.")
            window = await session.get(CheckinWindow, row.window_id) if row.window_id else None
            if not config.reveal_enabled or not row.reveal_allowed:
                raise NotAllowed(
                    "Reveal isn't possible for this check-in: the server didn't allow reveals "
                    "when it was posted, and its author was promised that."
                )
            if row.reveal_sealed is None or window is None or window.destroy_at <= now:
                raise NotAllowed(
                    "The grace period for this check-in is over: nothing can link it to its "
                    "author any more."
                )
            request = CheckinReveal(
                guild_id=guild_id,
                checkin_id=row.id,
                requested_by=moderator_id,
                reason=reason,
                status=REVEAL_PENDING,
                created_at=now,
            )
            session.add(request)
            record = self._audit.add(
                session,
                guild_id,
                moderator_id,
                "checkins.reveal_request",
                f"asked to reveal who wrote check-in {row.ref} (reason: {reason})",
                ref=row.ref,
            )
            await session.flush()
            result = RevealRequest(
                request.id, _post(row, window, now), moderator_id, reason, window.destroy_at
            )
            await session.commit()
        await self._audit.publish(record)
        return result

    async def _reveal_request(
        self, session: AsyncSession, guild_id: int, reveal_id: int, now: datetime
    ) -> tuple[CheckinReveal, Checkin, CheckinWindow | None]:
        request = await session.get(CheckinReveal, reveal_id)
        if request is None or request.guild_id != guild_id:
            raise NotFound("That reveal request no longer exists.")
        if request.status != REVEAL_PENDING:
            raise InvalidInput(f"That reveal request was already {request.status}.")
        row = await session.get(Checkin, request.checkin_id)
        if row is None:  # pragma: no cover - requests cascade with their check-in
            raise NotFound("That check-in is no longer in Hearth's records.")
        window = await session.get(CheckinWindow, row.window_id) if row.window_id else None
        return request, row, window

    async def approve_reveal(self, guild_id: int, reveal_id: int, moderator_id: int) -> Revealed:
        """Reveal the author to the two moderators, if a different moderator approves in time."""
        now = self._clock.now()
        async with self._sessions() as session:
            request, row, window = await self._reveal_request(session, guild_id, reveal_id, now)
            if request.requested_by == moderator_id:
                raise NotAllowed(
                    "A reveal needs a second moderator: someone other than the person who asked."
                )
            config = await load_config(session, guild_id)
            if (
                not config.reveal_enabled
                or row.reveal_sealed is None
                or window is None
                or window.destroy_at <= now
            ):
                request.status, request.decided_at = REVEAL_EXPIRED, now
                await session.commit()
                raise NotAllowed(
                    "This can't be revealed any more: the grace period is over or the server "
                    "turned reveals off. Nothing links the check-in to its author now."
                )
            author_id = open_author(
                window.secret, SEAL_REVEAL, guild_id, window.id, row.reveal_sealed
            )
            request.status, request.decided_by, request.decided_at = (
                REVEAL_APPROVED,
                moderator_id,
                now,
            )
            record = self._audit.add(
                session,
                guild_id,
                moderator_id,
                "checkins.reveal",
                f"approved revealing who wrote check-in {row.ref}, asked by "
                f"<@{request.requested_by}> (reason: {request.reason}). The author is told.",
                ref=row.ref,
                requested_by=str(request.requested_by),
            )
            result = Revealed(
                RevealRequest(
                    request.id,
                    _post(row, window, now),
                    request.requested_by or 0,
                    request.reason,
                    window.destroy_at,
                ),
                moderator_id,
                author_id,
            )
            await session.commit()
        await self._audit.publish(record)
        log.info("A reveal of check-in %s was approved in guild %s", row.id, guild_id)
        return result

    async def decline_reveal(self, guild_id: int, reveal_id: int, moderator_id: int) -> str:
        """Decline a reveal request; return the check-in reference."""
        now = self._clock.now()
        async with self._sessions() as session:
            request, row, _window = await self._reveal_request(session, guild_id, reveal_id, now)
            request.status, request.decided_by, request.decided_at = (
                REVEAL_DECLINED,
                moderator_id,
                now,
            )
            record = self._audit.add(
                session,
                guild_id,
                moderator_id,
                "checkins.reveal_declined",
                f"declined the request to reveal who wrote check-in {row.ref}",
                ref=row.ref,
            )
            await session.commit()
        await self._audit.publish(record)
        return row.ref

    # ----- personal history (opt-in) ---------------------------------------------------------
    async def set_keep_history(self, guild_id: int, user_id: int, keep: bool) -> int:
        """Start or stop keeping the member's history; stopping erases it. Return rows erased."""
        now = self._clock.now()
        async with self._sessions() as session:
            prefs = await self._prefs(session, guild_id, user_id, now)
            prefs.keep_history = keep
            prefs.updated_at = now
            erased = 0
            if not keep:
                result = await session.execute(
                    delete(CheckinHistory).where(
                        CheckinHistory.user_id == user_id, CheckinHistory.guild_id == guild_id
                    )
                )
                erased = result.rowcount or 0
            await session.commit()
        if erased:
            await self.erasure.settle()
        return erased

    async def history(self, guild_id: int, user_id: int, days: int) -> History:
        """Return the member's own moods over the last `days` days (if they keep history)."""
        today = self._clock.now().date()
        async with self._sessions() as session:
            prefs = await session.get(CheckinPreference, (user_id, guild_id))
            rows = await session.execute(
                select(CheckinHistory.day, CheckinHistory.mood)
                .where(
                    CheckinHistory.user_id == user_id,
                    CheckinHistory.guild_id == guild_id,
                    CheckinHistory.day > today - timedelta(days=days),
                )
                .order_by(CheckinHistory.day, CheckinHistory.id)
            )
            entries = tuple((day, mood_) for day, mood_ in rows)
        return History(bool(prefs and prefs.keep_history), days, today, entries)

    async def _prefs(
        self, session: AsyncSession, guild_id: int, user_id: int, now: datetime
    ) -> CheckinPreference:
        prefs = await session.get(CheckinPreference, (user_id, guild_id))
        if prefs is None:
            prefs = CheckinPreference(
                user_id=user_id, guild_id=guild_id, keep_history=False, updated_at=now
            )
            session.add(prefs)
        return prefs

    # ----- reminders -------------------------------------------------------------------------
    async def set_reminder(
        self, guild_id: int, user_id: int, zone: str, at: str, days: str
    ) -> Reminder:
        """Save a reminder at a local time in an IANA time zone, on some weekdays."""
        tz = require_zone(zone)
        try:
            clock_time = domain.parse_clock(at)
            weekdays = domain.parse_days(days)
        except ValueError as error:
            raise InvalidInput(f"Sorry, I couldn't read that: {error}.") from None
        now = self._clock.now()
        next_at = domain.next_reminder(now, tz, clock_time, weekdays)
        async with self._sessions() as session:
            prefs = await self._prefs(session, guild_id, user_id, now)
            prefs.reminder_zone = tz.key
            prefs.reminder_time = clock_time.strftime("%H:%M")
            prefs.reminder_days = sum(1 << d for d in weekdays)
            prefs.reminder_next_at = next_at
            prefs.updated_at = now
            await session.commit()
        return Reminder(guild_id, tz.key, clock_time.strftime("%H:%M"), weekdays, next_at)

    async def clear_reminder(self, guild_id: int, user_id: int) -> bool:
        """Stop reminders in this server; return whether one was set."""
        now = self._clock.now()
        async with self._sessions() as session:
            prefs = await session.get(CheckinPreference, (user_id, guild_id))
            if prefs is None or prefs.reminder_next_at is None:
                return False
            prefs.reminder_zone = prefs.reminder_time = None
            prefs.reminder_days = prefs.reminder_next_at = None
            prefs.updated_at = now
            await session.commit()
        return True

    async def claim_due_reminders(self, limit: int = 100) -> list[ReminderDue]:
        """Move each due reminder to its next slot (once per slot) and return the ones to send.

        A slot missed by more than an hour (the bot was down) is skipped, not sent late.
        """
        now = self._clock.now()
        due: list[ReminderDue] = []
        async with self._sessions() as session:
            rows = list(
                await session.scalars(
                    select(CheckinPreference)
                    .where(CheckinPreference.reminder_next_at <= now)
                    .order_by(CheckinPreference.reminder_next_at)
                    .limit(limit)
                )
            )
            for row in rows:
                slot = row.reminder_next_at
                if slot is None or not row.reminder_zone or not row.reminder_time:
                    continue
                weekdays = frozenset(d for d in range(7) if (row.reminder_days or 0) >> d & 1)
                following = domain.next_reminder(
                    now,
                    ZoneInfo(row.reminder_zone),
                    domain.parse_clock(row.reminder_time),
                    weekdays or frozenset(range(7)),
                )
                claimed = await session.execute(
                    update(CheckinPreference)
                    .where(
                        CheckinPreference.user_id == row.user_id,
                        CheckinPreference.guild_id == row.guild_id,
                        CheckinPreference.reminder_next_at == slot,
                    )
                    .values(reminder_next_at=following)
                )
                if claimed.rowcount and now - slot <= REMINDER_LATE_LIMIT:
                    due.append(ReminderDue(row.user_id, row.guild_id, slot))
            await session.commit()
        return due

    # ----- community summary -----------------------------------------------------------------
    async def summary(self, guild_id: int) -> CommunitySummary:
        """Return the last week's mood distribution, only if at least k members checked in.

        Members are counted by token per rotation window and the largest window count is
        used, so the count can only be too low (safe), never too high.
        """
        now = self._clock.now()
        since = now - SUMMARY_PERIOD
        async with self._sessions() as session:
            config = await load_config(session, guild_id)
            rows = (
                await session.execute(
                    select(Checkin.mood, Checkin.window_id, Checkin.author_token).where(
                        Checkin.guild_id == guild_id,
                        Checkin.status == POSTED,
                        Checkin.posted_at > since,
                    )
                )
            ).all()
        per_window: dict[int, set[bytes]] = defaultdict(set)
        for _mood, window_id, token in rows:
            if window_id is not None and token is not None:
                per_window[window_id].add(token)
        members = max((len(tokens) for tokens in per_window.values()), default=0)
        k = config.summary_min_members
        return CommunitySummary(
            domain.community_summary((m for m, _, _ in rows), members, k), k, since
        )

    # ----- data rights -----------------------------------------------------------------------
    def describe(self) -> str:
        """Say in plain words what this part stores."""
        return (
            "**Anonymous check-ins**: your check-ins are stored without your name or id. While "
            "a check-in waits to be posted, your id is kept encrypted so you can undo it; it is "
            "erased once posted. For one rotation window plus a grace period (a week each by "
            "default), a secret key lets Hearth recognise your check-ins for limits and pauses "
            "(and, only if the server turned reveal on before you posted, lets two moderators "
            "together find out it was you). Then the key is destroyed and nobody can link them "
            "to you. Notes are erased after 30 days (the server may choose other times). "
            "If you turn on **check-in history**, your mood per day (never the note) is kept "
            "under your name for 90 days; reminders keep your time zone and time."
        )

    async def _my_checkins(self, session: AsyncSession, user_id: int) -> list[Checkin]:
        now = self._clock.now()
        windows = list(
            await session.scalars(select(CheckinWindow).where(CheckinWindow.destroy_at > now))
        )
        tokens = [author_token(w.secret, w.guild_id, user_id) for w in windows]
        if not tokens:
            return []
        return list(
            await session.scalars(
                select(Checkin).where(Checkin.author_token.in_(tokens)).order_by(Checkin.id)
            )
        )

    async def export_user(
        self, session: AsyncSession, user_id: int, choice: ExportChoice
    ) -> dict[str, Any]:
        """Return the member's history, reminders, and the check-ins still linkable to them."""
        history = await session.execute(
            select(CheckinHistory.guild_id, CheckinHistory.day, CheckinHistory.mood)
            .where(CheckinHistory.user_id == user_id)
            .order_by(CheckinHistory.day, CheckinHistory.id)
        )
        prefs = await session.scalars(
            select(CheckinPreference).where(CheckinPreference.user_id == user_id)
        )
        mine = await self._my_checkins(session, user_id)
        per_day: dict[tuple[int, str], list[str]] = {}
        for c in mine:
            key = (c.guild_id, c.created_at.date().isoformat())
            per_day.setdefault(key, []).append(domain.mood(c.mood).word)
        checkins: dict[str, Any] = {
            "recent_checkins_per_day": [
                {"server_id": str(g), "day": day, "count": len(moods), "moods": sorted(moods)}
                for (g, day), moods in sorted(per_day.items())
            ]
        }
        if choice.checkin_words:
            checkins["recent_checkins"] = [
                {
                    "server_id": str(c.guild_id),
                    "ref": c.ref,
                    "pseudonym": c.pseudonym,
                    "mood": domain.mood(c.mood).word,
                    "note": c.note,
                    "status": c.status,
                    "day": c.created_at.date().isoformat(),
                }
                for c in mine
            ]
        return {
            "history": [
                {"server_id": str(g), "day": d.isoformat(), "mood": domain.mood(m).word}
                for g, d, m in history
            ],
            "preferences": [
                {
                    "server_id": str(p.guild_id),
                    "keep_history": p.keep_history,
                    "reminder": (
                        {"time_zone": p.reminder_zone, "time": p.reminder_time}
                        if p.reminder_next_at
                        else None
                    ),
                }
                for p in prefs
            ],
            **checkins,
        }

    async def delete_user(self, session: AsyncSession, user_id: int) -> int:
        """Erase history and reminders, cancel waiting check-ins, and drop any reveal seal."""
        removed = 0
        for model in (CheckinHistory, CheckinPreference):
            result = await session.execute(delete(model).where(model.user_id == user_id))
            removed += result.rowcount or 0
        for row in await self._my_checkins(session, user_id):
            if row.status == PENDING:
                await session.delete(row)
                removed += 1
            elif row.reveal_sealed is not None:
                row.reveal_sealed = None
                removed += 1
        return removed


def describe_changes(before: CheckinConfig, after: CheckinConfig) -> str:
    """Say what changed, in words a moderator log reader understands."""
    parts = []
    for f in fields(CheckinConfig):
        old, new = getattr(before, f.name), getattr(after, f.name)
        if old != new:
            parts.append(
                f"{SETTING_WORDS.get(f.name, f.name)} {_value(f.name, old)} → {_value(f.name, new)}"
            )
    return ", ".join(parts) or "nothing changed"


SETTING_WORDS = {
    "max_delay_seconds": "posting delay up to",
    "daily_limit": "check-ins per member per day",
    "threads": "reply threads",
    "reveal_enabled": "reveal",
    "window_days": "pseudonym rotation (days)",
    "grace_days": "grace period (days)",
    "summary_min_members": "summary needs members",
    "note_retention_days": "notes kept (days)",
    "post_retention_days": "posts kept (days)",
}


def _value(name: str, value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if name == "max_delay_seconds" and isinstance(value, int):
        return f"{value // 60} min" if value % 60 == 0 else f"{value} s"
    if value is None:
        return "forever"
    return str(value)
