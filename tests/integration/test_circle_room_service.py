"""Holding a circle in the service, on a real migrated database: queue, notes, feedback, nonces."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.db.models import CircleFeedback, CircleReminderDelivery
from bot.errors import InvalidInput
from bot.services import Services
from bot.services.circles import UNCONFIRMED
from tests.integration.test_circle_service import (
    FACILITATOR,
    GUILD,
    _setup,
    _weekly,
    other_process,
)

START = datetime(2026, 1, 13, 19, 0, tzinfo=UTC)
MEMBERS = list(range(2000, 2012))


async def _open(services: Services, clock: FakeClock) -> int:
    await _setup(services, MEMBERS)
    created = await _weekly(services)
    clock.advance(START - clock.now() - timedelta(minutes=5))
    await services.circles.room.hold(GUILD, FACILITATOR, created.circle.id, opening=True)
    return created.circle.id


async def test_concurrent_hands_get_distinct_places_in_one_order(
    services: Services, clock: FakeClock
) -> None:
    """Twelve hands raised at once: each a different place, and the order is the stored one."""
    circle = await _open(services, clock)
    outcomes = await asyncio.gather(*(services.circles.room.hand(GUILD, m) for m in MEMBERS))
    assert sorted(o.place for o in outcomes) == list(range(1, 13))
    order = await services.circles.room.meeting_order(GUILD, circle, 0)
    assert [order.waiting.index(o.order.waiting[o.place - 1]) + 1 for o in outcomes] == [
        o.place for o in outcomes
    ]
    passed = await services.circles.room.next_speaker(GUILD)
    assert passed.speaker_id == order.waiting[0]
    assert passed.order.waiting == order.waiting[1:]


async def test_no_open_circle_is_explained(services: Services) -> None:
    """Raising a hand with no circle open gets a kind explanation."""
    await _setup(services, MEMBERS)
    with pytest.raises(InvalidInput, match="No circle is open"):
        await services.circles.room.hand(GUILD, MEMBERS[0])


async def test_feedback_is_a_tally_with_no_row_per_answer(
    services: Services, clock: FakeClock
) -> None:
    """Answers change one tally row (no id, no time); who answered is kept apart, then erased."""
    circle = await _open(services, clock)
    clock.advance(hours=2)
    await services.circles.room.hold(GUILD, FACILITATOR, circle, opening=False)
    for n, member in enumerate(MEMBERS[:6]):
        await services.circles.feedback.give_feedback(
            GUILD, circle, 0, member, 1 + n % 5, f"words {n}" if n % 2 else None
        )
    columns = {c.name for c in CircleFeedback.__table__.columns}
    assert columns == {"occurrence_id", "ratings", "words", "closes_at"}
    results = await services.circles.feedback.feedback_results(GUILD, circle)
    assert results.count == 6 and not results.ready  # still open
    clock.advance(hours=25)
    results = await services.circles.feedback.feedback_results(GUILD, circle)
    assert results.ready and results.ratings == (2, 1, 1, 1, 1)
    assert sorted(results.words) == ["words 1", "words 3", "words 5"]
    assert await services.circles.feedback.forget_feedback_voters() == 6
    with pytest.raises(InvalidInput, match="has closed"):
        await services.circles.feedback.give_feedback(GUILD, circle, 0, MEMBERS[7], 5, None)


async def test_settings_bound_the_feedback_threshold(services: Services) -> None:
    """The threshold k is 2 to 50; 5 by default."""
    assert (await services.circles.feedback.circle_settings(GUILD)).feedback_min_answers == 5
    with pytest.raises(InvalidInput):
        await services.circles.feedback.change_settings(GUILD, 1, feedback_min_answers=1)
    changed = await services.circles.feedback.change_settings(GUILD, 1, events_enabled=False)
    assert not changed.events_enabled and changed.feedback_min_answers == 5


async def test_an_old_unconfirmed_reminder_is_recorded_not_resent(
    services: Services, clock: FakeClock, database_url: str
) -> None:
    """An attempted send past the nonce window is given up (at most once) and recorded."""
    await _setup(services, MEMBERS[:1])
    created = await _weekly(services)
    await services.circles.rsvp(GUILD, created.circle.id, 0, MEMBERS[0], True)
    clock.advance(START - clock.now() - timedelta(hours=24) + timedelta(seconds=10))
    [claimed] = await services.circles.reminders.claim_due_reminders()
    clock.advance(minutes=3)  # never attempted, and still on time: safe to send
    assert [r.delivery_id for r in await services.circles.reminders.unconfirmed_reminders()] == [
        claimed.delivery_id
    ]
    await services.circles.reminders.begin_reminder(claimed.delivery_id)
    clock.advance(minutes=1)  # attempted, within the nonce window: send again, same nonce
    assert len(await services.circles.reminders.unconfirmed_reminders()) == 1
    clock.advance(minutes=10)
    assert await services.circles.reminders.unconfirmed_reminders() == []
    async with other_process(database_url) as sessions, sessions() as session:
        failure = await session.scalar(
            select(CircleReminderDelivery.failure).where(
                CircleReminderDelivery.id == claimed.delivery_id
            )
        )
    assert failure == UNCONFIRMED
