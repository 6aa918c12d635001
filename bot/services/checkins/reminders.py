"""Check-in reminders: a member's choice of time and days, and sending each slot once.

The database is the truth: a slot is claimed (moved to the next one) before it is sent, so a
restart never sends it twice. `ReminderSending` is the job; the cog's port talks to Discord.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import CheckinPreference
from bot.domain import checkins as domain
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.services.checkins import _store as store
from bot.services.checkins.values import REMINDER_LATE_LIMIT, Reminder, ReminderDue
from bot.services.zones import require_zone

log = logging.getLogger(__name__)


class CheckinReminders:
    """Saves, clears and claims members' check-in reminders."""

    def __init__(self, sessions: SessionFactory, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def set(
        self,
        guild_id: int,
        user_id: int,
        zone: str,
        at: str,
        days: str,
        locale: str | None = None,
        local_days: Mapping[str, frozenset[int]] | None = None,
    ) -> Reminder:
        """Save a reminder at a local time in an IANA time zone, on some weekdays.

        `locale` is the Discord locale the member asked in: the reminders speak its language.
        `local_days` are that language's words for days, read besides the English ones.
        """
        tz = require_zone(zone)
        try:
            clock_time = domain.parse_clock(at)
        except ValueError:
            raise InvalidInput(
                N_("Sorry, I couldn't read that time: try one like 08:30 or 8pm.")
            ) from None
        try:
            weekdays = domain.parse_days(days, local_days)
        except ValueError:
            raise InvalidInput(
                N_(
                    "Sorry, I couldn't read those days: try daily, weekdays, weekends, "
                    "or days like mon, thu."
                )
            ) from None
        now = self._clock.now()
        next_at = domain.next_reminder(now, tz, clock_time, weekdays)
        async with self._sessions() as session:
            prefs = await store.preferences(session, guild_id, user_id, now)
            prefs.reminder_zone = tz.key
            prefs.reminder_time = clock_time.strftime("%H:%M")
            prefs.reminder_days = sum(1 << d for d in weekdays)
            prefs.reminder_next_at = next_at
            prefs.reminder_locale = locale[:10] if locale else None
            prefs.updated_at = now
            await session.commit()
        return Reminder(guild_id, tz.key, clock_time.strftime("%H:%M"), weekdays, next_at)

    async def clear(self, guild_id: int, user_id: int) -> bool:
        """Stop reminders in this server; return whether one was set."""
        now = self._clock.now()
        async with self._sessions() as session:
            prefs = await session.get(CheckinPreference, (user_id, guild_id))
            if prefs is None or prefs.reminder_next_at is None:
                return False
            prefs.reminder_zone = prefs.reminder_time = None
            prefs.reminder_days = prefs.reminder_next_at = None
            prefs.reminder_locale = None
            prefs.updated_at = now
            await session.commit()
        return True

    async def claim_due(self, limit: int = 100) -> list[ReminderDue]:
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
                if store.rowcount(claimed) and now - slot <= REMINDER_LATE_LIMIT:
                    due.append(ReminderDue(row.user_id, row.guild_id, slot, row.reminder_locale))
            await session.commit()
        return due


class ReminderPort(Protocol):
    """What sending reminders needs from Discord (the check-ins cog implements it)."""

    def ready(self) -> bool:
        """Return whether Discord is connected, so sending makes sense now."""
        ...

    async def send_reminder(self, due: ReminderDue) -> bool:
        """Send the member their private nudge; return whether Discord took it."""
        ...


class ReminderSending:
    """The reminders job: claim the due slots, then send each one once."""

    def __init__(self, reminders: CheckinReminders, port: ReminderPort) -> None:
        self._reminders = reminders
        self._port = port

    async def run(self) -> None:
        """Send the reminders that are due (each slot once, even across restarts)."""
        if not self._port.ready():
            return  # the scheduler runs every job at start-up; wait for the next turn
        for due in await self._reminders.claim_due():
            if not await self._port.send_reminder(due):
                log.warning("Could not send a check-in reminder in guild %s", due.guild_id)
