"""The crisis tables: statements a unit of work runs (each takes the session, none commits)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    CrisisAlert,
    CrisisCooldown,
    CrisisMemberCountry,
    CrisisResource,
    CrisisSettings,
    CrisisShareOptOut,
)
from bot.db.queries import insert_ignore, rows_changed
from bot.services.crisis.values import (
    ALERT_RETENTION,
    SHARE_RECEIVED,
    SHARE_RECIPIENT_WINDOW,
    SHARE_SENDER_COOLDOWN,
    SHARE_SENT,
    Alert,
    CrisisServerSettings,
    LocalResource,
)


def alert_value(row: CrisisAlert) -> Alert:
    """Copy a request's row into a frozen value."""
    return Alert(
        id=row.id,
        guild_id=row.guild_id,
        anonymous=row.anonymous,
        user_id=row.user_id,
        origin_channel_id=row.origin_channel_id,
        status=row.status,
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
        backup_by=row.backup_by,
        backup_at=row.backup_at,
        channel_id=row.channel_id,
        message_id=row.message_id,
        thread_id=row.thread_id,
        created_at=row.created_at,
    )


def resource_value(row: CrisisResource) -> LocalResource:
    """Copy a local resource's row into a frozen value."""
    return LocalResource(
        id=row.id,
        guild_id=row.guild_id,
        name=row.name,
        reach=row.reach,
        description=row.description,
        country_code=row.country_code,
        created_at=row.created_at,
    )


def settings_value(row: CrisisSettings | None, guild_id: int) -> CrisisServerSettings:
    """Copy a server's crisis settings into a frozen value (defaults when never set)."""
    if row is None:
        return CrisisServerSettings(guild_id)
    return CrisisServerSettings(
        guild_id, row.default_country, row.detection_enabled, row.alert_on_detection
    )


async def resources(session: AsyncSession, guild_id: int) -> list[LocalResource]:
    """Return every local resource of the server, oldest first."""
    rows = await session.scalars(
        select(CrisisResource)
        .where(CrisisResource.guild_id == guild_id)
        .order_by(CrisisResource.id)
    )
    return [resource_value(row) for row in rows]


async def count_resources(session: AsyncSession, guild_id: int) -> int:
    """Return how many local resources the server lists."""
    count = await session.scalar(
        select(func.count()).select_from(CrisisResource).where(CrisisResource.guild_id == guild_id)
    )
    return count or 0


async def alerts_since(session: AsyncSession, guild_id: int, since: datetime) -> int:
    """Return how many requests the server got after `since`."""
    count = await session.scalar(
        select(func.count())
        .select_from(CrisisAlert)
        .where(CrisisAlert.guild_id == guild_id, CrisisAlert.created_at > since)
    )
    return count or 0


async def named_alerts_since(
    session: AsyncSession, guild_id: int, user_id: int, since: datetime
) -> int:
    """Return how many named requests the member sent in the server after `since`."""
    count = await session.scalar(
        select(func.count())
        .select_from(CrisisAlert)
        .where(
            CrisisAlert.guild_id == guild_id,
            CrisisAlert.user_id == user_id,
            CrisisAlert.created_at > since,
        )
    )
    return count or 0


async def set_alert(session: AsyncSession, alert_id: int, **values: Any) -> None:
    """Change columns of one request."""
    await session.execute(update(CrisisAlert).where(CrisisAlert.id == alert_id).values(**values))


async def mark_alert_once(
    session: AsyncSession,
    alert_id: int,
    guild_id: int,
    condition: ColumnElement[bool],
    values: dict[str, Any],
) -> bool:
    """Apply values to the server's request if condition still holds; return whether it did."""
    statement = (
        update(CrisisAlert)
        .where(CrisisAlert.id == alert_id, CrisisAlert.guild_id == guild_id, condition)
        .values(**values)
    )
    return bool(await rows_changed(session, statement))


async def delete_expired(session: AsyncSession, now: datetime) -> int:
    """Erase requests past their retention and share limits that have run out."""
    statements = (
        delete(CrisisAlert).where(CrisisAlert.created_at < now - ALERT_RETENTION),
        delete(CrisisCooldown).where(
            CrisisCooldown.kind == SHARE_RECEIVED,
            CrisisCooldown.last_at < now - SHARE_RECIPIENT_WINDOW,
        ),
        delete(CrisisCooldown).where(
            CrisisCooldown.kind == SHARE_SENT,
            CrisisCooldown.last_at < now - SHARE_SENDER_COOLDOWN,
        ),
    )
    return sum([await rows_changed(session, statement) for statement in statements])


async def claim_cooldown(
    session: AsyncSession, user_id: int, kind: str, window: timedelta, now: datetime
) -> bool:
    """Set the cooldown to now unless it is still running; return whether it was set."""
    values = {"user_id": user_id, "kind": kind, "last_at": now}
    if await insert_ignore(session, CrisisCooldown.__table__, values, ["user_id", "kind"]):
        return True
    statement = (
        update(CrisisCooldown)
        .where(
            CrisisCooldown.user_id == user_id,
            CrisisCooldown.kind == kind,
            CrisisCooldown.last_at <= now - window,
        )
        .values(last_at=now)
    )
    return bool(await rows_changed(session, statement))


async def set_opt_out(session: AsyncSession, user_id: int, opted_out: bool, now: datetime) -> bool:
    """Record (or remove) a member's share opt-out; return whether it changed."""
    if opted_out:
        values = {"user_id": user_id, "created_at": now}
        return await insert_ignore(session, CrisisShareOptOut.__table__, values, ["user_id"])
    statement = delete(CrisisShareOptOut).where(CrisisShareOptOut.user_id == user_id)
    return bool(await rows_changed(session, statement))


async def delete_country(session: AsyncSession, user_id: int) -> bool:
    """Forget a member's country; return whether one was saved."""
    statement = delete(CrisisMemberCountry).where(CrisisMemberCountry.user_id == user_id)
    return bool(await rows_changed(session, statement))


async def export_user(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """Return everything about this person in the crisis tables."""
    country = await session.get(CrisisMemberCountry, user_id)
    opt_out = await session.get(CrisisShareOptOut, user_id)
    cooldowns = await session.scalars(
        select(CrisisCooldown).where(CrisisCooldown.user_id == user_id)
    )
    asked = await session.scalars(
        select(CrisisAlert).where(CrisisAlert.user_id == user_id).order_by(CrisisAlert.id)
    )
    helped = await session.scalars(
        select(CrisisAlert)
        .where((CrisisAlert.claimed_by == user_id) | (CrisisAlert.backup_by == user_id))
        .order_by(CrisisAlert.id)
    )
    authored = await session.scalars(
        select(CrisisResource).where(CrisisResource.author_id == user_id)
    )
    return {
        "country": (
            {"code": country.country_code, "saved_at": country.updated_at.isoformat()}
            if country
            else None
        ),
        "share_opt_out": opt_out.created_at.isoformat() if opt_out else None,
        "limits": {row.kind: row.last_at.isoformat() for row in cooldowns},
        "check_in_requests": [
            {"server_id": str(row.guild_id), "at": row.created_at.isoformat(), "status": row.status}
            for row in asked
        ],
        "requests_you_helped_with": [
            {
                "server_id": str(row.guild_id),
                "request": row.id,
                "reached_out": row.claimed_by == user_id,
                "asked_for_backup": row.backup_by == user_id,
            }
            for row in helped
        ],
        "local_resources_added": [
            {"server_id": str(row.guild_id), "name": row.name} for row in authored
        ],
    }


async def delete_user(session: AsyncSession, user_id: int) -> int:
    """Erase this person's rows; requests they helped with stay, without their id."""
    removed = 0
    for model in (CrisisMemberCountry, CrisisShareOptOut, CrisisCooldown, CrisisAlert):
        removed += await rows_changed(session, delete(model).where(model.user_id == user_id))
    await session.execute(
        update(CrisisAlert).where(CrisisAlert.claimed_by == user_id).values(claimed_by=None)
    )
    await session.execute(
        update(CrisisAlert).where(CrisisAlert.backup_by == user_id).values(backup_by=None)
    )
    await session.execute(
        update(CrisisResource).where(CrisisResource.author_id == user_id).values(author_id=None)
    )
    return removed


async def opted_out(session: AsyncSession, user_id: int) -> bool:
    """Return whether the member asked not to be sent resources."""
    return await session.get(CrisisShareOptOut, user_id) is not None


async def delete_alert(session: AsyncSession, alert_id: int) -> None:
    """Erase one request."""
    await session.execute(delete(CrisisAlert).where(CrisisAlert.id == alert_id))
