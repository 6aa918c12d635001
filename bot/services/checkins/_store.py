"""The statements a check-in unit of work runs: each takes the session and never commits."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    CursorResult,
    Result,
    Select,
    Table,
    bindparam,
    func,
    insert,
    null,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.db.models import (
    Checkin,
    CheckinAlias,
    CheckinBlock,
    CheckinHistory,
    CheckinPreference,
    CheckinSettings,
    CheckinWindow,
    CrisisSettings,
    GuildSettings,
)
from bot.db.queries import insert_ignore
from bot.domain import checkins as domain
from bot.domain.pseudonyms import author_token, pseudonym
from bot.errors import NotAllowed, NotConfigured, RateLimited
from bot.i18n import N_
from bot.services.checkins.keys import new_window_key
from bot.services.checkins.values import RATE_WINDOW, CheckinConfig, CheckinPost, WindowKey


async def load_config(session: AsyncSession, guild_id: int) -> CheckinConfig:
    """Return the server's check-in settings."""
    return CheckinConfig.from_row(await session.get(CheckinSettings, guild_id), guild_id)


_WINDOW_COLUMNS = (
    CheckinWindow.id,
    CheckinWindow.guild_id,
    CheckinWindow.starts_at,
    CheckinWindow.ends_at,
    CheckinWindow.destroy_at,
    CheckinWindow.secret,
)


# Statements every check-in runs are built once (SQLAlchemy caches their compiled form; building
# them anew for each check-in cost more than running them). They hold no data, only SQL.
_LIVE_WINDOWS = (
    select(*_WINDOW_COLUMNS)
    .where(
        CheckinWindow.guild_id == bindparam("guild_id"),
        CheckinWindow.destroy_at > bindparam("now"),
    )
    .order_by(CheckinWindow.starts_at)
)
_CHECKINS = cast(Table, Checkin.__table__)
INSERT_CHECKIN = insert(_CHECKINS).returning(_CHECKINS.c.id)
INSERT_HISTORY = insert(cast(Table, CheckinHistory.__table__))


async def live_windows(
    source: AsyncSession | AsyncConnection, guild_id: int, now: datetime
) -> list[WindowKey]:
    """Return the windows of a server whose keys still exist (not yet past window + grace)."""
    connection = source if isinstance(source, AsyncConnection) else await source.connection()
    rows = await connection.execute(_LIVE_WINDOWS, {"guild_id": guild_id, "now": now})
    return [WindowKey(*row) for row in rows]


def tokens_for(windows: Iterable[WindowKey], guild_id: int, user_id: int) -> dict[int, bytes]:
    """Return the member's author token in each window."""
    return {w.id: author_token(w.secret, guild_id, user_id) for w in windows}


def post_of(row: Checkin, window: CheckinWindow | WindowKey | None, now: datetime) -> CheckinPost:
    """Return a check-in as moderators may see it (reveal possible only while its key lives)."""
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


@lru_cache(maxsize=8)  # one statement per number of live windows (one or two, in practice)
def _context_statement(tokens_count: int) -> Select[Any]:
    """Build the one read a check-in needs: channel, settings, choices, pause, recent count,
    the server's crisis-detection opt-ins and the member's pseudonym in the current window."""
    guild: BindParameter[int] = bindparam("guild_id")
    user: BindParameter[int] = bindparam("user_id")
    columns: list[Any] = [
        GuildSettings.checkin_channel_id,
        CheckinSettings.guild_id,
        *(getattr(CheckinSettings, name) for name in _CONFIG_NAMES),
        CheckinPreference.keep_history,
        CrisisSettings.detection_enabled,
        CrisisSettings.alert_on_detection,
        select(CheckinAlias.pseudonym)
        .where(
            CheckinAlias.window_id == bindparam("current_window"),
            CheckinAlias.author_token == bindparam("current_token"),
        )
        .scalar_subquery(),
    ]
    if tokens_count:
        tokens: list[BindParameter[bytes]] = [bindparam(f"token_{n}") for n in range(tokens_count)]
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
        .outerjoin(CrisisSettings, CrisisSettings.guild_id == GuildSettings.guild_id)
        .outerjoin(
            CheckinPreference,
            (CheckinPreference.guild_id == GuildSettings.guild_id)
            & (CheckinPreference.user_id == user),
        )
        .where(GuildSettings.guild_id == guild)
    )


_CONFIG_NAMES = tuple(f.name for f in fields(CheckinConfig) if f.name != "guild_id")


@dataclass
class Context:
    """What a check-in reads before anything is decided."""

    channel_id: int
    config: CheckinConfig
    keep_history: bool
    windows: list[WindowKey]
    tokens: dict[int, bytes]
    paused_until: datetime | None
    recent_count: int
    recent_oldest: datetime | None
    detection_enabled: bool = False
    alert_on_detection: bool = False
    pseudonym: str | None = None  # the member's, in the current window, if they have one yet


async def read_context(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime
) -> Context:
    """Read the channel, the settings, the member's choices, pauses and recent count."""
    windows = await live_windows(session, guild_id, now)
    tokens = tokens_for(windows, guild_id, user_id)
    current = next((w for w in windows if w.starts_at <= now < w.ends_at), None)
    parameters: dict[str, Any] = {
        "guild_id": guild_id,
        "user_id": user_id,
        "current_window": current.id if current else None,
        "current_token": tokens[current.id] if current else None,
    }
    if tokens:
        parameters.update({f"token_{n}": token for n, token in enumerate(tokens.values())})
        parameters.update(now=now, since=now - RATE_WINDOW)
    found = (await session.execute(_context_statement(len(tokens)), parameters)).first()
    if found is None or found[0] is None:
        raise NotConfigured(
            N_(
                "Check-ins aren't open here yet: a moderator needs to choose the check-in "
                "channel with `/setup channels`."
            )
        )
    channel_id, settings_guild, *values = found[: 2 + len(_CONFIG_NAMES)]
    keep_history, detection, alert, name, paused_until, count, oldest = found[
        2 + len(_CONFIG_NAMES) :
    ]
    config = (
        CheckinConfig(guild_id)
        if settings_guild is None
        else CheckinConfig(guild_id, **dict(zip(_CONFIG_NAMES, values, strict=True)))
    )
    return Context(
        channel_id,
        config,
        bool(keep_history),
        windows,
        tokens,
        paused_until,
        count or 0,
        oldest,
        detection_enabled=bool(detection),
        alert_on_detection=bool(alert),
        pseudonym=name,
    )


async def check_may_post(session: AsyncSession, guild_id: int, context: Context) -> None:
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
        until = aware(block.until if block is not None else context.paused_until)
        if reason:
            raise NotAllowed(
                N_(
                    "The moderators have paused check-ins from you until %(until)s. They "
                    "didn't learn who you are. Their reason: %(reason)s. If you need support "
                    "now, `/crisis` lists people you can reach."
                ),
                until=f"<t:{int(until.timestamp())}:f>",
                reason=reason,
            )
        raise NotAllowed(
            N_(
                "The moderators have paused check-ins from you until %(until)s. They didn't "
                "learn who you are, and gave no reason. If you need support now, `/crisis` "
                "lists people you can reach."
            ),
            until=f"<t:{int(until.timestamp())}:f>",
        )
    count = context.recent_count
    if count >= context.config.daily_limit and context.recent_oldest is not None:
        again = aware(context.recent_oldest) + RATE_WINDOW
        raise RateLimited(
            N_(
                "You've shared %(count)s check-ins in the last day, which is as many as this "
                "server allows for now. You can check in again %(again)s. Take care of "
                "yourself in the meantime 💛 — and if things feel heavy right now, `/crisis` "
                "has people you can reach."
            ),
            count=count,
            again=f"<t:{int(again.timestamp())}:R>",
        )


async def current_window(
    session: AsyncSession, context: Context, guild_id: int, user_id: int, now: datetime
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
        cast(Table, CheckinWindow.__table__),
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


async def new_pseudonym(session: AsyncSession, window: WindowKey, token: bytes) -> str:
    """Give the member a pseudonym no one else has in this window yet.

    For a member the context read found none for (`Context.pseudonym`): the unique
    (window, token) constraint decides if another writer gave them one meanwhile, and the
    check-in is then retried from the read.
    """
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


def aware(value: datetime) -> datetime:
    """Return a UTC datetime read through an aggregate (SQLite may hand back a naive one)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def clean_reason(reason: str | None, limit: int = 300) -> str:
    """Return a moderator's reason on one line, cut to `limit` characters."""
    return " ".join((reason or "").split())[:limit]


def rowcount(result: Result[Any]) -> int:
    """Return how many rows an UPDATE or DELETE touched (0 when the driver cannot say)."""
    return (result.rowcount or 0) if isinstance(result, CursorResult) else 0


async def preferences(
    session: AsyncSession, guild_id: int, user_id: int, now: datetime
) -> CheckinPreference:
    """Return the member's check-in choices in this server, adding the row when there is none."""
    prefs = await session.get(CheckinPreference, (user_id, guild_id))
    if prefs is None:
        prefs = CheckinPreference(
            user_id=user_id, guild_id=guild_id, keep_history=False, updated_at=now
        )
        session.add(prefs)
    return prefs
