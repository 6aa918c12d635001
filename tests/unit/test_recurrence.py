"""Circle recurrence: wall-clock meetings across DST, the rules, ends, skips and windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.recurrence import (
    NthWeekday,
    Rule,
    ScheduleError,
    ScheduleErrorKind,
    edit_from,
    find_occurrence,
    next_occurrences,
    occurrence_at,
    occurrences,
    skip,
    stop_before,
    validate_schedule,
)
from tests.unit.recurrence_cases import (
    EVER_AFTER,
    FRI,
    LONDON,
    LONG_AGO,
    NEW_YORK,
    SYDNEY,
    TUE,
    dates,
    error_kind,
    make,
    starts,
    utc,
)

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
        "2024-10-06 at 02:15 does not exist in Australia/Lord_Howe: the clocks go "
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
