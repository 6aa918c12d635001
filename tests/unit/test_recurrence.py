"""Tests for circle recurrence: wall-clock meetings across DST, edits, skips, ends, reminders."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import islice
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule as dr
from dateutil.relativedelta import relativedelta
from dateutil.tz import datetime_ambiguous, datetime_exists, resolve_imaginary
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from bot.domain.circle_reminders import choose_reminder
from bot.domain.recurrence import (
    MAX_DURATION,
    CircleSchedule,
    NthWeekday,
    Occurrence,
    Recurrence,
    Rule,
    ScheduleError,
    ScheduleErrorKind,
    describe,
    edit_from,
    find_occurrence,
    format_nth_weekday,
    new_schedule,
    next_occurrences,
    occurrence_at,
    occurrences,
    parse_nth_weekday,
    skip,
    stop_before,
    validate_lead_times,
    validate_schedule,
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


# --- wall clock across daylight-saving changes ------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "first", "expected"),
    [
        # New York springs forward on 10 March 2024: 19:00 EST is 00:00 UTC, 19:00 EDT 23:00.
        (NEW_YORK, date(2024, 3, 3), [utc(2024, 3, 4, 0), utc(2024, 3, 10, 23)]),
        (NEW_YORK, date(2024, 10, 27), [utc(2024, 10, 27, 23), utc(2024, 11, 4, 0)]),
        # London: GMT equals UTC, BST is UTC+1; changes on 31 March and 27 October 2024.
        (LONDON, date(2024, 3, 24), [utc(2024, 3, 24, 19), utc(2024, 3, 31, 18)]),
        (LONDON, date(2024, 10, 20), [utc(2024, 10, 20, 18), utc(2024, 10, 27, 19)]),
        # Sydney (southern hemisphere): AEDT UTC+11 ends 7 April, starts again 6 October 2024.
        (SYDNEY, date(2024, 3, 31), [utc(2024, 3, 31, 8), utc(2024, 4, 7, 9)]),
        (SYDNEY, date(2024, 9, 29), [utc(2024, 9, 29, 9), utc(2024, 10, 6, 8)]),
    ],
)
def test_weekly_meeting_keeps_local_time_across_dst_change(
    zone: str, first: date, expected: list[datetime]
) -> None:
    """Keep a weekly 19:00 meeting at 19:00 local on both sides of a DST change."""
    schedule = make(zone=zone, first_date=first, count=2)
    assert starts(schedule) == expected
    assert all(start.astimezone(ZoneInfo(zone)).time() == time(19) for start in expected)


@pytest.mark.parametrize("zone", [NEW_YORK, LONDON, SYDNEY])
def test_a_year_of_meetings_all_start_at_local_start_time(zone: str) -> None:
    """Start every meeting of a year at 19:00 in the circle's zone."""
    schedule = make(zone=zone, first_date=date(2024, 1, 2), until=date(2024, 12, 31))
    found = list(occurrences(schedule, LONG_AGO, EVER_AFTER))
    assert len(found) == 53
    for occ in found:
        local = occ.start_utc.astimezone(ZoneInfo(zone))
        assert (local.date(), local.time()) == (occ.local_date, time(19))
        assert occ.start_utc.tzinfo is UTC
        assert occ.end_utc - occ.start_utc == timedelta(minutes=90)


@pytest.mark.parametrize(
    ("zone", "day", "at"),
    [
        (NEW_YORK, date(2024, 3, 10), time(2, 30)),
        (LONDON, date(2024, 3, 31), time(1, 30)),
        (SYDNEY, date(2024, 10, 6), time(2, 30)),
        ("America/Santiago", date(2024, 9, 8), time(0, 0)),  # midnight itself is skipped
        ("Australia/Lord_Howe", date(2024, 10, 6), time(2, 15)),  # a 30-minute change
    ],
)
def test_first_meeting_in_spring_forward_gap_is_rejected(zone: str, day: date, at: time) -> None:
    """Reject a first date whose local start time does not exist."""
    assert (
        error_kind(zone=zone, first_date=day, start_time=at) is ScheduleErrorKind.NONEXISTENT_TIME
    )


@pytest.mark.parametrize(
    ("zone", "day", "at"),
    [
        (NEW_YORK, date(2024, 11, 3), time(1, 30)),
        (LONDON, date(2024, 10, 27), time(1, 0)),
        (SYDNEY, date(2024, 4, 7), time(2, 30)),
        ("Australia/Lord_Howe", date(2024, 4, 7), time(1, 45)),
    ],
)
def test_first_meeting_in_fall_back_fold_is_rejected(zone: str, day: date, at: time) -> None:
    """Reject a first date whose local start time happens twice."""
    assert error_kind(zone=zone, first_date=day, start_time=at) is ScheduleErrorKind.AMBIGUOUS_TIME


def test_gap_message_says_what_happens_that_night() -> None:
    """Explain a nonexistent time in plain words with the size of the jump."""
    with pytest.raises(ScheduleError) as caught:
        make(zone="Australia/Lord_Howe", first_date=date(2024, 10, 6), start_time=time(2, 15))
    assert caught.value.message == (
        "Sunday 6 October 2024 at 02:15 does not exist in Australia/Lord_Howe: the clocks go "
        "forward by 30 minutes that night. Pick another time or date."
    )


@pytest.mark.parametrize(
    ("zone", "first", "at", "in_gap", "then"),
    [
        # 02:30 on 10 March becomes 03:30 EDT (07:30 UTC); a week later it is 02:30 EDT again.
        (NEW_YORK, date(2024, 3, 3), time(2, 30), utc(2024, 3, 10, 7, 30), utc(2024, 3, 17, 6, 30)),
        (LONDON, date(2024, 3, 24), time(1, 30), utc(2024, 3, 31, 1, 30), utc(2024, 4, 7, 0, 30)),
        (
            SYDNEY,
            date(2024, 9, 29),
            time(2, 30),
            utc(2024, 10, 5, 16, 30),
            utc(2024, 10, 12, 15, 30),
        ),
    ],
)
def test_later_meeting_in_gap_moves_forward_by_the_gap(
    zone: str, first: date, at: time, in_gap: datetime, then: datetime
) -> None:
    """Shift a later meeting whose time does not exist forward by the length of the gap."""
    schedule = make(zone=zone, first_date=first, start_time=at, count=3)
    assert starts(schedule)[1:] == [in_gap, then]
    shifted = in_gap.astimezone(ZoneInfo(zone))
    assert shifted.time() == time(at.hour + 1, at.minute)


@pytest.mark.parametrize(
    ("zone", "first", "at", "in_fold"),
    [
        (NEW_YORK, date(2024, 10, 27), time(1, 30), utc(2024, 11, 3, 5, 30)),  # 01:30 EDT
        (LONDON, date(2024, 10, 20), time(1, 30), utc(2024, 10, 27, 0, 30)),  # 01:30 BST
        (SYDNEY, date(2024, 3, 31), time(2, 30), utc(2024, 4, 6, 15, 30)),  # 02:30 AEDT
    ],
)
def test_later_meeting_in_fold_takes_the_first_instant(
    zone: str, first: date, at: time, in_fold: datetime
) -> None:
    """Place a later meeting whose time happens twice at the first of the two instants."""
    schedule = make(zone=zone, first_date=first, start_time=at, count=2)
    assert starts(schedule)[1] == in_fold


def test_start_time_fold_attribute_is_ignored() -> None:
    """Use the first instant in a fold even if the start time carries fold=1."""
    schedule = make(first_date=date(2024, 10, 27), start_time=time(1, 30, fold=1), count=2)
    assert starts(schedule)[1] == utc(2024, 11, 3, 5, 30)


def test_duration_is_elapsed_time_across_a_change() -> None:
    """End a meeting that spans the spring-forward jump after its elapsed duration."""
    schedule = make(
        first_date=date(2024, 3, 10), start_time=time(1, 0), duration=timedelta(hours=2), count=1
    )
    (occ,) = occurrences(schedule, LONG_AGO, EVER_AFTER)
    assert (occ.start_utc, occ.end_utc) == (utc(2024, 3, 10, 6), utc(2024, 3, 10, 8))
    assert occ.end_utc.astimezone(ZoneInfo(NEW_YORK)).time() == time(4, 0)


# --- rules -----------------------------------------------------------------------------------


def test_one_off_meets_once() -> None:
    """Generate exactly one meeting for a one-off circle, whatever the end says."""
    schedule = make(rule=Rule.ONE_OFF, count=5)
    assert dates(schedule) == [date(2024, 3, 5)]


def test_a_series_ends_where_datetimes_end() -> None:
    """A meeting that would start after the year 9999 in UTC ends the series instead of raising."""
    schedule = make(first_date=date(9999, 12, 24))  # 31 December, 19:00 in New York: year 10000
    found = next_occurrences(schedule, utc(9999, 1, 1), 5)
    assert [occ.local_date for occ in found] == [date(9999, 12, 24)]


def test_biweekly_meets_every_fourteen_days() -> None:
    """Generate a meeting every other week."""
    schedule = make(rule=Rule.BIWEEKLY, count=3)
    assert dates(schedule) == [date(2024, 3, 5), date(2024, 3, 19), date(2024, 4, 2)]


def test_monthly_second_tuesday_is_derived_from_first_date() -> None:
    """Derive 'second Tuesday' from a first date on the second Tuesday."""
    schedule = make(zone=LONDON, first_date=date(2024, 1, 9), rule=Rule.MONTHLY_BY_WEEKDAY, count=4)
    assert schedule.current.monthly_weekday == NthWeekday(2, TUE)
    assert dates(schedule) == [
        date(2024, 1, 9),
        date(2024, 2, 13),
        date(2024, 3, 12),
        date(2024, 4, 9),
    ]


def test_first_date_in_fifth_week_is_read_as_last_weekday() -> None:
    """Read a first date on a fifth Friday as 'last Friday', which exists every month."""
    schedule = make(
        zone=SYDNEY, first_date=date(2024, 3, 29), rule=Rule.MONTHLY_BY_WEEKDAY, count=3
    )
    assert schedule.current.monthly_weekday == NthWeekday(-1, FRI)
    assert dates(schedule) == [date(2024, 3, 29), date(2024, 4, 26), date(2024, 5, 31)]


def test_fourth_friday_stays_fourth_even_when_it_is_the_last() -> None:
    """Keep a derived 'fourth Friday' in months with five Fridays."""
    schedule = make(first_date=date(2024, 4, 26), rule=Rule.MONTHLY_BY_WEEKDAY, count=2)
    assert dates(schedule) == [date(2024, 4, 26), date(2024, 5, 24)]


def test_explicit_last_friday_overrides_derivation() -> None:
    """Use an explicit 'last Friday' on a first date that is also the fourth Friday."""
    schedule = make(
        first_date=date(2024, 4, 26),
        rule=Rule.MONTHLY_BY_WEEKDAY,
        nth_weekday=NthWeekday(-1, FRI),
        count=2,
    )
    assert dates(schedule) == [date(2024, 4, 26), date(2024, 5, 31)]


def test_fifth_weekday_skips_months_without_one_and_does_not_count_them() -> None:
    """Skip months with no fifth Friday, as RFC 5545 does, keeping indices consecutive."""
    schedule = make(
        first_date=date(2024, 3, 29),
        rule=Rule.MONTHLY_BY_WEEKDAY,
        nth_weekday=NthWeekday(5, FRI),
        count=4,
    )
    found = list(occurrences(schedule, LONG_AGO, EVER_AFTER))
    assert [occ.local_date for occ in found] == [
        date(2024, 3, 29),
        date(2024, 5, 31),
        date(2024, 8, 30),
        date(2024, 11, 29),
    ]
    assert [occ.index for occ in found] == [0, 1, 2, 3]


def test_explicit_weekday_must_match_first_date() -> None:
    """Reject a first date that is not on the explicit monthly weekday."""
    kind = error_kind(
        first_date=date(2024, 3, 5), rule=Rule.MONTHLY_BY_WEEKDAY, nth_weekday=NthWeekday(2, TUE)
    )
    assert kind is ScheduleErrorKind.DATE_NOT_IN_RULE


@pytest.mark.parametrize("nth", [NthWeekday(0, TUE), NthWeekday(6, TUE), NthWeekday(1, 7)])
def test_impossible_weekday_position_is_rejected(nth: NthWeekday) -> None:
    """Reject a weekday position outside first..fifth and last."""
    kind = error_kind(rule=Rule.MONTHLY_BY_WEEKDAY, nth_weekday=nth)
    assert kind is ScheduleErrorKind.BAD_RULE


def test_weekday_position_on_weekly_rule_is_rejected() -> None:
    """Reject a 'second Tuesday' on a circle that is not monthly."""
    assert error_kind(nth_weekday=NthWeekday(1, TUE)) is ScheduleErrorKind.BAD_RULE


def test_rule_must_be_a_rule() -> None:
    """Reject a rule given as a bare string."""
    assert error_kind(rule="weekly") is ScheduleErrorKind.BAD_RULE


# --- ends and skips --------------------------------------------------------------------------


def test_until_date_is_inclusive() -> None:
    """Include a meeting that falls on the until date."""
    schedule = make(until=date(2024, 3, 19))
    assert dates(schedule) == [date(2024, 3, 5), date(2024, 3, 12), date(2024, 3, 19)]


def test_until_is_a_local_date() -> None:
    """Compare until with the local date even when the UTC date is already the next day."""
    schedule = make(start_time=time(23, 0), until=date(2024, 3, 12))
    assert [occ.start_utc.date() for occ in occurrences(schedule, LONG_AGO, EVER_AFTER)] == [
        date(2024, 3, 6),
        date(2024, 3, 13),
    ]


def test_count_counts_skipped_meetings() -> None:
    """Count skipped meetings towards the number of meetings, as iCalendar COUNT does."""
    schedule = skip(make(count=5), date(2024, 3, 19))
    found = list(occurrences(schedule, LONG_AGO, EVER_AFTER))
    assert [occ.index for occ in found] == [0, 1, 3, 4]
    assert found[-1].local_date == date(2024, 4, 2)


def test_until_and_count_stop_at_whichever_comes_first() -> None:
    """Stop at the count or the until date, whichever is reached first."""
    assert len(dates(make(count=2, until=date(2024, 12, 31)))) == 2
    assert len(dates(make(count=20, until=date(2024, 3, 12)))) == 2


def test_skipping_a_date_without_a_meeting_is_rejected() -> None:
    """Refuse to skip a date on which the circle does not meet."""
    with pytest.raises(ScheduleError) as caught:
        skip(make(), date(2024, 3, 6))
    assert caught.value.kind is ScheduleErrorKind.NO_SUCH_MEETING


def test_skipping_after_the_end_is_rejected() -> None:
    """Refuse to skip a date after the series has ended."""
    with pytest.raises(ScheduleError):
        skip(make(count=2), date(2024, 3, 19))


def test_skipped_meeting_is_still_found_by_index_and_date() -> None:
    """Find a skipped meeting by its index and by its date, though it is not listed."""
    schedule = skip(make(count=3), date(2024, 3, 12))
    found = occurrence_at(schedule, 1)
    assert found is not None
    assert found == find_occurrence(schedule, date(2024, 3, 12))
    assert found.local_date not in dates(schedule)


def test_lookup_of_a_meeting_the_series_does_not_have_gives_none() -> None:
    """Return None for an index past the end or a date without a meeting."""
    schedule = make(count=3)
    assert occurrence_at(schedule, 3) is None
    assert occurrence_at(schedule, -1) is None
    assert find_occurrence(schedule, date(2024, 3, 26)) is None
    assert find_occurrence(schedule, date(2024, 3, 6)) is None


def test_stop_before_ends_the_series() -> None:
    """Leave no meetings from the given index on."""
    schedule = stop_before(make(), 3)
    assert schedule.count == 3
    assert [occ.index for occ in occurrences(schedule, LONG_AGO, EVER_AFTER)] == [0, 1, 2]


def test_stop_before_never_lengthens_a_series() -> None:
    """Keep a shorter count when ending after the series would have ended anyway."""
    assert stop_before(make(count=2), 5).count == 2


def test_stop_before_the_first_meeting_is_rejected() -> None:
    """Refuse to end a series that has not met; that is a cancellation."""
    with pytest.raises(ScheduleError) as caught:
        stop_before(make(), 0)
    assert caught.value.kind is ScheduleErrorKind.END_BEFORE_START


def test_stop_before_drops_later_edits() -> None:
    """Drop segments that would start after the new end."""
    schedule = stop_before(edit_from(make(), 5, start_time=time(18)), 3)
    assert len(schedule.segments) == 1
    validate_schedule(schedule)


# --- validation of input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "hint"),
    [
        ("Mars/Olympus_Mons", None),
        ("", None),
        ("America", None),
        ("localtime", None),
        ("../etc/passwd", None),
        ("europe/london", "Europe/London"),
        (" Australia/Sydney ", "Australia/Sydney"),
    ],
)
def test_unknown_zone_is_rejected(zone: str, hint: str | None) -> None:
    """Reject a zone that is not an IANA name, suggesting the right spelling when close."""
    with pytest.raises(ScheduleError) as caught:
        make(zone=zone)
    assert caught.value.kind is ScheduleErrorKind.UNKNOWN_ZONE
    assert (hint is not None) == (f"Did you mean {hint}?" in caught.value.message)


def test_end_before_start_is_rejected() -> None:
    """Reject an until date before the first meeting."""
    assert error_kind(until=date(2024, 3, 4)) is ScheduleErrorKind.END_BEFORE_START


def test_until_on_the_first_date_is_accepted() -> None:
    """Accept an until date equal to the first date: one meeting."""
    assert dates(make(until=date(2024, 3, 5))) == [date(2024, 3, 5)]


@pytest.mark.parametrize("count", [0, -1, True, 2.5])
def test_count_must_be_a_positive_whole_number(count: object) -> None:
    """Reject a number of meetings below one or not a whole number."""
    assert error_kind(count=count) is ScheduleErrorKind.BAD_COUNT


@pytest.mark.parametrize(
    "duration", [timedelta(0), timedelta(minutes=-30), MAX_DURATION + timedelta(seconds=1)]
)
def test_duration_must_be_positive_and_capped(duration: timedelta) -> None:
    """Reject a duration that is not positive or longer than the cap."""
    assert error_kind(duration=duration) is ScheduleErrorKind.BAD_DURATION


def test_duration_at_the_cap_is_accepted() -> None:
    """Accept a duration exactly at the cap."""
    make(duration=MAX_DURATION)


def test_start_time_with_a_zone_is_rejected() -> None:
    """Reject a start time that carries its own zone."""
    assert error_kind(start_time=time(19, tzinfo=UTC)) is ScheduleErrorKind.BAD_RULE


def test_first_date_must_be_a_date_not_a_datetime() -> None:
    """Reject a datetime passed as the first date."""
    kind = error_kind(first_date=datetime(2024, 3, 5, 19, tzinfo=UTC))
    assert kind is ScheduleErrorKind.BAD_RULE


# --- edits change future meetings only -------------------------------------------------------


def test_edit_changes_future_meetings_and_keeps_past_ones() -> None:
    """Move meetings from index 3 on to 18:00 and leave meetings 0-2 as they were."""
    before = make(count=6)
    after = edit_from(before, 3, start_time=time(18))
    old, new = starts(before), starts(after)
    assert new[:3] == old[:3]
    assert new[3:] == [start - timedelta(hours=1) for start in old[3:]]
    assert [occ.index for occ in occurrences(after, LONG_AGO, EVER_AFTER)] == list(range(6))


def test_edit_can_move_the_day_and_keeps_the_count() -> None:
    """Move meetings to Thursdays from index 2 on, with the series still 5 meetings long."""
    after = edit_from(make(count=5), 2, first_date=date(2024, 3, 21))
    assert dates(after) == [
        date(2024, 3, 5),
        date(2024, 3, 12),
        date(2024, 3, 21),
        date(2024, 3, 28),
        date(2024, 4, 4),
    ]


def test_edit_keeps_an_explicit_monthly_weekday() -> None:
    """Keep 'last Friday' when only the time changes, even on a date that is a fourth Friday."""
    before = make(zone=LONDON, first_date=date(2024, 3, 29), rule=Rule.MONTHLY_BY_WEEKDAY)
    after = edit_from(before, 1, start_time=time(18))  # meeting 1 is 26 April, a fourth Friday
    assert after.current.monthly_weekday == NthWeekday(-1, FRI)
    assert [occ.local_date for occ in next_occurrences(after, LONG_AGO, 3)] == [
        date(2024, 3, 29),
        date(2024, 4, 26),
        date(2024, 5, 31),
    ]


def test_edit_that_moves_the_day_derives_a_new_monthly_weekday() -> None:
    """Derive the monthly weekday from the new first date when an edit moves the day."""
    before = make(first_date=date(2024, 3, 29), rule=Rule.MONTHLY_BY_WEEKDAY)  # last Friday
    after = edit_from(before, 1, first_date=date(2024, 4, 9))  # a second Tuesday
    assert after.current.monthly_weekday == NthWeekday(2, TUE)
    assert [occ.local_date for occ in next_occurrences(after, LONG_AGO, 3)] == [
        date(2024, 3, 29),
        date(2024, 4, 9),
        date(2024, 5, 14),
    ]


def test_edit_can_change_rule_and_derives_monthly_weekday() -> None:
    """Switch a weekly circle to monthly from a meeting, deriving the weekday from its date."""
    after = edit_from(make(), 2, rule=Rule.MONTHLY_BY_WEEKDAY)  # 19 March: third Tuesday
    assert after.current.monthly_weekday == NthWeekday(3, TUE)
    assert [occ.local_date for occ in next_occurrences(after, LONG_AGO, 4)][2:] == [
        date(2024, 3, 19),
        date(2024, 4, 16),
    ]


def test_edit_at_a_segment_start_replaces_it() -> None:
    """Replace a segment when the edit starts at the same meeting."""
    once = edit_from(make(), 2, start_time=time(18))
    twice = edit_from(once, 2, start_time=time(17))
    assert len(twice.segments) == 2
    assert twice.current.start_time == time(17)


def test_edit_of_an_earlier_meeting_drops_later_edits() -> None:
    """Drop later segments when an edit starts before them."""
    once = edit_from(make(), 4, start_time=time(18))
    again = edit_from(once, 2, duration=timedelta(hours=1))
    assert [seg.starts_at_index for seg in again.segments] == [0, 2]
    assert again.current.start_time == time(19)


def test_edit_into_the_past_of_the_series_is_rejected() -> None:
    """Refuse an edit whose first meeting would not come after the meeting before it."""
    with pytest.raises(ScheduleError) as caught:
        edit_from(make(), 2, first_date=date(2024, 3, 12))
    assert caught.value.kind is ScheduleErrorKind.BAD_EDIT


def test_edit_of_a_meeting_after_the_end_is_rejected() -> None:
    """Refuse to edit a meeting the series does not have."""
    with pytest.raises(ScheduleError) as caught:
        edit_from(make(count=3), 3, start_time=time(18))
    assert caught.value.kind is ScheduleErrorKind.NO_SUCH_MEETING


def test_edit_to_a_time_in_a_gap_is_rejected() -> None:
    """Refuse an edit whose first meeting falls in a spring-forward gap."""
    schedule = make(first_date=date(2024, 3, 3), start_time=time(1, 0), rule=Rule.WEEKLY)
    with pytest.raises(ScheduleError) as caught:
        edit_from(schedule, 1, start_time=time(2, 30))
    assert caught.value.kind is ScheduleErrorKind.NONEXISTENT_TIME


def test_edit_of_a_skipped_meeting_keeps_it_skipped() -> None:
    """Keep a skipped date cancelled after a time change that keeps the day."""
    schedule = skip(make(count=4), date(2024, 3, 19))
    after = edit_from(schedule, 1, start_time=time(18))
    assert dates(after) == [date(2024, 3, 5), date(2024, 3, 12), date(2024, 3, 26)]


# --- windows ---------------------------------------------------------------------------------


def test_occurrences_window_is_half_open() -> None:
    """Include a meeting starting at the window start and exclude one starting at its end."""
    schedule = make()
    first, second = utc(2024, 3, 6, 0), utc(2024, 3, 12, 23)
    assert [occ.start_utc for occ in occurrences(schedule, first, second)] == [first]


def test_next_occurrences_is_strictly_after() -> None:
    """Leave out a meeting starting exactly at the given moment."""
    found = next_occurrences(make(), utc(2024, 3, 6, 0), 2)
    assert [occ.index for occ in found] == [1, 2]


def test_next_occurrences_far_in_the_future_keeps_indices() -> None:
    """Give the right index and time for meetings years after the first."""
    (occ,) = next_occurrences(make(zone=SYDNEY, first_date=date(2024, 1, 2)), utc(2030, 6, 1), 1)
    assert occ.local_date == date(2030, 6, 4)
    assert occ.index == (date(2030, 6, 4) - date(2024, 1, 2)).days // 7
    assert occ.start_utc == utc(2030, 6, 4, 9)


def test_next_occurrences_with_zero_limit_is_empty() -> None:
    """Return nothing when asked for no meetings."""
    assert next_occurrences(make(), LONG_AGO, 0) == []


def test_next_occurrences_after_the_end_is_empty() -> None:
    """Return nothing once the series is over."""
    assert next_occurrences(make(count=2), utc(2024, 4, 1), 5) == []


def test_naive_datetimes_are_refused() -> None:
    """Refuse naive datetimes for windows."""
    with pytest.raises(ValueError, match="aware"):
        list(occurrences(make(), datetime(2024, 1, 1), EVER_AFTER))  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        next_occurrences(make(), datetime(2024, 1, 1), 1)  # noqa: DTZ001


# --- reminders -------------------------------------------------------------------------------


def test_reminder_times_are_elapsed_lead_times_before_start() -> None:
    """Put a 24 h reminder 24 elapsed hours before, even across the spring-forward night."""
    (occ,) = next_occurrences(make(first_date=date(2024, 3, 10), rule=Rule.ONE_OFF), LONG_AGO, 1)
    assert occ.start_utc == utc(2024, 3, 10, 23)
    leads, day_before, soon = (24 * 60, 15), utc(2024, 3, 9, 23), utc(2024, 3, 10, 22, 45)
    assert choose_reminder(leads, occ.start_utc, day_before, LONG_AGO).send == 24 * 60
    early = day_before - timedelta(seconds=1)
    assert choose_reminder(leads, occ.start_utc, early, LONG_AGO).send is None
    assert choose_reminder(leads, occ.start_utc, soon, LONG_AGO).send == 15
    assert day_before.astimezone(ZoneInfo(NEW_YORK)).time() == time(18)  # 18:00 EST the day before


@pytest.mark.parametrize("lead", [timedelta(0), timedelta(minutes=-5), timedelta(days=15)])
def test_unusable_lead_time_is_rejected(lead: timedelta) -> None:
    """Reject a lead time that is not positive or too long."""
    with pytest.raises(ScheduleError) as caught:
        validate_lead_times([lead])
    assert caught.value.kind is ScheduleErrorKind.BAD_LEAD_TIME


# --- labels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("second Tuesday", NthWeekday(2, TUE)),
        ("last Friday", NthWeekday(-1, FRI)),
        ("  Last  friday  ", NthWeekday(-1, FRI)),
        ("2nd tue", NthWeekday(2, TUE)),
        ("the first Monday of the month", NthWeekday(1, MON)),
        ("every third Thursdays", NthWeekday(3, THU)),
        ("fifth Sun", NthWeekday(5, SUN)),
        ("4th Wed.", NthWeekday(4, WED)),
    ],
)
def test_parse_nth_weekday_reads_labels(label: str, expected: NthWeekday) -> None:
    """Read a monthly weekday label."""
    assert parse_nth_weekday(label) == expected


@pytest.mark.parametrize(
    "label", ["", "Tuesday", "sixth Tuesday", "second Tuesday Friday", "2 tue"]
)
def test_parse_nth_weekday_rejects_nonsense(label: str) -> None:
    """Reject a label that is not an ordinal and a weekday."""
    with pytest.raises(ScheduleError) as caught:
        parse_nth_weekday(label)
    assert caught.value.kind is ScheduleErrorKind.BAD_RULE


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, -1])
@pytest.mark.parametrize("weekday", range(7))
def test_format_and_parse_round_trip(n: int, weekday: int) -> None:
    """Read back every label that format_nth_weekday writes."""
    nth = NthWeekday(n, weekday)
    assert parse_nth_weekday(format_nth_weekday(nth)) == nth


def test_format_nth_weekday_writes_plain_words() -> None:
    """Write labels such as 'second Tuesday' and 'last Friday'."""
    assert format_nth_weekday(NthWeekday(2, TUE)) == "second Tuesday"
    assert format_nth_weekday(NthWeekday(-1, FRI)) == "last Friday"


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        (
            {"rule": Rule.ONE_OFF},
            "Once, on Tuesday 5 March 2024, at 19:00 (America/New_York) for 1 hour 30 minutes",
        ),
        (
            {"count": 10},
            "Every Tuesday at 19:00 (America/New_York) for 1 hour 30 minutes, 10 meetings in all",
        ),
        (
            {"rule": Rule.BIWEEKLY, "until": date(2024, 6, 25)},
            "Every other Tuesday at 19:00 (America/New_York) for 1 hour 30 minutes, "
            "until Tuesday 25 June 2024",
        ),
        (
            {"rule": Rule.MONTHLY_BY_WEEKDAY, "first_date": date(2024, 3, 12), "zone": LONDON},
            "Every second Tuesday of the month at 19:00 (Europe/London) for 1 hour 30 minutes",
        ),
    ],
)
def test_describe_says_how_often_and_when(changes: dict[str, object], text: str) -> None:
    """Describe the schedule in a plain sentence."""
    assert describe(make(**changes)) == text


# --- an independent implementation: dateutil's rrule on naive local times ---------------------

ZONES = (
    NEW_YORK,
    LONDON,
    SYDNEY,
    "Australia/Lord_Howe",
    "America/Santiago",
    "Europe/Dublin",
    "Asia/Kolkata",
)
T = TypeVar("T")
MONTHLY = Rule.MONTHLY_BY_WEEKDAY
DATEUTIL_WEEKDAYS = (dr.MO, dr.TU, dr.WE, dr.TH, dr.FR, dr.SA, dr.SU)
EDIT_HORIZON = timedelta(days=300)


@cache
def transition_dates(zone: str) -> tuple[date, ...]:
    """Return the local dates in 2019-2031 on which the zone's UTC offset changes."""
    tz = ZoneInfo(zone)
    found, day = [], date(2019, 1, 1)
    previous = datetime.combine(day, time(12), tz).utcoffset()
    while day < date(2032, 1, 1):
        day += timedelta(days=1)
        offset = datetime.combine(day, time(12), tz).utcoffset()
        if offset != previous:
            found.append(day)
        previous = offset
    return tuple(found)


@cache
def problem_slots(zone: str) -> tuple[datetime, ...]:
    """Return naive local quarter-hours in 2019-2031 that fall in a gap or a fold (per dateutil)."""
    tz = ZoneInfo(zone)
    slots = []
    for change in transition_dates(zone):
        night = datetime.combine(change, time()) - timedelta(hours=4)
        for quarter in range(4 * 10):
            naive = night + timedelta(minutes=15 * quarter)
            if not datetime_exists(naive, tz) or datetime_ambiguous(naive, tz):
                slots.append(naive)
    return tuple(slots)


def localize(naive: datetime, zone: str) -> datetime:
    """Localize like calendars do: a gap moves forward by its length, a fold takes fold=0."""
    return resolve_imaginary(naive.replace(tzinfo=ZoneInfo(zone), fold=0)).astimezone(UTC)


def oracle_rule(segment: Recurrence, until: date | None, count: int | None) -> dr.rrule:
    """Build dateutil's rrule for a segment on naive local datetimes."""
    start = datetime.combine(segment.first_date, segment.start_time)
    ends = {
        "count": count,
        "until": None if until is None else datetime.combine(until, time.max),
    }
    if segment.rule is Rule.ONE_OFF:
        return dr.rrule(dr.DAILY, dtstart=start, count=1, cache=True)
    if segment.rule in (Rule.WEEKLY, Rule.BIWEEKLY):
        interval = 1 if segment.rule is Rule.WEEKLY else 2
        return dr.rrule(dr.WEEKLY, interval=interval, dtstart=start, cache=True, **ends)
    nth = segment.nth_weekday or oracle_nth(segment.first_date)
    byweekday = DATEUTIL_WEEKDAYS[nth.weekday](nth.n)
    return dr.rrule(dr.MONTHLY, byweekday=byweekday, dtstart=start, cache=True, **ends)


def oracle_nth(day: date) -> NthWeekday:
    """Derive the documented default independently: fifth week means last."""
    n = (day.day - 1) // 7 + 1
    return NthWeekday(-1 if n == 5 else n, day.weekday())


def oracle_series(schedule: CircleSchedule, bound: datetime) -> list[Occurrence]:
    """Compute every kept meeting before bound with rrule and rruleset exdates, per segment."""
    kept: list[Occurrence] = []
    segments = schedule.segments
    naive_bound = bound.replace(tzinfo=None) + timedelta(days=2)
    for position, segment in enumerate(segments):
        first = segment.starts_at_index
        upcoming = segments[position + 1].starts_at_index if position + 1 < len(segments) else None
        count = None if schedule.count is None else schedule.count - first
        rule = oracle_rule(segment, schedule.until, count)
        generated: dict[datetime, int] = {}  # naive local start -> index in the series
        for naive in rule:
            if naive > naive_bound or (upcoming is not None and first + len(generated) >= upcoming):
                break
            generated[naive] = first + len(generated)
        rules = dr.rruleset()
        rules.rrule(rule)
        for day in schedule.skipped:
            rules.exdate(datetime.combine(day, segment.start_time))
        for naive in rules:
            if naive not in generated:
                break
            start = localize(naive, segment.zone)
            kept.append(Occurrence(generated[naive], naive.date(), start, start + segment.duration))
    return [occ for occ in kept if occ.start_utc < bound]


class Picker(Protocol):
    """A source of choices: Hypothesis draws or a seeded random generator."""

    def integer(self, low: int, high: int) -> int:
        """Pick an integer in [low, high]."""
        ...

    def choice(self, options: Sequence[T]) -> T:
        """Pick one of the options."""
        ...

    def subset(self, options: Sequence[T], max_size: int) -> frozenset[T]:
        """Pick up to max_size of the options."""
        ...


@dataclass(frozen=True)
class HypothesisPicker:
    """Choices drawn by Hypothesis, so failures shrink."""

    draw: Callable[[st.SearchStrategy[Any]], Any]

    def integer(self, low: int, high: int) -> int:
        """Draw an integer in [low, high]."""
        return self.draw(st.integers(low, high))

    def choice(self, options: Sequence[T]) -> T:
        """Draw one of the options."""
        return self.draw(st.sampled_from(options))

    def subset(self, options: Sequence[T], max_size: int) -> frozenset[T]:
        """Draw up to max_size of the options."""
        return self.draw(st.frozensets(st.sampled_from(options), max_size=max_size))


@dataclass(frozen=True)
class RandomPicker:
    """Choices from a seeded generator, so many cases run cheaply and repeatably."""

    rng: random.Random

    def integer(self, low: int, high: int) -> int:
        """Pick an integer in [low, high]."""
        return self.rng.randint(low, high)

    def choice(self, options: Sequence[T]) -> T:
        """Pick one of the options."""
        return self.rng.choice(options)

    def subset(self, options: Sequence[T], max_size: int) -> frozenset[T]:
        """Pick up to max_size of the options."""
        size = self.rng.randint(0, min(max_size, len(options)))
        return frozenset(self.rng.sample(list(options), size))


def draw_schedule(pick: Picker) -> CircleSchedule:
    """Draw a schedule input, often aimed at a DST change in its zone; may be invalid."""
    zone = pick.choice(ZONES)
    rule = pick.choice([Rule.ONE_OFF, *[Rule.WEEKLY, Rule.BIWEEKLY, MONTHLY] * 2])
    if pick.integer(0, 2) > 0 and problem_slots(zone):
        # Aim a later meeting at a wall time that does not exist or happens twice.
        slot = pick.choice(problem_slots(zone))
        back = pick.integer(1, 6)
        if rule is MONTHLY:
            first = oracle_same_weekday_months_before(slot.date(), back)
        else:
            first = slot.date() - timedelta(days=(7 if rule is Rule.WEEKLY else 14) * back)
        start_time = slot.time()
    else:
        first = date(2019, 1, 1) + timedelta(days=pick.integer(0, 12 * 365))
        if rule is MONTHLY and pick.integer(0, 1):  # a fifth-week date: "last" or "fifth"
            first = (first + relativedelta(day=31)) - timedelta(days=pick.integer(0, 2))
        start_time = time(pick.integer(0, 23), pick.choice([0, 15, 30, 45]))
    nth = None
    if rule is MONTHLY and pick.integer(0, 2):  # explicit; otherwise derived from first
        choices = [(first.day - 1) // 7 + 1]
        if (first + timedelta(days=7)).month != first.month:
            choices.append(-1)
        nth = NthWeekday(pick.choice(choices), first.weekday())
    end = pick.choice(["none", "count", "until"])
    count = pick.integer(1, 40) if end == "count" else None
    until = first + timedelta(days=pick.integer(0, 700)) if end == "until" else None
    duration = timedelta(minutes=pick.integer(15, 240))
    return CircleSchedule(
        segments=(Recurrence(zone, first, start_time, duration, rule, nth),),
        until=until,
        count=count,
    )


def oracle_same_weekday_months_before(day: date, months: int) -> date:
    """Return the date with day's weekday position, some months earlier (last if fifth)."""
    nth = oracle_nth(day)
    month_start = (day - relativedelta(months=months)).replace(day=1)
    weekday = DATEUTIL_WEEKDAYS[nth.weekday]
    if nth.n == -1:
        return month_start + relativedelta(day=31, weekday=weekday(-1))
    return month_start + relativedelta(weekday=weekday(nth.n))


def first_date_problem(segment: Recurrence) -> ScheduleErrorKind | None:
    """Classify the first meeting's wall time with dateutil's own helpers."""
    local = datetime.combine(segment.first_date, segment.start_time, ZoneInfo(segment.zone))
    if not datetime_exists(local):
        return ScheduleErrorKind.NONEXISTENT_TIME
    if datetime_ambiguous(local):
        return ScheduleErrorKind.AMBIGUOUS_TIME
    return None


def validated(schedule: CircleSchedule) -> bool:
    """Validate, checking that gap and fold errors agree with dateutil's classification."""
    expected = first_date_problem(schedule.segments[-1])
    try:
        validate_schedule(schedule)
    except ScheduleError as error:
        assert error.kind is expected
        return False
    assert expected is None
    return True


def coverage(schedule: CircleSchedule, kept: list[Occurrence]) -> set[str]:
    """Name the tricky cases a generated schedule exercised."""
    segment = schedule.segments[-1]
    zone = ZoneInfo(segment.zone)
    found = set()
    for occ in kept[1:]:
        local = datetime.combine(occ.local_date, segment.start_time, zone)
        if occ.start_utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
            found.add("a later meeting falls in a gap")
        elif local.utcoffset() != local.replace(fold=1).utcoffset():
            found.add("a later meeting falls in a fold")
    if schedule.skipped and schedule.count is not None:
        found.add("count with skipped meetings")
    if segment.nth_weekday is not None and segment.nth_weekday.n == 5:
        found.add("fifth weekday")
    return found


def check_occurrences(pick: Picker) -> set[str] | None:
    """Compare occurrences and next_occurrences with the oracle; None if the input was invalid."""
    schedule = draw_schedule(pick)
    if not validated(schedule):
        return None
    segment = schedule.segments[0]
    candidates = [naive.date() for naive in islice(oracle_rule(segment, None, None), 30)]
    schedule = replace(schedule, skipped=pick.subset(candidates, 4))
    first_start = datetime.combine(segment.first_date, time(), UTC)
    lo = first_start + timedelta(hours=pick.choice([-48, 0, pick.integer(-48, 24 * 200)]))
    hi = lo + timedelta(hours=pick.integer(0, 24 * 200))
    expected = oracle_series(schedule, hi)

    assert list(occurrences(schedule, lo, hi)) == [occ for occ in expected if lo <= occ.start_utc]
    limit = pick.integer(0, 12)
    expected_next = [occ for occ in expected if occ.start_utc > lo][:limit]
    found_next = next_occurrences(schedule, lo, limit)
    assert [occ for occ in found_next if occ.start_utc < hi] == expected_next
    return coverage(schedule, expected)


EDIT_ERRORS = (
    ScheduleErrorKind.NONEXISTENT_TIME,
    ScheduleErrorKind.AMBIGUOUS_TIME,
    ScheduleErrorKind.END_BEFORE_START,
    ScheduleErrorKind.BAD_EDIT,
)


def check_edit(pick: Picker) -> set[str] | None:
    """Edit from a meeting on and compare with the oracle; None if the input was invalid."""
    schedule = draw_schedule(pick)
    if schedule.segments[0].rule is Rule.ONE_OFF or not validated(schedule):
        return None
    bound = datetime.combine(schedule.segments[0].first_date, time(), UTC) + EDIT_HORIZON
    generated = oracle_series(schedule, bound)
    choices = [occ for occ in generated[1:10] if occ.start_utc < bound - timedelta(days=60)]
    if not choices:
        return None
    at = pick.choice(choices)
    schedule = replace(schedule, skipped=pick.subset([occ.local_date for occ in generated], 3))
    before = [occ for occ in generated if occ.local_date not in schedule.skipped]
    changes: dict[str, Any] = {}
    if pick.integer(0, 1):
        changes["start_time"] = time(pick.integer(0, 23), pick.choice([0, 30]))
    if pick.integer(0, 1):
        changes["first_date"] = at.local_date + timedelta(days=pick.integer(-3, 10))
    if pick.integer(0, 1):
        changes["rule"] = pick.choice([Rule.WEEKLY, Rule.BIWEEKLY, MONTHLY])
    if pick.integer(0, 3) == 0:
        changes["zone"] = pick.choice(ZONES)
    if pick.integer(0, 1):
        changes["duration"] = timedelta(minutes=pick.integer(15, 180))
    try:
        edited = edit_from(schedule, at.index, **changes)
    except ScheduleError as error:
        assert error.kind in EDIT_ERRORS
        return None
    assert first_date_problem(edited.segments[-1]) is None
    assert edited.segments[-1].starts_at_index == at.index

    after = oracle_series(edited, bound)
    assert [occ for occ in after if occ.index < at.index] == [
        occ for occ in before if occ.index < at.index
    ]
    assert list(occurrences(edited, LONG_AGO, bound)) == after
    first_new = occurrence_at(edited, at.index)
    assert first_new is not None
    assert first_new.local_date == edited.segments[-1].first_date
    return {"edit", *coverage(edited, after)}


PROPERTY = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@PROPERTY
@given(data=st.data())
def test_occurrences_match_dateutil_rrule(data: st.DataObject) -> None:
    """Generate the same meetings as dateutil's rrule localized with the same policy."""
    found = check_occurrences(HypothesisPicker(data.draw))
    assume(found is not None)
    for name in found or ():
        event(name)


@PROPERTY
@given(data=st.data())
def test_edits_match_dateutil_rrule_and_keep_the_past(data: st.DataObject) -> None:
    """Keep meetings before an edit and generate later ones as rrule does from the new start."""
    found = check_edit(HypothesisPicker(data.draw))
    assume(found is not None)
    for name in found or ():
        event(name)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(
    ("check", "cases"), [(check_occurrences, 300), (check_edit, 150)], ids=["occurrences", "edits"]
)
def test_seeded_sweep_matches_dateutil_rrule(
    check: Callable[[Picker], set[str] | None], cases: int, seed: int
) -> None:
    """Agree with the oracle over hundreds of seeded cases, including gaps, folds and skips."""
    rng = random.Random(seed)
    seen: Counter[str] = Counter()
    for case in range(cases):
        state = rng.getstate()
        try:
            found = check(RandomPicker(rng))
        except AssertionError as error:
            rng.setstate(state)
            schedule = draw_schedule(RandomPicker(rng))
            raise AssertionError(f"seed {seed}, case {case}: {schedule!r}") from error
        seen.update(["valid"] if found is not None else ["invalid"])
        seen.update(found or ())
    assert seen["valid"] >= cases // 2, seen
    assert seen["a later meeting falls in a gap"] >= 5, seen
    assert seen["a later meeting falls in a fold"] >= 5, seen
    if check is check_occurrences:
        assert seen["count with skipped meetings"] >= 10, seen
        assert seen["fifth weekday"] >= 3, seen


# --- far from the first meeting: computed, not walked -----------------------------------------


def oracle_nth_meeting(segment: Recurrence, position: int) -> Occurrence:
    """Return the segment's meeting at a position with dateutil's rrule, walking there."""
    naive = next(islice(oracle_rule(segment, None, None), position, None))
    start = localize(naive, segment.zone)
    return Occurrence(position, naive.date(), start, start + segment.duration)


@PROPERTY
@given(
    rule=st.sampled_from([Rule.WEEKLY, Rule.BIWEEKLY, MONTHLY]),
    first=st.dates(date(1990, 1, 1), date(2060, 12, 31)),
    n=st.sampled_from([1, 2, 3, 4, 5, -1]),
    position=st.integers(0, 3000),
    zone=st.sampled_from(ZONES),
)
def test_a_far_meeting_is_the_one_rrule_reaches_by_walking(
    rule: Rule, first: date, n: int, position: int, zone: str
) -> None:
    """Meeting 3000 (and every fifth-weekday month across a 400-year cycle) matches rrule."""
    nth = None
    if rule is MONTHLY:
        nth = NthWeekday(n, first.weekday())
        day = nth.date_in(first.year, first.month)
        assume(day is not None)
        first = day or first
    schedule = CircleSchedule(
        (Recurrence(zone, first, time(11, 0), timedelta(hours=1), rule, nth),)
    )
    assume(validated(schedule))
    expected = oracle_nth_meeting(schedule.segments[0], position)
    assert occurrence_at(schedule, position) == expected
    assert find_occurrence(schedule, expected.local_date) == expected
    assert next_occurrences(schedule, expected.start_utc - timedelta(seconds=1), 1) == [expected]
    assert list(occurrences(schedule, expected.start_utc, expected.end_utc)) == [expected]


def test_a_weekly_series_to_the_year_9999_reaches_its_last_meeting() -> None:
    """The last meeting of a weekly series running to 9999 is there, and nothing after it."""
    schedule = make(zone=LONDON, first_date=date(2026, 1, 6), until=date(9999, 12, 31))
    last = date(9999, 12, 28)  # the last Tuesday of the year 9999
    index = (last - date(2026, 1, 6)).days // 7
    found = occurrence_at(schedule, index)
    assert found is not None and found.local_date == last
    assert occurrence_at(schedule, index + 1) is None
    assert next_occurrences(schedule, found.start_utc - timedelta(days=1), 3) == [found]
    assert find_occurrence(schedule, last) == found


def test_a_series_that_began_in_the_year_1_finds_todays_meeting() -> None:
    """A monthly series from the year 1 still gives this month's meeting its true index."""
    schedule = make(zone=LONDON, first_date=date(1, 1, 2), rule=MONTHLY)  # first Tuesday
    [coming] = next_occurrences(schedule, utc(2030, 1, 1), 1)
    assert coming.local_date == date(2030, 1, 1) and coming.index == 2029 * 12
    assert occurrence_at(schedule, coming.index) == coming


def test_a_fifth_weekday_thousands_of_years_on_is_counted_month_by_month() -> None:
    """Meeting n of a "fifth Tuesday" series is the n-th month with one, even 7,000 years on."""
    fifth = NthWeekday(5, TUE)
    schedule = make(zone=LONDON, first_date=date(2026, 3, 31), rule=MONTHLY, nth_weekday=fifth)
    months = ((year, month) for year in range(2026, 10_000) for month in range(1, 13))
    walked = [day for y, m in months if (day := fifth.date_in(y, m)) and day >= date(2026, 3, 31)]
    for index in (0, 1, 1670, 1671, 5000, len(walked) - 1):
        found = occurrence_at(schedule, index)
        assert found is not None and found.local_date == walked[index], index
    assert occurrence_at(schedule, len(walked)) is None
    assert find_occurrence(schedule, walked[-1]) == occurrence_at(schedule, len(walked) - 1)


def test_a_meeting_before_the_year_1_in_utc_is_left_out_and_the_series_goes_on() -> None:
    """A first meeting on 1 January of the year 1 in Sydney would be in the year 0 in UTC."""
    schedule = make(zone=SYDNEY, first_date=date(1, 1, 1), start_time=time(0, 30))
    assert occurrence_at(schedule, 0) is None
    second = occurrence_at(schedule, 1)
    assert second is not None and second.local_date == date(1, 1, 8)
    assert next_occurrences(schedule, utc(1, 1, 1), 1) == [second]
    assert find_occurrence(schedule, date(1, 1, 1)) is None
