"""Holding a circle: the talking order, the text lane, anonymous feedback and circle settings.

A mixin of CircleService (it shares its sessions, clock and loading helpers), kept apart so
each file stays readable.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Circle,
    CircleFeedback,
    CircleFeedbackVoter,
    CircleHand,
    CircleNote,
    CircleOccurrence,
    CircleRsvp,
    CircleSettings,
)
from bot.db.queries import insert_ignore
from bot.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.db.engine import SessionFactory
    from bot.services.agreement import AgreementService
    from bot.services.audit import AuditService

log = logging.getLogger(__name__)

MAX_NOTE = 500
MAX_FEEDBACK_WORDS = 500
DEFAULT_FEEDBACK_MIN = 5
MIN_FEEDBACK_MIN, MAX_FEEDBACK_MIN = 2, 50
FEEDBACK_WINDOW = timedelta(hours=24)
_shuffle = secrets.SystemRandom()


@dataclass(frozen=True)
class CircleConfig:
    """A server's circle settings."""

    guild_id: int
    events_enabled: bool = True
    feedback_min_answers: int = DEFAULT_FEEDBACK_MIN


@dataclass(frozen=True)
class TalkingOrder:
    """The talking order of one open meeting, as the public message shows it."""

    occurrence_id: int
    circle_id: int
    index: int
    guild_id: int
    title: str
    voice_channel_id: int
    speaker_id: int | None
    waiting: tuple[int, ...]
    notes_waiting: int
    is_open: bool
    queue_channel_id: int | None
    queue_message_id: int | None


@dataclass(frozen=True)
class HandOutcome:
    """A member's hand raised (with their place) or lowered, and the order after it."""

    raised: bool
    place: int | None
    order: TalkingOrder


@dataclass(frozen=True)
class NextOutcome:
    """Who speaks now, and the order after passing on."""

    speaker_id: int | None
    order: TalkingOrder


@dataclass(frozen=True)
class NoteReceipt:
    """A stored note: for the member's private receipt."""

    title: str
    anonymous: bool
    order: TalkingOrder


@dataclass(frozen=True)
class WaitingNote:
    """A note for the facilitator to read aloud; author_id is None when it is anonymous."""

    text: str
    author_id: int | None
    remaining: int
    order: TalkingOrder | None = None


@dataclass(frozen=True)
class FeedbackResults:
    """The aggregate a facilitator may see, or how many more answers it needs first."""

    title: str
    local_date: Any
    count: int
    needed: int
    closes_at: datetime
    ready: bool
    ratings: tuple[int, ...] = ()
    words: tuple[str, ...] = ()

    @property
    def average(self) -> float:
        """Return the mean rating (0 when nobody answered)."""
        total = sum(self.ratings)
        return sum(n * (i + 1) for i, n in enumerate(self.ratings)) / total if total else 0.0


class CircleRoom:
    """Talking order, text lane, feedback and settings (mixed into CircleService)."""

    _sessions: SessionFactory
    _reads: SessionFactory
    _clock: Clock
    _audit: AuditService
    _agreement: AgreementService

    # ----- settings --------------------------------------------------------------------------
    async def circle_settings(self, guild_id: int) -> CircleConfig:
        """Return the server's circle settings (defaults if never changed)."""
        async with self._reads() as session:
            row = await session.get(CircleSettings, guild_id)
        if row is None:
            return CircleConfig(guild_id)
        return CircleConfig(guild_id, row.events_enabled, row.feedback_min_answers)

    async def change_settings(
        self,
        guild_id: int,
        actor_id: int,
        *,
        events_enabled: bool | None = None,
        feedback_min_answers: int | None = None,
    ) -> CircleConfig:
        """Change the server's circle settings; audited."""
        if feedback_min_answers is not None and not (
            MIN_FEEDBACK_MIN <= feedback_min_answers <= MAX_FEEDBACK_MIN
        ):
            raise InvalidInput(
                f"The feedback threshold can be {MIN_FEEDBACK_MIN} to {MAX_FEEDBACK_MIN} answers."
            )
        now = self._clock.now()
        async with self._sessions() as session:
            row = await session.get(CircleSettings, guild_id)
            if row is None:
                row = CircleSettings(
                    guild_id=guild_id,
                    events_enabled=True,
                    feedback_min_answers=DEFAULT_FEEDBACK_MIN,
                    updated_at=now,
                )
                session.add(row)
            if events_enabled is not None:
                row.events_enabled = events_enabled
            if feedback_min_answers is not None:
                row.feedback_min_answers = feedback_min_answers
            row.updated_at = now
            config = CircleConfig(guild_id, row.events_enabled, row.feedback_min_answers)
            record = self._audit.add(
                session,
                guild_id,
                actor_id,
                "circle.settings",
                f"set circle settings: Discord events {'on' if config.events_enabled else 'off'}, "
                f"feedback shown from {config.feedback_min_answers} answers",
            )
            await session.commit()
        await self._audit.publish(record)
        return config

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
                    CircleOccurrence.scheduled_event_id > 0,  # 0: claimed, not made yet
                )
            )
            return [(c, i, int(e)) for c, i, e in rows.all()]

    async def forget_event(self, circle_id: int, index: int) -> None:
        """Note that a meeting no longer has a Discord event."""
        async with self._sessions() as session:
            await session.execute(
                update(CircleOccurrence)
                .where(
                    CircleOccurrence.circle_id == circle_id,
                    CircleOccurrence.meeting_index == index,
                )
                .values(scheduled_event_id=None)
            )
            await session.commit()

    # ----- which meeting is open -------------------------------------------------------------
    async def _open_row(
        self,
        session: AsyncSession,
        guild_id: int,
        circle_id: int | None,
        channel_id: int | None,
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
        found = list((await session.execute(query)).all())
        if channel_id is not None and len(found) > 1:
            here = [
                (row, circle)
                for row, circle in found
                if channel_id in (circle.voice_channel_id, row.queue_channel_id)
            ]
            found = here or found
        if not found:
            raise InvalidInput(
                "No circle is open right now. The talking order starts when a facilitator "
                "opens the room."
            )
        if len(found) > 1:
            raise InvalidInput(
                "More than one circle is open right now: use this in the circle's voice channel "
                "chat, or pick the circle."
            )
        return found[0]

    @staticmethod
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
        if status != "yes":
            raise InvalidInput(
                f"{circle.title} is open to those who said yes to this meeting. You're welcome "
                "at the next one: answer **I'll be there** on its announcement."
            )

    async def _order(
        self, session: AsyncSession, row: CircleOccurrence, circle: Circle
    ) -> TalkingOrder:
        waiting = await session.scalars(
            select(CircleHand.user_id)
            .where(CircleHand.occurrence_id == row.id)
            .order_by(CircleHand.id)
        )
        notes = await session.scalar(
            select(func.count()).where(
                CircleNote.occurrence_id == row.id, CircleNote.read_at.is_(None)
            )
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

    async def talking_order(self, occurrence_id: int) -> TalkingOrder | None:
        """Return one meeting's talking order as it stands now."""
        async with self._reads() as session:
            row = await session.get(CircleOccurrence, occurrence_id)
            if row is None:
                return None
            circle = await session.get(Circle, row.circle_id)
            return await self._order(session, row, circle) if circle else None

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
                raise NotFound("I couldn't find that meeting any more.")
            return await self._order(session, *found)

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

    # ----- talking order ---------------------------------------------------------------------
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
            row, circle = await self._open_row(session, guild_id, circle_id, channel_id)
            mine = await session.scalar(
                select(CircleHand).where(
                    CircleHand.occurrence_id == row.id, CircleHand.user_id == user_id
                )
            )
            wants_up = mine is None if raise_hand is None else raise_hand
            if wants_up and mine is None:
                await self._require_yes(session, row, circle, user_id)
                await insert_ignore(
                    session,
                    CircleHand.__table__,
                    {"occurrence_id": row.id, "user_id": user_id},
                    ["occurrence_id", "user_id"],
                )
            elif not wants_up and mine is not None:
                await session.delete(mine)
            await session.flush()
            order = await self._order(session, row, circle)
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
            row, circle = await self._open_row(session, guild_id, circle_id, channel_id)
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
            order = await self._order(session, row, circle)
            await session.commit()
        return NextOutcome(order.speaker_id, order)

    # ----- text lane -------------------------------------------------------------------------
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
            raise InvalidInput("Your note was empty, so there was nothing to pass on.")
        if len(text) > MAX_NOTE:
            raise InvalidInput(f"A note can be at most {MAX_NOTE} characters.")
        async with self._sessions() as session:
            row, circle = await self._open_row(session, guild_id, circle_id, None)
            if row.meeting_index != index:
                raise InvalidInput("That meeting has closed, so your note couldn't be passed on.")
            await self._require_yes(session, row, circle, user_id)
            session.add(
                CircleNote(
                    occurrence_id=row.id, author_id=None if anonymous else user_id, text=text
                )
            )
            await session.flush()
            order = await self._order(session, row, circle)
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
            row, circle = await self._open_row(session, guild_id, circle_id, channel_id)
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
            order = await self._order(session, row, circle)
            text, author = note.text, note.author_id
            await session.commit()
        return WaitingNote(text, author, order.notes_waiting, order)

    # ----- closing -----------------------------------------------------------------------------
    async def _close_room(
        self, session: AsyncSession, row: CircleOccurrence, end_utc: datetime, now: datetime
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
            CircleFeedback.__table__,
            {
                "occurrence_id": row.id,
                "ratings": [0, 0, 0, 0, 0],
                "words": [],
                "closes_at": max(now, end_utc) + FEEDBACK_WINDOW,
            },
            ["occurrence_id"],
        )
        return tuple(
            WaitingNote(note.text, note.author_id, len(unread) - n)
            for n, note in enumerate(unread, 1)
        )

    # ----- anonymous feedback ------------------------------------------------------------------
    async def _feedback_row(
        self, session: AsyncSession, guild_id: int, circle_id: int, index: int
    ) -> tuple[CircleOccurrence, CircleFeedback]:
        found = (
            await session.execute(
                select(CircleOccurrence, CircleFeedback)
                .join(Circle, Circle.id == CircleOccurrence.circle_id)
                .join(CircleFeedback, CircleFeedback.occurrence_id == CircleOccurrence.id)
                .where(
                    Circle.guild_id == guild_id,
                    Circle.id == circle_id,
                    CircleOccurrence.meeting_index == index,
                )
            )
        ).first()
        if found is None:
            raise NotFound("Feedback for this meeting isn't open.")
        return found

    async def check_feedback(self, guild_id: int, circle_id: int, index: int, user_id: int) -> None:
        """Raise a kind error unless this member may still answer this meeting's feedback."""
        async with self._reads() as session:
            row, feedback = await self._feedback_row(session, guild_id, circle_id, index)
            self._feedback_still_open(feedback)
            if await session.get(CircleFeedbackVoter, (row.id, user_id)) is not None:
                raise InvalidInput("You've already shared feedback for this meeting. Thank you. 💛")

    def _feedback_still_open(self, feedback: CircleFeedback) -> None:
        if self._clock.now() >= feedback.closes_at:
            raise InvalidInput(
                "Feedback for this meeting has closed. Thank you for thinking of it."
            )

    async def give_feedback(
        self,
        guild_id: int,
        circle_id: int,
        index: int,
        user_id: int,
        rating: int,
        words: str | None,
    ) -> None:
        """Count one anonymous answer: who answered and what was answered are kept apart."""
        if not 1 <= rating <= 5:
            raise InvalidInput("Please choose a rating from 1 to 5.")
        words = (words or "").strip()
        if len(words) > MAX_FEEDBACK_WORDS:
            raise InvalidInput(f"Your words can be at most {MAX_FEEDBACK_WORDS} characters.")
        async with self._sessions() as session:
            row, feedback = await self._feedback_row(session, guild_id, circle_id, index)
            self._feedback_still_open(feedback)
            voted = await insert_ignore(
                session,
                CircleFeedbackVoter.__table__,
                {"occurrence_id": row.id, "user_id": user_id},
                ["occurrence_id", "user_id"],
            )
            if not voted:
                raise InvalidInput("You've already shared feedback for this meeting. Thank you. 💛")
            # Read again under the write lock (FOR UPDATE on PostgreSQL), then change the tally.
            current = (
                await session.execute(
                    select(CircleFeedback.ratings, CircleFeedback.words)
                    .where(CircleFeedback.occurrence_id == row.id)
                    .with_for_update()
                )
            ).one()
            ratings = list(current.ratings)
            ratings[rating - 1] += 1
            said = list(current.words)
            if words:
                said.insert(_shuffle.randint(0, len(said)), words)
            await session.execute(
                update(CircleFeedback)
                .where(CircleFeedback.occurrence_id == row.id)
                .values(ratings=ratings, words=said)
            )
            await session.commit()

    async def feedback_results(self, guild_id: int, circle_id: int) -> FeedbackResults:
        """Return the latest closed meeting's aggregate, only once k answered and feedback closed."""
        minimum = (await self.circle_settings(guild_id)).feedback_min_answers
        async with self._reads() as session:
            found = (
                await session.execute(
                    select(CircleOccurrence, CircleFeedback, Circle.title)
                    .join(Circle, Circle.id == CircleOccurrence.circle_id)
                    .join(CircleFeedback, CircleFeedback.occurrence_id == CircleOccurrence.id)
                    .where(Circle.guild_id == guild_id, Circle.id == circle_id)
                    .order_by(CircleOccurrence.meeting_index.desc())
                    .limit(1)
                )
            ).first()
        if found is None:
            raise NotFound("No meeting of this circle has been closed with feedback yet.")
        row, feedback, title = found
        count = sum(feedback.ratings)
        ready = count >= minimum and self._clock.now() >= feedback.closes_at
        base = FeedbackResults(
            title=title,
            local_date=row.local_date,
            count=count,
            needed=max(0, minimum - count),
            closes_at=feedback.closes_at,
            ready=ready,
        )
        if not ready:
            return base
        words = list(feedback.words)
        _shuffle.shuffle(words)
        return FeedbackResults(
            **{**base.__dict__, "ratings": tuple(feedback.ratings), "words": tuple(words)}
        )

    async def forget_feedback_voters(self) -> int:
        """Erase who answered once a meeting's feedback has closed; the tally stays."""
        now = self._clock.now()
        async with self._sessions() as session:
            closed = select(CircleFeedback.occurrence_id).where(CircleFeedback.closes_at <= now)
            result = await session.execute(
                delete(CircleFeedbackVoter).where(CircleFeedbackVoter.occurrence_id.in_(closed))
            )
            await session.commit()
        return result.rowcount or 0
