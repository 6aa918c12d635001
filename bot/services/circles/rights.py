"""A member's circle data: what is kept, the export, and erasure (for /mydata)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Circle,
    CircleFeedbackVoter,
    CircleHand,
    CircleNote,
    CircleOccurrence,
    CircleReminderDelivery,
    CircleRsvp,
)
from bot.i18n import N_
from bot.services.circles import _store
from bot.services.circles.values import YES

DESCRIPTION = N_(
    "**Circles**: your answers to circle meetings (yes, no, or your place on a waitlist), "
    "which reminders were sent to you, and circles you created; while a circle is open, "
    "your raised hand and notes you chose to sign. Anonymous notes and feedback carry no "
    "trace of you (for feedback, only that you answered, until it closes). Facilitators "
    "see who said yes; everyone else sees only a headcount."
)


async def export_user(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """Return everything about this member in the circle tables."""
    answers = await session.execute(
        select(Circle.guild_id, Circle.title, CircleOccurrence.local_date, CircleRsvp.status)
        .join(CircleOccurrence, CircleOccurrence.id == CircleRsvp.occurrence_id)
        .join(Circle, Circle.id == CircleOccurrence.circle_id)
        .where(CircleRsvp.user_id == user_id)
        .order_by(CircleOccurrence.starts_at)
    )
    reminders = await session.scalars(
        select(CircleReminderDelivery).where(CircleReminderDelivery.user_id == user_id)
    )
    created = await session.execute(
        select(Circle.guild_id, Circle.title, Circle.created_at).where(Circle.created_by == user_id)
    )
    notes = await session.scalars(select(CircleNote.text).where(CircleNote.author_id == user_id))
    hands = await session.scalar(
        select(func.count()).select_from(CircleHand).where(CircleHand.user_id == user_id)
    )
    answered = await session.scalar(
        select(func.count())
        .select_from(CircleFeedbackVoter)
        .where(CircleFeedbackVoter.user_id == user_id)
    )
    return {
        "rsvps": [
            {"server_id": str(g), "circle": t, "date": d.isoformat(), "answer": s}
            for g, t, d, s in answers
        ],
        "reminders": [
            {
                "minutes_before": r.lead_minutes,
                "sent_at": r.sent_at.isoformat() if r.sent_at else None,
            }
            for r in reminders
        ],
        "circles_created": [
            {"server_id": str(g), "title": t, "at": at.isoformat()} for g, t, at in created
        ],
        "notes_with_your_name_waiting": list(notes),
        "hands_raised_now": int(hands or 0),
        "meetings_you_gave_feedback_on_still_open": int(answered or 0),
    }


async def delete_user(session: AsyncSession, user_id: int, now: datetime) -> int:
    """Erase this member's answers, reminders, hands and named notes; circles stay, unnamed.

    A place they held in a meeting still to come goes to the first person on its waitlist,
    who is told privately by the reminders job.
    """
    held = await session.scalars(
        select(CircleRsvp.occurrence_id)
        .join(CircleOccurrence, CircleOccurrence.id == CircleRsvp.occurrence_id)
        .where(
            CircleRsvp.user_id == user_id,
            CircleRsvp.status == YES,
            CircleOccurrence.starts_at > now,
        )
    )
    held_ids = list(held)
    removed = 0
    for model in (CircleRsvp, CircleReminderDelivery, CircleHand, CircleFeedbackVoter):
        removed += await _store.changed(session, delete(model).where(model.user_id == user_id))
    removed += await _store.changed(
        session, delete(CircleNote).where(CircleNote.author_id == user_id)
    )
    for occurrence_id in held_ids:
        promoted = await _store.promote(session, occurrence_id, now)
        if promoted is not None:
            await session.execute(
                update(CircleRsvp)
                .where(CircleRsvp.occurrence_id == occurrence_id, CircleRsvp.user_id == promoted)
                .values(notify_promoted=True)
            )
    await session.execute(
        update(Circle).where(Circle.created_by == user_id).values(created_by=None)
    )
    return removed
