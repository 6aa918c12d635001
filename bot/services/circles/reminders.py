"""Private circle reminders, each sent exactly once, and "a place opened up" notices.

A reminder is claimed (a row per member, meeting and lead time, unique), then the attempt is
marked (`begin_reminder`), then it is sent with a nonce derived from the claim, then it is
recorded as sent. A process that stops in between leaves a claim without `sent_at`: one never
attempted simply goes out on the next run (unless by now it would be late and a nearer one
supersedes it); one attempted within Discord's nonce window goes again with the same nonce,
so Discord keeps only one message; one attempted longer ago is recorded as unconfirmed and
left alone. Which reminder goes out late is `bot.domain.circle_reminders`' rule.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import Circle, CircleOccurrence, CircleReminderDelivery, CircleRsvp
from bot.db.queries import insert_ignore
from bot.domain import recurrence
from bot.domain.circle_reminders import choose_reminder, superseded_on_resume
from bot.domain.recurrence import Occurrence
from bot.services.circles import _store
from bot.services.circles.ports import ReminderPort
from bot.services.circles.values import YES, Delivery, Meeting, PromotionNotice, Reminder

log = logging.getLogger(__name__)

REMIND_JOB = "circles.remind"
REMIND_EVERY = 60  # seconds
SUPERSEDED = "superseded"
UNCONFIRMED = "unconfirmed"
SENDING = "sending"  # an attempt began at claimed_at; cleared when it is recorded
# Discord deduplicates a message with the same nonce by the same author for a few minutes; a
# reminder claimed but not confirmed sent is sent again (same nonce) only within this window.
NONCE_WINDOW = timedelta(minutes=2)


class CircleReminders:
    """Claims reminders and promotion notices, and records how sending them went."""

    def __init__(self, sessions: SessionFactory, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def claim_due_reminders(self) -> list[Reminder]:
        """Claim each reminder that is due and still useful, once; late ones only before the start.

        Each member gets each reminder at its time. One that would go out late (they said yes
        after it, or Hearth was down) is superseded by any nearer one, due now or still to come
        (`bot.domain.circle_reminders`): superseded ones are claimed as such, never sent.
        """
        now = self._clock.now()
        horizon = now + recurrence.MAX_LEAD_TIME
        claimed: list[Reminder] = []
        async with self._sessions() as session:
            rows = await session.execute(
                select(CircleOccurrence, Circle)
                .join(Circle, Circle.id == CircleOccurrence.circle_id)
                .where(
                    Circle.ended_at.is_(None),
                    CircleOccurrence.skipped.is_(False),
                    CircleOccurrence.starts_at > now,
                    CircleOccurrence.starts_at <= horizon,
                )
                .order_by(CircleOccurrence.starts_at)
            )
            for row, circle in rows.all():
                occ = await _store.occurrence_of(session, circle, row)
                leads = tuple(circle.lead_minutes)
                if occ is None or all(occ.start_utc - timedelta(minutes=m) > now for m in leads):
                    continue  # not in the series any more, or nothing is due for anyone yet
                claimed += await _claim_for_meeting(session, circle, row, occ, now)
            await session.commit()
        return claimed

    async def unconfirmed_reminders(self) -> list[Reminder]:
        """Return reminders claimed but never recorded as sent (Hearth stopped in between).

        Never attempted: safe to send while the meeting is still to come, unless by now it
        would go out late and a nearer reminder supersedes it. Attempted (marked
        sending) within the nonce window: sent again with the same nonce, so Discord keeps only
        one message if the first attempt did get through. Attempted longer ago: recorded as
        unconfirmed and left alone, since sending again could make a second message.
        """
        now = self._clock.now()
        found: list[Reminder] = []
        async with self._sessions() as session:
            rows = await session.execute(
                select(CircleReminderDelivery, CircleOccurrence, Circle)
                .join(CircleOccurrence, CircleOccurrence.id == CircleReminderDelivery.occurrence_id)
                .join(Circle, Circle.id == CircleOccurrence.circle_id)
                .where(
                    CircleReminderDelivery.sent_at.is_(None),
                    or_(
                        CircleReminderDelivery.failure.is_(None),
                        CircleReminderDelivery.failure == SENDING,
                    ),
                )
                .order_by(CircleReminderDelivery.id)
            )
            for delivery, row, circle in rows.all():
                occ = recurrence.occurrence_at(
                    await _store.schedule_of(session, circle), row.meeting_index
                )
                attempted = delivery.failure == SENDING
                if occ is None or not _still_to_send(delivery, circle, occ, now):
                    delivery.failure = UNCONFIRMED if attempted else SUPERSEDED
                    continue
                meeting = await _store.meeting_of(session, circle, occ, row)
                locale = await _store.locale_of(session, row.id, delivery.user_id)
                found.append(
                    Reminder(delivery.id, delivery.user_id, delivery.lead_minutes, meeting, locale)
                )
            await session.commit()
        return found

    async def begin_reminder(self, delivery_id: int) -> None:
        """Note that sending a claimed reminder starts now (the nonce window runs from here)."""
        async with self._sessions() as session:
            await session.execute(
                update(CircleReminderDelivery)
                .where(CircleReminderDelivery.id == delivery_id)
                .values(failure=SENDING, claimed_at=self._clock.now())
            )
            await session.commit()

    async def record_reminder(self, delivery_id: int, failure: str | None = None) -> None:
        """Note that a claimed reminder was sent, or why it could not be (never retried)."""
        values: dict[str, Any] = (
            {"failure": failure} if failure else {"sent_at": self._clock.now(), "failure": None}
        )
        async with self._sessions() as session:
            await session.execute(
                update(CircleReminderDelivery)
                .where(CircleReminderDelivery.id == delivery_id)
                .values(**values)
            )
            await session.commit()

    async def claim_promotion_notices(self) -> list[PromotionNotice]:
        """Claim the 'a place opened up' notices owed to members moved up off the waitlist."""
        now = self._clock.now()
        found: list[PromotionNotice] = []
        async with self._sessions() as session:
            rows = await session.execute(
                select(CircleRsvp, CircleOccurrence, Circle)
                .join(CircleOccurrence, CircleOccurrence.id == CircleRsvp.occurrence_id)
                .join(Circle, Circle.id == CircleOccurrence.circle_id)
                .where(CircleRsvp.notify_promoted.is_(True))
            )
            for rsvp, row, circle in rows.all():
                rsvp.notify_promoted = False
                occ = recurrence.occurrence_at(
                    await _store.schedule_of(session, circle), row.meeting_index
                )
                if occ is not None and occ.start_utc > now and rsvp.status == YES:
                    meeting = await _store.meeting_of(session, circle, occ, row)
                    found.append(PromotionNotice(rsvp.user_id, meeting, rsvp.locale))
            await session.commit()
        return found


def _still_to_send(
    delivery: CircleReminderDelivery, circle: Circle, occ: Occurrence, now: datetime
) -> bool:
    """Say whether a claimed, unconfirmed reminder may still go out (see unconfirmed_reminders)."""
    attempted = delivery.failure == SENDING
    stale = attempted and delivery.claimed_at <= now - NONCE_WINDOW
    late = not attempted and superseded_on_resume(
        delivery.lead_minutes, circle.lead_minutes, occ.start_utc, now
    )
    return not (stale or late or occ.start_utc <= now or circle.ended_at)


async def _claim_for_meeting(
    session: AsyncSession,
    circle: Circle,
    row: CircleOccurrence,
    occ: Occurrence,
    now: datetime,
) -> list[Reminder]:
    """Claim the reminder due now for each member going to one meeting (superseded ones too)."""
    going = (
        await session.execute(
            select(CircleRsvp.user_id, CircleRsvp.updated_at, CircleRsvp.locale).where(
                CircleRsvp.occurrence_id == row.id, CircleRsvp.status == YES
            )
        )
    ).all()
    claimed: list[Reminder] = []
    meeting: Meeting | None = None
    for user_id, going_since, locale in going:
        choice = choose_reminder(circle.lead_minutes, occ.start_utc, now, going_since)
        if choice.send is None:
            continue
        for lead in choice.superseded:
            await _claim(session, row.id, user_id, lead, now, SUPERSEDED)
        if not await _claim(session, row.id, user_id, choice.send, now, None):
            continue
        delivery_id = await session.scalar(
            select(CircleReminderDelivery.id).where(
                CircleReminderDelivery.occurrence_id == row.id,
                CircleReminderDelivery.user_id == user_id,
                CircleReminderDelivery.lead_minutes == choice.send,
            )
        )
        meeting = meeting or await _store.meeting_of(session, circle, occ, row)
        claimed.append(Reminder(int(delivery_id or 0), user_id, choice.send, meeting, locale))
    return claimed


async def _claim(
    session: AsyncSession,
    occurrence_id: int,
    user_id: int,
    lead: int,
    now: datetime,
    failure: str | None,
) -> bool:
    """Claim one member's reminder at one lead time; False if it was claimed before."""
    return await insert_ignore(
        session,
        _store.table(CircleReminderDelivery),
        {
            "occurrence_id": occurrence_id,
            "user_id": user_id,
            "lead_minutes": lead,
            "claimed_at": now,
            "failure": failure,
        },
        ["occurrence_id", "user_id", "lead_minutes"],
    )


class ReminderSender:
    """The reminders job: sends what is claimed through the port and records how it went."""

    def __init__(self, reminders: CircleReminders, port: ReminderPort) -> None:
        self._reminders = reminders
        self._port = port

    async def run(self) -> None:
        """Send each claimed reminder privately, exactly once; a closed DM is recorded.

        Claim, mark the attempt, send with a nonce derived from the claim, then mark sent.
        Reminders claimed but not marked sent (Hearth stopped in between) are sent first: never
        attempted ones simply go out; attempted ones go again with the same nonce, and Discord
        returns the message it already has instead of making a second one.
        """
        due = await self._reminders.unconfirmed_reminders()
        due += await self._reminders.claim_due_reminders()
        for reminder in due:
            await self._reminders.begin_reminder(reminder.delivery_id)
            delivery = await self._port.send_reminder(reminder)
            if delivery is Delivery.FAILED:
                log.warning("Could not send a circle reminder")
            failure = None if delivery is Delivery.SENT else delivery.value
            await self._reminders.record_reminder(reminder.delivery_id, failure)
        for notice in await self._reminders.claim_promotion_notices():
            await self.tell_promoted(notice)

    async def tell_promoted(self, notice: PromotionNotice) -> None:
        """Tell a member privately that a place opened up and it is theirs."""
        if await self._port.tell_promoted(notice) is not Delivery.SENT:
            log.warning("Could not tell a member they moved off the waitlist")
