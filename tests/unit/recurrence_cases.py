"""Shared cases for the recurrence tests: zones, a default schedule and small helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.recurrence import (
    CircleSchedule,
    Rule,
    ScheduleError,
    ScheduleErrorKind,
    new_schedule,
    occurrences,
)

NEW_YORK, LONDON, SYDNEY = "America/New_York", "Europe/London", "Australia/Sydney"
EVER_AFTER = datetime(2100, 1, 1, tzinfo=UTC)
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def utc(*args: int) -> datetime:
    """Build an aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)


def make(**changes: object) -> CircleSchedule:
    """Build a validated weekly 19:00 New York schedule with some fields changed."""
    fields: dict[str, object] = {
        "zone": NEW_YORK,
        "first_date": date(2024, 3, 5),
        "start_time": time(19, 0),
        "duration": timedelta(minutes=90),
        "rule": Rule.WEEKLY,
    }
    fields.update(changes)
    return new_schedule(**fields)  # type: ignore[arg-type]


def starts(schedule: CircleSchedule) -> list[datetime]:
    """Return the UTC start of every kept meeting."""
    return [occ.start_utc for occ in occurrences(schedule, LONG_AGO, EVER_AFTER)]


def dates(schedule: CircleSchedule) -> list[date]:
    """Return the local date of every kept meeting."""
    return [occ.local_date for occ in occurrences(schedule, LONG_AGO, EVER_AFTER)]


def error_kind(**changes: object) -> ScheduleErrorKind:
    """Return the kind of ScheduleError that building the schedule raises."""
    with pytest.raises(ScheduleError) as caught:
        make(**changes)
    assert caught.value.message
    return caught.value.kind
