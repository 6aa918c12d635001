"""Pairing times: weekly slots across DST, waking windows, and meeting suggestions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.pairing import WakingHours
from bot.domain.pairing_times import (
    latest_slot,
    next_slot,
    pause_start,
    suggest_meeting_times,
    waking_hours,
)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Monday 18:00 London; winter (UTC+0)
        (datetime(2026, 1, 5, 18, 0, tzinfo=UTC), datetime(2026, 1, 5, 18, 0, tzinfo=UTC)),
        (datetime(2026, 1, 5, 17, 59, tzinfo=UTC), datetime(2025, 12, 29, 18, 0, tzinfo=UTC)),
        (datetime(2026, 1, 9, 9, 0, tzinfo=UTC), datetime(2026, 1, 5, 18, 0, tzinfo=UTC)),
        # summer (UTC+1): 18:00 local is 17:00 UTC
        (datetime(2026, 6, 1, 17, 30, tzinfo=UTC), datetime(2026, 6, 1, 17, 0, tzinfo=UTC)),
    ],
)
def test_latest_slot_is_the_last_local_weekday_time(now: datetime, expected: datetime) -> None:
    """The last Monday 18:00 London at or before now, in UTC."""
    assert latest_slot(0, time(18, 0), "Europe/London", now) == expected


def test_next_slot_crosses_the_dst_change() -> None:
    """From the Monday before the clocks go forward, the next slot is an hour earlier in UTC."""
    now = datetime(2026, 3, 23, 18, 30, tzinfo=UTC)
    assert next_slot(0, time(18, 0), "Europe/London", now) == datetime(
        2026, 3, 30, 17, 0, tzinfo=UTC
    )


def test_waking_hours_follow_the_zone_offset() -> None:
    """08:00-22:00 in Tokyo (UTC+9) is 23:00-13:00 UTC."""
    awake = waking_hours("Asia/Tokyo", datetime(2026, 1, 5, tzinfo=UTC))
    assert awake == WakingHours(23 * 60, 13 * 60)


def test_pause_ends_at_the_start_of_the_day_in_the_members_zone() -> None:
    """Paused until 2026-03-01 in New York means until 05:00 UTC that day."""
    assert pause_start(date(2026, 3, 1), "America/New_York") == datetime(
        2026, 3, 1, 5, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "zones",
    [
        ("Europe/London", "Europe/Berlin"),
        ("Europe/London", "America/New_York"),
        ("Asia/Tokyo", "Australia/Sydney", "Asia/Singapore"),
    ],
)
def test_suggested_times_suit_everyone_on_different_days(zones: tuple[str, ...]) -> None:
    """Every suggestion is between 10:00 and 20:00 for each member, at most one per day."""
    after = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
    times = suggest_meeting_times(zones, after)
    assert 2 <= len(times) <= 3
    for moment in times:
        assert moment > after
        for zone in zones:
            assert time(10) <= moment.astimezone(ZoneInfo(zone)).time() <= time(20)
    assert list(times) == sorted(times)
    assert len({t.date() for t in times}) == len(times)


def test_far_apart_zones_fall_back_to_waking_hours_or_nothing() -> None:
    """Honolulu and Delhi share no 10-20 hours; suggestions, if any, are in waking hours."""
    zones = ("Pacific/Honolulu", "Asia/Kolkata")
    for moment in suggest_meeting_times(zones, datetime(2026, 1, 5, tzinfo=UTC)):
        for zone in zones:
            assert time(8) <= moment.astimezone(ZoneInfo(zone)).time() <= time(22)
