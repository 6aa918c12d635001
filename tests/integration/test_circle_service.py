"""The circle service on a real, migrated SQLite file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.db.engine import SessionFactory, create_engine, create_session_factory
from bot.domain.recurrence import Rule, find_occurrence
from bot.errors import AgreementRequired, InvalidInput
from bot.services import Services
from bot.services.circles import NO, WAITLIST, YES, CircleReminders, CreateOutcome

GUILD, MOD, FACILITATOR = 100, 1, 2
VOICE = 700
MEMBERS = range(1000, 1050)


@asynccontextmanager
async def other_process(database_url: str) -> AsyncIterator[SessionFactory]:
    """Yield sessions on the same database through an engine of their own, as a restart has."""
    engine = create_engine(database_url)
    try:
        yield create_session_factory(engine)
    finally:
        await engine.dispose()


async def _setup(services: Services, members: range | list[int] = MEMBERS) -> None:
    await services.agreement.save(GUILD, MOD, "Our agreement", "We listen.", "minor")
    for user_id in members:
        await services.agreement.accept(GUILD, user_id, 1)


async def _weekly(services: Services, **changes: object) -> CreateOutcome:
    options: dict = {
        "title": "Tuesday evening circle",
        "zone": "Europe/London",
        "first_date": "2026-01-13",
        "start_time": "19:00",
        "duration_minutes": 90,
        "rule": "weekly",
        "voice_channel_id": VOICE,
        "count": 10,
    }
    options.update(changes)
    return await services.circles.create(GUILD, FACILITATOR, **options)


async def test_create_returns_the_first_meeting_in_utc(services: Services) -> None:
    """A weekly London circle at 19:00 starts at 19:00 UTC in winter and is described plainly."""
    outcome = await _weekly(services)
    assert outcome.first.start_utc == datetime(2026, 1, 13, 19, 0, tzinfo=UTC)
    assert outcome.first.index == 0
    current = outcome.circle.schedule.current
    assert (current.rule, current.zone) == (Rule.WEEKLY, "Europe/London")


async def test_schedule_survives_the_round_trip_and_dst(services: Services) -> None:
    """The stored schedule rebuilds in the domain: 19:00 London is 18:00 UTC after March."""
    outcome = await _weekly(services, count=None)
    circle = await services.circles.get(GUILD, outcome.circle.id)
    assert circle.schedule == outcome.circle.schedule
    occ = find_occurrence(circle.schedule, date(2026, 4, 7))
    assert occ is not None and occ.start_utc == datetime(2026, 4, 7, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"zone": "Mars/Olympus"}, "know the time zone"),
        (
            {"zone": "Europe/London", "first_date": "2026-03-29", "start_time": "01:30"},
            "does not exist",
        ),
        (
            {"zone": "America/New_York", "first_date": "2026-11-01", "start_time": "01:30"},
            "happens twice",
        ),
        ({"until": "2026-01-01"}, "is before the first meeting"),
        ({"first_date": "13/01/2026"}, "Write it like 2026-03-17"),
        ({"start_time": "7pm"}, "Write it like 19:00"),
        ({"rule": "daily"}, "how often"),
        ({"capacity": 0}, "capacity"),
        ({"first_date": "2025-12-01", "count": 2}, "in the past"),
    ],
)
async def test_bad_input_gets_a_kind_message(
    services: Services, changes: dict, expected: str
) -> None:
    """Unknown zones, DST gaps and folds, end before start and unreadable input are explained."""
    with pytest.raises(InvalidInput, match=expected):
        await _weekly(services, **changes)


async def test_upcoming_lists_meetings_across_circles_soonest_first(services: Services) -> None:
    """/circle list shows the next meetings of every running circle in time order."""
    await _weekly(services)
    await _weekly(services, title="Monthly", rule="monthly_by_weekday", first_date="2026-01-14")
    meetings = await services.circles.upcoming(GUILD, limit=3)
    assert [(m.title, m.local_date.isoformat()) for m in meetings] == [
        ("Tuesday evening circle", "2026-01-13"),
        ("Monthly", "2026-01-14"),
        ("Tuesday evening circle", "2026-01-20"),
    ]


async def test_skip_cancels_one_meeting_and_returns_the_next(services: Services) -> None:
    """Skipping a date takes it out of the list and returns the following meeting."""
    created = await _weekly(services)
    outcome = await services.circles.skip(GUILD, FACILITATOR, created.circle.id, "2026-01-13")
    assert outcome.skipped.index == 0
    assert outcome.next is not None and outcome.next.local_date.isoformat() == "2026-01-20"
    meetings = await services.circles.upcoming(GUILD)
    assert meetings[0].local_date.isoformat() == "2026-01-20"
    with pytest.raises(InvalidInput, match="no meeting"):
        await services.circles.skip(GUILD, FACILITATOR, created.circle.id, "2026-01-13")


async def test_end_stops_the_series_and_returns_announced_meetings(services: Services) -> None:
    """Ending a circle leaves nothing upcoming and hands back what was announced."""
    await _setup(services, [MEMBERS[0]])
    created = await _weekly(services)
    await services.circles.announcements.record_announcement(
        created.circle.id, 0, message_id=55, scheduled_event_id=66
    )
    outcome = await services.circles.end(GUILD, FACILITATOR, created.circle.id)
    assert [
        (m.index, m.announcement_message_id, m.scheduled_event_id) for m in outcome.cancelled
    ] == [(0, 55, 66)]
    assert await services.circles.upcoming(GUILD) == []
    with pytest.raises(InvalidInput, match="isn't happening"):
        await services.circles.rsvp(GUILD, created.circle.id, 0, MEMBERS[0], True)


async def test_rsvp_needs_the_agreement(services: Services) -> None:
    """A member who has not accepted the agreement is pointed to it."""
    await _setup(services, [])
    created = await _weekly(services)
    with pytest.raises(AgreementRequired):
        await services.circles.rsvp(GUILD, created.circle.id, 0, 42, True)


async def test_fifty_concurrent_rsvps_fill_ten_places_and_an_ordered_waitlist(
    services: Services,
) -> None:
    """Fifty yeses at once against capacity 10: exactly 10 going, 40 waitlisted in order 1..40."""
    await _setup(services)
    created = await _weekly(services, capacity=10)
    outcomes = await asyncio.gather(
        *(services.circles.rsvp(GUILD, created.circle.id, 0, user, True) for user in MEMBERS)
    )
    assert sum(o.status == YES for o in outcomes) == 10
    places = sorted(o.place for o in outcomes if o.status == WAITLIST)
    assert places == list(range(1, 41))
    attendance = await services.circles.attendance(GUILD, created.circle.id, 0)
    assert len(attendance.going) == 10 and len(attendance.waitlist) == 40
    assert max(o.meeting.going for o in outcomes) == 10


async def test_a_drop_out_promotes_the_first_on_the_waitlist(services: Services) -> None:
    """When someone going says no, the first waitlisted member moves up, and only them."""
    members = list(MEMBERS[:4])
    await _setup(services, members)
    created = await _weekly(services, capacity=2)
    for user in members:
        await services.circles.rsvp(GUILD, created.circle.id, 0, user, True)
    dropped = await services.circles.rsvp(GUILD, created.circle.id, 0, members[0], False)
    assert dropped.status == NO and dropped.promoted_user_id == members[2]
    assert dropped.meeting.going == 2 and dropped.meeting.waitlisted == 1
    again = await services.circles.rsvp(GUILD, created.circle.id, 0, members[3], True)
    assert not again.changed and again.place == 1
    waitlisted_leaves = await services.circles.rsvp(GUILD, created.circle.id, 0, members[3], False)
    assert waitlisted_leaves.promoted_user_id is None


async def test_rsvp_closes_when_the_meeting_starts(services: Services, clock: FakeClock) -> None:
    """RSVPs for a meeting that has started are refused kindly."""
    await _setup(services, [MEMBERS[0]])
    created = await _weekly(services)
    clock.advance(days=8, hours=8)
    with pytest.raises(InvalidInput, match="already started"):
        await services.circles.rsvp(GUILD, created.circle.id, 0, MEMBERS[0], True)


async def test_export_and_delete_cover_rsvps(services: Services) -> None:
    """A member's answers appear in their export and are erased on request."""
    await _setup(services, [MEMBERS[0]])
    created = await _weekly(services)
    await services.circles.rsvp(GUILD, created.circle.id, 0, MEMBERS[0], True)
    export = await services.data_rights.export(MEMBERS[0])
    assert "circles" in str(export) and "2026-01-13" in str(export)
    await services.data_rights.delete(MEMBERS[0])
    attendance = await services.circles.attendance(GUILD, created.circle.id, 0)
    assert attendance.going == ()


async def test_each_reminder_is_claimed_once_at_its_lead_time(
    services: Services, clock: FakeClock
) -> None:
    """The 24 h and 15 min reminders are each claimed once, only for members who said yes."""
    await _setup(services, [MEMBERS[0], MEMBERS[1]])
    created = await _weekly(services)
    await services.circles.rsvp(GUILD, created.circle.id, 0, MEMBERS[0], True)
    await services.circles.rsvp(GUILD, created.circle.id, 0, MEMBERS[1], False)
    start = created.first.start_utc
    assert await services.circles.reminders.claim_due_reminders() == []
    clock.advance(start - clock.now() - timedelta(hours=24) + timedelta(minutes=1))
    [day_before] = await services.circles.reminders.claim_due_reminders()
    assert (day_before.user_id, day_before.lead_minutes) == (MEMBERS[0], 24 * 60)
    await services.circles.reminders.record_reminder(day_before.delivery_id)
    assert await services.circles.reminders.claim_due_reminders() == []
    clock.advance(start - clock.now() - timedelta(minutes=10))
    [soon] = await services.circles.reminders.claim_due_reminders()
    assert soon.lead_minutes == 15
    assert await services.circles.reminders.claim_due_reminders() == []


async def test_a_restart_does_not_send_a_claimed_reminder_again(
    services: Services, clock: FakeClock, database_url: str
) -> None:
    """A new service on the same database (a restart) finds the reminder already claimed."""
    await _setup(services, [MEMBERS[0]])
    created = await _weekly(services)
    await services.circles.rsvp(GUILD, created.circle.id, 0, MEMBERS[0], True)
    clock.advance(created.first.start_utc - clock.now() - timedelta(hours=24, seconds=-30))
    assert len(await services.circles.reminders.claim_due_reminders()) == 1
    async with other_process(database_url) as sessions:
        assert await CircleReminders(sessions, clock).claim_due_reminders() == []


async def test_late_reminders_send_only_the_nearest_and_none_after_the_start(
    services: Services, clock: FakeClock
) -> None:
    """Saying yes 10 minutes before gets one reminder, not two; after the start, none."""
    await _setup(services, [MEMBERS[0], MEMBERS[1]])
    created = await _weekly(services)
    clock.advance(created.first.start_utc - clock.now() - timedelta(minutes=10))
    await services.circles.rsvp(GUILD, created.circle.id, 0, MEMBERS[0], True)
    [only] = await services.circles.reminders.claim_due_reminders()
    assert only.lead_minutes == 15
    assert await services.circles.reminders.claim_due_reminders() == []
    await services.circles.rsvp(GUILD, created.circle.id, 0, MEMBERS[1], True)
    clock.advance(minutes=11)
    assert await services.circles.reminders.claim_due_reminders() == []


async def test_edit_changes_only_meetings_from_the_next_one_on(
    services: Services, clock: FakeClock
) -> None:
    """After the first meeting, moving the start to 20:00 leaves the first meeting at 19:00."""
    created = await _weekly(services)
    clock.advance(days=9)
    outcome = await services.circles.edit(GUILD, FACILITATOR, created.circle.id, start_time="20:00")
    assert outcome.first_changed.start_utc == datetime(2026, 1, 20, 20, 0, tzinfo=UTC)
    circle = await services.circles.get(GUILD, created.circle.id)
    first = find_occurrence(circle.schedule, date(2026, 1, 13))
    assert first is not None and first.start_utc == datetime(2026, 1, 13, 19, 0, tzinfo=UTC)
