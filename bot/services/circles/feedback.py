"""Anonymous feedback after a meeting, and the server's circle settings.

Who answered and what was answered are kept apart: a tally row per meeting (no row per
answer) and a list of who answered, erased once feedback closes. Facilitators see only the
aggregate, and only once enough people answered (a server setting) and feedback has closed.
"""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import (
    Circle,
    CircleFeedback,
    CircleFeedbackVoter,
    CircleOccurrence,
    CircleSettings,
)
from bot.db.queries import insert_ignore
from bot.errors import InvalidInput, NotFound
from bot.i18n import N_
from bot.services.audit import AuditService
from bot.services.circles import _store
from bot.services.circles.values import (
    DEFAULT_FEEDBACK_MIN,
    MAX_FEEDBACK_MIN,
    MAX_FEEDBACK_WORDS,
    MIN_FEEDBACK_MIN,
    TOP_RATING,
    CircleConfig,
    FeedbackResults,
)

ALREADY_SHARED = N_("You've already shared feedback for this meeting. Thank you. 💛")
log = logging.getLogger(__name__)

_shuffle = secrets.SystemRandom()


class CircleFeedbackService:
    """Counts anonymous feedback, shows it in aggregate, and keeps the circle settings."""

    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        audit: AuditService,
        reads: SessionFactory | None = None,
    ) -> None:
        self._sessions = sessions
        self._reads = reads or sessions
        self._clock = clock
        self._audit = audit

    # ----- settings ------------------------------------------------------------------------
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
                N_("The feedback threshold can be %(low)s to %(high)s answers."),
                low=MIN_FEEDBACK_MIN,
                high=MAX_FEEDBACK_MIN,
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

    # ----- answering -----------------------------------------------------------------------
    async def check_feedback(self, guild_id: int, circle_id: int, index: int, user_id: int) -> None:
        """Raise a kind error unless this member may still answer this meeting's feedback."""
        async with self._reads() as session:
            row, feedback = await _feedback_row(session, guild_id, circle_id, index)
            self._still_open(feedback)
            if await session.get(CircleFeedbackVoter, (row.id, user_id)) is not None:
                raise InvalidInput(ALREADY_SHARED)

    def _still_open(self, feedback: CircleFeedback) -> None:
        if self._clock.now() >= feedback.closes_at:
            raise InvalidInput(
                N_("Feedback for this meeting has closed. Thank you for thinking of it.")
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
        if not 1 <= rating <= TOP_RATING:
            raise InvalidInput(N_("Please choose a rating from 1 to %(top)s."), top=TOP_RATING)
        words = (words or "").strip()
        if len(words) > MAX_FEEDBACK_WORDS:
            raise InvalidInput(
                N_("Your words can be at most %(limit)s characters."), limit=MAX_FEEDBACK_WORDS
            )
        async with self._sessions() as session:
            row, feedback = await _feedback_row(session, guild_id, circle_id, index)
            self._still_open(feedback)
            voted = await insert_ignore(
                session,
                _store.table(CircleFeedbackVoter),
                {"occurrence_id": row.id, "user_id": user_id},
                ["occurrence_id", "user_id"],
            )
            if not voted:
                raise InvalidInput(ALREADY_SHARED)
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

    # ----- results -------------------------------------------------------------------------
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
            raise NotFound(N_("No meeting of this circle has been closed with feedback yet."))
        row, feedback, title = found
        count = sum(feedback.ratings)
        ready = count >= minimum and self._clock.now() >= feedback.closes_at
        if not ready:
            return FeedbackResults(
                title, row.local_date, count, max(0, minimum - count), feedback.closes_at, False
            )
        words = list(feedback.words)
        _shuffle.shuffle(words)
        return FeedbackResults(
            title=title,
            local_date=row.local_date,
            count=count,
            needed=0,
            closes_at=feedback.closes_at,
            ready=True,
            ratings=tuple(feedback.ratings),
            words=tuple(words),
        )

    async def forget_feedback_voters(self) -> int:
        """Erase who answered once a meeting's feedback has closed; the tally stays."""
        now = self._clock.now()
        async with self._sessions() as session:
            closed = select(CircleFeedback.occurrence_id).where(CircleFeedback.closes_at <= now)
            removed = await _store.changed(
                session,
                delete(CircleFeedbackVoter).where(CircleFeedbackVoter.occurrence_id.in_(closed)),
            )
            await session.commit()
        return removed


async def _feedback_row(
    session: AsyncSession, guild_id: int, circle_id: int, index: int
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
        raise NotFound(N_("Feedback for this meeting isn't open."))
    row, feedback = found
    return row, feedback
