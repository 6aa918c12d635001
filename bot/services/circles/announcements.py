"""Where each meeting was announced and mirrored as a Discord event: claims and records.

Announcing a meeting is claimed first (its id column set to 0, `UNPOSTED`), so only one caller
ever posts it; the real id is recorded as soon as the message or event exists. A process that
stops in between leaves the claim, which the next run finds (`interrupted_announcements`).
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import Circle, CircleOccurrence
from bot.services.circles import _store
from bot.services.circles._store import UNPOSTED
from bot.services.circles.values import Meeting


def _meeting_is(circle_id: int, index: int) -> ColumnElement[bool]:
    return (CircleOccurrence.circle_id == circle_id) & (CircleOccurrence.meeting_index == index)


class AnnouncementLedger:
    """Claims and records the announcement message and Discord event of each meeting."""

    def __init__(
        self, sessions: SessionFactory, clock: Clock, reads: SessionFactory | None = None
    ) -> None:
        self._sessions = sessions
        self._reads = reads or sessions
        self._clock = clock

    async def record_announcement(
        self,
        circle_id: int,
        index: int,
        *,
        message_id: int | None = None,
        scheduled_event_id: int | None = None,
    ) -> None:
        """Remember where a meeting was announced, so later changes can follow it."""
        values: dict[str, int] = {}
        if message_id is not None:
            values["announcement_message_id"] = message_id
        if scheduled_event_id is not None:
            values["scheduled_event_id"] = scheduled_event_id
        if not values:
            return
        async with self._sessions() as session:
            await session.execute(
                update(CircleOccurrence).where(_meeting_is(circle_id, index)).values(**values)
            )
            await session.commit()

    async def claim_announcement(self, circle_id: int, index: int) -> bool:
        """Claim the right to announce one meeting; only one caller ever gets it."""
        async with self._sessions() as session:
            claimed = await _store.changed(
                session,
                update(CircleOccurrence)
                .where(
                    _meeting_is(circle_id, index),
                    CircleOccurrence.announcement_message_id.is_(None),
                )
                .values(announcement_message_id=UNPOSTED),
            )
            await session.commit()
        return bool(claimed)

    async def release_announcement(self, circle_id: int, index: int) -> None:
        """Give a claimed announcement back when it could not be posted, so it is tried again."""
        async with self._sessions() as session:
            await session.execute(
                update(CircleOccurrence)
                .where(
                    _meeting_is(circle_id, index),
                    CircleOccurrence.announcement_message_id == UNPOSTED,
                )
                .values(announcement_message_id=None)
            )
            await session.commit()

    async def claim_event(self, circle_id: int, index: int) -> bool:
        """Claim the right to mirror one meeting as a Discord event; only one caller gets it."""
        async with self._sessions() as session:
            claimed = await _store.changed(
                session,
                update(CircleOccurrence)
                .where(_meeting_is(circle_id, index), CircleOccurrence.scheduled_event_id.is_(None))
                .values(scheduled_event_id=UNPOSTED),
            )
            await session.commit()
        return bool(claimed)

    async def release_event(self, circle_id: int, index: int) -> None:
        """Give a claimed event back when it could not be made (it may be tried again later)."""
        async with self._sessions() as session:
            await session.execute(
                update(CircleOccurrence)
                .where(
                    _meeting_is(circle_id, index), CircleOccurrence.scheduled_event_id == UNPOSTED
                )
                .values(scheduled_event_id=None)
            )
            await session.commit()

    async def forget_event(self, circle_id: int, index: int) -> None:
        """Note that a meeting no longer has a Discord event."""
        async with self._sessions() as session:
            await session.execute(
                update(CircleOccurrence)
                .where(_meeting_is(circle_id, index))
                .values(scheduled_event_id=None)
            )
            await session.commit()

    async def interrupted_announcements(self) -> list[Meeting]:
        """Return meetings still to come whose announcement or event was claimed, never recorded.

        The caller knows which of them it is announcing itself; every other one was left by a
        process that stopped in between, and may already be on Discord.
        """
        now = self._clock.now()
        found = []
        async with self._reads() as session:
            rows = await session.execute(
                select(CircleOccurrence, Circle)
                .join(Circle, Circle.id == CircleOccurrence.circle_id)
                .where(
                    Circle.ended_at.is_(None),
                    CircleOccurrence.skipped.is_(False),
                    CircleOccurrence.starts_at > now,
                    or_(
                        CircleOccurrence.announcement_message_id == UNPOSTED,
                        CircleOccurrence.scheduled_event_id == UNPOSTED,
                    ),
                )
                .order_by(CircleOccurrence.starts_at)
            )
            for row, circle in rows.all():
                occ = await _store.occurrence_of(session, circle, row)
                if occ is not None:
                    found.append(await _store.meeting_of(session, circle, occ, row))
        return found

    async def next_meetings_to_announce(self) -> list[Meeting]:
        """Return each running circle's next meeting that has not been announced yet."""
        now = self._clock.now()
        found = []
        async with self._sessions() as session:
            circles = await session.scalars(select(Circle).where(Circle.ended_at.is_(None)))
            for circle in list(circles):
                upcoming = await _store.next_meeting_of(session, circle, now, create=True)
                if upcoming is not None and upcoming[0].announcement_message_id is None:
                    found.append(upcoming[0])
            await session.commit()
        return found

    async def mirrored_events(self, guild_id: int) -> list[tuple[int, int, int]]:
        """Return (circle, index, event id) of meetings not yet over that have a Discord event."""
        now = self._clock.now()
        async with self._reads() as session:
            rows = await session.execute(
                select(
                    CircleOccurrence.circle_id,
                    CircleOccurrence.meeting_index,
                    CircleOccurrence.scheduled_event_id,
                )
                .join(Circle, Circle.id == CircleOccurrence.circle_id)
                .where(
                    Circle.guild_id == guild_id,
                    CircleOccurrence.starts_at > now,
                    CircleOccurrence.scheduled_event_id > UNPOSTED,
                )
            )
            return [(c, i, int(e or 0)) for c, i, e in rows.all()]
