"""Check-in settings: what a moderator may change, what a change promises, and its log line."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Checkin, CheckinReveal, CheckinWindow
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.services.checkins.values import (
    REVEAL_EXPIRED,
    REVEAL_PENDING,
    SETTING_RANGES,
    CheckinConfig,
)


def validated_changes(changes: dict[str, int | bool | None]) -> dict[str, int | bool | None]:
    """Return the settings a moderator changed, checked against their ranges (kindly refused)."""
    known = {f.name for f in fields(CheckinConfig)} - {"guild_id"}
    if set(changes) - known:
        raise ValueError(f"unknown settings: {sorted(set(changes) - known)}")
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise InvalidInput(N_("Choose at least one setting to change."))
    for name, value in changes.items():
        if name in SETTING_RANGES:
            low, high = SETTING_RANGES[name]
            if not isinstance(value, int) or not low <= value <= high:
                raise InvalidInput(
                    N_("%(setting)s must be %(low)s to %(high)s."),
                    setting=name.replace("_", " "),
                    low=low,
                    high=high,
                )
    if changes.get("post_retention_days") == 0:
        changes["post_retention_days"] = None
    return changes


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


async def keep_promises(
    session: AsyncSession, before: CheckinConfig, after: CheckinConfig, now: datetime
) -> None:
    """Apply what a settings change promises members about check-ins already stored."""
    guild_id = after.guild_id
    if before.reveal_enabled and not after.reveal_enabled:
        # The promise shrinks: erase what a reveal would have needed, now.
        await session.execute(
            update(Checkin)
            .where(Checkin.guild_id == guild_id, Checkin.reveal_sealed.is_not(None))
            .values(reveal_sealed=None)
        )
        await session.execute(
            update(CheckinReveal)
            .where(CheckinReveal.guild_id == guild_id, CheckinReveal.status == REVEAL_PENDING)
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
