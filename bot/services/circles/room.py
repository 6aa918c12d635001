"""Holding a meeting: opening and closing it, the talking order and the text lane."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import (
    Circle,
    CircleFeedback,
    CircleHand,
    CircleNote,
    CircleOccurrence,
    CircleRsvp,
)
from bot.db.queries import insert_ignore
from bot.domain import recurrence
from bot.domain.recurrence import Occurrence
from bot.errors import InvalidInput, NotFound
from bot.i18n import N_
from bot.services.agreement import AgreementService
from bot.services.audit import AuditService
from bot.services.circles import _store
from bot.services.circles.values import (
    MAX_NOTE,
    TOP_RATING,
    YES,
    HandOutcome,
    HoldOutcome,
    NextOutcome,
    NoteReceipt,
    TalkingOrder,
    WaitingNote,
)

log = logging.getLogger(__name__)

OPEN_EARLY = timedelta(minutes=30)
FEEDBACK_WINDOW = timedelta(hours=24)


class CircleRoomService:
    """Opens and closes meetings and keeps their talking order and written notes."""

    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        audit: AuditService,
        agreement: AgreementService,
        reads: SessionFactory | None = None,
    ) -> None:
        self._sessions = sessions
        self._reads = reads or sessions
        self._clock = clock
        self._audit = audit
        self._agreement = agreement

    # ----- opening and closing -------------------------------------------------------------
    async def hold(
        self, guild_id: int, actor_id: int, circle_id: int, *, opening: bool
    ) -> HoldOutcome:
        """Open (from 30 minutes before) or close the current meeting, audited.

        Closing clears the talking order, hands back the notes nobody read (they are erased
        with the rest) and opens anonymous feedback.
        """
        now = self._clock.now()
        async with self._sessions() as session:
            circle = await _store.circle_in(session, guild_id, circle_id)
            current = await self._current(session, circle, now, opening=opening)
            row = await _store.meeting_row(session, circle, current, lock=True)
            going: tuple[int, ...] = ()
            unread: tuple[WaitingNote, ...] = ()
            if opening:
                row.opened_at, row.closed_at = now, None
                if circle.yes_only:
                    going = await _yeses(session, row.id)
            else:
                unread = await _close(session, row, current.end_utc, now)
            action = "open" if opening else "close"
            record = self._audit.add(
                session,
                guild_id,
                actor_id,
                f"circle.{action}",
                f"{action}d the {current.local_date.isoformat()} meeting of “{circle.title}”",
                circle_id=circle.id,
                index=current.index,
            )
            await session.flush()
            meeting = await _store.meeting_of(session, circle, current, row)
            order = await _order(session, row, circle)
            yes_only = bool(circle.yes_only)
            await session.commit()
        await self._audit.publish(record)
        return HoldOutcome(meeting, yes_only, going, order, unread)

    @staticmethod
    async def _current(
        session: AsyncSession, circle: Circle, now: datetime, *, opening: bool
    ) -> Occurrence:
        """Return the meeting that can be opened (or closed) now, or explain why there is none."""
        schedule = await _store.schedule_of(session, circle)
        recent = list(
            recurrence.occurrences(
                schedule, now - recurrence.MAX_DURATION - OPEN_EARLY, now + OPEN_EARLY
            )
        )
        if opening:
            current = next((o for o in recent if o.start_utc - OPEN_EARLY <= now < o.end_utc), None)
        else:
            current = next((o for o in reversed(recent) if o.start_utc - OPEN_EARLY <= now), None)
        if current is None or (opening and circle.ended_at is not None):
            message = (
                N_(
                    "%(title)s has no meeting to open right now. A meeting can be opened "
                    "from 30 minutes before it starts until it ends."
                )
                if opening
                else N_(
                    "%(title)s has no meeting to close right now. A meeting can be opened "
                    "from 30 minutes before it starts until it ends."
                )
            )
            raise InvalidInput(message, title=circle.title)
        return current

    # ----- the talking order ---------------------------------------------------------------
    async def talking_order(self, occurrence_id: int) -> TalkingOrder | None:
        """Return one meeting's talking order as it stands now."""
        async with self._reads() as session:
            row = await session.get(CircleOccurrence, occurrence_id)
            if row is None:
                return None
            circle = await session.get(Circle, row.circle_id)
            return await _order(session, row, circle) if circle else None

    async def meeting_order(self, guild_id: int, circle_id: int, index: int) -> TalkingOrder:
        """Return the talking order of one meeting (for the buttons on its message)."""
        async with self._reads() as session:
            result = await session.execute(
                select(CircleOccurrence, Circle)
                .join(Circle, Circle.id == CircleOccurrence.circle_id)
                .where(
                    Circle.guild_id == guild_id,
                    Circle.id == circle_id,
                    CircleOccurrence.meeting_index == index,
                )
            )
            found = result.first()
            if found is None:
                raise NotFound(N_("I couldn't find that meeting any more."))
            row, circle = found
            return await _order(session, row, circle)

    async def record_queue_message(
        self, occurrence_id: int, channel_id: int, message_id: int
    ) -> None:
        """Remember the one message that shows a meeting's talking order."""
        async with self._sessions() as session:
            await session.execute(
                update(CircleOccurrence)
                .where(CircleOccurrence.id == occurrence_id)
                .values(queue_channel_id=channel_id, queue_message_id=message_id)
            )
            await session.commit()

    async def hand(
        self,
        guild_id: int,
        user_id: int,
        *,
        circle_id: int | None = None,
        channel_id: int | None = None,
        raise_hand: bool | None = None,
    ) -> HandOutcome:
        """Raise the member's hand in the open meeting (or lower it); None toggles."""
        await self._agreement.require_agreement(guild_id, user_id)
        async with self._sessions() as session:
            row, circle = await _open_row(session, guild_id, circle_id, channel_id)
            mine = await session.scalar(
                select(CircleHand).where(
                    CircleHand.occurrence_id == row.id, CircleHand.user_id == user_id
                )
            )
            wants_up = mine is None if raise_hand is None else raise_hand
            if wants_up and mine is None:
                await _require_yes(session, row, circle, user_id)
                await insert_ignore(
                    session,
                    _store.table(CircleHand),
                    {"occurrence_id": row.id, "user_id": user_id},
                    ["occurrence_id", "user_id"],
                )
            elif not wants_up and mine is not None:
                await session.delete(mine)
            await session.flush()
            order = await _order(session, row, circle)
            await session.commit()
        place = order.waiting.index(user_id) + 1 if user_id in order.waiting else None
        return HandOutcome(wants_up, place, order)

    async def next_speaker(
        self,
        guild_id: int,
        *,
        circle_id: int | None = None,
        channel_id: int | None = None,
    ) -> NextOutcome:
        """Pass to the first raised hand (who leaves the queue); nobody if none is raised."""
        async with self._sessions() as session:
            row, circle = await _open_row(session, guild_id, circle_id, channel_id)
            first = await session.scalar(
                select(CircleHand)
                .where(CircleHand.occurrence_id == row.id)
                .order_by(CircleHand.id)
                .limit(1)
            )
            row.speaker_id = first.user_id if first else None
            if first is not None:
                await session.delete(first)
            await session.flush()
            order = await _order(session, row, circle)
            await session.commit()
        return NextOutcome(order.speaker_id, order)

    # ----- the text lane -------------------------------------------------------------------
    async def add_note(
        self,
        guild_id: int,
        user_id: int,
        circle_id: int,
        index: int,
        text: str,
        *,
        anonymous: bool,
    ) -> NoteReceipt:
        """Store a few words for the facilitator to read aloud; anonymous ones keep no author."""
        await self._agreement.require_agreement(guild_id, user_id)
        text = text.strip()
        if not text:
            raise InvalidInput(N_("Your note was empty, so there was nothing to pass on."))
        if len(text) > MAX_NOTE:
            raise InvalidInput(N_("A note can be at most %(limit)s characters."), limit=MAX_NOTE)
        async with self._sessions() as session:
            row, circle = await _open_row(session, guild_id, circle_id, None)
            if row.meeting_index != index:
                raise InvalidInput(
                    N_("That meeting has closed, so your note couldn't be passed on.")
                )
            await _require_yes(session, row, circle, user_id)
            session.add(
                CircleNote(
                    occurrence_id=row.id, author_id=None if anonymous else user_id, text=text
                )
            )
            await session.flush()
            order = await _order(session, row, circle)
            await session.commit()
        return NoteReceipt(circle.title, anonymous, order)

    async def next_note(
        self,
        guild_id: int,
        *,
        circle_id: int | None = None,
        channel_id: int | None = None,
    ) -> WaitingNote | None:
        """Return the oldest unread note of the open meeting, marked read; None if none waits."""
        now = self._clock.now()
        async with self._sessions() as session:
            row, circle = await _open_row(session, guild_id, circle_id, channel_id)
            note = await session.scalar(
                select(CircleNote)
                .where(CircleNote.occurrence_id == row.id, CircleNote.read_at.is_(None))
                .order_by(CircleNote.id)
                .limit(1)
            )
            if note is None:
                return None
            note.read_at = now
            await session.flush()
            order = await _order(session, row, circle)
            text, author = note.text, note.author_id
            await session.commit()
        return WaitingNote(text, author, order.notes_waiting, order)


async def _yeses(session: AsyncSession, occurrence_id: int) -> tuple[int, ...]:
    """Return who said yes to a meeting, in the order they answered."""
    going = await session.scalars(
        select(CircleRsvp.user_id)
        .where(CircleRsvp.occurrence_id == occurrence_id, CircleRsvp.status == YES)
        .order_by(CircleRsvp.id)
    )
    return tuple(going)


async def _open_row(
    session: AsyncSession, guild_id: int, circle_id: int | None, channel_id: int | None
) -> tuple[CircleOccurrence, Circle]:
    """Find the meeting open now: the one named, the one held where this was used, or the only one."""
    query = (
        select(CircleOccurrence, Circle)
        .join(Circle, Circle.id == CircleOccurrence.circle_id)
        .where(
            Circle.guild_id == guild_id,
            CircleOccurrence.opened_at.is_not(None),
            CircleOccurrence.closed_at.is_(None),
        )
        .order_by(CircleOccurrence.opened_at)
    )
    if circle_id is not None:
        query = query.where(Circle.id == circle_id)
    # One change at a time per meeting (PostgreSQL; SQLite writers already hold the lock),
    # so concurrent hands read each other's and keep one consistent order.
    query = query.with_for_update(of=CircleOccurrence)
    found = [(row, circle) for row, circle in (await session.execute(query)).all()]
    if channel_id is not None and len(found) > 1:
        here = [
            (row, circle)
            for row, circle in found
            if channel_id in (circle.voice_channel_id, row.queue_channel_id)
        ]
        found = here or found
    if not found:
        raise InvalidInput(
            N_(
                "No circle is open right now. The talking order starts when a facilitator "
                "opens the room."
            )
        )
    if len(found) > 1:
        raise InvalidInput(
            N_(
                "More than one circle is open right now: use this in the circle's voice channel "
                "chat, or pick the circle."
            )
        )
    return found[0]


async def _require_yes(
    session: AsyncSession, row: CircleOccurrence, circle: Circle, user_id: int
) -> None:
    """In a circle open only to those who said yes, only they take part."""
    if not circle.yes_only:
        return
    status = await session.scalar(
        select(CircleRsvp.status).where(
            CircleRsvp.occurrence_id == row.id, CircleRsvp.user_id == user_id
        )
    )
    if status != YES:
        raise InvalidInput(
            N_(
                "%(title)s is open to those who said yes to this meeting. You're welcome "
                "at the next one: answer **I'll be there** on its announcement."
            ),
            title=circle.title,
        )


async def _order(session: AsyncSession, row: CircleOccurrence, circle: Circle) -> TalkingOrder:
    """Return a meeting's talking order as the public message shows it."""
    waiting = await session.scalars(
        select(CircleHand.user_id).where(CircleHand.occurrence_id == row.id).order_by(CircleHand.id)
    )
    notes = await session.scalar(
        select(func.count()).where(CircleNote.occurrence_id == row.id, CircleNote.read_at.is_(None))
    )
    return TalkingOrder(
        occurrence_id=row.id,
        circle_id=circle.id,
        index=row.meeting_index,
        guild_id=circle.guild_id,
        title=circle.title,
        voice_channel_id=circle.voice_channel_id,
        speaker_id=row.speaker_id,
        waiting=tuple(waiting),
        notes_waiting=int(notes or 0),
        is_open=row.opened_at is not None and row.closed_at is None,
        queue_channel_id=row.queue_channel_id,
        queue_message_id=row.queue_message_id,
    )


async def _close(
    session: AsyncSession, row: CircleOccurrence, end_utc: datetime, now: datetime
) -> tuple[WaitingNote, ...]:
    """Clear the queue, hand back unread notes (then erase every note), open feedback."""
    unread = list(
        await session.scalars(
            select(CircleNote)
            .where(CircleNote.occurrence_id == row.id, CircleNote.read_at.is_(None))
            .order_by(CircleNote.id)
        )
    )
    await session.execute(delete(CircleHand).where(CircleHand.occurrence_id == row.id))
    await session.execute(delete(CircleNote).where(CircleNote.occurrence_id == row.id))
    row.speaker_id = None
    row.closed_at = now
    await insert_ignore(
        session,
        _store.table(CircleFeedback),
        {
            "occurrence_id": row.id,
            "ratings": [0] * TOP_RATING,
            "words": [],
            "closes_at": max(now, end_utc) + FEEDBACK_WINDOW,
        },
        ["occurrence_id"],
    )
    return tuple(
        WaitingNote(note.text, note.author_id, len(unread) - n) for n, note in enumerate(unread, 1)
    )
